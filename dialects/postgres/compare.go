package postgres

import (
	"slices"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Normalizer = Dialect{}

// NormalizeColumn implements dialects.Normalizer: the type is rendered
// with ColumnType and parsed back as Inspect parses format_type (an enum
// becomes Enum with EnumName EnumTypeName(t, c) and the declared values,
// as pg_enum would list them; a serial type is the integer type the
// catalog reports), and the default loses its casts and is normalised as
// Inspect does.
func (d Dialect) NormalizeColumn(t *schema.Table, c *schema.Column) *schema.Column {
	raw := d.ColumnType(t, c)
	var typ schema.Type
	if _, override := c.DialectTypes["postgres"]; c.Type.Kind == schema.Enum && !override {
		typ = schema.Type{Kind: schema.Enum, EnumName: EnumTypeName(t, c), Values: slices.Clone(c.Type.Values), Raw: raw}
	} else if base, ok := serialType(raw); ok {
		typ = columnType(base, "b", "")
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

// TypesEqual implements dialects.Normalizer with dialects.TypesEqual;
// a timestamp with time zone and one without are different types (the
// Raw spellings are compared when both are known).
func (Dialect) TypesEqual(a, b schema.Type) bool {
	if a.Kind == schema.DateTime && b.Kind == schema.DateTime && a.Raw != "" && b.Raw != "" && withTimeZone(a.Raw) != withTimeZone(b.Raw) {
		return false
	}
	return dialects.TypesEqual(a, b)
}

// withTimeZone reports whether a timestamp type keeps its time zone
// (timestamptz, timestamp(3) with time zone).
func withTimeZone(raw string) bool {
	ts, err := dialects.ParseType(raw, dialects.ParseTypeOptions{})
	return err == nil && (ts.Name == "timestamptz" || strings.HasSuffix(ts.Name, " with time zone"))
}

// DefaultsEqual implements dialects.Normalizer with dialects.DefaultsEqual,
// after removing the casts PostgreSQL adds inside expressions
// (upper('a'::text) is upper('a')).
func (Dialect) DefaultsEqual(a, b *string, t schema.Type) bool {
	if dialects.DefaultsEqual(a, b, t) {
		return true
	}
	if a == nil || b == nil {
		return false
	}
	x, y := stripInnerCasts(*a), stripInnerCasts(*b)
	return dialects.DefaultsEqual(&x, &y, t)
}

// castTails are the words that continue a multi-word type name after
// its first word.
var castTails = []string{" varying", " precision", " with time zone", " without time zone"}

// stripInnerCasts removes every "::type" of s outside quoted strings and
// identifiers: a type name is a word (or a quoted identifier), possibly
// continued (character varying, timestamp with time zone), with an
// optional argument list and [] suffixes.
func stripInnerCasts(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"':
			// A doubled quote closes the literal and opens the next:
			// both are copied as they are.
			j := dialects.SkipQuoted(s, i, c)
			b.WriteString(s[i:j])
			i = j - 1
		case c == ':' && i+1 < len(s) && s[i+1] == ':':
			i = skipTypeName(s, i+2) - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// skipTypeName returns the index just after the type name starting at
// s[i] (after spaces).
func skipTypeName(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && s[i] == '"' {
		if j := strings.IndexByte(s[i+1:], '"'); j >= 0 {
			i += j + 2
		}
	} else {
		for i < len(s) && (s[i] == '_' || s[i] == '.' || s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z') {
			i++
		}
		i = skipCastTail(s, i)
	}
	if i < len(s) && s[i] == '(' {
		if j := strings.IndexByte(s[i:], ')'); j >= 0 {
			i += j + 1
		}
		i = skipCastTail(s, i) // timestamp(3) with time zone
	}
	for strings.HasPrefix(s[i:], "[]") {
		i += 2
	}
	return i
}

// ReferentialActionsEqual implements dialects.Normalizer: NO ACTION and
// "" are the same; RESTRICT differs from them (it is checked
// immediately, not at the end of the statement or transaction).
func (Dialect) ReferentialActionsEqual(a, b string) bool {
	return dialects.ReferentialAction(a) == dialects.ReferentialAction(b)
}

// skipCastTail returns the index after the castTails word at s[i], if
// one is there.
func skipCastTail(s string, i int) int {
	for _, tail := range castTails {
		if len(s)-i >= len(tail) && strings.EqualFold(s[i:i+len(tail)], tail) {
			return i + len(tail)
		}
	}
	return i
}
