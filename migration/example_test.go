package migration_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// exampleDB opens an in-memory SQLite database with one table, account,
// holding two rows.
func exampleDB() (migration.Conn, *schema.MetaData, func()) {
	db, err := sql.Open("sqlite3", sqlite.DSN(":memory:"))
	if err != nil {
		panic(err)
	}
	db.SetMaxOpenConns(1) // one in-memory database
	conn := migration.Wrap(sqlite.Dialect{}, db)
	v1 := &schema.MetaData{Tables: []*schema.Table{{
		Name: "account",
		Columns: []*schema.Column{
			{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true},
			{Name: "email", Type: schema.Type{Kind: schema.String, Size: 100}},
		},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
	}}}
	if err := migration.AutoMigrate(context.Background(), conn, v1); err != nil {
		panic(err)
	}
	if _, err := db.Exec("INSERT INTO account (email) VALUES ('a@example.com'), ('b@example.com')"); err != nil {
		panic(err)
	}
	return conn, v1, func() { db.Close() }
}

// Plan is a dry run: the statements AutoMigrate would run, or the
// changes it would refuse.
func ExamplePlan() {
	ctx := context.Background()
	conn, v1, done := exampleDB()
	defer done()

	v2 := v1.Clone()
	v2.Tables[0].Columns = append(v2.Tables[0].Columns,
		&schema.Column{Name: "active", Type: schema.Type{Kind: schema.Bool}, Default: ptr("TRUE")})
	v2.Tables[0].Indexes = []*schema.Index{{Name: "ix_account_email", Columns: []schema.IndexColumn{{Name: "email"}}}}
	stmts, err := migration.Plan(ctx, conn, v2)
	if err != nil {
		panic(err)
	}
	for _, s := range stmts {
		fmt.Println(s)
	}

	// Narrowing email to 5 characters is refused, even with
	// AllowNarrowing: the rows are longer.
	v3 := v1.Clone()
	v3.Tables[0].Column("email").Type.Size = 5
	_, err = migration.Plan(ctx, conn, v3, migration.AllowNarrowing())
	fmt.Println(errors.Is(err, migration.ErrRefused))
	fmt.Println(err)
	// Output:
	// ALTER TABLE "account" ADD COLUMN "active" boolean NOT NULL DEFAULT TRUE
	// CREATE INDEX "ix_account_email" ON "account" ("email")
	// true
	// migration: 1 change(s) refused, nothing applied:
	//   - alter column account.email: type string(100) → string(5): 2 row(s) of account.email longer than 5 characters: the new type would truncate, round or reject them (fix the data first, or allow with AllowDestructive)
}

// Check is a CI step: it fails when the database and the models drift
// apart, listing every difference.
func ExampleCheck() {
	ctx := context.Background()
	conn, v1, done := exampleDB()
	defer done()

	fmt.Println(migration.Check(ctx, conn, v1))

	v2 := v1.Clone()
	v2.Tables[0].Column("email").Type.Size = 200
	v2.Tables = append(v2.Tables, &schema.Table{
		Name:    "audit",
		Columns: []*schema.Column{{Name: "line", Type: schema.Type{Kind: schema.Text}}},
	})
	err := migration.Check(ctx, conn, v2)
	fmt.Println(errors.Is(err, migration.ErrNotInSync))
	fmt.Println(err)
	// Output:
	// <nil>
	// true
	// migration: check: 2 difference(s) between the database and the target:
	//   - create table audit
	//   - alter column account.email: type string(100) → string(200)
}

// Compare and Apply separate deciding from doing: the ops can be
// inspected, filtered or written into a revision, then applied as they
// are (Apply refuses nothing).
func ExampleApply() {
	ctx := context.Background()
	conn, v1, done := exampleDB()
	defer done()

	v2 := v1.Clone()
	email := v2.Tables[0].Column("email")
	email.Name, email.RenamedFrom = "login", "email"

	live, err := migration.Inspect(ctx, conn)
	if err != nil {
		panic(err)
	}
	diff, err := migration.Compare(v2, live, migration.WithDialect(conn.Dialect()))
	if err != nil {
		panic(err)
	}
	fmt.Print(diff)
	if err := migration.Apply(ctx, conn, diff.Ops); err != nil {
		panic(err)
	}
	var n int
	if err := conn.DB().QueryRow("SELECT COUNT(*) FROM account WHERE login LIKE '%@example.com'").Scan(&n); err != nil {
		panic(err)
	}
	fmt.Println(n, "rows kept;", "in sync:", migration.Check(ctx, conn, v2) == nil)
	// Output:
	// rename column account.email to login
	// 2 rows kept; in sync: true
}
