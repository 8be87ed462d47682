package sqlite

import (
	"context"
	"database/sql"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

func TestParseCreateTable(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want tableDef
	}{
		{
			name: "table constraints",
			sql: `CREATE TABLE "t" (
				"a" integer NOT NULL, b varchar(5) DEFAULT 'x,y)' CHECK (b <> ')'),
				CONSTRAINT "pk t" PRIMARY KEY ("a" DESC, b),
				CONSTRAINT uq UNIQUE (b COLLATE nocase, a),
				UNIQUE (a),
				CONSTRAINT [ck "1"] CHECK ((a > 0) AND b IN ('(', ')')),
				CHECK (a < 100),
				CONSTRAINT fk FOREIGN KEY (a, b) REFERENCES "other" (x, "y") ON DELETE SET DEFAULT ON UPDATE NO ACTION MATCH SIMPLE DEFERRABLE INITIALLY DEFERRED,
				FOREIGN KEY (b) REFERENCES p
			) WITHOUT ROWID`,
			want: tableDef{
				pkName:       "pk t",
				withoutRowid: true,
				uniques:      []schema.Unique{{Name: "uq", Columns: []string{"b", "a"}}, {Columns: []string{"a"}}},
				checks: []schema.Check{
					{Expr: "b <> ')'"},
					{Name: `ck "1"`, Expr: "(a > 0) AND b IN ('(', ')')"},
					{Expr: "a < 100"},
				},
				fks: []schema.ForeignKey{
					{Name: "fk", Columns: []string{"a", "b"}, RefTable: "other", RefColumns: []string{"x", "y"}},
					{Columns: []string{"b"}, RefTable: "p"},
				},
			},
		},
		{
			name: "column constraints",
			sql: "create temp table if not exists main.`t`(\n" +
				"  id INTEGER CONSTRAINT pk_t PRIMARY KEY DESC ON CONFLICT REPLACE AUTOINCREMENT, -- comment, with (parens\n" +
				"  p int CONSTRAINT fk_p REFERENCES p(id) ON DELETE SET DEFAULT NOT NULL CONSTRAINT ck_p CHECK (p > 0),\n" +
				"  u text CONSTRAINT uq_u UNIQUE DEFAULT (lower('A')) COLLATE nocase,\n" +
				"  g int GENERATED ALWAYS AS (p * 2) STORED) /* unterminated comment",
			want: tableDef{
				pkName:  "pk_t",
				pkDesc:  true,
				uniques: []schema.Unique{{Name: "uq_u", Columns: []string{"u"}}},
				checks:  []schema.Check{{Name: "ck_p", Expr: "p > 0"}},
				fks:     []schema.ForeignKey{{Name: "fk_p", Columns: []string{"p"}, RefTable: "p", RefColumns: []string{"id"}}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.HasSuffix(tt.sql, "comment") {
				// the first case is valid SQLite: prove it
				db := openDB(t)
				if _, err := db.Exec(`CREATE TABLE p (id integer primary key)`); err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec(tt.sql); err != nil {
					t.Fatalf("SQLite rejects the test statement: %v", err)
				}
			}
			got, err := parseCreateTable(tt.sql)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", *got, tt.want)
			}
		})
	}
}

func TestParseCreateTableErrors(t *testing.T) {
	for _, s := range []string{
		"", "CREATE INDEX x ON t (a)", "CREATE TABLE t AS SELECT 1", "CREATE TABLE t (a int,)",
		"CREATE TABLE t (a int", "CREATE TABLE t (a 'unterminated)", "CREATE TABLE t (CONSTRAINT PRIMARY KEY (a))",
		"CREATE TABLE t (a int, FOREIGN KEY (a) p)", "CREATE TABLE t (a int REFERENCES p ON DELETE EXPLODE)",
		"CREATE TABLE t (PRIMARY (a))",
		// Empty column lists: SQLite rejects them, and a foreign key or key
		// without columns would break every consumer.
		"CREATE TABLE t (a int, FOREIGN KEY () REFERENCES p)", "CREATE TABLE t (a int, FOREIGN KEY (a) REFERENCES p ())",
		"CREATE TABLE t (a int, PRIMARY KEY ())", "CREATE TABLE t (a int, UNIQUE ())",
	} {
		if d, err := parseCreateTable(s); err == nil {
			t.Errorf("parseCreateTable(%q) = %+v, want an error", s, d)
		}
	}
}

func TestEnumCheck(t *testing.T) {
	tests := []struct {
		expr   string
		col    string
		values []string
		ok     bool
	}{
		{`"st" IN ('a', 'b')`, "st", []string{"a", "b"}, true},
		{`st in ('it''s')`, "st", []string{"it's"}, true},
		{`"st" IN ('a',)`, "", nil, false},
		{`"st" IN ('a') OR st IS NULL`, "", nil, false},
		{`"st" IN ('a') AND (x)`, "", nil, false},
		{`"st" IN (1, 2)`, "", nil, false},
		{`"st" NOT IN ('a')`, "", nil, false},
		{`"st" IN ()`, "", nil, false},
	}
	for _, tt := range tests {
		col, values, ok := enumCheck(tt.expr)
		if ok != tt.ok || col != tt.col || !reflect.DeepEqual(values, tt.values) {
			t.Errorf("enumCheck(%q) = %q, %q, %v; want %q, %q, %v", tt.expr, col, values, ok, tt.col, tt.values, tt.ok)
		}
	}
}

func TestColumnType(t *testing.T) {
	tests := []struct {
		decl string
		want schema.Type
	}{
		{"INTEGER", schema.Type{Kind: schema.Integer}},
		{"decimal(10,2)", schema.Type{Kind: schema.Decimal, Precision: 10, Scale: 2}},
		{"decimal(10)", schema.Type{Kind: schema.Decimal, Precision: 10}},
		{"varchar(50)", schema.Type{Kind: schema.String, Size: 50}},
		{"datetime", schema.Type{Kind: schema.DateTime}},
		{"boolean", schema.Type{Kind: schema.Bool}},
		{"json", schema.Type{Kind: schema.JSON}},
		{"uuid", schema.Type{Kind: schema.UUID}},
		{"char(36)", schema.Type{Kind: schema.UUID}},
		{"char(10)", schema.Type{Kind: schema.Custom}},
		{"", schema.Type{Kind: schema.Custom}},
		{"UNSIGNED BIG INT", schema.Type{Kind: schema.Custom}},
		{"my type(", schema.Type{Kind: schema.Custom}},
	}
	for _, tt := range tests {
		tt.want.Raw = tt.decl
		if got := columnType(tt.decl); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("columnType(%q) = %+v, want %+v", tt.decl, got, tt.want)
		}
	}
}

func openDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file::memory:?_foreign_keys=1")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// TestInspectEdgeCases covers what the cross-dialect test in migration
// does not: WITHOUT ROWID, PRIMARY KEY DESC, expression and partial
// indexes, unnamed constraints, quoted names.
func TestInspectEdgeCases(t *testing.T) {
	db := openDB(t)
	for _, s := range []string{
		`CREATE TABLE "we""ird" ("i d" INTEGER PRIMARY KEY DESC, v text UNIQUE, w int CHECK (w > 0))`,
		`CREATE TABLE nr (k text PRIMARY KEY, n INTEGER) WITHOUT ROWID`,
		`CREATE INDEX ix_expr ON nr (lower(k))`,
		`CREATE INDEX ix_part ON nr (n) WHERE n > 0`,
		`CREATE INDEX ix_n ON nr (n)`,
		`CREATE VIRTUAL TABLE docs USING fts4(body)`,
	} {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(s, err)
		}
	}
	md, err := Dialect{}.Inspect(context.Background(), db, dialects.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The virtual table is not listed; its shadow tables are.
	var shadow []*schema.Table
	for _, tb := range md.Tables {
		if strings.HasPrefix(tb.Name, "docs_") {
			shadow = append(shadow, tb)
		} else if tb.Name == "docs" {
			t.Error("virtual table docs listed")
		}
	}
	if len(shadow) == 0 {
		t.Error("no shadow tables of docs")
	}
	md.Tables = slices.DeleteFunc(md.Tables, func(tb *schema.Table) bool { return strings.HasPrefix(tb.Name, "docs") })
	want := &schema.MetaData{Tables: []*schema.Table{
		{
			Name: "nr",
			Columns: []*schema.Column{
				{Name: "k", Type: schema.Type{Kind: schema.Text, Raw: "TEXT"}, Nullable: false},
				{Name: "n", Type: schema.Type{Kind: schema.Integer, Raw: "INTEGER"}, Nullable: true},
			},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"k"}},
			Indexes:    []*schema.Index{{Name: "ix_n", Columns: []schema.IndexColumn{{Name: "n"}}}},
		},
		{
			Name: `we"ird`,
			Columns: []*schema.Column{
				// PRIMARY KEY DESC on the column is not a rowid alias.
				{Name: "i d", Type: schema.Type{Kind: schema.Integer, Raw: "INTEGER"}, Nullable: true},
				{Name: "v", Type: schema.Type{Kind: schema.Text, Raw: "TEXT"}, Nullable: true},
				{Name: "w", Type: schema.Type{Kind: schema.Integer, Raw: "INT"}, Nullable: true},
			},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"i d"}},
			Uniques:    []*schema.Unique{{Columns: []string{"v"}}},
			Checks:     []*schema.Check{{Expr: "w > 0"}},
		},
	}}
	if !reflect.DeepEqual(md, want) {
		for i := range md.Tables {
			t.Logf("got table %+v", *md.Tables[i])
			for _, c := range md.Tables[i].Columns {
				t.Logf("  %+v", *c)
			}
		}
		t.Error("unexpected MetaData")
	}
}

func FuzzParseCreateTable(f *testing.F) {
	for _, s := range []string{
		`CREATE TABLE t (a integer PRIMARY KEY AUTOINCREMENT, b text CHECK (b <> ''), CONSTRAINT u UNIQUE (a, b))`,
		`CREATE TABLE "t" ("a" int REFERENCES p(id) ON DELETE CASCADE, FOREIGN KEY (a) REFERENCES p)`,
		`CREATE TABLE t (a, b, CONSTRAINT pk PRIMARY KEY (a DESC, b)) WITHOUT ROWID`,
		"CREATE TABLE [t] (`a` varchar(5) DEFAULT 'x' /* c */ -- d\n, CHECK ((a)))",
		`CREATE TABLE t (a int DEFAULT -1 CONSTRAINT c CHECK (a IN ('(', ')')))`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseCreateTable(s)
		if err != nil {
			return
		}
		// Check expressions are slices of the statement.
		for _, ck := range d.checks {
			if !strings.Contains(s, ck.Expr) {
				t.Fatalf("check %q is not part of %q", ck.Expr, s)
			}
		}
		for _, fk := range d.fks {
			if len(fk.Columns) == 0 {
				t.Fatalf("foreign key %+v of %q has no columns", fk, s)
			}
		}
		for _, ck := range d.checks {
			enumCheck(ck.Expr) // must not panic
		}
	})
}
