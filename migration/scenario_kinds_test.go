package migration_test

import (
	"time"

	"github.com/tagorm/orm/migration"
)

// Scenarios of primary key changes and of kind changes checked against
// the rows (see scenarios).

type scLine struct {
	_       struct{} `orm:"table:line"`
	OrderID int64    `db:"order_id"`
	LineNo  int32    `db:"line_no"`
	Sku     string   `db:"sku" orm:"size:20"`
}

type scLinePK struct {
	_       struct{} `orm:"table:line"`
	OrderID int64    `db:"order_id" orm:"pk;autoincrement:false"`
	LineNo  int32    `db:"line_no"`
	Sku     string   `db:"sku" orm:"size:20"`
}

type scLineCompositePK struct {
	_       struct{} `orm:"table:line"`
	OrderID int64    `db:"order_id" orm:"pk"`
	LineNo  int32    `db:"line_no" orm:"pk"`
	Sku     string   `db:"sku" orm:"size:20"`
}

type scItemCompositePK struct {
	_    struct{} `orm:"table:item"`
	ID   int64    `db:"id" orm:"pk"`
	Name string   `db:"name" orm:"size:50;pk"`
	Note *string  `db:"note" orm:"size:100"`
	Qty  int32    `db:"qty" orm:"default:0"`
}

const scSeedLines = "INSERT INTO line (order_id, line_no, sku) VALUES (1, 1, 'a'), (2, 1, 'b'), (3, 2, 'c')"
const scSeedLinesDup = "INSERT INTO line (order_id, line_no, sku) VALUES (1, 1, 'a'), (1, 2, 'b'), (3, 1, 'c')"

var scLinesIntact = scCheck{query: "SELECT order_id, line_no, sku FROM line ORDER BY order_id, line_no", want: "1|1|a\n2|1|b\n3|2|c"}
var scLinesDupIntact = scCheck{query: "SELECT order_id, line_no, sku FROM line ORDER BY order_id, line_no", want: "1|1|a\n1|2|b\n3|1|c"}

type scConvText struct {
	_  struct{} `orm:"table:conv"`
	ID int64    `db:"id"`
	V  *string  `db:"v" orm:"type:text"`
}

type scConvVarchar struct {
	_  struct{} `orm:"table:conv"`
	ID int64    `db:"id"`
	V  *string  `db:"v" orm:"size:20"`
}

type scConvInt struct {
	_  struct{} `orm:"table:conv"`
	ID int64    `db:"id"`
	V  *int32   `db:"v"`
}

type scConvDecimal struct {
	_  struct{} `orm:"table:conv"`
	ID int64    `db:"id"`
	V  *string  `db:"v" orm:"type:decimal(10,2)"`
}

type scConvDouble struct {
	_  struct{} `orm:"table:conv"`
	ID int64    `db:"id"`
	V  *float64 `db:"v"`
}

type scConvFloat struct {
	_  struct{} `orm:"table:conv"`
	ID int64    `db:"id"`
	V  *float32 `db:"v"`
}

type scConvAt6 struct {
	_  struct{}   `orm:"table:conv"`
	ID int64      `db:"id"`
	V  *time.Time `db:"v"`
}

type scConvAt3 struct {
	_  struct{}   `orm:"table:conv"`
	ID int64      `db:"id"`
	V  *time.Time `db:"v" orm:"precision:3"`
}

func scSeedConv(values ...string) []string {
	s := "INSERT INTO conv (id, v) VALUES "
	for i, v := range values {
		if i > 0 {
			s += ", "
		}
		s += "(" + string(rune('1'+i)) + ", " + v + ")"
	}
	return []string{s}
}

func scenariosKeysAndKinds() []scenario {
	narrow := []migration.Option{migration.AllowNarrowing()}
	return []scenario{
		// ---- primary keys ----
		{name: "pk_added", v1: []any{&scLine{}}, seed: []string{scSeedLines}, v2: []any{&scLinePK{}},
			want:   scAll("alter primary key of line"),
			checks: []scCheck{scLinesIntact, {query: "INSERT INTO line (order_id, line_no, sku) VALUES (1, 9, 'x')", fail: true}}},
		{name: "pk_added_on_duplicates", v1: []any{&scLine{}}, seed: []string{scSeedLinesDup}, v2: []any{&scLinePK{}},
			want:    scAll("alter primary key of line"),
			refused: "line(order_id) holds duplicate values", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{scLinesDupIntact}},
		{name: "pk_single_to_composite", v1: []any{&scLinePK{}}, seed: []string{scSeedLines}, v2: []any{&scLineCompositePK{}},
			want: scAll("alter primary key of line"),
			checks: []scCheck{scLinesIntact, {query: "INSERT INTO line (order_id, line_no, sku) VALUES (1, 9, 'x')"},
				{query: "INSERT INTO line (order_id, line_no, sku) VALUES (1, 9, 'y')", fail: true}}},
		{name: "pk_composite_to_single_on_duplicates", v1: []any{&scLineCompositePK{}}, seed: []string{scSeedLinesDup}, v2: []any{&scLinePK{}},
			want:    scAll("alter primary key of line"),
			refused: "line(order_id) holds duplicate values", refusedAlways: true, opts: []migration.Option{migration.AllowDestructive()},
			checks: []scCheck{scLinesDupIntact}},
		{name: "pk_autoincrement_to_composite", v1: []any{&scItem{}}, seed: []string{scSeedItems}, v2: []any{&scItemCompositePK{}},
			want:   scAll("alter primary key of item"),
			checks: []scCheck{scItemsIntact, {query: "INSERT INTO item (id, name) VALUES (1, 'other')"}, {query: "INSERT INTO item (id, name) VALUES (1, 'alpha')", fail: true}}},

		// ---- kind changes, checked against the rows ----
		{name: "text_to_int_fits", v1: []any{&scConvText{}}, seed: scSeedConv("'12'", "' -3 '", "NULL"), v2: []any{&scConvInt{}},
			want: scAll("alter column conv.v: type text → integer"), refused: "may not hold", opts: narrow,
			checks: []scCheck{{query: "SELECT id, v FROM conv ORDER BY id", want: "1|12\n2|-3\n3|NULL"}, {query: "SELECT SUM(v) FROM conv", want: "9"}}},
		{name: "text_to_int_not_numbers", v1: []any{&scConvText{}}, seed: scSeedConv("'12'", "'abc'", "'1.5'", "'99999999999'"), v2: []any{&scConvInt{}},
			want:    scAll("alter column conv.v: type text → integer"),
			refused: "3 row(s) of conv.v not integers or outside [-2147483648, 2147483647]", refusedAlways: true, opts: narrow,
			checks: []scCheck{{query: "SELECT v FROM conv ORDER BY id", want: "12\nabc\n1.5\n99999999999"}}},
		{name: "varchar_to_int_fits", v1: []any{&scConvVarchar{}}, seed: scSeedConv("'7'", "'+8'"), v2: []any{&scConvInt{}},
			want: scAll("alter column conv.v: type string(20) → integer"), opts: narrow,
			checks: []scCheck{{query: "SELECT SUM(v) FROM conv", want: "15"}}},
		{name: "varchar_to_int_not_numbers", v1: []any{&scConvVarchar{}}, seed: scSeedConv("'7'", "'7x'"), v2: []any{&scConvInt{}},
			want:    scAll("alter column conv.v: type string(20) → integer"),
			refused: "1 row(s) of conv.v not integers", refusedAlways: true, opts: narrow,
			checks: []scCheck{{query: "SELECT v FROM conv ORDER BY id", want: "7\n7x"}}},
		{name: "decimal_to_int_fits", v1: []any{&scConvDecimal{}}, seed: scSeedConv("12", "-3.00"), v2: []any{&scConvInt{}},
			want: scAll("alter column conv.v: type decimal(10,2) → integer"), opts: narrow,
			checks: []scCheck{{query: "SELECT id, v FROM conv ORDER BY id", want: "1|12\n2|-3"}}},
		{name: "decimal_to_int_fraction", v1: []any{&scConvDecimal{}}, seed: scSeedConv("12", "1.25"), v2: []any{&scConvInt{}},
			want:    scAll("alter column conv.v: type decimal(10,2) → integer"),
			refused: "1 row(s) of conv.v with a fractional part", refusedAlways: true, opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM conv WHERE v = 1.25", want: "1"}}},
		{name: "datetime_precision_lowered_fits", v1: []any{&scConvAt6{}}, seed: scSeedConv("'2020-01-02 03:04:05.123'"), v2: []any{&scConvAt3{}},
			want: map[string][]string{"": {"alter column conv.v: type datetime(6) → datetime(3)"}, "sqlite": nil}, opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM conv WHERE v = '2020-01-02 03:04:05.123'", want: "1"}}},
		{name: "datetime_precision_lowered_loses_digits", v1: []any{&scConvAt6{}}, seed: scSeedConv("'2020-01-02 03:04:05.123'", "'2020-01-02 03:04:05.123456'"), v2: []any{&scConvAt3{}},
			want:    map[string][]string{"": {"alter column conv.v: type datetime(6) → datetime(3)"}, "sqlite": nil},
			refused: "1 row(s) of conv.v with more than 3 fractional-second digits", refusedAlways: true, opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM conv", want: "2"}}},
		{name: "double_to_float_fits", v1: []any{&scConvDouble{}}, seed: scSeedConv("0.5", "2.25", "-1024"), v2: []any{&scConvFloat{}},
			want: map[string][]string{"": {"alter column conv.v: type double → float"}, "sqlite": nil}, opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM conv WHERE v IN (0.5, 2.25, -1024)", want: "3"}}},
		{name: "double_to_float_loses_precision", v1: []any{&scConvDouble{}}, seed: scSeedConv("0.5", "0.1", "123456789.5"), v2: []any{&scConvFloat{}},
			want:    map[string][]string{"": {"alter column conv.v: type double → float"}, "sqlite": nil},
			refused: "2 row(s) of conv.v that a 32-bit float cannot hold exactly", refusedAlways: true, opts: narrow,
			checks: []scCheck{{query: "SELECT COUNT(*) FROM conv WHERE v = 0.1", want: "1"}}},
	}
}
