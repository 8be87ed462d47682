package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

func TestAddColumnNeedsRebuild(t *testing.T) {
	d := Dialect{}
	tb := &schema.Table{Name: "t"}
	now, lit := "CURRENT_TIMESTAMP", "'x'"
	for _, c := range []*schema.Column{
		{Name: "a", Type: schema.Type{Kind: schema.Integer}},                                 // NOT NULL, no default
		{Name: "b", Type: schema.Type{Kind: schema.DateTime}, Nullable: true, Default: &now}, // expression default
		{Name: "c", Type: schema.Type{Kind: schema.Enum, Values: []string{"x"}}, Default: &lit},
	} {
		if _, err := d.AddColumn(tb, c); !errors.Is(err, dialects.ErrNeedsRebuild) {
			t.Errorf("%s: %v, want ErrNeedsRebuild", c.Name, err)
		}
	}
	got, err := d.AddColumn(tb, &schema.Column{Name: "d", Type: schema.Type{Kind: schema.String, Size: 5}, Default: &lit})
	if err != nil || !slices.Equal(got, []string{`ALTER TABLE "t" ADD COLUMN "d" varchar(5) NOT NULL DEFAULT 'x'`}) {
		t.Fatalf("%q %v", got, err)
	}
}

func TestRebuildTableSQL(t *testing.T) {
	from := &schema.Table{Name: "p", Columns: []*schema.Column{
		{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true},
		{Name: "old", Type: schema.Type{Kind: schema.Text}, Nullable: true},
		{Name: "gone", Type: schema.Type{Kind: schema.Text}, Nullable: true},
	}, PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	to := from.Clone()
	to.Columns = []*schema.Column{to.Columns[0], {Name: "new", Type: schema.Type{Kind: schema.Text}}}
	to.Indexes = []*schema.Index{{Name: "ix", Columns: []schema.IndexColumn{{Name: "new"}}}}
	got, err := Dialect{}.RebuildTable(context.Background(), nil, from, to, map[string]string{"id": "id", "new": "old"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"CREATE TABLE \"_tagorm_new_p\" (\n  \"id\" INTEGER PRIMARY KEY AUTOINCREMENT,\n  \"new\" text NOT NULL\n)",
		`INSERT INTO "_tagorm_new_p" ("id", "new") SELECT "id", "old" FROM "p"`,
		`UPDATE sqlite_sequence SET seq = (SELECT MAX(seq) FROM sqlite_sequence WHERE name IN ('p', '_tagorm_new_p')) WHERE name = '_tagorm_new_p'`,
		`DROP TABLE "p"`,
		`PRAGMA legacy_alter_table = ON`,
		`ALTER TABLE "_tagorm_new_p" RENAME TO "p"`,
		`PRAGMA legacy_alter_table = OFF`,
		`CREATE INDEX "ix" ON "p" ("new")`,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

func TestRenameTableRefs(t *testing.T) {
	d := Dialect{}
	for _, tc := range [][2]string{
		{`CREATE INDEX ix ON item (qty) WHERE qty > 3`, `CREATE INDEX ix ON "goods" (qty) WHERE qty > 3`},
		{`CREATE TRIGGER t AFTER INSERT ON "item" BEGIN UPDATE [Item] SET note = 'item''s' WHERE item.id = NEW.id; END`,
			`CREATE TRIGGER t AFTER INSERT ON "goods" BEGIN UPDATE "goods" SET note = 'item''s' WHERE "goods".id = NEW.id; END`},
		{"CREATE INDEX ix_item ON `item` (items, item_id)", `CREATE INDEX ix_item ON "goods" (items, item_id)`},
	} {
		if got := d.renameTableRefs(tc[0], "item", "goods"); got != tc[1] {
			t.Errorf("renameTableRefs(%q)\n got %q\nwant %q", tc[0], got, tc[1])
		}
	}
}
