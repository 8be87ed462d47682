package orm_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

type Shelf struct {
	ID    int64
	Name  string `orm:"size:50;unique"`
	Rank  *int
	Books []ShelfBook `orm:"has_many"`
}

type ShelfBook struct {
	ID      int64
	ShelfID int64  `orm:"index"`
	Title   string `orm:"size:50"`
}

// Canary holds a secret that no name passed to tagorm may read or drop.
type Canary struct {
	ID     int64
	Secret string `orm:"size:50"`
}

const canarySecret = "canary-s3cret"

// hostileNames are names carrying SQL: quotes of every dialect, stacked
// statements, comments, subqueries reading another table, NUL bytes,
// look-alike Unicode.
var hostileNames = []string{
	`name"; DROP TABLE canary; --`,
	"name`; DROP TABLE canary; #",
	`name'; DROP TABLE canary; --`,
	`name]; DROP TABLE canary; --`,
	"(SELECT secret FROM canary)",
	"(SELECT secret FROM canary LIMIT 1) DESC",
	"id, (SELECT secret FROM canary)",
	"CASE WHEN (SELECT COUNT(*) FROM canary) > 0 THEN id END",
	"id; DROP TABLE canary",
	"id DESC; DROP TABLE canary",
	"id NULLS FIRST; DROP TABLE canary",
	"name /* comment */",
	"name -- comment",
	"name # comment",
	"name\x00",
	"\x00; DROP TABLE canary",
	"nаme", // Cyrillic а
	"ｎａｍｅ",
	"shelf.name\"x",
	`"shelf"."name"`,
	"canary.secret",
	"secret",
	"1",
	"*",
	"id ASC DESC",
	"name COLLATE \"C\"",
}

// Every API that takes a name (a column, field, relation or path) refuses
// a hostile one with an error, on every database, and the canary table
// keeps its row: nothing is dropped, nothing is read from another table.
func TestNamesRejectSQL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db := openTest(t, tdb, nil)
		require.NoError(t, orm.AutoMigrate(db, &Shelf{}, &ShelfBook{}, &Canary{}))
		require.NoError(t, db.Insert(ctx, &Canary{Secret: canarySecret}))
		shelf := &Shelf{Name: "a", Books: []ShelfBook{{Title: "t"}}}
		require.NoError(t, db.Insert(ctx, shelf))

		apis := []struct {
			name string
			run  func(n string) (any, error)
		}{
			{"OrderBy", func(n string) (any, error) { return orm.Query[Shelf](db).OrderBy(n).All(ctx) }},
			{"OrderBy First", func(n string) (any, error) { return orm.Query[Shelf](db).OrderBy("id", n).First(ctx) }},
			{"GroupBy", func(n string) (any, error) {
				return orm.Pluck[string](ctx, orm.Query[Shelf](db).GroupBy(n).Select("name"), "name")
			}},
			{"GroupBy Count", func(n string) (any, error) { return orm.Query[Shelf](db).GroupBy(n).Count(ctx) }},
			{"Select", func(n string) (any, error) { return orm.Query[Shelf](db).Select(n).All(ctx) }},
			{"Pluck", func(n string) (any, error) { return orm.Pluck[string](ctx, orm.Query[Shelf](db), n) }},
			{"WhereIn", func(n string) (any, error) { return orm.Query[Shelf](db).WhereIn(n, []int64{shelf.ID}).All(ctx) }},
			{"WhereNotIn", func(n string) (any, error) { return orm.Query[Shelf](db).WhereNotIn(n, []int64{0}).All(ctx) }},
			{"UpdateColumns", func(n string) (any, error) {
				return orm.Query[Shelf](db).Where("id = ?", shelf.ID).UpdateColumns(ctx, map[string]any{n: "x"})
			}},
			{"Update", func(n string) (any, error) { return nil, db.Update(ctx, &Shelf{ID: shelf.ID, Name: "a"}, n) }},
			{"OnConflict", func(n string) (any, error) {
				return nil, db.Upsert(ctx, &Shelf{Name: "a"}, orm.OnConflict(n).DoUpdate("rank"))
			}},
			{"DoUpdate", func(n string) (any, error) {
				return nil, db.Upsert(ctx, &Shelf{Name: "a"}, orm.OnConflict("name").DoUpdate(n))
			}},
			{"Preload", func(n string) (any, error) { return orm.Query[Shelf](db).Preload(n).All(ctx) }},
			{"PreloadQuery.OrderBy", func(n string) (any, error) {
				return orm.Query[Shelf](db).Preload("Books", func(p *orm.PreloadQuery) { p.OrderBy(n) }).All(ctx)
			}},
			{"Load", func(n string) (any, error) { return nil, db.Load(ctx, &Shelf{ID: shelf.ID}, n) }},
			{"Association", func(n string) (any, error) { return db.Association(&Shelf{ID: shelf.ID}, n).Count(ctx) }},
		}
		for _, api := range apis {
			for _, n := range hostileNames {
				got, err := api.run(n)
				// canary.secret is two plain identifiers: a joined table's
				// column for OrderBy and GroupBy, which the database
				// refuses (canary is not in the query).
				require.Error(t, err, "%s(%q) must fail, got %v", api.name, n, got)
				require.NotContains(t, strings.ToLower(err.Error()), canarySecret)
				require.NotContains(t, strings.ToLower(fmtAny(got)), canarySecret, "%s(%q) read the canary", api.name, n)
			}
		}
		var secrets []string
		require.NoError(t, db.Select(ctx, &secrets, "SELECT secret FROM canary"))
		require.Equal(t, []string{canarySecret}, secrets, "the canary table must survive")
		n, err := orm.Query[Shelf](db).Where("name = ?", "a").Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n, "the shelf must be untouched")
	})
}

// OrderBy and GroupBy take column or field names, qualified names,
// directions and NULLS orders; OrderByExpr and GroupByExpr take SQL.
func TestOrderByNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db := openTest(t, tdb, nil)
		require.NoError(t, orm.AutoMigrate(db, &Shelf{}, &ShelfBook{}))
		one, three := 1, 3
		for _, s := range []*Shelf{{Name: "b", Rank: &three}, {Name: "A"}, {Name: "c", Rank: &one}} {
			require.NoError(t, db.Insert(ctx, s))
		}
		names := func(q *orm.Q[Shelf]) []string {
			t.Helper()
			got, err := orm.Pluck[string](ctx, q, "name")
			require.NoError(t, err)
			return got
		}
		require.Equal(t, []string{"c", "b", "A"}, names(orm.Query[Shelf](db).OrderBy("rank NULLS LAST", "id")))
		require.Equal(t, []string{"A", "c", "b"}, names(orm.Query[Shelf](db).OrderBy("Rank asc nulls first")))
		require.Equal(t, []string{"b", "c", "A"}, names(orm.Query[Shelf](db).OrderBy("rank DESC NULLS LAST")))
		require.Equal(t, []string{"A", "b", "c"}, names(orm.Query[Shelf](db).OrderBy("rank desc nulls first, id")))
		require.Equal(t, []string{"c", "A", "b"}, names(orm.Query[Shelf](db).OrderBy("shelf.id DESC")))
		require.Equal(t, []string{"A", "b", "c"}, names(orm.Query[Shelf](db).OrderByExpr("LOWER(name)")))
		require.Equal(t, []string{"b", "A", "c"}, names(orm.Query[Shelf](db).OrderByExpr("ABS(id - ?)", 1).OrderBy("id")))
		require.Equal(t, []string{"A", "b", "c"}, names(orm.Query[Shelf](db).Where("id > ?", 0).OrderByExpr("LOWER(name) <> ?", "a").OrderBy("id")))

		// A joined table's column, qualified.
		require.NoError(t, db.Insert(ctx, &ShelfBook{ShelfID: 1, Title: "z"}))
		require.NoError(t, db.Insert(ctx, &ShelfBook{ShelfID: 3, Title: "y"}))
		require.Equal(t, []string{"c", "b"}, names(orm.Query[Shelf](db).Join("JOIN shelf_book sb ON sb.shelf_id = shelf.id").OrderBy("sb.title")))

		_, err := orm.Query[Shelf](db).OrderBy("LOWER(name)").All(ctx)
		require.ErrorContains(t, err, `order by "LOWER(name)" on orm_test.Shelf`)
		require.ErrorContains(t, err, "OrderByExpr")

		n, err := orm.Query[Shelf](db).GroupBy("rank").Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
		n, err = orm.Query[Shelf](db).GroupByExpr("rank IS NULL").Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
		// Arguments are bound in the order of the statement's text.
		_, args, err := orm.Query[Shelf](db).Where("id > ?", "w").GroupByExpr("COALESCE(rank, ?)", "g").
			Having("COUNT(*) > ?", "h").OrderByExpr("MIN(id) + ?", "o").SQL()
		require.NoError(t, err)
		require.Equal(t, []any{"w", "g", "h", "o"}, args)
		_, err = orm.Query[Shelf](db).GroupBy("rank DESC").Count(ctx)
		require.ErrorContains(t, err, "GroupByExpr")

		// Preloads: names checked against the related model.
		got, err := orm.Query[Shelf](db).Where("id = ?", 1).Preload("Books", func(p *orm.PreloadQuery) { p.OrderBy("Title DESC") }).All(ctx)
		require.NoError(t, err)
		require.Len(t, got[0].Books, 1)
		_, err = orm.Query[Shelf](db).Preload("Books", func(p *orm.PreloadQuery) { p.OrderBy("name") }).All(ctx)
		require.ErrorContains(t, err, `no column or field "name"`)
		_, err = orm.Query[Shelf](db).Preload("Books", func(p *orm.PreloadQuery) { p.OrderByExpr("LOWER(title)") }).All(ctx)
		require.NoError(t, err)
		// Names and SQL mixed, in the order given: a field name
		// ("ShelfID") sent as SQL, the SQL checked as a name, or a term
		// lost to the items of a comma-separated one, fails.
		for _, title := range []string{"q", "x", "Q", "Y"} {
			require.NoError(t, db.Insert(ctx, &ShelfBook{ShelfID: 1, Title: title}))
		}
		for _, order := range []func(p *orm.PreloadQuery){
			func(p *orm.PreloadQuery) { p.OrderBy("ShelfID").OrderByExpr("LOWER(title)").OrderBy("ID DESC") },
			func(p *orm.PreloadQuery) {
				p.OrderBy("ShelfID, shelf_id").OrderByExpr("LOWER(title)").OrderBy("ID DESC")
			},
			func(p *orm.PreloadQuery) {
				p.OrderBy("ShelfID, shelf_id", "ShelfID").OrderByExpr("LOWER(title)").OrderBy("ID DESC")
			},
		} {
			got, err = orm.Query[Shelf](db).Where("id = ?", 1).Preload("Books", order).All(ctx)
			require.NoError(t, err)
			var titles []string
			for _, b := range got[0].Books {
				titles = append(titles, b.Title)
			}
			require.Equal(t, []string{"Q", "q", "x", "Y", "z"}, titles) // not by id alone: Y, Q, x, q, z
		}
	})
}

func fmtAny(v any) string { return fmt.Sprintf("%+v", v) }

// hostileTableName is the table name of OddTable in the current subtest
// (each subtest opens its own DB, so the model is mapped anew).
var hostileTableName string

type OddTable struct {
	ID    int64
	Value string `orm:"column:'val\"ue -- x';size:20"`
}

func (OddTable) TableName() string { return hostileTableName }

// Table and column names are quoted (or refused): a model whose names
// carry quotes, comments and statements still reads and writes its own
// table, and nothing else.
func TestHostileTableAndColumnNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		setup := openTest(t, tdb, nil)
		require.NoError(t, orm.AutoMigrate(setup, &Canary{}))
		require.NoError(t, setup.Insert(ctx, &Canary{Secret: canarySecret}))
		for i, name := range []string{
			`odd"; DROP TABLE canary; --`,
			"odd`; DROP TABLE canary; #",
			`odd'; DROP TABLE canary; --`,
			`odd]; DROP TABLE canary`,
			"odd /* x */ canary",
			"ödd_ünïcode",
			"odd\x00nul",
		} {
			hostileTableName = name
			db := openTest(t, tdb, nil)
			err := orm.AutoMigrate(db, &OddTable{})
			if err != nil {
				// Refused: say so clearly, and only for a name the
				// database cannot take (NUL).
				require.Contains(t, name, "\x00", "%q refused: %v", name, err)
				continue
			}
			row := &OddTable{Value: fmt.Sprint("v", i)}
			require.NoError(t, db.Insert(ctx, row), name)
			row.Value = "w"
			require.NoError(t, db.Update(ctx, row), name)
			got, err := orm.Query[OddTable](db).Where("1 = 1").OrderBy("Value").All(ctx)
			require.NoError(t, err, name)
			require.Len(t, got, 1, name)
			require.Equal(t, "w", got[0].Value)
			vals, err := orm.Pluck[string](ctx, orm.Query[OddTable](db).GroupBy("Value"), "Value")
			require.NoError(t, err, name)
			require.Equal(t, []string{"w"}, vals)
			require.NoError(t, db.Delete(ctx, row), name)
		}
		var secrets []string
		require.NoError(t, setup.Select(ctx, &secrets, "SELECT secret FROM canary"))
		require.Equal(t, []string{canarySecret}, secrets, "the canary table must survive")
	})
}
