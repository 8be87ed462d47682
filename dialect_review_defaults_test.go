package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

type DrOnlyKey struct {
	ID int64
}

// A model whose only column is its autoincrement key inserts rows of
// defaults: one row, several, and an upsert.
func TestDialectReviewInsertOnlyKey(t *testing.T) {
	eachDB(t, []any{&DrOnlyKey{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a := DrOnlyKey{}
		require.NoError(t, db.Insert(ctx, &a))
		require.NotZero(t, a.ID)
		rows := []DrOnlyKey{{}, {}, {}}
		require.NoError(t, db.Insert(ctx, rows))
		for i, r := range rows {
			require.NotZero(t, r.ID, i)
			require.NotEqual(t, a.ID, r.ID)
		}
		require.Less(t, rows[0].ID, rows[2].ID)
		b := DrOnlyKey{}
		require.NoError(t, db.Upsert(ctx, &b, orm.OnConflict("id").DoNothing()))
		require.NotZero(t, b.ID)
		n, err := orm.Query[DrOnlyKey](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 5, n)
	})
}
