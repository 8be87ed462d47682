package orm_test

// Helpers shared by the root package's tests: opening a DB on a DSN (a
// proxied one, say), and asserting that a call returns by its deadline.

import (
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
