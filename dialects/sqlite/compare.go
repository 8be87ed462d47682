package sqlite

import (
	"slices"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Normalizer = Dialect{}

// NormalizeColumn implements dialects.Normalizer: the type is rendered
// with ColumnType and parsed back as Inspect parses the declared type
// (every integer kind is "integer", so SmallInt, Integer and BigInt all
// come back Integer; datetime has no precision); an Enum stays an Enum
// with its values (Inspect reads them from the CHECK CreateTable adds).
// A single-column primary key declared "integer" is a rowid alias:
// AutoIncrement, NOT NULL, no default, as Inspect reports it. SQLite
// keeps no comments: Comment is cleared.
func (d Dialect) NormalizeColumn(t *schema.Table, c *schema.Column) *schema.Column {
	raw := d.ColumnType(t, c)
	typ := columnType(raw)
	if _, override := c.DialectTypes["sqlite"]; c.Type.Kind == schema.Enum && len(c.Type.Values) > 0 && !override && typ.Kind == schema.String {
		typ.Kind, typ.Values = schema.Enum, slices.Clone(c.Type.Values)
	}
	n := dialects.NormalizeColumnBase(t, c, typ, func(expr string, ty schema.Type) *string {
		return dialects.NormalizeDefault(expr, ty, false)
	}, false)
	if pk := t.PrimaryKey; pk != nil && len(pk.Columns) == 1 && pk.Columns[0] == c.Name && strings.EqualFold(strings.TrimSpace(raw), "integer") {
		n.AutoIncrement, n.Nullable, n.Default = true, false, nil
	}
	return n
}

// TypesEqual implements dialects.Normalizer with dialects.TypesEqual;
// an enum's varchar length is not compared (SQLite does not enforce it),
// and Float and Double are the same (SQLite stores every REAL in 8
// bytes, whatever the declared type).
func (Dialect) TypesEqual(a, b schema.Type) bool {
	if isFloat(a.Kind) && isFloat(b.Kind) {
		return true
	}
	return dialects.TypesEqual(a, b)
}

func isFloat(k schema.Kind) bool { return k == schema.Float || k == schema.Double }

// DefaultsEqual implements dialects.Normalizer with dialects.DefaultsEqual.
func (Dialect) DefaultsEqual(a, b *string, t schema.Type) bool {
	return dialects.DefaultsEqual(a, b, t)
}

// ReferentialActionsEqual implements dialects.Normalizer: NO ACTION and
// "" are the same; RESTRICT differs (it is checked immediately).
func (Dialect) ReferentialActionsEqual(a, b string) bool {
	return dialects.ReferentialAction(a) == dialects.ReferentialAction(b)
}
