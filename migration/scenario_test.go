package migration_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// The scenario suite, in the style of Alembic's autogenerate tests
// (test_autogen_diffs, test_autogen_indexes, test_autogen_fks,
// test_autogen_composition, test_batch): for each scenario and each
// dialect, on a fresh database,
//
//	models v1 → AutoMigrate → seed rows → models v2 → Compare gives
//	exactly the expected ops → AutoMigrate (refused without the options
//	the scenario names, applied with them) → Compare gives nothing → a
//	second AutoMigrate issues no DDL → the rows are intact.
//
// A scenario that is refused whatever the options stops after checking
// that nothing changed.

// scCheck is a query over the migrated database and its expected rows
// ("col|col" per row, rows joined by "\n"); with fail set, a statement
// that must fail (a foreign key or check still enforced).
type scCheck struct {
	query, want string
	fail        bool
}

type scenario struct {
	name   string
	v1, v2 []any
	seed   []string
	// seedFor holds more seed statements by dialect name, run after seed.
	seedFor map[string][]string
	// want lists the ops Compare finds (Op.String), by dialect name; ""
	// is the default for the dialects not listed.
	want map[string][]string
	// hint is a substring one of Compare's hints must contain.
	hint string
	// refused is a substring of AutoMigrate's error without opts (the
	// changes must be refused and nothing applied); refusedAlways means
	// opts do not help either.
	refused       string
	refusedAlways bool
	opts          []migration.Option
	checks        []scCheck
	// checksFor holds more checks by dialect name, run after checks.
	checksFor map[string][]scCheck
}

func scAll(ops ...string) map[string][]string { return map[string][]string{"": ops} }

// allChecks returns the checks of sc for the named dialect.
func (sc scenario) allChecks(dialect string) []scCheck {
	return append(slices.Clone(sc.checks), sc.checksFor[dialect]...)
}

// seeds returns the seed statements of sc for the named dialect.
func (sc scenario) seeds(dialect string) []string {
	return append(slices.Clone(sc.seed), sc.seedFor[dialect]...)
}

// ---- models ----

type scItem struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

const scSeedItems = "INSERT INTO item (id, name, note, qty) VALUES (1, 'alpha', 'first', 3), (2, 'beta', NULL, 4), (3, 'gamma', 'third', 5)"

var scItemsIntact = scCheck{query: "SELECT id, name, qty FROM item ORDER BY id", want: "1|alpha|3\n2|beta|4\n3|gamma|5"}

type scItemAddNullable struct {
	_     struct{} `orm:"table:item"`
	ID    int64    `db:"id"`
	Name  string   `db:"name" orm:"size:50"`
	Note  *string  `db:"note" orm:"size:100"`
	Qty   int32    `db:"qty" orm:"default:0"`
	Color *string  `db:"color" orm:"size:20"`
}

type scItemAddDefaults struct {
	_       struct{}  `orm:"table:item"`
	ID      int64     `db:"id"`
	Name    string    `db:"name" orm:"size:50"`
	Note    *string   `db:"note" orm:"size:100"`
	Qty     int32     `db:"qty" orm:"default:0"`
	Label   string    `db:"label" orm:"size:20;default:'it''s new'"`
	Weight  int32     `db:"weight" orm:"default:7"`
	Active  bool      `db:"active" orm:"default:true"`
	Created time.Time `db:"created" orm:"default:CURRENT_TIMESTAMP"`
}

type scItemAddNotNull struct {
	_      struct{} `orm:"table:item"`
	ID     int64    `db:"id"`
	Name   string   `db:"name" orm:"size:50"`
	Note   *string  `db:"note" orm:"size:100"`
	Qty    int32    `db:"qty" orm:"default:0"`
	Weight int32    `db:"weight"`
}

type scItemNoNote struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemNoteNotNull struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note string   `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemNameNull struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name *string  `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemName200 struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:200"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemName5 struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:5"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemName4 struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:4"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemQtyBig struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int64    `db:"qty" orm:"default:0"`
}

type scItemQtySmall struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int16    `db:"qty" orm:"default:0"`
}

type scItemNoteText struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"type:text"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemQtyDefault struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;default:'o''neil'"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:10"`
}

type scItemNoDefault struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty"`
}

type scItemIndexed struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_name_qty"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;index:ix_item_name_qty;index:ix_item_qty"`
}

type scItemIndexReordered struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_name_qty,priority:2"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;index:ix_item_name_qty,priority:1;index:ix_item_qty"`
}

type scItemNameIndex struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_name"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemNameUniqueIndex struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_name,unique"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemNameUnique struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;unique:uq_item_name"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemNameQtyUnique struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;unique:uq_item_name_qty"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;unique:uq_item_name_qty"`
}

type scItemChecked struct {
	_    struct{} `orm:"table:item;check:ck_item_qty:qty >= 4"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemCheckedOK struct {
	_    struct{} `orm:"table:item;check:ck_item_qty:qty >= 0"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemCommented struct {
	_    struct{} `orm:"table:item;comment:things we sell"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;comment:the name, as shown"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemRenamedCol struct {
	_     struct{} `orm:"table:item"`
	ID    int64    `db:"id"`
	Title string   `db:"title" orm:"size:50;renamed_from:name"`
	Note  *string  `db:"note" orm:"size:100"`
	Qty   int32    `db:"qty" orm:"default:0"`
}

type scItemUnrenamedCol struct {
	_     struct{} `orm:"table:item"`
	ID    int64    `db:"id"`
	Title *string  `db:"title" orm:"size:50"`
	Note  *string  `db:"note" orm:"size:100"`
	Qty   int32    `db:"qty" orm:"default:0"`
}

type scItemSelfRef struct {
	_        struct{} `orm:"table:item"`
	ID       int64    `db:"id"`
	Name     string   `db:"name" orm:"size:50"`
	Note     *string  `db:"note" orm:"size:100"`
	Qty      int32    `db:"qty" orm:"default:0"`
	ParentID *int64   `db:"parent_id" orm:"fk:item.id;on_delete:set null"`
}

type scPrice struct {
	_     struct{} `orm:"table:price"`
	ID    int64    `db:"id"`
	Value string   `db:"value" orm:"type:decimal(10,2)"`
}

type scPriceWide struct {
	_     struct{} `orm:"table:price"`
	ID    int64    `db:"id"`
	Value string   `db:"value" orm:"type:decimal(14,3)"`
}

type scPriceNarrow struct {
	_     struct{} `orm:"table:price"`
	ID    int64    `db:"id"`
	Value string   `db:"value" orm:"type:decimal(5,2)"`
}

type scFlag struct {
	_  struct{} `orm:"table:flag"`
	ID int64    `db:"id"`
	On bool     `db:"on_" orm:"default:false"`
}

type scFlagTrue struct {
	_  struct{} `orm:"table:flag"`
	ID int64    `db:"id"`
	On bool     `db:"on_" orm:"default:true"`
}

type scColor string

func (scColor) EnumValues() []string { return []string{"red", "green"} }

type scColor3 string

func (scColor3) EnumValues() []string { return []string{"red", "green", "blue"} }

type scColorRed string

func (scColorRed) EnumValues() []string { return []string{"red"} }

type scPaint struct {
	_     struct{} `orm:"table:paint"`
	ID    int64    `db:"id"`
	Color scColor  `db:"color" orm:"default:'red'"`
}

type scPaint3 struct {
	_     struct{} `orm:"table:paint"`
	ID    int64    `db:"id"`
	Color scColor3 `db:"color" orm:"default:'red'"`
}

type scPaintRed struct {
	_     struct{}   `orm:"table:paint"`
	ID    int64      `db:"id"`
	Color scColorRed `db:"color" orm:"default:'red'"`
}

// Parent and child, for foreign keys.

type scParent struct {
	_    struct{} `orm:"table:parent"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
}

type scChildNoFK struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id"`
	Label    string   `db:"label" orm:"size:20"`
}

type scChild struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent"`
	Label    string   `db:"label" orm:"size:20"`
}

type scChildCascade struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent;on_delete:cascade"`
	Label    string   `db:"label" orm:"size:20"`
}

type scChildIndexed struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent;index:ix_child_parent"`
	Label    string   `db:"label" orm:"size:20"`
}

type scChildIndexedLabel struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent;index:ix_child_parent_label"`
	Label    string   `db:"label" orm:"size:20;index:ix_child_parent_label"`
}

type scChildUnique struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent;unique:uq_child_parent_label"`
	Label    string   `db:"label" orm:"size:20;unique:uq_child_parent_label"`
}

type scParentRenamed struct {
	_    struct{} `orm:"table:owner;renamed_from:parent"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
}

type scChildOfOwner struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:owner.id;fk_name:fk_child_parent"`
	Label    string   `db:"label" orm:"size:20"`
}

type scParentUnrenamed struct {
	_    struct{} `orm:"table:owner"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
}

type scParentWide struct {
	_    struct{} `orm:"table:parent"`
	ID   int64    `db:"id"`
	Name *string  `db:"name" orm:"size:80"`
}

type scGrandchild struct {
	_       struct{} `orm:"table:grandchild"`
	ID      int64    `db:"id"`
	ChildID int64    `db:"child_id" orm:"fk:child.id;fk_name:fk_grandchild_child;on_delete:cascade"`
}

type scCycleA struct {
	_   struct{} `orm:"table:cyc_a"`
	ID  int64    `db:"id"`
	BID *int64   `db:"b_id" orm:"fk:cyc_b.id;fk_name:fk_a_b"`
}

type scCycleB struct {
	_   struct{} `orm:"table:cyc_b"`
	ID  int64    `db:"id"`
	AID *int64   `db:"a_id" orm:"fk:cyc_a.id;fk_name:fk_b_a"`
}

type scTag struct {
	_    struct{} `orm:"table:tag"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:30;unique"`
}

type scTagWide struct {
	_    struct{} `orm:"table:tag"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:60;unique"`
	Slug *string  `db:"slug" orm:"size:60"`
}

type scChildRenamedCol struct {
	_       struct{} `orm:"table:child"`
	ID      int64    `db:"id"`
	OwnerID *int64   `db:"owner_id" orm:"renamed_from:parent_id;fk:parent.id;fk_name:fk_child_parent;index:ix_child_parent"`
	Label   string   `db:"label" orm:"size:20"`
}

type scKid struct {
	_        struct{} `orm:"table:kid;renamed_from:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent"`
	Label    string   `db:"label" orm:"size:20"`
}

type scEvent struct {
	_  struct{}  `orm:"table:event"`
	ID int64     `db:"id"`
	At time.Time `db:"at"`
}

type scEventNow struct {
	_  struct{}  `orm:"table:event"`
	ID int64     `db:"id"`
	At time.Time `db:"at" orm:"default:CURRENT_TIMESTAMP"`
}

type scPriceScale1 struct {
	_     struct{} `orm:"table:price"`
	ID    int64    `db:"id"`
	Value string   `db:"value" orm:"type:decimal(10,1)"`
}

type scItemNameAll struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name *string  `db:"name" orm:"size:80;default:'unnamed';comment:shown to people"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

// ConfigureTable sets a comment with a quote, which a tag cannot spell.
func (scItemCommented2) ConfigureTable(t *schema.Table) { t.Comment = "it's what we sell \\ rent" }

type scItemCommented2 struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;comment:the name as shown"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemWithCode struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
	Code *string  `db:"code" orm:"size:10;unique:uq_item_code;index:ix_item_code_qty"`
	Rank int32    `db:"rank_n" orm:"default:1;index:ix_item_code_qty"`
}

type scChildOrphaned struct {
	_     struct{} `orm:"table:child"`
	ID    int64    `db:"id"`
	Label string   `db:"label" orm:"size:20"`
}

const scSeedFamily = "INSERT INTO parent (id, name) VALUES (1, 'p1'), (2, 'p2')"
const scSeedChildren = "INSERT INTO child (id, parent_id, label) VALUES (10, 1, 'a'), (11, 1, 'b'), (12, NULL, 'c'), (13, 2, 'd')"

var scFamilyIntact = []scCheck{
	{query: "SELECT id, name FROM parent ORDER BY id", want: "1|p1\n2|p2"},
	{query: "SELECT id, parent_id, label FROM child ORDER BY id", want: "10|1|a\n11|1|b\n12|NULL|c\n13|2|d"},
}

func scFamily(extra ...scCheck) []scCheck { return append(slices.Clone(scFamilyIntact), extra...) }

// scOrphanRefused: the foreign key child → parent is enforced.
var scOrphanRefused = scCheck{query: "INSERT INTO child (id, parent_id, label) VALUES (99, 999, 'x')", fail: true}

func scenarios() []scenario {
	return append([]scenario{
		// ---- columns (test_autogen_diffs) ----
		{name: "add_nullable_column", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemAddNullable{}},
			want:   scAll("add column item.color string(20)"),
			checks: []scCheck{scItemsIntact, {query: "SELECT COUNT(*) FROM item WHERE color IS NULL", want: "3"}}},
		{name: "add_not_null_columns_with_defaults", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemAddDefaults{}},
			want: scAll("add column item.label string(20)", "add column item.weight integer", "add column item.active bool", "add column item.created datetime"),
			checks: []scCheck{scItemsIntact,
				{query: "SELECT label, weight FROM item WHERE id = 2", want: "it's new|7"},
				{query: "SELECT COUNT(*) FROM item WHERE active = TRUE AND created IS NOT NULL", want: "3"}}},
		{name: "add_not_null_column_without_default_to_rows", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemAddNotNull{}},
			want:    scAll("add column item.weight integer"),
			refused: "NOT NULL without a default", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{scItemsIntact}},
		{name: "drop_column", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNoNote{}},
			want:    scAll("drop column item.note"),
			refused: "drop column item.note: drops the column's data", opts: []migration.Option{migration.AllowDrops()},
			checks: []scCheck{scItemsIntact}},
		{name: "set_not_null_without_nulls", v1: []any{&scItem{}}, seed: []string{scSeedItems, "UPDATE item SET note = 'filled' WHERE note IS NULL"},
			v2:     []any{&scItemNoteNotNull{}},
			want:   scAll("alter column item.note: set NOT NULL"),
			checks: []scCheck{scItemsIntact, {query: "SELECT note FROM item ORDER BY id", want: "first\nfilled\nthird"}}},
		{name: "set_not_null_with_nulls", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNoteNotNull{}},
			want:    scAll("alter column item.note: set NOT NULL"),
			refused: "column item.note holds NULL values", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{scItemsIntact}},
		{name: "drop_not_null", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameNull{}},
			want:   scAll("alter column item.name: drop NOT NULL"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (4, NULL)"}}},
		{name: "varchar_widen", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemName200{}},
			want:   scAll("alter column item.name: type string(50) → string(200)"),
			checks: []scCheck{scItemsIntact}},
		{name: "varchar_narrow_data_fits", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemName5{}},
			want:    scAll("alter column item.name: type string(50) → string(5)"),
			refused: "may not hold the existing values (allow with AllowNarrowing", opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{scItemsIntact}},
		{name: "varchar_narrow_data_too_long", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemName4{}},
			want:    scAll("alter column item.name: type string(50) → string(4)"),
			refused: "2 row(s) of item.name longer than 4 characters", refusedAlways: true, opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{scItemsIntact}},
		{name: "int_to_bigint", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtyBig{}},
			want:   map[string][]string{"": {"alter column item.qty: type integer → bigint"}, "sqlite": nil},
			checks: []scCheck{scItemsIntact, {query: "UPDATE item SET qty = 5000000000 WHERE id = 1"}}},
		{name: "int_to_smallint_data_fits", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtySmall{}},
			want:    map[string][]string{"": {"alter column item.qty: type integer → smallint"}, "sqlite": nil},
			refused: "may not hold the existing values", opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{scItemsIntact}},
		{name: "int_to_smallint_out_of_range", v1: []any{&scItem{}}, seed: []string{scSeedItems, "UPDATE item SET qty = 100000 WHERE id = 3"}, v2: []any{&scItemQtySmall{}},
			want:    map[string][]string{"": {"alter column item.qty: type integer → smallint"}, "sqlite": nil},
			refused: "1 row(s) of item.qty outside [-32768, 32767]", refusedAlways: true, opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{{query: "SELECT qty FROM item ORDER BY id", want: "3\n4\n100000"}}},
		{name: "varchar_to_text", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNoteText{}},
			want:   scAll("alter column item.note: type string(100) → text"),
			checks: []scCheck{scItemsIntact, {query: "SELECT note FROM item ORDER BY id", want: "first\nNULL\nthird"}}},
		{name: "text_to_varchar", v1: []any{&scItemNoteText{}}, seed: []string{scSeedItems}, v2: []any{&scItem{}},
			want:    scAll("alter column item.note: type text → string(100)"),
			refused: "may not hold", opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{scItemsIntact, {query: "SELECT note FROM item ORDER BY id", want: "first\nNULL\nthird"}}},
		{name: "decimal_widen", v1: []any{&scPrice{}}, seed: []string{"INSERT INTO price (id, value) VALUES (1, 12345678.91), (2, 0.5)"}, v2: []any{&scPriceWide{}},
			want:   scAll("alter column price.value: type decimal(10,2) → decimal(14,3)"),
			checks: []scCheck{{query: "SELECT id FROM price WHERE value = 12345678.91 OR value = 0.5 ORDER BY id", want: "1\n2"}}},
		{name: "decimal_narrow_too_many_digits", v1: []any{&scPrice{}}, seed: []string{"INSERT INTO price (id, value) VALUES (1, 12345678.91), (2, 0.5)"}, v2: []any{&scPriceNarrow{}},
			want:    scAll("alter column price.value: type decimal(10,2) → decimal(5,2)"),
			refused: "1 row(s) of price.value with more than 3 integer digits", refusedAlways: true, opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{{query: "SELECT COUNT(*) FROM price WHERE value = 12345678.91", want: "1"}}},

		{name: "varchar_narrow_multibyte_fits", v1: []any{&scItem{}}, seed: []string{"INSERT INTO item (id, name) VALUES (1, 'héllo'), (2, 'ça')"}, v2: []any{&scItemName5{}},
			want: scAll("alter column item.name: type string(50) → string(5)"), opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{{query: "SELECT name FROM item ORDER BY id", want: "héllo\nça"}}},
		{name: "decimal_scale_would_round", v1: []any{&scPrice{}}, seed: []string{"INSERT INTO price (id, value) VALUES (1, 1.25), (2, 3.5)"}, v2: []any{&scPriceScale1{}},
			want:    scAll("alter column price.value: type decimal(10,2) → decimal(10,1)"),
			refused: "1 row(s) of price.value with more than 9 integer digits or more than 1 fractional digits", refusedAlways: true, opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{{query: "SELECT id FROM price WHERE value = 1.25", want: "1"}}},
		{name: "type_null_default_comment_at_once", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameAll{}},
			want: map[string][]string{"": {"alter column item.name: type string(50) → string(80), drop NOT NULL, default none → 'unnamed', comment"},
				"sqlite": {"alter column item.name: type string(50) → string(80), drop NOT NULL, default none → 'unnamed'"}},
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id) VALUES (4)"}, {query: "SELECT name FROM item WHERE id = 4", want: "unnamed"}}},
		{name: "comments_changed", v1: []any{&scItemCommented{}}, seed: []string{scSeedItems}, v2: []any{&scItemCommented2{}},
			want:   map[string][]string{"": {"alter column item.name: comment", "set comment on table item"}, "sqlite": nil},
			checks: []scCheck{scItemsIntact}},
		{name: "default_current_timestamp_added", v1: []any{&scEvent{}}, seed: []string{"INSERT INTO event (id, at) VALUES (1, '2020-01-02 03:04:05')"}, v2: []any{&scEventNow{}},
			want:   scAll("alter column event.at: default none → CURRENT_TIMESTAMP"),
			checks: []scCheck{{query: "INSERT INTO event (id) VALUES (2)"}, {query: "SELECT COUNT(*) FROM event WHERE at IS NOT NULL", want: "2"}}},
		{name: "rename_column_in_fk_and_index", v1: []any{&scParent{}, &scChildIndexed{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChildRenamedCol{}},
			want: scAll("rename column child.parent_id to owner_id"),
			checks: []scCheck{{query: "SELECT id, owner_id FROM child ORDER BY id", want: "10|1\n11|1\n12|NULL\n13|2"},
				{query: "INSERT INTO child (id, owner_id, label) VALUES (99, 999, 'x')", fail: true}, {query: "DELETE FROM parent WHERE id = 1", fail: true}}},
		{name: "rename_child_table", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scKid{}},
			want: scAll("rename table child to kid"),
			checks: []scCheck{{query: "SELECT id, parent_id, label FROM kid ORDER BY id", want: "10|1|a\n11|1|b\n12|NULL|c\n13|2|d"},
				{query: "INSERT INTO kid (id, parent_id, label) VALUES (99, 999, 'x')", fail: true}}},
		{name: "add_unique_and_indexed_columns", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemWithCode{}},
			want:   scAll("add column item.code string(10)", "add column item.rank_n integer", "create index ix_item_code_qty on item(code, rank_n)", "add unique uq_item_code on item(code)"),
			checks: []scCheck{scItemsIntact, {query: "UPDATE item SET code = 'x' WHERE id = 1"}, {query: "UPDATE item SET code = 'x' WHERE id = 2", fail: true}}},
		{name: "drop_fk_column", v1: []any{&scParent{}, &scChildIndexed{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChildOrphaned{}},
			want:    scAll("drop foreign key fk_child_parent on child", "drop index ix_child_parent on child", "drop column child.parent_id"),
			refused: "drop column child.parent_id", opts: []migration.Option{migration.AllowDrops()},
			checks: []scCheck{{query: "SELECT id, label FROM child ORDER BY id", want: "10|a\n11|b\n12|c\n13|d"}, {query: "DELETE FROM parent"}}},
		// ---- server defaults ----
		{name: "default_add_and_change", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtyDefault{}},
			want: map[string][]string{"": {"alter column item.name: default none → 'o''neil'", "alter column item.qty: default 0 → 10"}},
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id) VALUES (4)"},
				{query: "SELECT name, qty FROM item WHERE id = 4", want: "o'neil|10"}}},
		{name: "default_remove", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNoDefault{}},
			want:   scAll("alter column item.qty: default 0 → none"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (4, 'x')", fail: true}}},
		{name: "default_boolean", v1: []any{&scFlag{}}, seed: []string{"INSERT INTO flag (id) VALUES (1)"}, v2: []any{&scFlagTrue{}},
			want: scAll("alter column flag.on_: default FALSE → true"),
			checks: []scCheck{{query: "INSERT INTO flag (id) VALUES (2)"},
				{query: "SELECT id FROM flag WHERE on_ = TRUE", want: "2"}}},

		// ---- indexes and unique constraints (test_autogen_indexes) ----
		{name: "index_add", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemIndexed{}},
			want:   scAll("create index ix_item_name_qty on item(name, qty)", "create index ix_item_qty on item(qty)"),
			checks: []scCheck{scItemsIntact}},
		{name: "index_remove", v1: []any{&scItemIndexed{}}, seed: []string{scSeedItems}, v2: []any{&scItem{}},
			want:   scAll("drop index ix_item_name_qty on item", "drop index ix_item_qty on item"),
			checks: []scCheck{scItemsIntact}},
		{name: "index_column_order", v1: []any{&scItemIndexed{}}, seed: []string{scSeedItems}, v2: []any{&scItemIndexReordered{}},
			want:   scAll("drop index ix_item_name_qty on item", "create index ix_item_name_qty on item(qty, name)"),
			checks: []scCheck{scItemsIntact}},
		{name: "index_becomes_unique", v1: []any{&scItemNameIndex{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameUniqueIndex{}},
			want:   scAll("drop index ix_item_name on item", "create unique index ix_item_name on item(name)"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (9, 'alpha')", fail: true}}},
		{name: "index_becomes_unique_on_duplicates", v1: []any{&scItemNameIndex{}}, seed: []string{scSeedItems, "INSERT INTO item (id, name) VALUES (4, 'alpha')"},
			v2:      []any{&scItemNameUniqueIndex{}},
			want:    scAll("drop index ix_item_name on item", "create unique index ix_item_name on item(name)"),
			refused: "item(name) holds duplicate values", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{{query: "SELECT COUNT(*) FROM item WHERE name = 'alpha'", want: "2"}}},
		{name: "unique_add", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameUnique{}},
			want:   scAll("add unique uq_item_name on item(name)"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (9, 'beta')", fail: true}}},
		{name: "unique_remove", v1: []any{&scItemNameUnique{}}, seed: []string{scSeedItems}, v2: []any{&scItem{}},
			want:   map[string][]string{"": {"drop unique uq_item_name on item"}, "mysql": {"drop index uq_item_name on item"}},
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (9, 'beta')"}}},
		{name: "unique_composite_replaces_single", v1: []any{&scItemNameUnique{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameQtyUnique{}},
			want: map[string][]string{"": {"drop unique uq_item_name on item", "add unique uq_item_name_qty on item(name, qty)"},
				"mysql": {"drop index uq_item_name on item", "add unique uq_item_name_qty on item(name, qty)"}},
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name, qty) VALUES (9, 'beta', 99)"}}},
		// Keys match by name, as in Alembic and Atlas: a unique constraint
		// replaced by a unique index of another name is a drop and a
		// create (under the same name it is no change, see
		// unique_constraint_to_unique_index_same_name).
		{name: "unique_constraint_vs_unique_index", v1: []any{&scItemNameUnique{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameUniqueIndex{}},
			want: map[string][]string{"": {"drop unique uq_item_name on item", "create unique index ix_item_name on item(name)"},
				"mysql": {"drop index uq_item_name on item", "create unique index ix_item_name on item(name)"}},
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (9, 'beta')", fail: true}}},

		// ---- foreign keys (test_autogen_fks) ----
		{name: "fk_add", v1: []any{&scParent{}, &scChildNoFK{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChild{}},
			want:   scAll("add foreign key fk_child_parent on child(parent_id) → parent(id)"),
			checks: scFamily(scOrphanRefused)},
		{name: "fk_add_with_orphans", v1: []any{&scParent{}, &scChildNoFK{}}, seed: []string{scSeedFamily, scSeedChildren, "INSERT INTO child (id, parent_id, label) VALUES (14, 7, 'orphan')"},
			v2:      []any{&scParent{}, &scChild{}},
			want:    scAll("add foreign key fk_child_parent on child(parent_id) → parent(id)"),
			refused: "1 row(s) of child(parent_id) reference no row of parent", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{{query: "SELECT COUNT(*) FROM child", want: "5"}}},
		{name: "fk_on_delete_change", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChildCascade{}},
			want: scAll("drop foreign key fk_child_parent on child", "add foreign key fk_child_parent on child(parent_id) → parent(id)"),
			checks: scFamily(scOrphanRefused, scCheck{query: "DELETE FROM parent WHERE id = 2"},
				scCheck{query: "SELECT COUNT(*) FROM child", want: "3"})},
		{name: "fk_drop", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChildNoFK{}},
			want: map[string][]string{"": {"drop foreign key fk_child_parent on child"},
				// InnoDB's index for the foreign key goes with it.
				"mysql": {"drop foreign key fk_child_parent on child", "drop index fk_child_parent on child"}},
			checks: scFamily(scCheck{query: "INSERT INTO child (id, parent_id, label) VALUES (99, 999, 'x')"})},
		{name: "fk_self_referential_added", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemSelfRef{}},
			want: map[string][]string{"": {"add column item.parent_id bigint", "add foreign key fk_item_parent_id_item on item(parent_id) → item(id)"}},
			checks: []scCheck{scItemsIntact, {query: "UPDATE item SET parent_id = 1 WHERE id = 2"},
				{query: "UPDATE item SET parent_id = 42 WHERE id = 3", fail: true}}},
		{name: "fk_cycle_new_tables", v1: []any{&scItem{}}, v2: []any{&scItem{}, &scCycleA{}, &scCycleB{}},
			want: map[string][]string{"": {"create table cyc_b", "create table cyc_a", "add foreign key fk_b_a on cyc_b(a_id) → cyc_a(id)"},
				"sqlite": {"create table cyc_b", "create table cyc_a"}},
			checks: []scCheck{{query: "INSERT INTO cyc_a (id) VALUES (1)"}, {query: "INSERT INTO cyc_b (id, a_id) VALUES (1, 1)"},
				{query: "UPDATE cyc_a SET b_id = 1 WHERE id = 1"}, {query: "UPDATE cyc_a SET b_id = 5 WHERE id = 1", fail: true}}},
		{name: "fk_index_dropped_while_fk_stays", v1: []any{&scParent{}, &scChildIndexed{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChild{}},
			want: map[string][]string{"": {"drop index ix_child_parent on child"}, "mysql": nil},
			hint: "", checks: scFamily(scOrphanRefused)},
		{name: "fk_index_replaced", v1: []any{&scParent{}, &scChildIndexed{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChildIndexedLabel{}},
			want: map[string][]string{"": {"drop index ix_child_parent on child", "create index ix_child_parent_label on child(parent_id, label)"},
				"mysql": {"create index ix_child_parent_label on child(parent_id, label)", "drop index ix_child_parent on child"}},
			checks: scFamily(scOrphanRefused)},
		{name: "fk_unique_dropped", v1: []any{&scParent{}, &scChildUnique{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChild{}},
			want: map[string][]string{"": {"drop unique uq_child_parent_label on child"},
				"mysql": {"drop foreign key fk_child_parent on child", "drop index uq_child_parent_label on child", "add foreign key fk_child_parent on child(parent_id) → parent(id)"}},
			checks: scFamily(scOrphanRefused, scCheck{query: "INSERT INTO child (id, parent_id, label) VALUES (20, 1, 'a')"})},

		// ---- checks and comments ----
		{name: "check_add", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemCheckedOK{}},
			want:   scAll("add check ck_item_qty on item"),
			checks: []scCheck{scItemsIntact, {query: "UPDATE item SET qty = -1 WHERE id = 1", fail: true}}},
		{name: "check_add_violated", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemChecked{}},
			want:    scAll("add check ck_item_qty on item"),
			refused: "existing rows violate CHECK (qty >= 4)", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{scItemsIntact}},
		{name: "check_remove", v1: []any{&scItemCheckedOK{}}, seed: []string{scSeedItems}, v2: []any{&scItem{}},
			want:   scAll("drop check ck_item_qty on item"),
			checks: []scCheck{scItemsIntact, {query: "UPDATE item SET qty = -1 WHERE id = 1"}}},
		{name: "comments", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemCommented{}},
			want:   map[string][]string{"": {"alter column item.name: comment", "set comment on table item"}, "sqlite": nil},
			checks: []scCheck{scItemsIntact}},
		{name: "comments_removed", v1: []any{&scItemCommented{}}, seed: []string{scSeedItems}, v2: []any{&scItem{}},
			want:   map[string][]string{"": {"alter column item.name: comment", "set comment on table item"}, "sqlite": nil},
			checks: []scCheck{scItemsIntact}},

		// ---- renames ----
		{name: "rename_column", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemRenamedCol{}},
			want:   scAll("rename column item.name to title"),
			checks: []scCheck{{query: "SELECT id, title, qty FROM item ORDER BY id", want: "1|alpha|3\n2|beta|4\n3|gamma|5"}}},
		{name: "drop_and_add_column_hint", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemUnrenamedCol{}},
			want:    scAll("add column item.title string(50)", "drop column item.name"),
			hint:    "tag the field renamed_from:name",
			refused: "drop column item.name", opts: []migration.Option{migration.AllowDrops()},
			checks: []scCheck{{query: "SELECT COUNT(*) FROM item WHERE title IS NULL", want: "3"}}},
		{name: "rename_table", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParentRenamed{}, &scChildOfOwner{}},
			want: scAll("rename table parent to owner"),
			checks: []scCheck{{query: "SELECT id, name FROM owner ORDER BY id", want: "1|p1\n2|p2"},
				{query: "SELECT c.label FROM child c JOIN owner o ON o.id = c.parent_id WHERE o.name = 'p2'", want: "d"},
				scOrphanRefused, {query: "DELETE FROM owner WHERE id = 1", fail: true}}},
		{name: "drop_and_add_table_hint", v1: []any{&scParent{}}, seed: []string{scSeedFamily}, v2: []any{&scParentUnrenamed{}},
			want:    scAll("create table owner", "drop table parent"),
			hint:    "tag the model renamed_from:parent",
			refused: "drop table parent: drops the table and its rows (2 rows)", opts: []migration.Option{migration.AllowDrops()},
			checks: []scCheck{{query: "SELECT COUNT(*) FROM owner", want: "0"}}},

		// ---- enums ----
		{name: "enum_value_appended", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'red')"}, v2: []any{&scPaint3{}},
			want: scAll("add enum values blue to paint.color"),
			checks: []scCheck{{query: "SELECT id, color FROM paint ORDER BY id", want: "1|green\n2|red"},
				{query: "INSERT INTO paint (id, color) VALUES (3, 'blue')"}, {query: "INSERT INTO paint (id, color) VALUES (4, 'pink')", fail: true}}},
		{name: "enum_value_removed", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'red'), (2, 'red')"}, v2: []any{&scPaintRed{}},
			want:    scAll("alter column paint.color: type enum(red,green) → enum(red)"),
			refused: "may not hold", opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{{query: "SELECT id, color FROM paint ORDER BY id", want: "1|red\n2|red"},
				{query: "INSERT INTO paint (id, color) VALUES (3, 'green')", fail: true}}},
		{name: "enum_value_removed_in_use", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'red')"}, v2: []any{&scPaintRed{}},
			want:    scAll("alter column paint.color: type enum(red,green) → enum(red)"),
			refused: "1 row(s) of paint.color holding a removed value (green)", refusedAlways: true, opts: []migration.Option{migration.AllowNarrowing()},
			checks: []scCheck{{query: "SELECT id, color FROM paint ORDER BY id", want: "1|green\n2|red"}}},

		// ---- tables (test_autogen_composition) ----
		{name: "add_table_with_fk_to_existing", v1: []any{&scParent{}}, seed: []string{scSeedFamily}, v2: []any{&scParent{}, &scChild{}},
			want:   scAll("create table child"),
			checks: []scCheck{{query: scSeedChildren}, scFamilyIntact[1], scOrphanRefused}},
		{name: "drop_table", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}},
			want:    scAll("drop table child"),
			refused: "drop table child: drops the table and its rows (4 rows)", opts: []migration.Option{migration.AllowDrops()},
			checks: []scCheck{scFamilyIntact[0]}},
		// test_batch: a change SQLite's ALTER cannot make rebuilds the
		// parent table; its children, their rows and the enforcement of
		// their foreign keys survive.
		{name: "parent_rebuilt_children_kept", v1: []any{&scParent{}, &scChildCascade{}, &scGrandchild{}},
			seed: []string{scSeedFamily, scSeedChildren, "INSERT INTO grandchild (id, child_id) VALUES (100, 10), (101, 13)"},
			v2:   []any{&scParentWide{}, &scChildCascade{}, &scGrandchild{}},
			want: scAll("alter column parent.name: type string(50) → string(80), drop NOT NULL"),
			checks: scFamily(scOrphanRefused,
				scCheck{query: "SELECT id, child_id FROM grandchild ORDER BY id", want: "100|10\n101|13"},
				scCheck{query: "DELETE FROM parent WHERE id = 2"},
				scCheck{query: "SELECT COUNT(*) FROM child", want: "3"},
				scCheck{query: "SELECT id FROM grandchild", want: "100"})},
		{name: "mixed_changes", v1: []any{&scParent{}, &scChild{}, &scTag{}, &scItemIndexed{}},
			seed: []string{scSeedFamily, scSeedChildren, scSeedItems, "INSERT INTO tag (id, name) VALUES (1, 'go')"},
			v2:   []any{&scParentRenamed{}, &scChildOfOwner{}, &scTagWide{}, &scItemNoNote{}, &scCycleA{}, &scCycleB{}},
			want: map[string][]string{"": {
				"drop index ix_item_name_qty on item", "drop index ix_item_qty on item",
				"rename table parent to owner",
				"create table cyc_b", "create table cyc_a",
				"add column tag.slug string(60)",
				"alter column tag.name: type string(30) → string(60)",
				"add foreign key fk_b_a on cyc_b(a_id) → cyc_a(id)",
				"drop column item.note"},
				"sqlite": {
					"drop index ix_item_name_qty on item", "drop index ix_item_qty on item",
					"rename table parent to owner",
					"create table cyc_b", "create table cyc_a",
					"add column tag.slug string(60)",
					"alter column tag.name: type string(30) → string(60)",
					"drop column item.note"}},
			opts: []migration.Option{migration.AllowDrops()}, refused: "drop column item.note",
			checks: []scCheck{scItemsIntact, {query: "SELECT id, name FROM owner ORDER BY id", want: "1|p1\n2|p2"},
				{query: "SELECT id, parent_id, label FROM child ORDER BY id", want: "10|1|a\n11|1|b\n12|NULL|c\n13|2|d"},
				scOrphanRefused, {query: "SELECT name FROM tag", want: "go"}}},
	}, slices.Concat(scenariosKeysAndKinds(), scenariosAlembic())...)
}

// TestScenarios runs every scenario on every dialect.
func TestScenarios(t *testing.T) {
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			for _, name := range dbtest.Names {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					runScenario(t, dbtest.Open(t, name), sc)
				})
			}
		})
	}
}

func runScenario(t *testing.T, tdb *dbtest.DB, sc scenario) {
	ctx := context.Background()
	db, err := orm.New(tdb.SQL, tdb.DriverName)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := db.MetaData(sc.v1...)
	if err != nil {
		t.Fatal(err)
	}
	if err := migration.AutoMigrate(ctx, db, v1); err != nil {
		t.Fatalf("v1: %v", err)
	}
	for _, s := range sc.seeds(tdb.Name) {
		if _, err := tdb.SQL.ExecContext(ctx, s); err != nil {
			t.Fatalf("seed %s: %v", s, err)
		}
	}
	v2, err := db.MetaData(sc.v2...)
	if err != nil {
		t.Fatal(err)
	}
	compare := func() *migration.Diff {
		t.Helper()
		live, err := migration.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		diff, err := migration.Compare(v2, live, migration.WithDialect(db.Dialect()))
		if err != nil {
			t.Fatal(err)
		}
		return diff
	}
	diff := compare()
	want, ok := sc.want[tdb.Name]
	if !ok {
		want = sc.want[""]
	}
	var got []string
	for _, op := range diff.Ops {
		got = append(got, op.String())
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Compare v1 → v2:\n got %s\nwant %s\nhints: %q", scQuote(got), scQuote(want), diff.Hints)
	}
	if sc.hint != "" && !slices.ContainsFunc(diff.Hints, func(h string) bool { return strings.Contains(h, sc.hint) }) {
		t.Errorf("no hint containing %q: %q", sc.hint, diff.Hints)
	}

	var stmts []string
	record := migration.OnStatement(func(s string) { stmts = append(stmts, s) })
	if sc.refused != "" && len(want) > 0 {
		var opts []migration.Option
		if sc.refusedAlways {
			opts = sc.opts
		}
		err := migration.AutoMigrate(ctx, db, v2, append(opts, record)...)
		if !errors.Is(err, migration.ErrRefused) || !strings.Contains(err.Error(), sc.refused) {
			t.Fatalf("AutoMigrate v2: want a refusal containing %q, got %v", sc.refused, err)
		}
		if len(stmts) > 0 {
			t.Fatalf("a refused AutoMigrate ran %q", stmts)
		}
		if again := compare(); again.String() != diff.String() {
			t.Fatalf("a refused AutoMigrate changed the schema:\n%s", again)
		}
		if sc.refusedAlways {
			scRunChecks(t, tdb, sc.allChecks(tdb.Name))
			return
		}
	}
	if err := migration.AutoMigrate(ctx, db, v2, append(slices.Clone(sc.opts), record)...); err != nil {
		t.Fatalf("AutoMigrate v2: %v\nran: %s", err, strings.Join(stmts, "\n"))
	}
	if len(want) > 0 && len(stmts) == 0 {
		t.Error("AutoMigrate v2 ran no statement")
	}
	if left := compare(); !left.Empty() {
		t.Fatalf("Compare after AutoMigrate v2:\n%s\nran:\n%s", left, strings.Join(stmts, "\n"))
	}
	ran := stmts
	stmts = nil
	if err := migration.AutoMigrate(ctx, db, v2, append(slices.Clone(sc.opts), record)...); err != nil {
		t.Fatalf("second AutoMigrate v2: %v", err)
	}
	if len(stmts) > 0 {
		t.Fatalf("second AutoMigrate v2 ran DDL: %q", stmts)
	}
	if t.Failed() {
		t.Logf("ran:\n%s", strings.Join(ran, "\n"))
	}
	scRunChecks(t, tdb, sc.allChecks(tdb.Name))
}

func scRunChecks(t *testing.T, tdb *dbtest.DB, checks []scCheck) {
	t.Helper()
	ctx := context.Background()
	for _, c := range checks {
		if c.fail || c.want == "" {
			_, err := tdb.SQL.ExecContext(ctx, c.query)
			switch {
			case c.fail && err == nil:
				t.Errorf("%s: succeeded, want an error", c.query)
			case !c.fail && err != nil:
				t.Errorf("%s: %v", c.query, err)
			}
			continue
		}
		if got := scRows(t, tdb.SQL, c.query); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.query, got, c.want)
		}
	}
}

// scRows returns the rows of query, columns joined by "|", rows by "\n".
func scRows(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				parts[i] = "NULL"
			case []byte:
				parts[i] = string(v)
			default:
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, "\n")
}

func scQuote(s []string) string {
	if len(s) == 0 {
		return "(nothing)"
	}
	return "\n  " + strings.Join(s, "\n  ")
}
