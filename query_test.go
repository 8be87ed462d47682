package orm_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

type QPerson struct {
	ID   int64  `orm:"pk"`
	Name string `orm:"size:50"`
	Age  int
	City string `orm:"size:50"`
}

type QPet struct {
	ID      int64  `orm:"pk"`
	OwnerID int64  `orm:"fk:q_person.id"`
	Name    string `orm:"size:50"`
}

var qPeople = []QPerson{
	{Name: "ann", Age: 31, City: "oslo"},
	{Name: "bob", Age: 45, City: "rome"},
	{Name: "cid", Age: 27, City: "oslo"},
	{Name: "dee", Age: 52, City: "lima"},
	{Name: "eve", Age: 38, City: "rome"},
	{Name: "it's ?", Age: 60, City: "oslo"},
}

func seedPeople(t *testing.T, db *orm.DB) []QPerson {
	t.Helper()
	ps := append([]QPerson(nil), qPeople...)
	require.NoError(t, db.Insert(context.Background(), ps))
	pets := []QPet{{OwnerID: ps[0].ID, Name: "rex"}, {OwnerID: ps[0].ID, Name: "tom"}, {OwnerID: ps[1].ID, Name: "rex"}}
	require.NoError(t, db.Insert(context.Background(), pets))
	return ps
}

func names(ps []QPerson) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestQuery(t *testing.T) {
	eachDB(t, []any{&QPerson{}, &QPet{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		ps := seedPeople(t, db)
		q := func() *orm.Q[QPerson] { return orm.Query[QPerson](db) }

		cases := []struct {
			name string
			q    *orm.Q[QPerson]
			want []string
		}{
			{"all", q().OrderBy("id"), []string{"ann", "bob", "cid", "dee", "eve", "it's ?"}},
			{"where binds", q().Where("age > ? AND city = ?", 30, "oslo").OrderBy("id"), []string{"ann", "it's ?"}},
			{"and", q().Where("age > ?", 30).Where("city = ?", "rome").OrderBy("id"), []string{"bob", "eve"}},
			{"or after and", q().Where("age > ?", 40).Where("city = ?", "rome").Or("name = ?", "cid").OrderBy("id"), []string{"bob", "cid"}},
			{"and after or", q().Where("name = ?", "ann").Or("name = ?", "dee").Where("age > ?", 40).OrderBy("id"), []string{"dee"}},
			{"in slice", q().Where("name IN (?)", []string{"bob", "eve", "zed"}).OrderBy("id"), []string{"bob", "eve"}},
			{"in slice and more", q().Where("id IN (?) AND age < ?", []int64{ps[0].ID, ps[1].ID, ps[2].ID}, 40).OrderBy("id"), []string{"ann", "cid"}},
			{"where in", q().WhereIn("City", []string{"lima", "rome"}).OrderBy("name DESC"), []string{"eve", "dee", "bob"}},
			{"where in empty", q().WhereIn("city", []string{}), nil},
			{"in empty slice", q().Where("name IN (?)", []string(nil)), nil},
			{"order", q().OrderBy("city", "age DESC"), []string{"dee", "it's ?", "ann", "cid", "bob", "eve"}},
			{"limit", q().OrderBy("age").Limit(2), []string{"cid", "ann"}},
			{"limit offset", q().OrderBy("age").Limit(2).Offset(2), []string{"eve", "bob"}},
			{"offset only", q().OrderBy("age").Offset(4), []string{"dee", "it's ?"}},
			{"limit 0", q().Limit(0), nil},
			{"literal question mark", q().Where("name = 'it''s ?' OR age = ?", 27).OrderBy("id"), []string{"cid", "it's ?"}},
			{"literal bind", q().Where("name = ?", "it's ?"), []string{"it's ?"}},
			{"join", q().Join("JOIN q_pet ON q_pet.owner_id = q_person.id").Where("q_pet.name = ?", "rex").OrderBy("q_person.id"), []string{"ann", "bob"}},
			{"join distinct", q().Distinct().Join("JOIN q_pet ON q_pet.owner_id = q_person.id").OrderBy("q_person.name"), []string{"ann", "bob"}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				got, err := c.q.All(ctx)
				require.NoError(t, err)
				require.Equal(t, c.want, names(got))
			})
		}

		// Count, also of a limited or distinct query.
		counts := []struct {
			name string
			q    *orm.Q[QPerson]
			want int64
		}{
			{"all", q(), 6},
			{"where", q().Where("city = ?", "oslo"), 3},
			{"limit", q().OrderBy("id").Limit(2), 2},
			{"offset", q().Offset(5), 1},
			{"distinct", q().Select("city").Distinct(), 3},
			{"group", q().Select("city").GroupBy("city").Having("COUNT(*) > ?", 1), 2},
			{"join", q().Join("JOIN q_pet ON q_pet.owner_id = q_person.id"), 3},
			{"in empty", q().WhereIn("id", []int64{}), 0},
		}
		for _, c := range counts {
			n, err := c.q.Count(ctx)
			require.NoError(t, err, c.name)
			require.Equal(t, c.want, n, c.name)
		}

		ok, err := q().Where("age > ?", 50).Exists(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		ok, err = q().Where("age > ?", 100).Exists(ctx)
		require.NoError(t, err)
		require.False(t, ok)

		// First: by key unless ordered; the query itself is unchanged.
		fq := q().Where("city = ?", "rome")
		first, err := fq.First(ctx)
		require.NoError(t, err)
		require.Equal(t, "bob", first.Name)
		rest, err := fq.All(ctx)
		require.NoError(t, err)
		require.Len(t, rest, 2, "First does not limit the query it is called on")
		first, err = q().OrderBy("age DESC").First(ctx)
		require.NoError(t, err)
		require.Equal(t, "it's ?", first.Name)
		_, err = q().Where("age > ?", 100).First(ctx)
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.ErrorIs(t, err, sql.ErrNoRows)
		require.True(t, strings.HasPrefix(err.Error(), "orm: query q_person: "), err.Error())

		one, err := q().Where("name = ?", "dee").One(ctx)
		require.NoError(t, err)
		require.Equal(t, ps[3], *one)
		_, err = q().Where("name = ?", "zed").One(ctx)
		require.ErrorIs(t, err, orm.ErrNotFound)

		// Select loads only the named columns.
		sel, err := q().Select("Name", "age").Where("name = ?", "bob").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []QPerson{{Name: "bob", Age: 45}}, sel)
		_, err = q().Select("nope").All(ctx)
		require.ErrorContains(t, err, `"nope"`)

		// GroupBy / Having.
		grouped, err := q().Select("city").GroupBy("city").Having("COUNT(*) > ?", 1).OrderBy("city").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []QPerson{{City: "oslo"}, {City: "rome"}}, grouped)

		// Errors carry the operation.
		_, err = q().Where("no_such_column = ?", 1).All(ctx)
		require.Error(t, err)
		require.True(t, strings.HasPrefix(err.Error(), "orm: query q_person: "), err.Error())
		_, err = q().Where("a = ? AND b = ?", 1).All(ctx)
		require.Error(t, err, "too few arguments")
	})
}

func TestQueryIter(t *testing.T) {
	eachDB(t, []any{&QPerson{}, &QPet{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seedPeople(t, db)
		var got []string
		for p, err := range orm.Query[QPerson](db).OrderBy("id").Iter(ctx) {
			require.NoError(t, err)
			got = append(got, p.Name)
		}
		require.Len(t, got, 6)

		// An early break closes the rows: the connection goes back to
		// the pool.
		got = nil
		for p, err := range orm.Query[QPerson](db).OrderBy("id").Iter(ctx) {
			require.NoError(t, err)
			got = append(got, p.Name)
			if len(got) == 2 {
				break
			}
		}
		require.Equal(t, []string{"ann", "bob"}, got)
		require.Zero(t, db.DB().Stats().InUse)

		// Inside a transaction the next statement works after a break.
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			for range orm.Query[QPerson](tx).Iter(ctx) {
				break
			}
			n, err := orm.Query[QPerson](tx).Count(ctx)
			require.EqualValues(t, 6, n)
			return err
		}))

		// Each stops at the first error.
		var seen int
		stop := sql.ErrTxDone
		err := orm.Query[QPerson](db).OrderBy("id").Each(ctx, func(p *QPerson) error {
			seen++
			if seen == 3 {
				return stop
			}
			return nil
		})
		require.ErrorIs(t, err, stop)
		require.Equal(t, 3, seen)
		require.Zero(t, db.DB().Stats().InUse)

		// A query error is yielded once.
		var errs int
		for _, err := range orm.Query[QPerson](db).Where("nope = 1").Iter(ctx) {
			require.Error(t, err)
			errs++
		}
		require.Equal(t, 1, errs)
	})
}

func TestQueryWrite(t *testing.T) {
	eachDB(t, []any{&QPerson{}, &QPet{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		seedPeople(t, db)
		n, err := orm.Query[QPerson](db).Where("city = ?", "rome").UpdateColumns(ctx, map[string]any{"Age": 1, "city": "bern"})
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
		got, err := orm.Query[QPerson](db).Where("city = ?", "bern").OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"bob", "eve"}, names(got))
		require.Equal(t, 1, got[1].Age)
		_, err = orm.Query[QPerson](db).UpdateColumns(ctx, map[string]any{"nope": 1})
		require.Error(t, err)

		_, err = db.Exec(ctx, "DELETE FROM q_pet")
		require.NoError(t, err)
		n, err = orm.Query[QPerson](db).Where("age < ?", 35).Delete(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 4, n) // ann, cid, bob, eve (age 1)
		left, err := orm.Query[QPerson](db).OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"dee", "it's ?"}, names(left))
		n, err = orm.Query[QPerson](db).WhereIn("id", []int{}).Delete(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
	})
}

func TestQuerySQL(t *testing.T) {
	eachDB(t, []any{&QPerson{}}, func(t *testing.T, db *orm.DB) {
		s, args, err := orm.Query[QPerson](db).Where("name = '?' OR age IN (?)", []int{1, 2}).Where("city = ?", "x").SQL()
		require.NoError(t, err)
		require.Equal(t, []any{1, 2, "x"}, args)
		require.Contains(t, s, "'?'")
		if db.Dialect().Name() == "postgres" {
			require.Contains(t, s, "age IN ($1, $2)")
			require.Contains(t, s, "city = $3")
		} else {
			require.Contains(t, s, "age IN (?, ?)")
		}
	})
}

func TestRawSQL(t *testing.T) {
	eachDB(t, []any{&QPerson{}, &QPet{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		ps := seedPeople(t, db)

		var vals []QPerson
		require.NoError(t, db.Select(ctx, &vals, "SELECT * FROM q_person WHERE city = ? ORDER BY id", "oslo"))
		require.Equal(t, []QPerson{ps[0], ps[2], ps[5]}, vals)

		var ptrs []*QPerson
		require.NoError(t, db.Select(ctx, &ptrs, "SELECT id, name FROM q_person WHERE id IN (?) ORDER BY id DESC", []int64{ps[0].ID, ps[1].ID}))
		require.Len(t, ptrs, 2)
		require.Equal(t, QPerson{ID: ps[1].ID, Name: "bob"}, *ptrs[0])

		var none []QPerson
		require.NoError(t, db.Select(ctx, &none, "SELECT * FROM q_person WHERE id IN (?)", []int64{}))
		require.NotNil(t, none)
		require.Empty(t, none)

		var one QPerson
		require.NoError(t, db.Select(ctx, &one, "SELECT * FROM q_person WHERE name = ?", "dee"))
		require.Equal(t, ps[3], one)
		var onePtr *QPerson
		require.NoError(t, db.Select(ctx, &onePtr, "SELECT * FROM q_person WHERE name = ?", "dee"))
		require.Equal(t, ps[3], *onePtr)
		err := db.Select(ctx, &one, "SELECT * FROM q_person WHERE name = ?", "zed")
		require.ErrorIs(t, err, orm.ErrNotFound)
		require.ErrorIs(t, err, sql.ErrNoRows)

		var n int
		require.NoError(t, db.Select(ctx, &n, "SELECT COUNT(*) FROM q_person WHERE age > ?", 40))
		require.Equal(t, 3, n)
		var name string
		require.NoError(t, db.Select(ctx, &name, "SELECT name FROM q_person WHERE name <> '?' AND age = ?", 27))
		require.Equal(t, "cid", name)
		var ages []int64
		require.NoError(t, db.Select(ctx, &ages, "SELECT age FROM q_person WHERE city IN (?) ORDER BY age", []string{"rome", "lima"}))
		require.Equal(t, []int64{38, 45, 52}, ages)
		var cities []string
		require.NoError(t, db.Select(ctx, &cities, "SELECT DISTINCT city FROM q_person ORDER BY city"))
		require.Equal(t, []string{"lima", "oslo", "rome"}, cities)

		// A result column with no field is an error naming it.
		err = db.Select(ctx, &vals, "SELECT id, name AS alias FROM q_person")
		require.Error(t, err)
		require.ErrorContains(t, err, `"alias"`)
		require.True(t, strings.HasPrefix(err.Error(), "orm: select: "), err.Error())
		require.Error(t, db.Select(ctx, vals, "SELECT 1"), "dest must be a pointer")

		// Exec rebinds ? (to $n on PostgreSQL) and expands lists.
		res, err := db.Exec(ctx, "UPDATE q_person SET city = ? WHERE name IN (?) AND age > ?", "nice", []string{"ann", "bob", "cid"}, 30)
		require.NoError(t, err)
		aff, err := res.RowsAffected()
		require.NoError(t, err)
		require.EqualValues(t, 2, aff)
		res, err = db.Exec(ctx, "UPDATE q_person SET city = 'a?b' WHERE name = ?", "dee")
		require.NoError(t, err)
		aff, _ = res.RowsAffected()
		require.EqualValues(t, 1, aff)
		require.NoError(t, db.Select(ctx, &name, "SELECT city FROM q_person WHERE name = ?", "dee"))
		require.Equal(t, "a?b", name)
		_, err = db.Exec(ctx, "UPDATE q_person SET age = ? WHERE id = ?", 1)
		require.Error(t, err, "too few arguments")
	})
}

func TestWhereInAndNotInEmpty(t *testing.T) {
	eachDB(t, []any{&QPerson{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []QPerson{{Name: "a"}, {Name: "b"}, {Name: "c"}}))
		for _, tc := range []struct {
			name string
			q    *orm.Q[QPerson]
			want int64
		}{
			{"in two", orm.Query[QPerson](db).WhereIn("name", []string{"a", "b"}), 2},
			{"in empty", orm.Query[QPerson](db).WhereIn("name", []string{}), 0},
			{"not in one", orm.Query[QPerson](db).WhereNotIn("name", []string{"a"}), 2},
			{"not in empty", orm.Query[QPerson](db).WhereNotIn("Name", []string(nil)), 3},
		} {
			n, err := tc.q.Count(ctx)
			require.NoError(t, err, tc.name)
			require.Equal(t, tc.want, n, tc.name)
		}
		_, err := orm.Query[QPerson](db).WhereIn("name", "not a list").All(ctx)
		require.ErrorContains(t, err, "want a slice")
	})
}
