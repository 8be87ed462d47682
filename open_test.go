package orm_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

type URLThing struct {
	ID   int64
	Name string `orm:"size:20"`
}

// urlFor turns a test database into the SQLAlchemy-style URL a user would
// write.
func urlFor(t *testing.T, tdb *dbtest.DB) string {
	switch tdb.Name {
	case "sqlite":
		return "sqlite:///" + filepath.Join(t.TempDir(), "url.db")
	case "postgres":
		return strings.Replace(tdb.DSN, "postgres://", "postgresql://", 1)
	case "mysql":
		cfg, err := gomysql.ParseDSN(tdb.DSN)
		require.NoError(t, err)
		return fmt.Sprintf("mysql://%s:%s@%s/%s", cfg.User, cfg.Passwd, cfg.Addr, cfg.DBName)
	}
	t.Fatalf("no URL for %s", tdb.Name)
	return ""
}

func TestOpenURL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		db, err := orm.OpenURL(urlFor(t, tdb), orm.WithMaxOpenConns(3))
		require.NoError(t, err)
		defer db.Close()
		require.Equal(t, tdb.Name, db.Dialect().Name())
		require.Equal(t, 3, db.DB().Stats().MaxOpenConnections)
		require.NoError(t, orm.AutoMigrate(db, &URLThing{}))
		require.NoError(t, db.Insert(ctx, &URLThing{Name: "x"}))
		n, err := orm.Query[URLThing](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
	})
}

func TestOpenURLMemorySharedByPool(t *testing.T) {
	ctx := context.Background()
	db, err := orm.OpenURL("sqlite://")
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, orm.AutoMigrate(db, &URLThing{}))
	// Hold one connection busy so the next statement needs another one:
	// it must see the same database.
	conn, err := db.DB().Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, db.Insert(ctx, &URLThing{Name: "shared"}))
	var n int
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM url_thing").Scan(&n))
	require.Equal(t, 1, n)

	other, err := orm.OpenURL("sqlite://")
	require.NoError(t, err)
	defer other.Close()
	err = other.Select(ctx, &n, "SELECT COUNT(*) FROM url_thing")
	require.Error(t, err, "a second sqlite:// URL must be a different database")
}

func TestOpenMemoryDSNSharedByPool(t *testing.T) {
	ctx := context.Background()
	db, err := orm.Open("sqlite3", ":memory:")
	require.NoError(t, err)
	defer db.Close()
	require.NoError(t, orm.AutoMigrate(db, &URLThing{}))
	conn, err := db.DB().Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, db.Insert(ctx, &URLThing{Name: "a"}))
	var n int
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM url_thing").Scan(&n))
	require.Equal(t, 1, n)
}

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		name, url, want string
	}{
		{"unknown scheme", "oracle://scott:tiger@localhost/db", `unknown URL scheme "oracle"`},
		{"not a URL", "just-a-path.db", "not a database URL"},
		{"password redacted", "oracle://scott:tiger@localhost/db", "oracle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orm.OpenURL(tc.url)
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.want)
			require.NotContains(t, err.Error(), "tiger")
			require.True(t, strings.HasPrefix(err.Error(), "orm: "), err.Error())
		})
	}
	_, err := orm.Open("nosuchdriver", "x")
	require.ErrorContains(t, err, `unknown driver "nosuchdriver"`)
	_, err = orm.OpenURL("sqlite:///" + filepath.Join(t.TempDir(), "missing-dir", "x.db"))
	require.Error(t, err, "opening a file in a missing directory must fail at Open, not later")
}

func TestNewAndWrap(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.db")
	sqlDB, err := sql.Open("sqlite3", "file:"+path+"?_foreign_keys=1")
	require.NoError(t, err)
	db, err := orm.New(sqlDB, "sqlite")
	require.NoError(t, err)
	require.NoError(t, orm.AutoMigrate(db, &URLThing{}))
	require.NoError(t, db.Insert(ctx, &URLThing{Name: "n"}))
	require.NoError(t, db.Close())

	x, err := sqlx.Open("sqlite3", "file:"+path)
	require.NoError(t, err)
	db2, err := orm.Wrap(x)
	require.NoError(t, err)
	defer db2.Close()
	var got URLThing
	require.NoError(t, db2.Get(ctx, &got, 1))
	require.Equal(t, "n", got.Name)
	require.Same(t, x, db2.SQLX())
	_ = os.Remove(path)
}
