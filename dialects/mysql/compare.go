package mysql

import (
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Normalizer = Dialect{}

// NormalizeColumn implements dialects.Normalizer: the type is rendered
// with ColumnType (without CHARACTER SET and COLLATE, see
// withoutCharset) and parsed back as Inspect parses COLUMN_TYPE
// (tinyint(1) → Bool, char(36) → UUID, json → JSON as MariaDB's longtext
// with its json_valid check is reported), and the default is rendered as
// CreateTable renders it (CURRENT_TIMESTAMP(6), parenthesised on TEXT
// columns) and normalised as Inspect normalises MariaDB's quoted
// COLUMN_DEFAULT (backslash escapes decoded).
func (d Dialect) NormalizeColumn(t *schema.Table, c *schema.Column) *schema.Column {
	raw := d.ColumnType(t, c)
	typ := columnType(withoutCharset(raw))
	return dialects.NormalizeColumnBase(t, c, typ, func(expr string, ty schema.Type) *string {
		cc := *c
		cc.Default = &expr
		return columnDefault(renderDefault(&cc, raw), ty, true, false)
	}, true)
}

// withoutCharset removes the CHARACTER SET (CHARSET) and COLLATE
// clauses of a column type, which COLUMN_TYPE does not show: a
// mysql_type of "varchar(20) CHARACTER SET latin1" is compared as
// varchar(20). Character sets and collations are not compared.
func withoutCharset(typ string) string {
	lt := strings.ToLower(typ)
	if strings.ContainsAny(typ, `'"`) || !strings.Contains(lt, "char") && !strings.Contains(lt, "collate") {
		return typ // enum values are kept as written
	}
	words := strings.Fields(typ)
	out := words[:0]
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(words[i])
		switch {
		case w == "character" && i+2 < len(words) && strings.EqualFold(words[i+1], "set"):
			i += 2
		case (w == "charset" || w == "collate") && i+1 < len(words):
			i++
		default:
			out = append(out, words[i])
		}
	}
	return strings.Join(out, " ")
}

// TypesEqual implements dialects.Normalizer with dialects.TypesEqual;
// DATETIME and TIMESTAMP (stored in UTC, converted from and to the
// session's time zone) are different types (the Raw spellings are
// compared when both are known).
func (Dialect) TypesEqual(a, b schema.Type) bool {
	if a.Kind == schema.DateTime && b.Kind == schema.DateTime && a.Raw != "" && b.Raw != "" && typeName(a.Raw) != typeName(b.Raw) {
		return false
	}
	return dialects.TypesEqual(a, b)
}

// typeName returns the lower-case name of a type without arguments.
func typeName(raw string) string {
	ts, err := dialects.ParseType(raw, dialects.ParseTypeOptions{BackslashEscapes: true})
	if err != nil {
		return strings.ToLower(raw)
	}
	return ts.Name
}

// DefaultsEqual implements dialects.Normalizer with dialects.DefaultsEqual
// (MariaDB's 0.00 for a decimal default 0 equals 0); in expressions, the
// names MariaDB prints for some functions (ucase, lcase, substr) are the
// same as the standard ones (upper, lower, substring).
func (Dialect) DefaultsEqual(a, b *string, t schema.Type) bool {
	if dialects.DefaultsEqual(a, b, t) {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	if _, ok := dialects.UnquoteString(*a, false); ok {
		return false
	}
	if _, ok := dialects.UnquoteString(*b, false); ok {
		return false
	}
	return dialects.CanonicalExprFuncs(*a, funcAliases) == dialects.CanonicalExprFuncs(*b, funcAliases)
}

// funcAliases maps the names MariaDB prints for functions in expression
// defaults to their usual names.
var funcAliases = map[string]string{"ucase": "upper", "lcase": "lower", "substr": "substring", "now": "current_timestamp"}

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
