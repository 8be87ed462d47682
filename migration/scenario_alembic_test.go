package migration_test

import (
	"encoding/json"
	"time"

	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// More scenarios in the style of Alembic's autogenerate tests
// (test_autogen_diffs server defaults, test_autogen_fks composite and
// ON UPDATE keys, test_autogen_indexes name changes, test_batch
// rebuilds keeping triggers) and of the MySQL/PostgreSQL specifics of
// test_mysql.py and test_postgresql.py; see scenarios.

// ---- server defaults ----

type scItemNameDefQuote struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;default:'it''s'"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemNameDefQuote2 struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;default:'say \"hi\", o''neil'"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scPriceDef0 struct {
	_     struct{} `orm:"table:price"`
	ID    int64    `db:"id"`
	Value string   `db:"value" orm:"type:decimal(10,2);default:0"`
}

type scPriceDef000 struct {
	_     struct{} `orm:"table:price"`
	ID    int64    `db:"id"`
	Value string   `db:"value" orm:"type:decimal(10,2);default:0.00"`
}

type scPriceDef15 struct {
	_     struct{} `orm:"table:price"`
	ID    int64    `db:"id"`
	Value string   `db:"value" orm:"type:decimal(10,2);default:1.5"`
}

type scRatio struct {
	_  struct{} `orm:"table:ratio"`
	ID int64    `db:"id"`
	R  float64  `db:"r" orm:"default:0.5"`
}

type scRatio2 struct {
	_  struct{} `orm:"table:ratio"`
	ID int64    `db:"id"`
	R  float64  `db:"r" orm:"default:-2.25"`
}

type scFlagNoDefault struct {
	_  struct{} `orm:"table:flag"`
	ID int64    `db:"id"`
	On bool     `db:"on_"`
}

type scEventLiteral struct {
	_  struct{}  `orm:"table:event"`
	ID int64     `db:"id"`
	At time.Time `db:"at" orm:"default:'2020-01-02 03:04:05'"`
}

type scEventDay struct {
	_   struct{}  `orm:"table:event"`
	ID  int64     `db:"id"`
	At  time.Time `db:"at"`
	Day time.Time `db:"day" orm:"type:date;default:CURRENT_DATE"`
}

type scItemQtyExpr struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:2*3+1"`
}

type scItemQtyQuoted struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:'0'"`
}

type scItemQtyNegative struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:-1"`
}

type scItemNameFunc struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;default:upper('n/a')"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemBody struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
	Body string   `db:"body" orm:"type:text;default:''"`
}

// ---- nullability and type together ----

type scItemNote50NotNull struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note string   `db:"note" orm:"size:50"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemQtyBigNull struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  *int64   `db:"qty"`
}

// ---- foreign keys ----

type scChildOnUpdate struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent;on_update:cascade"`
	Label    string   `db:"label" orm:"size:20"`
}

type scChildRestrict struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent;on_delete:restrict"`
	Label    string   `db:"label" orm:"size:20"`
}

type scShipNoFK struct {
	_       struct{} `orm:"table:ship"`
	ID      int64    `db:"id"`
	OrderID int64    `db:"order_id"`
	LineNo  int32    `db:"line_no"`
	AltNo   int32    `db:"alt_no"`
}

type scShip struct {
	_       struct{} `orm:"table:ship"`
	ID      int64    `db:"id"`
	OrderID int64    `db:"order_id" orm:"fk:line.order_id;fk_name:fk_ship_line"`
	LineNo  int32    `db:"line_no" orm:"fk:line.line_no;fk_name:fk_ship_line"`
	AltNo   int32    `db:"alt_no"`
}

type scShipAlt struct {
	_       struct{} `orm:"table:ship"`
	ID      int64    `db:"id"`
	OrderID int64    `db:"order_id" orm:"fk:line.order_id;fk_name:fk_ship_line"`
	LineNo  int32    `db:"line_no"`
	AltNo   int32    `db:"alt_no" orm:"fk:line.line_no;fk_name:fk_ship_line"`
}

const scSeedShips = "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (1, 1, 1, 1), (2, 3, 2, 2)"

// ---- indexes and unique constraints ----

type scItemNameQtyIndex struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_name"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;index:ix_item_name"`
}

type scItemTitleIndex struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_title"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemIndexNameReused struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_title"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;index:ix_item_name"`
}

type scItemQtyNameUnique struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;unique:uq_item_name_qty"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;unique:uq_item_name_qty"`
}

// scItemQtyNameUniqueRev declares the same constraint with its columns
// in the other order.
type scItemQtyNameUniqueRev struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Qty  int32    `db:"qty" orm:"default:0;unique:uq_item_name_qty"`
	Name string   `db:"name" orm:"size:50;unique:uq_item_name_qty"`
	Note *string  `db:"note" orm:"size:100"`
}

type scItemNameUniqueIndexSameName struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;unique_index:uq_item_name"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

// ---- comments ----

type scItemNoteCommentQuote struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

// ConfigureTable sets comments with quotes, a backslash and a percent
// sign (an unbalanced quote cannot be spelled in a tag).
func (scItemNoteCommentQuote) ConfigureTable(t *schema.Table) {
	t.Comment = `what's sold, 100% "real"`
	t.Column("note").Comment = `it's the buyer's note \ 50%`
}

// ---- renames ----

type scItemNameKeys struct {
	_    struct{} `orm:"table:item;check:ck_item_name:name <> ''"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;unique:uq_item_name;index"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scItemTitleKeys struct {
	_     struct{} `orm:"table:item;check:ck_item_name:title <> ''"`
	ID    int64    `db:"id"`
	Title string   `db:"title" orm:"size:50;renamed_from:name;unique:uq_item_name;index"`
	Note  *string  `db:"note" orm:"size:100"`
	Qty   int32    `db:"qty" orm:"default:0"`
}

// ---- columns added to tables with rows ----

type scPaintWithFinish struct {
	_      struct{} `orm:"table:paint"`
	ID     int64    `db:"id"`
	Color  scColor  `db:"color" orm:"default:'red'"`
	Finish scColor3 `db:"finish" orm:"default:'blue'"`
}

type scPaintMiddle struct {
	_     struct{}      `orm:"table:paint"`
	ID    int64         `db:"id"`
	Color scColorMiddle `db:"color" orm:"default:'red'"`
}

type scColorMiddle string

func (scColorMiddle) EnumValues() []string { return []string{"red", "blue", "green"} }

type scDoc struct {
	_    struct{}         `orm:"table:doc"`
	ID   int64            `db:"id"`
	Name string           `db:"name" orm:"size:20"`
	Data *json.RawMessage `db:"data"`
}

type scDocNotNull struct {
	_    struct{}        `orm:"table:doc"`
	ID   int64           `db:"id"`
	Name string          `db:"name" orm:"size:20"`
	Data json.RawMessage `db:"data" orm:"not null"`
}

type scItemRanked struct {
	_    struct{} `orm:"table:item;check:ck_item_rank:rank_n > 0"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
	Rank int32    `db:"rank_n" orm:"default:1"`
}

type scItemCoded struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
	Code string   `db:"code" orm:"size:10;default:'x';unique:uq_item_code"`
}

type scMood string

func (scMood) EnumValues() []string { return []string{"ok", "it's"} }

type scMood3 string

func (scMood3) EnumValues() []string { return []string{"ok", "it's", `a\b`} }

type scFeeling struct {
	_    struct{} `orm:"table:feeling"`
	ID   int64    `db:"id"`
	Mood scMood   `db:"mood"`
}

type scFeeling3 struct {
	_    struct{} `orm:"table:feeling"`
	ID   int64    `db:"id"`
	Mood scMood3  `db:"mood"`
}

type scLineOrderOnly struct {
	_       struct{} `orm:"table:line"`
	OrderID int64    `db:"order_id" orm:"pk;autoincrement:false"`
	Sku     string   `db:"sku" orm:"size:20"`
}

type scGoodsWide struct {
	_    struct{} `orm:"table:goods;renamed_from:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:200"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

type scLot struct {
	_ struct{} `orm:"table:lot"`
	A int64    `db:"a" orm:"pk;unique:uq_lot_a_c"`
	B int32    `db:"b" orm:"pk"`
	C int32    `db:"c" orm:"unique:uq_lot_a_c"`
}

type scShipLotB struct {
	_       struct{} `orm:"table:ship"`
	ID      int64    `db:"id"`
	OrderID int64    `db:"order_id" orm:"fk:lot.a;fk_name:fk_ship_lot"`
	LineNo  int32    `db:"line_no" orm:"fk:lot.b;fk_name:fk_ship_lot"`
	AltNo   int32    `db:"alt_no"`
}

type scShipLotC struct {
	_       struct{} `orm:"table:ship"`
	ID      int64    `db:"id"`
	OrderID int64    `db:"order_id" orm:"fk:lot.a;fk_name:fk_ship_lot"`
	LineNo  int32    `db:"line_no" orm:"fk:lot.c;fk_name:fk_ship_lot"`
	AltNo   int32    `db:"alt_no"`
}

type scChildIndexRenamed struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent;index:ix_child_parent_id"`
	Label    string   `db:"label" orm:"size:20"`
}

type scFlagSmall struct {
	_  struct{} `orm:"table:flag"`
	ID int64    `db:"id"`
	On int16    `db:"on_" orm:"default:0"`
}

type scFlagBig struct {
	_  struct{} `orm:"table:flag"`
	ID int64    `db:"id"`
	On int64    `db:"on_" orm:"default:0"`
}

type scDay struct {
	_  struct{}  `orm:"table:day"`
	ID int64     `db:"id"`
	D  time.Time `db:"d" orm:"type:date"`
}

type scDayTime struct {
	_  struct{}  `orm:"table:day"`
	ID int64     `db:"id"`
	D  time.Time `db:"d"`
}

type scTokenStr struct {
	_  struct{} `orm:"table:token"`
	ID int64    `db:"id"`
	U  string   `db:"u" orm:"size:36"`
}

type scTokenUUID struct {
	_  struct{} `orm:"table:token"`
	ID int64    `db:"id"`
	U  string   `db:"u" orm:"type:uuid"`
}

type scBlob struct {
	_    struct{} `orm:"table:bin"`
	ID   int64    `db:"id"`
	Data []byte   `db:"data" orm:"size:20"`
}

type scBlobText struct {
	_    struct{} `orm:"table:bin"`
	ID   int64    `db:"id"`
	Data *string  `db:"data" orm:"size:20"`
}

type scFlagInt struct {
	_  struct{} `orm:"table:flag"`
	ID int64    `db:"id"`
	On int32    `db:"on_" orm:"default:0"`
}

type scItemNoQty struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
}

type scDocPayload struct {
	_       struct{}         `orm:"table:doc"`
	ID      int64            `db:"id"`
	Name    string           `db:"name" orm:"size:20"`
	Payload *json.RawMessage `db:"payload" orm:"renamed_from:data"`
}

type scDocText struct {
	_    struct{} `orm:"table:doc"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:20"`
	Data *string  `db:"data" orm:"type:text"`
}

type scDocBare struct {
	_    struct{} `orm:"table:doc"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:20"`
}

// ---- MySQL and PostgreSQL specifics ----

type scItemQtyUnsigned struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;unsigned"`
}

type scEventNaive struct {
	_  struct{}  `orm:"table:event"`
	ID int64     `db:"id"`
	At time.Time `db:"at" orm:"postgres_type:timestamp(6) without time zone;mysql_type:timestamp(6)"`
}

type scDocTags struct {
	_    struct{} `orm:"table:doc"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:20"`
	Tags *string  `db:"tags" orm:"type:text;postgres_type:text[]"`
}

// ---- kinds and keys ----

type scPaintStr struct {
	_     struct{} `orm:"table:paint"`
	ID    int64    `db:"id"`
	Color string   `db:"color" orm:"size:20;default:'red'"`
}

type scParentKey struct {
	_    struct{} `orm:"table:parent"`
	Key  int64    `db:"key_id" orm:"pk;renamed_from:id"`
	Name string   `db:"name" orm:"size:50"`
}

type scChildOfKey struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.key_id;fk_name:fk_child_parent"`
	Label    string   `db:"label" orm:"size:20"`
}

type scNode struct {
	_  struct{} `orm:"table:node"`
	ID int32    `db:"id"`
	V  string   `db:"v" orm:"size:10"`
}

type scNodeBig struct {
	_  struct{} `orm:"table:node"`
	ID int64    `db:"id"`
	V  string   `db:"v" orm:"size:10"`
}

type scEdge struct {
	_      struct{} `orm:"table:edge"`
	ID     int64    `db:"id"`
	NodeID *int32   `db:"node_id" orm:"fk:node.id;fk_name:fk_edge_node"`
}

type scEdgeBig struct {
	_      struct{} `orm:"table:edge"`
	ID     int64    `db:"id"`
	NodeID *int64   `db:"node_id" orm:"fk:node.id;fk_name:fk_edge_node"`
}

type scPigment struct {
	_     struct{} `orm:"table:pigment;renamed_from:paint"`
	ID    int64    `db:"id"`
	Color scColor  `db:"color" orm:"default:'red'"`
}

type scPaintHue struct {
	_   struct{} `orm:"table:paint"`
	ID  int64    `db:"id"`
	Hue scColor3 `db:"hue" orm:"default:'red';renamed_from:color"`
}

type scSerial struct {
	_    struct{} `orm:"table:counter"`
	ID   int32    `db:"id" orm:"postgres_type:serial"`
	Name string   `db:"name" orm:"size:20;mysql_type:varchar(20) CHARACTER SET latin1"`
}

type scItemIndexDesc struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_name_qty"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;index:ix_item_name_qty,desc"`
}

type scItemNameQtyIx struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id"`
	Name string   `db:"name" orm:"size:50;index:ix_item_name_qty"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0;index:ix_item_name_qty"`
}

type scItemTitleWide struct {
	_     struct{} `orm:"table:item"`
	ID    int64    `db:"id"`
	Title *string  `db:"title" orm:"size:200;renamed_from:name"`
	Note  *string  `db:"note" orm:"size:100"`
	Qty   int32    `db:"qty" orm:"default:0"`
}

type scPaintGreen struct {
	_     struct{} `orm:"table:paint"`
	ID    int64    `db:"id"`
	Color scColor  `db:"color" orm:"default:'green'"`
}

// ---- rebuilds (test_batch) ----

type scChildIndexedWide struct {
	_        struct{} `orm:"table:child"`
	ID       int64    `db:"id"`
	ParentID *int64   `db:"parent_id" orm:"fk:parent.id;fk_name:fk_child_parent;index:ix_child_parent"`
	Label    *string  `db:"label" orm:"size:40"`
}

// scUpperTrigger upper-cases the label of every new child row.
var scUpperTrigger = map[string][]string{
	"sqlite": {"CREATE TRIGGER trg_child_upper AFTER INSERT ON child BEGIN UPDATE child SET label = upper(label) WHERE id = NEW.id; END"},
	"postgres": {
		"CREATE FUNCTION child_upper() RETURNS trigger AS $$ BEGIN NEW.label := upper(NEW.label); RETURN NEW; END $$ LANGUAGE plpgsql",
		"CREATE TRIGGER trg_child_upper BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION child_upper()",
	},
	"mysql": {"CREATE TRIGGER trg_child_upper BEFORE INSERT ON child FOR EACH ROW SET NEW.label = UPPER(NEW.label)"},
}

func scenariosAlembic() []scenario {
	narrow := []migration.Option{migration.AllowNarrowing()}
	drops := []migration.Option{migration.AllowDrops()}
	return []scenario{
		// ---- server defaults (test_autogen_diffs) ----
		{name: "default_string_with_quotes_changed", v1: []any{&scItemNameDefQuote{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameDefQuote2{}},
			want: scAll(`alter column item.name: default 'it''s' → 'say "hi", o''neil'`),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id) VALUES (4)"},
				{query: "SELECT name FROM item WHERE id = 4", want: `say "hi", o'neil`}}},
		{name: "default_decimal_changed", v1: []any{&scPriceDef0{}}, seed: []string{"INSERT INTO price (id, value) VALUES (1, 2.5)"}, v2: []any{&scPriceDef15{}},
			want:   map[string][]string{"": {"alter column price.value: default 0 → 1.5"}, "mysql": {"alter column price.value: default 0.00 → 1.5"}},
			checks: []scCheck{{query: "INSERT INTO price (id) VALUES (2)"}, {query: "SELECT id FROM price WHERE value = 1.5", want: "2"}}},
		{name: "default_decimal_same_value_other_spelling", v1: []any{&scPriceDef0{}}, seed: []string{"INSERT INTO price (id, value) VALUES (1, 2.5)"}, v2: []any{&scPriceDef000{}},
			want:   scAll(),
			checks: []scCheck{{query: "INSERT INTO price (id) VALUES (2)"}, {query: "SELECT id FROM price WHERE value = 0", want: "2"}}},
		{name: "default_quoted_number_same_value", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtyQuoted{}},
			want:   scAll(),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (4, 'x')"}, {query: "SELECT qty FROM item WHERE id = 4", want: "0"}}},
		{name: "default_negative_number", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtyNegative{}},
			want:   scAll("alter column item.qty: default 0 → -1"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (4, 'x')"}, {query: "SELECT qty FROM item WHERE id = 4", want: "-1"}}},
		{name: "default_float_changed", v1: []any{&scRatio{}}, seed: []string{"INSERT INTO ratio (id) VALUES (1)"}, v2: []any{&scRatio2{}},
			want: scAll("alter column ratio.r: default 0.5 → -2.25"),
			checks: []scCheck{{query: "INSERT INTO ratio (id) VALUES (2)"},
				{query: "SELECT id FROM ratio WHERE r = -2.25", want: "2"}, {query: "SELECT id FROM ratio WHERE r = 0.5", want: "1"}}},
		{name: "default_boolean_removed", v1: []any{&scFlagTrue{}}, seed: []string{"INSERT INTO flag (id) VALUES (1)"}, v2: []any{&scFlagNoDefault{}},
			want:   scAll("alter column flag.on_: default TRUE → none"),
			checks: []scCheck{{query: "SELECT id FROM flag WHERE on_ = TRUE", want: "1"}, {query: "INSERT INTO flag (id) VALUES (2)", fail: true}}},
		{name: "default_current_timestamp_removed", v1: []any{&scEventNow{}}, seed: []string{"INSERT INTO event (id) VALUES (1)"}, v2: []any{&scEvent{}},
			want: scAll("alter column event.at: default CURRENT_TIMESTAMP → none"),
			checks: []scCheck{{query: "SELECT COUNT(*) FROM event WHERE at IS NOT NULL", want: "1"},
				{query: "INSERT INTO event (id) VALUES (2)", fail: true}}},
		{name: "default_current_timestamp_to_literal", v1: []any{&scEventNow{}}, seed: []string{"INSERT INTO event (id) VALUES (1)"}, v2: []any{&scEventLiteral{}},
			want: scAll("alter column event.at: default CURRENT_TIMESTAMP → '2020-01-02 03:04:05'"),
			checks: []scCheck{{query: "INSERT INTO event (id) VALUES (2)"},
				{query: "SELECT COUNT(*) FROM event WHERE at = '2020-01-02 03:04:05'", want: "1"}}},
		{name: "default_current_date_column_added", v1: []any{&scEvent{}}, seed: []string{"INSERT INTO event (id, at) VALUES (1, '2020-01-02 03:04:05')"}, v2: []any{&scEventDay{}},
			want:   scAll("add column event.day date"),
			checks: []scCheck{{query: "SELECT COUNT(*) FROM event WHERE day IS NOT NULL", want: "1"}, {query: "INSERT INTO event (id, at) VALUES (2, '2021-01-01 00:00:00')"}}},
		{name: "default_expression", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtyExpr{}},
			want: scAll("alter column item.qty: default 0 → 2*3+1"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (4, 'x')"},
				{query: "SELECT qty FROM item WHERE id = 4", want: "7"}}},
		{name: "default_function_call", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameFunc{}},
			want: scAll("alter column item.name: default none → upper('n/a')"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id) VALUES (4)"},
				{query: "SELECT name FROM item WHERE id = 4", want: "N/A"}}},
		{name: "add_not_null_text_with_empty_default", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemBody{}},
			want:   scAll("add column item.body text"),
			checks: []scCheck{scItemsIntact, {query: "SELECT COUNT(*) FROM item WHERE body = ''", want: "3"}}},

		// ---- nullability and type at once ----
		{name: "narrow_and_set_not_null", v1: []any{&scItem{}}, seed: []string{scSeedItems, "UPDATE item SET note = 'x' WHERE note IS NULL"}, v2: []any{&scItemNote50NotNull{}},
			want:    scAll("alter column item.note: type string(100) → string(50), set NOT NULL"),
			refused: "may not hold", opts: narrow,
			checks: []scCheck{scItemsIntact, {query: "SELECT note FROM item ORDER BY id", want: "first\nx\nthird"},
				{query: "INSERT INTO item (id, name) VALUES (4, 'n')", fail: true}}},
		{name: "widen_drop_not_null_and_default", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtyBigNull{}},
			want: map[string][]string{"": {"alter column item.qty: type integer → bigint, drop NOT NULL, default 0 → none"},
				"sqlite": {"alter column item.qty: drop NOT NULL, default 0 → none"}},
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (4, 'n')"}, {query: "SELECT qty FROM item WHERE id = 4", want: "NULL"}}},

		// ---- foreign keys (test_autogen_fks) ----
		{name: "fk_on_update_change", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChildOnUpdate{}},
			want: scAll("drop foreign key fk_child_parent on child", "add foreign key fk_child_parent on child(parent_id) → parent(id)"),
			checks: scFamily(scOrphanRefused, scCheck{query: "UPDATE parent SET id = 5 WHERE id = 2"},
				scCheck{query: "SELECT id, parent_id FROM child WHERE id = 13", want: "13|5"})},
		{name: "fk_restrict_vs_no_action", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChildRestrict{}},
			// InnoDB has no deferred checks: NO ACTION is RESTRICT.
			want:   map[string][]string{"": {"drop foreign key fk_child_parent on child", "add foreign key fk_child_parent on child(parent_id) → parent(id)"}, "mysql": nil},
			checks: scFamily(scOrphanRefused, scCheck{query: "DELETE FROM parent WHERE id = 2", fail: true})},
		{name: "fk_composite_added", v1: []any{&scLineCompositePK{}, &scShipNoFK{}}, seed: []string{scSeedLines, scSeedShips}, v2: []any{&scLineCompositePK{}, &scShip{}},
			want: scAll("add foreign key fk_ship_line on ship(order_id, line_no) → line(order_id, line_no)"),
			checks: []scCheck{{query: "SELECT id, order_id, line_no FROM ship ORDER BY id", want: "1|1|1\n2|3|2"},
				{query: "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (3, 1, 2, 0)", fail: true},
				{query: "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (3, 2, 1, 0)"}}},
		{name: "fk_composite_added_with_orphans", v1: []any{&scLineCompositePK{}, &scShipNoFK{}}, seed: []string{scSeedLines, scSeedShips, "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (3, 1, 2, 0)"},
			v2:      []any{&scLineCompositePK{}, &scShip{}},
			want:    scAll("add foreign key fk_ship_line on ship(order_id, line_no) → line(order_id, line_no)"),
			refused: "1 row(s) of ship(order_id, line_no) reference no row of line", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{{query: "SELECT COUNT(*) FROM ship", want: "3"}}},
		{name: "fk_composite_removed", v1: []any{&scLineCompositePK{}, &scShip{}}, seed: []string{scSeedLines, scSeedShips}, v2: []any{&scLineCompositePK{}, &scShipNoFK{}},
			want: map[string][]string{"": {"drop foreign key fk_ship_line on ship"},
				"mysql": {"drop foreign key fk_ship_line on ship", "drop index fk_ship_line on ship"}},
			checks: []scCheck{{query: "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (3, 1, 2, 0)"}}},
		{name: "fk_composite_columns_changed", v1: []any{&scLineCompositePK{}, &scShip{}}, seed: []string{scSeedLines, scSeedShips}, v2: []any{&scLineCompositePK{}, &scShipAlt{}},
			want: map[string][]string{"": {"drop foreign key fk_ship_line on ship", "add foreign key fk_ship_line on ship(order_id, alt_no) → line(order_id, line_no)"},
				"mysql": {"drop foreign key fk_ship_line on ship", "drop index fk_ship_line on ship", "add foreign key fk_ship_line on ship(order_id, alt_no) → line(order_id, line_no)"}},
			checks: []scCheck{{query: "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (3, 1, 9, 1)"},
				{query: "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (4, 1, 1, 9)", fail: true}}},
		{name: "fk_composite_referenced_columns_changed", v1: []any{&scLot{}, &scShipLotB{}},
			seed: []string{"INSERT INTO lot (a, b, c) VALUES (1, 1, 10), (1, 10, 1)", "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (1, 1, 1, 0)"},
			v2:   []any{&scLot{}, &scShipLotC{}},
			want: scAll("drop foreign key fk_ship_lot on ship", "add foreign key fk_ship_lot on ship(order_id, line_no) → lot(a, c)"),
			checks: []scCheck{{query: "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (2, 1, 10, 0)"},
				{query: "INSERT INTO ship (id, order_id, line_no, alt_no) VALUES (3, 1, 2, 0)", fail: true}}},
		{name: "fk_index_renamed", v1: []any{&scParent{}, &scChildIndexed{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParent{}, &scChildIndexRenamed{}},
			want: map[string][]string{"": {"drop index ix_child_parent on child", "create index ix_child_parent_id on child(parent_id)"},
				// InnoDB needs an index for the foreign key at every moment.
				"mysql": {"create index ix_child_parent_id on child(parent_id)", "drop index ix_child_parent on child"}},
			checks: scFamily(scOrphanRefused)},
		{name: "drop_table_referenced_by_other", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scChildNoFK{}},
			want: map[string][]string{"": {"drop foreign key fk_child_parent on child", "drop table parent"},
				"mysql": {"drop foreign key fk_child_parent on child", "drop index fk_child_parent on child", "drop table parent"}},
			refused: "drop table parent", opts: drops,
			checks: []scCheck{scFamilyIntact[1], {query: "INSERT INTO child (id, parent_id, label) VALUES (99, 999, 'x')"}}},
		{name: "drop_parent_and_child_tables", v1: []any{&scParent{}, &scChild{}, &scItem{}}, seed: []string{scSeedFamily, scSeedChildren, scSeedItems}, v2: []any{&scItem{}},
			want:    scAll("drop table child", "drop table parent"),
			refused: "drop table", opts: drops,
			checks: []scCheck{scItemsIntact}},

		// ---- indexes and unique constraints (test_autogen_indexes) ----
		{name: "index_column_added_to_composite", v1: []any{&scItemNameIndex{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameQtyIndex{}},
			want:   scAll("drop index ix_item_name on item", "create index ix_item_name on item(name, qty)"),
			checks: []scCheck{scItemsIntact}},
		// As Alembic and Atlas: indexes are matched by name, so a new name
		// is a drop and a create.
		{name: "index_renamed_only", v1: []any{&scItemNameIndex{}}, seed: []string{scSeedItems}, v2: []any{&scItemTitleIndex{}},
			want:   scAll("drop index ix_item_name on item", "create index ix_item_title on item(name)"),
			checks: []scCheck{scItemsIntact}},
		{name: "index_name_reused_for_other_columns", v1: []any{&scItemNameIndex{}}, seed: []string{scSeedItems}, v2: []any{&scItemIndexNameReused{}},
			want:   scAll("drop index ix_item_name on item", "create index ix_item_name on item(qty)", "create index ix_item_title on item(name)"),
			checks: []scCheck{scItemsIntact}},
		{name: "unique_composite_column_order", v1: []any{&scItemQtyNameUnique{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtyNameUniqueRev{}},
			want: map[string][]string{"": {"drop unique uq_item_name_qty on item", "add unique uq_item_name_qty on item(qty, name)"},
				"mysql": {"drop index uq_item_name_qty on item", "add unique uq_item_name_qty on item(qty, name)"}},
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name, qty) VALUES (9, 'alpha', 3)", fail: true}}},
		{name: "unique_constraint_to_unique_index_same_name", v1: []any{&scItemNameUnique{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameUniqueIndexSameName{}},
			want:   scAll(),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (9, 'beta')", fail: true}}},
		{name: "unique_index_to_unique_constraint", v1: []any{&scItemNameUniqueIndex{}}, seed: []string{scSeedItems}, v2: []any{&scItemNameUnique{}},
			want:   scAll("drop index ix_item_name on item", "add unique uq_item_name on item(name)"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (9, 'beta')", fail: true}}},

		// ---- comments (test_autogen_comments) ----
		{name: "comments_with_quotes_and_backslash", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemNoteCommentQuote{}},
			want:   map[string][]string{"": {"alter column item.note: comment", "set comment on table item"}, "sqlite": nil},
			checks: []scCheck{scItemsIntact}},

		// ---- renames ----
		{name: "rename_column_with_unique_index_and_check", v1: []any{&scItemNameKeys{}}, seed: []string{scSeedItems}, v2: []any{&scItemTitleKeys{}},
			want: scAll("drop index ix_item_name on item", "rename column item.name to title", "create index ix_item_title on item(title)"),
			checks: []scCheck{{query: "SELECT id, title FROM item ORDER BY id", want: "1|alpha\n2|beta\n3|gamma"},
				{query: "INSERT INTO item (id, title) VALUES (9, 'beta')", fail: true},
				{query: "INSERT INTO item (id, title) VALUES (9, '')", fail: true},
				{query: "INSERT INTO item (id, title) VALUES (9, 'delta')"}}},

		// ---- columns added to tables with rows ----
		{name: "add_not_null_enum_with_default", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'red')"}, v2: []any{&scPaintWithFinish{}},
			want: scAll("add column paint.finish enum(red,green,blue)"),
			checks: []scCheck{{query: "SELECT id, color, finish FROM paint ORDER BY id", want: "1|green|blue\n2|red|blue"},
				{query: "INSERT INTO paint (id, finish) VALUES (3, 'pink')", fail: true}}},
		{name: "enum_value_inserted_in_middle", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'red')"}, v2: []any{&scPaintMiddle{}},
			want: scAll("alter column paint.color: type enum(red,green) → enum(red,blue,green)"),
			checks: []scCheck{{query: "SELECT id, color FROM paint ORDER BY id", want: "1|green\n2|red"},
				{query: "INSERT INTO paint (id, color) VALUES (3, 'blue')"}, {query: "INSERT INTO paint (id, color) VALUES (4, 'pink')", fail: true}}},
		{name: "json_column_added", v1: []any{&scDocBare{}}, seed: []string{"INSERT INTO doc (id, name) VALUES (1, 'a')"}, v2: []any{&scDoc{}},
			want:   scAll("add column doc.data json"),
			checks: []scCheck{{query: `UPDATE doc SET data = '{"k": 1}' WHERE id = 1`}, {query: "SELECT COUNT(*) FROM doc WHERE data IS NOT NULL", want: "1"}}},
		{name: "rename_json_column", v1: []any{&scDoc{}}, seed: []string{`INSERT INTO doc (id, name, data) VALUES (1, 'a', '{"k": 1}')`}, v2: []any{&scDocPayload{}},
			want:   scAll("rename column doc.data to payload"),
			checks: []scCheck{{query: "SELECT COUNT(*) FROM doc WHERE payload IS NOT NULL", want: "1"}, {query: `INSERT INTO doc (id, name, payload) VALUES (2, 'b', '{"x": [1]}')`}}},
		{name: "json_to_text", v1: []any{&scDoc{}}, seed: []string{`INSERT INTO doc (id, name, data) VALUES (1, 'a', '{"k": 1}')`}, v2: []any{&scDocText{}},
			want: map[string][]string{"": {"alter column doc.data: type json → text"}, "sqlite": {"alter column doc.data: type json → text"}},
			opts: narrow, refused: "may not hold",
			checks: []scCheck{{query: `SELECT data FROM doc WHERE id = 1`, want: `{"k": 1}`}, {query: "INSERT INTO doc (id, name, data) VALUES (2, 'b', 'not json')"}}},
		{name: "text_to_json", v1: []any{&scDocText{}}, seed: []string{`INSERT INTO doc (id, name, data) VALUES (1, 'a', '{"k": 1}')`}, v2: []any{&scDoc{}},
			want: scAll("alter column doc.data: type text → json"),
			opts: narrow, refused: "may not hold",
			checks: []scCheck{{query: "SELECT COUNT(*) FROM doc WHERE data IS NOT NULL", want: "1"}}},
		{name: "json_set_not_null", v1: []any{&scDoc{}}, seed: []string{`INSERT INTO doc (id, name, data) VALUES (1, 'a', '{"k": 1}')`}, v2: []any{&scDocNotNull{}},
			want:   scAll("alter column doc.data: set NOT NULL"),
			checks: []scCheck{{query: "SELECT COUNT(*) FROM doc WHERE data IS NOT NULL", want: "1"}, {query: "INSERT INTO doc (id, name) VALUES (2, 'b')", fail: true}}},

		// ---- MySQL and PostgreSQL specifics ----
		{name: "int_to_unsigned", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemQtyUnsigned{}},
			want:    map[string][]string{"": nil, "mysql": {"alter column item.qty: type integer → integer unsigned"}},
			refused: "may not hold", opts: narrow,
			checks: []scCheck{scItemsIntact}},
		{name: "int_to_unsigned_negative_values", v1: []any{&scItem{}}, seed: []string{scSeedItems, "UPDATE item SET qty = -1 WHERE id = 2"}, v2: []any{&scItemQtyUnsigned{}},
			want:    map[string][]string{"": nil, "mysql": {"alter column item.qty: type integer → integer unsigned"}},
			refused: "1 row(s) of item.qty", refusedAlways: true, opts: narrow,
			checks: []scCheck{{query: "SELECT qty FROM item ORDER BY id", want: "3\n-1\n5"}}},
		{name: "timestamp_with_and_without_time_zone", v1: []any{&scEvent{}}, seed: []string{"INSERT INTO event (id, at) VALUES (1, '2020-01-02 03:04:05')"}, v2: []any{&scEventNaive{}},
			want:   map[string][]string{"": {"alter column event.at: type datetime(6) → datetime(6)"}, "sqlite": nil},
			checks: []scCheck{{query: "SELECT COUNT(*) FROM event WHERE at = '2020-01-02 03:04:05'", want: "1"}}},
		{name: "postgres_array_column_added", v1: []any{&scDocBare{}}, seed: []string{"INSERT INTO doc (id, name) VALUES (1, 'a')"}, v2: []any{&scDocTags{}},
			want:   map[string][]string{"": {"add column doc.tags text"}},
			checks: []scCheck{{query: "SELECT COUNT(*) FROM doc WHERE tags IS NULL", want: "1"}}},

		// ---- kinds and keys ----
		{name: "string_to_enum_values_fit", v1: []any{&scPaintStr{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'red')"}, v2: []any{&scPaint{}},
			want:    scAll("alter column paint.color: type string(20) → enum(red,green)"),
			refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT id, color FROM paint ORDER BY id", want: "1|green\n2|red"},
				{query: "INSERT INTO paint (id, color) VALUES (3, 'pink')", fail: true}}},
		{name: "string_to_enum_value_outside", v1: []any{&scPaintStr{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'pink')"}, v2: []any{&scPaint{}},
			want:    scAll("alter column paint.color: type string(20) → enum(red,green)"),
			refused: "1 row(s) of paint.color holding a value not in enum(red, green)", refusedAlways: true, opts: narrow,
			checks: []scCheck{{query: "SELECT id, color FROM paint ORDER BY id", want: "1|green\n2|pink"}}},
		{name: "enum_to_string", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'red')"}, v2: []any{&scPaintStr{}},
			want: scAll("alter column paint.color: type enum(red,green) → string(20)"),
			checks: []scCheck{{query: "SELECT id, color FROM paint ORDER BY id", want: "1|green\n2|red"},
				{query: "INSERT INTO paint (id, color) VALUES (3, 'pink')"}, {query: "INSERT INTO paint (id) VALUES (4)"}, {query: "SELECT color FROM paint WHERE id = 4", want: "red"}}},
		{name: "rename_column_referenced_by_fk", v1: []any{&scParent{}, &scChild{}}, seed: []string{scSeedFamily, scSeedChildren}, v2: []any{&scParentKey{}, &scChildOfKey{}},
			want: scAll("rename column parent.id to key_id"),
			checks: []scCheck{{query: "SELECT key_id, name FROM parent ORDER BY key_id", want: "1|p1\n2|p2"}, scFamilyIntact[1], scOrphanRefused,
				{query: "DELETE FROM parent WHERE key_id = 1", fail: true}}},
		{name: "fk_columns_widened_on_both_sides", v1: []any{&scNode{}, &scEdge{}}, seed: []string{"INSERT INTO node (id, v) VALUES (1, 'a'), (2, 'b')", "INSERT INTO edge (id, node_id) VALUES (10, 1), (11, NULL)"},
			v2: []any{&scNodeBig{}, &scEdgeBig{}},
			want: map[string][]string{"": {"drop foreign key fk_edge_node on edge", "alter column edge.node_id: type integer → bigint", "alter column node.id: type integer → bigint",
				"add foreign key fk_edge_node on edge(node_id) → node(id)"}, "sqlite": nil},
			checks: []scCheck{{query: "SELECT id, node_id FROM edge ORDER BY id", want: "10|1\n11|NULL"}, {query: "INSERT INTO edge (id, node_id) VALUES (12, 3)", fail: true},
				{query: "INSERT INTO node (id, v) VALUES (5000000000, 'c')"}, {query: "INSERT INTO edge (id, node_id) VALUES (12, 5000000000)"}}},
		{name: "drop_column_in_composite_index", v1: []any{&scItemNameQtyIndex{}}, seed: []string{scSeedItems}, v2: []any{&scItemNoQty{}},
			want:    scAll("drop index ix_item_name on item", "drop column item.qty"),
			refused: "drop column item.qty", opts: drops,
			checks: []scCheck{{query: "SELECT id, name FROM item ORDER BY id", want: "1|alpha\n2|beta\n3|gamma"}}},

		{name: "rename_table_with_enum_column", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'red')"}, v2: []any{&scPigment{}},
			want: map[string][]string{"": {"rename table paint to pigment"},
				"postgres": {"rename table paint to pigment", "alter column pigment.color: type enum(red,green) → enum(red,green)"}},
			checks: []scCheck{{query: "SELECT id, color FROM pigment ORDER BY id", want: "1|green\n2|red"},
				{query: "INSERT INTO pigment (id) VALUES (3)"}, {query: "SELECT color FROM pigment WHERE id = 3", want: "red"},
				{query: "INSERT INTO pigment (id, color) VALUES (4, 'pink')", fail: true}}},
		{name: "rename_enum_column_and_append_value", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'green'), (2, 'red')"}, v2: []any{&scPaintHue{}},
			want: map[string][]string{"": {"rename column paint.color to hue", "add enum values blue to paint.hue"},
				"postgres": {"rename column paint.color to hue", "alter column paint.hue: type enum(red,green) → enum(red,green,blue)"}},
			checks: []scCheck{{query: "SELECT id, hue FROM paint ORDER BY id", want: "1|green\n2|red"},
				{query: "INSERT INTO paint (id, hue) VALUES (3, 'blue')"}, {query: "INSERT INTO paint (id, hue) VALUES (4, 'pink')", fail: true}}},
		{name: "serial_key_and_column_charset_unchanged", v1: []any{&scSerial{}}, seed: []string{"INSERT INTO counter (name) VALUES ('a')"}, v2: []any{&scSerial{}},
			want:   scAll(),
			checks: []scCheck{{query: "INSERT INTO counter (name) VALUES ('b')"}, {query: "SELECT id, name FROM counter ORDER BY id", want: "1|a\n2|b"}}},

		{name: "index_column_becomes_desc", v1: []any{&scItemNameQtyIx{}}, seed: []string{scSeedItems}, v2: []any{&scItemIndexDesc{}},
			want:   scAll("drop index ix_item_name_qty on item", "create index ix_item_name_qty on item(name, qty)"),
			checks: []scCheck{scItemsIntact}},
		{name: "rename_and_widen_column", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemTitleWide{}},
			want: scAll("rename column item.name to title", "alter column item.title: type string(50) → string(200), drop NOT NULL"),
			checks: []scCheck{{query: "SELECT id, title, qty FROM item ORDER BY id", want: "1|alpha|3\n2|beta|4\n3|gamma|5"},
				{query: "INSERT INTO item (id) VALUES (4)"}}},
		{name: "enum_default_changed", v1: []any{&scPaint{}}, seed: []string{"INSERT INTO paint (id, color) VALUES (1, 'red')"}, v2: []any{&scPaintGreen{}},
			want:   scAll("alter column paint.color: default 'red' → 'green'"),
			checks: []scCheck{{query: "INSERT INTO paint (id) VALUES (2)"}, {query: "SELECT id, color FROM paint ORDER BY id", want: "1|red\n2|green"}}},
		{name: "pk_dropped", v1: []any{&scLinePK{}}, seed: []string{scSeedLines}, v2: []any{&scLine{}},
			want:   scAll("alter primary key of line"),
			checks: []scCheck{scLinesIntact, {query: "INSERT INTO line (order_id, line_no, sku) VALUES (1, 9, 'x')"}}},

		{name: "add_column_with_check", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemRanked{}},
			want:   scAll("add column item.rank_n integer", "add check ck_item_rank on item"),
			checks: []scCheck{scItemsIntact, {query: "SELECT COUNT(*) FROM item WHERE rank_n = 1", want: "3"}, {query: "UPDATE item SET rank_n = 0 WHERE id = 1", fail: true}}},
		{name: "add_unique_column_with_constant_default_to_rows", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemCoded{}},
			want:    scAll("add column item.code string(10)", "add unique uq_item_code on item(code)"),
			refused: "duplicate", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{scItemsIntact}},

		{name: "enum_values_with_quote_and_backslash", v1: []any{&scFeeling{}}, seed: []string{"INSERT INTO feeling (id, mood) VALUES (1, 'it''s'), (2, 'ok')"}, v2: []any{&scFeeling3{}},
			want:   scAll(`add enum values a\b to feeling.mood`),
			checks: []scCheck{{query: "SELECT id, mood FROM feeling ORDER BY id", want: "1|it's\n2|ok"}, {query: "INSERT INTO feeling (id, mood) VALUES (3, 'nope')", fail: true}}},
		{name: "drop_column_of_composite_pk", v1: []any{&scLineCompositePK{}}, seed: []string{scSeedLines}, v2: []any{&scLineOrderOnly{}},
			want:    scAll("alter primary key of line", "drop column line.line_no"),
			refused: "drop column line.line_no", opts: drops,
			checks: []scCheck{{query: "SELECT order_id, sku FROM line ORDER BY order_id", want: "1|a\n2|b\n3|c"}, {query: "INSERT INTO line (order_id, sku) VALUES (1, 'x')", fail: true}}},

		{name: "bool_to_smallint", v1: []any{&scFlag{}}, seed: []string{"INSERT INTO flag (id, on_) VALUES (1, TRUE), (2, FALSE)"}, v2: []any{&scFlagSmall{}},
			want:    scAll("alter column flag.on_: type bool → smallint, default FALSE → 0"),
			refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT id, on_ FROM flag ORDER BY id", want: "1|1\n2|0"}}},
		{name: "bigint_to_bool", v1: []any{&scFlagBig{}}, seed: []string{"INSERT INTO flag (id, on_) VALUES (1, 1), (2, 0)"}, v2: []any{&scFlag{}},
			want:    map[string][]string{"": {"alter column flag.on_: type bigint → bool, default 0 → false"}, "sqlite": {"alter column flag.on_: type integer → bool, default 0 → false"}},
			refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT id FROM flag WHERE on_ = TRUE", want: "1"}}},
		{name: "date_to_datetime", v1: []any{&scDay{}}, seed: []string{"INSERT INTO day (id, d) VALUES (1, '2020-01-02')"}, v2: []any{&scDayTime{}},
			want: scAll("alter column day.d: type date → datetime"), refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM day WHERE d >= '2020-01-02' AND d < '2020-01-03'", want: "1"}}},
		{name: "datetime_to_date", v1: []any{&scDayTime{}}, seed: []string{"INSERT INTO day (id, d) VALUES (1, '2020-01-02 00:00:00')"}, v2: []any{&scDay{}},
			want: scAll("alter column day.d: type datetime → date"), refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM day WHERE d = '2020-01-02'", want: "1"}}},
		{name: "datetime_to_date_with_time_of_day", v1: []any{&scDayTime{}}, seed: []string{"INSERT INTO day (id, d) VALUES (1, '2020-01-02 00:00:00'), (2, '2020-01-02 10:30:00')"}, v2: []any{&scDay{}},
			want:    scAll("alter column day.d: type datetime → date"),
			refused: "1 row(s) of day.d with a time of day", refusedAlways: true, opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM day WHERE d > '2020-01-02 10:00:00'", want: "1"}}},
		{name: "binary_to_string", v1: []any{&scBlob{}}, seed: []string{"INSERT INTO bin (id, data) VALUES (1, 'abc')"}, v2: []any{&scBlobText{}},
			want:    map[string][]string{"": {"alter column bin.data: type binary(20) → string(20)"}, "postgres": {"alter column bin.data: type binary → string(20)"}},
			refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM bin WHERE data = 'abc'", want: "1"}}},
		{name: "string_to_binary", v1: []any{&scBlobText{}}, v2: []any{&scBlob{}},
			seedFor: map[string][]string{"sqlite": {`INSERT INTO bin (id, data) VALUES (1, 'a\b')`}, "postgres": {`INSERT INTO bin (id, data) VALUES (1, 'a\b')`},
				"mysql": {`INSERT INTO bin (id, data) VALUES (1, 'a\\b')`}},
			want:    scAll("alter column bin.data: type string(20) → binary(20)"),
			refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM bin WHERE LENGTH(data) = 3", want: "1"}}},
		{name: "string_to_uuid", v1: []any{&scTokenStr{}}, seed: []string{"INSERT INTO token (id, u) VALUES (1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')"}, v2: []any{&scTokenUUID{}},
			want: map[string][]string{"": {"alter column token.u: type string(36) → uuid"}}, refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM token WHERE u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'", want: "1"}}},
		{name: "int_to_bool", v1: []any{&scFlagInt{}}, seed: []string{"INSERT INTO flag (id, on_) VALUES (1, 1), (2, 0)"}, v2: []any{&scFlag{}},
			want:    map[string][]string{"": {"alter column flag.on_: type integer → bool, default 0 → false"}},
			refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT id FROM flag WHERE on_ = TRUE", want: "1"}}},

		// ---- rebuilds (test_batch) ----
		{name: "rebuild_keeps_autoincrement_counter", v1: []any{&scItem{}}, seed: []string{"INSERT INTO item (name) VALUES ('a'), ('b'), ('c')", "DELETE FROM item WHERE id = 3"},
			v2: []any{&scItemNameAll{}},
			want: map[string][]string{"": {"alter column item.name: type string(50) → string(80), drop NOT NULL, default none → 'unnamed', comment"},
				"sqlite": {"alter column item.name: type string(50) → string(80), drop NOT NULL, default none → 'unnamed'"}},
			checks: []scCheck{{query: "INSERT INTO item (name) VALUES ('d')"}, {query: "SELECT id, name FROM item ORDER BY id", want: "1|a\n2|b\n4|d"}}},
		// A partial index (and on SQLite an index on an expression),
		// which schema cannot describe, is neither dropped by Compare nor
		// lost by a rebuild.
		{name: "rebuild_keeps_partial_and_expression_indexes", v1: []any{&scItem{}}, seed: []string{scSeedItems},
			seedFor: map[string][]string{
				"sqlite":   {"CREATE INDEX ix_item_big ON item (qty) WHERE qty > 3", "CREATE INDEX ix_item_lower ON item (lower(name))"},
				"postgres": {"CREATE INDEX ix_item_big ON item (qty) WHERE qty > 3", "CREATE INDEX ix_item_lower ON item (lower(name))"},
			},
			v2:     []any{&scItemName200{}},
			want:   scAll("alter column item.name: type string(50) → string(200)"),
			checks: []scCheck{scItemsIntact},
			checksFor: map[string][]scCheck{
				"sqlite":   {{query: "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'ix_item_%' ORDER BY name", want: "ix_item_big\nix_item_lower"}},
				"postgres": {{query: "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'item' AND indexname LIKE 'ix_item_%' ORDER BY indexname", want: "ix_item_big\nix_item_lower"}},
			}},
		// A table renamed and rebuilt by one migration keeps its trigger
		// and its partial index (SQLite), under the new table name.
		{name: "rename_and_rebuild_keep_trigger_and_partial_index", v1: []any{&scItem{}}, seed: []string{scSeedItems},
			seedFor: map[string][]string{"sqlite": {"CREATE INDEX ix_item_big ON item (qty) WHERE qty > 3",
				`CREATE TRIGGER trg_item AFTER INSERT ON "item" BEGIN UPDATE item SET qty = 9, note = 'item' WHERE item.id = NEW.id; END`}},
			v2: []any{&scGoodsWide{}}, want: scAll("rename table item to goods", "alter column goods.name: type string(50) → string(200)"),
			checks: []scCheck{{query: "SELECT id, name, qty FROM goods ORDER BY id", want: "1|alpha|3\n2|beta|4\n3|gamma|5"}},
			checksFor: map[string][]scCheck{"sqlite": {{query: "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = 'goods' ORDER BY name", want: "ix_item_big\ntrg_item"},
				{query: "INSERT INTO goods (id, name) VALUES (7, 'x')"}, {query: "SELECT qty, note FROM goods WHERE id = 7", want: "9|item"}}}},
		{name: "child_rebuilt_keeps_fk_index_and_trigger", v1: []any{&scParent{}, &scChildIndexed{}}, seed: []string{scSeedFamily, scSeedChildren}, seedFor: scUpperTrigger,
			v2:   []any{&scParent{}, &scChildIndexedWide{}},
			want: scAll("alter column child.label: type string(20) → string(40), drop NOT NULL"),
			checks: scFamily(scOrphanRefused, scCheck{query: "INSERT INTO child (id, parent_id, label) VALUES (50, 1, 'low')"},
				scCheck{query: "SELECT label FROM child WHERE id = 50", want: "LOW"},
				scCheck{query: "DELETE FROM parent WHERE id = 1", fail: true})},
	}
}
