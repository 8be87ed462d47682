package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/mixins"
)

// CrudItem has an autoincrement key, client-side timestamps, a unique
// column, a server default and a nullable column.
type CrudItem struct {
	mixins.Model
	Name  string `orm:"size:50;unique"`
	Score int    `orm:"default:7"`
	Note  *string
}

// CrudPair has a composite primary key.
type CrudPair struct {
	A int64  `orm:"pk"`
	B string `orm:"pk;size:20"`
	V string `orm:"size:20"`
}

// CrudTiny is a two-column model for bulk inserts.
type CrudTiny struct {
	ID int64  `orm:"pk;autoincrement:false"`
	V  string `orm:"size:20;check:crud_tiny_v_ok:v <> 'bad'"`
}

func refOf[T any](v T) *T { return &v }

// withLog returns db's dialect opened again on the same database, logging
// statements to the returned log.
func logged(t *testing.T, tdb *dbtest.DB, extra ...orm.Option) (*orm.DB, *stmtLog) {
	t.Helper()
	l := &stmtLog{}
	db := openTest(t, tdb, append([]orm.Option{orm.WithLogger(slog.New(l))}, extra...))
	return db, l
}

// eachLogged is eachDB with a statement log.
func eachLogged(t *testing.T, models []any, fn func(t *testing.T, db *orm.DB, l *stmtLog)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		db, l := logged(t, tdb)
		if len(models) > 0 {
			require.NoError(t, orm.AutoMigrate(db, models...))
		}
		l.Statements()
		fn(t, db, l)
	})
}

func count[T any](t *testing.T, db orm.Handle) int64 {
	t.Helper()
	n, err := orm.Query[T](db).WithDeleted().Count(context.Background())
	require.NoError(t, err)
	return n
}

func TestInsertOne(t *testing.T) {
	eachDB(t, []any{&CrudItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		before := orm.Now()
		it := CrudItem{Name: "a"}
		require.NoError(t, db.Insert(ctx, &it))
		require.NotZero(t, it.ID)
		require.False(t, it.CreatedAt.Before(before), "CreatedAt %v before %v", it.CreatedAt, before)
		require.Equal(t, it.CreatedAt, it.UpdatedAt, "one clock reading for a new row")
		require.Equal(t, time.UTC, it.CreatedAt.Location())
		require.Zero(t, it.CreatedAt.Nanosecond()%1000, "microseconds")
		require.Equal(t, 7, it.Score, "server default read back")
		var got CrudItem
		require.NoError(t, db.Get(ctx, &got, it.ID))
		require.Equal(t, 7, got.Score)
		require.Equal(t, it.CreatedAt, got.CreatedAt)
		require.Nil(t, got.Note)

		// A second insert gets the next key; a non-zero value is kept.
		it2 := CrudItem{Name: "b", Score: 3, Note: refOf("n")}
		require.NoError(t, db.Insert(ctx, &it2))
		require.Greater(t, it2.ID, it.ID)
		require.Equal(t, 3, it2.Score)

		// An explicit key is kept.
		it3 := CrudItem{Model: mixins.Model{ID: 1000}, Name: "c"}
		require.NoError(t, db.Insert(ctx, &it3))
		require.EqualValues(t, 1000, it3.ID)
		require.NoError(t, db.Get(ctx, &got, int64(1000)))
		require.Equal(t, "c", got.Name)

		// Explicit timestamps are kept.
		ts := time.Date(2020, 1, 2, 3, 4, 5, 123456000, time.UTC)
		it4 := CrudItem{Name: "d", Model: mixins.Model{Timestamps: mixins.Timestamps{CreatedAt: ts}}}
		require.NoError(t, db.Insert(ctx, &it4))
		require.NoError(t, db.Get(ctx, &got, it4.ID))
		require.Equal(t, ts, got.CreatedAt)
	})
}

func TestInsertBulkShapes(t *testing.T) {
	eachDB(t, []any{&CrudItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		vals := []CrudItem{{Name: "v1"}, {Name: "v2", Score: 2}, {Name: "v3"}}
		require.NoError(t, db.Insert(ctx, vals))
		ptrs := []*CrudItem{{Name: "p1"}, {Name: "p2"}, {Name: "p3"}}
		require.NoError(t, db.Insert(ctx, ptrs))
		sp := []CrudItem{{Name: "s1"}, {Name: "s2"}}
		require.NoError(t, db.Insert(ctx, &sp))
		var all []*CrudItem
		for i := range vals {
			all = append(all, &vals[i])
		}
		all = append(all, ptrs...)
		all = append(all, &sp[0], &sp[1])
		seen := map[int64]bool{}
		for _, it := range all {
			require.NotZero(t, it.ID, it.Name)
			require.False(t, seen[it.ID], "duplicate id %d", it.ID)
			seen[it.ID] = true
			require.False(t, it.CreatedAt.IsZero())
			var got CrudItem
			require.NoError(t, db.Get(ctx, &got, it.ID))
			require.Equal(t, it.Name, got.Name, "key of %s", it.Name)
			require.Equal(t, it.CreatedAt, got.CreatedAt)
		}
		require.NoError(t, db.Insert(ctx, []CrudItem{}), "empty slice")
		require.EqualValues(t, 8, count[CrudItem](t, db))
	})
}

func TestInsertBulkLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	tdb := dbtest.Open(t, "sqlite")
	db, l := logged(t, tdb)
	require.NoError(t, orm.AutoMigrate(db, &CrudTiny{}))
	ctx := context.Background()
	const n = 70000
	rows := make([]CrudTiny, n)
	for i := range rows {
		rows[i] = CrudTiny{ID: int64(i + 1), V: "x"}
	}
	l.Statements()
	require.NoError(t, db.Insert(ctx, rows))
	inserts := 0
	for _, s := range l.Statements() {
		if strings.HasPrefix(s, "INSERT") {
			inserts++
		}
	}
	// 2 binds per row, 32766 binds per statement: 16383 rows each.
	per := db.Dialect().MaxParams() / 2
	require.Equal(t, (n+per-1)/per, inserts)
	require.EqualValues(t, n, count[CrudTiny](t, db))

	// A failing row in the last chunk leaves none of the others behind.
	for i := range rows {
		rows[i].ID += n
	}
	rows[n-1].V = "bad"
	err := db.Insert(ctx, rows)
	require.ErrorIs(t, err, orm.ErrCheckViolation)
	require.EqualValues(t, n, count[CrudTiny](t, db))
}

func TestGet(t *testing.T) {
	eachDB(t, []any{&CrudItem{}, &CrudPair{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []CrudPair{{A: 1, B: "x", V: "1x"}, {A: 1, B: "y", V: "1y"}, {A: 2, B: "x", V: "2x"}}))
		var p CrudPair
		require.NoError(t, db.Get(ctx, &p, 1, "y"))
		require.Equal(t, "1y", p.V)
		require.NoError(t, db.Get(ctx, &p, int64(2), "x"))
		require.Equal(t, "2x", p.V)
		err := db.Get(ctx, &p, 2, "y")
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.ErrorIs(t, err, sql.ErrNoRows)
		require.True(t, strings.HasPrefix(err.Error(), "orm: get crud_pair: "), err.Error())
		require.Error(t, db.Get(ctx, &p, 1), "too few key values")

		var it CrudItem
		err = db.Get(ctx, &it, 42)
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.ErrorIs(t, err, sql.ErrNoRows)
	})
}

func TestUpdate(t *testing.T) {
	eachDB(t, []any{&CrudItem{}, &CrudPair{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		it := CrudItem{Name: "a", Score: 1}
		require.NoError(t, db.Insert(ctx, &it))
		created, updated := it.CreatedAt, it.UpdatedAt
		time.Sleep(2 * time.Millisecond)

		// Whole row.
		it.Name, it.Score, it.Note = "b", 2, refOf("note")
		require.NoError(t, db.Update(ctx, &it))
		require.True(t, it.UpdatedAt.After(updated), "UpdatedAt refreshed")
		require.Equal(t, created, it.CreatedAt)
		var got CrudItem
		require.NoError(t, db.Get(ctx, &got, it.ID))
		require.Equal(t, it, got)

		// Named columns only: the others keep their database values.
		updated = it.UpdatedAt
		time.Sleep(2 * time.Millisecond)
		it.Name, it.Score = "c", 99
		require.NoError(t, db.Update(ctx, &it, "Score"))
		require.True(t, it.UpdatedAt.After(updated))
		require.NoError(t, db.Get(ctx, &got, it.ID))
		require.Equal(t, "b", got.Name, "column not named is untouched")
		require.Equal(t, 99, got.Score)
		require.Equal(t, it.UpdatedAt, got.UpdatedAt, "onupdate_fn column written")
		require.NoError(t, db.Update(ctx, &it, "name"), "column name works too")
		require.NoError(t, db.Get(ctx, &got, it.ID))
		require.Equal(t, "c", got.Name)

		// Writing identical values still finds the row (MySQL counts
		// changed rows unless the connection asks for found rows).
		require.NoError(t, db.Update(ctx, &got, "name"))
		require.NoError(t, db.Update(ctx, &got, "name", "score"))

		// A missing row.
		missing := CrudItem{Model: mixins.Model{ID: 12345}, Name: "zz"}
		err := db.Update(ctx, &missing)
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.True(t, strings.HasPrefix(err.Error(), "orm: update crud_item: "), err.Error())
		require.Error(t, db.Update(ctx, &it, "nope"))

		// Composite key, and a slice.
		ps := []CrudPair{{A: 1, B: "x", V: "a"}, {A: 1, B: "y", V: "b"}}
		require.NoError(t, db.Insert(ctx, ps))
		ps[0].V, ps[1].V = "A", "B"
		require.NoError(t, db.Update(ctx, ps))
		var p CrudPair
		require.NoError(t, db.Get(ctx, &p, 1, "y"))
		require.Equal(t, "B", p.V)
		require.NoError(t, db.Update(ctx, ps), "identical values")
	})
}

// TestUpdateIdenticalWithoutFoundRows opens MySQL without
// clientFoundRows, where RowsAffected counts changed rows only.
func TestUpdateIdenticalWithoutFoundRows(t *testing.T) {
	tdb := dbtest.Open(t, "mysql")
	sdb, err := sql.Open(tdb.DriverName, tdb.DSN)
	require.NoError(t, err)
	db, err := orm.New(sdb, tdb.DriverName)
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	require.NoError(t, orm.AutoMigrate(db, &CrudPair{}))
	p := CrudPair{A: 1, B: "x", V: "v"}
	require.NoError(t, db.Insert(ctx, &p))
	require.NoError(t, db.Update(ctx, &p))
	require.ErrorIs(t, db.Update(ctx, &CrudPair{A: 9, B: "x"}), orm.ErrNotFound)
}

func TestDelete(t *testing.T) {
	eachDB(t, []any{&CrudItem{}, &CrudPair{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		its := []CrudItem{{Name: "a"}, {Name: "b"}, {Name: "c"}}
		require.NoError(t, db.Insert(ctx, its))
		require.NoError(t, db.Delete(ctx, &its[0]))
		require.ErrorIs(t, db.Get(ctx, &CrudItem{}, its[0].ID), orm.ErrNotFound)
		err := db.Delete(ctx, &its[0])
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.True(t, strings.HasPrefix(err.Error(), "orm: delete crud_item: "), err.Error())
		require.NoError(t, db.HardDelete(ctx, its[1:]))
		require.EqualValues(t, 0, count[CrudItem](t, db))

		ps := []CrudPair{{A: 1, B: "x"}, {A: 1, B: "y"}}
		require.NoError(t, db.Insert(ctx, ps))
		require.NoError(t, db.Delete(ctx, &ps[1]))
		var p CrudPair
		require.NoError(t, db.Get(ctx, &p, 1, "x"))
		require.ErrorIs(t, db.Get(ctx, &p, 1, "y"), orm.ErrNotFound)

		// Deleting several rows where one is missing deletes none.
		require.ErrorIs(t, db.Delete(ctx, ps), orm.ErrNotFound)
		require.NoError(t, db.Get(ctx, &p, 1, "x"))
	})
}

func TestUpsert(t *testing.T) {
	eachDB(t, []any{&CrudItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		get := func(id int64) CrudItem {
			t.Helper()
			var got CrudItem
			require.NoError(t, db.Get(ctx, &got, id))
			return got
		}

		// On the primary key: insert, then update.
		a := CrudItem{Model: mixins.Model{ID: 1000}, Name: "a", Score: 1}
		require.NoError(t, db.Upsert(ctx, &a, nil))
		require.EqualValues(t, 1000, a.ID)
		require.Equal(t, a.CreatedAt, a.UpdatedAt, "one clock reading for a new row")
		created, updated := a.CreatedAt, a.UpdatedAt
		time.Sleep(2 * time.Millisecond)
		a.Name, a.Score = "a2", 2
		require.NoError(t, db.Upsert(ctx, &a, nil))
		got := get(1000)
		require.Equal(t, "a2", got.Name)
		require.Equal(t, 2, got.Score)
		require.Equal(t, created, got.CreatedAt, "created_at kept on update")
		require.True(t, got.UpdatedAt.After(updated), "updated_at refreshed on update")
		require.Equal(t, a.UpdatedAt, got.UpdatedAt)
		require.NoError(t, db.Upsert(ctx, &a, nil), "identical values")

		// On a unique column: the generated key is filled on insert, and
		// on update it is the existing row's key.
		b := CrudItem{Name: "b", Score: 1}
		require.NoError(t, db.Upsert(ctx, &b, orm.OnConflict("name")))
		require.NotZero(t, b.ID)
		require.Equal(t, "b", get(b.ID).Name)
		b2 := CrudItem{Name: "b", Score: 5}
		require.NoError(t, db.Upsert(ctx, &b2, orm.OnConflict("name")))
		require.Equal(t, 5, get(b.ID).Score)
		require.Equal(t, b.ID, b2.ID, "existing key read back on the update path")
		b2.ID = 0
		require.NoError(t, db.Upsert(ctx, &b2, orm.OnConflict("name").DoUpdate("score")), "identical values")
		require.Equal(t, b.ID, b2.ID, "existing key read back when nothing changed")

		// DoUpdate(cols): only those columns change.
		b3 := CrudItem{Name: "b", Score: 6, Note: refOf("n")}
		require.NoError(t, db.Upsert(ctx, &b3, orm.OnConflict("name").DoUpdate("note")))
		got = get(b.ID)
		require.Equal(t, 5, got.Score)
		require.Equal(t, "n", *got.Note)

		// DoNothing keeps the row.
		b4 := CrudItem{Name: "b", Score: 100}
		require.NoError(t, db.Upsert(ctx, &b4, orm.OnConflict("name").DoNothing()))
		require.Equal(t, 5, get(b.ID).Score)
		c := CrudItem{Name: "c", Score: 3}
		require.NoError(t, db.Upsert(ctx, &c, orm.OnConflict("name").DoNothing()))
		require.NotZero(t, c.ID, "DoNothing inserts a new row and fills its key")
		require.Equal(t, "c", get(c.ID).Name)

		// Several rows, some new, some existing.
		many := []CrudItem{{Name: "c", Score: 30}, {Name: "d", Score: 4}, {Name: "b", Score: 50}, {Name: "e"}}
		require.NoError(t, db.Upsert(ctx, many, orm.OnConflict("name")))
		require.Equal(t, c.ID, many[0].ID)
		require.Equal(t, b.ID, many[2].ID)
		for _, m := range many {
			require.NotZero(t, m.ID, m.Name)
			require.Equal(t, m.Name, get(m.ID).Name)
		}
		require.Equal(t, 30, get(c.ID).Score)
		require.Equal(t, 4, get(many[1].ID).Score)
		require.EqualValues(t, 5, count[CrudItem](t, db))

		require.Error(t, db.Upsert(ctx, &c, orm.OnConflict("nope")))
	})
}

func TestLogging(t *testing.T) {
	for _, withArgs := range []bool{false, true} {
		t.Run(fmt.Sprintf("args=%v", withArgs), func(t *testing.T) {
			tdb := dbtest.Open(t, "sqlite")
			var recs []slog.Record
			h := &recordHandler{recs: &recs}
			db := openTest(t, tdb, []orm.Option{orm.WithLogger(slog.New(h)), orm.WithLogArgs(withArgs)})
			ctx := context.Background()
			require.NoError(t, orm.AutoMigrate(db, &CrudItem{}))
			recs = recs[:0]
			it := CrudItem{Name: "secret"}
			require.NoError(t, db.Insert(ctx, &it))
			require.NoError(t, db.Get(ctx, &it, it.ID))
			_, err := db.Exec(ctx, "UPDATE crud_item SET score = ? WHERE id = ?", 5, it.ID)
			require.NoError(t, err)
			_ = db.Get(ctx, &it, -1)
			require.Len(t, recs, 4)
			for _, r := range recs {
				require.Equal(t, slog.LevelDebug, r.Level)
				attrs := map[string]slog.Value{}
				r.Attrs(func(a slog.Attr) bool { attrs[a.Key] = a.Value; return true })
				require.NotEmpty(t, attrs["sql"].String())
				require.Equal(t, slog.KindDuration, attrs["duration"].Kind())
				_, hasArgs := attrs["args"]
				require.Equal(t, withArgs, hasArgs)
			}
		})
	}
}

type recordHandler struct{ recs *[]slog.Record }

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	*h.recs = append(*h.recs, r.Clone())
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

var _ = errors.Is
