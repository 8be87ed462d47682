package postgres

import (
	"slices"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Migrator = Dialect{}

// ignoreDependents wraps stmt in a DO block that ignores
// dependent_objects_still_exist (a shared enum type still in use).
func ignoreError(stmt, condition string) string {
	tag := "$tagorm$"
	for strings.Contains(stmt, tag) {
		tag = "$" + tag[1:len(tag)-1] + "x$"
	}
	return "DO " + tag + " BEGIN " + stmt + "; EXCEPTION WHEN " + condition + " THEN NULL; END " + tag
}

// enumTypes returns the distinct enum type names of the columns of t.
func enumTypes(t *schema.Table) []string {
	var out []string
	seen := map[string]bool{}
	for _, c := range t.Columns {
		if c.Type.Kind != schema.Enum {
			continue
		}
		if _, ok := c.DialectTypes["postgres"]; ok {
			continue
		}
		n := EnumTypeName(t, c)
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// createEnumFor returns CREATE TYPE (ignoring an existing type) for the
// enum type of c, or nothing when c is not a native enum.
func createEnumFor(t *schema.Table, c *schema.Column) []string {
	one := &schema.Table{Name: t.Name, Columns: []*schema.Column{c}}
	return createEnums(one, true)
}

// DropTable returns DROP TABLE, then DROP TYPE for the table's enum
// types, skipped when another table still uses a type.
func (d Dialect) DropTable(t *schema.Table) ([]string, error) {
	out := []string{"DROP TABLE " + d.Quote(t.Name)}
	for _, n := range enumTypes(t) {
		out = append(out, ignoreError("DROP TYPE IF EXISTS "+d.Quote(n), "dependent_objects_still_exist"))
	}
	return out, nil
}

// RenameTable returns ALTER TABLE ... RENAME TO.
func (d Dialect) RenameTable(from, to string) ([]string, error) {
	return []string{dialects.AlterTable(d, from, "RENAME TO ", d.Quote(to))}, nil
}

// AddColumn returns ALTER TABLE ... ADD COLUMN (after creating the
// column's enum type if it does not exist) and COMMENT ON COLUMN.
func (d Dialect) AddColumn(t *schema.Table, c *schema.Column) ([]string, error) {
	out := createEnumFor(t, c)
	out = append(out, dialects.AlterTable(d, t.Name, "ADD COLUMN ", ddl.ColumnDefinition(t, c)))
	if c.Comment != "" {
		out = append(out, d.columnComment(t, c.Name, c.Comment))
	}
	return out, nil
}

func (d Dialect) columnComment(t *schema.Table, col, comment string) string {
	s := "NULL"
	if comment != "" {
		s = ddl.String(comment)
	}
	return "COMMENT ON COLUMN " + d.Quote(t.Name) + "." + d.Quote(col) + " IS " + s
}

// DropColumn returns ALTER TABLE ... DROP COLUMN, then, for a native
// enum column, DROP TYPE of its enum type, skipped when another column
// still uses it: as DropTable does, so that a column added later under
// the same name creates its type with its own values instead of reusing
// the dropped column's (AddColumn keeps an existing type).
func (d Dialect) DropColumn(t *schema.Table, c *schema.Column) ([]string, error) {
	out := []string{dialects.AlterTable(d, t.Name, "DROP COLUMN ", d.Quote(c.Name))}
	one := &schema.Table{Name: t.Name, Columns: []*schema.Column{c}}
	for _, n := range enumTypes(one) {
		out = append(out, ignoreError("DROP TYPE IF EXISTS "+d.Quote(n), "dependent_objects_still_exist"))
	}
	return out, nil
}

// RenameColumn returns ALTER TABLE ... RENAME COLUMN.
func (d Dialect) RenameColumn(t *schema.Table, from, to string) ([]string, error) {
	return []string{dialects.AlterTable(d, t.Name, "RENAME COLUMN ", d.Quote(from), " TO ", d.Quote(to))}, nil
}

// AlterColumn returns ALTER TABLE ... ALTER COLUMN statements. A type
// change converts existing values with USING col::type; the default is
// dropped first and set again afterwards, because PostgreSQL cannot
// always cast the old default to the new type. A new enum type is
// created first; when the values of the column's enum type change other
// than by appending, a new type replaces it (created, the column
// converted through text, the old type dropped, the new one renamed).
func (d Dialect) AlterColumn(t *schema.Table, ch dialects.ColumnChange) ([]string, error) {
	c := ch.To
	col := d.Quote(c.Name)
	alter := func(rest ...string) string {
		return dialects.AlterTable(d, t.Name, "ALTER COLUMN ", col, " ", strings.Join(rest, ""))
	}
	var out []string
	setDefault := ch.Default
	if ch.Type {
		if old, ok := d.renamedEnum(t, ch); ok {
			// The column's own enum type, named after the old table or
			// column, with the same values: rename it.
			out = append(out, "ALTER TYPE "+d.Quote(old)+" RENAME TO "+d.Quote(EnumTypeName(t, c)))
			if ch.Null || ch.Comment || ch.Default {
				rest := ch
				rest.Type = false
				more, err := d.AlterColumn(t, rest)
				return append(out, more...), err
			}
			return out, nil
		}
		out = append(out, createEnumFor(t, c)...)
		if ch.From != nil && ch.From.Default != nil {
			out = append(out, alter("DROP DEFAULT"))
			setDefault = true
		}
		typ := d.ColumnType(t, c)
		if name, ok := d.sameEnum(t, ch); ok {
			// The values of the column's own enum type change (other than
			// by appending, which AddEnumValues does): convert the column
			// to a new type through text, drop the old one and give the
			// new one its name. A type other tables share cannot be
			// dropped: the migration then fails and rolls back.
			tmp := name + "__new"
			nc := c.Clone()
			nc.Type.EnumName = tmp
			out = append(out, createEnumFor(t, nc)...)
			out = append(out, alter("TYPE ", d.Quote(tmp), " USING ", col, "::text::", d.Quote(tmp)),
				"DROP TYPE "+d.Quote(name),
				"ALTER TYPE "+d.Quote(tmp)+" RENAME TO "+d.Quote(name))
		} else if old := nativeEnum(t, ch.From); old != "" {
			// From another native enum type: there is no cast between
			// enum types, go through text; the old type goes unless
			// other columns use it.
			out = append(out, alter("TYPE ", typ, " USING ", col, "::text::", typ))
			if c.Type.Kind != schema.Enum || old != EnumTypeName(t, c) {
				out = append(out, ignoreError("DROP TYPE IF EXISTS "+d.Quote(old), "dependent_objects_still_exist"))
			}
		} else {
			out = append(out, alter("TYPE ", typ, " USING ", using(col, typ, ch.From, c)))
		}
	}
	if setDefault {
		switch {
		case c.Default != nil:
			out = append(out, alter("SET DEFAULT ", *c.Default))
		case !ch.Type:
			out = append(out, alter("DROP DEFAULT"))
		}
	}
	if ch.Null {
		if c.Nullable && !t.IsPrimaryKey(c.Name) {
			out = append(out, alter("DROP NOT NULL"))
		} else {
			out = append(out, alter("SET NOT NULL"))
		}
	}
	if ch.Comment {
		out = append(out, d.columnComment(t, c.Name, c.Comment))
	}
	return out, nil
}

// using returns the USING expression converting the column col (quoted)
// of column from to the type typ of column to: col::typ, except where
// that cast does not exist or changes the value. PostgreSQL casts
// boolean only to and from integer (not smallint or bigint); bytea cast
// to text gives its hex escape ('\x616263' for 'abc') and text cast to
// bytea reads backslash escapes, so bytes and strings convert as UTF-8
// with convert_from and convert_to.
func using(col, typ string, from, to *schema.Column) string {
	if from == nil {
		return col + "::" + typ
	}
	if _, ok := to.DialectTypes["postgres"]; ok {
		return col + "::" + typ
	}
	f, t := from.Type.Kind, to.Type.Kind
	text := func(k schema.Kind) bool { return k == schema.String || k == schema.Text }
	switch {
	case f == schema.Bool && (t == schema.SmallInt || t == schema.BigInt),
		(f == schema.SmallInt || f == schema.BigInt) && t == schema.Bool:
		return col + "::integer::" + typ
	case f == schema.Binary && text(t):
		return "convert_from(" + col + ", 'UTF8')::" + typ
	case text(f) && t == schema.Binary:
		return "convert_to(" + col + ", 'UTF8')"
	}
	return col + "::" + typ
}

// renamedEnum reports whether ch only gives a native enum column's own
// type a new name (its table or column was renamed, and the type is
// named after them): the live type has the values of the target type
// and is named after the live column's table and name. It returns the
// live type's name.
func (d Dialect) renamedEnum(t *schema.Table, ch dialects.ColumnChange) (string, bool) {
	f, c := ch.From, ch.To
	old := nativeEnum(t, f)
	if old == "" || nativeEnum(t, c) == "" {
		return "", false
	}
	name := EnumTypeName(t, c)
	if old == name || !slices.Equal(f.Type.Values, c.Type.Values) || !strings.HasSuffix(old, "_"+f.Name) && !strings.HasPrefix(old, t.Name+"_") {
		return "", false
	}
	return old, true
}

// nativeEnum returns the name of the enum type of column c of t, or ""
// when c is not a native enum column.
func nativeEnum(t *schema.Table, c *schema.Column) string {
	if c == nil || c.Type.Kind != schema.Enum {
		return ""
	}
	if _, ok := c.DialectTypes["postgres"]; ok {
		return ""
	}
	return EnumTypeName(t, c)
}

// sameEnum reports whether ch changes the values of a native enum column
// whose type keeps its name, and returns that name.
func (d Dialect) sameEnum(t *schema.Table, ch dialects.ColumnChange) (string, bool) {
	f, c := ch.From, ch.To
	if f == nil || f.Type.Kind != schema.Enum || c.Type.Kind != schema.Enum {
		return "", false
	}
	if _, ok := c.DialectTypes["postgres"]; ok {
		return "", false
	}
	name := EnumTypeName(t, c)
	if EnumTypeName(t, f) != name {
		return "", false
	}
	return name, true
}

// DropIndex returns DROP INDEX.
func (d Dialect) DropIndex(t *schema.Table, ix *schema.Index) ([]string, error) {
	return []string{"DROP INDEX " + d.Quote(dialects.IndexName(t, ix))}, nil
}

// AddUnique returns ALTER TABLE ... ADD [CONSTRAINT name] UNIQUE (...).
func (d Dialect) AddUnique(t *schema.Table, u *schema.Unique) ([]string, error) {
	return []string{ddl.AddUnique(t, u)}, nil
}

func (d Dialect) dropConstraint(t *schema.Table, name string) []string {
	return []string{dialects.AlterTable(d, t.Name, "DROP CONSTRAINT ", d.Quote(name))}
}

// DropUnique returns ALTER TABLE ... DROP CONSTRAINT.
func (d Dialect) DropUnique(t *schema.Table, u *schema.Unique) ([]string, error) {
	return d.dropConstraint(t, u.Name), nil
}

// DropForeignKey returns ALTER TABLE ... DROP CONSTRAINT.
func (d Dialect) DropForeignKey(t *schema.Table, fk *schema.ForeignKey) ([]string, error) {
	return d.dropConstraint(t, fk.Name), nil
}

// AddCheck returns ALTER TABLE ... ADD [CONSTRAINT name] CHECK (...).
func (d Dialect) AddCheck(t *schema.Table, ck *schema.Check) ([]string, error) {
	return []string{ddl.AddCheck(t, ck)}, nil
}

// DropCheck returns ALTER TABLE ... DROP CONSTRAINT.
func (d Dialect) DropCheck(t *schema.Table, ck *schema.Check) ([]string, error) {
	return d.dropConstraint(t, ck.Name), nil
}

// AlterPrimaryKey drops the old primary key constraint (named
// "<table>_pkey" when unnamed, as PostgreSQL names it) and adds the new
// one, in one ALTER TABLE.
func (d Dialect) AlterPrimaryKey(t *schema.Table, from, to *schema.PrimaryKey) ([]string, error) {
	var parts []string
	if from != nil && len(from.Columns) > 0 {
		name := from.Name
		if name == "" {
			name = t.Name + "_pkey"
		}
		parts = append(parts, "DROP CONSTRAINT "+d.Quote(name))
	}
	if to != nil && len(to.Columns) > 0 {
		parts = append(parts, "ADD "+ddl.PrimaryKeyClause(to))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return []string{dialects.AlterTable(d, t.Name, strings.Join(parts, ", "))}, nil
}

// SetTableComment returns COMMENT ON TABLE ... IS '...' (or IS NULL).
func (d Dialect) SetTableComment(t *schema.Table, comment string) ([]string, error) {
	s := "NULL"
	if comment != "" {
		s = ddl.String(comment)
	}
	return []string{"COMMENT ON TABLE " + d.Quote(t.Name) + " IS " + s}, nil
}

// AddEnumValues returns one ALTER TYPE ... ADD VALUE IF NOT EXISTS per
// new value, placed BEFORE or AFTER its neighbour so that the type's
// order is c's order. Run them outside the migration's transaction (see
// dialects.Migrator).
func (d Dialect) AddEnumValues(t *schema.Table, c *schema.Column, values []string) ([]string, error) {
	if _, ok := c.DialectTypes["postgres"]; ok || c.Type.Kind != schema.Enum {
		return nil, nil
	}
	typ := d.Quote(EnumTypeName(t, c))
	all := c.Type.Values
	isNew := map[string]bool{}
	for _, v := range values {
		isNew[v] = true
	}
	var out []string
	// In c's order, each new value goes after its predecessor, which
	// exists by then; a new first value goes before the first old one.
	for i, v := range all {
		if !isNew[v] {
			continue
		}
		s := "ALTER TYPE " + typ + " ADD VALUE IF NOT EXISTS " + ddl.String(v)
		if i > 0 {
			s += " AFTER " + ddl.String(all[i-1])
		} else {
			for _, w := range all[1:] {
				if !isNew[w] {
					s += " BEFORE " + ddl.String(w)
					break
				}
			}
		}
		out = append(out, s)
		delete(isNew, v)
	}
	for _, v := range values { // values c does not list: append
		if isNew[v] {
			out = append(out, "ALTER TYPE "+typ+" ADD VALUE IF NOT EXISTS "+ddl.String(v))
		}
	}
	return out, nil
}

var _ dialects.ValueChecker = Dialect{}

// NotIntegerText implements dialects.ValueChecker.
func (Dialect) NotIntegerText(expr string) string {
	return "NOT (btrim(" + expr + ") ~ '^[-+]?[0-9]+$')"
}

// IntegerTextValue implements dialects.ValueChecker.
func (Dialect) IntegerTextValue(expr string) string { return "CAST(btrim(" + expr + ") AS numeric)" }

// NotFloat32 implements dialects.ValueChecker.
func (Dialect) NotFloat32(expr string) string {
	return "CAST(CAST(" + expr + " AS real) AS double precision) <> " + expr
}

// FractionBeyond implements dialects.ValueChecker.
func (Dialect) FractionBeyond(expr string, p int) string {
	return "CAST(EXTRACT(MICROSECONDS FROM " + expr + ") AS bigint) % " + pow10(6-p) + " <> 0"
}

func pow10(n int) string { return "1" + strings.Repeat("0", n) }

var _ dialects.TimeOfDayChecker = Dialect{}

// HasTimeOfDay implements dialects.TimeOfDayChecker (in the session's
// time zone, the one a conversion to date uses).
func (Dialect) HasTimeOfDay(expr string) string { return "CAST(" + expr + " AS time) <> '00:00:00'" }
