package mysql

import (
	"testing"

	"github.com/tagorm/orm/schema"
)

// TestNormalizeColumn checks that a declared column, normalised, equals
// the column as Inspect reads it from COLUMN_TYPE and COLUMN_DEFAULT, in
// MariaDB's and MySQL 8's spellings.
func TestNormalizeColumn(t *testing.T) {
	tbl := &schema.Table{Name: "t", PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	str := func(s string) *string { return &s }
	type live struct {
		typ, def         string // COLUMN_TYPE, COLUMN_DEFAULT ("" for NULL)
		maria, generated bool
	}
	for _, tc := range []struct {
		col   schema.Column
		live  live
		equal bool
	}{
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Integer}}, live{typ: "int(11)"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.BigInt}}, live{typ: "bigint(20)"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.BigInt, Unsigned: true}}, live{typ: "bigint(20) unsigned"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.BigInt, Unsigned: true}}, live{typ: "bigint(20)"}, false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Bool}}, live{typ: "tinyint(1)"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Custom, Raw: "tinyint"}}, live{typ: "tinyint(4)"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String, Size: 50}}, live{typ: "varchar(50)"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Text}}, live{typ: "longtext"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.JSON}}, live{typ: "json"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.UUID}}, live{typ: "char(36)"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}}, live{typ: "datetime(6)"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime, Precision: 3}}, live{typ: "datetime(6)"}, false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Decimal}}, live{typ: "decimal(65,30)"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Binary}}, live{typ: "longblob"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Enum, Values: []string{"a", `b\c`, "it's"}}}, live{typ: `enum('a','b\\c','it''s')`}, true},
		// Defaults, MariaDB.
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}, Default: str("CURRENT_TIMESTAMP")}, live{typ: "datetime(6)", def: "current_timestamp(6)", maria: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}, Default: str("now()")}, live{typ: "datetime(6)", def: "current_timestamp(6)", maria: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}, Default: str("0")}, live{typ: "decimal(10,2)", def: "0.00", maria: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}, Default: str("0")}, live{typ: "decimal(10,2)", def: "0.01", maria: true}, false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Bool}, Default: str("TRUE")}, live{typ: "tinyint(1)", def: "1", maria: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Bool}, Default: str("false")}, live{typ: "tinyint(1)", def: "0", maria: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String}, Default: str("'it''s'")}, live{typ: "varchar(255)", def: "'it''s'", maria: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String}, Default: str(`'a\\b'`)}, live{typ: "varchar(255)", def: `'a\\b'`, maria: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Text}, Default: str("'x'")}, live{typ: "longtext", def: "'x'", maria: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String}}, live{typ: "varchar(255)", def: "NULL", maria: true}, true},
		// Defaults, MySQL 8.
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String}, Default: str("'it''s'")}, live{typ: "varchar(255)", def: "it's"}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}, Default: str("CURRENT_TIMESTAMP")}, live{typ: "datetime(6)", def: "CURRENT_TIMESTAMP(6)", generated: true}, true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Bool}, Default: str("TRUE")}, live{typ: "tinyint(1)", def: "1"}, true},
		{schema.Column{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true}, live{typ: "bigint(20)"}, true},
	} {
		c := tc.col
		l := &schema.Column{Name: c.Name, Type: columnType(tc.live.typ), Nullable: c.Nullable && !tbl.IsPrimaryKey(c.Name)}
		if tc.live.def != "" {
			l.Default = columnDefault(tc.live.def, l.Type, tc.live.maria, tc.live.generated)
		}
		n := Dialect{}.NormalizeColumn(tbl, &c)
		got := Dialect{}.TypesEqual(n.Type, l.Type) && Dialect{}.DefaultsEqual(n.Default, l.Default, n.Type) && n.Nullable == l.Nullable
		if got != tc.equal {
			t.Errorf("%v default %v vs live %+v: equal %t, want %t (normalised %+v, default %v; live %v)", c.Type, c.Default, tc.live, got, tc.equal, n.Type, deref(n.Default), deref(l.Default))
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestReferentialActionsEqual(t *testing.T) {
	d := Dialect{}
	if !d.ReferentialActionsEqual("", schema.Restrict) || !d.ReferentialActionsEqual(schema.NoAction, schema.Restrict) || d.ReferentialActionsEqual("", schema.Cascade) {
		t.Error("MySQL: NO ACTION is RESTRICT")
	}
}

func TestTypesEqualTimestamp(t *testing.T) {
	d := Dialect{}
	if d.TypesEqual(columnType("datetime(6)"), columnType("timestamp(6)")) {
		t.Error("datetime equals timestamp")
	}
	if !d.TypesEqual(columnType("DATETIME(6)"), columnType("datetime(6)")) {
		t.Error("DATETIME(6) differs from datetime(6)")
	}
}

func TestDefaultsEqualFunctionNames(t *testing.T) {
	d := Dialect{}
	s := func(v string) *string { return &v }
	str := schema.Type{Kind: schema.String}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"upper('n/a')", "ucase('n/a')", true},
		{"lower('A')", "lcase('A')", true},
		{"upper('a')", "lcase('a')", false},
		{"'ucase(x)'", "'upper(x)'", false},
	} {
		if got := d.DefaultsEqual(s(tc.a), s(tc.b), str); got != tc.want {
			t.Errorf("DefaultsEqual(%q, %q) = %t", tc.a, tc.b, got)
		}
	}
}

func TestRenderDefaultExpressions(t *testing.T) {
	for _, tc := range []struct{ def, typ, want string }{
		{"0", "int", "0"},
		{"-1.5", "double", "-1.5"},
		{"'x'", "varchar(10)", "'x'"},
		{"'x'", "longtext", "('x')"},
		{"2*3+1", "int", "(2*3+1)"},
		{"(2*3)", "int", "(2*3)"},
		{"upper('a')", "varchar(10)", "(upper('a'))"},
		{"CURRENT_DATE", "date", "(CURRENT_DATE)"},
		{"CURRENT_TIMESTAMP", "datetime(6)", "CURRENT_TIMESTAMP(6)"},
		{"TRUE", "tinyint(1)", "TRUE"},
		{"NULL", "int", "NULL"},
	} {
		def := tc.def
		if got := renderDefault(&schema.Column{Default: &def}, tc.typ); got != tc.want {
			t.Errorf("renderDefault(%q, %q) = %q, want %q", tc.def, tc.typ, got, tc.want)
		}
	}
}
