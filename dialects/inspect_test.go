package dialects

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tagorm/orm/schema"
)

func TestParseType(t *testing.T) {
	tests := []struct {
		in        string
		backslash bool
		want      TypeSpec
		wantErr   bool
	}{
		{in: "integer", want: TypeSpec{Name: "integer"}},
		{in: "  INT(11)   UNSIGNED zerofill", want: TypeSpec{Name: "int", Args: []string{"11"}, HasArgs: true, Unsigned: true, Zerofill: true}},
		{in: "character varying(50)", want: TypeSpec{Name: "character varying", Args: []string{"50"}, HasArgs: true}},
		{in: "timestamp(3) with time zone", want: TypeSpec{Name: "timestamp with time zone", Args: []string{"3"}, HasArgs: true}},
		{in: "decimal( 10 , 2 )", want: TypeSpec{Name: "decimal", Args: []string{"10", "2"}, HasArgs: true}},
		{in: "VARCHAR (50)", want: TypeSpec{Name: "varchar", Args: []string{"50"}, HasArgs: true}},
		{in: "enum('a','it''s', ' sp ')", want: TypeSpec{Name: "enum", Args: []string{"a", "it's", " sp "}, HasArgs: true}},
		{in: `enum('a\'b','c\\d')`, backslash: true, want: TypeSpec{Name: "enum", Args: []string{"a'b", `c\d`}, HasArgs: true}},
		{in: `enum('a\'b')`, wantErr: true}, // without backslash escapes the string does not end
		{in: "integer[]", want: TypeSpec{Name: "integer", Array: true}},
		{in: "public.mood", want: TypeSpec{Name: "public.mood"}},
		{in: "foo()", want: TypeSpec{Name: "foo", Args: []string{}, HasArgs: true}},
		{in: "", wantErr: true},
		{in: "(1)", wantErr: true},
		{in: "int(1)(2)", wantErr: true},
		{in: "int(1", wantErr: true},
		{in: "decimal(1,)", wantErr: true},
		{in: "decimal(,1)", wantErr: true},
		{in: "enum('a' x)", wantErr: true},
		{in: "int(f(1))", wantErr: true},
		{in: "int[] x", wantErr: true},
		{in: "int; drop", wantErr: true},
	}
	for _, tt := range tests {
		got, err := ParseType(tt.in, ParseTypeOptions{BackslashEscapes: tt.backslash})
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseType(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err == nil && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseType(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestTypeOf(t *testing.T) {
	tests := []struct {
		in   string
		want schema.Type
	}{
		{"int4", schema.Type{Kind: schema.Integer}},
		{"int(11) unsigned", schema.Type{Kind: schema.Integer, Unsigned: true}},
		{"int8", schema.Type{Kind: schema.BigInt}},
		{"bigint(20)", schema.Type{Kind: schema.BigInt}},
		{"int2", schema.Type{Kind: schema.SmallInt}},
		{"smallint(6)", schema.Type{Kind: schema.SmallInt}},
		{"boolean", schema.Type{Kind: schema.Bool}},
		{"bool", schema.Type{Kind: schema.Bool}},
		{"varchar(50)", schema.Type{Kind: schema.String, Size: 50}},
		{"character varying(50)", schema.Type{Kind: schema.String, Size: 50}},
		{"character varying", schema.Type{Kind: schema.String}},
		{"char(36)", schema.Type{Kind: schema.Custom}},
		{"character(10)", schema.Type{Kind: schema.Custom}},
		{"text", schema.Type{Kind: schema.Text}},
		{"longtext", schema.Type{Kind: schema.Text}},
		{"mediumtext", schema.Type{Kind: schema.Text}},
		{"numeric(10,2)", schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}},
		{"decimal(10)", schema.Type{Kind: schema.Decimal, Precision: 10}},
		{"numeric", schema.Type{Kind: schema.Decimal}},
		{"decimal(a,2)", schema.Type{Kind: schema.Custom}},
		{"real", schema.Type{Kind: schema.Float}},
		{"float4", schema.Type{Kind: schema.Float}},
		{"float", schema.Type{Kind: schema.Float}},
		{"float(53)", schema.Type{Kind: schema.Double}},
		{"double precision", schema.Type{Kind: schema.Double}},
		{"float8", schema.Type{Kind: schema.Double}},
		{"double", schema.Type{Kind: schema.Double}},
		{"bytea", schema.Type{Kind: schema.Binary}},
		{"blob", schema.Type{Kind: schema.Binary}},
		{"blob(16)", schema.Type{Kind: schema.Binary, Size: 16}},
		{"longblob", schema.Type{Kind: schema.Binary}},
		{"varbinary(16)", schema.Type{Kind: schema.Binary, Size: 16}},
		{"binary(16)", schema.Type{Kind: schema.Custom}},
		{"date", schema.Type{Kind: schema.Date}},
		{"timestamp(6) with time zone", schema.Type{Kind: schema.DateTime, Precision: 6}},
		{"timestamptz", schema.Type{Kind: schema.DateTime}},
		{"timestamp without time zone", schema.Type{Kind: schema.DateTime}},
		{"datetime(3)", schema.Type{Kind: schema.DateTime, Precision: 3}},
		{"timestamp", schema.Type{Kind: schema.DateTime}},
		{"time", schema.Type{Kind: schema.Custom}},
		{"json", schema.Type{Kind: schema.JSON}},
		{"jsonb", schema.Type{Kind: schema.JSON}},
		{"uuid", schema.Type{Kind: schema.UUID}},
		{"enum('a','b')", schema.Type{Kind: schema.Enum, Values: []string{"a", "b"}}},
		{"integer[]", schema.Type{Kind: schema.Custom}},
		{"tinyint(1)", schema.Type{Kind: schema.Custom}}, // MySQL's Bool is the dialect's call
		{"mediumint", schema.Type{Kind: schema.Custom}},
		{"geometry", schema.Type{Kind: schema.Custom}},
	}
	for _, tt := range tests {
		ts, err := ParseType(tt.in, ParseTypeOptions{})
		if err != nil {
			t.Fatalf("ParseType(%q): %v", tt.in, err)
		}
		got := TypeOf(ts, tt.in)
		tt.want.Raw = tt.in
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("TypeOf(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeDefault(t *testing.T) {
	boolean := schema.Type{Kind: schema.Bool}
	text := schema.Type{Kind: schema.Text}
	tests := []struct {
		in        string
		t         schema.Type
		backslash bool
		want      string // "<nil>" for nil
	}{
		{"", text, false, "<nil>"},
		{"NULL", text, false, "<nil>"},
		{"(null)", text, false, "<nil>"},
		{"'NULL'", text, false, "'NULL'"},
		{"'x'", text, false, "'x'"},
		{"'has '' quote'", text, false, "'has '' quote'"},
		{`'a\\b'`, text, true, `'a\b'`},
		{`'it\'s'`, text, true, "'it''s'"},
		{"((CURRENT_TIMESTAMP))", text, false, "CURRENT_TIMESTAMP"},
		{"now()", text, false, "CURRENT_TIMESTAMP"},
		{"current_timestamp()", text, false, "CURRENT_TIMESTAMP"},
		{"current_timestamp(6)", text, false, "CURRENT_TIMESTAMP"},
		{"LOCALTIMESTAMP", text, false, "CURRENT_TIMESTAMP"},
		{"now", text, false, "now"},
		{"0.00", schema.Type{Kind: schema.Decimal}, false, "0.00"},
		{" 42 ", schema.Type{Kind: schema.Integer}, false, "42"},
		{"1", boolean, false, "TRUE"},
		{"0", boolean, false, "FALSE"},
		{"true", boolean, false, "TRUE"},
		{"'f'", boolean, false, "FALSE"},
		{"1", schema.Type{Kind: schema.Integer}, false, "1"},
		{"(1) + (2)", text, false, "(1) + (2)"},
		{"lower('X')", text, false, "lower('X')"},
	}
	for _, tt := range tests {
		got := "<nil>"
		if p := NormalizeDefault(tt.in, tt.t, tt.backslash); p != nil {
			got = *p
		}
		if got != tt.want {
			t.Errorf("NormalizeDefault(%q, %v, %v) = %q, want %q", tt.in, tt.t, tt.backslash, got, tt.want)
		}
	}
}

func TestStripParens(t *testing.T) {
	for in, want := range map[string]string{
		"(1)":           "1",
		" ( (a) ) ":     "a",
		"(a) + (b)":     "(a) + (b)",
		"('(')":         "'('",
		"(')' || ')')":  "')' || ')'",
		"(\"x)\" > 1)":  "\"x)\" > 1",
		"(unbalanced":   "(unbalanced",
		"(x) and (y))":  "(x) and (y))",
		"json_valid(j)": "json_valid(j)",
	} {
		if got := StripParens(in); got != want {
			t.Errorf("StripParens(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReferentialAction(t *testing.T) {
	for in, want := range map[string]string{
		"NO ACTION": "", "no  action": "", "": "", "RESTRICT": schema.Restrict,
		"cascade": schema.Cascade, "SET NULL": schema.SetNull, "set default": schema.SetDefault,
	} {
		if got := ReferentialAction(in); got != want {
			t.Errorf("ReferentialAction(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInspectOptionsWants(t *testing.T) {
	o := InspectOptions{Exclude: []string{"x"}, Tables: []string{"a", "x"}}
	if !o.Wants("a") || o.Wants("x") || o.Wants("b") {
		t.Error("Wants: Tables and Exclude not both honoured")
	}
	if !(InspectOptions{}).Wants("b") {
		t.Error("Wants: empty options must want every table")
	}
}

// renderType renders a TypeSpec back to text, quoting every argument.
func renderType(ts TypeSpec) string {
	var b strings.Builder
	b.WriteString(ts.Name)
	if ts.HasArgs {
		b.WriteByte('(')
		for i, a := range ts.Args {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(QuoteString(a, false))
		}
		b.WriteByte(')')
	}
	if ts.Unsigned {
		b.WriteString(" unsigned")
	}
	if ts.Zerofill {
		b.WriteString(" zerofill")
	}
	if ts.Array {
		b.WriteString("[]")
	}
	return b.String()
}

func FuzzParseType(f *testing.F) {
	for _, s := range []string{
		"integer", "int(11) unsigned zerofill", "timestamp(3) with time zone", "decimal(10,2)",
		"enum('a','it''s')", `enum('a\'b')`, "integer[]", "character varying(50)", "foo()", "(", "'",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, backslash bool) {
		ts, err := ParseType(s, ParseTypeOptions{BackslashEscapes: backslash})
		if err != nil {
			return
		}
		if ts.Name == "" {
			t.Fatalf("ParseType(%q): empty name", s)
		}
		_ = TypeOf(ts, s) // must not panic
		again, err := ParseType(renderType(ts), ParseTypeOptions{})
		if err != nil {
			t.Fatalf("ParseType(%q) = %+v, whose rendering %q does not parse: %v", s, ts, renderType(ts), err)
		}
		if !reflect.DeepEqual(again, ts) {
			t.Fatalf("round trip of %q: %+v, then %+v", s, ts, again)
		}
	})
}

func FuzzNormalizeDefault(f *testing.F) {
	for _, s := range []string{"'x'", "'has '' quote'", "(CURRENT_TIMESTAMP)", "now()", "0.00", "1", "NULL", "((1))", "'a\\\\b'"} {
		f.Add(s, int(schema.Text), false)
		f.Add(s, int(schema.Bool), true)
	}
	f.Fuzz(func(t *testing.T, s string, kind int, backslash bool) {
		ty := schema.Type{Kind: schema.Kind(kind % (int(schema.Custom) + 1))}
		p := NormalizeDefault(s, ty, backslash)
		if p == nil {
			return
		}
		// The canonical spelling is a fixed point (in standard SQL quoting).
		q := NormalizeDefault(*p, ty, false)
		if q == nil || *q != *p {
			t.Fatalf("NormalizeDefault(%q) = %q, but normalising that gives %v", s, *p, q)
		}
	})
}
