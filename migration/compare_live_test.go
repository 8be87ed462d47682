package migration_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// The models of the hard rule: every supported type, nullability,
// default, key, constraint and index.

type cmpStatus string

func (cmpStatus) EnumValues() []string {
	return []string{"draft", "it's live", `back\slash`, "archived"}
}

type CmpAuthor struct {
	_     struct{} `orm:"table:cmp_author"`
	ID    int64    `db:"id"`
	Name  string   `db:"name" orm:"size:50;index"`
	Email string   `db:"email" orm:"size:255;unique"`
	Nick  *string  `db:"nick" orm:"comment:shown \"as is\""`
}

// ConfigureTable sets a comment with a quote and a backslash, which a tag
// cannot spell.
func (CmpAuthor) ConfigureTable(t *schema.Table) { t.Comment = `it's the author \ (table)` }

type CmpBook struct {
	_          struct{}        `orm:"table:cmp_book;comment:books;check:ck_book_pages:pages >= 0"`
	ID         int64           `db:"id"`
	AuthorID   int64           `db:"author_id" orm:"fk:cmp_author.id;on_delete:cascade;unique:uq_book_author_title"`
	ParentID   *int64          `db:"parent_id" orm:"fk:cmp_book.id;on_delete:set null;on_update:cascade"`
	EditorID   *int64          `db:"editor_id" orm:"fk:cmp_author.id;fk_name:fk_book_editor"`
	Title      string          `db:"title" orm:"size:120;unique:uq_book_author_title;default:'has '' quote'"`
	Flag       bool            `db:"flag" orm:"default:true"`
	Off        bool            `db:"off" orm:"default:false"`
	Small      int16           `db:"small" orm:"default:0"`
	Pages      int32           `db:"pages" orm:"default:42;check:pages < 100000"`
	Big        int64           `db:"big" orm:"default:-1"`
	Unsigned   uint16          `db:"unsigned_n" orm:"default:7"`
	Ratio      float32         `db:"ratio"`
	Score      float64         `db:"score" orm:"default:1.5"`
	Price      string          `db:"price" orm:"type:decimal(10,2);default:0"`
	Summary    string          `db:"summary" orm:"type:text;default:'none'"`
	Blob       []byte          `db:"blob"`
	Digest     []byte          `db:"digest" orm:"size:32"`
	Published  time.Time       `db:"published" orm:"type:date;index:ix_book_pub_pages"`
	Created    time.Time       `db:"created" orm:"default:CURRENT_TIMESTAMP"`
	Touched    time.Time       `db:"touched" orm:"precision:3;default:current_timestamp"`
	Removed    sql.NullTime    `db:"removed"`
	Meta       json.RawMessage `db:"meta"`
	Extra      map[string]any  `db:"extra" orm:"json"`
	Ref        string          `db:"ref" orm:"type:uuid;unique_index"`
	OptRef     *string         `db:"opt_ref" orm:"type:uuid"`
	Status     cmpStatus       `db:"status" orm:"default:'draft';index:ix_book_status_created,desc"`
	Code       string          `db:"code" orm:"type:char(10);default:'x'"`
	Popularity int32           `db:"popularity" orm:"index:ix_book_pub_pages,desc"`
	Rank       int32           `db:"rank_n" orm:"index:ix_book_status_created"`
}

type CmpEdition struct {
	_      struct{} `orm:"table:cmp_edition"`
	BookID int64    `db:"book_id" orm:"pk;fk:cmp_book.id;on_delete:cascade"`
	No     int32    `db:"no" orm:"pk"`
	Label  *string  `db:"label" orm:"size:20"`
}

type CmpReview struct {
	_         struct{} `orm:"table:cmp_review"`
	ID        int64    `db:"id"`
	BookID    int64    `db:"book_id" orm:"fk:cmp_edition.book_id;fk_name:fk_review_edition;on_delete:cascade"`
	EditionNo int32    `db:"edition_no" orm:"fk:cmp_edition.no;fk_name:fk_review_edition"`
	Stars     int16    `db:"stars" orm:"check:stars_range:stars BETWEEN 1 AND 5"`
	Body      *string  `db:"body" orm:"type:text"`
}

var cmpModels = []any{&CmpAuthor{}, &CmpBook{}, &CmpEdition{}, &CmpReview{}}

// TestCompareAfterAutoMigrateIsEmpty is the hard rule: right after
// AutoMigrate, Compare finds nothing to do, on every dialect.
func TestCompareAfterAutoMigrateIsEmpty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db, err := orm.New(tdb.SQL, tdb.DriverName)
		if err != nil {
			t.Fatal(err)
		}
		if err := orm.AutoMigrate(db, cmpModels...); err != nil {
			t.Fatal(err)
		}
		target, err := db.MetaData(cmpModels...)
		if err != nil {
			t.Fatal(err)
		}
		live, err := migration.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		diff, err := migration.Compare(target, live, migration.WithDialect(db.Dialect()))
		if err != nil {
			t.Fatal(err)
		}
		if !diff.Empty() {
			t.Errorf("Compare after AutoMigrate found differences:\n%s\nlive: %s", diff, js(live))
		}
		for _, h := range diff.Hints {
			t.Errorf("unexpected hint: %s", h)
		}

		// The comparison is not blind: changes to the target show up, and
		// only they.
		for _, m := range []struct {
			change func(t *schema.MetaData)
			want   map[string]string // by dialect; "" for every dialect
		}{
			{func(t *schema.MetaData) { t.Table("cmp_book").Column("title").Type.Size = 150 },
				map[string]string{"": "alter column cmp_book.title: type string(120) → string(150)"}},
			{func(t *schema.MetaData) {
				c := t.Table("cmp_book").Column("status")
				c.Type.Values = append(c.Type.Values, "deleted")
			}, map[string]string{"": "add enum values deleted to cmp_book.status"}},
			{func(t *schema.MetaData) { t.Table("cmp_book").Column("price").Default = cmpPtr("1") },
				map[string]string{"": "alter column cmp_book.price: default 0 → 1", "mysql": "alter column cmp_book.price: default 0.00 → 1"}},
			{func(t *schema.MetaData) { t.Table("cmp_book").ForeignKeys[2].OnDelete = schema.SetNull },
				map[string]string{"": "drop foreign key fk_book_editor on cmp_book\nadd foreign key fk_book_editor on cmp_book(editor_id) → cmp_author(id)"}},
			{func(t *schema.MetaData) { t.Table("cmp_author").Column("nick").Comment = "changed" },
				map[string]string{"": "alter column cmp_author.nick: comment", "sqlite": ""}},
			{func(t *schema.MetaData) { t.Table("cmp_book").Indexes[0].Columns[1].Desc = false },
				map[string]string{"": "drop index ix_book_pub_pages on cmp_book\ncreate index ix_book_pub_pages on cmp_book(published, popularity)"}},
		} {
			changed := target.Clone()
			m.change(changed)
			diff, err := migration.Compare(changed, live, migration.WithDialect(db.Dialect()))
			if err != nil {
				t.Fatal(err)
			}
			want, ok := m.want[tdb.Name]
			if !ok {
				want = m.want[""]
			}
			if got := strings.TrimSpace(diff.String()); got != want {
				t.Errorf("after a change:\n got %s\nwant %s", got, want)
			}
		}

		// And an empty live schema needs every table, in an order that
		// creates referenced tables first.
		diff, err = migration.Compare(target, &schema.MetaData{}, migration.WithDialect(db.Dialect()))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, op := range diff.Ops {
			got = append(got, op.String())
		}
		want := []string{"create table cmp_author", "create table cmp_book", "create table cmp_edition", "create table cmp_review"}
		if !cmpEqualStrings(got, want) {
			t.Errorf("ops from an empty schema:\n got %q\nwant %q", got, want)
		}
	})
}

func cmpEqualStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCompareAfterMigratingIsEmpty: model v1 → AutoMigrate → model v2 →
// migration.AutoMigrate → Compare finds nothing left, on every dialect.
func TestCompareAfterMigratingIsEmpty(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db, err := orm.New(tdb.SQL, tdb.DriverName)
		if err != nil {
			t.Fatal(err)
		}
		if err := orm.AutoMigrate(db, cmpModels...); err != nil {
			t.Fatal(err)
		}
		v2, err := db.MetaData(cmpModels...)
		if err != nil {
			t.Fatal(err)
		}
		book := v2.Table("cmp_book")
		book.Column("title").Type.Size = 200
		book.Column("status").Type.Values = append(book.Column("status").Type.Values, "deleted")
		book.Columns = append(book.Columns, &schema.Column{Name: "isbn", Type: schema.Type{Kind: schema.String, Size: 13}, Nullable: true})
		book.Indexes = append(book.Indexes, &schema.Index{Name: "ix_book_isbn", Columns: []schema.IndexColumn{{Name: "isbn", Desc: true}}})
		nick := v2.Table("cmp_author").Column("nick")
		nick.Name, nick.RenamedFrom = "nickname", "nick"
		v2.Table("cmp_review").Column("body").Nullable = true
		v2.Tables = append(v2.Tables, &schema.Table{
			Name: "cmp_tag",
			Columns: []*schema.Column{
				{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true},
				{Name: "book_id", Type: schema.Type{Kind: schema.BigInt}},
			},
			PrimaryKey:  &schema.PrimaryKey{Name: "pk_cmp_tag", Columns: []string{"id"}},
			ForeignKeys: []*schema.ForeignKey{{Name: "fk_tag_book", Columns: []string{"book_id"}, RefTable: "cmp_book", RefColumns: []string{"id"}, OnDelete: schema.Cascade}},
		})
		if err := migration.AutoMigrate(ctx, db, v2); err != nil {
			t.Fatal(err)
		}
		live, err := migration.Inspect(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		diff, err := migration.Compare(v2, live, migration.WithDialect(db.Dialect()))
		if err != nil {
			t.Fatal(err)
		}
		if !diff.Empty() {
			t.Errorf("Compare after migrating to v2:\n%s", diff)
		}
	})
}
