package dialects

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/tagorm/orm/schema"
)

// Migrator is implemented by dialects that can change an existing schema:
// one method per schema change primitive, each returning the statements
// that perform it, in order (often one, sometimes none: SQLite has no
// comments).
//
// It is optional, like Inspector; the migration package discovers it with
// a type assertion. The table argument t is the table as it is after the
// change (its name is the current name; dialects read the primary key,
// enum type names and column definitions from it).
//
// A dialect whose ALTER TABLE cannot perform a change returns an error
// wrapping ErrNeedsRebuild; the migration package then rebuilds the table
// through Rebuilder (SQLite).
type Migrator interface {
	// DropTable drops t (PostgreSQL also drops the enum types named after
	// its columns when nothing else uses them).
	DropTable(t *schema.Table) ([]string, error)
	// RenameTable renames table from to to.
	RenameTable(from, to string) ([]string, error)
	// AddColumn adds c to t (t already lists c).
	AddColumn(t *schema.Table, c *schema.Column) ([]string, error)
	// DropColumn drops c from t.
	DropColumn(t *schema.Table, c *schema.Column) ([]string, error)
	// RenameColumn renames column from of t to to.
	RenameColumn(t *schema.Table, from, to string) ([]string, error)
	// AlterColumn changes the type, nullability, default or comment of a
	// column, as ch says.
	AlterColumn(t *schema.Table, ch ColumnChange) ([]string, error)
	// DropIndex drops ix of t.
	DropIndex(t *schema.Table, ix *schema.Index) ([]string, error)
	// AddUnique adds the unique constraint u to t.
	AddUnique(t *schema.Table, u *schema.Unique) ([]string, error)
	// DropUnique drops the unique constraint u of t.
	DropUnique(t *schema.Table, u *schema.Unique) ([]string, error)
	// DropForeignKey drops fk of t.
	DropForeignKey(t *schema.Table, fk *schema.ForeignKey) ([]string, error)
	// AddCheck adds the check constraint ck to t.
	AddCheck(t *schema.Table, ck *schema.Check) ([]string, error)
	// DropCheck drops the check constraint ck of t.
	DropCheck(t *schema.Table, ck *schema.Check) ([]string, error)
	// AlterPrimaryKey replaces the primary key from (nil: none) with to
	// (nil: none).
	AlterPrimaryKey(t *schema.Table, from, to *schema.PrimaryKey) ([]string, error)
	// SetTableComment sets the comment of t ("" removes it).
	SetTableComment(t *schema.Table, comment string) ([]string, error)
	// AddEnumValues adds values to the enum type of column c of t (c
	// already lists every value, in order). PostgreSQL's ALTER TYPE ...
	// ADD VALUE cannot run in a transaction block before PostgreSQL 12,
	// and from 12 on the new value cannot be used in the transaction that
	// added it: dialects with NativeEnum expect these statements to run
	// (and commit) before the rest of a migration.
	AddEnumValues(t *schema.Table, c *schema.Column, values []string) ([]string, error)
}

// ColumnChange describes an AlterColumn: the live column From, the
// target column To, and what differs between them.
type ColumnChange struct {
	From, To *schema.Column
	Type     bool
	Null     bool
	Default  bool
	Comment  bool
}

// ErrNeedsRebuild is wrapped by Migrator methods whose change ALTER TABLE
// cannot make: the table must be rebuilt (see Rebuilder).
var ErrNeedsRebuild = errors.New("ALTER TABLE cannot make this change: the table must be rebuilt")

// Rebuilder is implemented by dialects that make some changes by
// rebuilding a table (SQLite): create a new table with the target
// definition, copy the rows, drop the old table, rename the new one and
// recreate indexes and triggers.
type Rebuilder interface {
	// RebuildTable returns the statements that turn the live table from
	// into to, keeping its rows. sources maps each column of to that
	// takes its values from a column of from to that column's name
	// (renamed columns map to their old name; new columns are absent).
	// q is read for what schema.Table does not describe (triggers); it
	// may be nil when only the SQL is wanted. from.RenamedFrom, when set,
	// is the name q knows the table by (it was renamed by an earlier
	// statement of the same migration, not run yet).
	//
	// from.Name is the table's name when the rebuild runs; to.Name its
	// name afterwards (a rename folded into the rebuild).
	//
	// The statements run inside the migration's transaction, with
	// foreign key enforcement switched off by MigrationSession.
	RebuildTable(ctx context.Context, q Querier, from, to *schema.Table, sources map[string]string) ([]string, error)
}

// MigrationSession is implemented by dialects that must prepare the
// connection a migration runs on, or verify the result before commit.
type MigrationSession interface {
	// PrepareConn runs on the migration's dedicated connection before its
	// transaction begins (SQLite: PRAGMA foreign_keys=OFF, which is a
	// no-op inside a transaction). restore undoes it after the
	// transaction ends; when restore fails the connection must not be
	// reused. conn is as for Locker.Lock: every statement runs through
	// it.
	PrepareConn(ctx context.Context, conn SessionConn) (restore func(context.Context) error, err error)
	// BeforeCommit runs inside the transaction after the last change
	// (SQLite: PRAGMA foreign_key_check); an error rolls it back.
	BeforeCommit(ctx context.Context, q Querier) error
}

// OfflineScripter is an optional interface of a Dialect whose migrations
// need statements around them when printed as a script (migrate upgrade
// --sql) rather than run by the migration package: what
// MigrationSession and the transaction do on a live connection.
type OfflineScripter interface {
	// OfflineScript returns the statements to put before the first
	// statement of the script and after the last.
	OfflineScript() (before, after []string)
}

// AlterTable returns "ALTER TABLE <t> " + rest, t quoted by d.
func AlterTable(d Dialect, t string, rest ...string) string {
	return "ALTER TABLE " + d.Quote(t) + " " + strings.Join(rest, "")
}

// AddUnique returns "ALTER TABLE t ADD [CONSTRAINT name] UNIQUE (cols)".
func (r *DDL) AddUnique(t *schema.Table, u *schema.Unique) string {
	var b strings.Builder
	b.WriteString("ALTER TABLE ")
	b.WriteString(r.Dialect.Quote(t.Name))
	b.WriteString(" ADD ")
	writeConstraintName(&b, r.Dialect, u.Name)
	b.WriteString("UNIQUE (")
	WriteQuotedList(&b, r.Dialect, u.Columns)
	b.WriteByte(')')
	return b.String()
}

// AddCheck returns "ALTER TABLE t ADD [CONSTRAINT name] CHECK (expr)".
func (r *DDL) AddCheck(t *schema.Table, ck *schema.Check) string {
	var b strings.Builder
	b.WriteString("ALTER TABLE ")
	b.WriteString(r.Dialect.Quote(t.Name))
	b.WriteString(" ADD ")
	writeConstraintName(&b, r.Dialect, ck.Name)
	b.WriteString("CHECK (")
	b.WriteString(ck.Expr)
	b.WriteByte(')')
	return b.String()
}

// PrimaryKeyClause returns "[CONSTRAINT name] PRIMARY KEY (cols)", with
// the name only when NamedPrimaryKey is set.
func (r *DDL) PrimaryKeyClause(pk *schema.PrimaryKey) string {
	var b strings.Builder
	if r.NamedPrimaryKey {
		writeConstraintName(&b, r.Dialect, pk.Name)
	}
	b.WriteString("PRIMARY KEY (")
	WriteQuotedList(&b, r.Dialect, pk.Columns)
	b.WriteByte(')')
	return b.String()
}

// CharLengther is an optional interface of a Dialect whose LENGTH
// function does not count characters (MySQL counts bytes): CharLength
// returns the expression that does.
type CharLengther interface {
	CharLength(expr string) string
}

// ValueChecker is an optional interface of a Dialect: SQL conditions over
// a column's values that NarrowingCheckFor needs for kind changes. Each
// method takes an SQL expression (a quoted column).
type ValueChecker interface {
	// NotIntegerText is true when the string expr does not spell an
	// integer (an optional sign and digits, blanks around allowed).
	NotIntegerText(expr string) string
	// IntegerTextValue is the number a string spelling an integer holds.
	IntegerTextValue(expr string) string
	// NotFloat32 is true when the double expr changes when stored as a
	// 32-bit float; "" when the dialect has no such type.
	NotFloat32(expr string) string
	// FractionBeyond is true when the datetime expr has non-zero
	// fractional-second digits after the first p; "" when the dialect
	// keeps no precision.
	FractionBeyond(expr string, p int) string
}

// TimeOfDayChecker is an optional interface of a Dialect that can tell
// a datetime holding a time of day (other than midnight), for checking
// a DateTime → Date change, which would drop it.
type TimeOfDayChecker interface {
	// HasTimeOfDay is true when the datetime expr is not at midnight.
	HasTimeOfDay(expr string) string
}

// NarrowingCheck selects the rows a narrowing type change cannot keep
// as they are.
type NarrowingCheck struct {
	// Where is an SQL condition over the live column, true for the rows
	// whose value the new type cannot hold (bind parameters numbered
	// from 1, with Args).
	Where string
	Args  []any
	// What describes those rows: "longer than 10 characters".
	What string
}

// NarrowingCheckFor returns the check of a type change of the column
// col (a quoted identifier) from type from to type to, both normalised,
// or false when the values cannot be checked in SQL (another kind
// change): strings and binaries longer than the new size, integers
// outside the new kind's range (or negative ones for an unsigned kind),
// decimals with more integer digits or more fractional digits than the
// new precision and scale, enum values the new type removes, strings
// that are none of the values of a new enum type; and, on
// dialects implementing ValueChecker, strings that do not spell an
// integer in range (string or text → integer), decimals and floats with
// a fractional part or out of range (→ integer), doubles a 32-bit float
// cannot hold, datetimes with more fractional-second digits than the new
// precision.
func NarrowingCheckFor(d Dialect, col string, from, to schema.Type) (NarrowingCheck, bool) {
	switch {
	case to.Kind == schema.String && to.Size > 0 && (from.Kind == schema.String || from.Kind == schema.Text):
		length := "LENGTH(" + col + ")"
		if cl, ok := d.(CharLengther); ok {
			length = cl.CharLength(col)
		}
		return NarrowingCheck{Where: length + " > " + strconv.Itoa(to.Size),
			What: "longer than " + strconv.Itoa(to.Size) + " characters"}, true
	case to.Kind == schema.Binary && to.Size > 0 && from.Kind == schema.Binary:
		return NarrowingCheck{Where: "LENGTH(" + col + ") > " + strconv.Itoa(to.Size),
			What: "longer than " + strconv.Itoa(to.Size) + " bytes"}, true
	case intKind(from.Kind) && intKind(to.Kind):
		lo, hi := intRange(to)
		return NarrowingCheck{Where: col + " < " + lo + " OR " + col + " > " + hi,
			What: "outside [" + lo + ", " + hi + "]"}, true
	case from.Kind == schema.Decimal && to.Kind == schema.Decimal && to.Precision > 0:
		limit := "1" + strings.Repeat("0", to.Precision-to.Scale)
		desc := fmt.Sprintf("with more than %d integer digits", to.Precision-to.Scale)
		where := "ABS(" + col + ") >= " + limit
		if from.Precision == 0 || to.Scale < from.Scale {
			where += " OR " + col + " <> ROUND(" + col + ", " + strconv.Itoa(to.Scale) + ")"
			desc += fmt.Sprintf(" or more than %d fractional digits", to.Scale)
		}
		return NarrowingCheck{Where: where, What: desc}, true
	case intKind(to.Kind) && (from.Kind == schema.String || from.Kind == schema.Text):
		vc, ok := d.(ValueChecker)
		if !ok {
			return NarrowingCheck{}, false
		}
		lo, hi := intRange(to)
		v := vc.IntegerTextValue(col)
		return NarrowingCheck{
			Where: "CASE WHEN " + vc.NotIntegerText(col) + " THEN 1 WHEN " + v + " < " + lo + " OR " + v + " > " + hi + " THEN 1 ELSE 0 END = 1",
			What:  "not integers or outside [" + lo + ", " + hi + "]",
		}, true
	case intKind(to.Kind) && (from.Kind == schema.Decimal || from.Kind == schema.Float || from.Kind == schema.Double):
		lo, hi := intRange(to)
		return NarrowingCheck{
			Where: col + " <> ROUND(" + col + ", 0) OR " + col + " < " + lo + " OR " + col + " > " + hi,
			What:  "with a fractional part or outside [" + lo + ", " + hi + "]",
		}, true
	case from.Kind == schema.Double && to.Kind == schema.Float:
		vc, ok := d.(ValueChecker)
		if !ok || vc.NotFloat32(col) == "" {
			return NarrowingCheck{}, false
		}
		return NarrowingCheck{Where: vc.NotFloat32(col), What: "that a 32-bit float cannot hold exactly"}, true
	case from.Kind == schema.DateTime && to.Kind == schema.DateTime && to.Precision < from.Precision:
		vc, ok := d.(ValueChecker)
		if !ok || vc.FractionBeyond(col, to.Precision) == "" {
			return NarrowingCheck{}, false
		}
		return NarrowingCheck{Where: vc.FractionBeyond(col, to.Precision),
			What: fmt.Sprintf("with more than %d fractional-second digits", to.Precision)}, true
	case to.Kind == schema.Enum && len(to.Values) > 0 && (from.Kind == schema.String || from.Kind == schema.Text):
		ck := NarrowingCheck{Where: col + " NOT IN (", What: "holding a value not in enum(" + strings.Join(to.Values, ", ") + ")"}
		for i, v := range to.Values {
			if i > 0 {
				ck.Where += ", "
			}
			ck.Where += d.Placeholder(i + 1)
			ck.Args = append(ck.Args, v)
		}
		ck.Where += ")"
		return ck, true
	case from.Kind == schema.DateTime && to.Kind == schema.Date:
		tc, ok := d.(TimeOfDayChecker)
		if !ok {
			return NarrowingCheck{}, false
		}
		return NarrowingCheck{Where: tc.HasTimeOfDay(col), What: "with a time of day (a date column would drop it)"}, true
	case from.Kind == schema.Enum && to.Kind == schema.Enum:
		var gone []string
		for _, v := range from.Values {
			if !slices.Contains(to.Values, v) {
				gone = append(gone, v)
			}
		}
		if len(gone) == 0 {
			return NarrowingCheck{}, false
		}
		ck := NarrowingCheck{Where: col + " IN (", What: "holding a removed value (" + strings.Join(gone, ", ") + ")"}
		for i, v := range gone {
			if i > 0 {
				ck.Where += ", "
			}
			ck.Where += d.Placeholder(i + 1)
			ck.Args = append(ck.Args, v)
		}
		ck.Where += ")"
		return ck, true
	}
	return NarrowingCheck{}, false
}

func intKind(k schema.Kind) bool {
	return k == schema.SmallInt || k == schema.Integer || k == schema.BigInt
}

// intRange returns the bounds of an integer type, as SQL literals.
func intRange(t schema.Type) (lo, hi string) {
	bits := map[schema.Kind]uint{schema.SmallInt: 16, schema.Integer: 32, schema.BigInt: 64}[t.Kind]
	if t.Unsigned {
		return "0", new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1)).String()
	}
	max := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits-1), big.NewInt(1))
	return new(big.Int).Neg(new(big.Int).Add(max, big.NewInt(1))).String(), max.String()
}
