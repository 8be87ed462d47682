package sqlite

import (
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// TestNormalizeColumn checks that a declared column, normalised, equals
// the column as Inspect reads it from the declared type and dflt_value.
func TestNormalizeColumn(t *testing.T) {
	tbl := &schema.Table{Name: "t", PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	str := func(s string) *string { return &s }
	for _, tc := range []struct {
		col      schema.Column
		typ, def string // declared type, dflt_value
		equal    bool
	}{
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.BigInt}}, "INTEGER", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.SmallInt}}, "integer", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String, Size: 50}}, "varchar(50)", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String, Size: 50}}, "VARCHAR(40)", "", false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime, Precision: 6}}, "datetime", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}}, "decimal(10,2)", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}}, "decimal(10)", "", false},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Bool}}, "boolean", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.UUID}}, "uuid", "", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Bool}, Default: str("TRUE")}, "boolean", "1", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.DateTime}, Default: str("CURRENT_TIMESTAMP")}, "datetime", "(CURRENT_TIMESTAMP)", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String}, Default: str("'it''s'")}, "varchar(255)", "('it''s')", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}, Default: str("0")}, "decimal(10,2)", "0.0", true},
		{schema.Column{Name: "a", Type: schema.Type{Kind: schema.String}, Default: str("'0'")}, "varchar(255)", "'0.0'", false},
		// A rowid alias: auto-increment whether declared so or not.
		{schema.Column{Name: "id", Type: schema.Type{Kind: schema.BigInt}}, "INTEGER", "", true},
	} {
		c := tc.col
		l := &schema.Column{Name: c.Name, Type: columnType(tc.typ), Nullable: c.Nullable && !tbl.IsPrimaryKey(c.Name)}
		if tc.def != "" {
			l.Default = dialects.NormalizeDefault(tc.def, l.Type, false)
		}
		n := Dialect{}.NormalizeColumn(tbl, &c)
		got := Dialect{}.TypesEqual(n.Type, l.Type) && Dialect{}.DefaultsEqual(n.Default, l.Default, n.Type) && n.Nullable == l.Nullable
		if got != tc.equal {
			t.Errorf("%v default %v vs live %q %q: equal %t, want %t (normalised %+v)", c.Type, c.Default, tc.typ, tc.def, got, tc.equal, n.Type)
		}
		if c.Name == "id" && !n.AutoIncrement {
			t.Error("an integer primary key is not reported auto-increment")
		}
	}
}

func TestNormalizeEnum(t *testing.T) {
	tbl := &schema.Table{Name: "t"}
	c := &schema.Column{Name: "s", Type: schema.Type{Kind: schema.Enum, Values: []string{"a", "bb"}}, Comment: "gone"}
	n := Dialect{}.NormalizeColumn(tbl, c)
	if n.Type.Kind != schema.Enum || len(n.Type.Values) != 2 || n.Comment != "" {
		t.Errorf("enum normalised to %+v, comment %q", n.Type, n.Comment)
	}
}

func TestRenderDefaultExpressions(t *testing.T) {
	for _, tc := range [][2]string{
		{"0", "0"},
		{"-1.5", "-1.5"},
		{"'x'", "'x'"},
		{"TRUE", "TRUE"},
		{"CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"},
		{"current_date", "current_date"},
		{"2*3+1", "(2*3+1)"},
		{"(2*3)", "(2*3)"},
		{"upper('a')", "(upper('a'))"},
	} {
		def := tc[0]
		if got := renderDefault(&schema.Column{Default: &def}, ""); got != tc[1] {
			t.Errorf("renderDefault(%q) = %q, want %q", tc[0], got, tc[1])
		}
	}
}
