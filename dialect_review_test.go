package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

type DrItem struct {
	ID   int64 `orm:"autoincrement:false"`
	Code string
}

// GORM's Where("id IN ?", ids): the list gets its parentheses; empty
// lists give no row for IN and every row for NOT IN, in both spellings.
func TestDialectReviewWhereInBare(t *testing.T) {
	eachDB(t, []any{&DrItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []DrItem{{1, "a"}, {2, "b"}, {3, "c"}}))
		ids := func(q *orm.Q[DrItem]) []int64 {
			t.Helper()
			rows, err := q.OrderBy("id").All(ctx)
			require.NoError(t, err)
			out := []int64{}
			for _, r := range rows {
				out = append(out, r.ID)
			}
			return out
		}
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
