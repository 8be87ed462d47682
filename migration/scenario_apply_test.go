package migration_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/migration/cli"
	"github.com/tagorm/orm/schema"
)

// TestScenarioApply runs a handful of scenarios through Compare and Apply
// (the ops as they are, no vetting) instead of AutoMigrate: v1 →
// AutoMigrate → seed → Compare(v2) → Apply(diff.Ops) → Compare empty →
// the scenario's checks.
func TestScenarioApply(t *testing.T) {
	names := map[string]bool{
		"add_not_null_columns_with_defaults": true, "drop_column": true, "rename_column_in_fk_and_index": true,
		"fk_add": true, "fk_unique_dropped": true, "enum_value_appended": true, "parent_rebuilt_children_kept": true,
		"pk_single_to_composite": true, "mixed_changes": true, "decimal_to_int_fits": true,
	}
	for _, sc := range scenarios() {
		if !names[sc.name] {
			continue
		}
		delete(names, sc.name)
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, name := range dbtest.Names {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					tdb := dbtest.Open(t, name)
					ctx := context.Background()
					db, err := orm.New(tdb.SQL, tdb.DriverName)
					if err != nil {
						t.Fatal(err)
					}
					v1, v2 := scMeta(t, db, sc.v1...), scMeta(t, db, sc.v2...)
					if err := migration.AutoMigrate(ctx, db, v1); err != nil {
						t.Fatal(err)
					}
					for _, s := range sc.seeds(tdb.Name) {
						if _, err := tdb.SQL.ExecContext(ctx, s); err != nil {
							t.Fatalf("seed %s: %v", s, err)
						}
					}
					diff := scCompare(t, db, v2)
					if diff.Empty() {
						t.Fatal("no ops")
					}
					if err := migration.Apply(ctx, db, diff.Ops); err != nil {
						t.Fatalf("Apply:\n%s%v", diff, err)
					}
					if left := scCompare(t, db, v2); !left.Empty() {
						t.Fatalf("Compare after Apply:\n%s", left)
					}
					scRunChecks(t, tdb, sc.allChecks(tdb.Name))
				})
			}
		})
	}
	for n := range names {
		t.Errorf("no scenario %s", n)
	}
}

func scMeta(t *testing.T, db *orm.DB, models ...any) *schema.MetaData {
	t.Helper()
	md, err := db.MetaData(models...)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func scCompare(t *testing.T, db *orm.DB, target *schema.MetaData) *migration.Diff {
	t.Helper()
	live, err := migration.Inspect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	diff, err := migration.Compare(target, live, migration.WithDialect(db.Dialect()))
	if err != nil {
		t.Fatal(err)
	}
	return diff
}

// With AllowDestructive the row check of a kind change is lifted and the
// database has the last word: PostgreSQL's USING cast fails and the
// migration rolls back; MySQL rejects the ALTER (strict mode), which is
// not half-applied, after the statements before it (reported); SQLite,
// which has no strict types, keeps the text in the INTEGER column.
func TestKindChangeAllowDestructive(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db, err := orm.New(tdb.SQL, tdb.DriverName)
		if err != nil {
			t.Fatal(err)
		}
		v1, v2 := scMeta(t, db, &scConvText{}, &scItem{}), scMeta(t, db, &scConvInt{}, &scItemAddNullable{})
		if err := migration.AutoMigrate(ctx, db, v1); err != nil {
			t.Fatal(err)
		}
		for _, s := range append(scSeedConv("'12'", "'abc'"), scSeedItems) {
			if _, err := tdb.SQL.ExecContext(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		err = migration.AutoMigrate(ctx, db, v2, migration.AllowNarrowing())
		if !errors.Is(err, migration.ErrRefused) || !strings.Contains(err.Error(), "1 row(s) of conv.v not integers") {
			t.Fatalf("AllowNarrowing: want the row check's refusal, got %v", err)
		}
		err = migration.AutoMigrate(ctx, db, v2, migration.AllowDestructive())
		switch tdb.Name {
		case "sqlite":
			if err != nil {
				t.Fatal(err)
			}
			if got := scRows(t, tdb.SQL, "SELECT v FROM conv ORDER BY id"); got != "12\nabc" {
				t.Fatalf("rows: %q", got)
			}
			return
		case "postgres":
			var ae *migration.ApplyError
			if !errors.As(err, &ae) || !ae.RolledBack || !strings.Contains(ae.Statement, "USING") {
				t.Fatalf("want a rolled-back ApplyError on the USING cast, got %v", err)
			}
		case "mysql":
			// The failing ALTER is not half-applied; the statements before
			// it stay (DDL is not transactional) and the error says so.
			var ae *migration.ApplyError
			if !errors.As(err, &ae) || ae.RolledBack || len(ae.Applied) != 1 || !strings.Contains(ae.Applied[0], "ADD COLUMN") {
				t.Fatalf("want an ApplyError after the ADD COLUMN, got %v", err)
			}
			if got := scCompare(t, db, v1).String(); got != "drop column item.color\n" {
				t.Fatalf("schema: %s", got)
			}
			if got := scRows(t, tdb.SQL, "SELECT v FROM conv ORDER BY id"); got != "12\nabc" {
				t.Fatalf("rows: %q", got)
			}
			return
		}
		// Nothing applied: the new column of item is not there either.
		if got := scCompare(t, db, v1); !got.Empty() {
			t.Fatalf("schema changed:\n%s", got)
		}
		if got := scRows(t, tdb.SQL, "SELECT v FROM conv ORDER BY id"); got != "12\nabc" {
			t.Fatalf("rows: %q", got)
		}
	})
}

// TestUpgradeSQLRunnable autogenerates a history of four revisions on a
// scratch database (tables with a foreign key, a rename, a cycle, a
// dropped column, an enum, a primary key added), prints it with `migrate
// upgrade head --sql` against a fresh database, runs the printed
// statements there one by one, and checks that Compare finds nothing and
// Current reads the head.
func TestUpgradeSQLRunnable(t *testing.T) {
	steps := [][]any{
		{&scParent{}, &scChild{}, &scTag{}, &scItemIndexed{}},
		{&scParentRenamed{}, &scChildOfOwner{}, &scTagWide{}, &scItemNoNote{}, &scCycleA{}, &scCycleB{}},
		{&scParentRenamed{}, &scChildOfOwner{}, &scTagWide{}, &scItemNoNote{}, &scCycleA{}, &scCycleB{}, &scPaint{}, &scLine{}},
		{&scParentRenamed{}, &scChildOfOwner{}, &scTagWide{}, &scItemNoNote{}, &scCycleA{}, &scCycleB{}, &scPaint3{}, &scLinePK{}},
	}
	dbtest.Each(t, func(t *testing.T, scratch *dbtest.DB) {
		ctx := context.Background()
		sdb, err := orm.New(scratch.SQL, scratch.DriverName)
		if err != nil {
			t.Fatal(err)
		}
		reg := &migration.Registry{}
		parent := ""
		var head *schema.MetaData
		for i, models := range steps {
			head = scMeta(t, sdb, models...)
			ops := scCompare(t, sdb, head).Ops
			down, err := migration.Reverse(ops)
			if err != nil {
				t.Fatal(err)
			}
			id := "rev" + string(rune('1'+i))
			if err := reg.Add(&migration.Revision{ID: id, Parent: parent, Message: "step " + id, Upgrade: ops, Downgrade: down}); err != nil {
				t.Fatal(err)
			}
			parent = id
			if _, err := migration.Upgrade(ctx, sdb, reg, "head"); err != nil {
				t.Fatalf("upgrade the scratch database to %s: %v", id, err)
			}
		}

		fresh := dbtest.Open(t, scratch.Name)
		var out, errOut bytes.Buffer
		code := cli.Main([]string{"upgrade", "head", "--sql"}, cli.Config{
			Open: func() (*orm.DB, error) {
				pool, err := sql.Open(fresh.DriverName, fresh.DSN)
				if err != nil {
					return nil, err
				}
				return orm.New(pool, fresh.DriverName)
			},
			Registry: reg, Stdout: &out, Stderr: &errOut,
		})
		if code != 0 {
			t.Fatalf("migrate upgrade head --sql: exit %d: %s", code, errOut.String())
		}
		if got, _ := migration.Current(ctx, migration.Wrap(fresh.Dialect, fresh.SQL)); got != "" {
			t.Fatalf("--sql changed the database: at %q", got)
		}
		conn, err := fresh.SQL.Conn(ctx) // PRAGMA foreign_keys holds per connection
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, stmt := range strings.Split(out.String(), ";\n\n") {
			var lines []string
			for _, l := range strings.Split(stmt, "\n") {
				if !strings.HasPrefix(l, "-- ") {
					lines = append(lines, l)
				}
			}
			stmt = strings.TrimSpace(strings.Join(lines, "\n"))
			if stmt == "" {
				continue
			}
			if _, err := conn.ExecContext(ctx, stmt); err != nil {
				t.Fatalf("%s: %v\nscript:\n%s", stmt, err, out.String())
			}
		}
		fdb, err := orm.New(fresh.SQL, fresh.DriverName)
		if err != nil {
			t.Fatal(err)
		}
		if left := scCompare(t, fdb, head); !left.Empty() {
			t.Fatalf("Compare after running the script:\n%s\nscript:\n%s", left, out.String())
		}
		if got, err := migration.Current(ctx, fdb); err != nil || got != "rev4" {
			t.Fatalf("Current = %q, %v; want rev4", got, err)
		}
		// The database the script made upgrades and downgrades like one
		// the runner made.
		if _, err := migration.Downgrade(ctx, fdb, reg, "base"); err != nil {
			t.Fatalf("downgrade to base: %v", err)
		}
		if left := scCompare(t, fdb, &schema.MetaData{}); !left.Empty() {
			t.Fatalf("Compare with nothing after downgrading to base:\n%s", left)
		}
	})
}
