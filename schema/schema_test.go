package schema

import (
	"reflect"
	"testing"
)

func names(ts []*Table) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Name
	}
	return out
}

func fk(ref string) *ForeignKey {
	return &ForeignKey{Name: "fk_" + ref, Columns: []string{ref + "_id"}, RefTable: ref, RefColumns: []string{"id"}}
}

func TestSortByDependency(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tables []*Table
		want   []string
		cyclic int
	}{
		{"independent keep order", []*Table{{Name: "b"}, {Name: "a"}}, []string{"b", "a"}, 0},
		{"child before parent", []*Table{{Name: "child", ForeignKeys: []*ForeignKey{fk("parent")}}, {Name: "parent"}}, []string{"parent", "child"}, 0},
		{"chain", []*Table{
			{Name: "c", ForeignKeys: []*ForeignKey{fk("b")}},
			{Name: "b", ForeignKeys: []*ForeignKey{fk("a")}},
			{Name: "a"},
		}, []string{"a", "b", "c"}, 0},
		{"self reference is not a cycle", []*Table{{Name: "node", ForeignKeys: []*ForeignKey{fk("node")}}}, []string{"node"}, 0},
		{"unknown table ignored", []*Table{{Name: "x", ForeignKeys: []*ForeignKey{fk("elsewhere")}}}, []string{"x"}, 0},
		{"two-table cycle", []*Table{
			{Name: "a", ForeignKeys: []*ForeignKey{fk("b")}},
			{Name: "b", ForeignKeys: []*ForeignKey{fk("a")}},
		}, []string{"b", "a"}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := &MetaData{Tables: tc.tables}
			sorted, cyclic := md.SortByDependency()
			if got := names(sorted); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("order %v, want %v", got, tc.want)
			}
			if len(cyclic) != tc.cyclic {
				t.Fatalf("%d cyclic foreign keys, want %d", len(cyclic), tc.cyclic)
			}
		})
	}
}

func TestCloneIsDeep(t *testing.T) {
	d := "0"
	orig := &Table{
		Name:        "t",
		Columns:     []*Column{{Name: "a", Type: Type{Kind: Enum, Values: []string{"x"}}, Default: &d, DialectTypes: map[string]string{"mysql": "int"}}},
		PrimaryKey:  &PrimaryKey{Columns: []string{"a"}},
		Uniques:     []*Unique{{Name: "u", Columns: []string{"a"}}},
		Indexes:     []*Index{{Name: "i", Columns: []IndexColumn{{Name: "a"}}}},
		ForeignKeys: []*ForeignKey{{Name: "f", Columns: []string{"a"}, RefTable: "r", RefColumns: []string{"id"}}},
		Checks:      []*Check{{Name: "c", Expr: "a > 0"}},
		Options:     map[string]string{"mysql_engine": "InnoDB"},
	}
	c := (&MetaData{Tables: []*Table{orig}}).Clone().Tables[0]
	if !reflect.DeepEqual(orig, c) {
		t.Fatal("clone differs from original")
	}
	c.Columns[0].Type.Values[0] = "changed"
	*c.Columns[0].Default = "1"
	c.Columns[0].DialectTypes["mysql"] = "bigint"
	c.PrimaryKey.Columns[0] = "b"
	c.Uniques[0].Columns[0] = "b"
	c.Indexes[0].Columns[0].Name = "b"
	c.ForeignKeys[0].RefColumns[0] = "b"
	c.Checks[0].Expr = "b"
	c.Options["mysql_engine"] = "MyISAM"
	if orig.Columns[0].Type.Values[0] != "x" || *orig.Columns[0].Default != "0" || orig.Columns[0].DialectTypes["mysql"] != "int" ||
		orig.PrimaryKey.Columns[0] != "a" || orig.Uniques[0].Columns[0] != "a" || orig.Indexes[0].Columns[0].Name != "a" ||
		orig.ForeignKeys[0].RefColumns[0] != "id" || orig.Checks[0].Expr != "a > 0" || orig.Options["mysql_engine"] != "InnoDB" {
		t.Fatal("changing the clone changed the original")
	}
}

func TestTypeString(t *testing.T) {
	for ty, want := range map[*Type]string{
		{Kind: String, Size: 50}:                 "string(50)",
		{Kind: Decimal, Precision: 10, Scale: 2}: "decimal(10,2)",
		{Kind: Enum, Values: []string{"a", "b"}}: "enum(a,b)",
		{Kind: Custom, Raw: "point"}:             "point",
		{Kind: BigInt}:                           "bigint",
	} {
		if got := ty.String(); got != want {
			t.Errorf("%#v: got %q, want %q", ty, got, want)
		}
	}
	for k := Bool; k <= Custom; k++ {
		if back, ok := ParseKind(k.String()); !ok || back != k {
			t.Errorf("ParseKind(%q) = %v, %v", k.String(), back, ok)
		}
	}
}
