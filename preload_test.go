package orm_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// seedCompany inserts three departments and five employees as one graph
// per department: home departments (has_many Staff), many-to-many
// memberships through the association model, and a manager chain.
func seedCompany(t *testing.T, db *orm.DB) []*RDepartment {
	t.Helper()
	ctx := context.Background()
	boss := &REmployee{Name: "boss"}
	require.NoError(t, db.Insert(ctx, boss))
	ann := &REmployee{Name: "ann", Manager: boss}
	bob := &REmployee{Name: "bob", Manager: boss}
	eng := &RDepartment{
		Name:      "eng",
		Staff:     []REmployee{{Name: "cat", Manager: boss}, {Name: "dan"}},
		Employees: []REmployee{*ann, *bob},
	}
	// ann and bob are new: they are inserted with the department (values
	// in Employees are copies: take the keys back from them).
	require.NoError(t, db.Insert(ctx, eng))
	*ann, *bob = eng.Employees[0], eng.Employees[1]
	ops := &RDepartment{Name: "ops", Employees: []REmployee{*ann, *boss}}
	hr := &RDepartment{Name: "hr"}
	require.NoError(t, db.Insert(ctx, []*RDepartment{ops, hr}))
	return []*RDepartment{eng, ops, hr}
}

func TestRelSeedGraphs(t *testing.T) {
	relDB(t, seedRelModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		depts := seedCompany(t, db)
		eng := depts[0]
		require.NotZero(t, eng.ID)
		for _, e := range eng.Staff {
			require.NotZero(t, e.ID)
			require.Equal(t, eng.ID, *e.RDepartmentID)
		}
		require.NotZero(t, *eng.Staff[0].ManagerID, "belongs_to target saved first, key copied")

		// The association rows got the model's server default.
		var roles []string
		require.NoError(t, db.Select(ctx, &roles, "SELECT role FROM department_employee ORDER BY department_id, employee_id"))
		require.Equal(t, []string{"member", "member", "member", "member"}, roles)

		// Reload the graph: one query per relation level.
		l.Statements()
		got, err := orm.Query[RDepartment](db).
			Preload("Staff").
			Preload("Employees.Departments").
			Preload("Employees.Manager").
			OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Len(t, queries(l), 5, "departments, staff, employees, their departments, their managers")
		require.Len(t, got, 3)
		require.Equal(t, []string{"cat", "dan"}, empNames(got[0].Staff))
		require.Equal(t, []string{"ann", "bob"}, empNames(got[0].Employees))
		require.Equal(t, []string{"boss", "ann"}, empNames(got[1].Employees), "ordered by primary key")
		require.Empty(t, got[2].Employees)
		require.Nil(t, got[2].Staff)
		ann := got[0].Employees[0]
		require.Equal(t, []string{"eng", "ops"}, deptNames(ann.Departments))
		require.Equal(t, "boss", ann.Manager.Name)
		require.Nil(t, got[1].Employees[0].Manager, "boss has no manager")
		// The reloaded objects equal the inserted ones (keys, values).
		require.Equal(t, eng.Staff[0].ID, got[0].Staff[0].ID)
		require.Equal(t, eng.Employees[1].ID, got[0].Employees[1].ID)

		// Self-referential has_many with back_populates.
		bosses, err := orm.Query[REmployee](db).Where("name = ?", "boss").Preload("Reports").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"cat", "ann", "bob"}, empNames(derefs(bosses[0].Reports)))
		for _, r := range bosses[0].Reports {
			require.Same(t, &bosses[0], r.Manager)
		}

		// Lazy loading on an object already loaded.
		one, err := orm.Query[RDepartment](db).Where("name = ?", "eng").One(ctx)
		require.NoError(t, err)
		require.Nil(t, one.Employees)
		l.Statements()
		require.NoError(t, db.Load(ctx, one, "Employees.Departments"))
		require.Len(t, queries(l), 2)
		require.Equal(t, []string{"ann", "bob"}, empNames(one.Employees))
		require.Equal(t, []string{"eng", "ops"}, deptNames(one.Employees[0].Departments))
		all, err := orm.Query[RDepartment](db).OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.NoError(t, db.Load(ctx, &all, "Staff", func(p *orm.PreloadQuery) { p.OrderBy("name DESC") }))
		require.Equal(t, []string{"dan", "cat"}, empNames(all[0].Staff))
	})
}

func empNames(es []REmployee) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out
}

func derefs[T any](ps []*T) []T {
	var out []T
	for _, p := range ps {
		out = append(out, *p)
	}
	return out
}

func deptNames(ds []*RDepartment) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

// PParent/PChild: the benchmark's and the statement-count tests' shape.
type PParent struct {
	ID       int64
	Name     string   `orm:"size:50"`
	Children []PChild `orm:"has_many"`
}

type PChild struct {
	ID        int64
	PParentID int64  `orm:"index"`
	Name      string `orm:"size:50"`
	Rank      int
}

// seedParents inserts n parents with k children each.
func seedParents(t testing.TB, db *orm.DB, n, k int) {
	t.Helper()
	ctx := context.Background()
	ps := make([]PParent, n)
	for i := range ps {
		ps[i].Name = fmt.Sprintf("p%05d", i)
		for j := 0; j < k; j++ {
			ps[i].Children = append(ps[i].Children, PChild{Name: fmt.Sprintf("c%d", j), Rank: k - j})
		}
	}
	require.NoError(t, db.Insert(ctx, ps))
}

func TestRelPreloadCounts(t *testing.T) {
	relDB(t, []any{&PParent{}, &PChild{}}, func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		seedParents(t, db, 100, 10)
		ins := queries(l)
		require.Len(t, ins, 2, "100 parents in one INSERT, their 1000 children in another: %v", ins)

		got, err := orm.Query[PParent](db).Preload("Children").OrderBy("id").All(ctx)
		require.NoError(t, err)
		qs := queries(l)
		require.Len(t, qs, 2, "100 parents × 10 children = exactly 2 queries: %v", qs)
		require.Len(t, got, 100)
		for i, p := range got {
			require.Len(t, p.Children, 10, "parent %d", i)
			for j, c := range p.Children {
				require.Equal(t, p.ID, c.PParentID)
				require.Equal(t, fmt.Sprintf("c%d", j), c.Name)
			}
		}
		// Appending to one parent's children must not clobber the next's.
		got[0].Children = append(got[0].Children, PChild{Name: "x"})
		require.Equal(t, "c0", got[1].Children[0].Name)

		// Conditions, order and a per-parent limit (ROW_NUMBER()).
		got, err = orm.Query[PParent](db).Preload("Children", func(p *orm.PreloadQuery) {
			p.Where("name <> ?", "c0").OrderBy("rank").Limit(3)
		}).OrderBy("id").Limit(5).All(ctx)
		require.NoError(t, err)
		require.Len(t, queries(l), 2)
		for _, p := range got {
			require.Len(t, p.Children, 3)
			require.Equal(t, []int{1, 2, 3}, []int{p.Children[0].Rank, p.Children[1].Rank, p.Children[2].Rank})
		}
		// First and One preload too.
		first, err := orm.Query[PParent](db).Preload("Children").First(ctx)
		require.NoError(t, err)
		require.Len(t, first.Children, 10)
		// Iter refuses preloads.
		for _, err := range orm.Query[PParent](db).Preload("Children").Iter(ctx) {
			require.ErrorContains(t, err, "preload")
		}
		// Unknown relations are reported by the query.
		_, err = orm.Query[PParent](db).Preload("Kids").All(ctx)
		require.ErrorContains(t, err, `has no relationship "Kids"`)
	})
}

// TestRelPreloadOrderAcrossParents orders the related rows by a column
// that interleaves the parents: each parent still gets its children in
// the requested order (the rows are grouped by parent after loading).
func TestRelPreloadOrderAcrossParents(t *testing.T) {
	relDB(t, []any{&PParent{}, &PChild{}}, func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		seedParents(t, db, 5, 4) // children c0..c3 ranked 4..1
		l.Statements()
		got, err := orm.Query[PParent](db).Preload("Children", func(p *orm.PreloadQuery) {
			p.OrderBy("rank")
		}).OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Len(t, queries(l), 2)
		require.Len(t, got, 5)
		for _, p := range got {
			var names []string
			for _, c := range p.Children {
				require.Equal(t, p.ID, c.PParentID)
				names = append(names, c.Name)
			}
			require.Equal(t, []string{"c3", "c2", "c1", "c0"}, names)
		}
		got[0].Children = append(got[0].Children, PChild{Name: "x"})
		require.Equal(t, "c3", got[1].Children[0].Name)
	})
	relDB(t, seedRelModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		depts := seedCompany(t, db)
		eng, ops := depts[0], depts[1]
		boss, ann := &ops.Employees[1], &eng.Employees[0]
		require.NoError(t, db.Insert(ctx, []*REmployee{
			{Name: "bea", RDepartmentID: &ops.ID, ManagerID: &boss.ID},
			{Name: "eve", RDepartmentID: &ops.ID, ManagerID: &ann.ID},
		}))
		l.Statements()
		byName := func(dir string) func(*orm.PreloadQuery) {
			return func(p *orm.PreloadQuery) { p.OrderBy("name " + dir) }
		}
		got, err := orm.Query[RDepartment](db).
			Preload("Staff", byName("ASC")).Preload("Staff.Manager").
			Preload("Employees", byName("DESC")).Preload("Employees.Departments", byName("DESC")).
			OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Len(t, queries(l), 5)
		// has_many of values (bea, cat, dan, eve interleave eng and ops),
		// with a nested belongs_to loaded into the grouped rows.
		require.Equal(t, []string{"cat", "dan"}, empNames(got[0].Staff))
		require.Equal(t, []string{"bea", "eve"}, empNames(got[1].Staff))
		require.Nil(t, got[2].Staff)
		require.Equal(t, "boss", got[0].Staff[0].Manager.Name)
		require.Nil(t, got[0].Staff[1].Manager)
		require.Equal(t, "boss", got[1].Staff[0].Manager.Name)
		require.Equal(t, "ann", got[1].Staff[1].Manager.Name)
		// many_to_many of values, then of pointers.
		require.Equal(t, []string{"bob", "ann"}, empNames(got[0].Employees))
		require.Equal(t, []string{"boss", "ann"}, empNames(got[1].Employees))
		require.Empty(t, got[2].Employees)
		require.Equal(t, []string{"ops", "eng"}, deptNames(got[0].Employees[1].Departments))
		require.Equal(t, []string{"eng"}, deptNames(got[0].Employees[0].Departments))
		require.Equal(t, []string{"ops"}, deptNames(got[1].Employees[0].Departments))
		// has_many of pointers, with back references.
		es, err := orm.Query[REmployee](db).Preload("Reports", byName("DESC")).OrderBy("id").All(ctx)
		require.NoError(t, err)
		for i := range es {
			var want []string
			switch es[i].Name {
			case "boss":
				want = []string{"cat", "bob", "bea", "ann"}
			case "ann":
				want = []string{"eve"}
			}
			require.Equal(t, want, empNames(derefs(es[i].Reports)), es[i].Name)
			for _, r := range es[i].Reports {
				require.Same(t, &es[i], r.Manager)
			}
		}
	})
}

// TestRelPreloadChunks preloads 70,000 parents on SQLite: the IN lists are
// split under its bind limit (32,766).
func TestRelPreloadChunks(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	tdb := dbtest.Open(t, "sqlite")
	l := &stmtLog{}
	db := openTest(t, tdb, nil)
	require.NoError(t, orm.AutoMigrate(db, &PParent{}, &PChild{}))
	seedParents(t, db, 70000, 1)
	logged := openTest(t, tdb, []orm.Option{orm.WithLogger(slog.New(l))})
	got, err := orm.Query[PParent](logged).Preload("Children").All(context.Background())
	require.NoError(t, err)
	require.Len(t, got, 70000)
	for _, p := range got {
		require.Len(t, p.Children, 1)
	}
	qs := queries(l)
	require.Len(t, qs, 1+3, "70,000 keys in 3 chunks")
	for _, q := range qs[1:] {
		require.LessOrEqual(t, strings.Count(q, "?"), tdb.Dialect.MaxParams())
	}
}

func TestRelWhereHas(t *testing.T) {
	relDB(t, seedRelModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		seedCompany(t, db)
		ds, err := orm.Query[RDepartment](db).WhereHas("Employees", "name = ?", "ann").OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"eng", "ops"}, []string{ds[0].Name, ds[1].Name})
		ds, err = orm.Query[RDepartment](db).WhereHas("Staff", "").All(ctx)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		ds, err = orm.Query[RDepartment](db).WhereHasNot("Employees", "").All(ctx)
		require.NoError(t, err)
		require.Equal(t, "hr", ds[0].Name)
		// Nested, and self-referential (aliased) paths.
		es, err := orm.Query[REmployee](db).WhereHas("Reports.Departments", "name = ?", "ops").All(ctx)
		require.NoError(t, err)
		require.Equal(t, "boss", es[0].Name)
		es, err = orm.Query[REmployee](db).WhereHas("Manager", "name = ?", "boss").OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"cat", "ann", "bob"}, empNames(es))
		n, err := orm.Query[REmployee](db).WhereHas("Departments", "name IN (?)", []string{"eng", "hr"}).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
	})
}

func TestRelTree(t *testing.T) {
	relDB(t, []any{&RCategory{}}, func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		root := &RCategory{Name: "root", Children: []*RCategory{
			{Name: "a", Children: []*RCategory{{Name: "a1"}, {Name: "a2"}}},
			{Name: "b", Children: []*RCategory{{Name: "b1"}}},
		}}
		require.NoError(t, db.Insert(ctx, root))
		require.Len(t, queries(l), 3, "one INSERT per level")
		require.Equal(t, root.ID, *root.Children[0].ParentID)
		require.Equal(t, root.Children[0].ID, *root.Children[0].Children[1].ParentID)
		require.Same(t, root, root.Children[1].Parent)

		got, err := orm.Query[RCategory](db).Where("parent_id IS NULL").
			Preload("Children.Children").One(ctx)
		require.NoError(t, err)
		require.Len(t, queries(l), 3)
		require.Equal(t, root.Name, got.Name)
		require.Len(t, got.Children, 2)
		for i, c := range got.Children {
			require.Equal(t, root.Children[i].ID, c.ID)
			require.Same(t, got, c.Parent)
			require.Len(t, c.Children, len(root.Children[i].Children))
			for j, cc := range c.Children {
				require.Equal(t, root.Children[i].Children[j].Name, cc.Name)
				require.Same(t, c, cc.Parent)
			}
		}
		// Leaves up to the root, joined.
		leaves, err := orm.Query[RCategory](db).Where("name LIKE ?", "%1").
			Preload("Parent", func(p *orm.PreloadQuery) { p.Joined() }).Preload("Parent.Parent").OrderBy("name").All(ctx)
		require.NoError(t, err)
		require.Len(t, queries(l), 2, "leaves with their parents, then the grandparents")
		require.Equal(t, "a", leaves[0].Parent.Name)
		require.Equal(t, "root", leaves[0].Parent.Parent.Name)
		require.Equal(t, "b", leaves[1].Parent.Name)

		// cascade:delete, ORM-side, depth first.
		require.NoError(t, db.Delete(ctx, root))
		n, err := orm.Query[RCategory](db).Count(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
	})
}
