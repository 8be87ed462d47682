package orm_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// A second round of behaviour checks against what GORM and SQLAlchemy
// users expect, on every dialect.

// RwUUIDKey has a UUID primary key ([16]byte named UUID, no Valuer).
type RwUUIDKey struct {
	ID   UUID   `orm:"pk;default_fn:uuid"`
	Name string `orm:"size:20"`
}

type RwUUIDChild struct {
	ID      int64
	OwnerID *UUID
	Owner   *RwUUIDKey `orm:"belongs_to;foreign_key:OwnerID"`
}

func TestAdvUUIDKey(t *testing.T) {
	eachDB(t, []any{&RwUUIDKey{}, &RwUUIDChild{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a := RwUUIDKey{Name: "a"}
		require.NoError(t, db.Insert(ctx, &a))
		require.NotZero(t, a.ID)
		b := RwUUIDKey{ID: UUID{1, 2, 3}, Name: "b"}
		require.NoError(t, db.Insert(ctx, &b))

		// Get by the key value, as GORM's First(&v, "id = ?", id).
		var g RwUUIDKey
		require.NoError(t, db.Get(ctx, &g, a.ID))
		require.Equal(t, a, g)

		// The key as a condition argument and in an IN list.
		got, err := orm.Query[RwUUIDKey](db).Where("id = ?", b.ID).All(ctx)
		require.NoError(t, err)
		require.Equal(t, []RwUUIDKey{b}, got)
		got, err = orm.Query[RwUUIDKey](db).WhereIn("id", []UUID{a.ID, b.ID}).OrderBy("name").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []RwUUIDKey{a, b}, got)
		n, err := orm.Query[RwUUIDKey](db).Where("id IN (?)", []UUID{b.ID}).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		var raw []RwUUIDKey
		require.NoError(t, db.Select(ctx, &raw, "SELECT * FROM rw_uuid_key WHERE id = ?", a.ID))
		require.Equal(t, []RwUUIDKey{a}, raw)

		// Update and Delete by key; a child preloads its owner.
		a.Name = "a2"
		require.NoError(t, db.Update(ctx, &a))
		c := RwUUIDChild{OwnerID: &b.ID}
		require.NoError(t, db.Insert(ctx, &c))
		cs, err := orm.Query[RwUUIDChild](db).Preload("Owner").All(ctx)
		require.NoError(t, err)
		require.Len(t, cs, 1)
		require.NotNil(t, cs[0].Owner)
		require.Equal(t, "b", cs[0].Owner.Name)
		n, err = orm.Query[RwUUIDChild](db).Where("owner_id = ?", &b.ID).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		require.NoError(t, db.Delete(ctx, &a))
		require.ErrorIs(t, db.Get(ctx, &g, a.ID), orm.ErrNotFound)
	})
}

// RwTimeKey has a time in its composite primary key.
type RwTimeKey struct {
	At   time.Time `orm:"pk"`
	K    string    `orm:"pk;size:10"`
	Name string    `orm:"size:20"`
}

func TestAdvTimeKeyGet(t *testing.T) {
	eachDB(t, []any{&RwTimeKey{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		at := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
		v := RwTimeKey{At: at, K: "k", Name: "n"}
		require.NoError(t, db.Insert(ctx, &v))
		// The same instant in another zone finds the row.
		var g RwTimeKey
		require.NoError(t, db.Get(ctx, &g, at.In(time.FixedZone("paris", 2*3600)), "k"))
		require.Equal(t, "n", g.Name)
		require.True(t, g.At.Equal(at))
	})
}

func TestAdvScalarTimeSelect(t *testing.T) {
	eachDB(t, []any{&RvVals{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		t1 := time.Date(2024, 1, 2, 3, 4, 5, 6000, time.UTC)
		t2 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		require.NoError(t, db.Insert(ctx, []RvVals{{T: t1}, {T: t2}}))
		// One column of times, into []time.Time: the Pluck of GORM.
		var ts []time.Time
		require.NoError(t, db.Select(ctx, &ts, "SELECT t FROM rv_vals ORDER BY t"))
		require.Len(t, ts, 2)
		require.True(t, ts[0].Equal(t1), "%v", ts[0])
		require.Equal(t, time.UTC, ts[0].Location())
		// An aggregate of a time column (SQLite reports it as text).
		var last time.Time
		require.NoError(t, db.Select(ctx, &last, "SELECT MAX(t) FROM rv_vals"))
		require.True(t, last.Equal(t2), "%v", last)
		var lastP *time.Time
		require.NoError(t, db.Select(ctx, &lastP, "SELECT MIN(t) FROM rv_vals"))
		require.NotNil(t, lastP)
		require.True(t, lastP.Equal(t1), "%v", *lastP)
		var none *time.Time
		require.NoError(t, db.Select(ctx, &none, "SELECT MAX(t) FROM rv_vals WHERE id < 0"))
		require.Nil(t, none)
	})
}

func TestAdvOneMultiple(t *testing.T) {
	eachDB(t, []any{&RvSoft{}, &RvNoPK{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvSoft{{Name: "a"}, {Name: "a"}, {Name: "b"}}))
		// SQLAlchemy's one(): more than one row is an error.
		_, err := orm.Query[RvSoft](db).Where("name = ?", "a").One(ctx)
		require.ErrorIs(t, err, orm.ErrMultipleRows)
		require.True(t, strings.HasPrefix(err.Error(), "orm: query rv_soft"), err.Error())
		v, err := orm.Query[RvSoft](db).Where("name = ?", "b").One(ctx)
		require.NoError(t, err)
		require.Equal(t, "b", v.Name)
		f, err := orm.Query[RvSoft](db).Where("name = ?", "a").First(ctx)
		require.NoError(t, err)
		require.Equal(t, "a", f.Name)
		// GORM's Last: by primary key, descending.
		q := orm.Query[RvSoft](db).Where("name = ?", "a")
		l, err := q.Last(ctx)
		require.NoError(t, err)
		require.Greater(t, l.ID, f.ID)
		l, err = orm.Query[RvSoft](db).Last(ctx)
		require.NoError(t, err)
		require.Equal(t, "b", l.Name)
		l, err = orm.Query[RvSoft](db).OrderBy("name DESC").Last(ctx)
		require.NoError(t, err)
		require.Equal(t, "b", l.Name)
		_, err = orm.Query[RvSoft](db).Where("name = ?", "zed").Last(ctx)
		require.ErrorIs(t, err, orm.ErrNotFound)
		_, err = orm.Query[RvNoPK](db).Last(ctx)
		require.ErrorIs(t, err, orm.ErrNoPrimaryKey)
		// The query stays as it was.
		all, err := q.All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)
		require.Zero(t, db.DB().Stats().InUse)
	})
}

func TestAdvWhereInHuge(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvSoft{{Name: "a"}, {Name: "b"}}))
		ids := make([]int64, 70000)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		// More values than a statement may bind: a clear error naming
		// the limit, before anything is sent.
		_, err := orm.Query[RvSoft](db).WhereIn("id", ids).All(ctx)
		require.Error(t, err)
		require.Contains(t, err.Error(), "70000")
		require.Contains(t, err.Error(), fmt.Sprint(db.Dialect().MaxParams()))
		_, err = db.Exec(ctx, "DELETE FROM rv_soft WHERE id IN (?)", ids)
		require.Error(t, err)
		require.Contains(t, err.Error(), "70000")
		// Up to the limit, it runs.
		n, err := orm.Query[RvSoft](db).WhereIn("id", ids[:db.Dialect().MaxParams()]).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
	})
}

type rwSc struct {
	ID    int64
	Name  string
	Extra *string
}

func TestAdvStmtCacheSchemaChange(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		exec := func(q string, args ...any) {
			t.Helper()
			_, err := db.Exec(ctx, q, args...)
			require.NoError(t, err)
		}
		sel := func() []rwSc {
			t.Helper()
			var out []rwSc
			require.NoError(t, db.Select(ctx, &out, "SELECT * FROM rw_sc ORDER BY id"))
			return out
		}
		exec("CREATE TABLE rw_sc (id integer PRIMARY KEY, name varchar(20) NOT NULL)")
		exec("INSERT INTO rw_sc (id, name) VALUES (?, ?)", 1, "a")
		require.Equal(t, []rwSc{{ID: 1, Name: "a"}}, sel())
		require.Equal(t, []rwSc{{ID: 1, Name: "a"}}, sel()) // cached

		// A column added: the cached statement returns it.
		exec("ALTER TABLE rw_sc ADD COLUMN extra varchar(20)")
		exec("UPDATE rw_sc SET extra = ? WHERE id = ?", "x", 1)
		require.Equal(t, []rwSc{{ID: 1, Name: "a", Extra: refOf("x")}}, sel())

		// The table recreated with its columns in another order.
		exec("DROP TABLE rw_sc")
		exec("CREATE TABLE rw_sc (name varchar(20) NOT NULL, extra varchar(20), id integer PRIMARY KEY)")
		exec("INSERT INTO rw_sc (id, name, extra) VALUES (?, ?, ?)", 2, "b", "y")
		require.Equal(t, []rwSc{{ID: 2, Name: "b", Extra: refOf("y")}}, sel())

		// Dropped: an error, not stale rows; recreated: works again.
		exec("DROP TABLE rw_sc")
		var out []rwSc
		require.Error(t, db.Select(ctx, &out, "SELECT * FROM rw_sc ORDER BY id"))
		exec("CREATE TABLE rw_sc (id integer PRIMARY KEY, name varchar(20) NOT NULL, extra varchar(20))")
		require.Empty(t, sel())
	})
}

func TestAdvTxCommitAborted(t *testing.T) {
	eachDB(t, []any{&RvUniq{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, &RvUniq{A: 1, B: "b"}))
		// The caller ignores a failed statement and returns nil.
		err := db.Transaction(ctx, func(tx *orm.Session) error {
			if err := tx.Insert(ctx, &RvUniq{A: 2, B: "b"}); err != nil {
				return err
			}
			require.ErrorIs(t, tx.Insert(ctx, &RvUniq{A: 1, B: "b"}), orm.ErrUniqueViolation)
			return nil
		})
		if db.Dialect().Name() == "postgres" {
			// PostgreSQL aborted the transaction: COMMIT rolls back, and
			// that must not look like success.
			require.Error(t, err)
			require.True(t, strings.HasPrefix(err.Error(), "orm: commit"), err.Error())
			require.EqualValues(t, 1, count[RvUniq](t, db))
			return
		}
		require.NoError(t, err)
		require.EqualValues(t, 2, count[RvUniq](t, db))
	})
}

func TestAdvTxNestedSavepoint(t *testing.T) {
	// A failed statement in a nested transaction leaves the outer one
	// usable on every dialect (on PostgreSQL the failure aborts the
	// transaction unless the savepoint is rolled back).
	eachDB(t, []any{&RvUniq{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, &RvUniq{A: 1, B: "b"}))
		err := db.Transaction(ctx, func(tx *orm.Session) error {
			inner := tx.Transaction(ctx, func(tx *orm.Session) error {
				return tx.Insert(ctx, &RvUniq{A: 1, B: "b"})
			})
			require.ErrorIs(t, inner, orm.ErrUniqueViolation)
			return tx.Insert(ctx, &RvUniq{A: 3, B: "b"})
		})
		require.NoError(t, err)
		require.EqualValues(t, 2, count[RvUniq](t, db))
		// Commit twice, Rollback after Commit.
		s, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, s.Commit())
		require.ErrorIs(t, s.Commit(), sql.ErrTxDone)
		require.NoError(t, s.Rollback())
		require.ErrorIs(t, s.Transaction(ctx, func(*orm.Session) error { return nil }), sql.ErrTxDone)
	})
}

// RwShape is mapped for the first time by many goroutines at once.
type RwShape struct {
	ID   int64
	Name string `orm:"size:20"`
	N    int
}

func TestAdvConcurrentShapes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		db := openTest(t, tdb, []orm.Option{orm.WithStmtCache(8)})
		ctx := context.Background()
		_, err := db.Exec(ctx, "CREATE TABLE rw_shape (id integer PRIMARY KEY, name varchar(20) NOT NULL, n integer NOT NULL)")
		require.NoError(t, err)
		for i := 1; i <= 10; i++ {
			_, err := db.Exec(ctx, "INSERT INTO rw_shape (id, name, n) VALUES (?, ?, ?)", i, fmt.Sprint("n", i), i)
			require.NoError(t, err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8*60)
		for g := 0; g < 8; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 60; i++ {
					// 60 shapes: more than a model's lock-free list and
					// the statement cache hold.
					cond := "n >= ?" + strings.Repeat(" AND n >= ?", i%30)
					args := make([]any, i%30+1)
					for j := range args {
						args[j] = i % 5
					}
					q := orm.Query[RwShape](db).Where(cond, args...)
					if i%2 == 1 {
						q = q.OrderBy("id DESC")
					}
					all, err := q.All(ctx)
					if err == nil && len(all) != 10-max(i%5-1, 0) {
						err = fmt.Errorf("shape %d: %d rows", i, len(all))
					}
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
	})
}

func TestAdvEmptyInputs(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		var nilSlice []RvSoft
		var nilPtrs []*RvSoft
		for name, fn := range map[string]func() error{
			"insert nil slice":     func() error { return db.Insert(ctx, nilSlice) },
			"insert ptr nil slice": func() error { return db.Insert(ctx, &nilSlice) },
			"insert nil ptr slice": func() error { return db.Insert(ctx, nilPtrs) },
			"upsert empty":         func() error { return db.Upsert(ctx, []RvSoft{}, nil) },
			"update empty":         func() error { return db.Update(ctx, []RvSoft{}) },
			"delete empty":         func() error { return db.Delete(ctx, []*RvSoft{}) },
			"hard delete nil":      func() error { return db.HardDelete(ctx, nilSlice) },
			"update cols empty list": func() error {
				_, err := orm.Query[RvSoft](db).WhereIn("id", []int64{}).UpdateColumns(ctx, map[string]any{"name": "x"})
				return err
			},
		} {
			require.NoError(t, fn(), name)
		}
		require.Zero(t, count[RvSoft](t, db))
		for name, err := range map[string]error{
			"insert nil":     db.Insert(ctx, nil),
			"insert nil ptr": db.Insert(ctx, (*RvSoft)(nil)),
			"update nil ptr": db.Update(ctx, (*RvSoft)(nil)),
			"delete nil ptr": db.Delete(ctx, (*RvSoft)(nil)),
			"get nil ptr":    db.Get(ctx, (*RvSoft)(nil), 1),
			"insert struct":  db.Insert(ctx, RvSoft{}),
		} {
			require.Error(t, err, name)
			require.True(t, strings.HasPrefix(err.Error(), "orm: "), err.Error())
		}
	})
}

func TestAdvUpdateColumnsValues(t *testing.T) {
	eachDB(t, []any{&RvVals{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvVals{S: "s", Note: refOf("n"), TP: refOf(time.Now()), J: map[string]any{"a": 1.0}, NS: sql.NullString{String: "x", Valid: true}}
		require.NoError(t, db.Insert(ctx, &v))
		at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("x", -5*3600))
		n, err := orm.Query[RvVals](db).Where("id = ?", v.ID).UpdateColumns(ctx, map[string]any{
			"Note": nil,               // untyped nil: NULL
			"tp":   (*time.Time)(nil), // typed nil pointer: NULL
			"S":    "",                // a zero value is written
			"T":    at,                // another zone: the same instant
			"J":    map[string]any{"b": []any{"x"}},
			"NS":   sql.NullString{},
			"U64":  uint64(7),
		})
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		var g RvVals
		require.NoError(t, db.Get(ctx, &g, v.ID))
		require.Nil(t, g.Note)
		require.Nil(t, g.TP)
		require.Empty(t, g.S)
		require.True(t, g.T.Equal(at), "%v", g.T)
		require.Equal(t, map[string]any{"b": []any{"x"}}, g.J)
		require.False(t, g.NS.Valid)
		require.EqualValues(t, 7, g.U64)
		// The rows found by the stored instant, in another zone.
		c, err := orm.Query[RvVals](db).Where("t = ?", at.In(time.FixedZone("y", 9*3600))).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, c)
		_, err = orm.Query[RvVals](db).UpdateColumns(ctx, map[string]any{"nope": 1})
		require.Error(t, err)
		require.Contains(t, err.Error(), "nope")
	})
}

// RwDefaults has nothing but generated values.
type RwDefaults struct {
	ID     int64
	Status string `orm:"size:10;default:'new'"`
	Hits   int    `orm:"default:0"`
}

func TestAdvAllDefaultsInsert(t *testing.T) {
	eachDB(t, []any{&RwDefaults{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		// Every column left to the database.
		v := RwDefaults{}
		require.NoError(t, db.Insert(ctx, &v))
		require.NotZero(t, v.ID)
		vs := []RwDefaults{{}, {}, {}}
		require.NoError(t, db.Insert(ctx, vs))
		for _, r := range vs {
			require.NotZero(t, r.ID)
		}
		require.NotEqual(t, vs[0].ID, vs[1].ID)
		all, err := orm.Query[RwDefaults](db).OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 4)
		for _, r := range all {
			require.Equal(t, "new", r.Status)
		}
	})
}

type rwReport struct {
	Name  string
	Title string
	Total int64
}

func TestAdvNullIntoValueField(t *testing.T) {
	eachDB(t, []any{&RvAuthor{}, &RvBook{}, &RvTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, &RvAuthor{Name: "ann"}))
		// A LEFT JOIN with no match and an aggregate of nothing give
		// NULLs; GORM scans them as zero values into value fields.
		var out []rwReport
		err := db.Select(ctx, &out, `SELECT a.name, b.title, SUM(b.id) AS total
			FROM rv_author a LEFT JOIN rv_book b ON b.rv_author_id = a.id GROUP BY a.name, b.title`)
		require.NoError(t, err)
		require.Equal(t, []rwReport{{Name: "ann"}}, out)
	})
}

func TestAdvUpdateExpr(t *testing.T) {
	eachDB(t, []any{&RvComp{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvComp{{Tenant: 1, Code: "a", Hits: 5}, {Tenant: 1, Code: "b", Hits: 7}}))
		// A counter computed by the database from the row (gorm.Expr).
		n, err := orm.Query[RvComp](db).Where("tenant = ?", 1).
			UpdateColumns(ctx, map[string]any{"Hits": orm.Expr("hits + ?", 10), "name": orm.Expr("code")})
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
		all, err := orm.Query[RvComp](db).OrderBy("code").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []RvComp{{Tenant: 1, Code: "a", Name: "a", Hits: 15}, {Tenant: 1, Code: "b", Name: "b", Hits: 17}}, all)
		// With Limit (the keys-in path) and a list argument.
		n, err = orm.Query[RvComp](db).OrderBy("code DESC").Limit(1).
			UpdateColumns(ctx, map[string]any{"hits": orm.Expr("CASE WHEN code IN (?) THEN 0 ELSE hits END", []string{"a", "b"})})
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		all, err = orm.Query[RvComp](db).OrderBy("code").All(ctx)
		require.NoError(t, err)
		require.Equal(t, 15, all[0].Hits)
		require.Equal(t, 0, all[1].Hits)
	})
}

func TestAdvPluck(t *testing.T) {
	eachDB(t, []any{&RvVals{}, &RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		t1 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
		require.NoError(t, db.Insert(ctx, []RvVals{
			{S: "b", T: t1, Note: refOf("x"), J: map[string]any{"k": 1.0}},
			{S: "a", T: t1.Add(time.Hour)},
			{S: "b", T: t1.Add(2 * time.Hour)},
		}))
		names, err := orm.Pluck[string](ctx, orm.Query[RvVals](db).OrderBy("s", "id"), "S")
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b", "b"}, names)
		names, err = orm.Pluck[string](ctx, orm.Query[RvVals](db).Distinct().OrderBy("s"), "s")
		require.NoError(t, err)
		require.Equal(t, []string{"a", "b"}, names)
		times, err := orm.Pluck[time.Time](ctx, orm.Query[RvVals](db).Where("s = ?", "b").OrderBy("id"), "t")
		require.NoError(t, err)
		require.Len(t, times, 2)
		require.True(t, times[0].Equal(t1))
		require.Equal(t, time.UTC, times[0].Location())
		notes, err := orm.Pluck[*string](ctx, orm.Query[RvVals](db).OrderBy("id"), "Note")
		require.NoError(t, err)
		require.Equal(t, []*string{refOf("x"), nil, nil}, notes)
		docs, err := orm.Pluck[map[string]any](ctx, orm.Query[RvVals](db).OrderBy("id").Limit(1), "J")
		require.NoError(t, err)
		require.Equal(t, []map[string]any{{"k": 1.0}}, docs)
		ids, err := orm.Pluck[int64](ctx, orm.Query[RvVals](db).Where("id < ?", 0), "id")
		require.NoError(t, err)
		require.NotNil(t, ids)
		require.Empty(t, ids)
		_, err = orm.Pluck[string](ctx, orm.Query[RvVals](db), "nope")
		require.Error(t, err)
		// Soft-deleted rows are left out, as by every query.
		require.NoError(t, db.Insert(ctx, []RvSoft{{Name: "live"}, {Name: "gone"}}))
		_, err = orm.Query[RvSoft](db).Where("name = ?", "gone").Delete(ctx)
		require.NoError(t, err)
		live, err := orm.Pluck[string](ctx, orm.Query[RvSoft](db), "name")
		require.NoError(t, err)
		require.Equal(t, []string{"live"}, live)
	})
}

func TestAdvUpsertDoNothingBulk(t *testing.T) {
	eachDB(t, []any{&RvUniq{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		old := RvUniq{A: 1, B: "b", Name: "old"}
		require.NoError(t, db.Insert(ctx, &old))
		rows := []RvUniq{{A: 2, B: "b", Name: "new1"}, {A: 1, B: "b", Name: "dup"}, {A: 3, B: "b", Name: "new2"}}
		require.NoError(t, db.Upsert(ctx, rows, orm.OnConflict("a", "b").DoNothing()))
		require.NotZero(t, rows[0].ID)
		require.NotZero(t, rows[2].ID)
		require.NotEqual(t, rows[0].ID, rows[2].ID)
		if rows[1].ID != 0 {
			require.Equal(t, old.ID, rows[1].ID, "a conflicting row reports the existing key or none")
		}
		for _, r := range []RvUniq{rows[0], rows[2]} {
			var g RvUniq
			require.NoError(t, db.Get(ctx, &g, r.ID))
			require.Equal(t, r.Name, g.Name)
		}
		var g RvUniq
		require.NoError(t, db.Get(ctx, &g, old.ID))
		require.Equal(t, "old", g.Name)
		require.EqualValues(t, 3, count[RvUniq](t, db))
	})
}

func TestAdvIterWrite(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvSoft{{Name: "a"}, {Name: "b"}, {Name: "c"}}))
		// Writing each row while iterating (GORM's Rows loop). On
		// PostgreSQL and MySQL, through the pool (the write takes another
		// connection). SQLite refuses a write on another connection while
		// a read is open on the table (an in-memory database fails with
		// "database table is locked", a file without WAL waits): there,
		// in a transaction, reads and writes share its connection.
		each := func(h orm.Handle) error {
			return orm.Query[RvSoft](h).OrderBy("id").Each(ctx, func(r *RvSoft) error {
				r.Name += "!"
				return h.(interface {
					Update(context.Context, any, ...string) error
				}).Update(ctx, r, "name")
			})
		}
		var err error
		if db.Dialect().Name() == "sqlite" {
			err = db.Transaction(ctx, func(tx *orm.Session) error { return each(tx) })
		} else {
			err = each(db)
		}
		require.NoError(t, err)
		names, err := orm.Pluck[string](ctx, orm.Query[RvSoft](db).OrderBy("id"), "name")
		require.NoError(t, err)
		require.Equal(t, []string{"a!", "b!", "c!"}, names)
	})
}

func TestAdvTxCancelled(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		err := db.Transaction(ctx, func(tx *orm.Session) error {
			if err := tx.Insert(ctx, &RvSoft{Name: "x"}); err != nil {
				return err
			}
			cancel()
			return tx.Insert(ctx, &RvSoft{Name: "y"})
		})
		require.ErrorIs(t, err, context.Canceled)
		require.NotContains(t, err.Error(), "rollback", "the rollback database/sql already did is no second error")
		require.Zero(t, count[RvSoft](t, db))
		require.Eventually(t, func() bool { return db.DB().Stats().InUse == 0 }, time.Second, 10*time.Millisecond)
	})
}

func TestAdvSelectMaps(t *testing.T) {
	eachDB(t, []any{&RvVals{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
		require.NoError(t, db.Insert(ctx, []RvVals{{S: "a", T: at, Note: refOf("n")}, {S: "b", T: at}}))
		// GORM's Find into maps: one entry per column.
		var rows []map[string]any
		require.NoError(t, db.Select(ctx, &rows, "SELECT s, note, t, u64 + 1 AS n FROM rv_vals ORDER BY s"))
		require.Len(t, rows, 2)
		require.Equal(t, "a", rows[0]["s"])
		require.Equal(t, "n", rows[0]["note"])
		require.Nil(t, rows[1]["note"])
		require.Contains(t, rows[0], "n")
		require.EqualValues(t, 1, rows[0]["n"])
		if tt, ok := rows[0]["t"].(time.Time); ok {
			require.True(t, tt.Equal(at))
			require.Equal(t, time.UTC, tt.Location())
		}
		one := map[string]any{}
		require.NoError(t, db.Select(ctx, &one, "SELECT COUNT(*) AS c FROM rv_vals"))
		require.EqualValues(t, 2, one["c"])
		var none []map[string]any
		require.NoError(t, db.Select(ctx, &none, "SELECT s FROM rv_vals WHERE id < 0"))
		require.NotNil(t, none)
		require.Empty(t, none)
	})
}

func TestAdvSliceWritesAtomic(t *testing.T) {
	eachDB(t, []any{&RvSoft{}, &RvUniq{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		rows := []RvSoft{{Name: "a"}, {Name: "b"}}
		require.NoError(t, db.Insert(ctx, rows))
		missing := RvSoft{ID: 9999, Name: "m"}

		// Update of a slice with a missing row: nothing is written.
		rows[0].Name = "a2"
		err := db.Update(ctx, []*RvSoft{&rows[0], &missing})
		require.ErrorIs(t, err, orm.ErrNotFound)
		var g RvSoft
		require.NoError(t, db.Get(ctx, &g, rows[0].ID))
		require.Equal(t, "a", g.Name)

		// Soft delete of a slice with a missing row: nothing is deleted,
		// and the DeletedAt fields are as they were.
		err = db.Delete(ctx, []*RvSoft{&rows[0], &missing})
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.Nil(t, rows[0].DeletedAt)
		require.Nil(t, missing.DeletedAt)
		require.NoError(t, db.Get(ctx, &g, rows[0].ID))

		// Hard delete of a slice with a missing row: nothing is deleted.
		err = db.HardDelete(ctx, []*RvSoft{&rows[1], &missing})
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.EqualValues(t, 2, count[RvSoft](t, db))

		// Insert of a slice whose last row is a duplicate, over several
		// statements (rows inserting different columns): none is kept.
		require.NoError(t, db.Insert(ctx, &RvUniq{A: 1, B: "x"}))
		us := []RvUniq{{A: 2, B: "x"}, {ID: 500, A: 3, B: "x"}, {A: 1, B: "x"}}
		err = db.Insert(ctx, us)
		require.ErrorIs(t, err, orm.ErrUniqueViolation)
		require.EqualValues(t, 1, count[RvUniq](t, db))
	})
}

func TestAdvUpsertUnchanged(t *testing.T) {
	eachDB(t, []any{&RvUniq{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		u := RvUniq{A: 1, B: "b", Name: "same"}
		require.NoError(t, db.Insert(ctx, &u))
		// An upsert that finds the row with the values it proposes still
		// reports the existing key, as when it changes the row.
		u2 := RvUniq{A: 1, B: "b", Name: "same"}
		require.NoError(t, db.Upsert(ctx, &u2, orm.OnConflict("a", "b").DoUpdate("name")))
		require.Equal(t, u.ID, u2.ID)
		us := []RvUniq{{A: 1, B: "b", Name: "same"}, {A: 2, B: "b", Name: "new"}}
		require.NoError(t, db.Upsert(ctx, us, orm.OnConflict("a", "b").DoUpdate("name")))
		require.Equal(t, u.ID, us[0].ID)
		require.NotZero(t, us[1].ID)
		require.EqualValues(t, 2, count[RvUniq](t, db))
	})
}

func TestAdvDateColumnZone(t *testing.T) {
	eachDB(t, []any{&RvEnumRow{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		// A date is the calendar day of the value, whatever its zone:
		// midnight in Paris on 1 March is 1 March, not 29 February (UTC).
		paris := time.FixedZone("paris", 3600)
		ny := time.FixedZone("ny", -5*3600)
		for _, day := range []time.Time{
			time.Date(2024, 3, 1, 0, 0, 0, 0, paris),
			time.Date(2024, 3, 1, 23, 30, 0, 0, ny),
			time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC),
		} {
			v := RvEnumRow{Color: "red", Day: day}
			require.NoError(t, db.Insert(ctx, &v))
			var g RvEnumRow
			require.NoError(t, db.Get(ctx, &g, v.ID))
			require.Equal(t, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), g.Day, "stored %v", day)
			n, err := orm.Query[RvEnumRow](db).Where("id = ? AND day = ?", v.ID, g.Day).Count(ctx)
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
		}
	})
}

type RwPtrPtr struct {
	ID int64
	PP **int
}

type RwUnmapped struct {
	ID  int64
	Tag []string // not a column type, and no json tag
}

func TestAdvUnmappableFields(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		for _, v := range []any{&RwPtrPtr{}, &RwUnmapped{}} {
			err := db.Insert(ctx, v)
			require.ErrorIs(t, err, orm.ErrInvalidModel)
			require.True(t, strings.HasPrefix(err.Error(), "orm: "), err.Error())
			name := map[bool]string{true: "PP", false: "Tag"}[strings.Contains(fmt.Sprintf("%T", v), "PtrPtr")]
			require.Contains(t, err.Error(), "field "+name)
		}
		// Scanning a result column the struct does not have: an error
		// naming the column (sqlx's rule; GORM ignores it).
		_, err := db.Exec(ctx, "CREATE TABLE rw_extra (id integer PRIMARY KEY, name varchar(20), extra integer)")
		require.NoError(t, err)
		_, err = db.Exec(ctx, "INSERT INTO rw_extra (id, name, extra) VALUES (1, 'a', 2)")
		require.NoError(t, err)
		var out []struct {
			ID   int64
			Name string
		}
		// An anonymous struct as the destination (sqlx and GORM accept it).
		require.NoError(t, db.Select(ctx, &out, "SELECT id, name FROM rw_extra"))
		require.Len(t, out, 1)
		require.Equal(t, "a", out[0].Name)
		err = db.Select(ctx, &out, "SELECT * FROM rw_extra")
		require.Error(t, err)
		require.Contains(t, err.Error(), `"extra"`)
	})
}

func TestAdvConstraintErrorFields(t *testing.T) {
	eachDB(t, []any{&RvUniq{}, &RvAuthor{}, &RvBook{}, &RvTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, &RvUniq{A: 1, B: "b"}))
		var ce *orm.ConstraintError

		// A composite unique: the table and its columns on every driver.
		err := db.Insert(ctx, &RvUniq{A: 1, B: "b"})
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "rv_uniq", ce.Table, err.Error())
		require.ElementsMatch(t, []string{"a", "b"}, ce.Columns, err.Error())
		require.Contains(t, err.Error(), "rv_uniq")

		// The same through Update.
		other := RvUniq{A: 2, B: "b"}
		require.NoError(t, db.Insert(ctx, &other))
		other.A = 1
		err = db.Update(ctx, &other)
		require.ErrorAs(t, err, &ce)
		require.Equal(t, "rv_uniq", ce.Table, err.Error())
		require.ElementsMatch(t, []string{"a", "b"}, ce.Columns, err.Error())

		// A foreign key an insert violates is the inserted table's.
		err = db.Insert(ctx, &RvBook{Title: "t", RvAuthorID: refOf(int64(777))})
		require.ErrorAs(t, err, &ce)
		require.ErrorIs(t, err, orm.ErrForeignKeyViolation)
		require.Equal(t, "rv_book", ce.Table, err.Error())

		// One a delete violates is not the deleted table's.
		a := RvAuthor{Name: "a", Books: []*RvBook{{Title: "b"}}}
		require.NoError(t, db.Insert(ctx, &a))
		err = db.Delete(ctx, &a)
		require.ErrorAs(t, err, &ce)
		require.ErrorIs(t, err, orm.ErrForeignKeyViolation)
		require.NotEqual(t, "rv_author", ce.Table, err.Error())
	})
}

func TestAdvBlankConditions(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvSoft{{Name: "a"}, {Name: "b"}}))
		// Conditions and order built from optional parts: blank ones are
		// ignored (as GORM ignores them), not rendered as "WHERE ()".
		nameCond, orderTerm := "", ""
		all, err := orm.Query[RvSoft](db).Where(nameCond).Or(" ").OrderBy(orderTerm, "id").All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)
		n, err := orm.Query[RvSoft](db).Where("name = ?", "a").Or("").Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		f, err := orm.Query[RvSoft](db).OrderBy("").First(ctx)
		require.NoError(t, err)
		require.Equal(t, "a", f.Name)
	})
}
