package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"reflect"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

func TestColumnType(t *testing.T) {
	tests := []struct {
		typ  string
		want schema.Type
	}{
		{"tinyint(1)", schema.Type{Kind: schema.Bool}},
		{"tinyint(1) unsigned", schema.Type{Kind: schema.Custom}},
		{"tinyint(4)", schema.Type{Kind: schema.Custom}},
		{"smallint(6)", schema.Type{Kind: schema.SmallInt}},
		{"int(11)", schema.Type{Kind: schema.Integer}},
		{"int", schema.Type{Kind: schema.Integer}},
		{"int(10) unsigned", schema.Type{Kind: schema.Integer, Unsigned: true}},
		{"bigint(20) unsigned zerofill", schema.Type{Kind: schema.BigInt, Unsigned: true}},
		{"char(36)", schema.Type{Kind: schema.UUID}},
		{"uuid", schema.Type{Kind: schema.UUID}},
		{"char(10)", schema.Type{Kind: schema.Custom}},
		{"varchar(255)", schema.Type{Kind: schema.String, Size: 255}},
		{"longtext", schema.Type{Kind: schema.Text}},
		{"float", schema.Type{Kind: schema.Float}},
		{"double", schema.Type{Kind: schema.Double}},
		{"decimal(65,30)", schema.Type{Kind: schema.Decimal, Precision: 65, Scale: 30}},
		{"datetime", schema.Type{Kind: schema.DateTime}},
		{"datetime(6)", schema.Type{Kind: schema.DateTime, Precision: 6}},
		{"timestamp(3)", schema.Type{Kind: schema.DateTime, Precision: 3}},
		{"varbinary(16)", schema.Type{Kind: schema.Binary, Size: 16}},
		{"longblob", schema.Type{Kind: schema.Binary}},
		{"json", schema.Type{Kind: schema.JSON}},
		{`enum('a','it''s','b\\c')`, schema.Type{Kind: schema.Enum, Values: []string{"a", "it's", `b\c`}}},
		{"set('a','b')", schema.Type{Kind: schema.Custom}},
		{"year(4)", schema.Type{Kind: schema.Custom}},
	}
	for _, tt := range tests {
		tt.want.Raw = tt.typ
		if got := columnType(tt.typ); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("columnType(%q) = %+v, want %+v", tt.typ, got, tt.want)
		}
	}
}

func TestColumnDefault(t *testing.T) {
	boolean := schema.Type{Kind: schema.Bool}
	str := schema.Type{Kind: schema.String}
	dt := schema.Type{Kind: schema.DateTime, Precision: 6}
	dec := schema.Type{Kind: schema.Decimal}
	tests := []struct {
		def              string
		t                schema.Type
		maria, generated bool
		want             string
	}{
		// MariaDB 10.2.7+: literals quoted, NULL spelled out.
		{"NULL", str, true, false, "<nil>"},
		{"'NULL'", str, true, false, "'NULL'"},
		{"'has '' quote'", str, true, false, "'has '' quote'"},
		{`'a\\b'`, str, true, false, `'a\b'`},
		{"current_timestamp(6)", dt, true, false, "CURRENT_TIMESTAMP"},
		{"1", boolean, true, false, "TRUE"},
		{"0.00", dec, true, false, "0.00"},
		// MySQL 8: literals bare, expressions flagged DEFAULT_GENERATED.
		{"has ' quote", str, false, false, "'has '' quote'"},
		{"NULL", str, false, false, "'NULL'"},
		{"0", boolean, false, false, "FALSE"},
		{"CURRENT_TIMESTAMP(6)", dt, false, true, "CURRENT_TIMESTAMP"},
		{"CURRENT_TIMESTAMP", dt, false, false, "CURRENT_TIMESTAMP"},
		{"2020-01-01 00:00:00", dt, false, false, "'2020-01-01 00:00:00'"},
		{"(lower(_utf8mb4'X'))", str, false, true, "lower(_utf8mb4'X')"},
	}
	for _, tt := range tests {
		got := "<nil>"
		if p := columnDefault(tt.def, tt.t, tt.maria, tt.generated); p != nil {
			got = *p
		}
		if got != tt.want {
			t.Errorf("columnDefault(%q, maria=%v, generated=%v) = %q, want %q", tt.def, tt.maria, tt.generated, got, tt.want)
		}
	}
}

func TestIsJSONCheck(t *testing.T) {
	if !isJSONCheck("json_valid(`j`)", "j") || !isJSONCheck("JSON_VALID(`a``b`)", "a`b") ||
		isJSONCheck("json_valid(`j`) and 1", "j") || isJSONCheck("json_valid(`k`)", "j") {
		t.Error("isJSONCheck")
	}
}

// TestInspectEdgeCases covers what the cross-dialect test in migration
// does not: backslashes in defaults and enum values, a JSON check named
// differently, unsigned integers, views, prefix indexes.
func TestInspectEdgeCases(t *testing.T) {
	dsn := os.Getenv("ORM_TEST_MYSQL_DSN")
	if dsn == "" {
		t.Skip("ORM_TEST_MYSQL_DSN is not set")
	}
	admin, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("inspect_edge_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Skipf("mysql not reachable: %v", err)
	}
	defer admin.Exec("DROP DATABASE " + name)
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DBName = name
	db, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, stmt := range []string{
		`CREATE TABLE t (
			id int unsigned NOT NULL PRIMARY KEY,
			s varchar(20) NOT NULL DEFAULT 'a\\b''c',
			e enum('x\\y','z') DEFAULT NULL,
			j longtext,
			doc text,
			CONSTRAINT j_is_json CHECK (json_valid(j)),
			INDEX ix_prefix (doc(10))
		) COMMENT='a\\b'`,
		`CREATE VIEW v AS SELECT id FROM t`,
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	md, err := Dialect{}.Inspect(context.Background(), db, dialects.InspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s := `'a\b''c'`
	want := &schema.MetaData{Tables: []*schema.Table{{
		Name:    "t",
		Comment: `a\b`,
		Columns: []*schema.Column{
			{Name: "id", Type: schema.Type{Kind: schema.Integer, Unsigned: true, Raw: "int(10) unsigned"}},
			{Name: "s", Type: schema.Type{Kind: schema.String, Size: 20, Raw: "varchar(20)"}, Default: &s},
			{Name: "e", Type: schema.Type{Kind: schema.Enum, Values: []string{`x\y`, "z"}, Raw: `enum('x\\y','z')`}, Nullable: true},
			// A check not named after the column is the user's: j stays text.
			{Name: "j", Type: schema.Type{Kind: schema.Text, Raw: "longtext"}, Nullable: true},
			{Name: "doc", Type: schema.Type{Kind: schema.Text, Raw: "text"}, Nullable: true},
		},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		Indexes:    []*schema.Index{{Name: "ix_prefix", Columns: []schema.IndexColumn{{Name: "doc"}}}},
		Checks:     []*schema.Check{{Name: "j_is_json", Expr: "json_valid(`j`)"}},
	}}}
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
