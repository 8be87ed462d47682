// Command quickstart shows tagorm end to end on an embedded SQLite
// database: models declared with tags, AutoMigrate, insert, query,
// update, delete and a transaction.
//
//	go run ./examples/quickstart                       # in-memory SQLite
//	go run ./examples/quickstart -db sqlite:///demo.db  # a file
//	go run ./examples/quickstart -db postgresql://orm:orm@127.0.0.1/orm
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"os"

	"github.com/tagorm/orm"
	_ "github.com/tagorm/orm/dialects/mysql"
	_ "github.com/tagorm/orm/dialects/postgres"
	_ "github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/mixins"
)

// Department has many employees (the seed article's one-to-many).
type Department struct {
	mixins.PK
	Name string `orm:"size:50;unique"`
}

// Employee belongs to a department.
type Employee struct {
	mixins.Model                // id, created_at, updated_at
	Name         string         `orm:"size:50;index"`
	Email        string         `orm:"size:255;unique"`
	Nickname     *string        // a pointer: nullable
	DepartmentID int64          `orm:"fk:department.id;on_delete:cascade"`
	Salary       string         `orm:"type:decimal(10,2);default:0"`
	Tags         map[string]any `orm:"json"`
	_            struct{}       `orm:"comment:people who work here;mysql_engine:InnoDB"`
}

func main() {
	dbURL := flag.String("db", "sqlite://", "database URL (sqlite://, sqlite:///file.db, postgresql://..., mysql://...)")
	verbose := flag.Bool("v", false, "log every SQL statement")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *dbURL, *verbose); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, w io.Writer, dbURL string, verbose bool) error {
	var opts []orm.Option
	if verbose {
		h := slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
		opts = append(opts, orm.WithLogger(slog.New(h)))
	}
	db, err := orm.OpenURL(dbURL, opts...)
	if err != nil {
		return err
	}
	defer db.Close()

	// Create the tables (idempotent: a second run changes nothing).
	if err := orm.AutoMigrate(db, &Department{}, &Employee{}); err != nil {
		return err
	}
	fmt.Fprintln(w, "migrated: department, employee")

	// Start from empty tables when run again on a file database.
	if _, err := orm.Query[Employee](db).Delete(ctx); err != nil {
		return err
	}
	if _, err := orm.Query[Department](db).Delete(ctx); err != nil {
		return err
	}

	// Insert: keys and timestamps are filled in.
	eng := Department{Name: "Engineering"}
	if err := db.Insert(ctx, &eng); err != nil {
		return err
	}
	nick := "Ada"
	staff := []Employee{
		{Name: "Ada Lovelace", Email: "ada@example.com", Nickname: &nick, DepartmentID: eng.ID, Salary: "5000.50", Tags: map[string]any{"lang": "analytical engine"}},
		{Name: "Alan Turing", Email: "alan@example.com", DepartmentID: eng.ID, Salary: "4800.00"},
		{Name: "Grace Hopper", Email: "grace@example.com", DepartmentID: eng.ID, Salary: "5100.00"},
	}
	if err := db.Insert(ctx, staff); err != nil { // one multi-row INSERT
		return err
	}
	fmt.Fprintf(w, "inserted department %q (id %d) and employees with ids %d, %d, %d\n", eng.Name, eng.ID, staff[0].ID, staff[1].ID, staff[2].ID)

	// Query with the builder: ? placeholders work on every database.
	as, err := orm.Query[Employee](db).Where("name LIKE ?", "A%").OrderBy("name").All(ctx)
	if err != nil {
		return err
	}
	for _, e := range as {
		fmt.Fprintf(w, "  %-14s %-18s nickname=%v tags=%v\n", e.Name, e.Email, deref(e.Nickname), e.Tags)
	}
	n, err := orm.Query[Employee](db).Where("department_id = ?", eng.ID).Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "employees in engineering:", n)

	// Update one column; updated_at is refreshed automatically.
	staff[1].Salary = "5300.00"
	if err := db.Update(ctx, &staff[1], "Salary"); err != nil {
		return err
	}
	var alan Employee
	if err := db.Get(ctx, &alan, staff[1].ID); err != nil {
		return err
	}
	fmt.Fprintln(w, "alan's salary now", alan.Salary)

	// A unique violation is a typed error.
	dup := Employee{Name: "Impostor", Email: "ada@example.com", DepartmentID: eng.ID}
	if err := db.Insert(ctx, &dup); errors.Is(err, orm.ErrUniqueViolation) {
		fmt.Fprintln(w, "duplicate email refused:", errors.Is(err, orm.ErrConstraint))
	} else if err != nil {
		return err
	}

	// A transaction: everything or nothing.
	err = db.Transaction(ctx, func(tx *orm.Session) error {
		ops := Department{Name: "Operations"}
		if err := tx.Insert(ctx, &ops); err != nil {
			return err
		}
		staff[2].DepartmentID = ops.ID
		if err := tx.Update(ctx, &staff[2], "DepartmentID"); err != nil {
			return err
		}
		return errors.New("changed my mind")
	})
	fmt.Fprintln(w, "transaction rolled back:", err)
	depts, err := orm.Query[Department](db).Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "departments after rollback:", depts)

	// Delete.
	if err := db.Delete(ctx, &staff[2]); err != nil {
		return err
	}
	if err := db.Get(ctx, &Employee{}, staff[2].ID); errors.Is(err, orm.ErrNotFound) {
		fmt.Fprintln(w, "grace deleted")
	}
	left, err := orm.Query[Employee](db).Count(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "employees left:", left)
	return nil
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
