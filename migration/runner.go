package migration

import (
	"context"
	"errors"
	"fmt"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// versionTable is the table that records the database's revision, like
// Alembic's alembic_version: one row, or none at the base.
func versionTable() *schema.Table {
	return &schema.Table{
		Name:       VersionTable,
		Columns:    []*schema.Column{{Name: "version_num", Type: schema.Type{Kind: schema.String, Size: 64}}},
		PrimaryKey: &schema.PrimaryKey{Name: VersionTable + "_pkc", Columns: []string{"version_num"}},
	}
}

// ensureVersionTable creates the version table when it is missing.
func ensureVersionTable(ctx context.Context, c Conn, o *options) error {
	q := o.pool(c)
	for _, s := range c.Dialect().CreateTable(versionTable(), nil, true) {
		if _, err := q.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("migration: create %s: %w", VersionTable, err)
		}
	}
	return nil
}

// readVersion returns the revision recorded in the version table ("" for
// none).
func readVersion(ctx context.Context, d dialects.Dialect, q dialects.Querier) (string, error) {
	rows, err := q.QueryContext(ctx, "SELECT version_num FROM "+d.Quote(VersionTable))
	if err != nil {
		return "", fmt.Errorf("migration: read %s: %w", VersionTable, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return "", err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	switch len(out) {
	case 0:
		return "", nil
	case 1:
		return out[0], nil
	}
	return "", revErr("%s holds %d revisions %v; tagorm keeps one line of history", VersionTable, len(out), out)
}

// versionSteps returns the statements that record rev as the current
// revision ("" for the base).
func versionSteps(d dialects.Dialect, rev string) []step {
	out := []step{{sql: "DELETE FROM " + d.Quote(VersionTable), op: &Exec{OnTable: VersionTable}}}
	if rev != "" {
		// Revision IDs are letters, digits and _ (Registry.Add checks).
		out = append(out, step{sql: "INSERT INTO " + d.Quote(VersionTable) + " (version_num) VALUES ('" + rev + "')", op: &Exec{OnTable: VersionTable}})
	}
	for i := range out {
		out[i].op.(*Exec).SQL = out[i].sql
	}
	return out
}

// Current returns the revision the database is at: "" when it has none
// (the base, or a database never migrated with revisions).
func Current(ctx context.Context, conn Conn) (string, error) {
	d := conn.Dialect()
	in, ok := d.(dialects.Inspector)
	if !ok {
		return "", fmt.Errorf("migration: current: %s: %w", d.Name(), ErrNoInspector)
	}
	q := newOptions(nil).pool(conn)
	md, err := in.Inspect(ctx, q, dialects.InspectOptions{Tables: []string{VersionTable}})
	if err != nil {
		return "", fmt.Errorf("migration: current: %w", err)
	}
	if md.Table(VersionTable) == nil {
		return "", nil
	}
	return readVersion(ctx, d, q)
}

// A Step is one revision applied (or reverted) by Upgrade or Downgrade.
type Step struct {
	Revision *Revision
	// Down is set for a revision being reverted.
	Down bool
	// SQL is what the step ran (or, for UpgradeSQL, would run).
	SQL []string
}

// Upgrade applies the revisions of reg after the database's current one,
// up to target: "head", a revision ID or unique prefix, or "+N". Each
// revision's ops are rendered against the schema as the previous ones
// leave it, and the version table is updated after each revision. On
// PostgreSQL and SQLite the whole upgrade runs in one transaction under
// the migration lock; on MySQL a failure leaves the database at the last
// revision that completed, and a rerun continues from there.
//
// The ops run as written: drops and narrowing changes need no option.
// But the rows are checked first, and a change they cannot take (see
// vetRevisions: NULLs under SET NOT NULL, duplicates under a new unique
// or primary key, orphans under a foreign key, values a narrowing or kind
// change cannot keep) makes Upgrade return a *RefusedError before any
// statement runs. AllowDestructive lifts the check of narrowing and kind
// changes (the database then converts, rounds or rejects the values).
func Upgrade(ctx context.Context, conn Conn, reg *Registry, target string, opts ...Option) ([]Step, error) {
	return move(ctx, conn, reg, target, false, opts)
}

// Downgrade reverts revisions, newest first, down to target: "base", a
// revision ID or prefix (which stays applied), or "-N". The rows are
// checked as for Upgrade: re-adding a dropped NOT NULL column without a
// default to a table with rows is refused, with a hint that its data
// cannot come back.
func Downgrade(ctx context.Context, conn Conn, reg *Registry, target string, opts ...Option) ([]Step, error) {
	return move(ctx, conn, reg, target, true, opts)
}

// ErrWrongDirection is returned when Upgrade is asked for an older
// revision or Downgrade for a newer one.
var ErrWrongDirection = errors.New("target revision is in the other direction")

// path returns the revisions between current and target, in the order to
// run them.
func path(history []*Revision, current, target string, down bool) ([]Step, error) {
	to, err := resolve(history, current, target)
	if err != nil {
		return nil, err
	}
	from := -1 // resolve has checked that current is in history
	for i, r := range history {
		if r.ID == current {
			from = i
		}
	}
	var steps []Step
	switch {
	case !down && to < from:
		return nil, fmt.Errorf("migration: upgrade to %s: the database is at %s, which is newer: %w", target, displayRev(current), ErrWrongDirection)
	case down && to > from:
		return nil, fmt.Errorf("migration: downgrade to %s: the database is at %s, which is older: %w", target, displayRev(current), ErrWrongDirection)
	case !down:
		for i := from + 1; i <= to; i++ {
			steps = append(steps, Step{Revision: history[i]})
		}
	default:
		for i := from; i > to; i-- {
			steps = append(steps, Step{Revision: history[i], Down: true})
		}
	}
	return steps, nil
}

func move(ctx context.Context, conn Conn, reg *Registry, target string, down bool, opts []Option) ([]Step, error) {
	history, err := reg.History()
	if err != nil {
		return nil, err
	}
	o := newOptions(opts)
	if err := ensureVersionTable(ctx, conn, o); err != nil {
		return nil, err
	}
	var done []Step
	err = migrate(ctx, conn, o, func(ctx context.Context, q dialects.Querier) ([]step, error) {
		current, err := readVersion(ctx, conn.Dialect(), q)
		if err != nil {
			return nil, err
		}
		todo, err := path(history, current, target, down)
		if err != nil {
			return nil, err
		}
		live, err := inspectWith(ctx, conn.Dialect(), q, o, nil)
		if err != nil {
			return nil, err
		}
		if err := vetRevisions(ctx, conn.Dialect(), q, o, live, todo); err != nil {
			return nil, err
		}
		var all []step
		done = done[:0]
		for _, st := range todo {
			steps, next, err := revisionSteps(ctx, conn.Dialect(), q, live, st)
			if err != nil {
				return nil, err
			}
			live = next
			st.SQL = stepSQL(steps)
			all = append(all, steps...)
			done = append(done, st)
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return done, nil
}

// vetRevisions checks the rows before anything runs: the ops of the
// revisions to run are applied as written (drops and narrowing are the
// revision's decision), but a change the existing rows cannot take (SET
// NOT NULL over NULLs, a unique key or primary key over duplicates, a
// foreign key over orphans, a check the rows violate, a NOT NULL column
// without default added to a table with rows, a narrowing or kind change
// the values do not fit, unless AllowDestructive) is refused up front
// with a *RefusedError, so that nothing is applied, MySQL included. The
// rows are those of the database before the run: the ops of a table an
// earlier revision of the same run changes are left to the database.
func vetRevisions(ctx context.Context, d dialects.Dialect, q dialects.Querier, o *options, live *schema.MetaData, todo []Step) error {
	touched := map[string]bool{}
	var refused []Refusal
	var hints []string
	for _, st := range todo {
		ops := st.Revision.Upgrade
		if st.Down {
			ops = st.Revision.Downgrade
		}
		var mine []Op
		for _, op := range ops {
			if !touched[op.TableName()] {
				mine = append(mine, op)
			}
		}
		r := o.vet(ctx, d, q, live, mine, true)
		for _, x := range r {
			x.Reason = "revision " + st.Revision.ID + ": " + x.Reason
			refused = append(refused, x)
			if ac, ok := x.Op.(*AddColumn); ok && st.Down {
				hints = append(hints, fmt.Sprintf("downgrading %s re-adds column %s.%s, which the revision dropped: its data cannot come back (give the column a default or make it nullable in the downgrade, or fill it with an Exec op)",
					st.Revision.ID, ac.Table, ac.Column.Name))
			}
		}
		for _, op := range ops {
			touched[op.TableName()] = true
			if rt, ok := op.(*RenameTable); ok {
				touched[rt.From] = true
			}
		}
	}
	if len(refused) > 0 {
		return &RefusedError{Refused: refused, Hints: hints}
	}
	return nil
}

// revisionSteps renders one revision (up or down) against live, followed
// by the version table update, and returns the schema it leaves.
func revisionSteps(ctx context.Context, d dialects.Dialect, q dialects.Querier, live *schema.MetaData, st Step) ([]step, *schema.MetaData, error) {
	ops, newRev := st.Revision.Upgrade, st.Revision.ID
	if st.Down {
		ops, newRev = st.Revision.Downgrade, st.Revision.Parent
	}
	steps, err := render(ctx, d, q, live, ops)
	if err != nil {
		return nil, nil, fmt.Errorf("migration: revision %s: %w", st.Revision.ID, err)
	}
	next, err := Simulate(live, ops)
	if err != nil {
		return nil, nil, fmt.Errorf("migration: revision %s: %w", st.Revision.ID, err)
	}
	return append(steps, versionSteps(d, newRev)...), next, nil
}

// UpgradeSQL returns the statements Upgrade would run, per revision,
// without running them (Alembic's --sql): rendered against the live
// schema and the database's current revision, or, when from is not empty,
// against the schema the revisions up to from produce from an empty
// database ("base" for none). The statements of the first revision begin
// with CREATE TABLE IF NOT EXISTS of the version table, and, on dialects
// implementing dialects.OfflineScripter, the script is framed as the
// runner frames a migration (SQLite: PRAGMA foreign_keys=OFF, BEGIN …
// COMMIT, PRAGMA foreign_keys=ON): run in order on one connection, they
// are the migration.
func UpgradeSQL(ctx context.Context, conn Conn, reg *Registry, from, target string) ([]Step, error) {
	return offline(ctx, conn, reg, from, target, false)
}

// DowngradeSQL is UpgradeSQL for Downgrade.
func DowngradeSQL(ctx context.Context, conn Conn, reg *Registry, from, target string) ([]Step, error) {
	return offline(ctx, conn, reg, from, target, true)
}

func offline(ctx context.Context, conn Conn, reg *Registry, from, target string, down bool) ([]Step, error) {
	history, err := reg.History()
	if err != nil {
		return nil, err
	}
	d := conn.Dialect()
	var live *schema.MetaData
	var current string
	if from == "" {
		if current, err = Current(ctx, conn); err != nil {
			return nil, err
		}
		if live, err = Inspect(ctx, conn); err != nil {
			return nil, err
		}
	} else {
		// Build the schema of `from` by simulating every revision up to it.
		live = &schema.MetaData{}
		if from != "base" {
			idx, err := resolve(history, "", from)
			if err != nil {
				return nil, err
			}
			for _, r := range history[:idx+1] {
				if live, err = Simulate(live, r.Upgrade); err != nil {
					return nil, err
				}
			}
			current = history[idx].ID
		}
	}
	todo, err := path(history, current, target, down)
	if err != nil {
		return nil, err
	}
	for i, st := range todo {
		steps, next, err := revisionSteps(ctx, d, nil, live, st)
		if err != nil {
			return nil, err
		}
		live = next
		todo[i].SQL = stepSQL(steps)
	}
	if len(todo) == 0 {
		return todo, nil
	}
	// The script must run on a database that has never been migrated:
	// it creates the version table (IF NOT EXISTS) before the first
	// revision. And it does what the runner does around the statements
	// on a live connection (SQLite: foreign keys off, one transaction,
	// foreign_key_check).
	var before, after []string
	if sc, ok := d.(dialects.OfflineScripter); ok {
		before, after = sc.OfflineScript()
	}
	before = append(before, d.CreateTable(versionTable(), nil, true)...)
	todo[0].SQL = append(before, todo[0].SQL...)
	last := &todo[len(todo)-1]
	last.SQL = append(last.SQL, after...)
	return todo, nil
}

// Stamp records target as the database's revision without running any
// migration (for a database whose schema was made another way).
func Stamp(ctx context.Context, conn Conn, reg *Registry, target string) error {
	history, err := reg.History()
	if err != nil {
		return err
	}
	rev := ""
	if target != "base" {
		idx, err := resolve(history, "", target)
		if err != nil {
			return err
		}
		rev = history[idx].ID
	}
	o := newOptions(nil)
	if err := ensureVersionTable(ctx, conn, o); err != nil {
		return err
	}
	return migrate(ctx, conn, o, func(ctx context.Context, q dialects.Querier) ([]step, error) {
		return versionSteps(conn.Dialect(), rev), nil
	})
}
