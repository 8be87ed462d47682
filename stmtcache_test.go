package orm_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

type CacheRow struct {
	ID   int64
	Name string `orm:"size:30"`
}

// A tiny cache under concurrent use: statements are evicted while other
// goroutines use them, and every call still succeeds.
func TestStmtCacheEvictionUnderLoad(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db := openTest(t, tdb, []orm.Option{orm.WithStmtCache(2)})
		require.NoError(t, orm.AutoMigrate(db, &CacheRow{}))
		rows := make([]CacheRow, 20)
		for i := range rows {
			rows[i].Name = fmt.Sprint("n", i)
		}
		require.NoError(t, db.Insert(ctx, rows))
		var wg sync.WaitGroup
		errs := make(chan error, 8*30)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				for i := 0; i < 30; i++ {
					// Ten statement shapes for a two-entry cache.
					n := (g + i) % 10
					got, err := orm.Query[CacheRow](db).Where(fmt.Sprintf("id > %d", n)).OrderBy("id").All(ctx)
					if err == nil && len(got) != 20-n {
						err = fmt.Errorf("shape %d: %d rows", n, len(got))
					}
					errs <- err
				}
			}(g)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	})
}

// A cached SELECT keeps working after the table it reads changes shape.
func TestStmtCacheAfterSchemaChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db := openTest(t, tdb, nil)
		require.NoError(t, orm.AutoMigrate(db, &CacheRow{}))
		require.NoError(t, db.Insert(ctx, &CacheRow{Name: "a"}))
		var got CacheRow
		require.NoError(t, db.Get(ctx, &got, 1))
		_, err := db.Exec(ctx, "ALTER TABLE cache_row ADD COLUMN extra integer")
		require.NoError(t, err)
		got = CacheRow{}
		require.NoError(t, db.Get(ctx, &got, 1))
		require.Equal(t, "a", got.Name)
		// Inside a transaction the cached statement is used on the
		// transaction's connection.
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			var in CacheRow
			return tx.Get(ctx, &in, 1)
		}))
	})
}
