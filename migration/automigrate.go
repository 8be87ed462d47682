package migration

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// AllowDestructive lets AutoMigrate apply every change, including drops
// of tables and columns, narrowing type changes and changes it cannot
// classify. Data checks still apply: a change the existing rows cannot
// satisfy (SET NOT NULL on a column holding NULLs, a unique constraint
// on duplicate values, a foreign key over rows referencing nothing, a
// check the rows violate) is refused whatever the options, since the
// database would reject it. Only the row check of narrowing type
// changes is lifted (see AllowNarrowing): the database then truncates,
// rounds or rejects the values as it does.
func AllowDestructive() Option { return func(o *options) { o.allowDestructive = true } }

// AllowDrops lets AutoMigrate drop tables and columns the target does
// not have. Dropping indexes and constraints is always allowed.
func AllowDrops() Option { return func(o *options) { o.allowDrops = true } }

// AllowNarrowing lets AutoMigrate change a column to a type that may not
// hold every existing value (a shorter string, a smaller integer, fewer
// decimal digits, another kind, fewer enum values). The rows are checked
// first where SQL can tell: a string or binary longer than the new size,
// an integer outside the new range, a decimal with too many digits, a
// removed enum value make AutoMigrate refuse the change, naming the
// column and the number of rows, unless AllowDestructive is given too
// (then the database truncates, rounds or rejects them as it does).
func AllowNarrowing() Option { return func(o *options) { o.allowNarrowing = true } }

// TargetTablesOnly restricts AutoMigrate, Plan and Check to the tables of
// the target (and the tables they are renamed from): other tables of the
// database are neither compared nor dropped. Without it the target is
// taken to describe the whole schema, as SQLAlchemy's metadata does for
// Alembic, and tables it lacks are reported (and dropped with
// AllowDrops).
func TargetTablesOnly() Option { return func(o *options) { o.targetOnly = true } }

// CompareWith passes options to Compare (the dialect is always set).
func CompareWith(opts ...CompareOption) Option {
	return func(o *options) { o.compare = append(o.compare, opts...) }
}

// ErrRefused is wrapped by the error of AutoMigrate and Plan when they
// refuse changes; see RefusedError.
var ErrRefused = errors.New("destructive or data-dependent changes refused")

// Refusal is one change AutoMigrate refused, and why.
type Refusal struct {
	Op     Op
	Reason string
}

// RefusedError lists the changes AutoMigrate refused. When it is
// returned nothing was applied.
type RefusedError struct {
	Refused []Refusal
	// Hints are Compare's remarks (possible renames).
	Hints []string
}

// Error implements error.
func (e *RefusedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migration: %d change(s) refused, nothing applied:", len(e.Refused))
	for _, r := range e.Refused {
		b.WriteString("\n  - ")
		b.WriteString(r.Op.String())
		b.WriteString(": ")
		b.WriteString(r.Reason)
	}
	for _, h := range e.Hints {
		b.WriteString("\n  hint: ")
		b.WriteString(h)
	}
	return b.String()
}

// Is reports whether target is ErrRefused.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// ErrNotInSync is wrapped by the error of Check when the database differs
// from the target; see DriftError.
var ErrNotInSync = errors.New("database schema differs from the target")

// DriftError lists the differences Check found.
type DriftError struct{ Diff *Diff }

// Error implements error.
func (e *DriftError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migration: check: %d difference(s) between the database and the target:", len(e.Diff.Ops))
	for _, op := range e.Diff.Ops {
		mark := ""
		if op.Destructive() {
			mark = " (destructive)"
		}
		b.WriteString("\n  - ")
		b.WriteString(op.String())
		b.WriteString(mark)
	}
	for _, h := range e.Diff.Hints {
		b.WriteString("\n  hint: ")
		b.WriteString(h)
	}
	return b.String()
}

// Is reports whether target is ErrNotInSync.
func (e *DriftError) Is(target error) bool { return target == ErrNotInSync }

// AutoMigrate brings the database's schema to target: it takes the
// migration lock (PostgreSQL advisory lock, MySQL GET_LOCK, SQLite BEGIN
// IMMEDIATE), inspects the live schema, compares it with target and
// applies the difference.
//
// Safe by default. Changes that cannot lose data are applied: new tables,
// columns, indexes and constraints, widened types, dropped NOT NULL,
// dropped indexes and constraints, renames declared with renamed_from.
// Data-dependent changes are checked against the rows first and applied
// when the rows satisfy them: SET NOT NULL (no NULLs), a new unique
// constraint or index (no duplicates), a check constraint, a new primary
// key, a NOT NULL column without default (only on an empty table), a
// foreign key added to an existing table (no orphan rows). Drops
// of tables and columns need AllowDrops, narrowing type changes
// AllowNarrowing, anything else destructive AllowDestructive. When any
// change is refused AutoMigrate applies nothing and returns a
// *RefusedError (matching ErrRefused) listing each refused change and
// why.
//
// Atomic where the database allows it. On PostgreSQL and SQLite every
// statement runs in one transaction: on failure the schema is as before
// (PostgreSQL's ALTER TYPE ... ADD VALUE excepted, which must commit
// first and is harmless to leave). On MySQL/MariaDB, where DDL commits
// implicitly, AutoMigrate stops at the first failing statement and
// returns an *ApplyError naming it and the statements already applied;
// running AutoMigrate again continues from there, since it compares with
// the live schema again.
//
// Idempotent and cheap when there is nothing to do: the schema is first
// inspected without the lock, and when it already matches target
// AutoMigrate returns after the inspection queries (two on the bundled
// dialects, whatever the number of tables), issuing no DDL and taking
// no lock. Otherwise it inspects again under the lock, so that of
// several processes starting together one migrates and the others find
// nothing left to do.
func AutoMigrate(ctx context.Context, conn Conn, target *schema.MetaData, opts ...Option) error {
	o := newOptions(opts)
	if err := checkArgs(conn, target); err != nil {
		return err
	}
	d := conn.Dialect()
	diff, _, err := o.diff(ctx, d, o.pool(conn), target)
	if err != nil {
		return err
	}
	if diff.Empty() {
		return nil
	}
	return migrate(ctx, conn, o, func(ctx context.Context, q dialects.Querier) ([]step, error) {
		return o.plan(ctx, d, q, target)
	})
}

// Plan returns the statements AutoMigrate would run with the same
// options, without running them and without taking the lock: nil when
// the schema matches target, a *RefusedError when AutoMigrate would
// refuse changes. Transaction control, lock and connection set-up
// statements (SQLite's PRAGMA foreign_keys) are not included.
func Plan(ctx context.Context, conn Conn, target *schema.MetaData, opts ...Option) ([]string, error) {
	o := newOptions(opts)
	if err := checkArgs(conn, target); err != nil {
		return nil, err
	}
	steps, err := o.plan(ctx, conn.Dialect(), o.pool(conn), target)
	if err != nil {
		return nil, err
	}
	return stepSQL(steps), nil
}

// Check compares the database with target and returns a *DriftError
// (matching ErrNotInSync) listing every difference, destructive ones
// included, or nil when they match: a CI step that fails when models
// and database drift apart. It changes nothing.
func Check(ctx context.Context, conn Conn, target *schema.MetaData, opts ...Option) error {
	o := newOptions(opts)
	if err := checkArgs(conn, target); err != nil {
		return err
	}
	diff, _, err := o.diff(ctx, conn.Dialect(), o.pool(conn), target)
	if err != nil {
		return err
	}
	if diff.Empty() {
		return nil
	}
	return &DriftError{Diff: diff}
}

func checkArgs(conn Conn, target *schema.MetaData) error {
	if conn == nil || conn.Dialect() == nil || conn.DB() == nil {
		return errors.New("migration: Conn has no dialect or no *sql.DB")
	}
	if target == nil {
		return errors.New("migration: nil target schema")
	}
	return nil
}

// diff inspects through q and compares with target.
func (o *options) diff(ctx context.Context, d dialects.Dialect, q dialects.Querier, target *schema.MetaData) (*Diff, *schema.MetaData, error) {
	live, err := inspectWith(ctx, d, q, o, target)
	if err != nil {
		return nil, nil, err
	}
	copts := append([]CompareOption{WithDialect(d)}, o.compare...)
	diff, err := Compare(target, live, copts...)
	if err != nil {
		return nil, nil, err
	}
	return diff, live, nil
}

// plan inspects, compares, vets the ops against the options and the data,
// and renders them.
func (o *options) plan(ctx context.Context, d dialects.Dialect, q dialects.Querier, target *schema.MetaData) ([]step, error) {
	diff, live, err := o.diff(ctx, d, q, target)
	if err != nil {
		return nil, err
	}
	if diff.Empty() {
		return nil, nil
	}
	if refused := o.vet(ctx, d, q, live, diff.Ops, false); len(refused) > 0 {
		return nil, &RefusedError{Refused: refused, Hints: diff.Hints}
	}
	return render(ctx, d, q, live, diff.Ops)
}

// vet returns the ops the options do not allow or the data cannot take.
// With dataOnly (revisions, whose ops are applied as written), only the
// data checks run: rows a change cannot keep or the database would
// reject (the narrowing check lifted by AllowDestructive).
func (o *options) vet(ctx context.Context, d dialects.Dialect, q dialects.Querier, live *schema.MetaData, ops []Op, dataOnly bool) []Refusal {
	v := &vetter{ctx: ctx, d: d, q: q, live: live, tableFrom: map[string]string{}, colFrom: map[string]map[string]string{},
		added: map[string]map[string]*schema.Column{}}
	for _, op := range ops {
		switch x := op.(type) {
		case *AddColumn:
			if v.added[x.Table] == nil {
				v.added[x.Table] = map[string]*schema.Column{}
			}
			v.added[x.Table][x.Column.Name] = x.Column
		case *RenameTable:
			v.tableFrom[x.To] = x.From
		case *RenameColumn:
			if v.colFrom[x.Table] == nil {
				v.colFrom[x.Table] = map[string]string{}
			}
			v.colFrom[x.Table][x.To] = x.From
		}
	}
	var out []Refusal
	refuse := func(op Op, format string, args ...any) {
		out = append(out, Refusal{Op: op, Reason: fmt.Sprintf(format, args...)})
	}
	drops := o.allowDrops || o.allowDestructive || dataOnly
	narrow := o.allowNarrowing || o.allowDestructive || dataOnly
	for _, op := range ops {
		if fk, ok := op.(*AddForeignKey); ok {
			v.orphans(op, fk, refuse)
		}
		if !op.Destructive() {
			continue
		}
		switch x := op.(type) {
		case *DropTable:
			if !drops {
				refuse(op, "drops the table and its rows%s (allow with AllowDrops or AllowDestructive)", v.rowsNote(x.Table.Name))
			}
		case *DropColumn:
			if !drops {
				refuse(op, "drops the column's data (allow with AllowDrops or AllowDestructive)")
			}
		case *AddColumn:
			if t := v.liveTable(x.Table); t != nil && v.exists("SELECT 1 FROM "+d.Quote(t.Name)) {
				refuse(op, "the table has rows and the column is NOT NULL without a default (give it a default, make it nullable, or fill the table later)")
			}
		case *AlterColumn:
			if x.Narrowing && !narrow {
				refuse(op, "type %s → %s may not hold the existing values (allow with AllowNarrowing or AllowDestructive)", x.From.Type, x.To.Type)
			} else if x.Narrowing && !o.allowDestructive {
				v.narrowing(op, x, refuse)
			}
			if x.NullChanged && !x.To.Nullable {
				if t, c := v.liveColumn(x.Table, x.To.Name); c != "" &&
					v.exists("SELECT 1 FROM "+d.Quote(t.Name)+" WHERE "+d.Quote(c)+" IS NULL") {
					refuse(op, "column %s.%s holds NULL values: SET NOT NULL would fail (update them first)", x.Table, x.To.Name)
				}
			}
		case *CreateIndex:
			if x.Index.Unique {
				v.duplicates(op, x.Table, x.Index.ColumnNames(), refuse)
			}
		case *AddUnique:
			v.duplicates(op, x.Table, x.Unique.Columns, refuse)
		case *AlterPrimaryKey:
			if x.To != nil {
				v.duplicates(op, x.Table, x.To.Columns, refuse)
				for _, c := range x.To.Columns {
					if t, lc := v.liveColumn(x.Table, c); lc != "" &&
						v.exists("SELECT 1 FROM "+d.Quote(t.Name)+" WHERE "+d.Quote(lc)+" IS NULL") {
						refuse(op, "column %s.%s of the new primary key holds NULL values", x.Table, c)
					}
				}
			}
		case *AddCheck:
			if t := v.liveTable(x.Table); t != nil && len(v.colFrom[x.Table]) == 0 &&
				v.exists("SELECT 1 FROM "+d.Quote(t.Name)+" WHERE NOT ("+x.Check.Expr+")") {
				refuse(op, "existing rows violate CHECK (%s)", x.Check.Expr)
			}
		default:
			if !o.allowDestructive && !dataOnly {
				refuse(op, "destructive (allow with AllowDestructive)")
			}
		}
	}
	return out
}

// vetter answers questions about the live data for vet. Names in ops are
// target names; the vetter maps them back through the renames.
type vetter struct {
	ctx       context.Context
	d         dialects.Dialect
	q         dialects.Querier
	live      *schema.MetaData
	tableFrom map[string]string                    // target table → live name
	colFrom   map[string]map[string]string         // target table → target column → live name
	added     map[string]map[string]*schema.Column // target table → columns this migration adds
}

func (v *vetter) liveTable(name string) *schema.Table {
	if from, ok := v.tableFrom[name]; ok {
		name = from
	}
	return v.live.Table(name)
}

// liveColumn returns the live table and the live name of a column, or ""
// when the column is new.
func (v *vetter) liveColumn(table, col string) (*schema.Table, string) {
	t := v.liveTable(table)
	if t == nil {
		return nil, ""
	}
	if from, ok := v.colFrom[table][col]; ok {
		col = from
	}
	if t.Column(col) == nil {
		return nil, ""
	}
	return t, col
}

// exists reports whether query (without LIMIT) returns a row. A query
// that fails (an expression the check cannot evaluate yet) counts as no
// row: the database has the last word.
func (v *vetter) exists(query string) bool {
	rows, err := v.q.QueryContext(v.ctx, query+" LIMIT 1")
	if err != nil {
		return false
	}
	defer rows.Close()
	return rows.Next()
}

// orphans refuses a foreign key added to an existing table whose rows
// reference rows the referenced table does not have: the database would
// reject it (on MySQL after the statements before it have run).
func (v *vetter) orphans(op Op, x *AddForeignKey, refuse func(Op, string, ...any)) {
	fk := x.ForeignKey
	t := v.liveTable(x.Table)
	if t == nil {
		return // a new table: empty
	}
	d := v.d
	var notNull []string
	for _, c := range fk.Columns {
		_, lc := v.liveColumn(x.Table, c)
		if lc == "" {
			return // a new column: NULL or its default, the database decides
		}
		notNull = append(notNull, "c."+d.Quote(lc)+" IS NOT NULL")
	}
	query := "SELECT COUNT(*) FROM " + d.Quote(t.Name) + " c WHERE " + strings.Join(notNull, " AND ")
	if rt := v.liveTable(fk.RefTable); rt != nil {
		refCols := fk.RefColumns
		if len(refCols) == 0 && rt.PrimaryKey != nil {
			refCols = rt.PrimaryKey.Columns
		}
		if len(refCols) != len(fk.Columns) {
			return
		}
		var on []string
		for i, c := range fk.Columns {
			_, lc := v.liveColumn(x.Table, c)
			_, rc := v.liveColumn(fk.RefTable, refCols[i])
			if rc == "" {
				return // a new referenced column
			}
			on = append(on, "p."+d.Quote(rc)+" = c."+d.Quote(lc))
		}
		query += " AND NOT EXISTS (SELECT 1 FROM " + d.Quote(rt.Name) + " p WHERE " + strings.Join(on, " AND ") + ")"
	}
	var n int64
	if err := v.q.QueryRowContext(v.ctx, query).Scan(&n); err != nil || n == 0 {
		return
	}
	refuse(op, "%d row(s) of %s(%s) reference no row of %s: the foreign key would fail (delete or fix them first)",
		n, x.Table, strings.Join(fk.Columns, ", "), fk.RefTable)
}

// narrowing refuses a narrowing type change allowed by AllowNarrowing
// when existing rows do not fit the new type (they would be truncated,
// rounded or rejected), naming how many.
func (v *vetter) narrowing(op Op, x *AlterColumn, refuse func(Op, string, ...any)) {
	t, c := v.liveColumn(x.Table, x.To.Name)
	if c == "" && x.From != nil {
		t, c = v.liveColumn(x.Table, x.From.Name)
	}
	if c == "" {
		return
	}
	to := dialects.NormalizerFor(v.d).NormalizeColumn(&schema.Table{Name: x.Table, Columns: []*schema.Column{x.To}}, x.To).Type
	ck, ok := dialects.NarrowingCheckFor(v.d, v.d.Quote(c), t.Column(c).Type, to)
	if !ok {
		return
	}
	var n int64
	query := "SELECT COUNT(*) FROM " + v.d.Quote(t.Name) + " WHERE " + ck.Where
	if err := v.q.QueryRowContext(v.ctx, query, ck.Args...).Scan(&n); err != nil || n == 0 {
		return // a query the database cannot run: it has the last word
	}
	refuse(op, "%d row(s) of %s.%s %s: the new type would truncate, round or reject them (fix the data first, or allow with AllowDestructive)",
		n, x.Table, x.To.Name, ck.What)
}

func (v *vetter) rowsNote(table string) string {
	var n int64
	if err := v.q.QueryRowContext(v.ctx, "SELECT COUNT(*) FROM "+v.d.Quote(table)).Scan(&n); err != nil {
		return ""
	}
	return fmt.Sprintf(" (%d rows)", n)
}

func (v *vetter) duplicates(op Op, table string, cols []string, refuse func(Op, string, ...any)) {
	t := v.liveTable(table)
	if t == nil || len(cols) == 0 {
		return
	}
	var live []string
	for _, c := range cols {
		_, lc := v.liveColumn(table, c)
		if lc == "" {
			// A new column: every existing row gets its default. With a
			// literal default the rows all hold the same value; otherwise
			// (NULL, an expression) the database decides.
			if nc := v.added[table][c]; nc == nil || nc.Default == nil || !literal(*nc.Default) {
				return
			}
			continue
		}
		live = append(live, v.d.Quote(lc))
	}
	if len(live) == 0 {
		var n int64
		if err := v.q.QueryRowContext(v.ctx, "SELECT COUNT(*) FROM "+v.d.Quote(t.Name)).Scan(&n); err == nil && n > 1 {
			refuse(op, "%s(%s) would hold duplicate values: the new column's default is the same on all %d rows, a unique constraint would fail (add it nullable, fill it, then make it unique)",
				table, strings.Join(cols, ", "), n)
		}
		return
	}
	list := strings.Join(live, ", ")
	query := "SELECT " + list + " FROM " + v.d.Quote(t.Name) + " WHERE " +
		strings.Join(live, " IS NOT NULL AND ") + " IS NOT NULL GROUP BY " + list + " HAVING COUNT(*) > 1"
	if v.exists(query) {
		refuse(op, "%s(%s) holds duplicate values: a unique constraint would fail (remove them first)", table, strings.Join(cols, ", "))
	}
}

// literal reports whether a default is a constant literal (a string or a
// number), the same value for every row it fills.
func literal(def string) bool {
	def = dialects.StripParens(def)
	if _, ok := dialects.UnquoteString(def, false); ok {
		return true
	}
	_, err := strconv.ParseFloat(def, 64)
	return err == nil
}
