package migration_test

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

func ExampleAutoMigrate() {
	ctx := context.Background()
	db, err := sql.Open("sqlite3", sqlite.DSN(":memory:"))
	if err != nil {
		panic(err)
	}
	defer db.Close()
	conn := migration.Wrap(sqlite.Dialect{}, db)

	v1 := &schema.MetaData{Tables: []*schema.Table{{
		Name: "note",
		Columns: []*schema.Column{
			{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true},
			{Name: "body", Type: schema.Type{Kind: schema.Text}},
		},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
	}}}
	if err := migration.AutoMigrate(ctx, conn, v1); err != nil {
		panic(err)
	}

	// v2 adds a nullable column and drops nothing: safe by default.
	v2 := v1.Clone()
	v2.Tables[0].Columns = append(v2.Tables[0].Columns,
		&schema.Column{Name: "title", Type: schema.Type{Kind: schema.String, Size: 80}, Nullable: true})
	plan, err := migration.Plan(ctx, conn, v2)
	if err != nil {
		panic(err)
	}
	for _, stmt := range plan {
		fmt.Println(stmt)
	}
	if err := migration.AutoMigrate(ctx, conn, v2); err != nil {
		panic(err)
	}
	fmt.Println("in sync:", migration.Check(ctx, conn, v2) == nil)

	// Going back to v1 would drop a column: refused unless allowed.
	err = migration.AutoMigrate(ctx, conn, v1)
	fmt.Println(err)
	fmt.Println(migration.AutoMigrate(ctx, conn, v1, migration.AllowDrops()))
	// Output:
	// ALTER TABLE "note" ADD COLUMN "title" varchar(80)
	// in sync: true
	// migration: 1 change(s) refused, nothing applied:
	//   - drop column note.title: drops the column's data (allow with AllowDrops or AllowDestructive)
	// <nil>
}
