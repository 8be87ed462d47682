package orm_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/schema"
)

// The seed article's relationships, written with tagorm's tags. The types
// carry an R prefix (other tests of the package own the plain names);
// TableName keeps the article's table names.

// RParent ↔ RChild: one-to-one (relationship("Child", uselist=False,
// backref="parent")).
type RParent struct {
	ID    int64
	Name  string  `orm:"size:50"`
	Child *RChild `orm:"has_one;back_populates:Parent;on_delete:cascade"`
}

func (RParent) TableName() string { return "parent" }

type RChild struct {
	ID        int64
	RParentID int64    `db:"parent_id"` // the convention: <Parent type>ID
	Name      string   `orm:"size:50"`
	Parent    *RParent `orm:"belongs_to;foreign_key:RParentID"`
}

func (RChild) TableName() string { return "child" }

// RDepartment has employees one-to-many (REmployee.RDepartmentID) and
// many-to-many through the association model RDepartmentEmployee.
type RDepartment struct {
	ID        int64
	Name      string      `orm:"size:50"`
	Staff     []REmployee `orm:"has_many;on_delete:set null"`
	Employees []REmployee `orm:"many_to_many:department_employee;back_populates:Departments"`
}

func (RDepartment) TableName() string { return "department" }

type REmployee struct {
	ID            int64
	Name          string         `orm:"size:50"`
	RDepartmentID *int64         `db:"department_id"` // home department, nullable
	ManagerID     *int64         // self-referential: employee → manager
	Manager       *REmployee     `orm:"belongs_to"`
	Reports       []*REmployee   `orm:"has_many;back_populates:Manager"`
	Departments   []*RDepartment `orm:"many_to_many:department_employee;back_populates:Employees"`
}

func (REmployee) TableName() string { return "employee" }

// RDepartmentEmployee is the article's DepartmentEmployee: an explicit
// association model with its unique index and an extra column.
type RDepartmentEmployee struct {
	DepartmentID int64  `orm:"pk;fk:department.id;on_delete:cascade;unique_index:deparment_employee_idx"`
	EmployeeID   int64  `orm:"pk;fk:employee.id;on_delete:cascade;unique_index:deparment_employee_idx"`
	Role         string `orm:"size:30;default:'member'"`
}

func (RDepartmentEmployee) TableName() string { return "department_employee" }

func seedRelModels() []any {
	return []any{&RParent{}, &RChild{}, &RDepartment{}, &REmployee{}, &RDepartmentEmployee{}}
}

// RCategory is a self-referential tree.
type RCategory struct {
	ID       int64
	Name     string       `orm:"size:50"`
	ParentID *int64       // NULL for a root
	Parent   *RCategory   `orm:"belongs_to"`
	Children []*RCategory `orm:"has_many;back_populates:Parent;cascade:delete"`
}

// RUser, RBook: two relations to the same table, an implicit join table
// with value and pointer slices.
type RUser struct {
	ID       int64
	Name     string  `orm:"size:50"`
	Authored []RBook `orm:"has_many;foreign_key:AuthorID"`
	Edited   []RBook `orm:"has_many;foreign_key:EditorID;cascade:delete_orphan"`
}

type RBook struct {
	ID       int64
	Title    string  `orm:"size:100"`
	AuthorID int64   // NOT NULL
	Author   *RUser  `orm:"belongs_to;on_delete:restrict"`
	EditorID *int64  // nullable
	Editor   *RUser  `orm:"belongs_to;on_delete:set null"`
	Tags     []*RTag `orm:"many_to_many:book_tags"`
}

type RTag struct {
	ID    int64
	Label string  `orm:"size:30;unique"`
	Books []RBook `orm:"many_to_many:book_tags"`
}

func bookModels() []any { return []any{&RUser{}, &RBook{}, &RTag{}} }

// relDB runs fn on each database with models migrated and a statement log.
func relDB(t *testing.T, models []any, fn func(t *testing.T, db *orm.DB, l *stmtLog)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		l := &stmtLog{}
		db := openTest(t, tdb, []orm.Option{orm.WithLogger(slog.New(l))})
		require.NoError(t, orm.AutoMigrate(db, models...))
		l.Statements()
		fn(t, db, l)
	})
}

// queries returns the logged statements that read or write rows.
func queries(l *stmtLog) []string {
	var out []string
	for _, s := range l.Statements() {
		u := strings.ToUpper(strings.TrimSpace(s))
		if strings.HasPrefix(u, "SELECT") || strings.HasPrefix(u, "INSERT") || strings.HasPrefix(u, "UPDATE") || strings.HasPrefix(u, "DELETE") {
			out = append(out, s)
		}
	}
	return out
}

func TestRelMetaData(t *testing.T) {
	db, err := orm.Open("sqlite3", ":memory:")
	require.NoError(t, err)
	defer db.Close()

	md, err := db.MetaData(seedRelModels()...)
	require.NoError(t, err)
	fk := func(table, col string) *schema.ForeignKey {
		for _, f := range md.Table(table).ForeignKeys {
			if slices.Equal(f.Columns, []string{col}) {
				return f
			}
		}
		return nil
	}
	// has_one with on_delete: the child's FK cascades.
	require.Equal(t, &schema.ForeignKey{Name: "fk_child_parent_id_parent", Columns: []string{"parent_id"}, RefTable: "parent", RefColumns: []string{"id"}, OnDelete: schema.Cascade}, fk("child", "parent_id"))
	require.Equal(t, schema.SetNull, fk("employee", "department_id").OnDelete)
	require.Equal(t, "employee", fk("employee", "manager_id").RefTable)
	// The association model is used as it is: no implicit table added.
	require.Len(t, md.Tables, 5)

	md, err = db.MetaData(bookModels()...)
	require.NoError(t, err)
	jt := md.Table("book_tags")
	require.NotNil(t, jt, "the implicit join table is part of the metadata")
	require.Equal(t, []string{"r_book_id", "r_tag_id"}, []string{jt.Columns[0].Name, jt.Columns[1].Name})
	require.Equal(t, []string{"r_book_id", "r_tag_id"}, jt.PrimaryKey.Columns)
	require.Len(t, jt.ForeignKeys, 2)
	for _, f := range jt.ForeignKeys {
		require.Equal(t, schema.Cascade, f.OnDelete)
	}
	require.Equal(t, schema.Restrict, md.Table("r_book").ForeignKeys[0].OnDelete)
	require.Equal(t, "author_id", md.Table("r_book").ForeignKeys[0].Columns[0])
	require.Equal(t, schema.SetNull, md.Table("r_book").ForeignKeys[1].OnDelete)

	md, err = db.MetaData(&RCategory{})
	require.NoError(t, err)
	require.Equal(t, "r_category", md.Table("r_category").ForeignKeys[0].RefTable)
}

// Misconfigured relations.
type BadRelNoFK struct {
	ID    int64
	Items []BadRelItem `orm:"has_many"`
}
type BadRelItem struct {
	ID    int64
	Owner int64
}
type BadRelAmbiguous struct {
	ID    int64
	Books []RBook `orm:"has_many"` // RBook has no BadRelAmbiguousID
}
type BadRelAmbUser struct {
	ID    int64
	Books []BadRelAmbBook `orm:"has_many"`
}
type BadRelAmbBook struct {
	ID       int64
	AuthorID int64
	Author   *BadRelAmbUser `orm:"belongs_to"`
	EditorID int64
	Editor   *BadRelAmbUser `orm:"belongs_to"`
}
type BadRelType struct {
	ID     string            `orm:"size:20"`
	Things []BadRelTypeThing `orm:"has_many"`
}
type BadRelTypeThing struct {
	ID           int64
	BadRelTypeID float64
}
type BadRelUnknown struct {
	ID  int64
	Bad []BadNoKeyModel `orm:"has_many"`
}
type BadNoKeyModel struct {
	Chan chan int
}
type BadRelBelongs struct {
	ID    int64
	Owner *RUser `orm:"belongs_to"` // no OwnerID field
}
type BadRelBack struct {
	ID    int64
	Books []RBook `orm:"has_many;foreign_key:AuthorID;back_populates:Tags"`
}
type BadRelSelfM2M struct {
	ID      int64
	Friends []BadRelSelfM2M `orm:"many_to_many:friends"`
}
type BadRelSetNull struct {
	ID   int64
	Kids []BadRelSetNullKid `orm:"has_many;on_delete:set null"`
}
type BadRelSetNullKid struct {
	ID              int64
	BadRelSetNullID int64
}

func TestRelMisconfigured(t *testing.T) {
	db, err := orm.Open("sqlite3", ":memory:")
	require.NoError(t, err)
	defer db.Close()
	for _, c := range []struct {
		models []any
		want   []string
	}{
		{[]any{&BadRelNoFK{}, &BadRelItem{}}, []string{"orm_test.BadRelNoFK", "field Items", "orm_test.BadRelItem has no field BadRelNoFKID", "foreign_key"}},
		{[]any{&BadRelAmbiguous{}, &RBook{}, &RUser{}, &RTag{}}, []string{"orm_test.BadRelAmbiguous", "field Books", "RBook has no field BadRelAmbiguousID"}},
		{[]any{&BadRelAmbUser{}, &BadRelAmbBook{}}, []string{"orm_test.BadRelAmbUser", "field Books", "ambiguous", "AuthorID and EditorID"}},
		{[]any{&BadRelType{}, &BadRelTypeThing{}}, []string{"orm_test.BadRelType", "field Things", "type mismatch", "orm_test.BadRelTypeThing.BadRelTypeID"}},
		{[]any{&BadRelUnknown{}}, []string{"orm_test.BadRelUnknown", "field Bad", "related model orm_test.BadNoKeyModel"}},
		{[]any{&BadRelBelongs{}, &RUser{}, &RBook{}, &RTag{}}, []string{"orm_test.BadRelBelongs", "field Owner", "has no field OwnerID"}},
		{[]any{&BadRelBack{}, &RBook{}, &RUser{}, &RTag{}}, []string{"orm_test.BadRelBack", "field Books", "back_populates:Tags", "relates to orm_test.RTag, not orm_test.BadRelBack"}},
		{[]any{&BadRelSelfM2M{}}, []string{"orm_test.BadRelSelfM2M", "field Friends", "join_foreign_key"}},
		{[]any{&BadRelSetNull{}, &BadRelSetNullKid{}}, []string{"orm_test.BadRelSetNull", "field Kids", "nullable"}},
	} {
		err := db.Register(c.models...)
		require.Error(t, err, "%T", c.models[0])
		require.ErrorIs(t, err, orm.ErrInvalidModel)
		var me *orm.ModelError
		require.True(t, errors.As(err, &me))
		for _, w := range c.want {
			require.Contains(t, err.Error(), w)
		}
	}
}

func TestRelSeedOneToOne(t *testing.T) {
	relDB(t, seedRelModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		p := &RParent{Name: "p", Child: &RChild{Name: "c"}}
		require.NoError(t, db.Insert(ctx, p))
		require.NotZero(t, p.ID)
		require.NotZero(t, p.Child.ID)
		require.Equal(t, p.ID, p.Child.RParentID)
		require.Same(t, p, p.Child.Parent, "back_populates set on insert")

		got, err := orm.Query[RParent](db).Preload("Child").First(ctx)
		require.NoError(t, err)
		require.Equal(t, "c", got.Child.Name)
		require.Same(t, got, got.Child.Parent, "back_populates set on load")

		l.Statements()
		kids, err := orm.Query[RChild](db).Preload("Parent", func(p *orm.PreloadQuery) { p.Joined() }).All(ctx)
		require.NoError(t, err)
		require.Len(t, queries(l), 1, "a joined preload is one query")
		require.Equal(t, "p", kids[0].Parent.Name)
		require.Same(t, &kids[0], kids[0].Parent.Child, "has_one back reference set")

		// A joined relation with no row is nil.
		orphan := &RParent{Name: "alone"}
		require.NoError(t, db.Insert(ctx, orphan))
		ps, err := orm.Query[RParent](db).Preload("Child", func(p *orm.PreloadQuery) { p.Joined() }).OrderBy("id").All(ctx)
		require.NoError(t, err)
		require.Len(t, ps, 2)
		require.NotNil(t, ps[0].Child)
		require.Nil(t, ps[1].Child)

		// ON DELETE CASCADE from the has_one tag.
		require.NoError(t, db.Delete(ctx, p))
		n, err := orm.Query[RChild](db).Count(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
	})
}
