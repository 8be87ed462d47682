package migration_test

import (
	"context"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// target is a schema using every kind, constraint and default tagorm
// supports, as the orm package would build it from models.
func target() *schema.MetaData {
	c := func(name string, k schema.Kind, null bool, def string) *schema.Column {
		col := &schema.Column{Name: name, Type: schema.Type{Kind: k}, Nullable: null}
		if def != "" {
			col.Default = &def
		}
		return col
	}
	id := c("id", schema.BigInt, false, "")
	id.AutoIncrement = true
	author := &schema.Table{
		Name:       "author",
		Comment:    "it's the author",
		Columns:    []*schema.Column{id, c("name", schema.String, false, ""), c("email", schema.String, false, "")},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		Uniques:    []*schema.Unique{{Name: "uq_author_email", Columns: []string{"email"}}},
	}
	author.Columns[1].Type.Size = 50
	author.Columns[2].Type.Size = 255

	bid := c("id", schema.BigInt, false, "")
	bid.AutoIncrement = true
	str := c("f_string", schema.String, true, "'has '' quote'")
	str.Type.Size = 80
	str.Comment = "it's a comment"
	dec := c("f_decimal", schema.Decimal, false, "0")
	dec.Type.Precision, dec.Type.Scale = 10, 2
	vb := c("f_varbinary", schema.Binary, true, "")
	vb.Type.Size = 16
	ts := c("f_datetime", schema.DateTime, false, "CURRENT_TIMESTAMP")
	en := c("f_enum", schema.Enum, false, "'draft'")
	en.Type.Values = []string{"draft", "it's live"}
	book := &schema.Table{
		Name: "book",
		Columns: []*schema.Column{
			bid,
			c("author_id", schema.BigInt, false, ""),
			c("parent_id", schema.BigInt, true, ""),
			c("f_bool", schema.Bool, false, "TRUE"),
			c("f_bool_false", schema.Bool, false, "FALSE"),
			c("f_smallint", schema.SmallInt, false, "0"),
			c("f_integer", schema.Integer, false, "42"),
			c("f_float", schema.Float, true, ""),
			c("f_double", schema.Double, true, ""),
			dec,
			str,
			c("f_text", schema.Text, true, ""),
			c("f_binary", schema.Binary, true, ""),
			vb,
			c("f_date", schema.Date, true, ""),
			ts,
			c("f_json", schema.JSON, true, ""),
			c("f_uuid", schema.UUID, true, ""),
			en,
		},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_book", Columns: []string{"id"}},
		Uniques:    []*schema.Unique{{Name: "uq_book_author_string", Columns: []string{"author_id", "f_string"}}},
		Indexes: []*schema.Index{
			{Name: "ix_book_date_int", Columns: []schema.IndexColumn{{Name: "f_date"}, {Name: "f_integer", Desc: true}}},
			{Name: "ux_book_uuid", Unique: true, Columns: []schema.IndexColumn{{Name: "f_uuid"}}},
		},
		ForeignKeys: []*schema.ForeignKey{
			{Name: "fk_book_author", Columns: []string{"author_id"}, RefTable: "author", RefColumns: []string{"id"}, OnDelete: schema.Cascade},
			{Name: "fk_book_parent", Columns: []string{"parent_id"}, RefTable: "book", RefColumns: []string{"id"}, OnDelete: schema.SetNull, OnUpdate: schema.Cascade},
		},
		Checks: []*schema.Check{{Name: "ck_book_integer", Expr: "f_integer >= 0"}},
	}
	return &schema.MetaData{Tables: []*schema.Table{author, book}}
}

// TestInspectCreateTableRoundTrip creates target() with the dialects'
// own CreateTable and checks that Inspect reads back an equivalent
// schema. The equivalences it allows are exactly the differences a
// comparer has to accept: they are listed in equivalent*.
func TestInspectCreateTableRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		md := target()
		sorted, _ := md.SortByDependency()
		for _, tb := range sorted {
			for _, s := range db.Dialect.CreateTable(tb, tb.ForeignKeys, false) {
				if _, err := db.SQL.Exec(s); err != nil {
					t.Fatalf("%v\n%s", err, s)
				}
			}
		}
		live, err := migration.Inspect(context.Background(), migration.Wrap(db.Dialect, db.SQL))
		if err != nil {
			t.Fatal(err)
		}
		if len(live.Tables) != len(md.Tables) {
			t.Fatalf("inspected %d tables, want %d", len(live.Tables), len(md.Tables))
		}
		for _, want := range md.Tables {
			got := live.Table(want.Name)
			if got == nil {
				t.Fatalf("table %s missing", want.Name)
			}
			equivalentTable(t, db.Name, want, got)
		}
	})
}

func equivalentTable(t *testing.T, d string, want, got *schema.Table) {
	t.Helper()
	if d != "sqlite" && got.Comment != want.Comment {
		t.Errorf("%s: comment %q, want %q", want.Name, got.Comment, want.Comment)
	}
	if len(got.Columns) != len(want.Columns) {
		t.Fatalf("%s: %d columns, want %d", want.Name, len(got.Columns), len(want.Columns))
	}
	for i, wc := range want.Columns {
		if msg := equivalentColumn(d, want, wc, got.Columns[i]); msg != "" {
			t.Errorf("%s.%s: %s\n got %s\nwant %s", want.Name, wc.Name, msg, js(got.Columns[i]), js(wc))
		}
	}
	// Primary key: same columns; the name when both sides have one (MySQL
	// calls every primary key PRIMARY; SQLite's inline INTEGER PRIMARY KEY
	// has none).
	if !slices.Equal(got.PrimaryKey.Columns, want.PrimaryKey.Columns) ||
		got.PrimaryKey.Name != "" && want.PrimaryKey.Name != "" && got.PrimaryKey.Name != want.PrimaryKey.Name {
		t.Errorf("%s: primary key %+v, want %+v", want.Name, *got.PrimaryKey, *want.PrimaryKey)
	}
	// Unique constraints: on MySQL they are unique indexes.
	for _, wu := range want.Uniques {
		found := slices.ContainsFunc(got.Uniques, func(u *schema.Unique) bool {
			return u.Name == wu.Name && slices.Equal(u.Columns, wu.Columns)
		}) || d == "mysql" && slices.ContainsFunc(got.Indexes, func(ix *schema.Index) bool {
			return ix.Unique && ix.Name == wu.Name && slices.Equal(ix.ColumnNames(), wu.Columns)
		})
		if !found {
			t.Errorf("%s: unique %+v missing", want.Name, *wu)
		}
	}
	// Indexes: every target index; on MySQL also the indexes InnoDB adds
	// for foreign keys (named after the constraint) and unique constraints.
	for _, gi := range got.Indexes {
		wi := slices.IndexFunc(want.Indexes, func(ix *schema.Index) bool { return ix.Name == gi.Name })
		switch {
		case wi >= 0:
			if !reflect.DeepEqual(gi, want.Indexes[wi]) {
				t.Errorf("%s: index %s\n got %s\nwant %s", want.Name, gi.Name, js(gi), js(want.Indexes[wi]))
			}
		case d == "mysql" && (slices.ContainsFunc(want.ForeignKeys, func(fk *schema.ForeignKey) bool {
			return fk.Name == gi.Name && slices.Equal(fk.Columns, gi.ColumnNames())
		}) || slices.ContainsFunc(want.Uniques, func(u *schema.Unique) bool { return u.Name == gi.Name })):
		default:
			t.Errorf("%s: unexpected index %s", want.Name, js(gi))
		}
	}
	if len(got.Indexes) < len(want.Indexes) {
		t.Errorf("%s: indexes %s, want %s", want.Name, js(got.Indexes), js(want.Indexes))
	}
	// Foreign keys: MariaDB reports an action left unspecified as RESTRICT.
	if len(got.ForeignKeys) != len(want.ForeignKeys) {
		t.Fatalf("%s: foreign keys %s, want %s", want.Name, js(got.ForeignKeys), js(want.ForeignKeys))
	}
	action := func(a string) string {
		if d == "mysql" && a == "" {
			return schema.Restrict
		}
		return a
	}
	for i, wf := range want.ForeignKeys {
		gf := *got.ForeignKeys[i]
		w := *wf
		w.OnDelete, w.OnUpdate = action(w.OnDelete), action(w.OnUpdate)
		if !reflect.DeepEqual(gf, w) {
			t.Errorf("%s: foreign key\n got %s\nwant %s", want.Name, js(gf), js(w))
		}
	}
	// Checks: by name (expressions are spelled the database's way).
	if len(got.Checks) != len(want.Checks) {
		t.Fatalf("%s: checks %s, want %s", want.Name, js(got.Checks), js(want.Checks))
	}
	for i, wc := range want.Checks {
		if got.Checks[i].Name != wc.Name {
			t.Errorf("%s: check %s, want %s", want.Name, js(got.Checks[i]), js(wc))
		}
	}
}

// equivalentColumn returns why got does not read back as want, or "".
func equivalentColumn(d string, tb *schema.Table, want, got *schema.Column) string {
	wt, gt := want.Type, got.Type
	switch {
	case d == "sqlite" && (wt.Kind == schema.SmallInt || wt.Kind == schema.BigInt):
		// SQLite has one integer type: the dialect renders "integer".
		wt.Kind = schema.Integer
	case d != "sqlite" && wt.Kind == schema.DateTime && wt.Precision == 0:
		wt.Precision = 6 // tagorm's default precision
	case d == "postgres" && wt.Kind == schema.Binary:
		wt.Size = 0 // bytea has no length
	case d == "postgres" && wt.Kind == schema.Enum && wt.EnumName == "":
		wt.EnumName = tb.Name + "_" + want.Name
	case d == "sqlite" && wt.Kind == schema.Enum:
		gt.Size = 0 // varchar(longest value)
	}
	if d == "sqlite" && wt.Kind == schema.DateTime {
		gt.Precision, wt.Precision = 0, 0 // SQLite stores text: no precision
	}
	gt.Raw, wt.Raw = "", ""
	if !reflect.DeepEqual(gt, wt) {
		return "type differs"
	}
	if got.Nullable != want.Nullable || got.AutoIncrement != want.AutoIncrement {
		return "nullability or auto-increment differs"
	}
	if d != "sqlite" && got.Comment != want.Comment {
		return "comment differs"
	}
	switch {
	case want.Default == nil && got.Default == nil:
	case want.Default == nil || got.Default == nil:
		return "default differs"
	default:
		w := dialects.NormalizeDefault(*want.Default, want.Type, false)
		if *w == *got.Default {
			break
		}
		// MariaDB prints a decimal default with its scale: 0 → 0.00.
		wf, err1 := strconv.ParseFloat(*w, 64)
		gf, err2 := strconv.ParseFloat(*got.Default, 64)
		if err1 != nil || err2 != nil || wf != gf {
			return "default differs"
		}
	}
	return ""
}
