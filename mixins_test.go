package orm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/mixins"
)

type MxNote struct {
	mixins.Model
	mixins.SoftDelete
	Title string `orm:"size:50"`
}

func TestMixinTimestamps(t *testing.T) {
	eachDB(t, []any{&MxNote{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		n := MxNote{Title: "a"}
		require.NoError(t, db.Insert(ctx, &n))
		require.False(t, n.CreatedAt.IsZero())
		require.Equal(t, n.CreatedAt, n.UpdatedAt)
		for _, ts := range []time.Time{n.CreatedAt, n.UpdatedAt} {
			require.Equal(t, time.UTC, ts.Location())
			require.Zero(t, ts.Nanosecond()%1000, "microsecond precision")
		}
		var got MxNote
		require.NoError(t, db.Get(ctx, &got, n.ID))
		require.Equal(t, n, got, "value in the struct == value read back")

		time.Sleep(2 * time.Millisecond)
		n.Title = "b"
		require.NoError(t, db.Update(ctx, &n))
		require.True(t, n.UpdatedAt.After(n.CreatedAt))
		require.NoError(t, db.Get(ctx, &got, n.ID))
		require.Equal(t, n, got)

		// UpdateColumns on a query refreshes updated_at too.
		time.Sleep(2 * time.Millisecond)
		before := n.UpdatedAt
		cnt, err := orm.Query[MxNote](db).Where("id = ?", n.ID).UpdateColumns(ctx, map[string]any{"title": "c"})
		require.NoError(t, err)
		require.EqualValues(t, 1, cnt)
		require.NoError(t, db.Get(ctx, &got, n.ID))
		require.Equal(t, "c", got.Title)
		require.True(t, got.UpdatedAt.After(before))
		require.Equal(t, n.CreatedAt, got.CreatedAt)

		// A time with nanoseconds in another zone is stored as UTC
		// microseconds, through UpdateColumns as through Insert.
		local := time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("X", 5*3600))
		_, err = orm.Query[MxNote](db).Where("id = ?", n.ID).UpdateColumns(ctx, map[string]any{"CreatedAt": local})
		require.NoError(t, err)
		require.NoError(t, db.Get(ctx, &got, n.ID))
		require.Equal(t, local.UTC().Truncate(time.Microsecond), got.CreatedAt)
		m := MxNote{Title: "z", Model: mixins.Model{Timestamps: mixins.Timestamps{CreatedAt: local}}}
		require.NoError(t, db.Insert(ctx, &m))
		require.NoError(t, db.Get(ctx, &got, m.ID))
		require.Equal(t, local.UTC().Truncate(time.Microsecond), got.CreatedAt)
	})
}

func TestMixinSoftDelete(t *testing.T) {
	eachDB(t, []any{&MxNote{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		ns := []MxNote{{Title: "a"}, {Title: "b"}, {Title: "c"}}
		require.NoError(t, db.Insert(ctx, ns))

		require.NoError(t, db.Delete(ctx, &ns[0]))
		require.NotNil(t, ns[0].DeletedAt)
		require.True(t, ns[0].IsDeleted())
		require.ErrorIs(t, db.Get(ctx, &MxNote{}, ns[0].ID), orm.ErrNotFound)
		require.ErrorIs(t, db.Delete(ctx, &ns[0]), orm.ErrNotFound, "already deleted")

		titles := func(q *orm.Q[MxNote]) []string {
			t.Helper()
			got, err := q.OrderBy("id").All(ctx)
			require.NoError(t, err)
			var out []string
			for _, n := range got {
				out = append(out, n.Title)
			}
			return out
		}
		require.Equal(t, []string{"b", "c"}, titles(orm.Query[MxNote](db)))
		require.Equal(t, []string{"b"}, titles(orm.Query[MxNote](db).Where("title = ?", "a").Or("title = ?", "b")))
		require.Equal(t, []string{"a", "b", "c"}, titles(orm.Query[MxNote](db).WithDeleted()))
		require.Equal(t, []string{"a"}, titles(orm.Query[MxNote](db).OnlyDeleted()))
		cnt, err := orm.Query[MxNote](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, cnt)
		deleted, err := orm.Query[MxNote](db).OnlyDeleted().First(ctx)
		require.NoError(t, err)
		require.Equal(t, ns[0].DeletedAt.UTC(), deleted.DeletedAt.UTC())

		// Delete on a query soft-deletes; WithDeleted().Delete removes.
		cnt, err = orm.Query[MxNote](db).Where("title = ?", "b").Delete(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, cnt)
		require.Equal(t, []string{"c"}, titles(orm.Query[MxNote](db)))
		cnt, err = orm.Query[MxNote](db).OnlyDeleted().Delete(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, cnt)
		require.Equal(t, []string{"c"}, titles(orm.Query[MxNote](db).WithDeleted()))

		// HardDelete removes the row for good.
		require.NoError(t, db.HardDelete(ctx, &ns[2]))
		require.Empty(t, titles(orm.Query[MxNote](db).WithDeleted()))
		require.ErrorIs(t, db.HardDelete(ctx, &ns[2]), orm.ErrNotFound)
	})
}
