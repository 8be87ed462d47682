package postgres

import (
	"slices"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Normalizer = Dialect{}

// NormalizeColumn implements dialects.Normalizer: the type is rendered
// with ColumnType and parsed back as Inspect parses format_type (an enum
// becomes Enum with EnumName EnumTypeName(t, c) and the declared values,
// as pg_enum would list them), and the default loses its casts and is
// normalised as Inspect does.
func (d Dialect) NormalizeColumn(t *schema.Table, c *schema.Column) *schema.Column {
	raw := d.ColumnType(t, c)
	var typ schema.Type
	if _, override := c.DialectTypes["postgres"]; c.Type.Kind == schema.Enum && !override {
		typ = schema.Type{Kind: schema.Enum, EnumName: EnumTypeName(t, c), Values: slices.Clone(c.Type.Values), Raw: raw}
	} else {
		typ = columnType(raw, "b", "")
	}
	return dialects.NormalizeColumnBase(t, c, typ, normalizeDefault, true)
}

// normalizeDefault is Inspect's default normalisation: casts stripped,
// then dialects.NormalizeDefault.
func normalizeDefault(expr string, t schema.Type) *string {
	return dialects.NormalizeDefault(stripCast(expr), t, false)
}

// TypesEqual implements dialects.Normalizer with dialects.TypesEqual.
func (Dialect) TypesEqual(a, b schema.Type) bool { return dialects.TypesEqual(a, b) }

// DefaultsEqual implements dialects.Normalizer with dialects.DefaultsEqual.
func (Dialect) DefaultsEqual(a, b *string, t schema.Type) bool {
	return dialects.DefaultsEqual(a, b, t)
}

// ReferentialActionsEqual implements dialects.Normalizer: NO ACTION and
// "" are the same; RESTRICT differs from them (it is checked
// immediately, not at the end of the statement or transaction).
func (Dialect) ReferentialActionsEqual(a, b string) bool {
	return dialects.ReferentialAction(a) == dialects.ReferentialAction(b)
}
