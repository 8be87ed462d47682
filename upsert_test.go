package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

// UpsertAccount has server defaults on the columns an upsert updates: a
// zero Active or Level must be written as zero, not as the default.
type UpsertAccount struct {
	ID     int64  `orm:"pk"`
	Email  string `orm:"size:50;unique"`
	Active bool   `orm:"default:true"`
	Level  int    `orm:"default:1"`
	Status string `orm:"size:10;default:'new'"`
}

// UpsertCode has a server default on its conflict column.
type UpsertCode struct {
	ID    int64  `orm:"pk"`
	Code  string `orm:"size:10;unique;default:'dflt'"`
	Level int    `orm:"default:1"`
}

// UpsertTag has no generated key: its key is its conflict column.
type UpsertTag struct {
	Name   string `orm:"pk;size:20"`
	Hits   int    `orm:"default:5"`
	Status string `orm:"size:10;default:'new'"`
}

func getAccount(t *testing.T, db orm.Handle, email string) UpsertAccount {
	t.Helper()
	got, err := orm.Query[UpsertAccount](db).Where("email = ?", email).One(context.Background())
	require.NoError(t, err, email)
	return *got
}

// Every column an upsert updates from the proposed row is written with
// the struct's value, zero or not, on the insert and the update path.
func TestUpsertWritesZeroValues(t *testing.T) {
	cases := []struct {
		name     string
		conflict func() *orm.Conflict
		// status: whether the update (and the insert) writes Status.
		status bool
	}{
		{"DoUpdate columns", func() *orm.Conflict { return orm.OnConflict("email").DoUpdate("active", "level") }, false},
		{"DoUpdate Go names", func() *orm.Conflict { return orm.OnConflict("Email").DoUpdate("Active", "Level") }, false},
		{"DoUpdate all", func() *orm.Conflict { return orm.OnConflict("email") }, true},
	}
	eachWriteDB(t, []any{&UpsertAccount{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := db.Exec(ctx, "DELETE FROM upsert_account")
				require.NoError(t, err)
				old := UpsertAccount{Email: "old@x", Active: true, Level: 3, Status: "kept"}
				require.NoError(t, db.Insert(ctx, &old))

				// Update path: the zero values replace the stored ones.
				v := UpsertAccount{Email: "old@x"}
				require.NoError(t, db.Upsert(ctx, &v, tc.conflict()))
				got := getAccount(t, db, "old@x")
				require.False(t, got.Active, "Active=false written")
				require.Equal(t, 0, got.Level, "Level=0 written")
				wantStatus := "kept"
				if tc.status {
					wantStatus = ""
				}
				require.Equal(t, wantStatus, got.Status)
				require.Equal(t, got, v, "the struct holds the row")

				// Insert path: the zero values are written too; a column
				// the update does not copy takes its server default.
				n := UpsertAccount{Email: "new@x"}
				require.NoError(t, db.Upsert(ctx, &n, tc.conflict()))
				got = getAccount(t, db, "new@x")
				require.False(t, got.Active)
				require.Equal(t, 0, got.Level)
				wantStatus = "new"
				if tc.status {
					wantStatus = ""
				}
				require.Equal(t, wantStatus, got.Status)
				require.NotZero(t, n.ID)
				require.Equal(t, got, n, "the struct holds the row")

				// Several rows, zero and not, new and existing, in one call.
				rows := []UpsertAccount{
					{Email: "old@x", Active: true, Level: 9},
					{Email: "new@x"}, // existing now, all zero
					{Email: "b@x", Active: true, Level: 4},
					{Email: "c@x"},
				}
				require.NoError(t, db.Upsert(ctx, rows, tc.conflict()))
				for _, r := range rows {
					got := getAccount(t, db, r.Email)
					require.Equal(t, r.Active, got.Active, r.Email)
					require.Equal(t, r.Level, got.Level, r.Email)
					require.Equal(t, got, r, "the struct holds the row: %s", r.Email)
				}
				require.EqualValues(t, 4, count[UpsertAccount](t, db))
			})
		}
	})
}

// A plain Insert still leaves a zero field with a server default to the
// database.
func TestUpsertInsertKeepsServerDefaults(t *testing.T) {
	eachWriteDB(t, []any{&UpsertAccount{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		v := UpsertAccount{Email: "a@x"}
		require.NoError(t, db.Insert(ctx, &v))
		got := getAccount(t, db, "a@x")
		require.True(t, got.Active)
		require.Equal(t, 1, got.Level)
		require.Equal(t, "new", got.Status)
	})
}

// A zero value in a conflict column is written (and conflicts) as zero,
// not as the column's default.
func TestUpsertZeroConflictColumn(t *testing.T) {
	eachWriteDB(t, []any{&UpsertCode{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a := UpsertCode{Level: 2}
		require.NoError(t, db.Upsert(ctx, &a, orm.OnConflict("code").DoUpdate("level")))
		b := UpsertCode{Level: 0}
		require.NoError(t, db.Upsert(ctx, &b, orm.OnConflict("code").DoUpdate("level")))
		all, err := orm.Query[UpsertCode](db).All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.Equal(t, "", all[0].Code)
		require.Equal(t, 0, all[0].Level)
		require.Equal(t, a.ID, b.ID, "the update path reports the existing key")
		require.Equal(t, all[0], b)

		// A row with the default's value is another row.
		c := UpsertCode{Code: "dflt", Level: 7}
		require.NoError(t, db.Upsert(ctx, &c, orm.OnConflict("code").DoUpdate("level")))
		require.EqualValues(t, 2, count[UpsertCode](t, db))
	})
}

// A zero autoincrement key is generated, whatever the conflict clause;
// naming it in DoUpdate while it is zero is an error.
func TestUpsertZeroAutoIncrementKey(t *testing.T) {
	eachWriteDB(t, []any{&UpsertCode{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a := UpsertCode{Code: "a"}
		require.NoError(t, db.Upsert(ctx, &a, nil))
		b := UpsertCode{Code: "b"}
		require.NoError(t, db.Upsert(ctx, &b, orm.OnConflict("id").DoUpdate("code", "level")))
		require.NotZero(t, a.ID)
		require.NotZero(t, b.ID)
		require.NotEqual(t, a.ID, b.ID)
		var got UpsertCode
		require.NoError(t, db.Get(ctx, &got, b.ID))
		require.Equal(t, "b", got.Code)
		require.Equal(t, 0, got.Level, "Level=0 written")

		err := db.Upsert(ctx, &UpsertCode{Code: "a"}, orm.OnConflict("code").DoUpdate("id"))
		require.ErrorContains(t, err, "upsert upsert_code")
		require.ErrorContains(t, err, "id")
		require.EqualValues(t, 2, count[UpsertCode](t, db))
	})
}

// What the struct holds after an upsert that inserts, updates, or does
// nothing on a conflict: the same on every database.
func TestUpsertStructAfterWrite(t *testing.T) {
	eachWriteDB(t, []any{&UpsertAccount{}, &UpsertTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		old := UpsertAccount{Email: "old@x", Active: true, Level: 3, Status: "kept"}
		require.NoError(t, db.Insert(ctx, &old))

		// Insert: the key and the server defaults of the columns left
		// to the database.
		ins := UpsertAccount{Email: "ins@x", Level: 2}
		require.NoError(t, db.Upsert(ctx, &ins, orm.OnConflict("email").DoUpdate("level")))
		require.NotZero(t, ins.ID)
		require.Equal(t, getAccount(t, db, "ins@x"), ins)
		require.True(t, ins.Active, "server default read back")
		require.Equal(t, "new", ins.Status, "server default read back")

		// Update: the existing row's key, and the row's values of the
		// columns the update does not write.
		upd := UpsertAccount{Email: "old@x", Level: 4}
		require.NoError(t, db.Upsert(ctx, &upd, orm.OnConflict("email").DoUpdate("level")))
		require.Equal(t, old.ID, upd.ID)
		require.Equal(t, getAccount(t, db, "old@x"), upd)
		require.Equal(t, "kept", upd.Status)

		// Unchanged row: the same.
		same := UpsertAccount{Email: "old@x", Level: 4}
		require.NoError(t, db.Upsert(ctx, &same, orm.OnConflict("email").DoUpdate("level")))
		require.Equal(t, upd, same)

		// DoNothing on a conflict: the struct is left as given.
		dn := UpsertAccount{Email: "old@x", Level: 8, Status: "mine"}
		require.NoError(t, db.Upsert(ctx, &dn, orm.OnConflict("email").DoNothing()))
		require.Equal(t, UpsertAccount{Email: "old@x", Level: 8, Status: "mine"}, dn)
		require.Equal(t, 4, getAccount(t, db, "old@x").Level)

		// DoNothing that inserts: as an insert.
		dni := UpsertAccount{Email: "dn@x", Level: 8}
		require.NoError(t, db.Upsert(ctx, &dni, orm.OnConflict("email").DoNothing()))
		require.NotZero(t, dni.ID)
		require.Equal(t, getAccount(t, db, "dn@x"), dni)

		// Several rows with DoNothing: each as alone.
		rows := []UpsertAccount{{Email: "old@x", Level: 1}, {Email: "dn2@x"}, {Email: "dn@x", Status: "x"}, {Email: "dn3@x", Level: 6}}
		require.NoError(t, db.Upsert(ctx, rows, orm.OnConflict("email").DoNothing()))
		require.Equal(t, UpsertAccount{Email: "old@x", Level: 1}, rows[0])
		require.Equal(t, UpsertAccount{Email: "dn@x", Status: "x"}, rows[2])
		require.Equal(t, getAccount(t, db, "dn2@x"), rows[1])
		require.Equal(t, getAccount(t, db, "dn3@x"), rows[3])

		// Several rows updating: keys and row values.
		rows = []UpsertAccount{{Email: "old@x", Level: 11}, {Email: "many@x", Level: 12}}
		require.NoError(t, db.Upsert(ctx, rows, orm.OnConflict("email").DoUpdate("level")))
		require.Equal(t, old.ID, rows[0].ID)
		for _, r := range rows {
			require.Equal(t, getAccount(t, db, r.Email), r)
		}

		// A key that is not generated: defaults read back on insert and
		// update.
		tag := UpsertTag{Name: "go"}
		require.NoError(t, db.Upsert(ctx, &tag, orm.OnConflict("name").DoUpdate("status")))
		var got UpsertTag
		require.NoError(t, db.Get(ctx, &got, "go"))
		require.Equal(t, UpsertTag{Name: "go", Hits: 5, Status: ""}, got)
		require.Equal(t, got, tag)
		_, err := db.Exec(ctx, "UPDATE upsert_tag SET hits = 9")
		require.NoError(t, err)
		tag2 := UpsertTag{Name: "go", Status: "s"}
		require.NoError(t, db.Upsert(ctx, &tag2, orm.OnConflict("name").DoUpdate("status")))
		require.Equal(t, UpsertTag{Name: "go", Hits: 9, Status: "s"}, tag2)
		tags := []UpsertTag{{Name: "go", Status: "t"}, {Name: "rust"}}
		require.NoError(t, db.Upsert(ctx, tags, orm.OnConflict("name").DoUpdate("status")))
		require.Equal(t, []UpsertTag{{Name: "go", Hits: 9, Status: "t"}, {Name: "rust", Hits: 5}}, tags)
	})
}

// A DoNothing upsert of rows with their keys set leaves the rows that
// conflicted as given, on every database; on MySQL and MariaDB it does
// not read back the server defaults of a row it inserted either (see
// Upsert).
func TestUpsertDoNothingKeyGiven(t *testing.T) {
	eachWriteDB(t, []any{&UpsertAccount{}, &UpsertTag{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		old := UpsertAccount{Email: "old@x", Active: true, Level: 3, Status: "kept"}
		require.NoError(t, db.Insert(ctx, &old))
		v := UpsertAccount{ID: old.ID, Email: "other@x"}
		require.NoError(t, db.Upsert(ctx, &v, orm.OnConflict("id").DoNothing()))
		require.Equal(t, UpsertAccount{ID: old.ID, Email: "other@x"}, v)
		require.Equal(t, old, getAccount(t, db, "old@x"))

		require.NoError(t, db.Insert(ctx, &UpsertTag{Name: "go", Hits: 9, Status: "s"}))
		tags := []UpsertTag{{Name: "go"}, {Name: "new"}}
		require.NoError(t, db.Upsert(ctx, tags, orm.OnConflict("name").DoNothing()))
		require.Equal(t, UpsertTag{Name: "go"}, tags[0])
		var got UpsertTag
		require.NoError(t, db.Get(ctx, &got, "new"))
		require.Equal(t, UpsertTag{Name: "new", Hits: 5, Status: "new"}, got)
		if db.Dialect().Name() == "mysql" {
			require.Equal(t, UpsertTag{Name: "new"}, tags[1], "not read back")
		} else {
			require.Equal(t, got, tags[1])
		}
	})
}
