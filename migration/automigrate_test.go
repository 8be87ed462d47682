package migration_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// recorder collects the DDL statements a migration runs.
type recorder struct{ stmts []string }

func (r *recorder) opt() migration.Option {
	return migration.OnStatement(func(s string) { r.stmts = append(r.stmts, s) })
}

func mustSync(t *testing.T, conn migration.Conn, target *schema.MetaData) {
	t.Helper()
	if err := migration.Check(context.Background(), conn, target); err != nil {
		t.Fatalf("not in sync after AutoMigrate:\n%v", err)
	}
}

// TestAutoMigrateEvolve runs model v1 → AutoMigrate → v2 (new column, new
// index, new table with a foreign key, wider type, dropped NOT NULL,
// new default) → AutoMigrate, checking that each run leaves nothing to
// do, that a second run issues no DDL, and that the rows survive.
func TestAutoMigrateEvolve(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(db.Dialect, db.SQL)
		v1 := parentChild()
		var rec recorder
		if err := migration.AutoMigrate(ctx, conn, v1, rec.opt()); err != nil {
			t.Fatal(err)
		}
		if len(rec.stmts) == 0 {
			t.Fatal("no DDL for a new schema")
		}
		mustSync(t, conn, v1)
		rec.stmts = nil
		if err := migration.AutoMigrate(ctx, conn, v1, rec.opt()); err != nil {
			t.Fatal(err)
		}
		if len(rec.stmts) != 0 {
			t.Fatalf("second AutoMigrate ran DDL: %q", rec.stmts)
		}
		seed(t, db.SQL)

		v2 := parentChild()
		p, c := v2.Tables[0], v2.Tables[1]
		p.Columns = append(p.Columns, withDefault(withSize(col("kind", schema.String, false), 10), "'plain'"))
		p.Column("name").Type.Size = 100        // widen
		c.Column("note").Default = ptr("'n/a'") // new default
		c.Columns = append(c.Columns, col("weight", schema.Double, true))
		c.Indexes = append(c.Indexes, &schema.Index{Name: "idx_child_note", Columns: []schema.IndexColumn{{Name: "note"}, {Name: "weight", Desc: true}}})
		gid := col("id", schema.BigInt, false)
		gid.AutoIncrement = true
		v2.Tables = append(v2.Tables, &schema.Table{
			Name:       "grandchild",
			Columns:    []*schema.Column{gid, col("child_id", schema.BigInt, true)},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
			ForeignKeys: []*schema.ForeignKey{{Name: "fk_grandchild_child", Columns: []string{"child_id"},
				RefTable: "child", RefColumns: []string{"id"}, OnDelete: schema.SetNull}},
		})
		plan, err := migration.Plan(ctx, conn, v2)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan) == 0 {
			t.Fatal("empty plan for v2")
		}
		if err := migration.Check(ctx, conn, v2); !errors.Is(err, migration.ErrNotInSync) {
			t.Fatalf("Check before migrating v2: %v", err)
		}
		rec.stmts = nil
		if err := migration.AutoMigrate(ctx, conn, v2, rec.opt()); err != nil {
			t.Fatal(err)
		}
		if strings.Join(rec.stmts, "\n") != strings.Join(plan, "\n") {
			t.Fatalf("AutoMigrate ran\n%s\nPlan said\n%s", strings.Join(rec.stmts, "\n"), strings.Join(plan, "\n"))
		}
		mustSync(t, conn, v2)
		if n := count(t, db.SQL, "SELECT COUNT(*) FROM child"); n != 4 {
			t.Fatalf("child rows: %d", n)
		}
		if n := count(t, db.SQL, "SELECT COUNT(*) FROM parent WHERE kind = 'plain'"); n != 3 {
			t.Fatalf("parent rows: %d", n)
		}
		if p, err := migration.Plan(ctx, conn, v2); err != nil || p != nil {
			t.Fatalf("Plan after migrating: %q, %v", p, err)
		}
	})
}

func ptr(s string) *string { return &s }

// TestAutoMigrateRefuses checks that destructive and data-dependent
// changes are refused together, with a reason each, and that nothing is
// applied; then that the options and fixed data let them through.
func TestAutoMigrateRefuses(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(db.Dialect, db.SQL)
		v1 := parentChild()
		if err := migration.AutoMigrate(ctx, conn, v1); err != nil {
			t.Fatal(err)
		}
		seed(t, db.SQL)
		exec(t, db.SQL, "INSERT INTO parent (name, score) VALUES ('a', 5)") // duplicate name
		before := inspect(t, db)

		v2 := parentChild()
		p, c := v2.Tables[0], v2.Tables[1]
		p.Column("score").Nullable = false                                                // has NULLs
		p.Uniques = []*schema.Unique{{Name: "uq_parent_name", Columns: []string{"name"}}} // duplicates
		p.Columns = append(p.Columns, col("required", schema.Integer, false))             // NOT NULL, no default, rows
		c.Columns = c.Columns[:2]                                                         // drop child.note
		// An innocent change in the same run must not be applied either.
		p.Columns = append(p.Columns, col("harmless", schema.Integer, true))

		var rec recorder
		err := migration.AutoMigrate(ctx, conn, v2, rec.opt())
		var re *migration.RefusedError
		if !errors.As(err, &re) || !errors.Is(err, migration.ErrRefused) {
			t.Fatalf("want RefusedError, got %v", err)
		}
		t.Log(err)
		msg := err.Error()
		for _, want := range []string{"NULL values", "duplicate values", "has rows", "drop column child.note", "AllowDrops"} {
			if !strings.Contains(msg, want) {
				t.Errorf("error lacks %q", want)
			}
		}
		if len(re.Refused) != 4 {
			t.Errorf("refused %d changes, want 4", len(re.Refused))
		}
		if len(rec.stmts) != 0 {
			t.Fatalf("statements ran: %q", rec.stmts)
		}
		if _, err := migration.Plan(ctx, conn, v2); !errors.Is(err, migration.ErrRefused) {
			t.Fatalf("Plan: %v", err)
		}
		if d := diffMD(before, inspect(t, db)); d != "" {
			t.Fatalf("schema changed:\n%s", d)
		}

		// Options do not override data checks.
		err = migration.AutoMigrate(ctx, conn, v2, migration.AllowDestructive())
		if !errors.As(err, &re) || len(re.Refused) != 3 {
			t.Fatalf("with AllowDestructive: %v", err)
		}
		// Fix the data and the model: everything goes through.
		exec(t, db.SQL, "UPDATE parent SET score = 0 WHERE score IS NULL", "DELETE FROM parent WHERE id = 4")
		p.Column("required").Default = ptr("1")
		if err := migration.AutoMigrate(ctx, conn, v2); !errors.Is(err, migration.ErrRefused) {
			t.Fatalf("drop without AllowDrops: %v", err)
		}
		if err := migration.AutoMigrate(ctx, conn, v2, migration.AllowDrops()); err != nil {
			t.Fatal(err)
		}
		mustSync(t, conn, v2)
		if n := count(t, db.SQL, "SELECT COUNT(*) FROM child"); n != 4 {
			t.Fatalf("child rows: %d", n)
		}
	})
}

// TestAutoMigrateNotNullColumnEmptyTable: a NOT NULL column without a
// default can be added to an empty table.
func TestAutoMigrateNotNullColumnEmptyTable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(db.Dialect, db.SQL)
		v1 := parentChild()
		if err := migration.AutoMigrate(ctx, conn, v1); err != nil {
			t.Fatal(err)
		}
		v2 := parentChild()
		v2.Tables[0].Columns = append(v2.Tables[0].Columns, col("required", schema.Integer, false))
		if err := migration.AutoMigrate(ctx, conn, v2); err != nil {
			t.Fatal(err)
		}
		mustSync(t, conn, v2)
	})
}

// TestAutoMigrateTargetTablesOnly: other tables are left alone with
// TargetTablesOnly, and reported as drops without it.
func TestAutoMigrateTargetTablesOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(db.Dialect, db.SQL)
		if err := migration.AutoMigrate(ctx, conn, parentChild()); err != nil {
			t.Fatal(err)
		}
		only := &schema.MetaData{Tables: []*schema.Table{parentChild().Tables[0]}}
		if err := migration.AutoMigrate(ctx, conn, only, migration.TargetTablesOnly()); err != nil {
			t.Fatal(err)
		}
		if err := migration.Check(ctx, conn, only, migration.TargetTablesOnly()); err != nil {
			t.Fatal(err)
		}
		err := migration.AutoMigrate(ctx, conn, only)
		if !errors.Is(err, migration.ErrRefused) || !strings.Contains(err.Error(), "drop table child") {
			t.Fatalf("want drop table child refused, got %v", err)
		}
		if err := migration.AutoMigrate(ctx, conn, only, migration.AllowDrops()); err != nil {
			t.Fatal(err)
		}
		if inspect(t, db).Table("child") != nil {
			t.Fatal("child not dropped")
		}
	})
}
