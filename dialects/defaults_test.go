package dialects_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/dialects/postgres"
	"github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/schema"
)

// defaultsTables: a table whose only column is an autoincrement key, one
// with a key and a column with a server default, and one without a
// generated key whose columns all have defaults.
func defaultsTables() []*schema.Table {
	one := "1"
	x := "'x'"
	return []*schema.Table{
		{
			Name:       "only_key",
			Columns:    []*schema.Column{{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true}},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		},
		{
			Name: "key_and_default",
			Columns: []*schema.Column{
				{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true},
				{Name: "n", Type: schema.Type{Kind: schema.Integer}, Default: &one},
			},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		},
		{
			Name: "no_key",
			Columns: []*schema.Column{
				{Name: "n", Type: schema.Type{Kind: schema.Integer}, Default: &one},
				{Name: "s", Type: schema.Type{Kind: schema.String, Size: 5}, Default: &x},
			},
		},
	}
}

func TestInsertDefaultsSQL(t *testing.T) {
	pg, my, sq := postgres.Dialect{}, mysql.Dialect{}, sqlite.Dialect{}
	tables := defaultsTables()
	onlyKey, noKey := tables[0], tables[2]
	for _, tc := range []struct {
		d     dialects.Dialect
		t     *schema.Table
		nrows int
		want  string // "" when it cannot
	}{
		{pg, onlyKey, 1, ` DEFAULT VALUES`},
		{pg, onlyKey, 3, ` ("id") VALUES (DEFAULT), (DEFAULT), (DEFAULT)`},
		{pg, noKey, 2, ` ("n") VALUES (DEFAULT), (DEFAULT)`},
		{sq, onlyKey, 1, ` ("id") VALUES (NULL)`},
		{sq, onlyKey, 2, ` ("id") VALUES (NULL), (NULL)`},
		{sq, noKey, 1, ` DEFAULT VALUES`},
		{sq, noKey, 2, ``},
		{my, onlyKey, 1, ` () VALUES ()`},
		{my, noKey, 3, ` () VALUES (), (), ()`},
		{my, noKey, 0, ``},
	} {
		var b strings.Builder
		ok := dialects.InsertDefaults(tc.d, &b, tc.t, tc.nrows)
		assert.Equal(t, tc.want != "", ok, "%s %s %d", tc.d.Name(), tc.t.Name, tc.nrows)
		assert.Equal(t, tc.want, b.String(), "%s %s %d", tc.d.Name(), tc.t.Name, tc.nrows)
	}
}

// TestInsertDefaultsOnDatabases runs the all-defaults INSERTs on each
// database, with RETURNING where the dialect has it and with an upsert
// clause.
func TestInsertDefaultsOnDatabases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		d := db.Dialect
		for _, tbl := range defaultsTables() {
			for _, s := range d.CreateTable(tbl, nil, false) {
				_, err := db.SQL.ExecContext(ctx, s)
				require.NoError(t, err, s)
			}
		}
		count := func(table string) (n int) {
			t.Helper()
			require.NoError(t, db.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+d.Quote(table)).Scan(&n))
			return n
		}
		for _, tbl := range defaultsTables() {
			want := 0
			for _, nrows := range []int{1, 3} {
				for _, upsert := range []bool{false, true} {
					var b strings.Builder
					b.WriteString("INSERT INTO " + d.Quote(tbl.Name))
					if !dialects.InsertDefaults(d, &b, tbl, nrows) {
						assert.True(t, nrows > 1 && tbl.Name == "no_key" && d.Name() == "sqlite", "%s %d rows", tbl.Name, nrows)
						continue
					}
					if upsert && tbl.PrimaryKey != nil {
						d.Upsert(&b, tbl, nil, nil)
					}
					var returning []string
					if tbl.PrimaryKey != nil {
						returning = tbl.PrimaryKey.Columns
					}
					query := b.String()
					if d.InsertReturning(&b, returning) && len(returning) > 0 {
						query = b.String()
						rows, err := db.SQL.QueryContext(ctx, query)
						require.NoError(t, err, query)
						var ids []int64
						for rows.Next() {
							var id int64
							require.NoError(t, rows.Scan(&id))
							ids = append(ids, id)
						}
						require.NoError(t, rows.Err())
						require.NoError(t, rows.Close())
						assert.Len(t, ids, nrows, query)
					} else {
						res, err := db.SQL.ExecContext(ctx, query)
						require.NoError(t, err, query)
						n, err := res.RowsAffected()
						require.NoError(t, err)
						assert.EqualValues(t, nrows, n, query)
					}
					want += nrows
				}
			}
			assert.Equal(t, want, count(tbl.Name), tbl.Name)
		}
		var n int
		var s string
		require.NoError(t, db.SQL.QueryRowContext(ctx, "SELECT MIN(n), MIN(s) FROM "+d.Quote("no_key")).Scan(&n, &s))
		assert.Equal(t, 1, n)
		assert.Equal(t, "x", s)
		require.NoError(t, db.SQL.QueryRowContext(ctx, "SELECT MIN(n) FROM "+d.Quote("key_and_default")).Scan(&n))
		assert.Equal(t, 1, n)
	})
}
