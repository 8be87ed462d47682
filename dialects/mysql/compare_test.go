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
