package orm_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/tagorm/orm"
	_ "github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/mixins"
)

// Author is the model of the examples.
type Author struct {
	mixins.Model
	mixins.SoftDelete
	Name  string  `orm:"size:50;unique"`
	Born  int     `orm:"check:author_born_ok:born > 1000"`
	Email *string `orm:"size:100"`
}

// openExample opens an in-memory SQLite database with the Author table.
func openExample() *orm.DB {
	db, err := orm.OpenURL("sqlite://")
	if err != nil {
		log.Fatal(err)
	}
	if err := orm.AutoMigrate(db, &Author{}); err != nil {
		log.Fatal(err)
	}
	return db
}

func Example() {
	ctx := context.Background()
	db, err := orm.OpenURL("sqlite://") // in memory
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := orm.AutoMigrate(db, &Author{}); err != nil {
		log.Fatal(err)
	}

	a := Author{Name: "Ursula", Born: 1929}
	if err := db.Insert(ctx, &a); err != nil {
		log.Fatal(err)
	}
	fmt.Println("id:", a.ID, "created:", !a.CreatedAt.IsZero())

	a.Born = 1930
	if err := db.Update(ctx, &a, "born"); err != nil {
		log.Fatal(err)
	}
	var got Author
	if err := db.Get(ctx, &got, a.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Name, got.Born)

	if err := db.Delete(ctx, &got); err != nil { // soft delete
		log.Fatal(err)
	}
	err = db.Get(ctx, &got, a.ID)
	fmt.Println(errors.Is(err, orm.ErrNotFound))
	// Output:
	// id: 1 created: true
	// Ursula 1930
	// true
}

func ExampleQuery() {
	ctx := context.Background()
	db := openExample()
	defer db.Close()
	authors := []Author{{Name: "Ursula", Born: 1929}, {Name: "Iain", Born: 1954}, {Name: "Octavia", Born: 1947}, {Name: "Ted", Born: 1967}}
	if err := db.Insert(ctx, authors); err != nil { // one statement
		log.Fatal(err)
	}

	q := orm.Query[Author](db).Where("born > ?", 1940).Where("name <> ?", "Ted").OrderBy("born")
	found, err := q.All(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range found {
		fmt.Println(a.Name, a.Born)
	}

	n, err := orm.Query[Author](db).WhereIn("name", []string{"Iain", "Ted", "Nobody"}).Count(ctx)
	fmt.Println(n, err)

	first, err := orm.Query[Author](db).OrderBy("born DESC").First(ctx)
	fmt.Println(first.Name, err)

	_, err = orm.Query[Author](db).Where("born < ?", 1000).First(ctx)
	fmt.Println(err)
	// Output:
	// Octavia 1947
	// Iain 1954
	// 2 <nil>
	// Ted <nil>
	// orm: query author: record not found
}

func ExampleQ_Iter() {
	ctx := context.Background()
	db := openExample()
	defer db.Close()
	if err := db.Insert(ctx, []*Author{{Name: "A", Born: 1901}, {Name: "B", Born: 1902}, {Name: "C", Born: 1903}}); err != nil {
		log.Fatal(err)
	}
	for a, err := range orm.Query[Author](db).OrderBy("name").Iter(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(a.Name)
		if a.Name == "B" {
			break // closes the rows
		}
	}
	// Output:
	// A
	// B
}

func ExampleDB_Transaction() {
	ctx := context.Background()
	db := openExample()
	defer db.Close()

	err := db.Transaction(ctx, func(tx *orm.Session) error {
		if err := tx.Insert(ctx, &Author{Name: "Kept", Born: 1950}); err != nil {
			return err
		}
		// A nested transaction is a savepoint: its failure is undone
		// without undoing the outer work.
		inner := tx.Transaction(ctx, func(tx *orm.Session) error {
			if err := tx.Insert(ctx, &Author{Name: "Undone", Born: 1960}); err != nil {
				return err
			}
			return errors.New("changed my mind")
		})
		fmt.Println("inner:", inner)
		return nil
	})
	fmt.Println("outer:", err)

	n, _ := orm.Query[Author](db).Count(ctx)
	fmt.Println("authors:", n)
	// Output:
	// inner: changed my mind
	// outer: <nil>
	// authors: 1
}

func ExampleDB_Upsert() {
	ctx := context.Background()
	db := openExample()
	defer db.Close()

	a := Author{Name: "Ursula", Born: 1928}
	if err := db.Upsert(ctx, &a, orm.OnConflict("name")); err != nil {
		log.Fatal(err)
	}
	b := Author{Name: "Ursula", Born: 1929}
	if err := db.Upsert(ctx, &b, orm.OnConflict("name").DoUpdate("born")); err != nil {
		log.Fatal(err)
	}
	var got Author
	_ = db.Get(ctx, &got, a.ID)
	fmt.Println(a.ID == b.ID, got.Born)
	// Output: true 1929
}

func ExampleDB_Select() {
	ctx := context.Background()
	db := openExample()
	defer db.Close()
	_ = db.Insert(ctx, []Author{{Name: "A", Born: 1901}, {Name: "B", Born: 1950}, {Name: "C", Born: 1990}})

	var names []string
	if err := db.Select(ctx, &names, "SELECT name FROM author WHERE born IN (?) ORDER BY name", []int{1901, 1990}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)

	var avg float64
	_ = db.Select(ctx, &avg, "SELECT AVG(born) FROM author")
	fmt.Println(avg)

	var authors []Author
	err := db.Select(ctx, &authors, "SELECT id, name AS title FROM author")
	fmt.Println(err)
	// Output:
	// [A C]
	// 1947
	// orm: select: column "title" of the result has no field in orm_test.Author
}

func ExampleConstraintError() {
	ctx := context.Background()
	db := openExample()
	defer db.Close()
	_ = db.Insert(ctx, &Author{Name: "A", Born: 1901})

	err := db.Insert(ctx, &Author{Name: "A", Born: 1902})
	var ce *orm.ConstraintError
	if errors.As(err, &ce) {
		fmt.Println(errors.Is(err, orm.ErrUniqueViolation), ce.Table, ce.Columns)
	}

	err = db.Insert(ctx, &Author{Name: "B", Born: 5})
	fmt.Println(errors.Is(err, orm.ErrCheckViolation))
	fmt.Println(err)
	// Output:
	// true author [name]
	// true
	// orm: insert author: check constraint violation on "author_born_ok" (table author): CHECK constraint failed: author_born_ok
}
