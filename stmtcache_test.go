package orm_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

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

// Exec of a statement that returns rows, through the statement cache:
// MariaDB sends the columns of a prepared statement only when they
// change, and go-sql-driver/mysql before v1.11.0 read the rows as
// columns in Exec and waited for a packet that never came (until the
// context's deadline). Repeated, with several columns, and empty.
func TestStmtCacheExecReturningRows(t *testing.T) {
	eachDB(t, []any{&CacheRow{}}, func(t *testing.T, db *orm.DB) {
		require.NoError(t, db.Insert(context.Background(), &CacheRow{Name: "x"}))
		for _, q := range []string{
			"SELECT 1, 2",
			"SELECT 1, 2",
			"SELECT id, name FROM cache_row",
			"SELECT id, name FROM cache_row",
			"SELECT id, name FROM cache_row WHERE id < 0",
			"SELECT id, name FROM cache_row WHERE id < 0",
		} {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			start := time.Now()
			_, err := db.Exec(ctx, q)
			cancel()
			require.NoError(t, err, q)
			require.Less(t, time.Since(start), 2*time.Second, q)
		}
	})
}

// A statement the server interrupts (KILL QUERY on MySQL/MariaDB,
// pg_cancel_backend on PostgreSQL) returns the server's error at once,
// through the statement cache as without it.
func TestStmtCacheExecKilled(t *testing.T) {
	for _, tc := range []struct {
		dialect, sleep, find, kill string
	}{
		{"mysql", "SELECT SLEEP(5)",
			"SELECT id FROM information_schema.processlist WHERE info = 'SELECT SLEEP(5)'", "KILL QUERY %d"},
		{"postgres", "SELECT pg_sleep(5)",
			"SELECT pid FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)' AND state = 'active'", "SELECT pg_cancel_backend(%d)"},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			tdb := dbtest.Open(t, tc.dialect)
			for _, size := range []int{256, 0} {
				db := openTest(t, tdb, []orm.Option{orm.WithStmtCache(size)})
				killed := make(chan error, 1)
				go func() {
					deadline := time.Now().Add(4 * time.Second)
					for time.Now().Before(deadline) {
						var id int64
						if err := tdb.SQL.QueryRow(tc.find).Scan(&id); err == nil {
							_, err := tdb.SQL.Exec(fmt.Sprintf(tc.kill, id))
							killed <- err
							return
						}
						time.Sleep(50 * time.Millisecond)
					}
					killed <- fmt.Errorf("%q never showed up", tc.sleep)
				}()
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				start := time.Now()
				_, err := db.Exec(ctx, tc.sleep)
				elapsed := time.Since(start)
				cancel()
				require.NoError(t, <-killed)
				if tc.dialect == "postgres" || size == 0 || err != nil {
					// MySQL's SLEEP may end early with the value 1
					// instead of an error.
					require.Error(t, err, "cache %d", size)
					require.NotErrorIs(t, err, context.DeadlineExceeded, "cache %d", size)
				}
				require.Less(t, elapsed, 4*time.Second, "cache %d: killed statement returned after %v", size, elapsed)
			}
		})
	}
}
