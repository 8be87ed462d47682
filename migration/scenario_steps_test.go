package migration_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
)

// Scenarios of several steps, which the two-version harness of
// TestScenarios cannot express: each step's models are migrated to in
// turn (with AutoMigrate, then as a history of revisions upgraded and
// downgraded), and each step's ops and checks are verified.

type scPaintNoColor struct {
	_  struct{} `orm:"table:paint"`
	ID int64    `db:"id"`
}

type scColorBY string

func (scColorBY) EnumValues() []string { return []string{"blue", "yellow"} }

type scPaintBY struct {
	_     struct{}  `orm:"table:paint"`
	ID    int64     `db:"id"`
	Color scColorBY `db:"color" orm:"default:'yellow'"`
}

type scStep struct {
	models []any
	want   []string // ops Compare finds from the previous step
	checks []scCheck
}

// scEnumReAdded: an enum column dropped, then added again under the same
// name with other values (PostgreSQL names the type after the table and
// column, so the type of the dropped column must not be reused); then the
// same through a dropped and re-created table.
func scEnumReAdded() map[string][]scStep {
	red := []scCheck{
		{query: "INSERT INTO paint (id, color) VALUES (10, 'red')"},
		{query: "INSERT INTO paint (id, color) VALUES (11, 'yellow')", fail: true},
		{query: "DELETE FROM paint WHERE id = 10"},
	}
	yellow := []scCheck{
		{query: "INSERT INTO paint (id, color) VALUES (10, 'yellow')"},
		{query: "INSERT INTO paint (id, color) VALUES (11, 'red')", fail: true},
		{query: "INSERT INTO paint (id) VALUES (12)"},
		{query: "SELECT id, color FROM paint ORDER BY id", want: "1|yellow\n10|yellow\n12|yellow"},
		{query: "DELETE FROM paint WHERE id IN (10, 12)"},
	}
	return map[string][]scStep{
		"enum_column_dropped_and_re_added_with_other_values": {
			{models: []any{&scPaint{}}, checks: append([]scCheck{{query: "INSERT INTO paint (id, color) VALUES (1, 'green')"}}, red...)},
			{models: []any{&scPaintNoColor{}}, want: []string{"drop column paint.color"}},
			{models: []any{&scPaintBY{}}, want: []string{"add column paint.color enum(blue,yellow)"}, checks: yellow},
		},
		"enum_table_dropped_and_re_created_with_other_values": {
			{models: []any{&scPaint{}}, checks: append([]scCheck{{query: "INSERT INTO paint (id, color) VALUES (1, 'green')"}}, red...)},
			{models: []any{&scItem{}}, want: []string{"create table item", "drop table paint"}},
			{models: []any{&scItem{}, &scPaintBY{}}, want: []string{"create table paint"}, checks: append([]scCheck{{query: "INSERT INTO paint (id, color) VALUES (1, 'yellow')"}}, yellow...)},
		},
	}
}

func TestScenarioSteps(t *testing.T) {
	for name, steps := range scEnumReAdded() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, dn := range dbtest.Names {
				t.Run(dn, func(t *testing.T) {
					t.Parallel()
					t.Run("automigrate", func(t *testing.T) { runSteps(t, dbtest.Open(t, dn), steps, false) })
					t.Run("revisions", func(t *testing.T) { runSteps(t, dbtest.Open(t, dn), steps, true) })
				})
			}
		})
	}
}

// runSteps migrates a fresh database through steps, by AutoMigrate or by
// revisions; with revisions it then downgrades to the first step and
// upgrades to the last again, checking each step on the way.
func runSteps(t *testing.T, tdb *dbtest.DB, steps []scStep, revisions bool) {
	ctx := context.Background()
	db, err := orm.New(tdb.SQL, tdb.DriverName)
	if err != nil {
		t.Fatal(err)
	}
	drops := migration.AllowDrops()
	reg := &migration.Registry{}
	ids := []string{""}
	for i, st := range steps {
		target := scMeta(t, db, st.models...)
		diff := scCompare(t, db, target)
		if i > 0 {
			var got []string
			for _, op := range diff.Ops {
				got = append(got, op.String())
			}
			if !slices.Equal(got, st.want) {
				t.Fatalf("step %d: Compare:\n got %s\nwant %s", i+1, scQuote(got), scQuote(st.want))
			}
		}
		var ran []string
		record := migration.OnStatement(func(s string) { ran = append(ran, s) })
		if revisions {
			down, err := migration.Reverse(diff.Ops)
			if err != nil {
				t.Fatal(err)
			}
			id := "s" + string(rune('1'+i))
			if err := reg.Add(&migration.Revision{ID: id, Parent: ids[len(ids)-1], Upgrade: diff.Ops, Downgrade: down}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
			_, err = migration.Upgrade(ctx, db, reg, "head", record, drops)
			if err != nil {
				t.Fatalf("step %d: upgrade: %v\nran:\n%s", i+1, err, strings.Join(ran, "\n"))
			}
		} else if err := migration.AutoMigrate(ctx, db, target, record, drops); err != nil {
			t.Fatalf("step %d: AutoMigrate: %v\nran:\n%s", i+1, err, strings.Join(ran, "\n"))
		}
		if left := scCompare(t, db, target); !left.Empty() {
			t.Fatalf("step %d: Compare after migrating:\n%s\nran:\n%s", i+1, left, strings.Join(ran, "\n"))
		}
		scRunChecks(t, tdb, st.checks)
		if t.Failed() {
			t.Fatalf("step %d ran:\n%s", i+1, strings.Join(ran, "\n"))
		}
	}
	if !revisions {
		return
	}
	// Down to the first step and up again: the re-added column or table
	// of each direction gets its own values.
	if _, err := migration.Downgrade(ctx, db, reg, ids[1], drops); err != nil {
		t.Fatalf("downgrade to %s: %v", ids[1], err)
	}
	if left := scCompare(t, db, scMeta(t, db, steps[0].models...)); !left.Empty() {
		t.Fatalf("Compare after the downgrade:\n%s", left)
	}
	scRunChecks(t, tdb, steps[0].checks[1:]) // the row of step 1 is gone with its column or table
	if _, err := migration.Upgrade(ctx, db, reg, "head", drops); err != nil {
		t.Fatalf("upgrade to head again: %v", err)
	}
	if left := scCompare(t, db, scMeta(t, db, steps[len(steps)-1].models...)); !left.Empty() {
		t.Fatalf("Compare after upgrading again:\n%s", left)
	}
}
