package migration_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// TestScenarioRevisions runs every scenario through the revision runner,
// the way Alembic users work: on a fresh database,
//
//	rev1 = the ops of Compare(v1, empty), Downgrade = Reverse → Upgrade
//	→ seed → rev2 = the ops of Compare(v2, live), Downgrade = Reverse →
//	Upgrade head → Compare(v2) empty, rows intact → Downgrade -1 →
//	Compare(v1) empty, the v1 rows as they were (unless rev2 drops a
//	column or table: their data cannot come back) → Upgrade head again →
//	Compare(v2) empty, rows as after the first upgrade → the scenario's
//	checks.
//
// Revisions apply their ops as written (no AllowDrops or AllowNarrowing
// needed), but changes the rows cannot take are refused before anything
// runs: a scenario refused whatever the options is refused by Upgrade
// too, and the database stays at rev1. A downgrade the rows cannot take
// (re-adding a dropped NOT NULL column) is refused and stays at rev2.
func TestScenarioRevisions(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, name := range dbtest.Names {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					runScenarioRevisions(t, dbtest.Open(t, name), sc)
				})
			}
		})
	}
}

// scDownRefused names the scenarios whose downgrade is refused, with a
// substring of the refusal.
var scDownRefused = map[string]string{
	// item.name (NOT NULL, no default) was dropped: it cannot be re-added
	// to rows.
	"drop_and_add_column_hint": "re-adds column item.name, which the revision dropped",
	// line.line_no (NOT NULL, part of the primary key) was dropped.
	"drop_column_of_composite_pk": "re-adds column line.line_no, which the revision dropped",
	// parent was dropped with its rows: the children's foreign key
	// cannot come back.
	"drop_table_referenced_by_other": "reference no row of parent",
}

// scDownConverts names the scenarios whose downgrade gives the values
// back as the conversion spelled them (' -3 ' → -3 → '-3').
var scDownConverts = map[string]bool{"text_to_int_fits": true, "varchar_to_int_fits": true}

func runScenarioRevisions(t *testing.T, tdb *dbtest.DB, sc scenario) {
	ctx := context.Background()
	db, err := orm.New(tdb.SQL, tdb.DriverName)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := db.MetaData(sc.v1...)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := db.MetaData(sc.v2...)
	if err != nil {
		t.Fatal(err)
	}
	compare := func(target *schema.MetaData) *migration.Diff {
		t.Helper()
		live, err := migration.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		diff, err := migration.Compare(target, live, migration.WithDialect(db.Dialect()))
		if err != nil {
			t.Fatal(err)
		}
		return diff
	}
	mustEmpty := func(what string, target *schema.MetaData) {
		t.Helper()
		if left := compare(target); !left.Empty() {
			t.Fatalf("Compare after %s:\n%s", what, left)
		}
	}
	current := func(want string) {
		t.Helper()
		cur, err := migration.Current(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if cur != want {
			t.Fatalf("Current = %q, want %q", cur, want)
		}
	}
	reg := &migration.Registry{}
	addRev := func(id, parent string, ops []migration.Op) {
		t.Helper()
		down, err := migration.Reverse(ops)
		if err != nil {
			t.Fatal(err)
		}
		rev := &migration.Revision{ID: id, Parent: parent, Message: sc.name, Upgrade: ops, Downgrade: down}
		// Every revision can be written as a Go file.
		if _, err := migration.RevisionSource("migrations", rev); err != nil {
			t.Fatalf("RevisionSource: %v", err)
		}
		if err := reg.Add(rev); err != nil {
			t.Fatal(err)
		}
	}

	addRev("r1", "", compare(v1).Ops)
	if _, err := migration.Upgrade(ctx, db, reg, "head"); err != nil {
		t.Fatalf("upgrade to r1: %v", err)
	}
	mustEmpty("upgrade to r1", v1)
	for _, s := range sc.seeds(tdb.Name) {
		if _, err := tdb.SQL.ExecContext(ctx, s); err != nil {
			t.Fatalf("seed %s: %v", s, err)
		}
	}
	rows1 := scDump(t, tdb, v1)

	diff := compare(v2)
	want, ok := sc.want[tdb.Name]
	if !ok {
		want = sc.want[""]
	}
	var got []string
	for _, op := range diff.Ops {
		got = append(got, op.String())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Compare v1 → v2:\n got %s\nwant %s", scQuote(got), scQuote(want))
	}
	addRev("r2", "r1", diff.Ops)
	// The data of a dropped column or table cannot come back; that of an
	// added one is dropped by the downgrade and made again (defaults such
	// as CURRENT_TIMESTAMP give other values) by the next upgrade.
	lossy := slices.ContainsFunc(diff.Ops, func(op migration.Op) bool {
		switch op.(type) {
		case *migration.DropColumn, *migration.DropTable:
			return true
		}
		return false
	})
	remade := lossy || slices.ContainsFunc(diff.Ops, func(op migration.Op) bool {
		switch op.(type) {
		case *migration.AddColumn, *migration.CreateTable:
			return true
		}
		return false
	})

	var ran []string
	record := migration.OnStatement(func(s string) { ran = append(ran, s) })
	_, err = migration.Upgrade(ctx, db, reg, "head", record)
	if sc.refusedAlways && len(want) > 0 {
		if !errors.Is(err, migration.ErrRefused) || !strings.Contains(err.Error(), sc.refused) {
			t.Fatalf("upgrade to r2: want a refusal containing %q, got %v", sc.refused, err)
		}
		if len(ran) > 0 {
			t.Fatalf("a refused upgrade ran %q", ran)
		}
		current("r1")
		mustEmpty("a refused upgrade", v1)
		scRunChecks(t, tdb, sc.allChecks(tdb.Name))
		return
	}
	if err != nil {
		t.Fatalf("upgrade to r2: %v\nran:\n%s", err, strings.Join(ran, "\n"))
	}
	current("r2")
	mustEmpty("upgrade to r2", v2)
	rows2 := scDump(t, tdb, v2)

	ran = nil
	_, err = migration.Downgrade(ctx, db, reg, "-1", record)
	if msg := scDownRefused[sc.name]; msg != "" {
		if !errors.Is(err, migration.ErrRefused) || !strings.Contains(err.Error(), msg) {
			t.Fatalf("downgrade to r1: want a refusal containing %q, got %v", msg, err)
		}
		if len(ran) > 0 {
			t.Fatalf("a refused downgrade ran %q", ran)
		}
		current("r2")
		mustEmpty("a refused downgrade", v2)
		scRunChecks(t, tdb, sc.allChecks(tdb.Name))
		return
	}
	if err != nil {
		t.Fatalf("downgrade to r1: %v\nran:\n%s", err, strings.Join(ran, "\n"))
	}
	current("r1")
	mustEmpty("downgrade to r1", v1)
	if !lossy && !scDownConverts[sc.name] {
		if got := scDump(t, tdb, v1); got != rows1 {
			t.Fatalf("rows after downgrade:\n got %s\nwant %s", got, rows1)
		}
	}

	ran = nil
	if _, err := migration.Upgrade(ctx, db, reg, "head", record); err != nil {
		t.Fatalf("upgrade to r2 again: %v\nran:\n%s", err, strings.Join(ran, "\n"))
	}
	current("r2")
	mustEmpty("upgrade to r2 again", v2)
	if !remade {
		if got := scDump(t, tdb, v2); got != rows2 {
			t.Fatalf("rows after upgrading again:\n got %s\nwant %s", got, rows2)
		}
	}
	scRunChecks(t, tdb, sc.allChecks(tdb.Name))
}

var scDumpN atomic.Int64

// scDump returns the rows of every table of md, columns in name order.
func scDump(t *testing.T, tdb *dbtest.DB, md *schema.MetaData) string {
	t.Helper()
	var b strings.Builder
	for _, tab := range md.Tables {
		cols := tab.ColumnNames()
		sort.Strings(cols)
		q := make([]string, len(cols))
		for i, c := range cols {
			q[i] = tdb.Dialect.Quote(c)
		}
		b.WriteString(tab.Name + ":\n")
		// A query text of its own each time: pgx's statement cache would
		// otherwise reuse a plan made for the column types before the
		// migration.
		b.WriteString(scRows(t, tdb.SQL, "SELECT /* "+strconv.FormatInt(scDumpN.Add(1), 10)+" */ "+strings.Join(q, ", ")+" FROM "+tdb.Dialect.Quote(tab.Name)+" ORDER BY "+strings.Join(q, ", ")))
		b.WriteString("\n")
	}
	return b.String()
}
