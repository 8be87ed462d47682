package postgres

import (
	"testing"

	"github.com/tagorm/orm/schema"
)

// TestNormalizeColumn checks that a declared column, normalised, equals
// the column as Inspect reads it from format_type and pg_get_expr output,
// for the spellings PostgreSQL uses.
func TestNormalizeColumn(t *testing.T) {
	tbl := &schema.Table{Name: "t", PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		col           schema.Column
		typ, default_ string // as format_type and pg_get_expr print them
		equal         bool
	}{
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Integer}}, "integer", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Custom, Raw: "int4"}}, "integer", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Custom, Raw: "int8"}}, "bigint", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.BigInt, Unsigned: true}}, "bigint", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String, Size: 50}}, "character varying(50)", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String, Size: 50}}, "character varying(60)", "", false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String}}, "character varying(255)", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Custom, Raw: "bpchar(3)"}}, "character(3)", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Custom, Raw: "char(3)"}}, "character(4)", "", false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Custom, Raw: "timetz"}}, "time with time zone", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime, Precision: 6}}, "timestamp with time zone", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}}, "timestamp(6) with time zone", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime, Precision: 3}}, "timestamp(6) with time zone", "", false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}}, "numeric(10,2)", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Binary, Size: 16}}, "bytea", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.JSON}}, "jsonb", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Float}}, "real", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Double}}, "double precision", "", true},
		// Defaults.
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String, Size: 5}, Default: str("'x'")}, "character varying(5)", "'x'::character varying", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String, Size: 5}, Default: str("'it''s'")}, "character varying(5)", "'it''s'::character varying", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String, Size: 5}, Default: str("'x'")}, "character varying(5)", "'y'::character varying", false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}, Default: str("now()")}, "timestamp(6) with time zone", "CURRENT_TIMESTAMP", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}, Default: str("CURRENT_TIMESTAMP")}, "timestamp(6) with time zone", "now()", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}, Default: str("(now())")}, "timestamp(6) with time zone", "now()", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Integer}, Default: str("-1")}, "integer", "'-1'::integer", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}, Default: str("0")}, "numeric(10,2)", "0.00", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Bool}, Default: str("TRUE")}, "boolean", "true", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Bool}, Default: str("1")}, "boolean", "false", false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.JSON}, Default: str("'{}'")}, "jsonb", "'{}'::jsonb", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Text}, Default: str("'0'")}, "text", "'0.0'::text", false},
		// An identity column has no default.
		{schema.Column{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true}, "bigint", "", true},
	} {
		c := tc.col
		live := &schema.Column{Name: c.Name, Type: columnType(tc.typ, "b", ""), Nullable: c.Nullable && !tbl.IsPrimaryKey(c.Name)}
		if tc.default_ != "" {
			live.Default = normalizeDefault(tc.default_, live.Type)
		}
		n := Dialect{}.NormalizeColumn(tbl, &c)
		got := Dialect{}.TypesEqual(n.Type, live.Type) && Dialect{}.DefaultsEqual(n.Default, live.Default, n.Type) && n.Nullable == live.Nullable
		if got != tc.equal {
			t.Errorf("%s %v default %v vs live %q default %q: equal %t, want %t (normalised %+v)", c.Name, c.Type, c.Default, tc.typ, tc.default_, got, tc.equal, n.Type)
		}
	}
}

func TestNormalizeEnum(t *testing.T) {
	tbl := &schema.Table{Name: "t"}
	c := &schema.Column{Name: "s", Type: schema.Type{Kind: schema.Enum, Values: []string{"a", "b"}}}
	n := Dialect{}.NormalizeColumn(tbl, c)
	live := schema.Type{Kind: schema.Enum, EnumName: "t_s", Values: []string{"a", "b"}}
	if !(Dialect{}).TypesEqual(n.Type, live) {
		t.Errorf("enum %+v vs %+v", n.Type, live)
	}
	live.EnumName = "other"
	if (Dialect{}).TypesEqual(n.Type, live) {
		t.Error("enums of different types compare equal")
	}
}

func TestReferentialActionsEqual(t *testing.T) {
	d := Dialect{}
	if !d.ReferentialActionsEqual("", schema.NoAction) || d.ReferentialActionsEqual("", schema.Restrict) || !d.ReferentialActionsEqual("cascade", schema.Cascade) {
		t.Error("PostgreSQL: NO ACTION is the default, RESTRICT is not")
	}
}

func TestDefaultsEqualInnerCasts(t *testing.T) {
	d := Dialect{}
	s := func(v string) *string { return &v }
	str := schema.Type{Kind: schema.String}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"upper('n/a')", "upper('n/a'::text)", true},
		{"lower('a'::character varying)", "lower('a')", true},
		{"('2020-01-02'::date + 1)", "'2020-01-02' + 1", true},
		{"x::timestamp(3) with time zone", "x", true},
		{"f('a::text')", "f('a')", false},
		{"upper('a'::text)", "upper('b')", false},
	} {
		if got := d.DefaultsEqual(s(tc.a), s(tc.b), str); got != tc.want {
			t.Errorf("DefaultsEqual(%q, %q) = %t", tc.a, tc.b, got)
		}
	}
}

func TestTypesEqualTimeZone(t *testing.T) {
	d := Dialect{}
	tz := columnType("timestamp with time zone", "b", "")
	naive := columnType("timestamp without time zone", "b", "")
	if d.TypesEqual(tz, naive) {
		t.Error("timestamptz equals timestamp")
	}
	if !d.TypesEqual(tz, columnType("timestamp(6) with time zone", "b", "")) || !d.TypesEqual(naive, columnType("timestamp(6) without time zone", "b", "")) {
		t.Error("timestamp(6) differs from timestamp")
	}
	if !d.TypesEqual(tz, schema.Type{Kind: schema.DateTime, Precision: 6}) {
		t.Error("a type without Raw must compare by kind and precision")
	}
}
