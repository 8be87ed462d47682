package orm_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

type DrItem struct {
	ID   int64 `orm:"autoincrement:false"`
	Code string
}

// drIDs returns the ids of the rows q matches, in id order (never nil).
func drIDs(t *testing.T, q *orm.Q[DrItem]) []int64 {
	t.Helper()
	out, err := orm.Pluck[int64](context.Background(), q.OrderBy("id"), "id")
	require.NoError(t, err)
	if out == nil {
		out = []int64{}
	}
	return out
}

// GORM's Where("id IN ?", ids): the list gets its parentheses; empty
// lists give no row for IN and every row for NOT IN, in both spellings.
func TestDialectReviewWhereInBare(t *testing.T) {
	eachDB(t, []any{&DrItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []DrItem{{1, "a"}, {2, "b"}, {3, "c"}}))
		ids := func(q *orm.Q[DrItem]) []int64 { return drIDs(t, q) }
		require.Equal(t, []int64{1, 3}, ids(orm.Query[DrItem](db).Where("id IN ?", []int64{1, 3})))
		require.Equal(t, []int64{2}, ids(orm.Query[DrItem](db).Where("code NOT IN ?", []string{"a", "c"})))
		require.Equal(t, []int64{1, 3}, ids(orm.Query[DrItem](db).Where("id IN (?)", []int64{1, 3})))
		for _, form := range []string{"?", "(?)"} {
			require.Equal(t, []int64{}, ids(orm.Query[DrItem](db).Where("id IN "+form, []int64{})), "IN %s", form)
			require.Equal(t, []int64{1, 2, 3}, ids(orm.Query[DrItem](db).Where("id NOT IN "+form, []int64{})), "NOT IN %s", form)
			require.Equal(t, []int64{1, 2, 3}, ids(orm.Query[DrItem](db).Where("code NOT IN "+form, []string{})), "NOT IN %s", form)
		}
		var codes []string
		require.NoError(t, db.Select(ctx, &codes, "SELECT code FROM dr_item WHERE id IN ? AND code <> ? ORDER BY id", []int64{1, 2, 3}, "b"))
		require.Equal(t, []string{"a", "c"}, codes)
	})
}

type DrCounter struct {
	ID int64
	N  int64
}

// Concurrent read-then-write transactions on the in-memory database of
// orm.OpenURL("sqlite://") wait for each other instead of failing with
// "database table is locked".
func TestDialectReviewSQLiteMemoryConcurrentTransactions(t *testing.T) {
	db, err := orm.OpenURL("sqlite://", orm.WithMaxOpenConns(8))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, orm.AutoMigrate(db, &DrCounter{}))
	c := DrCounter{}
	require.NoError(t, db.Insert(ctx, &c))
	const workers, rounds = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range rounds {
				errs <- db.Transaction(ctx, func(tx *orm.Session) error {
					var v DrCounter
					if err := tx.Get(ctx, &v, c.ID); err != nil {
						return err
					}
					v.N++
					return tx.Update(ctx, &v)
				})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var got DrCounter
	require.NoError(t, db.Get(ctx, &got, c.ID))
	require.EqualValues(t, workers*rounds, got.N)

	// Each sqlite:// is a database of its own.
	other, err := orm.OpenURL("sqlite://")
	require.NoError(t, err)
	defer other.Close()
	_, err = orm.Query[DrCounter](other).Count(ctx)
	require.Error(t, err)
}
