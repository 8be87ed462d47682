package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

// Row values: "(id, code) IN ?" with a slice of rows.
func TestDialectReviewTupleIn(t *testing.T) {
	eachDB(t, []any{&DrItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []DrItem{{1, "a"}, {2, "b"}, {3, "c"}}))
		ids := func(q *orm.Q[DrItem]) []int64 { return drIDs(t, q) }
		require.Equal(t, []int64{1, 3}, ids(orm.Query[DrItem](db).Where("(id, code) IN ?", [][]any{{1, "a"}, {2, "x"}, {3, "c"}})))
		require.Equal(t, []int64{2}, ids(orm.Query[DrItem](db).Where("(id, code) NOT IN (?)", [][2]any{{1, "a"}, {3, "c"}})))
		require.Equal(t, []int64{}, ids(orm.Query[DrItem](db).Where("(id, code) IN ?", [][2]any{})))
		require.Equal(t, []int64{1, 2, 3}, ids(orm.Query[DrItem](db).Where("(id, code) NOT IN ?", [][2]any{})))
		_, err := orm.Query[DrItem](db).Where("(id, code) IN ?", [][]any{{1, "a"}, {2}}).All(ctx)
		require.ErrorContains(t, err, "one length")
		// A list of values next to it still expands as before.
		require.Equal(t, []int64{3}, ids(orm.Query[DrItem](db).Where("(id, code) IN ? AND id IN ?", [][]any{{1, "a"}, {3, "c"}}, []int64{2, 3})))
	})
}
