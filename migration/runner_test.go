package migration_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

func rvCol(name string, k schema.Kind, size int, nullable bool) *schema.Column {
	return &schema.Column{Name: name, Type: schema.Type{Kind: k, Size: size}, Nullable: nullable}
}

// history builds three revisions: create rv_user, add rv_user.email with
// an index, create rv_address referencing rv_user.
func history(t *testing.T) *migration.Registry {
	t.Helper()
	user := &schema.Table{
		Name:       "rv_user",
		Columns:    []*schema.Column{{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true}, rvCol("name", schema.String, 50, false)},
		PrimaryKey: &schema.PrimaryKey{Name: "pk_rv_user", Columns: []string{"id"}},
	}
	address := &schema.Table{
		Name:        "rv_address",
		Columns:     []*schema.Column{{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true}, {Name: "user_id", Type: schema.Type{Kind: schema.BigInt}}, rvCol("street", schema.String, 100, true)},
		PrimaryKey:  &schema.PrimaryKey{Name: "pk_rv_address", Columns: []string{"id"}},
		ForeignKeys: []*schema.ForeignKey{{Name: "fk_rv_address_user", Columns: []string{"user_id"}, RefTable: "rv_user", RefColumns: []string{"id"}, OnDelete: schema.Cascade}},
		Indexes:     []*schema.Index{{Name: "ix_rv_address_user_id", Columns: []schema.IndexColumn{{Name: "user_id"}}}},
	}
	ups := [][]migration.Op{
		{&migration.CreateTable{Table: user}},
		{
			&migration.AddColumn{Table: "rv_user", Column: rvCol("email", schema.String, 255, true)},
			&migration.CreateIndex{Table: "rv_user", Index: &schema.Index{Name: "uix_rv_user_email", Unique: true, Columns: []schema.IndexColumn{{Name: "email"}}}},
		},
		{&migration.CreateTable{Table: address}},
	}
	reg := &migration.Registry{}
	parent := ""
	for i, up := range ups {
		down, err := migration.Reverse(up)
		require.NoError(t, err)
		id := []string{"aaa111", "bbb222", "ccc333"}[i]
		require.NoError(t, reg.Add(&migration.Revision{ID: id, Parent: parent, Message: "step " + id, Upgrade: up, Downgrade: down}))
		parent = id
	}
	return reg
}

func revIDs(steps []migration.Step) []string {
	var out []string
	for _, s := range steps {
		id := s.Revision.ID
		if s.Down {
			id = "-" + id
		}
		out = append(out, id)
	}
	return out
}

func TestUpgradeDowngrade(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(tdb.Dialect, tdb.SQL)
		reg := history(t)

		cur, err := migration.Current(ctx, conn)
		require.NoError(t, err)
		require.Equal(t, "", cur, "a new database is at the base")

		steps, err := migration.Upgrade(ctx, conn, reg, "+1")
		require.NoError(t, err)
		require.Equal(t, []string{"aaa111"}, revIDs(steps))
		steps, err = migration.Upgrade(ctx, conn, reg, "head")
		require.NoError(t, err)
		require.Equal(t, []string{"bbb222", "ccc333"}, revIDs(steps))
		cur, err = migration.Current(ctx, conn)
		require.NoError(t, err)
		require.Equal(t, "ccc333", cur)

		steps, err = migration.Upgrade(ctx, conn, reg, "head")
		require.NoError(t, err)
		require.Empty(t, steps, "already at head")

		live, err := migration.Inspect(ctx, conn)
		require.NoError(t, err)
		require.NotNil(t, live.Table("rv_address"))
		require.NotNil(t, live.Table("rv_user").Column("email"))
		require.Nil(t, live.Table(migration.VersionTable), "the version table is never reported")

		q := func(s string) string { return strings.ReplaceAll(s, "?", tdb.Dialect.Placeholder(1)) }
		_, err = tdb.SQL.ExecContext(ctx, q("INSERT INTO rv_user (name, email) VALUES (?, 'a@x')"), "ann")
		require.NoError(t, err)

		_, err = migration.Upgrade(ctx, conn, reg, "aaa111")
		require.True(t, errors.Is(err, migration.ErrWrongDirection), "%v", err)

		steps, err = migration.Downgrade(ctx, conn, reg, "-1")
		require.NoError(t, err)
		require.Equal(t, []string{"-ccc333"}, revIDs(steps))
		live, err = migration.Inspect(ctx, conn)
		require.NoError(t, err)
		require.Nil(t, live.Table("rv_address"))
		var n int
		require.NoError(t, tdb.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM rv_user").Scan(&n))
		require.Equal(t, 1, n, "downgrading one revision keeps the other tables' rows")

		steps, err = migration.Downgrade(ctx, conn, reg, "base")
		require.NoError(t, err)
		require.Equal(t, []string{"-bbb222", "-aaa111"}, revIDs(steps))
		cur, err = migration.Current(ctx, conn)
		require.NoError(t, err)
		require.Equal(t, "", cur)
		live, err = migration.Inspect(ctx, conn)
		require.NoError(t, err)
		require.Empty(t, live.Tables)

		// Stamp records a revision without running it.
		require.NoError(t, migration.Stamp(ctx, conn, reg, "bbb"))
		cur, err = migration.Current(ctx, conn)
		require.NoError(t, err)
		require.Equal(t, "bbb222", cur)
	})
}

func TestUpgradeSQLOffline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(tdb.Dialect, tdb.SQL)
		steps, err := migration.UpgradeSQL(ctx, conn, history(t), "base", "head")
		require.NoError(t, err)
		require.Equal(t, []string{"aaa111", "bbb222", "ccc333"}, revIDs(steps))
		joined := strings.Join(steps[2].SQL, "\n")
		require.Contains(t, joined, "CREATE TABLE")
		require.Contains(t, joined, "rv_address")
		require.Contains(t, joined, migration.VersionTable)
		// Nothing ran.
		live, err := migration.Inspect(ctx, conn)
		require.NoError(t, err)
		require.Empty(t, live.Tables)

		down, err := migration.DowngradeSQL(ctx, conn, history(t), "head", "base")
		require.NoError(t, err)
		require.Equal(t, []string{"-ccc333", "-bbb222", "-aaa111"}, revIDs(down))
		require.Contains(t, strings.Join(down[0].SQL, "\n"), "DROP TABLE")
	})
}
