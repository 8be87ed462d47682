package mysql

import (
	"slices"
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

func TestAlterSQL(t *testing.T) {
	d := Dialect{}
	def := "'x'"
	to := &schema.Column{Name: "s", Type: schema.Type{Kind: schema.String, Size: 20}, Default: &def, Comment: "c"}
	tb := &schema.Table{Name: "t", Columns: []*schema.Column{to}}
	check := func(got []string, err error, want ...string) {
		t.Helper()
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("got %q (%v), want %q", got, err, want)
		}
	}
	got, err := d.AlterColumn(tb, dialects.ColumnChange{To: to, Type: true})
	check(got, err, "ALTER TABLE `t` MODIFY COLUMN `s` varchar(20) NOT NULL DEFAULT 'x' COMMENT 'c'")
	got, err = d.AlterColumn(tb, dialects.ColumnChange{To: to, Default: true})
	check(got, err, "ALTER TABLE `t` ALTER COLUMN `s` SET DEFAULT 'x'")
	got, err = d.DropForeignKey(tb, &schema.ForeignKey{Name: "fk"})
	check(got, err, "ALTER TABLE `t` DROP FOREIGN KEY `fk`")
	got, err = d.DropUnique(tb, &schema.Unique{Name: "uq"})
	check(got, err, "DROP INDEX `uq` ON `t`")
	got, err = d.AlterPrimaryKey(tb, &schema.PrimaryKey{Columns: []string{"a"}}, &schema.PrimaryKey{Columns: []string{"a", "b"}})
	check(got, err, "ALTER TABLE `t` DROP PRIMARY KEY, ADD PRIMARY KEY (`a`, `b`)")
	e := &schema.Column{Name: "e", Type: schema.Type{Kind: schema.Enum, Values: []string{"a", "b"}}}
	got, err = d.AddEnumValues(tb, e, []string{"b"})
	check(got, err, "ALTER TABLE `t` MODIFY COLUMN `e` enum('a','b') NOT NULL")
}
