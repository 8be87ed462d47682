package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// openSQLiteMemory returns a DB on a private in-memory SQLite database,
// for tests of the mapping that need no server.
func openSQLiteMemory(t testing.TB) *orm.DB {
	t.Helper()
	db, err := orm.OpenURL("sqlite://")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// tableOf maps one model and returns its table.
func tableOf(t testing.TB, db *orm.DB, model any) *schema.Table {
	t.Helper()
	md, err := db.MetaData(model)
	require.NoError(t, err)
	return md.Tables[0]
}

func TestToSnake(t *testing.T) {
	for in, want := range map[string]string{
		"DepartmentEmployee": "department_employee",
		"UserID":             "user_id",
		"HTTPServer":         "http_server",
		"ID":                 "id",
		"Field2":             "field2",
		"APIKey":             "api_key",
		"MyHTTPServerURL":    "my_http_server_url",
		"already_snake":      "already_snake",
		"A":                  "a",
		"":                   "",
		"ÉtéID":              "été_id",
		"UserIDs":            "user_ids",
		"URLsByHost":         "urls_by_host",
		"IDsTotal":           "ids_total",
		"HTTPServers":        "http_servers",
		"Status":             "status",
	} {
		assert.Equal(t, want, orm.ToSnake(in), "ToSnake(%q)", in)
	}
}

type NamedByMethod struct {
	ID   int64
	Name string
}

func (NamedByMethod) TableName() string { return "custom_names" }

type NamedByPtrMethod struct{ ID int64 }

func (*NamedByPtrMethod) TableName() string { return "ptr_names" }

type NamedColumns struct {
	ID        int64
	FirstName string `db:"given_name"`
	LastName  string `db:"surname,omitempty"`
	HTTPPort  int32
	Other     string `orm:"column:other_col"`
}

func TestNaming(t *testing.T) {
	db := openSQLiteMemory(t)
	assert.Equal(t, "custom_names", tableOf(t, db, &NamedByMethod{}).Name)
	assert.Equal(t, "ptr_names", tableOf(t, db, NamedByPtrMethod{}).Name)
	md, err := db.MetaData(&Department{}, &Employee{}, &DepartmentEmployee{})
	require.NoError(t, err)
	assert.Equal(t, "department_employee", md.Tables[2].Name)
	tbl := tableOf(t, db, &NamedColumns{})
	assert.Equal(t, "named_columns", tbl.Name)
	assert.Equal(t, []string{"id", "given_name", "surname", "http_port", "other_col"}, tbl.ColumnNames())
}

type Nullability struct {
	ID       int64
	Value    string
	Pointer  *string
	NullStr  sql.NullString
	NullTime sql.Null[time.Time]
	Forced   string  `orm:"null"`
	NotNull  *string `orm:"not null"`
	Bytes    []byte
	Doc      map[string]int  `orm:"json"`
	DocValue struct{ A int } `orm:"json"`
}

func TestNullability(t *testing.T) {
	tbl := tableOf(t, openSQLiteMemory(t), &Nullability{})
	want := map[string]bool{
		"id": false, "value": false, "pointer": true, "null_str": true, "null_time": true,
		"forced": true, "not_null": false, "bytes": true, "doc": true, "doc_value": false,
	}
	for _, c := range tbl.Columns {
		assert.Equal(t, want[c.Name], c.Nullable, "column %s nullable", c.Name)
	}
	assert.Equal(t, schema.DateTime, tbl.Column("null_time").Type.Kind)
	assert.Equal(t, schema.String, tbl.Column("null_str").Type.Kind)
}

type ImplicitKey struct {
	ID   int
	Name string
}

type NoAutoKey struct {
	ID   int64 `orm:"pk;autoincrement:false"`
	Name string
}

type StringKey struct {
	Code string `orm:"pk;size:10"`
}

type DefaultKey struct {
	ID int64 `orm:"pk;default:42"`
}

type NoKey struct {
	Name string
}

func TestPrimaryKeys(t *testing.T) {
	db := openSQLiteMemory(t)
	tbl := tableOf(t, db, &ImplicitKey{})
	require.NotNil(t, tbl.PrimaryKey)
	assert.Equal(t, []string{"id"}, tbl.PrimaryKey.Columns)
	assert.Equal(t, "pk_implicit_key", tbl.PrimaryKey.Name)
	assert.True(t, tbl.Column("id").AutoIncrement, "an integer ID is an autoincrement key")
	assert.False(t, tableOf(t, db, &NoAutoKey{}).Column("id").AutoIncrement)
	assert.False(t, tableOf(t, db, &StringKey{}).Column("code").AutoIncrement)
	assert.False(t, tableOf(t, db, &DefaultKey{}).Column("id").AutoIncrement, "a server default excludes autoincrement")
	assert.Nil(t, tableOf(t, db, &NoKey{}).PrimaryKey)
}

type IndexOrder struct {
	ID int64
	A  int `orm:"index:ix_abc,priority:30"`
	B  int `orm:"index:ix_abc,priority:10"`
	C  int `orm:"index:ix_abc,priority:20;index:ix_c_desc,desc"`
	D  int `orm:"index:ix_fieldorder"`
	E  int `orm:"index:ix_fieldorder"`
	F  int `orm:"index:ix_mixed,priority:1;unique:uq_ef"`
	G  int `orm:"index:ix_mixed;unique:uq_ef"`
}

func TestIndexOrder(t *testing.T) {
	tbl := tableOf(t, openSQLiteMemory(t), &IndexOrder{})
	got := map[string][]schema.IndexColumn{}
	for _, x := range tbl.Indexes {
		got[x.Name] = x.Columns
	}
	c := func(name string, desc bool) schema.IndexColumn { return schema.IndexColumn{Name: name, Desc: desc} }
	assert.Equal(t, []schema.IndexColumn{c("b", false), c("c", false), c("a", false)}, got["ix_abc"])
	assert.Equal(t, []schema.IndexColumn{c("c", true)}, got["ix_c_desc"])
	assert.Equal(t, []schema.IndexColumn{c("d", false), c("e", false)}, got["ix_fieldorder"])
	// An explicit priority sorts before fields without one.
	assert.Equal(t, []schema.IndexColumn{c("f", false), c("g", false)}, got["ix_mixed"])
	require.Len(t, tbl.Uniques, 1)
	assert.Equal(t, []string{"f", "g"}, tbl.Uniques[0].Columns)
}

type AVeryLongTableNameThatGoesOnAndOnForever struct {
	ID                                         int64
	AnEvenLongerColumnNameThatNoDatabaseKeeps1 int64 `orm:"index;unique;check:an_even_longer_column_name_that_no_database_keeps1 > 0"`
	AnEvenLongerColumnNameThatNoDatabaseKeeps2 int64 `orm:"index"`
}

func TestConstraintNameTruncation(t *testing.T) {
	tbl := tableOf(t, openSQLiteMemory(t), &AVeryLongTableNameThatGoesOnAndOnForever{})
	names := []string{tbl.PrimaryKey.Name, tbl.Uniques[0].Name, tbl.Checks[0].Name}
	for _, x := range tbl.Indexes {
		names = append(names, x.Name)
	}
	seen := map[string]bool{}
	for _, n := range names {
		assert.LessOrEqual(t, len(n), 63, "name %q", n)
		assert.False(t, seen[n], "name %q generated twice", n)
		seen[n] = true
	}
	// Two long names that share their first 63 characters still differ.
	assert.NotEqual(t, tbl.Indexes[0].Name, tbl.Indexes[1].Name)
	assert.True(t, strings.HasPrefix(tbl.Indexes[0].Name, "ix_a_very_long_table_name"))

	// The databases keep the generated names as they are.
	eachDB(t, []any{&AVeryLongTableNameThatGoesOnAndOnForever{}}, func(t *testing.T, db *orm.DB) {
		live, err := migration.Inspect(context.Background(), db)
		require.NoError(t, err)
		got := live.Table(tbl.Name)
		require.NotNil(t, got)
		var gotNames []string
		for _, x := range got.Indexes {
			gotNames = append(gotNames, x.Name)
		}
		for _, u := range got.Uniques {
			gotNames = append(gotNames, u.Name)
		}
		for _, x := range tbl.Indexes {
			assert.Contains(t, gotNames, x.Name)
		}
		assert.Contains(t, gotNames, tbl.Uniques[0].Name)
		require.Len(t, got.Checks, 1)
		assert.Equal(t, tbl.Checks[0].Name, got.Checks[0].Name)
		// Idempotent: the second run finds every table.
		require.NoError(t, orm.AutoMigrate(db, &AVeryLongTableNameThatGoesOnAndOnForever{}))
	})
}

type ALongTableNameThatIsLongerThanSixtyThreeBytesWhichNoDatabaseKeeps struct {
	ID int64
}

type BadLongColumn struct {
	ID                                                                  int64
	AColumnNameThatIsLongerThanSixtyThreeBytesWhichTheDatabasesTruncate int
}

type BadLongIndexName struct {
	ID int64
	A  int `orm:"index:an_index_name_that_is_longer_than_sixty_three_bytes_which_is_too_long"`
}

// Bad models: each must fail with ErrInvalidModel, naming the struct, the
// field and the tag.

type BadUnknownKey struct {
	ID   int64
	Name string `orm:"sise:10"`
}
type BadSize struct {
	ID   int64
	Name string `orm:"size:abc"`
}
type BadSizeOnInt struct {
	ID int64
	N  int `orm:"size:10"`
}
type BadPrecision struct {
	ID    int64
	Price float64 `orm:"precision:x"`
}
type BadScale struct {
	ID    int64
	Price float64 `orm:"precision:5;scale:9"`
}
type BadDecimalType struct {
	ID    int64
	Price float64 `orm:"type:decimal(2,5)"`
}
type BadDuplicateColumn struct {
	ID    int64
	Name  string `db:"name"`
	Other string `db:"name"`
}
type BadDuplicateEmbedded struct {
	ID int64
	SeedAddress
	City string
}
type BadTwoAutoincrements struct {
	ID      int64 `orm:"pk;autoincrement"`
	Counter int64 `orm:"autoincrement"`
}
type BadJSONKey struct {
	Doc map[string]any `orm:"pk;json"`
}
type BadFloatKey struct {
	X float64 `orm:"pk"`
}
type BadBoolKey struct {
	B bool `orm:"pk"`
}
type BadAutoString struct {
	Code string `orm:"pk;autoincrement"`
}
type BadSetNull struct {
	ID     int64
	UserID int64 `orm:"fk:user.id;on_delete:set null"`
}
type BadEnumInt struct {
	ID   int64
	Kind int `orm:"enum:a,b"`
}
type BadAction struct {
	ID     int64
	UserID int64 `orm:"fk:user.id;on_delete:explode"`
}
type BadFKTarget struct {
	ID     int64
	UserID int64 `orm:"fk:user"`
}
type BadPriority struct {
	ID int64
	A  int `orm:"index:ix_a,priority:high"`
}
type BadDefaultFn struct {
	ID int64
	At time.Time `orm:"default_fn:tomorrow"`
}
type BadDefaultFnType struct {
	ID int64
	N  int `orm:"default_fn:now"`
}
type BadTableOption struct {
	_  struct{} `orm:"engine:InnoDB"`
	ID int64
}
type BadEmbeddedOption struct {
	ID   int64
	Home SeedAddress `orm:"embedded;index"`
}
type BadUnexported struct {
	ID int64
	//lint:ignore U1000 the tag on an unexported field is the error
	name string `orm:"size:10"`
}
type BadType struct {
	ID int64
	Ch chan int
}
type BadQuote struct {
	ID   int64
	Name string `orm:"default:'unterminated"`
}
type BadRelationOption struct {
	ID   int64
	Name string `orm:"foreign_key:UserID"`
}
type BadPKName struct {
	A int64 `orm:"pk:pk_one"`
	B int64 `orm:"pk:pk_two"`
}
type BadNullableKey struct {
	ID *int64 `orm:"pk"`
}
type BadSoftDelete struct {
	ID      int64
	Deleted bool `orm:"soft_delete"`
}
type BadDatetimePrecision struct {
	ID int64
	At time.Time `orm:"precision:9"`
}

func TestBadModels(t *testing.T) {
	db := openSQLiteMemory(t)
	for _, c := range []struct {
		model any
		field string // "" for table-level errors
		tag   string
	}{
		{&BadUnknownKey{}, "Name", "sise"},
		{&BadSize{}, "Name", "size:abc"},
		{&BadSizeOnInt{}, "N", "size:10"},
		{&BadPrecision{}, "Price", "precision:x"},
		{&BadScale{}, "Price", "precision:5;scale:9"},
		{&BadDecimalType{}, "Price", "type:decimal(2,5)"},
		{&BadDuplicateColumn{}, "Other", `db:"name"`},
		{&BadDuplicateEmbedded{}, "City", ""},
		{&BadTwoAutoincrements{}, "Counter", "autoincrement"},
		{&BadJSONKey{}, "Doc", "pk"},
		{&BadFloatKey{}, "X", "pk"},
		{&BadBoolKey{}, "B", "pk"},
		{&BadAutoString{}, "Code", "autoincrement"},
		{&BadSetNull{}, "UserID", "on_delete:set null"},
		{&BadEnumInt{}, "Kind", "enum"},
		{&BadAction{}, "UserID", "on_delete:explode"},
		{&BadFKTarget{}, "UserID", "fk:user"},
		{&BadPriority{}, "A", "index:ix_a,priority:high"},
		{&BadDefaultFn{}, "At", "default_fn:tomorrow"},
		{&BadDefaultFnType{}, "N", "default_fn"},
		{&BadTableOption{}, "_", "engine"},
		{&BadEmbeddedOption{}, "Home", "embedded;index"},
		{&BadUnexported{}, "name", "size:10"},
		{&BadType{}, "Ch", ""},
		{&BadQuote{}, "Name", "default:'unterminated"},
		{&BadRelationOption{}, "Name", "foreign_key"},
		{&BadPKName{}, "B", "pk:pk_two"},
		{&BadNullableKey{}, "ID", "pk"},
		{&BadSoftDelete{}, "Deleted", "soft_delete"},
		{&BadDatetimePrecision{}, "At", "precision:9"},
		{&BadNameClash{}, "B", "index:same"},
		{&ALongTableNameThatIsLongerThanSixtyThreeBytesWhichNoDatabaseKeeps{}, "", ""},
		{&BadLongColumn{}, "AColumnNameThatIsLongerThanSixtyThreeBytesWhichTheDatabasesTruncate", ""},
		{&BadLongIndexName{}, "A", "index:an_index_name"},
		{&BadCheckClash{}, "", "check:ck_x"},
	} {
		name := strings.TrimPrefix(strings.TrimPrefix(typeName(c.model), "*"), "orm_test.")
		t.Run(name, func(t *testing.T) {
			err := db.Register(c.model)
			require.Error(t, err)
			assert.ErrorIs(t, err, orm.ErrInvalidModel)
			var me *orm.ModelError
			require.True(t, errors.As(err, &me), "%T is not a *ModelError", err)
			assert.Equal(t, "orm_test."+name, me.Struct)
			assert.Equal(t, c.field, me.Field)
			msg := err.Error()
			assert.Contains(t, msg, name)
			if c.field != "" {
				assert.Contains(t, msg, "field "+c.field)
			}
			if c.tag != "" {
				assert.Contains(t, me.Tag, c.tag)
				assert.Contains(t, msg, c.tag)
			}
			t.Log(msg)
			// The error is cached: mapping again reports it again.
			assert.ErrorIs(t, db.Register(c.model), orm.ErrInvalidModel)
		})
	}
}

func typeName(v any) string { return strings.TrimPrefix(reflectTypeString(v), "*") }

// Foreign keys to tables or columns that are not registered.

type FKUnknownTable struct {
	ID    int64
	Owner int64 `orm:"fk:nosuch.id"`
}
type FKUnknownColumn struct {
	ID     int64
	UserID int64 `orm:"fk:user.nosuch"`
}
type FKWrongType struct {
	ID    int64
	Email int64 `orm:"fk:user.email"`
}

func TestBadForeignKeys(t *testing.T) {
	db := openSQLiteMemory(t)
	for _, c := range []struct {
		models []any
		field  string
		tag    string
		msg    string
	}{
		{[]any{&FKUnknownTable{}}, "Owner", "fk:nosuch", `table "nosuch"`},
		{[]any{&User{}, &FKUnknownColumn{}}, "UserID", "fk:user.nosuch", "user.nosuch"},
		{[]any{&User{}, &FKWrongType{}}, "Email", "fk:user.email", "does not match"},
	} {
		err := db.Register(c.models...)
		require.Error(t, err)
		assert.ErrorIs(t, err, orm.ErrInvalidModel)
		var me *orm.ModelError
		require.True(t, errors.As(err, &me))
		assert.Equal(t, c.field, me.Field)
		assert.Equal(t, c.tag, me.Tag)
		assert.Contains(t, err.Error(), c.msg)
		assert.Contains(t, err.Error(), "field "+c.field)
	}
}

// TestMapperConcurrent maps the same types from 16 goroutines at once
// (run with -race).
func TestMapperConcurrent(t *testing.T) {
	db := openSQLiteMemory(t)
	const n = 16
	results := make([]*schema.MetaData, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = db.MetaData(seedModels()...)
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, results[0], results[i])
	}
	// Results are copies: changing one does not change the cache.
	results[0].Tables[0].Columns[0].Name = "changed"
	md, err := db.MetaData(seedModels()...)
	require.NoError(t, err)
	assert.Equal(t, "id", md.Tables[0].Columns[0].Name)
}

func reflectTypeString(v any) string { return reflect.TypeOf(v).String() }

type BadNameClash struct {
	ID int64
	A  int `orm:"unique:same"`
	B  int `orm:"index:same"`
}

type BadCheckClash struct {
	_  struct{} `orm:"check:ck_x:a > 0;check:ck_x:a < 10"`
	ID int64
	A  int
}
