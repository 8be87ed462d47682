package sqlite_test

import (
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/schema"
)

func TestBasics(t *testing.T) {
	d := sqlite.Dialect{}
	assert.Equal(t, `"a""b"`, d.Quote(`a"b`))
	assert.Equal(t, "?", d.Placeholder(3))
	assert.Equal(t, 32766, d.MaxParams())
	assert.False(t, d.Features().Has(dialects.AlterColumn))
	var b strings.Builder
	require.True(t, d.InsertReturning(&b, []string{"id", "x"}))
	assert.Equal(t, ` RETURNING "id", "x"`, b.String())
	b.Reset()
	tbl := &schema.Table{Name: "t", PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	d.Upsert(&b, tbl, nil, nil)
	assert.Equal(t, ` ON CONFLICT ("id") DO NOTHING`, b.String())
	_, err := d.AddForeignKey(tbl, &schema.ForeignKey{Name: "fk"})
	assert.ErrorIs(t, err, sqlite.ErrAddForeignKey)
	got, err := dialects.ForDriver("sqlite3")
	require.NoError(t, err)
	assert.Equal(t, "sqlite", got.Name())
}

var memRE = regexp.MustCompile(`^file:/tagorm_mem\d+\?vfs=memdb&_foreign_keys=1&_busy_timeout=5000&_txlock=immediate$`)

func TestParseURL(t *testing.T) {
	for in, want := range map[string]string{
		"sqlite:///foo.db":                    "file:foo.db?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate",
		"sqlite3:///dir/foo.db":               "file:dir/foo.db?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate",
		"sqlite:////abs/path.db":              "file:/abs/path.db?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate",
		"sqlite:///foo.db?_journal_mode=WAL":  "file:foo.db?_journal_mode=WAL&_foreign_keys=1&_busy_timeout=5000&_txlock=immediate",
		"sqlite:///foo.db?_fk=0&_timeout=100": "file:foo.db?_fk=0&_timeout=100&_txlock=immediate",
		"sqlite:///a%3Fb.db":                  "file:a%3fb.db?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate",
		"sqlite:///file:/shared?vfs=memdb":    "file:/shared?vfs=memdb&_foreign_keys=1&_busy_timeout=5000&_txlock=immediate",
	} {
		d, dsn, err := dialects.ForURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, "sqlite", d.Name())
		assert.Equal(t, want, dsn, in)
	}
	for _, in := range []string{"sqlite://", "sqlite:///:memory:"} {
		_, dsn, err := dialects.ForURL(in)
		require.NoError(t, err)
		assert.Regexp(t, memRE, dsn, in)
	}
	_, a, _ := dialects.ForURL("sqlite://")
	_, b, _ := dialects.ForURL("sqlite://")
	assert.NotEqual(t, a, b, "each in-memory URL is a new database")

	_, err := sqlite.Dialect{}.ParseURL(&url.URL{Scheme: "sqlite", User: url.UserPassword("u", "p"), Path: "/x.db"})
	assert.Error(t, err)
}

func TestDSN(t *testing.T) {
	assert.Equal(t, "file:app.db?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate", sqlite.DSN("app.db"))
	assert.Equal(t, "file:x.db?mode=ro&_foreign_keys=1&_busy_timeout=5000&_txlock=immediate", sqlite.DSN("file:x.db?mode=ro"))
	assert.Equal(t, "file:x.db?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate", sqlite.DSN("file:x.db"))
	assert.Regexp(t, memRE, sqlite.DSN(""))
	assert.Regexp(t, memRE, sqlite.DSN(":memory:"))
}

// Concurrent read-then-write transactions on an in-memory database take
// turns: the memdb VFS's locks wait for the busy timeout, where a shared
// cache's table locks failed at once with "database table is locked".
func TestMemoryDSNConcurrentTransactions(t *testing.T) {
	for _, dsn := range []string{sqlite.DSN(""), sqlite.DSN(":memory:")} {
		db, err := sql.Open("sqlite3", dsn)
		require.NoError(t, err)
		defer db.Close()
		db.SetMaxOpenConns(8)
		ctx := t.Context()
		_, err = db.ExecContext(ctx, "CREATE TABLE counter (n integer NOT NULL); INSERT INTO counter VALUES (0)")
		require.NoError(t, err)
		const workers, rounds = 8, 20
		errs := make(chan error, workers)
		for range workers {
			go func() {
				for range rounds {
					err := func() error {
						tx, err := db.BeginTx(ctx, nil)
						if err != nil {
							return err
						}
						defer tx.Rollback() //nolint:errcheck
						var n int
						if err := tx.QueryRowContext(ctx, "SELECT n FROM counter").Scan(&n); err != nil {
							return err
						}
						if _, err := tx.ExecContext(ctx, "UPDATE counter SET n = ?", n+1); err != nil {
							return err
						}
						return tx.Commit()
					}()
					if err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range workers {
			require.NoError(t, <-errs, dsn)
		}
		var n int
		require.NoError(t, db.QueryRowContext(ctx, "SELECT n FROM counter").Scan(&n))
		assert.Equal(t, workers*rounds, n, dsn)
	}
}

// Two pools opening the same named memdb database share it; two pools
// opening "" do not.
func TestMemoryDSNNamedAndPrivate(t *testing.T) {
	ctx := t.Context()
	open := func(dsn string) *sql.DB {
		db, err := sql.Open("sqlite3", dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	a, b := open(sqlite.DSN("")), open(sqlite.DSN(""))
	_, err := a.ExecContext(ctx, "CREATE TABLE x (a integer)")
	require.NoError(t, err)
	_, err = b.ExecContext(ctx, "SELECT * FROM x")
	assert.ErrorContains(t, err, "no such table", "each new in-memory DSN is a private database")

	name := fmt.Sprintf("file:/named_%d?vfs=memdb", os.Getpid())
	c, d := open(sqlite.DSN(name)), open(sqlite.DSN(name))
	_, err = c.ExecContext(ctx, "CREATE TABLE y (a integer)")
	require.NoError(t, err)
	_, err = d.ExecContext(ctx, "INSERT INTO y VALUES (1)")
	require.NoError(t, err, "a named memdb database is shared")
}

// An in-memory DSN is one database shared by the pool, with foreign keys on.
func TestMemoryDSNSharedAndForeignKeys(t *testing.T) {
	db, err := sql.Open("sqlite3", sqlite.DSN(""))
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(4)
	ctx := t.Context()
	var fk int
	require.NoError(t, db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk))
	assert.Equal(t, 1, fk)
	c1, err := db.Conn(ctx)
	require.NoError(t, err)
	defer c1.Close()
	c2, err := db.Conn(ctx)
	require.NoError(t, err)
	defer c2.Close()
	_, err = c1.ExecContext(ctx, "CREATE TABLE x (a integer)")
	require.NoError(t, err)
	_, err = c2.ExecContext(ctx, "INSERT INTO x VALUES (1)")
	require.NoError(t, err, "a second connection sees the same database")
}

func TestClassifyError(t *testing.T) {
	d := sqlite.Dialect{}
	db, err := sql.Open("sqlite3", sqlite.DSN(""))
	require.NoError(t, err)
	defer db.Close()
	db.SetMaxOpenConns(1)
	_, err = db.Exec(`CREATE TABLE p (id integer PRIMARY KEY, a text NOT NULL, b text, UNIQUE (a, b));
		CREATE TABLE e (v text); CREATE UNIQUE INDEX e_lower ON e (lower(v)); INSERT INTO e VALUES ('y');
		CREATE TABLE c (pid integer REFERENCES p (id), CHECK (pid > 0))`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO p VALUES (1, 'x', 'y')`)
	require.NoError(t, err)

	for _, tc := range []struct {
		query string
		want  dialects.ErrorInfo
	}{
		{`INSERT INTO p VALUES (1, 'q', 'q')`, dialects.ErrorInfo{Kind: dialects.UniqueViolation, Table: "p", Constraint: "PRIMARY KEY", Columns: []string{"id"}, PrimaryKey: true}},
		{`INSERT INTO p VALUES (2, 'x', 'y')`, dialects.ErrorInfo{Kind: dialects.UniqueViolation, Table: "p", Columns: []string{"a", "b"}}},
		{`INSERT INTO e VALUES ('Y')`, dialects.ErrorInfo{Kind: dialects.UniqueViolation, Constraint: "e_lower"}},
		{`INSERT INTO p VALUES (4, NULL, 'w')`, dialects.ErrorInfo{Kind: dialects.NotNullViolation, Table: "p", Columns: []string{"a"}}},
		{`INSERT INTO c VALUES (5)`, dialects.ErrorInfo{Kind: dialects.ForeignKeyViolation}},
		{`INSERT INTO c VALUES (-1)`, dialects.ErrorInfo{Kind: dialects.CheckViolation, Constraint: "pid > 0"}},
	} {
		_, err := db.Exec(tc.query)
		require.Error(t, err, tc.query)
		info := d.ClassifyError(fmt.Errorf("ctx: %w", err))
		require.NotNil(t, info, "%s: %v", tc.query, err)
		assert.Equal(t, tc.want, *info, "%s: %v", tc.query, err)
	}
	_, err = db.Exec(`SELECT * FROM nope`)
	assert.Nil(t, d.ClassifyError(err))
	assert.Nil(t, d.ClassifyError(errors.New("UNIQUE constraint failed: t.a")))

	// Busy and locked errors, by extended code (the root package's tests
	// provoke them on real databases).
	for code, name := range map[sqlite3.ErrNoExtended]string{
		sqlite3.ErrNoExtended(sqlite3.ErrBusy): "SQLITE_BUSY", sqlite3.ErrBusyRecovery: "SQLITE_BUSY_RECOVERY",
		sqlite3.ErrBusySnapshot: "SQLITE_BUSY_SNAPSHOT", sqlite3.ErrBusy.Extend(3): "SQLITE_BUSY_TIMEOUT",
		sqlite3.ErrNoExtended(sqlite3.ErrLocked): "SQLITE_LOCKED", sqlite3.ErrLockedSharedCache: "SQLITE_LOCKED_SHAREDCACHE",
	} {
		primary := sqlite3.ErrBusy
		if code&0xff == sqlite3.ErrNoExtended(sqlite3.ErrLocked) {
			primary = sqlite3.ErrLocked
		}
		err := fmt.Errorf("ctx: %w", sqlite3.Error{Code: primary, ExtendedCode: code})
		assert.Equal(t, &dialects.ErrorInfo{Kind: dialects.Busy, Code: name}, d.ClassifyError(err), name)
	}
}
