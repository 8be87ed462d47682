package dialects_test

import (
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

func TestCanonicalType(t *testing.T) {
	for _, tc := range [][2]string{
		{"CHARACTER(10)", "char(10)"},
		{"bpchar(10)", "char(10)"},
		{"int4", "integer"},
		{"int(11)", "integer"},
		{"tinyint(4) unsigned", "tinyint unsigned"},
		{"timestamptz", "timestamp with time zone"},
		{"time without time zone", "time"},
		{"numeric(10, 2)", "numeric(10,2)"},
		{"integer[]", "integer[]"},
		{"Point", "point"},
		{"weird  (", "weird ("},
	} {
		if got := dialects.CanonicalType(tc[0]); got != tc[1] {
			t.Errorf("CanonicalType(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
}

func TestDefaultsEqual(t *testing.T) {
	s := func(v string) *string { return &v }
	dec := schema.Type{Kind: schema.Decimal}
	str := schema.Type{Kind: schema.String}
	for _, tc := range []struct {
		a, b *string
		t    schema.Type
		want bool
	}{
		{nil, nil, str, true},
		{nil, s("'x'"), str, false},
		{s("'x'"), s("'x'"), str, true},
		{s("0"), s("0.00"), dec, true},
		{s("'0'"), s("0.00"), dec, true},
		{s("'0'"), s("'0.00'"), str, false},
		{s("1e2"), s("100"), dec, true},
		{s("1/2"), s("0.5"), dec, false},
		{s("0x10"), s("16"), dec, false},
		{s("CURRENT_TIMESTAMP"), s("CURRENT_TIMESTAMP"), schema.Type{Kind: schema.DateTime}, true},
		// Date and time literals by wall-clock value.
		{s("'2020-01-02 03:04:05'"), s("'2020-01-02 03:04:05.000000'"), schema.Type{Kind: schema.DateTime}, true},
		{s("'2020-01-02 03:04:05'"), s("'2020-01-02 03:04:05+00'"), schema.Type{Kind: schema.DateTime}, true},
		{s("'2020-01-02 03:04:05'"), s("'2020-01-02 03:04:05-05:30'"), schema.Type{Kind: schema.DateTime}, true},
		{s("'2020-01-02 03:04:05'"), s("'2020-01-02 03:04:06'"), schema.Type{Kind: schema.DateTime}, false},
		{s("'2020-01-02'"), s("'2020-01-02'"), schema.Type{Kind: schema.Date}, true},
		{s("'2020-01-02'"), s("'2020-01-03'"), schema.Type{Kind: schema.Date}, false},
		{s("CURRENT_TIMESTAMP"), s("'2020-01-02 03:04:05'"), schema.Type{Kind: schema.DateTime}, false},
		{s("'2020-01-02 03:04:05'"), s("'2020-01-02 03:04:05.000000'"), str, false},
		// Expressions by their tokens.
		{s("2*3+1"), s("((2 * 3) + 1)"), schema.Type{Kind: schema.Integer}, true},
		{s("2*3+1"), s("2*3+2"), schema.Type{Kind: schema.Integer}, false},
		{s("upper('n/a')"), s("UPPER( 'n/a' )"), str, true},
		{s("upper('n/a')"), s("upper('N/A')"), str, false},
		{s("'a b'"), s("'ab'"), str, false},
	} {
		if got := dialects.DefaultsEqual(tc.a, tc.b, tc.t); got != tc.want {
			t.Errorf("DefaultsEqual(%v, %v, %v) = %t", deref(tc.a), deref(tc.b), tc.t, got)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestTypesEqual(t *testing.T) {
	for _, tc := range []struct {
		a, b schema.Type
		want bool
	}{
		{schema.Type{Kind: schema.String, Size: 5, Raw: "varchar(5)"}, schema.Type{Kind: schema.String, Size: 5, Raw: "character varying(5)"}, true},
		{schema.Type{Kind: schema.String, Size: 5}, schema.Type{Kind: schema.String, Size: 6}, false},
		{schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}, schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 3}, false},
		{schema.Type{Kind: schema.Enum, Values: []string{"a", "b"}}, schema.Type{Kind: schema.Enum, Values: []string{"b", "a"}}, false},
		{schema.Type{Kind: schema.Custom, Raw: "char(3)"}, schema.Type{Kind: schema.Custom, Raw: "character(3)"}, true},
		{schema.Type{Kind: schema.Integer}, schema.Type{Kind: schema.BigInt}, false},
	} {
		if got := dialects.TypesEqual(tc.a, tc.b); got != tc.want {
			t.Errorf("TypesEqual(%+v, %+v) = %t", tc.a, tc.b, got)
		}
	}
}

func TestCanonicalExpr(t *testing.T) {
	for _, tc := range [][2]string{
		{"((2 * 3) + 1)", "2*3+1"},
		{"UPPER( 'A b''c' )", "upper'A b''c'"},
		{`"Col" || 'x'`, `"Col"||'x'`},
		{"unterminated 'x", "unterminated'x"},
	} {
		if got := dialects.CanonicalExpr(tc[0]); got != tc[1] {
			t.Errorf("CanonicalExpr(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
	funcs := map[string]string{"ucase": "upper"}
	for _, tc := range [][2]string{
		{"ucase('x')", "upper'x'"},
		{"UCASE ('x')", "upper'x'"},
		{"ucase + 1", "ucase+1"},
		{"f(ucase('ucase('))", "fupper'ucase('"},
	} {
		if got := dialects.CanonicalExprFuncs(tc[0], funcs); got != tc[1] {
			t.Errorf("CanonicalExprFuncs(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
}

func TestNormalizeDefaultCurrentDate(t *testing.T) {
	for _, tc := range [][2]string{
		{"curdate()", "CURRENT_DATE"},
		{"CURRENT_DATE", "CURRENT_DATE"},
		{"(current_date())", "CURRENT_DATE"},
		{"curtime(3)", "CURRENT_TIME"},
		{"current_time", "CURRENT_TIME"},
		{"curdate", "curdate"},
		{"curdate(x)", "curdate(x)"},
	} {
		got := dialects.NormalizeDefault(tc[0], schema.Type{Kind: schema.Date}, false)
		if got == nil || *got != tc[1] {
			t.Errorf("NormalizeDefault(%q) = %v, want %q", tc[0], deref(got), tc[1])
		}
	}
}
