package mysql

import (
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Migrator = Dialect{}

// DropTable returns DROP TABLE.
func (d Dialect) DropTable(t *schema.Table) ([]string, error) {
	return []string{"DROP TABLE " + d.Quote(t.Name)}, nil
}

// RenameTable returns RENAME TABLE ... TO ....
func (d Dialect) RenameTable(from, to string) ([]string, error) {
	return []string{"RENAME TABLE " + d.Quote(from) + " TO " + d.Quote(to)}, nil
}

// AddColumn returns ALTER TABLE ... ADD COLUMN with the full definition
// (inline COMMENT included).
func (d Dialect) AddColumn(t *schema.Table, c *schema.Column) ([]string, error) {
	return []string{dialects.AlterTable(d, t.Name, "ADD COLUMN ", ddl.ColumnDefinition(t, c))}, nil
}

// DropColumn returns ALTER TABLE ... DROP COLUMN.
func (d Dialect) DropColumn(t *schema.Table, c *schema.Column) ([]string, error) {
	return []string{dialects.AlterTable(d, t.Name, "DROP COLUMN ", d.Quote(c.Name))}, nil
}

// RenameColumn returns ALTER TABLE ... RENAME COLUMN (MySQL 8.0,
// MariaDB 10.5 and later). A JSON column is renamed with CHANGE COLUMN
// and its full definition instead: on MariaDB, JSON is longtext with an
// automatic CHECK (json_valid(col)) named after the column, which RENAME
// COLUMN leaves under the old name (Inspect would then no longer see a
// JSON column); CHANGE COLUMN re-creates it under the new one.
func (d Dialect) RenameColumn(t *schema.Table, from, to string) ([]string, error) {
	if c := t.Column(from); c != nil && c.Type.Kind == schema.JSON {
		if _, override := c.DialectTypes["mysql"]; !override {
			nc := c.Clone()
			nc.Name = to
			return []string{dialects.AlterTable(d, t.Name, "CHANGE COLUMN ", d.Quote(from), " ", ddl.ColumnDefinition(t, nc))}, nil
		}
	}
	return []string{dialects.AlterTable(d, t.Name, "RENAME COLUMN ", d.Quote(from), " TO ", d.Quote(to))}, nil
}

// AlterColumn returns ALTER TABLE ... ALTER COLUMN ... SET/DROP DEFAULT
// when only the default changes, and otherwise ALTER TABLE ... MODIFY
// COLUMN with the full target definition (type, NOT NULL, DEFAULT,
// AUTO_INCREMENT, COMMENT): MySQL has no statement that changes one of
// them alone.
func (d Dialect) AlterColumn(t *schema.Table, ch dialects.ColumnChange) ([]string, error) {
	c := ch.To
	if ch.Default && !ch.Type && !ch.Null && !ch.Comment {
		if c.Default == nil {
			return []string{dialects.AlterTable(d, t.Name, "ALTER COLUMN ", d.Quote(c.Name), " DROP DEFAULT")}, nil
		}
		return []string{dialects.AlterTable(d, t.Name, "ALTER COLUMN ", d.Quote(c.Name), " SET DEFAULT ", renderDefault(c, d.ColumnType(t, c)))}, nil
	}
	return []string{d.modify(t, c)}, nil
}

func (d Dialect) modify(t *schema.Table, c *schema.Column) string {
	return dialects.AlterTable(d, t.Name, "MODIFY COLUMN ", ddl.ColumnDefinition(t, c))
}

// DropIndex returns DROP INDEX ... ON ....
func (d Dialect) DropIndex(t *schema.Table, ix *schema.Index) ([]string, error) {
	return []string{"DROP INDEX " + d.Quote(dialects.IndexName(t, ix)) + " ON " + d.Quote(t.Name)}, nil
}

// AddUnique returns ALTER TABLE ... ADD [CONSTRAINT name] UNIQUE (...).
func (d Dialect) AddUnique(t *schema.Table, u *schema.Unique) ([]string, error) {
	return []string{ddl.AddUnique(t, u)}, nil
}

// DropUnique returns DROP INDEX: MySQL keeps a unique constraint as a
// unique index of the same name.
func (d Dialect) DropUnique(t *schema.Table, u *schema.Unique) ([]string, error) {
	return []string{"DROP INDEX " + d.Quote(u.Name) + " ON " + d.Quote(t.Name)}, nil
}

// DropForeignKey returns ALTER TABLE ... DROP FOREIGN KEY. The index
// MySQL created for the foreign key stays.
func (d Dialect) DropForeignKey(t *schema.Table, fk *schema.ForeignKey) ([]string, error) {
	return []string{dialects.AlterTable(d, t.Name, "DROP FOREIGN KEY ", d.Quote(fk.Name))}, nil
}

// AddCheck returns ALTER TABLE ... ADD [CONSTRAINT name] CHECK (...).
func (d Dialect) AddCheck(t *schema.Table, ck *schema.Check) ([]string, error) {
	return []string{ddl.AddCheck(t, ck)}, nil
}

// DropCheck returns ALTER TABLE ... DROP CONSTRAINT (MySQL 8.0.19,
// MariaDB 10.2 and later).
func (d Dialect) DropCheck(t *schema.Table, ck *schema.Check) ([]string, error) {
	return []string{dialects.AlterTable(d, t.Name, "DROP CONSTRAINT ", d.Quote(ck.Name))}, nil
}

// AlterPrimaryKey returns one ALTER TABLE that drops the old primary key
// and adds the new one (in one statement, so that an AUTO_INCREMENT
// column never stands without a key).
func (d Dialect) AlterPrimaryKey(t *schema.Table, from, to *schema.PrimaryKey) ([]string, error) {
	var parts []string
	if from != nil && len(from.Columns) > 0 {
		parts = append(parts, "DROP PRIMARY KEY")
	}
	if to != nil && len(to.Columns) > 0 {
		parts = append(parts, "ADD "+ddl.PrimaryKeyClause(to))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	return []string{dialects.AlterTable(d, t.Name, strings.Join(parts, ", "))}, nil
}

// SetTableComment returns ALTER TABLE ... COMMENT = '...'.
func (d Dialect) SetTableComment(t *schema.Table, comment string) ([]string, error) {
	return []string{dialects.AlterTable(d, t.Name, "COMMENT = ", ddl.String(comment))}, nil
}

// AddEnumValues re-declares the column with MODIFY COLUMN and its full
// list of values.
func (d Dialect) AddEnumValues(t *schema.Table, c *schema.Column, values []string) ([]string, error) {
	return []string{d.modify(t, c)}, nil
}

var _ dialects.ValueChecker = Dialect{}

// NotIntegerText implements dialects.ValueChecker.
func (Dialect) NotIntegerText(expr string) string {
	return "NOT (TRIM(" + expr + ") REGEXP '^[-+]?[0-9]+$')"
}

// IntegerTextValue implements dialects.ValueChecker.
func (Dialect) IntegerTextValue(expr string) string {
	return "CAST(TRIM(" + expr + ") AS DECIMAL(65,0))"
}

// NotFloat32 implements dialects.ValueChecker (CAST AS FLOAT: MySQL
// 8.0.17, MariaDB 10.4.5).
func (Dialect) NotFloat32(expr string) string {
	return "CAST(CAST(" + expr + " AS FLOAT) AS DOUBLE) <> " + expr
}

// FractionBeyond implements dialects.ValueChecker.
func (Dialect) FractionBeyond(expr string, p int) string {
	return "MICROSECOND(" + expr + ") % 1" + strings.Repeat("0", 6-p) + " <> 0"
}

var _ dialects.TimeOfDayChecker = Dialect{}

// HasTimeOfDay implements dialects.TimeOfDayChecker.
func (Dialect) HasTimeOfDay(expr string) string { return "TIME(" + expr + ") <> '00:00:00'" }
