package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var (
	_ dialects.Migrator         = Dialect{}
	_ dialects.Rebuilder        = Dialect{}
	_ dialects.MigrationSession = Dialect{}
)

// RebuildPrefix prefixes the name of the new table a rebuild creates
// before it takes the old table's name.
const RebuildPrefix = "_tagorm_new_"

func needsRebuild(what string, t *schema.Table) error {
	return fmt.Errorf("sqlite: %s on table %q: %w", what, t.Name, dialects.ErrNeedsRebuild)
}

// DropTable returns DROP TABLE. Run it with foreign key enforcement off
// (see PrepareConn): otherwise SQLite deletes the rows first and applies
// the child tables' ON DELETE actions.
func (d Dialect) DropTable(t *schema.Table) ([]string, error) {
	return []string{"DROP TABLE " + d.Quote(t.Name)}, nil
}

// RenameTable returns ALTER TABLE ... RENAME TO, which also rewrites the
// references of other tables' foreign keys, indexes and triggers.
func (d Dialect) RenameTable(from, to string) ([]string, error) {
	return []string{dialects.AlterTable(d, from, "RENAME TO ", d.Quote(to))}, nil
}

// constantDefault reports whether def is a literal SQLite accepts as the
// default of a column added by ALTER TABLE ADD COLUMN.
func constantDefault(def string) bool {
	def = strings.TrimSpace(def)
	switch strings.ToUpper(def) {
	case "NULL", "TRUE", "FALSE":
		return true
	}
	if strings.HasPrefix(def, "'") && strings.HasSuffix(def, "'") && len(def) >= 2 {
		return true
	}
	_, err := strconv.ParseFloat(strings.TrimPrefix(def, "+"), 64)
	return err == nil
}

// AddColumn returns ALTER TABLE ... ADD COLUMN when SQLite allows it: a
// column that is not part of the primary key, not an enum (its CHECK is
// a table constraint), and nullable or with a constant default.
// Otherwise it returns an error wrapping ErrNeedsRebuild.
func (d Dialect) AddColumn(t *schema.Table, c *schema.Column) ([]string, error) {
	switch {
	case t.IsPrimaryKey(c.Name), c.AutoIncrement:
		return nil, needsRebuild("add primary key column "+c.Name, t)
	case c.Type.Kind == schema.Enum:
		return nil, needsRebuild("add enum column "+c.Name, t)
	case c.Default != nil && !constantDefault(*c.Default):
		return nil, needsRebuild("add column "+c.Name+" with a non-constant default", t)
	case !c.Nullable && (c.Default == nil || strings.EqualFold(strings.TrimSpace(*c.Default), "NULL")):
		return nil, needsRebuild("add NOT NULL column "+c.Name+" without default", t)
	}
	return []string{dialects.AlterTable(d, t.Name, "ADD COLUMN ", ddl.ColumnDefinition(t, c))}, nil
}

// DropColumn always rebuilds: ALTER TABLE DROP COLUMN fails on columns
// that are indexed, constrained or used by triggers and views.
func (d Dialect) DropColumn(t *schema.Table, c *schema.Column) ([]string, error) {
	return nil, needsRebuild("drop column "+c.Name, t)
}

// RenameColumn returns ALTER TABLE ... RENAME COLUMN (SQLite 3.25 and
// later), which also rewrites indexes, triggers and foreign keys.
func (d Dialect) RenameColumn(t *schema.Table, from, to string) ([]string, error) {
	return []string{dialects.AlterTable(d, t.Name, "RENAME COLUMN ", d.Quote(from), " TO ", d.Quote(to))}, nil
}

// AlterColumn returns nothing for a comment-only change (SQLite has no
// comments) and otherwise an error wrapping ErrNeedsRebuild.
func (d Dialect) AlterColumn(t *schema.Table, ch dialects.ColumnChange) ([]string, error) {
	if !ch.Type && !ch.Null && !ch.Default {
		return nil, nil
	}
	return nil, needsRebuild("alter column "+ch.To.Name, t)
}

// DropIndex returns DROP INDEX.
func (d Dialect) DropIndex(t *schema.Table, ix *schema.Index) ([]string, error) {
	return []string{"DROP INDEX " + d.Quote(dialects.IndexName(t, ix))}, nil
}

// AddUnique rebuilds the table (ALTER TABLE cannot add constraints).
func (d Dialect) AddUnique(t *schema.Table, u *schema.Unique) ([]string, error) {
	return nil, needsRebuild("add unique constraint", t)
}

// DropUnique rebuilds the table.
func (d Dialect) DropUnique(t *schema.Table, u *schema.Unique) ([]string, error) {
	return nil, needsRebuild("drop unique constraint", t)
}

// DropForeignKey rebuilds the table.
func (d Dialect) DropForeignKey(t *schema.Table, fk *schema.ForeignKey) ([]string, error) {
	return nil, needsRebuild("drop foreign key", t)
}

// AddCheck rebuilds the table.
func (d Dialect) AddCheck(t *schema.Table, ck *schema.Check) ([]string, error) {
	return nil, needsRebuild("add check constraint", t)
}

// DropCheck rebuilds the table.
func (d Dialect) DropCheck(t *schema.Table, ck *schema.Check) ([]string, error) {
	return nil, needsRebuild("drop check constraint", t)
}

// AlterPrimaryKey rebuilds the table.
func (d Dialect) AlterPrimaryKey(t *schema.Table, from, to *schema.PrimaryKey) ([]string, error) {
	return nil, needsRebuild("alter primary key", t)
}

// SetTableComment returns nothing: SQLite has no comments.
func (d Dialect) SetTableComment(*schema.Table, string) ([]string, error) { return nil, nil }

// AddEnumValues rebuilds the table: the enum's CHECK constraint changes.
func (d Dialect) AddEnumValues(t *schema.Table, c *schema.Column, values []string) ([]string, error) {
	return nil, needsRebuild("add enum values to "+c.Name, t)
}

// RebuildTable implements dialects.Rebuilder with the procedure of the
// SQLite documentation ("Making Other Kinds Of Table Schema Changes"):
//
//	CREATE TABLE "_tagorm_new_<t>" (target definition, foreign keys inline)
//	INSERT INTO "_tagorm_new_<t>" (kept columns) SELECT (their sources) FROM "<t>"
//	DROP TABLE "<t>"
//	ALTER TABLE "_tagorm_new_<t>" RENAME TO "<t>"  (with legacy_alter_table on)
//	CREATE INDEX ... for every index of the target
//	CREATE INDEX ... for every partial index and index on expressions the
//	                 old table had (Inspect does not report them)
//	CREATE TRIGGER ... for every trigger the old table had
//
// with the AUTOINCREMENT counter carried over. Foreign key enforcement
// must be off (PrepareConn) so that dropping the old table neither fails
// nor cascades to child rows; BeforeCommit then checks every foreign key.
func (d Dialect) RebuildTable(ctx context.Context, q dialects.Querier, from, to *schema.Table, sources map[string]string) ([]string, error) {
	var triggers []string
	var err error
	catalog := from.Name // the name q knows
	if from.RenamedFrom != "" {
		catalog = from.RenamedFrom
	}
	if q != nil {
		err = dialects.ScanEach(ctx, q, `SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND sql IS NOT NULL ORDER BY rowid`,
			func(rows *sql.Rows) error {
				var s string
				if err := rows.Scan(&s); err != nil {
					return err
				}
				triggers = append(triggers, d.renameTableRefs(s, catalog, to.Name))
				return nil
			}, catalog)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: rebuild %q: read triggers: %w", from.Name, err)
	}
	var opaque []string // partial indexes and indexes on expressions
	if q != nil {
		err = dialects.ScanEach(ctx, q, opaqueIndexesQuery, func(rows *sql.Rows) error {
			var name, s string
			if err := rows.Scan(&name, &s); err != nil {
				return err
			}
			if !slices.ContainsFunc(to.Indexes, func(ix *schema.Index) bool { return dialects.IndexName(to, ix) == name }) {
				opaque = append(opaque, d.renameTableRefs(s, catalog, to.Name))
			}
			return nil
		}, catalog)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: rebuild %q: read indexes: %w", from.Name, err)
	}
	tmp := RebuildPrefix + to.Name
	bare := to.Clone()
	bare.Indexes = nil
	create := ddl.CreateTable(bare, bare.ForeignKeys, false)
	if len(create) != 1 {
		return nil, fmt.Errorf("sqlite: rebuild %q: CreateTable returned %d statements, want 1", to.Name, len(create))
	}
	head := "CREATE TABLE " + d.Quote(to.Name) + " ("
	if !strings.HasPrefix(create[0], head) {
		return nil, fmt.Errorf("sqlite: rebuild %q: unexpected CREATE TABLE %q", to.Name, create[0])
	}
	out := []string{"CREATE TABLE " + d.Quote(tmp) + " (" + create[0][len(head):]}
	var dst, src []string
	for _, c := range to.Columns {
		if s, ok := sources[c.Name]; ok && from.Column(s) != nil {
			dst = append(dst, c.Name)
			e := d.Quote(s)
			if c.Type.Kind == schema.Date && from.Column(s).Type.Kind == schema.DateTime {
				e = "date(" + e + ")" // a date column keeps the date only, as other databases convert
			}
			src = append(src, e)
		}
	}
	if len(dst) == 0 && len(from.Columns) > 0 {
		return nil, fmt.Errorf("sqlite: rebuild %q: no column of the old table is kept: its rows would be lost", to.Name)
	}
	if len(dst) > 0 {
		out = append(out, "INSERT INTO "+d.Quote(tmp)+" ("+dialects.QuotedList(d, dst)+") SELECT "+
			strings.Join(src, ", ")+" FROM "+d.Quote(from.Name))
	}
	if hasAutoIncrement(to) {
		out = append(out, "UPDATE sqlite_sequence SET seq = (SELECT MAX(seq) FROM sqlite_sequence WHERE name IN ("+
			ddl.String(from.Name)+", "+ddl.String(tmp)+")) WHERE name = "+ddl.String(tmp))
	}
	out = append(out,
		"DROP TABLE "+d.Quote(from.Name),
		"PRAGMA legacy_alter_table = ON",
		dialects.AlterTable(d, tmp, "RENAME TO ", d.Quote(to.Name)),
		"PRAGMA legacy_alter_table = OFF",
	)
	for _, ix := range to.Indexes {
		out = append(out, ddl.CreateIndex(to, ix, false))
	}
	out = append(out, opaque...)
	return append(out, triggers...), nil
}

// opaqueIndexesQuery lists the name and CREATE INDEX text of the partial
// indexes and indexes on expressions of a table: Inspect does not report
// them (schema cannot describe them), so Compare never drops them, and a
// rebuild re-creates them as they were.
const opaqueIndexesQuery = `SELECT m.name, m.sql FROM sqlite_master m JOIN pragma_index_list(m.tbl_name) il ON il.name = m.name
WHERE m.type = 'index' AND m.tbl_name = ? AND m.sql IS NOT NULL
	AND (il.partial = 1 OR EXISTS (SELECT 1 FROM pragma_index_xinfo(m.name) x WHERE x.key = 1 AND x.cid = -2))
ORDER BY m.rowid`

// renameTableRefs returns the CREATE INDEX or CREATE TRIGGER text s with
// every reference to the table old (a bare or quoted identifier, any
// case, outside string literals) naming the table to instead: a table
// renamed by the migration is rebuilt under its new name, and SQLite's
// own rewriting of the text by ALTER TABLE RENAME is not visible before
// the statements run. A column or alias spelled like the old table name
// is renamed too.
func (d Dialect) renameTableRefs(s, old, to string) string {
	if strings.EqualFold(old, to) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(s) && (s[j] != '\'' || j+1 < len(s) && s[j+1] == '\'') {
				if s[j] == '\'' {
					j++
				}
				j++
			}
			j = min(j+1, len(s))
			b.WriteString(s[i:j])
			i = j
		case c == '"' || c == '`' || c == '[':
			end := c
			if c == '[' {
				end = ']'
			}
			j := i + 1
			var name strings.Builder
			for j < len(s) {
				if s[j] == end {
					if end != ']' && j+1 < len(s) && s[j+1] == end {
						name.WriteByte(end)
						j += 2
						continue
					}
					break
				}
				name.WriteByte(s[j])
				j++
			}
			j = min(j+1, len(s))
			if strings.EqualFold(name.String(), old) {
				b.WriteString(d.Quote(to))
			} else {
				b.WriteString(s[i:j])
			}
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
			j := i
			for j < len(s) && (s[j] == '_' || s[j] == '$' || s[j] >= '0' && s[j] <= '9' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 0x80) {
				j++
			}
			if strings.EqualFold(s[i:j], old) {
				b.WriteString(d.Quote(to))
			} else {
				b.WriteString(s[i:j])
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

func hasAutoIncrement(t *schema.Table) bool {
	for _, c := range t.Columns {
		if _, _, ok := autoIncrementPK(t, c); ok {
			return true
		}
	}
	return false
}

// PrepareConn switches foreign key enforcement off on the migration's
// connection, outside its transaction (inside one, PRAGMA foreign_keys
// is a no-op); restore switches it back on if it was on.
func (Dialect) PrepareConn(ctx context.Context, conn dialects.SessionConn) (func(context.Context) error, error) {
	var on int
	if err := conn.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&on); err != nil {
		return nil, fmt.Errorf("sqlite: PRAGMA foreign_keys: %w", err)
	}
	if on == 0 {
		return func(context.Context) error { return nil }, nil
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return nil, fmt.Errorf("sqlite: PRAGMA foreign_keys = OFF: %w", err)
	}
	return func(ctx context.Context) error {
		if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = ON"); err != nil {
			return fmt.Errorf("sqlite: PRAGMA foreign_keys = ON: %w", err)
		}
		return nil
	}, nil
}

// BeforeCommit runs PRAGMA foreign_key_check and fails, listing the
// first violations, when any row references a missing parent.
func (Dialect) BeforeCommit(ctx context.Context, q dialects.Querier) error {
	var bad []string
	n := 0
	err := dialects.ScanEach(ctx, q, "PRAGMA foreign_key_check", func(rows *sql.Rows) error {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		n++
		if len(bad) < 5 {
			r := "?"
			if rowid.Valid {
				r = strconv.FormatInt(rowid.Int64, 10)
			}
			bad = append(bad, fmt.Sprintf("%s rowid %s → %s", table, r, parent))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: PRAGMA foreign_key_check: %w", err)
	}
	if n > 0 {
		return fmt.Errorf("sqlite: foreign key check failed: %d row(s) reference missing parents (%s)", n, strings.Join(bad, "; "))
	}
	return nil
}

var _ dialects.ValueChecker = Dialect{}

// NotIntegerText implements dialects.ValueChecker: a first character
// that is a digit or a sign followed by a digit, and only digits after it.
func (Dialect) NotIntegerText(expr string) string {
	t := "TRIM(" + expr + ")"
	return "NOT (" + t + " GLOB '[0-9]*' OR " + t + " GLOB '[-+][0-9]*') OR SUBSTR(" + t + ", 2) GLOB '*[^0-9]*'"
}

// IntegerTextValue implements dialects.ValueChecker (as a REAL, so that
// values beyond 64 bits compare as out of range instead of saturating).
func (Dialect) IntegerTextValue(expr string) string { return "CAST(TRIM(" + expr + ") AS REAL)" }

// NotFloat32 returns "": SQLite has one floating-point type.
func (Dialect) NotFloat32(string) string { return "" }

// FractionBeyond returns "": SQLite keeps datetimes as text, without a
// precision.
func (Dialect) FractionBeyond(string, int) string { return "" }

var _ dialects.OfflineScripter = Dialect{}

// OfflineScript implements dialects.OfflineScripter: foreign keys off
// outside the transaction (a table rebuild drops and re-creates tables
// other tables reference), one transaction, foreign_key_check before the
// commit (it lists the violations; run the script in a tool that stops
// on them), foreign keys on again.
func (Dialect) OfflineScript() (before, after []string) {
	return []string{"PRAGMA foreign_keys=OFF", "BEGIN"},
		[]string{"PRAGMA foreign_key_check", "COMMIT", "PRAGMA foreign_keys=ON"}
}

var _ dialects.TimeOfDayChecker = Dialect{}

// HasTimeOfDay implements dialects.TimeOfDayChecker (a date stored
// without a time reads as midnight).
func (Dialect) HasTimeOfDay(expr string) string { return "time(" + expr + ") <> '00:00:00'" }
