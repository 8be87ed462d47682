package orm_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/mixins"
)

// Edge cases a demanding GORM/SQLAlchemy user tries first, on every
// dialect.

type RvBase struct {
	ID   int64  `orm:"pk"`
	Kind string `orm:"size:20"`
}

// RvPtrEmbed embeds its key through a pointer.
type RvPtrEmbed struct {
	*RvBase
	Name string `orm:"size:20"`
}

// RvOrder has a keyword for a table name and keyword columns.
type RvOrder struct {
	ID    int64
	Order int    `db:"order"`
	Group string `db:"group" orm:"size:20"`
	User  string `db:"user" orm:"size:20"`
	Right string `orm:"size:20"`
}

func (RvOrder) TableName() string { return "order" }

type RvNoPK struct {
	A int64
	B string `orm:"size:20"`
}

type RvVals struct {
	ID    int64
	S     string         `orm:"size:255"`
	NS    sql.NullString `orm:"size:20"`
	T     time.Time
	TP    *time.Time
	J     map[string]any `orm:"json"`
	U64   uint64
	Text  string `orm:"type:text"`
	Note  *string
	Small int8
}

type RvSoft struct {
	ID   int64
	Name string `orm:"size:20"`
	mixins.SoftDelete
}

type RvComp struct {
	Tenant int64  `orm:"pk;autoincrement:false"`
	Code   string `orm:"pk;size:20"`
	Name   string `orm:"size:20"`
	Hits   int
}

type RvUniq struct {
	ID   int64
	A    int64  `orm:"unique:rv_uniq_ab"`
	B    string `orm:"size:20;unique:rv_uniq_ab"`
	Name string `orm:"size:20"`
}

func TestReviewEmbeddedPointer(t *testing.T) {
	eachDB(t, []any{&RvPtrEmbed{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvPtrEmbed{RvBase: &RvBase{Kind: "k"}, Name: "a"}
		require.NoError(t, db.Insert(ctx, &v))
		require.NotZero(t, v.ID)
		var g RvPtrEmbed
		require.NoError(t, db.Get(ctx, &g, v.ID))
		require.NotNil(t, g.RvBase)
		require.Equal(t, "k", g.Kind)
		require.Equal(t, "a", g.Name)
		all, err := orm.Query[RvPtrEmbed](db).All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.Equal(t, "k", all[0].Kind)
		// Insert with a nil embedded pointer: the zero key is generated.
		w := RvPtrEmbed{Name: "b"}
		require.NoError(t, db.Insert(ctx, &w))
		require.NotNil(t, w.RvBase)
		require.NotZero(t, w.ID)
		// Slices of them.
		ws := []RvPtrEmbed{{Name: "c"}, {RvBase: &RvBase{Kind: "x"}, Name: "d"}}
		require.NoError(t, db.Insert(ctx, ws))
		require.NotZero(t, ws[0].ID)
		require.NotZero(t, ws[1].ID)
	})
}

func TestReviewKeywords(t *testing.T) {
	eachDB(t, []any{&RvOrder{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		o := RvOrder{Order: 3, Group: "g", User: "u", Right: "r"}
		require.NoError(t, db.Insert(ctx, &o))
		o.Order = 4
		require.NoError(t, db.Update(ctx, &o))
		require.NoError(t, db.Update(ctx, &o, "Group", "user"))
		var g RvOrder
		require.NoError(t, db.Get(ctx, &g, o.ID))
		require.Equal(t, o, g)
		all, err := orm.Query[RvOrder](db).OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []RvOrder{o}, all)
		n, err := orm.Query[RvOrder](db).WhereIn("Order", []int{4}).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		require.NoError(t, db.Upsert(ctx, &o, orm.OnConflict("id").DoUpdate("group")))
		require.NoError(t, db.Delete(ctx, &o))
	})
}

func TestReviewNoPrimaryKey(t *testing.T) {
	eachDB(t, []any{&RvNoPK{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvNoPK{A: 1, B: "x"}
		require.NoError(t, db.Insert(ctx, &v))
		require.NoError(t, db.Insert(ctx, []RvNoPK{{A: 2}, {A: 3}}))
		for name, err := range map[string]error{
			"get":    db.Get(ctx, &v, 1),
			"update": db.Update(ctx, &v),
			"delete": db.Delete(ctx, &v),
		} {
			require.ErrorIs(t, err, orm.ErrNoPrimaryKey, name)
			require.True(t, strings.HasPrefix(err.Error(), "orm: "), err.Error())
			require.Contains(t, err.Error(), "rv_no_pk", name)
		}
		n, err := orm.Query[RvNoPK](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
		f, err := orm.Query[RvNoPK](db).First(ctx)
		require.NoError(t, err)
		require.NotNil(t, f)
	})
}

func TestReviewValues(t *testing.T) {
	eachDB(t, []any{&RvVals{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		cases := []struct {
			name string
			v    RvVals
		}{
			{"zero", RvVals{}},
			{"unicode", RvVals{S: "héllo wörld ✓ 日本語 🎉", Text: strings.Repeat("ü🎉", 10000)}},
			{"null string empty", RvVals{NS: sql.NullString{Valid: true}}},
			{"null string value", RvVals{NS: sql.NullString{String: "x", Valid: true}}},
			{"json quotes", RvVals{J: map[string]any{"q": `he said "hi" \ 'x'`, "n": 1.5}}},
			{"times", RvVals{T: time.Date(2024, 2, 29, 23, 59, 59, 123456000, time.UTC), TP: refOf(time.Date(1999, 12, 31, 1, 2, 3, 0, time.FixedZone("x", 3600)))}},
			{"uint64 max int64", RvVals{U64: math.MaxInt64}},
			{"int8 min", RvVals{Small: math.MinInt8}},
			{"empty note", RvVals{Note: refOf("")}},
		}
		for _, c := range cases {
			v := c.v
			require.NoError(t, db.Insert(ctx, &v), c.name)
			var g RvVals
			require.NoError(t, db.Get(ctx, &g, v.ID), c.name)
			require.Equal(t, v.S, g.S, c.name)
			require.Equal(t, v.NS, g.NS, c.name)
			require.True(t, v.T.Equal(g.T), "%s: %v vs %v", c.name, v.T, g.T)
			if v.TP == nil {
				require.Nil(t, g.TP, c.name)
			} else {
				require.True(t, v.TP.Equal(*g.TP), c.name)
			}
			if v.J == nil {
				require.Nil(t, g.J, c.name)
			} else {
				require.Equal(t, v.J, g.J, c.name)
			}
			require.Equal(t, v.U64, g.U64, c.name)
			require.Equal(t, v.Text, g.Text, c.name)
			require.Equal(t, v.Note, g.Note, c.name)
			require.Equal(t, v.Small, g.Small, c.name)
		}
	})
}

func TestReviewUint64Overflow(t *testing.T) {
	eachDB(t, []any{&RvVals{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvVals{U64: math.MaxUint64}
		err := db.Insert(ctx, &v)
		if err == nil {
			// Accepted (MySQL bigint unsigned): it must read back equal.
			var g RvVals
			require.NoError(t, db.Get(ctx, &g, v.ID))
			require.Equal(t, v.U64, g.U64)
			return
		}
		require.True(t, strings.HasPrefix(err.Error(), "orm: "), err.Error())
		require.Contains(t, err.Error(), "rv_vals")
	})
}

func TestReviewLongString(t *testing.T) {
	eachDB(t, []any{&RvVals{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvVals{S: strings.Repeat("x", 300)}
		err := db.Insert(ctx, &v)
		if db.Dialect().Name() == "sqlite" {
			require.NoError(t, err) // SQLite does not enforce varchar lengths
			return
		}
		require.Error(t, err)
		require.True(t, strings.HasPrefix(err.Error(), "orm: insert rv_vals"), err.Error())
	})
}

func TestReviewQueryEdges(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		rows := []RvSoft{{Name: "a"}, {Name: "b"}, {Name: "b"}, {Name: "c"}}
		require.NoError(t, db.Insert(ctx, rows))

		all, err := orm.Query[RvSoft](db).Limit(0).All(ctx)
		require.NoError(t, err)
		require.Empty(t, all, "Limit(0)")

		all, err = orm.Query[RvSoft](db).OrderBy("id").Offset(2).All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2, "Offset without Limit")
		require.Equal(t, "b", all[0].Name)

		f, err := orm.Query[RvSoft](db).OrderBy("id DESC").First(ctx)
		require.NoError(t, err)
		require.Equal(t, "c", f.Name)

		n, err := orm.Query[RvSoft](db).GroupBy("name").Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n, "Count with GroupBy counts groups")

		n, err = orm.Query[RvSoft](db).Limit(0).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 0, n)

		n, err = orm.Query[RvSoft](db).Offset(3).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)

		n, err = orm.Query[RvSoft](db).Select("name").Distinct().Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)

		// Select a subset, then Update the columns named: the others stay.
		p, err := orm.Query[RvSoft](db).Select("id").Where("name = ?", "a").First(ctx)
		require.NoError(t, err)
		require.Empty(t, p.Name)
		p.Name = "a2"
		require.NoError(t, db.Update(ctx, p, "name"))

		// ? inside a quoted string stays.
		all, err = orm.Query[RvSoft](db).Where("name <> '?' AND name = ?", "a2").All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)

		// Iter with an early break leaks no connection.
		for range orm.Query[RvSoft](db).Iter(ctx) {
			break
		}
		require.Zero(t, db.DB().Stats().InUse)

		// Delete on a soft model without Where is soft.
		n, err = orm.Query[RvSoft](db).Delete(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 4, n)
		require.EqualValues(t, 4, count[RvSoft](t, db))
		// Update of a soft-deleted row: not found.
		err = db.Update(ctx, &rows[1])
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.ErrorIs(t, err, sql.ErrNoRows)
		// Delete of a soft-deleted row: not found.
		require.ErrorIs(t, db.Delete(ctx, &rows[1]), orm.ErrNotFound)
		// Hard delete works on it.
		require.NoError(t, db.HardDelete(ctx, &rows[1]))
		require.EqualValues(t, 3, count[RvSoft](t, db))
	})
}

func TestReviewQueryDeleteLimit(t *testing.T) {
	eachDB(t, []any{&RvComp{}, &RvSoft{}, &RvNoPK{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvComp{{Tenant: 1, Code: "a"}, {Tenant: 1, Code: "b"}, {Tenant: 2, Code: "c"}}))
		// Limit and Offset choose the rows UpdateColumns and Delete change.
		n, err := orm.Query[RvComp](db).OrderBy("code DESC").Limit(1).UpdateColumns(ctx, map[string]any{"name": "x"})
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		x, err := orm.Query[RvComp](db).Where("name = ?", "x").One(ctx)
		require.NoError(t, err)
		require.Equal(t, "c", x.Code)
		n, err = orm.Query[RvComp](db).OrderBy("code").Offset(1).Limit(1).Delete(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n, "Offset(1).Limit(1).Delete deletes one row")
		left, err := orm.Query[RvComp](db).OrderBy("code").All(ctx)
		require.NoError(t, err)
		require.Len(t, left, 2)
		require.Equal(t, "a", left[0].Code)
		require.Equal(t, "c", left[1].Code)
		// A Join restricts the rows too.
		require.NoError(t, db.Insert(ctx, &RvSoft{Name: "a"}))
		n, err = orm.Query[RvComp](db).Join("JOIN rv_soft s ON s.name = rv_comp.code").Where("s.id > ?", 0).Delete(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		require.EqualValues(t, 1, count[RvComp](t, db))

		// On a soft-delete model, Limit(1).Delete soft-deletes one row.
		require.NoError(t, db.Insert(ctx, []RvSoft{{Name: "s1"}, {Name: "s2"}}))
		n, err = orm.Query[RvSoft](db).Limit(1).Delete(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		live, err := orm.Query[RvSoft](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, live)
		require.EqualValues(t, 3, count[RvSoft](t, db))

		// Without a primary key: an error, nothing deleted.
		require.NoError(t, db.Insert(ctx, []RvNoPK{{A: 1}, {A: 2}}))
		_, err = orm.Query[RvNoPK](db).Limit(1).Delete(ctx)
		require.ErrorIs(t, err, orm.ErrNoPrimaryKey)
		require.EqualValues(t, 2, count[RvNoPK](t, db))
	})
}

func TestReviewCompositeAndUpsert(t *testing.T) {
	eachDB(t, []any{&RvComp{}, &RvUniq{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		c := RvComp{Tenant: 1, Code: "a", Name: "x"}
		require.NoError(t, db.Insert(ctx, &c))
		var g RvComp
		require.NoError(t, db.Get(ctx, &g, int64(1), "a"))
		require.Equal(t, c, g)
		require.ErrorIs(t, db.Insert(ctx, &c), orm.ErrUniqueViolation)
		c.Hits = 5
		require.NoError(t, db.Upsert(ctx, &c, nil))
		require.NoError(t, db.Get(ctx, &g, int64(1), "a"))
		require.Equal(t, 5, g.Hits)

		u := RvUniq{A: 1, B: "b", Name: "first"}
		require.NoError(t, db.Insert(ctx, &u))
		u2 := RvUniq{A: 1, B: "b", Name: "second"}
		require.NoError(t, db.Upsert(ctx, &u2, orm.OnConflict("a", "b").DoUpdate("name")))
		require.Equal(t, u.ID, u2.ID, "upsert on a composite unique fills the existing key")
		var gu RvUniq
		require.NoError(t, db.Get(ctx, &gu, u.ID))
		require.Equal(t, "second", gu.Name)
		us := []RvUniq{{A: 1, B: "b", Name: "third"}, {A: 2, B: "b", Name: "new"}}
		require.NoError(t, db.Upsert(ctx, us, orm.OnConflict("a", "b").DoUpdate("name")))
		require.Equal(t, u.ID, us[0].ID)
		require.NotZero(t, us[1].ID)
		require.NotEqual(t, u.ID, us[1].ID)
		require.EqualValues(t, 2, count[RvUniq](t, db))
	})
}

func TestReviewInsertMixedKeys(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvSoft{}))
		rows := []RvSoft{{Name: "a"}, {ID: 1000, Name: "b"}, {Name: "c"}, {ID: 2000, Name: "d"}}
		require.NoError(t, db.Insert(ctx, rows))
		require.NotZero(t, rows[0].ID)
		require.EqualValues(t, 1000, rows[1].ID)
		require.NotZero(t, rows[2].ID)
		require.EqualValues(t, 2000, rows[3].ID)
		for _, r := range rows {
			var g RvSoft
			require.NoError(t, db.Get(ctx, &g, r.ID))
			require.Equal(t, r.Name, g.Name)
		}
	})
}

func TestReviewTransactions(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Transaction(ctx, func(tx *orm.Session) error {
			require.NoError(t, tx.Insert(ctx, &RvSoft{Name: "l1"}))
			return tx.Transaction(ctx, func(tx *orm.Session) error {
				require.NoError(t, tx.Insert(ctx, &RvSoft{Name: "l2"}))
				err := tx.Transaction(ctx, func(tx *orm.Session) error {
					require.NoError(t, tx.Insert(ctx, &RvSoft{Name: "l3"}))
					return boom
				})
				require.ErrorIs(t, err, boom)
				return tx.Transaction(ctx, func(tx *orm.Session) error {
					return tx.Insert(ctx, &RvSoft{Name: "l3b"})
				})
			})
		})
		require.NoError(t, err)
		names := func() []string {
			all, err := orm.Query[RvSoft](db).OrderBy("id").All(ctx)
			require.NoError(t, err)
			var out []string
			for _, r := range all {
				out = append(out, r.Name)
			}
			return out
		}
		require.Equal(t, []string{"l1", "l2", "l3b"}, names())

		// A panic in a nested transaction rolls everything back.
		require.Panics(t, func() {
			_ = db.Transaction(ctx, func(tx *orm.Session) error {
				require.NoError(t, tx.Insert(ctx, &RvSoft{Name: "p1"}))
				return tx.Transaction(ctx, func(tx *orm.Session) error {
					require.NoError(t, tx.Insert(ctx, &RvSoft{Name: "p2"}))
					panic("inner")
				})
			})
		})
		require.Equal(t, []string{"l1", "l2", "l3b"}, names())
		require.Zero(t, db.DB().Stats().InUse)

		// A cancelled context: an error, nothing runs.
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		err = db.Transaction(cctx, func(tx *orm.Session) error { return tx.Insert(ctx, &RvSoft{Name: "never"}) })
		require.ErrorIs(t, err, context.Canceled)
		require.Equal(t, []string{"l1", "l2", "l3b"}, names())

		// A session used after Rollback: a clear error.
		s, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, s.Rollback())
		_, err = orm.Query[RvSoft](s).All(ctx)
		require.ErrorIs(t, err, sql.ErrTxDone)
		require.True(t, strings.HasPrefix(err.Error(), "orm: "), err.Error())
		err = s.Insert(ctx, &RvSoft{Name: "x"})
		require.ErrorIs(t, err, sql.ErrTxDone)
		require.Zero(t, db.DB().Stats().InUse)
	})
}

func TestReviewIterCancel(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		rows := make([]RvSoft, 500)
		for i := range rows {
			rows[i].Name = "n"
		}
		require.NoError(t, db.Insert(ctx, rows))
		cctx, cancel := context.WithCancel(ctx)
		var n int
		var last error
		for v, err := range orm.Query[RvSoft](db).Iter(cctx) {
			if err != nil {
				last = err
				break
			}
			require.NotNil(t, v)
			n++
			if n == 10 {
				cancel()
			}
		}
		cancel()
		if n < 500 {
			require.ErrorIs(t, last, context.Canceled)
		}
		require.Eventually(t, func() bool { return db.DB().Stats().InUse == 0 }, time.Second, 10*time.Millisecond)
		c, err := orm.Query[RvSoft](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 500, c)
	})
}

func TestReviewConcurrentInserts(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 16*10)
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					errs <- db.Insert(ctx, &RvSoft{Name: "c"})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.EqualValues(t, 160, count[RvSoft](t, db))
	})
}

func TestReviewJSONString(t *testing.T) {
	type RvJS struct {
		ID int64
		S  string   `orm:"json"`
		L  []string `orm:"json"`
	}
	eachDB(t, []any{&RvJS{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvJS{S: `a "quoted" \ string`, L: []string{`"`, `'`, ""}}
		require.NoError(t, db.Insert(ctx, &v))
		var g RvJS
		require.NoError(t, db.Get(ctx, &g, v.ID))
		require.Equal(t, v, g)
		b, _ := json.Marshal(v.S)
		_ = b
	})
}

func TestReviewQueryDeleteGroupBy(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvSoft{{Name: "a"}, {Name: "a"}}))
		_, err := orm.Query[RvSoft](db).WithDeleted().GroupBy("name").Delete(ctx)
		require.ErrorContains(t, err, "orm: delete rv_soft: GroupBy")
		require.EqualValues(t, 2, count[RvSoft](t, db))
	})
}

type RvAuthor struct {
	ID    int64
	Name  string    `orm:"size:20"`
	Books []*RvBook `orm:"has_many;on_delete:restrict"`
	Tags  []*RvTag  `orm:"many_to_many:rv_author_tag"`
}

type RvBook struct {
	ID         int64
	Title      string `orm:"size:20"`
	RvAuthorID *int64
	Author     *RvAuthor `orm:"belongs_to;foreign_key:RvAuthorID"`
}

type RvTag struct {
	ID   int64
	Name string `orm:"size:20"`
}

func TestReviewRelations(t *testing.T) {
	eachDB(t, []any{&RvAuthor{}, &RvBook{}, &RvTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		// Preload on an empty result.
		as, err := orm.Query[RvAuthor](db).Preload("Books").Preload("Tags").All(ctx)
		require.NoError(t, err)
		require.Empty(t, as)
		// A NULL foreign key: no parent, no error.
		orphan := RvBook{Title: "orphan"}
		require.NoError(t, db.Insert(ctx, &orphan))
		bs, err := orm.Query[RvBook](db).Preload("Author").All(ctx)
		require.NoError(t, err)
		require.Len(t, bs, 1)
		require.Nil(t, bs[0].Author)
		bs, err = orm.Query[RvBook](db).Preload("Author", func(p *orm.PreloadQuery) { p.Joined() }).All(ctx)
		require.NoError(t, err)
		require.Len(t, bs, 1)
		require.Nil(t, bs[0].Author)
		n, err := orm.Query[RvBook](db).Preload("Author", func(p *orm.PreloadQuery) { p.Joined() }).Limit(5).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)

		a := RvAuthor{Name: "ann", Books: []*RvBook{{Title: "b1"}}}
		require.NoError(t, db.Insert(ctx, &a))
		tag := RvTag{Name: "t"}
		as2 := db.Association(&a, "Tags")
		require.NoError(t, as2.Append(ctx, &tag))
		require.NoError(t, as2.Append(ctx, &tag))
		c, err := as2.Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, c)
		require.Len(t, a.Tags, 1, "appending the same target twice keeps one")

		// RESTRICT: the parent cannot go while it has children.
		err = db.Delete(ctx, &a)
		require.ErrorIs(t, err, orm.ErrForeignKeyViolation)
		require.ErrorIs(t, err, orm.ErrConstraint)
		require.True(t, strings.HasPrefix(err.Error(), "orm: delete rv_author"), err.Error())
		_, err = orm.Query[RvAuthor](db).Where("id = ?", a.ID).Delete(ctx)
		require.ErrorIs(t, err, orm.ErrForeignKeyViolation)

		// WhereHas with Or.
		b := RvAuthor{Name: "bob"}
		require.NoError(t, db.Insert(ctx, &b))
		got, err := orm.Query[RvAuthor](db).WhereHas("Books", "title = ?", "b1").Or("name = ?", "bob").OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Len(t, got, 2)
		got, err = orm.Query[RvAuthor](db).Where("name = ?", "bob").Or("name = ?", "zed").WhereHas("Books", "").All(ctx)
		require.NoError(t, err)
		require.Empty(t, got)
	})
}

func TestReviewPlaceholders(t *testing.T) {
	type RvQm struct {
		ID   int64
		Odd  string         `db:"we?ird" orm:"size:20"`
		Data map[string]any `orm:"json"`
	}
	eachDB(t, []any{&RvQm{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvQm{Odd: "x", Data: map[string]any{"k": 1.0}}
		require.NoError(t, db.Insert(ctx, &v))
		var g RvQm
		require.NoError(t, db.Get(ctx, &g, v.ID))
		require.Equal(t, v, g)
		q := db.Dialect().Quote("we?ird")
		got, err := orm.Query[RvQm](db).Where(q+" = ?", "x").All(ctx)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.NoError(t, db.Update(ctx, &v, "Odd"))
		if db.Dialect().Name() == "postgres" {
			got, err = orm.Query[RvQm](db).Where("data ?? ?", "k").All(ctx)
			require.NoError(t, err)
			require.Len(t, got, 1)
		}
	})
}

func TestReviewConcurrentSQLiteFile(t *testing.T) {
	dbtest.EachWith(t, dbtest.Options{SQLiteFile: true}, func(t *testing.T, tdb *dbtest.DB) {
		// On SQLite, a deferred transaction that reads, then writes,
		// cannot wait for a concurrent writer ("database is locked" at
		// once); orm.Open's DSN defaults make transactions BEGIN
		// IMMEDIATE, which waits its turn.
		db := openTest(t, tdb, nil)
		require.NoError(t, orm.AutoMigrate(db, &RvSoft{}))
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 16*20)
		for g := 0; g < 16; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					errs <- db.Insert(ctx, &RvSoft{Name: "c"})
					// A transaction that reads, then writes.
					errs <- db.Transaction(ctx, func(tx *orm.Session) error {
						n, err := orm.Query[RvSoft](tx).Count(ctx)
						if err != nil {
							return err
						}
						return tx.Insert(ctx, &RvSoft{Name: fmt.Sprint(n)})
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.EqualValues(t, 320, count[RvSoft](t, db))
	})
}

type RvColor string

func (RvColor) EnumValues() []string { return []string{"red", "green", "blue"} }

type RvEnumRow struct {
	ID    int64
	Color RvColor
	Opt   *RvColor
	When  time.Time
	Day   time.Time `orm:"type:date"`
}

func TestReviewEnumAndTimes(t *testing.T) {
	eachDB(t, []any{&RvEnumRow{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvEnumRow{Color: "green", Day: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}
		require.NoError(t, db.Insert(ctx, &v))
		var g RvEnumRow
		require.NoError(t, db.Get(ctx, &g, v.ID))
		require.Equal(t, RvColor("green"), g.Color)
		require.Nil(t, g.Opt)
		require.True(t, g.When.IsZero(), "zero time reads back zero: %v", g.When)
		require.True(t, v.Day.Equal(g.Day), "%v", g.Day)
		v.Opt = refOf(RvColor("blue"))
		require.NoError(t, db.Update(ctx, &v))
		require.NoError(t, db.Get(ctx, &g, v.ID))
		require.Equal(t, RvColor("blue"), *g.Opt)
		got, err := orm.Query[RvEnumRow](db).Where("color = ?", RvColor("green")).All(ctx)
		require.NoError(t, err)
		require.Len(t, got, 1)
		bad := RvEnumRow{Color: "purple"}
		err = db.Insert(ctx, &bad)
		require.Error(t, err)
		require.True(t, strings.HasPrefix(err.Error(), "orm: insert rv_enum_row"), err.Error())
	})
}

type RvText struct {
	ID   int64
	Body string `orm:"type:text;unique"`
}

func TestReviewTextUnique(t *testing.T) {
	eachDB(t, nil, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		err := orm.AutoMigrate(db, &RvText{})
		if err != nil {
			require.True(t, strings.HasPrefix(err.Error(), "orm: "), err.Error())
			require.Contains(t, err.Error(), "rv_text")
			return
		}
		require.NoError(t, db.Insert(ctx, &RvText{Body: "x"}))
		require.ErrorIs(t, db.Insert(ctx, &RvText{Body: "x"}), orm.ErrUniqueViolation)
	})
}

func TestReviewErrorWrapping(t *testing.T) {
	eachDB(t, []any{&RvUniq{}, &RvAuthor{}, &RvBook{}, &RvTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, &RvUniq{A: 1, B: "b"}))
		cases := []struct {
			name string
			err  error
			is   []error
			op   string
		}{
			{"get missing", db.Get(ctx, &RvUniq{}, 999), []error{orm.ErrNotFound, sql.ErrNoRows}, "orm: get rv_uniq"},
			{"first missing", func() error { _, err := orm.Query[RvUniq](db).Where("id = ?", 999).First(ctx); return err }(), []error{orm.ErrNotFound, sql.ErrNoRows}, "orm: query rv_uniq"},
			{"update missing", db.Update(ctx, &RvUniq{ID: 999}), []error{orm.ErrNotFound, sql.ErrNoRows}, "orm: update rv_uniq"},
			{"delete missing", db.Delete(ctx, &RvUniq{ID: 999}), []error{orm.ErrNotFound}, "orm: delete rv_uniq"},
			{"unique", db.Insert(ctx, &RvUniq{A: 1, B: "b"}), []error{orm.ErrUniqueViolation, orm.ErrConstraint}, "orm: insert rv_uniq"},
			{"fk", db.Insert(ctx, &RvBook{RvAuthorID: refOf(int64(12345))}), []error{orm.ErrForeignKeyViolation, orm.ErrConstraint}, "orm: insert rv_book"},
			{"unique in tx", db.Transaction(ctx, func(tx *orm.Session) error {
				return fmt.Errorf("mine: %w", tx.Insert(ctx, &RvUniq{A: 1, B: "b"}))
			}), []error{orm.ErrUniqueViolation}, "mine: orm: insert rv_uniq"},
			{"raw exec unique", func() error {
				_, err := db.Exec(ctx, "INSERT INTO rv_uniq (a, b, name) VALUES (?, ?, ?)", 1, "b", "")
				return err
			}(), []error{orm.ErrUniqueViolation}, "orm: exec"},
			{"raw get missing", db.Get(ctx, &RvUniq{}, 999), []error{sql.ErrNoRows}, "orm: get"},
		}
		for _, c := range cases {
			require.Error(t, c.err, c.name)
			for _, target := range c.is {
				require.ErrorIs(t, c.err, target, c.name)
			}
			require.True(t, strings.HasPrefix(c.err.Error(), c.op), "%s: %s", c.name, c.err)
		}
		var ce *orm.ConstraintError
		require.ErrorAs(t, db.Insert(ctx, &RvUniq{A: 1, B: "b"}), &ce)
		if db.Dialect().Name() != "sqlite" {
			require.NotEmpty(t, ce.Constraint)
		}
	})
}

func TestReviewTimeArgs(t *testing.T) {
	eachDB(t, []any{&RvEnumRow{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		at := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
		v := RvEnumRow{Color: "red", When: at}
		require.NoError(t, db.Insert(ctx, &v))
		paris := time.FixedZone("paris", 2*3600)
		tokyo := time.FixedZone("tokyo", 9*3600)
		ny := time.FixedZone("ny", -4*3600)
		cases := []struct {
			name string
			cond string
			arg  time.Time
			want int
		}{
			{"equal, other zone", "\"when\" = ?", at.In(paris), 1},
			{"before, later zone", "\"when\" < ?", at.Add(time.Hour).In(tokyo), 1},
			{"after, earlier zone", "\"when\" > ?", at.Add(-time.Hour).In(ny), 1},
			{"not after, earlier zone", "\"when\" > ?", at.Add(time.Hour).In(ny), 0},
			{"not before, later zone", "\"when\" < ?", at.Add(-time.Minute).In(tokyo), 0},
		}
		for _, c := range cases {
			cond := strings.ReplaceAll(c.cond, `"when"`, db.Dialect().Quote("when"))
			n, err := orm.Query[RvEnumRow](db).Where(cond, c.arg).Count(ctx)
			require.NoError(t, err, c.name)
			require.EqualValues(t, c.want, n, c.name)
			// Twice: the second run takes the cached statement.
			all, err := orm.Query[RvEnumRow](db).Where(cond, &c.arg).All(ctx)
			require.NoError(t, err, c.name)
			require.Len(t, all, c.want, c.name)
			all, err = orm.Query[RvEnumRow](db).Where(cond, c.arg).All(ctx)
			require.NoError(t, err, c.name)
			require.Len(t, all, c.want, c.name)
			var raw []RvEnumRow
			require.NoError(t, db.Select(ctx, &raw, "SELECT * FROM rv_enum_row WHERE "+cond, c.arg), c.name)
			require.Len(t, raw, c.want, c.name)
		}
	})
}

func TestReviewMoreQueries(t *testing.T) {
	eachDB(t, []any{&RvUniq{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []RvUniq{{A: 1, B: "x", Name: "n"}, {A: 2, B: "y", Name: "n"}, {A: 3, B: "z", Name: "m"}}))
		// An empty list matches nothing.
		n, err := orm.Query[RvUniq](db).Where("id IN (?)", []int64{}).Count(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		n, err = orm.Query[RvUniq](db).Where("a IN (?) AND b IN (?)", []int{1, 2}, []string{"x"}).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		// Distinct names.
		all, err := orm.Query[RvUniq](db).Select("name").Distinct().OrderBy("name").All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 2)
		f, err := orm.Query[RvUniq](db).Select("name").Distinct().OrderBy("name").First(ctx)
		require.NoError(t, err)
		require.Equal(t, "m", f.Name)
		// Upsert DoNothing keeps the row.
		d := RvUniq{A: 1, B: "x", Name: "other"}
		require.NoError(t, db.Upsert(ctx, &d, orm.OnConflict("a", "b").DoNothing()))
		got, err := orm.Query[RvUniq](db).Where("a = ?", 1).One(ctx)
		require.NoError(t, err)
		require.Equal(t, "n", got.Name)
		// Exists with Offset beyond the rows.
		ok, err := orm.Query[RvUniq](db).Offset(5).Exists(ctx)
		require.NoError(t, err)
		require.False(t, ok)
		// Having.
		groups, err := orm.Query[RvUniq](db).GroupBy("name").Having("COUNT(*) > ?", 1).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, groups)
	})
}

func TestReviewOuterDBInTransaction(t *testing.T) {
	eachDB(t, []any{&RvSoft{}}, func(t *testing.T, db *orm.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		done := make(chan error, 1)
		go func() {
			done <- db.Transaction(ctx, func(tx *orm.Session) error {
				if err := tx.Insert(ctx, &RvSoft{Name: "in tx"}); err != nil {
					return err
				}
				// The outer DB, from another connection: it must not
				// hang forever (an error, such as a lock timeout, is fine).
				_, _ = orm.Query[RvSoft](db).Count(ctx)
				return nil
			})
		}()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(25 * time.Second):
			t.Fatal("using the DB inside a transaction hung")
		}
		require.EqualValues(t, 1, count[RvSoft](t, db))
	})
}

type RvBin struct {
	ID   int64
	Data []byte
	Opt  []byte `orm:"null"`
	Raw  json.RawMessage
	Flag bool
	F32  float32
}

func TestReviewBinaryZero(t *testing.T) {
	eachDB(t, []any{&RvBin{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		for _, v := range []RvBin{
			{},
			{Data: []byte{}, Opt: []byte{}, Raw: json.RawMessage(`{"a":"b\"c"}`), Flag: true, F32: 1.5},
			{Data: []byte{0, 1, 2, 255}, Raw: json.RawMessage(`[1,2]`)},
		} {
			require.NoError(t, db.Insert(ctx, &v))
			var g RvBin
			require.NoError(t, db.Get(ctx, &g, v.ID))
			require.Equal(t, len(v.Data), len(g.Data))
			require.Equal(t, v.Opt == nil, g.Opt == nil, "NULL vs empty")
			if v.Raw != nil {
				require.JSONEq(t, string(v.Raw), string(g.Raw))
			}
			require.Equal(t, v.Flag, g.Flag)
			require.Equal(t, v.F32, g.F32)
		}
	})
}

// RvWide has more than 64 columns, its key and a server default last.
type RvWide struct {
	C0     int
	C1     int
	C2     int
	C3     int
	C4     int
	C5     int
	C6     int
	C7     int
	C8     int
	C9     int
	C10    int
	C11    int
	C12    int
	C13    int
	C14    int
	C15    int
	C16    int
	C17    int
	C18    int
	C19    int
	C20    int
	C21    int
	C22    int
	C23    int
	C24    int
	C25    int
	C26    int
	C27    int
	C28    int
	C29    int
	C30    int
	C31    int
	C32    int
	C33    int
	C34    int
	C35    int
	C36    int
	C37    int
	C38    int
	C39    int
	C40    int
	C41    int
	C42    int
	C43    int
	C44    int
	C45    int
	C46    int
	C47    int
	C48    int
	C49    int
	C50    int
	C51    int
	C52    int
	C53    int
	C54    int
	C55    int
	C56    int
	C57    int
	C58    int
	C59    int
	C60    int
	C61    int
	C62    int
	C63    int
	C64    int
	C65    int
	C66    int
	C67    int
	C68    int
	C69    int
	Status string `orm:"size:20;default:'active'"`
	ID     int64
}

func TestReviewWideModel(t *testing.T) {
	eachDB(t, []any{&RvWide{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := RvWide{C0: 1, C69: 69}
		require.NoError(t, db.Insert(ctx, &v))
		require.NotZero(t, v.ID)
		var g RvWide
		require.NoError(t, db.Get(ctx, &g, v.ID))
		require.Equal(t, "active", g.Status)
		require.Equal(t, 69, g.C69)
		vs := []RvWide{{C1: 1}, {C1: 2, Status: "x"}}
		require.NoError(t, db.Insert(ctx, vs))
		require.NotZero(t, vs[0].ID)
		require.NotZero(t, vs[1].ID)
		require.NoError(t, db.Get(ctx, &g, vs[0].ID))
		require.Equal(t, "active", g.Status)
		require.NoError(t, db.Get(ctx, &g, vs[1].ID))
		require.Equal(t, "x", g.Status)
	})
}

func TestReviewDistinctSelectFirst(t *testing.T) {
	eachDB(t, []any{&QPerson{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []QPerson{{Name: "b", City: "oslo"}, {Name: "a", City: "oslo"}, {Name: "c", City: "rome"}}))
		got, err := orm.Query[QPerson](db).Select("City").Distinct().First(ctx)
		require.NoError(t, err)
		require.Equal(t, "oslo", got.City)
		n, err := orm.Query[QPerson](db).Select("City").Distinct().Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
	})
}
