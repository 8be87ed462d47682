package mysql

import (
	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Normalizer = Dialect{}

// NormalizeColumn implements dialects.Normalizer: the type is rendered
// with ColumnType and parsed back as Inspect parses COLUMN_TYPE
// (tinyint(1) → Bool, char(36) → UUID, json → JSON as MariaDB's longtext
// with its json_valid check is reported), and the default is rendered as
// CreateTable renders it (CURRENT_TIMESTAMP(6), parenthesised on TEXT
// columns) and normalised as Inspect normalises MariaDB's quoted
// COLUMN_DEFAULT (backslash escapes decoded).
func (d Dialect) NormalizeColumn(t *schema.Table, c *schema.Column) *schema.Column {
	raw := d.ColumnType(t, c)
	typ := columnType(raw)
	return dialects.NormalizeColumnBase(t, c, typ, func(expr string, ty schema.Type) *string {
		cc := *c
		cc.Default = &expr
		return columnDefault(renderDefault(&cc, raw), ty, true, false)
	}, true)
}

// TypesEqual implements dialects.Normalizer with dialects.TypesEqual.
func (Dialect) TypesEqual(a, b schema.Type) bool { return dialects.TypesEqual(a, b) }

// DefaultsEqual implements dialects.Normalizer with dialects.DefaultsEqual
// (MariaDB's 0.00 for a decimal default 0 equals 0).
func (Dialect) DefaultsEqual(a, b *string, t schema.Type) bool {
	return dialects.DefaultsEqual(a, b, t)
}

// ReferentialActionsEqual implements dialects.Normalizer: InnoDB treats
// NO ACTION as RESTRICT, and MariaDB reports an action declared as
// neither as RESTRICT, so "", NO ACTION and RESTRICT are all the same.
func (Dialect) ReferentialActionsEqual(a, b string) bool {
	return action(a) == action(b)
}

func action(a string) string {
	a = dialects.ReferentialAction(a)
	if a == schema.Restrict {
		return ""
	}
	return a
}

var _ dialects.ForeignKeyIndexer = Dialect{}

// ForeignKeysNeedIndex implements dialects.ForeignKeyIndexer: InnoDB
// needs an index led by each foreign key's columns.
func (Dialect) ForeignKeysNeedIndex() bool { return true }

var _ dialects.CharLengther = Dialect{}

// CharLength implements dialects.CharLengther: MySQL's LENGTH counts
// bytes, CHAR_LENGTH characters.
func (Dialect) CharLength(expr string) string { return "CHAR_LENGTH(" + expr + ")" }
