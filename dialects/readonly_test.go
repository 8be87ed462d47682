package dialects_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/dialects/postgres"
	"github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/internal/dbtest"
)

// beginReadOnly begins a read-only transaction as a caller of
// NeedsReadOnly and EnforceReadOnly does; end ends it.
func beginReadOnly(t *testing.T, ctx context.Context, db *dbtest.DB) (tx *sql.Tx, end func(commit bool) error) {
	t.Helper()
	opts := &sql.TxOptions{ReadOnly: true}
	if !dialects.NeedsReadOnly(db.Dialect, opts) {
		tx, err := db.SQL.BeginTx(ctx, opts)
		require.NoError(t, err)
		return tx, func(commit bool) error {
			if commit {
				return tx.Commit()
			}
			return tx.Rollback()
		}
	}
	conn, err := db.SQL.Conn(ctx)
	require.NoError(t, err)
	tx, err = conn.BeginTx(ctx, opts)
	require.NoError(t, err)
	release, err := dialects.EnforceReadOnly(ctx, db.Dialect, conn, tx, nil)
	require.NoError(t, err)
	return tx, func(commit bool) error {
		var err error
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		require.NoError(t, release())
		return err
	}
}

// A read-only transaction refuses writes on every database (SQLite also
// when transactions begin IMMEDIATE, as tagorm's DSNs ask), and the
// connection it ran on writes again afterwards (SQLite: PRAGMA
// query_only is undone), also after its context was cancelled.
func TestReadOnlyTransactions(t *testing.T) {
	sq, pg, my := sqlite.Dialect{}, postgres.Dialect{}, mysql.Dialect{}
	assert.False(t, dialects.NeedsReadOnly(sq, nil))
	assert.False(t, dialects.NeedsReadOnly(sq, &sql.TxOptions{}))
	assert.True(t, dialects.NeedsReadOnly(sq, &sql.TxOptions{ReadOnly: true}))
	assert.False(t, dialects.NeedsReadOnly(pg, &sql.TxOptions{ReadOnly: true}), "pgx begins READ ONLY")
	assert.False(t, dialects.NeedsReadOnly(my, &sql.TxOptions{ReadOnly: true}), "go-sql-driver begins READ ONLY")
	dsn := sqlite.DSN("") // _txlock=immediate, in memory
	immediate, err := sql.Open("sqlite3", dsn)
	require.NoError(t, err)
	defer immediate.Close()
	// The in-memory database lives while a connection to it is open:
	// hold one outside the pool, which discards the connection of the
	// cancelled transaction below.
	hold, err := immediate.Driver().Open(dsn)
	require.NoError(t, err)
	defer hold.Close()
	t.Run("sqlite BEGIN IMMEDIATE", func(t *testing.T) {
		testReadOnly(t, &dbtest.DB{Name: "sqlite", Dialect: sq, SQL: immediate})
	})
	dbtest.Each(t, testReadOnly)
}

func testReadOnly(t *testing.T, db *dbtest.DB) {
	ctx := context.Background()
	// One connection: the one the read-only transaction used is the
	// one the writes after it use.
	db.SQL.SetMaxOpenConns(1)
	q := db.Dialect.Quote
	insert := dialects.Rebind(db.Dialect, "INSERT INTO "+q("ro")+" VALUES (?)")
	_, err := db.SQL.ExecContext(ctx, "CREATE TABLE "+q("ro")+" ("+q("a")+" integer)")
	require.NoError(t, err)
	_, err = db.SQL.ExecContext(ctx, insert, 1)
	require.NoError(t, err)

	for _, commit := range []bool{true, false} {
		tx, end := beginReadOnly(t, ctx, db)
		var n int
		require.NoError(t, tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+q("ro")).Scan(&n))
		assert.Equal(t, 1, n)
		_, err = tx.ExecContext(ctx, insert, 2)
		assert.Error(t, err, "a write in a read-only transaction")
		_ = end(commit)
		_, err = db.SQL.ExecContext(ctx, insert, 3)
		require.NoError(t, err, "the connection writes again (commit=%v)", commit)
		_, err = db.SQL.ExecContext(ctx, "DELETE FROM "+q("ro")+" WHERE "+q("a")+" = 3")
		require.NoError(t, err)
	}

	// database/sql rolls back the transaction of a cancelled context
	// by itself: the connection is still made writable.
	cctx, cancel := context.WithCancel(ctx)
	tx, end := beginReadOnly(t, cctx, db)
	cancel()
	_, err = tx.ExecContext(ctx, insert, 4)
	assert.Error(t, err)
	_ = end(false)
	_, err = db.SQL.ExecContext(ctx, insert, 5)
	require.NoError(t, err, "writable after a cancelled read-only transaction")
}

// badOff is SQLite with a statement that cannot make the connection
// writable again.
type badOff struct{ sqlite.Dialect }

func (badOff) ReadOnlyTx() (on, off string) { return "PRAGMA query_only = ON", "NOT SQL" }

// A connection that cannot be made writable again is discarded, never
// returned to the pool read-only.
func TestReadOnlyReleaseDiscards(t *testing.T) {
	db, err := sql.Open("sqlite3", sqlite.DSN(""))
	require.NoError(t, err)
	defer db.Close()
	ctx := context.Background()
	keep, err := db.Conn(ctx) // keeps the in-memory database alive
	require.NoError(t, err)
	defer keep.Close()
	_, err = keep.ExecContext(ctx, "CREATE TABLE x (a integer)")
	require.NoError(t, err)

	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	release, err := dialects.EnforceReadOnly(ctx, badOff{}, conn, tx, nil)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	require.Equal(t, 2, db.Stats().OpenConnections)
	assert.Error(t, release())
	assert.Equal(t, 1, db.Stats().OpenConnections, "the read-only connection was closed")
	require.NoError(t, keep.Close())
	_, err = db.ExecContext(ctx, "INSERT INTO x VALUES (1)")
	require.NoError(t, err, "the pool's connection writes")
}
