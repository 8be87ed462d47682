package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

func TestStripCast(t *testing.T) {
	for in, want := range map[string]string{
		"'x'::character varying":            "'x'",
		"'has '' quote'::character varying": "'has '' quote'",
		"'-1'::integer":                     "-1",
		"'-1.5'::numeric":                   "-1.5",
		"'1e3'::double precision":           "1e3",
		"'12'::text":                        "'12'",
		"' 1'::integer":                     "' 1'",
		"(0)::numeric":                      "(0)",
		"'{}'::jsonb":                       "'{}'",
		"'sad'::mood":                       "'sad'",
		"'a'::\"My Type\"":                  "'a'",
		"'2020-01-01'::date":                "'2020-01-01'",
		"'a'::text::character varying(10)":  "'a'",
		"('now'::text)::date":               "('now'::text)",
		"now()":                             "now()",
		"CURRENT_TIMESTAMP":                 "CURRENT_TIMESTAMP",
		"lower('X'::text)":                  "lower('X'::text)",
		"(1 + 2)::bigint":                   "(1 + 2)",
		"a::text":                           "a::text",
		"'x'::text || 'y'::text":            "'x'::text || 'y'::text",
		"'a::b'::text":                      "'a::b'",
		"ARRAY[1, 2]::integer[]":            "ARRAY[1, 2]::integer[]",
		"'{1,2}'::integer[]":                "'{1,2}'",
		"nextval('t_id_seq'::regclass)":     "nextval('t_id_seq'::regclass)",
		"'x'::character varying, evil":      "'x'::character varying, evil",
		"'unterminated::text":               "'unterminated::text",
	} {
		if got := stripCast(in); got != want {
			t.Errorf("stripCast(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColumnType(t *testing.T) {
	tests := []struct {
		typ, typtype, typname string
		want                  schema.Type
	}{
		{"integer", "b", "int4", schema.Type{Kind: schema.Integer}},
		{"timestamp with time zone", "b", "timestamptz", schema.Type{Kind: schema.DateTime, Precision: 6}},
		{"timestamp(0) with time zone", "b", "timestamptz", schema.Type{Kind: schema.DateTime}},
		{"character varying(20)", "b", "varchar", schema.Type{Kind: schema.String, Size: 20}},
		{"character(36)", "b", "bpchar", schema.Type{Kind: schema.Custom}},
		{"mood", "e", "mood", schema.Type{Kind: schema.Enum, EnumName: "mood"}},
		{"other.\"Mood\"", "e", "Mood", schema.Type{Kind: schema.Enum, EnumName: "Mood"}},
		{"\"weird type\"", "b", "weird type", schema.Type{Kind: schema.Custom}},
		{"integer[]", "b", "_int4", schema.Type{Kind: schema.Custom}},
	}
	for _, tt := range tests {
		tt.want.Raw = tt.typ
		if got := columnType(tt.typ, tt.typtype, tt.typname); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("columnType(%q) = %+v, want %+v", tt.typ, got, tt.want)
		}
	}
}

func TestIsSerialDefault(t *testing.T) {
	if !isSerialDefault("nextval('child_id_seq'::regclass)") || isSerialDefault("nextval('x')") || isSerialDefault("'nextval(x::regclass)'") {
		t.Error("isSerialDefault")
	}
}

func FuzzStripCast(f *testing.F) {
	for _, s := range []string{"'x'::character varying", "'-1'::integer", "(0)::numeric", "now()", "'a'::text::varchar(2)", "('now'::text)::date"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := stripCast(s)
		if len(got) > len(strings.TrimSpace(s)) {
			t.Fatalf("stripCast(%q) = %q grew", s, got)
		}
		if again := stripCast(got); again != got {
			t.Fatalf("stripCast is not idempotent on %q: %q then %q", s, got, again)
		}
	})
}

// TestInspectEdgeCases covers what the cross-dialect test in migration
// does not: expression, partial and INCLUDE indexes, exclusion
// constraints, partitions, a table without columns, tables of another
// schema, and a quoted enum type name.
func TestInspectEdgeCases(t *testing.T) {
	dsn := os.Getenv("ORM_TEST_POSTGRES_DSN")
	if dsn == "" {
		t.Skip("ORM_TEST_POSTGRES_DSN is not set")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	s := fmt.Sprintf("inspect_edge_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + s); err != nil {
		t.Skipf("postgres not reachable: %v", err)
	}
	defer admin.Exec("DROP SCHEMA " + s + " CASCADE")
	u, _ := url.Parse(dsn)
	qv := u.Query()
	qv.Set("search_path", s)
	u.RawQuery = qv.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{
		`CREATE TABLE public_shadow ()`,
		`CREATE TYPE "My Mood" AS ENUM ('a', 'b')`,
		`CREATE TABLE t (id integer PRIMARY KEY, m "My Mood" NOT NULL DEFAULT 'b', v text, r int4range,
			EXCLUDE USING gist (r WITH &&))`,
		`CREATE INDEX ix_expr ON t (lower(v))`,
		`CREATE INDEX ix_part ON t (v) WHERE v <> ''`,
		`CREATE INDEX ix_incl ON t (v DESC) INCLUDE (id)`,
		`CREATE TABLE parted (k int NOT NULL, CONSTRAINT parted_pk PRIMARY KEY (k)) PARTITION BY RANGE (k)`,
		`CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10)`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	md, err := Dialect{}.Inspect(ctx, db, dialects.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	integer := schema.Type{Kind: schema.Integer, Raw: "integer"}
	want := &schema.MetaData{Tables: []*schema.Table{
		{
			Name:       "parted",
			Columns:    []*schema.Column{{Name: "k", Type: integer}},
			PrimaryKey: &schema.PrimaryKey{Name: "parted_pk", Columns: []string{"k"}},
		},
		{Name: "public_shadow"},
		{
			Name: "t",
			Columns: []*schema.Column{
				{Name: "id", Type: integer},
				{Name: "m", Type: schema.Type{Kind: schema.Enum, EnumName: "My Mood", Values: []string{"a", "b"}, Raw: `"My Mood"`}, Default: ptr("'b'")},
				{Name: "v", Type: schema.Type{Kind: schema.Text, Raw: "text"}, Nullable: true},
				{Name: "r", Type: schema.Type{Kind: schema.Custom, Raw: "int4range"}, Nullable: true},
			},
			PrimaryKey: &schema.PrimaryKey{Name: "t_pkey", Columns: []string{"id"}},
			Indexes:    []*schema.Index{{Name: "ix_incl", Columns: []schema.IndexColumn{{Name: "v", Desc: true}}}},
		},
	}}
	if !reflect.DeepEqual(md, want) {
		for _, tb := range md.Tables {
			t.Logf("got table %+v", *tb)
			for _, c := range tb.Columns {
				t.Logf("  %+v", *c)
			}
		}
		t.Error("unexpected MetaData")
	}
}

func ptr(s string) *string { return &s }
