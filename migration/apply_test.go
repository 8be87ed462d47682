package migration_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

func col(name string, k schema.Kind, null bool) *schema.Column {
	return &schema.Column{Name: name, Type: schema.Type{Kind: k}, Nullable: null}
}

func withDefault(c *schema.Column, def string) *schema.Column {
	c.Default = &def
	return c
}

func withSize(c *schema.Column, n int) *schema.Column {
	c.Type.Size = n
	return c
}

// parentChild is v1 of a two-table schema: parent(id, name) and
// child(id, parent_id → parent ON DELETE CASCADE, note).
func parentChild() *schema.MetaData {
	pid := col("id", schema.BigInt, false)
	pid.AutoIncrement = true
	parent := &schema.Table{
		Name:       "parent",
		Columns:    []*schema.Column{pid, withSize(col("name", schema.String, false), 50), col("score", schema.Integer, true)},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		Indexes:    []*schema.Index{{Name: "idx_parent_name", Columns: []schema.IndexColumn{{Name: "name"}}}},
	}
	cid := col("id", schema.BigInt, false)
	cid.AutoIncrement = true
	child := &schema.Table{
		Name:       "child",
		Columns:    []*schema.Column{cid, col("parent_id", schema.BigInt, false), withSize(col("note", schema.String, true), 20)},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		ForeignKeys: []*schema.ForeignKey{{Name: "fk_child_parent", Columns: []string{"parent_id"},
			RefTable: "parent", RefColumns: []string{"id"}, OnDelete: schema.Cascade}},
		Indexes: []*schema.Index{{Name: "idx_child_parent", Columns: []schema.IndexColumn{{Name: "parent_id"}}}},
	}
	return &schema.MetaData{Tables: []*schema.Table{parent, child}}
}

func createAll(t *testing.T, db *dbtest.DB, md *schema.MetaData) {
	t.Helper()
	var ops []migration.Op
	for _, tb := range md.Tables {
		ops = append(ops, &migration.CreateTable{Table: tb})
	}
	if err := migration.Apply(context.Background(), migration.Wrap(db.Dialect, db.SQL), ops); err != nil {
		t.Fatal(err)
	}
}

func exec(t *testing.T, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func count(t *testing.T, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func seed(t *testing.T, db *sql.DB) {
	t.Helper()
	exec(t, db,
		"INSERT INTO parent (name, score) VALUES ('a', 1), ('b', NULL), ('c', 3)",
		"INSERT INTO child (parent_id, note) VALUES (1, 'x'), (1, 'y'), (2, 'z'), (3, NULL)",
	)
}

func inspect(t *testing.T, db *dbtest.DB) *schema.MetaData {
	t.Helper()
	md, err := migration.Inspect(context.Background(), migration.Wrap(db.Dialect, db.SQL))
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// TestApplyAlterParent changes a parent table in every way that needs a
// rebuild on SQLite (type, nullability, default, a new unique, a check,
// a renamed and a dropped column) and checks that the child rows
// survive with their foreign keys enforced: dropping the old parent
// must not cascade.
func TestApplyAlterParent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(db.Dialect, db.SQL)
		v1 := parentChild()
		createAll(t, db, v1)
		seed(t, db.SQL)
		exec(t, db.SQL, "UPDATE parent SET score = 0 WHERE score IS NULL")

		p := v1.Tables[0]
		score := p.Column("score")
		newScore := withDefault(col("score", schema.BigInt, false), "7")
		ops := []migration.Op{
			&migration.AlterColumn{Table: "parent", From: score, To: newScore, TypeChanged: true, NullChanged: true, DefaultChanged: true},
			&migration.RenameColumn{Table: "parent", From: "name", To: "title"},
			&migration.AddColumn{Table: "parent", Column: withDefault(withSize(col("kind", schema.String, false), 10), "'plain'")},
			&migration.AddUnique{Table: "parent", Unique: &schema.Unique{Name: "uq_parent_title", Columns: []string{"title"}}},
			&migration.AddCheck{Table: "parent", Check: &schema.Check{Name: "ck_parent_score", Expr: "score >= 0"}},
		}
		var stmts []string
		err := migration.Apply(ctx, conn, ops, migration.OnStatement(func(s string) { stmts = append(stmts, s) }))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s", strings.Join(stmts, ";\n"))
		if n := count(t, db.SQL, "SELECT COUNT(*) FROM child"); n != 4 {
			t.Fatalf("child rows: %d, want 4", n)
		}
		if n := count(t, db.SQL, "SELECT COUNT(*) FROM parent WHERE kind = 'plain' AND title IN ('a', 'b', 'c')"); n != 3 {
			t.Fatalf("parent rows: %d, want 3", n)
		}
		live := inspect(t, db).Table("parent")
		if c := live.Column("score"); c == nil || c.Nullable || c.Type.Kind != schema.BigInt && db.Name != "sqlite" {
			t.Fatalf("score after migration: %+v", c)
		}
		if live.Column("name") != nil || live.Column("title") == nil {
			t.Fatalf("columns after rename: %v", live.ColumnNames())
		}
		var plain []string
		for _, ix := range live.Indexes {
			if !ix.Unique { // MySQL reports the unique constraint as a unique index
				plain = append(plain, ix.Name+"("+strings.Join(ix.ColumnNames(), ",")+")")
			}
		}
		if len(plain) != 1 || plain[0] != "idx_parent_name(title)" {
			t.Fatalf("indexes after migration: %v", plain)
		}
		// Foreign keys still enforced and still cascade.
		if _, err := db.SQL.Exec("INSERT INTO child (parent_id) VALUES (99)"); err == nil {
			t.Fatal("foreign key not enforced after migration")
		}
		exec(t, db.SQL, "DELETE FROM parent WHERE id = 1")
		if n := count(t, db.SQL, "SELECT COUNT(*) FROM child"); n != 2 {
			t.Fatalf("child rows after cascading delete: %d, want 2", n)
		}
		// Drop a column of the parent (a rebuild on SQLite).
		err = migration.Apply(ctx, conn, []migration.Op{&migration.DropColumn{Table: "parent", Column: live.Column("kind")}})
		if err != nil {
			t.Fatal(err)
		}
		if n := count(t, db.SQL, "SELECT COUNT(*) FROM child"); n != 2 {
			t.Fatalf("child rows after drop column: %d, want 2", n)
		}
	})
}

// TestApplyAtomic injects a failing statement after successful changes:
// on PostgreSQL and SQLite nothing stays applied; on MySQL the error
// lists what was applied.
func TestApplyAtomic(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(db.Dialect, db.SQL)
		v1 := parentChild()
		createAll(t, db, v1)
		seed(t, db.SQL)
		before := inspect(t, db)
		ops := []migration.Op{
			&migration.AddColumn{Table: "parent", Column: col("extra", schema.Integer, true)},
			&migration.CreateIndex{Table: "child", Index: &schema.Index{Name: "idx_child_note", Columns: []schema.IndexColumn{{Name: "note"}}}},
			&migration.DropColumn{Table: "child", Column: v1.Tables[1].Column("note")},
			&migration.Exec{SQL: "ALTER TABLE no_such_table ADD COLUMN x integer"},
			&migration.AddColumn{Table: "parent", Column: col("never", schema.Integer, true)},
		}
		err := migration.Apply(ctx, conn, ops)
		var ae *migration.ApplyError
		if !errors.As(err, &ae) {
			t.Fatalf("want *ApplyError, got %v", err)
		}
		t.Log(err)
		if !strings.Contains(ae.Statement, "no_such_table") {
			t.Fatalf("failing statement: %q", ae.Statement)
		}
		after := inspect(t, db)
		if db.Dialect.Features().Has(dialects.TransactionalDDL) {
			if !ae.RolledBack || len(ae.Applied) != 0 {
				t.Fatalf("RolledBack %v, Applied %q", ae.RolledBack, ae.Applied)
			}
			if d := diffMD(before, after); d != "" {
				t.Fatalf("schema changed by a failed migration:\n%s", d)
			}
			return
		}
		if ae.RolledBack || len(ae.Applied) != 3 {
			t.Fatalf("RolledBack %v, Applied %q", ae.RolledBack, ae.Applied)
		}
		if after.Table("parent").Column("extra") == nil || after.Table("child").Column("note") != nil {
			t.Fatal("statements before the failure not applied")
		}
		if after.Table("parent").Column("never") != nil {
			t.Fatal("statement after the failure applied")
		}
	})
}

func diffMD(a, b *schema.MetaData) string {
	if js(a) == js(b) {
		return ""
	}
	return js(a) + "\n---\n" + js(b)
}

// TestAutoMigrateResume makes a migration fail in the middle (a unique
// index on a new column whose default, an expression, gives every row
// the same value, which only the database can detect: a literal default
// is refused before anything runs), fixes the data and runs AutoMigrate
// again: on
// PostgreSQL and SQLite the first run changed nothing and the second does
// everything; on MySQL the first run stopped after adding the column and
// the second only creates the index.
func TestAutoMigrateResume(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(db.Dialect, db.SQL)
		if err := migration.AutoMigrate(ctx, conn, parentChild()); err != nil {
			t.Fatal(err)
		}
		seed(t, db.SQL)
		v2 := parentChild()
		p := v2.Tables[0]
		p.Columns = append(p.Columns, withDefault(withSize(col("code", schema.String, false), 20), "upper('x')"))
		p.Indexes = append(p.Indexes, &schema.Index{Name: "uq_parent_code", Unique: true, Columns: []schema.IndexColumn{{Name: "code"}}})
		var first recorder
		err := migration.AutoMigrate(ctx, conn, v2, first.opt())
		var ae *migration.ApplyError
		if !errors.As(err, &ae) || !strings.Contains(ae.Statement, "uq_parent_code") {
			t.Fatalf("want the unique index to fail, got %v", err)
		}
		t.Log(err)
		transactional := db.Dialect.Features().Has(dialects.TransactionalDDL)
		if got := inspect(t, db).Table("parent").Column("code") != nil; got == transactional {
			t.Fatalf("column code exists after the failed run: %v", got)
		}
		var second recorder
		if !transactional {
			exec(t, db.SQL, "UPDATE parent SET code = name")
			if err := migration.AutoMigrate(ctx, conn, v2, second.opt()); err != nil {
				t.Fatal(err)
			}
			if len(second.stmts) != 1 || !strings.Contains(second.stmts[0], "uq_parent_code") {
				t.Fatalf("rerun ran %q, want only the index", second.stmts)
			}
		} else {
			// Nothing stayed applied: add the column first, fix the
			// data, then migrate to v2.
			v15 := parentChild()
			v15.Tables[0].Columns = append(v15.Tables[0].Columns, withDefault(withSize(col("code", schema.String, false), 20), "upper('x')"))
			if err := migration.AutoMigrate(ctx, conn, v15); err != nil {
				t.Fatal(err)
			}
			exec(t, db.SQL, "UPDATE parent SET code = name")
			if err := migration.AutoMigrate(ctx, conn, v2, second.opt()); err != nil {
				t.Fatal(err)
			}
		}
		mustSync(t, conn, v2)
		if n := count(t, db.SQL, "SELECT COUNT(*) FROM child"); n != 4 {
			t.Fatalf("child rows: %d", n)
		}
	})
}

// TestRebuildKeepsTriggers: a SQLite rebuild recreates the table's
// triggers and keeps row counts of parent and child.
func TestRebuildKeepsTriggers(t *testing.T) {
	db := dbtest.Open(t, "sqlite")
	ctx := context.Background()
	conn := migration.Wrap(db.Dialect, db.SQL)
	if err := migration.AutoMigrate(ctx, conn, parentChild()); err != nil {
		t.Fatal(err)
	}
	seed(t, db.SQL)
	exec(t, db.SQL, `CREATE TABLE audit (msg text)`,
		`CREATE TRIGGER parent_ins AFTER INSERT ON parent BEGIN INSERT INTO audit VALUES (NEW.name); END`)
	v2 := parentChild()
	v2.Tables[0].Column("score").Default = ptr("5") // a rebuild on SQLite
	if err := migration.AutoMigrate(ctx, conn, v2, migration.TargetTablesOnly()); err != nil {
		t.Fatal(err)
	}
	exec(t, db.SQL, "INSERT INTO parent (name) VALUES ('d')")
	if n := count(t, db.SQL, "SELECT COUNT(*) FROM audit WHERE msg = 'd'"); n != 1 {
		t.Fatal("trigger lost in the rebuild")
	}
	if n := count(t, db.SQL, "SELECT COUNT(*) FROM child"); n != 4 {
		t.Fatalf("child rows: %d", n)
	}
	if n := count(t, db.SQL, "SELECT COUNT(*) FROM parent WHERE score = 5 AND name = 'd'"); n != 1 {
		t.Fatal("default not applied")
	}
	var fk int
	if err := db.SQL.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Fatalf("foreign keys not restored on the pool: %d %v", fk, err)
	}
}
