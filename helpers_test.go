package orm_test

// Helpers shared by the root package's tests: opening a DB on a DSN (a
// proxied one, say), filling a pool with idle connections, and asserting
// that a call returns by its deadline.

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

// callBound is how long past its deadline a call may take to return.
const callBound = 2 * time.Second

// openDSN opens a DB with orm.Open, closed when t ends.
func openDSN(t testing.TB, driverName, dsn string, opts ...orm.Option) *orm.DB {
	t.Helper()
	db, err := orm.Open(driverName, dsn, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newDSN opens a *sql.DB itself and hands it to orm.New (a pool tagorm
// did not make); the DB is closed when t ends.
func newDSN(t testing.TB, driverName, dsn string, opts ...orm.Option) *orm.DB {
	t.Helper()
	sdb, err := sql.Open(driverName, dsn)
	require.NoError(t, err)
	db, err := orm.New(sdb, driverName, opts...)
	if err != nil {
		_ = sdb.Close()
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// opener is one way of making a DB on a DSN.
type opener struct {
	name string // "Open" or "New"
	open func(t testing.TB, driverName, dsn string, opts ...orm.Option) *orm.DB
}

// openers are the two ways a test makes its DB: orm.Open makes the pool;
// orm.New takes one the test made.
var openers = []opener{{"Open", openDSN}, {"New", newDSN}}

// requireWithin checks that a call begun at start returned within
// deadline plus callBound.
func requireWithin(t testing.TB, start time.Time, deadline time.Duration) {
	t.Helper()
	e := time.Since(start)
	require.LessOrEqualf(t, e, deadline+callBound, "returned after %v; deadline %v", e, deadline)
}

// callWithin runs call, which has the given deadline, and returns its
// error, failing t when call takes longer than deadline plus callBound. A
// call still blocked then is unblocked (unblock, when not nil) so that
// the test goes on; one that never returns even so fails t after 30 s.
func callWithin(t testing.TB, deadline time.Duration, unblock func(), call func() error) error {
	t.Helper()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- call() }()
	select {
	case err := <-done:
		requireWithin(t, start, deadline)
		return err
	case <-time.After(deadline + callBound):
	}
	t.Errorf("hung: no return %v after the call's %v deadline", callBound, deadline)
	if unblock != nil {
		unblock()
	}
	select {
	case err := <-done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("the call never returned, even once unblocked")
		return nil
	}
}

// fillPool leaves n connections idle in db's pool, each of them checked
// out twice (and pinged) just now. A connection's check on checkout is
// then tagorm's alone: pgx pings a connection itself on checkout only
// when it was last reset over a second ago.
func fillPool(t *testing.T, ctx context.Context, db *sql.DB, n int) {
	t.Helper()
	for range 2 {
		conns := make([]*sql.Conn, n)
		for i := range conns {
			conns[i] = pingedConn(t, ctx, db)
		}
		for _, c := range conns {
			require.NoError(t, c.Close())
		}
	}
}

// pingedConn takes a connection from db's pool that answers a ping. A
// connection left dead in the pool by an earlier cut fails the ping (a
// *sql.Conn is never retried on another connection) and is discarded.
func pingedConn(t *testing.T, ctx context.Context, db *sql.DB) *sql.Conn {
	t.Helper()
	var err error
	for range 10 {
		var c *sql.Conn
		if c, err = db.Conn(ctx); err != nil {
			continue
		}
		if err = c.PingContext(ctx); err == nil {
			return c
		}
		_ = c.Close()
	}
	t.Fatalf("no live connection from the pool: %v", err)
	return nil
}
