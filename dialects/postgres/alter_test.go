package postgres

import (
	"slices"
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

func TestAlterColumnSQL(t *testing.T) {
	def := "0"
	from := &schema.Column{Name: "n", Type: schema.Type{Kind: schema.Integer}, Default: &def}
	to := &schema.Column{Name: "n", Type: schema.Type{Kind: schema.BigInt}, Nullable: false, Comment: "it's n"}
	tb := &schema.Table{Name: "t", Columns: []*schema.Column{to}}
	got, err := Dialect{}.AlterColumn(tb, dialects.ColumnChange{From: from, To: to, Type: true, Null: true, Default: true, Comment: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`ALTER TABLE "t" ALTER COLUMN "n" DROP DEFAULT`,
		`ALTER TABLE "t" ALTER COLUMN "n" TYPE bigint USING "n"::bigint`,
		`ALTER TABLE "t" ALTER COLUMN "n" SET NOT NULL`,
		`COMMENT ON COLUMN "t"."n" IS 'it''s n'`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestAddEnumValuesSQL(t *testing.T) {
	c := &schema.Column{Name: "s", Type: schema.Type{Kind: schema.Enum, Values: []string{"new0", "a", "new1", "b", "new2"}}}
	tb := &schema.Table{Name: "t", Columns: []*schema.Column{c}}
	got, _ := Dialect{}.AddEnumValues(tb, c, []string{"new2", "new0", "new1"})
	want := []string{
		`ALTER TYPE "t_s" ADD VALUE IF NOT EXISTS 'new0' BEFORE 'a'`,
		`ALTER TYPE "t_s" ADD VALUE IF NOT EXISTS 'new1' AFTER 'a'`,
		`ALTER TYPE "t_s" ADD VALUE IF NOT EXISTS 'new2' AFTER 'b'`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestAlterPrimaryKeySQL(t *testing.T) {
	tb := &schema.Table{Name: "t"}
	got, _ := Dialect{}.AlterPrimaryKey(tb, &schema.PrimaryKey{Columns: []string{"a"}}, &schema.PrimaryKey{Name: "pk_t", Columns: []string{"a", "b"}})
	want := []string{`ALTER TABLE "t" DROP CONSTRAINT "t_pkey", ADD CONSTRAINT "pk_t" PRIMARY KEY ("a", "b")`}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
}
