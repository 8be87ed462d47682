package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

// joinRows returns the (book, tag) pairs of book_tags.
func joinRows(t *testing.T, db *orm.DB) [][2]int64 {
	t.Helper()
	type row struct {
		B int64 `db:"r_book_id"`
		T int64 `db:"r_tag_id"`
	}
	var rows []row
	require.NoError(t, db.Select(context.Background(), &rows, "SELECT r_book_id, r_tag_id FROM book_tags ORDER BY r_book_id, r_tag_id"))
	var out [][2]int64
	for _, r := range rows {
		out = append(out, [2]int64{r.B, r.T})
	}
	return out
}

func TestRelAssociationManyToMany(t *testing.T) {
	relDB(t, bookModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		ann := &RUser{Name: "ann"}
		go1, go2 := &RTag{Label: "go"}, &RTag{Label: "sql"}
		book := &RBook{Title: "orm", Author: ann, Tags: []*RTag{go1, go2}}
		require.NoError(t, db.Insert(ctx, book))
		require.NotZero(t, ann.ID)
		require.Equal(t, ann.ID, book.AuthorID)
		require.Equal(t, [][2]int64{{book.ID, go1.ID}, {book.ID, go2.ID}}, joinRows(t, db))

		a := db.Association(book, "Tags")
		n, err := a.Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)

		// Append: a new tag is inserted, an existing link is left alone.
		db3 := &RTag{Label: "db"}
		require.NoError(t, a.Append(ctx, go1, db3))
		require.NotZero(t, db3.ID)
		require.Equal(t, [][2]int64{{book.ID, go1.ID}, {book.ID, go2.ID}, {book.ID, db3.ID}}, joinRows(t, db))
		require.Len(t, book.Tags, 3, "the field follows")

		// Replace is idempotent and never inserts a duplicate.
		l.Statements()
		require.NoError(t, a.Replace(ctx, go1, db3))
		require.Equal(t, [][2]int64{{book.ID, go1.ID}, {book.ID, db3.ID}}, joinRows(t, db))
		l.Statements()
		require.NoError(t, a.Replace(ctx, []*RTag{go1, db3}))
		require.Len(t, queries(l), 1, "replacing with the same set only reads the links")
		require.Equal(t, [][2]int64{{book.ID, go1.ID}, {book.ID, db3.ID}}, joinRows(t, db))
		require.Equal(t, []string{"go", "db"}, []string{book.Tags[0].Label, book.Tags[1].Label})

		// Remove deletes the link, not the tag.
		require.NoError(t, a.Remove(ctx, go1))
		require.Equal(t, [][2]int64{{book.ID, db3.ID}}, joinRows(t, db))
		require.Len(t, book.Tags, 1)
		n, err = orm.Query[RTag](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)

		// The other side, a value slice, sees the same table.
		require.NoError(t, db.Association(go2, "Books").Append(ctx, book))
		require.Equal(t, [][2]int64{{book.ID, go2.ID}, {book.ID, db3.ID}}, joinRows(t, db))

		require.NoError(t, a.Clear(ctx))
		require.Empty(t, joinRows(t, db))
		require.Nil(t, book.Tags)

		// Deleting a book or a tag cascades to the implicit join table.
		require.NoError(t, a.Append(ctx, go1, go2))
		require.NoError(t, db.Delete(ctx, go1))
		require.Equal(t, [][2]int64{{book.ID, go2.ID}}, joinRows(t, db))
		require.NoError(t, db.Delete(ctx, book))
		require.Empty(t, joinRows(t, db))

		_, err = db.Association(&RBook{}, "Tags").Count(ctx)
		require.ErrorContains(t, err, "insert it first")
		require.ErrorContains(t, db.Association(book, "Nope").Clear(ctx), `no relationship "Nope"`)
	})
}

// deptLinks returns the (department, employee, role) rows of the seed's
// association table.
func deptLinks(t *testing.T, db *orm.DB) []RDepartmentEmployee {
	t.Helper()
	var rows []RDepartmentEmployee
	require.NoError(t, db.Select(context.Background(), &rows, "SELECT * FROM department_employee ORDER BY department_id, employee_id"))
	return rows
}

func TestRelAssociationModel(t *testing.T) {
	relDB(t, seedRelModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		depts := seedCompany(t, db)
		eng, hr := depts[0], depts[2]
		var emps []REmployee
		emps, err := orm.Query[REmployee](db).OrderBy("id").All(ctx)
		require.NoError(t, err)
		boss, cat := emps[0], emps[1]

		a := db.Association(hr, "Employees")
		require.NoError(t, a.Append(ctx, &boss, &cat))
		require.NoError(t, a.Append(ctx, &cat)) // already linked: nothing happens
		links := deptLinks(t, db)
		require.Contains(t, links, RDepartmentEmployee{DepartmentID: hr.ID, EmployeeID: boss.ID, Role: "member"})
		require.Contains(t, links, RDepartmentEmployee{DepartmentID: hr.ID, EmployeeID: cat.ID, Role: "member"})
		require.Len(t, links, 6)
		n, err := a.Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)

		require.NoError(t, a.Replace(ctx, &cat))
		require.NoError(t, a.Replace(ctx, &cat))
		require.Len(t, deptLinks(t, db), 5)

		// The association model's own FKs cascade when a department goes.
		require.NoError(t, db.Delete(ctx, eng))
		for _, r := range deptLinks(t, db) {
			require.NotEqual(t, eng.ID, r.DepartmentID)
		}
		// Staff is ON DELETE SET NULL: eng's home employees stay, homeless.
		var homeless int64
		require.NoError(t, db.Select(ctx, &homeless, "SELECT COUNT(*) FROM employee WHERE department_id IS NULL"))
		require.EqualValues(t, 5, homeless)
	})
}

func TestRelAssociationHasMany(t *testing.T) {
	relDB(t, bookModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		ann, bob := &RUser{Name: "ann"}, &RUser{Name: "bob"}
		require.NoError(t, db.Insert(ctx, []*RUser{ann, bob}))
		b1 := RBook{Title: "one", AuthorID: ann.ID}
		require.NoError(t, db.Insert(ctx, &b1))

		// Authored: NOT NULL key, no delete_orphan.
		authored := db.Association(ann, "Authored")
		require.NoError(t, authored.Append(ctx, &RBook{Title: "two"}, &b1))
		require.Len(t, ann.Authored, 2)
		n, err := authored.Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
		// Moving a book to bob updates its key.
		require.NoError(t, db.Association(bob, "Authored").Append(ctx, &b1))
		require.Equal(t, bob.ID, b1.AuthorID)
		n, err = authored.Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		err = authored.Clear(ctx)
		require.ErrorContains(t, err, "NOT NULL")
		require.ErrorContains(t, err, "delete_orphan")

		// Edited: nullable key with cascade:delete_orphan: removed books go.
		edited := db.Association(ann, "Edited")
		e1, e2 := &RBook{Title: "e1", AuthorID: bob.ID}, &RBook{Title: "e2", AuthorID: bob.ID}
		require.NoError(t, edited.Replace(ctx, e1, e2))
		require.Equal(t, ann.ID, *e1.EditorID)
		require.NoError(t, edited.Remove(ctx, e1))
		ok, err := orm.Query[RBook](db).Where("id = ?", e1.ID).Exists(ctx)
		require.NoError(t, err)
		require.False(t, ok, "delete_orphan deletes a removed child")
		require.Len(t, ann.Edited, 1)

		// belongs_to: Replace and Clear set the owner's key.
		ed := db.Association(e2, "Editor")
		require.NoError(t, ed.Replace(ctx, bob))
		var got RBook
		require.NoError(t, db.Get(ctx, &got, e2.ID))
		require.Equal(t, bob.ID, *got.EditorID)
		require.Same(t, bob, e2.Editor)
		require.NoError(t, ed.Clear(ctx))
		require.NoError(t, db.Get(ctx, &got, e2.ID))
		require.Nil(t, got.EditorID)
		require.Nil(t, e2.Editor)
	})
}

func TestRelDeleteActions(t *testing.T) {
	relDB(t, bookModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		ann, bob := &RUser{Name: "ann"}, &RUser{Name: "bob"}
		book := &RBook{Title: "t", Author: ann, Editor: bob}
		require.NoError(t, db.Insert(ctx, book))
		require.Equal(t, bob.ID, *book.EditorID)

		// RESTRICT: the author cannot go while the book is there.
		err := db.Delete(ctx, ann)
		require.ErrorIs(t, err, orm.ErrForeignKeyViolation)

		// SET NULL: deleting the editor clears the book's editor_id.
		require.NoError(t, db.Delete(ctx, bob))
		var got RBook
		require.NoError(t, db.Get(ctx, &got, book.ID))
		require.Nil(t, got.EditorID)
	})
}

func TestRelInsertSharedTargets(t *testing.T) {
	relDB(t, bookModels(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		ann := &RUser{Name: "ann"}
		shared := &RTag{Label: "shared"}
		books := []*RBook{
			{Title: "a", Author: ann, Tags: []*RTag{shared, {Label: "a"}}},
			{Title: "b", Author: ann, Tags: []*RTag{shared}},
		}
		require.NoError(t, db.Insert(ctx, books))
		qs := queries(l)
		require.Len(t, qs, 4, "user, books, tags, links: %v", qs)
		n, err := orm.Query[RTag](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n, "a pointer shared by two books is one tag")
		require.Equal(t, [][2]int64{{books[0].ID, shared.ID}, {books[0].ID, books[0].Tags[1].ID}, {books[1].ID, shared.ID}}, joinRows(t, db))

		// A failure anywhere rolls the whole graph back.
		bad := &RBook{Title: "c", Author: ann, Tags: []*RTag{{Label: "shared"}}} // duplicate label
		require.ErrorIs(t, db.Insert(ctx, bad), orm.ErrUniqueViolation)
		n, err = orm.Query[RBook](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
	})
}
