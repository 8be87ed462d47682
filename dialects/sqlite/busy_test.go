package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/dialects/sqlite"
)

// BusyRow is the row the lock-wait tests write.
type BusyRow struct {
	ID   int64 `orm:"pk;autoincrement:false"`
	Name string
}

// busyBound is how long past its deadline a call waiting for a lock may
// take to return.
const busyBound = 2 * time.Second

// busyStore is a kind of SQLite database whose locks wait.
type busyStore struct {
	name string
	dsn  func(t *testing.T) string // with the default busy timeout (5 s)
	// readersBlockCommit: an open read transaction makes COMMIT wait
	// (a rollback journal; not WAL, whose readers read a snapshot).
	readersBlockCommit bool
}

var busySeq atomic.Int64

var busyStores = []busyStore{
	{"file", func(t *testing.T) string { return filepath.Join(t.TempDir(), "busy.db") }, true},
	{"file WAL", func(t *testing.T) string {
		return "file:" + filepath.Join(t.TempDir(), "busy.db") + "?_journal_mode=WAL"
	}, false},
	{"memdb", func(t *testing.T) string {
		return fmt.Sprintf("file:/busy_test_%d?vfs=memdb", busySeq.Add(1))
	}, true},
}

// busyFixture is a DB and a second pool on the same database, outside
// tagorm, that holds locks.
type busyFixture struct {
	db     *orm.DB
	holder *sql.Conn
}

func newBusyFixture(t *testing.T, dsn string) *busyFixture {
	t.Helper()
	ctx := context.Background()
	db, err := orm.Open("sqlite3", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	require.NoError(t, orm.AutoMigrate(db, &BusyRow{}))
	require.NoError(t, db.Insert(ctx, &BusyRow{ID: 1, Name: "first"}))
	other, err := sql.Open("sqlite3", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	holder, err := other.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = holder.Close() })
	return &busyFixture{db: db, holder: holder}
}

// hold runs stmts on the holder connection (a BEGIN and what takes the
// lock) and returns the function that ends its transaction.
func (f *busyFixture) hold(t *testing.T, stmts ...string) (release func()) {
	t.Helper()
	ctx := context.Background()
	for _, s := range stmts {
		_, err := f.holder.ExecContext(ctx, s)
		require.NoError(t, err, s)
	}
	var done atomic.Bool
	return func() {
		if done.CompareAndSwap(false, true) {
			_, err := f.holder.ExecContext(ctx, "ROLLBACK")
			require.NoError(t, err)
		}
	}
}

// holdRead opens a read transaction on the holder: its shared lock makes
// a COMMIT in a rollback journal (or memdb) wait.
func (f *busyFixture) holdRead(t *testing.T) (release func()) {
	t.Helper()
	release = f.hold(t, "BEGIN")
	var n int
	require.NoError(t, f.holder.QueryRowContext(context.Background(), "SELECT COUNT(*) FROM busy_row").Scan(&n))
	return release
}

func (f *busyFixture) count(t *testing.T) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n, err := orm.Query[BusyRow](f.db).Count(ctx)
	require.NoError(t, err)
	return int(n)
}

// callWithin runs call with a context whose deadline is deadline away and
// returns its error and how long it took, failing t when it has not
// returned deadline+busyBound later (then release unblocks it).
func callWithin(t *testing.T, deadline time.Duration, release func(), call func(ctx context.Context) error) (time.Duration, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- call(ctx) }()
	select {
	case err := <-done:
		return time.Since(start), err
	case <-time.After(deadline + busyBound):
	}
	release()
	err := <-done
	t.Errorf("returned %v after its %v deadline, once the lock was released (err %v)", time.Since(start)-deadline, deadline, err)
	return time.Since(start), err
}

// requireDeadlineError checks the error of a call that waited for a lock
// until its deadline: the context's error, and SQLite's busy error, and
// not an unknown commit outcome (the transaction was rolled back).
func requireDeadlineError(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
	var se sqlite3.Error
	require.ErrorAs(t, err, &se, "SQLite's busy error is kept")
	require.Equal(t, sqlite3.ErrBusy, se.Code)
}

// TestBusyWaitHonoursDeadline checks that a call waiting for a lock that
// another connection holds past the call's deadline returns the
// context's error within the deadline and a bound, having written
// nothing, for each place a call waits: BEGIN (IMMEDIATE, as tagorm's
// DSNs have it) behind a writer, COMMIT behind a reader, a statement
// outside a transaction behind a writer, and a read behind an exclusive
// lock. Before, each waited for the whole busy timeout (5 s).
func TestBusyWaitHonoursDeadline(t *testing.T) {
	const deadline = time.Second
	for _, st := range busyStores {
		t.Run(st.name, func(t *testing.T) {
			cases := []struct {
				name  string
				lock  func(t *testing.T, f *busyFixture) func()
				call  func(ctx context.Context, db *orm.DB) error
				wrote bool // the call writes a row when it succeeds
			}{
				{"Begin behind a writer", writeLock, func(ctx context.Context, db *orm.DB) error {
					s, err := db.Begin(ctx, nil)
					if err == nil {
						_ = s.Rollback()
					}
					return err
				}, false},
				{"Transaction behind a writer", writeLock, func(ctx context.Context, db *orm.DB) error {
					return db.Transaction(ctx, func(tx *orm.Session) error {
						return tx.Insert(ctx, &BusyRow{ID: 2, Name: "tx"})
					})
				}, true},
				{"Transaction with retry behind a writer", writeLock, func(ctx context.Context, db *orm.DB) error {
					return db.Transaction(ctx, func(tx *orm.Session) error {
						return tx.Insert(ctx, &BusyRow{ID: 2, Name: "tx"})
					}, orm.WithRetry(orm.Retry{}))
				}, true},
				{"Insert behind a writer", writeLock, func(ctx context.Context, db *orm.DB) error {
					return db.Insert(ctx, &BusyRow{ID: 2, Name: "insert"})
				}, true},
				{"Exec behind a writer", writeLock, func(ctx context.Context, db *orm.DB) error {
					_, err := db.Exec(ctx, "UPDATE busy_row SET name = ? WHERE id = 1", "exec")
					return err
				}, false},
				{"unprepared Exec behind a writer", writeLock, func(ctx context.Context, db *orm.DB) error {
					_, err := db.DB().ExecContext(ctx, "UPDATE busy_row SET name = ? WHERE id = 1", "exec")
					return err
				}, false},
			}
			if st.readersBlockCommit {
				cases = append(cases, []struct {
					name  string
					lock  func(t *testing.T, f *busyFixture) func()
					call  func(ctx context.Context, db *orm.DB) error
					wrote bool
				}{
					{"Commit behind a reader", readLock, func(ctx context.Context, db *orm.DB) error {
						s, err := db.Begin(ctx, nil)
						if err != nil {
							return err
						}
						if err := s.Insert(ctx, &BusyRow{ID: 2, Name: "commit"}); err != nil {
							_ = s.Rollback()
							return err
						}
						return s.Commit()
					}, true},
					{"Transaction's COMMIT behind a reader", readLock, func(ctx context.Context, db *orm.DB) error {
						return db.Transaction(ctx, func(tx *orm.Session) error {
							return tx.Insert(ctx, &BusyRow{ID: 2, Name: "commit"})
						})
					}, true},
					{"Get behind an exclusive lock", exclusiveLock, func(ctx context.Context, db *orm.DB) error {
						var r BusyRow
						return db.Get(ctx, &r, 1)
					}, false},
					{"unprepared query behind an exclusive lock", exclusiveLock, func(ctx context.Context, db *orm.DB) error {
						var n int
						return db.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM busy_row").Scan(&n)
					}, false},
					{"deferred transaction's first read behind an exclusive lock", exclusiveLock, func(ctx context.Context, db *orm.DB) error {
						return db.Transaction(ctx, func(tx *orm.Session) error {
							var r BusyRow
							if err := tx.Get(ctx, &r, 1); err != nil {
								return err
							}
							return tx.Insert(ctx, &BusyRow{ID: 2, Name: "deferred"})
						})
					}, true},
				}...)
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					dsn := st.dsn(t)
					if strings.HasPrefix(tc.name, "deferred") {
						dsn = withParam(dsn, "_txlock=deferred")
					}
					f := newBusyFixture(t, dsn)
					release := tc.lock(t, f)
					defer release()
					took, err := callWithin(t, deadline, release, func(ctx context.Context) error { return tc.call(ctx, f.db) })
					t.Logf("returned after %v (deadline %v): %v", took.Round(time.Millisecond), deadline, err)
					requireDeadlineError(t, err)
					release()
					require.Equal(t, 1, f.count(t), "the call wrote a row")
					if !strings.Contains(tc.name, "unprepared") {
						require.ErrorIs(t, err, orm.ErrBusy)
					}
					// The pool works once the lock is free.
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					require.NoError(t, tc.call(ctx, f.db))
					want := 1
					if tc.wrote {
						want = 2
					}
					require.Equal(t, want, f.count(t))
				})
			}
		})
	}
}

func writeLock(t *testing.T, f *busyFixture) func() { return f.hold(t, "BEGIN IMMEDIATE") }
func readLock(t *testing.T, f *busyFixture) func()  { return f.holdRead(t) }
func exclusiveLock(t *testing.T, f *busyFixture) func() {
	return f.hold(t, "BEGIN EXCLUSIVE")
}

// TestBusyWaitTakesTurns checks that a call still waits for a lock as
// long as the busy timeout allows: a lock released after 300 ms (several
// times the connector's wait in SQLite) lets BEGIN, COMMIT and an
// autocommit statement through, with no error, and one held past the
// busy timeout fails them with ErrBusy once it is spent, even without a
// deadline.
func TestBusyWaitTakesTurns(t *testing.T) {
	ctx := context.Background()
	begin := func(db *orm.DB) error {
		return db.Transaction(ctx, func(tx *orm.Session) error {
			return tx.Insert(ctx, &BusyRow{ID: 2, Name: "tx"})
		})
	}
	insert := func(db *orm.DB) error { return db.Insert(ctx, &BusyRow{ID: 2, Name: "insert"}) }
	for _, st := range busyStores {
		t.Run(st.name, func(t *testing.T) {
			type turn struct {
				name string
				lock func(t *testing.T, f *busyFixture) func()
				call func(db *orm.DB) error
			}
			turns := []turn{{"BEGIN behind a writer", writeLock, begin}, {"Insert behind a writer", writeLock, insert}}
			if st.readersBlockCommit {
				turns = append(turns, turn{"COMMIT behind a reader", readLock, begin})
			}
			for _, tc := range turns {
				t.Run(tc.name+" released", func(t *testing.T) {
					f := newBusyFixture(t, st.dsn(t))
					release := tc.lock(t, f)
					defer release()
					const held = 300 * time.Millisecond
					time.AfterFunc(held, release)
					start := time.Now()
					require.NoError(t, tc.call(f.db))
					took := time.Since(start)
					t.Logf("waited %v for a lock held %v", took.Round(time.Millisecond), held)
					require.GreaterOrEqual(t, took, held-50*time.Millisecond, "the call did not wait for the lock")
					require.Equal(t, 2, f.count(t))
				})
				t.Run(tc.name+" past the busy timeout", func(t *testing.T) {
					const budget = 400 * time.Millisecond
					f := newBusyFixture(t, withParam(st.dsn(t), fmt.Sprintf("_busy_timeout=%d", budget.Milliseconds())))
					release := tc.lock(t, f)
					defer release()
					start := time.Now()
					err := tc.call(f.db)
					took := time.Since(start)
					t.Logf("gave up after %v (busy timeout %v): %v", took.Round(time.Millisecond), budget, err)
					require.ErrorIs(t, err, orm.ErrBusy)
					require.False(t, errors.Is(err, context.DeadlineExceeded))
					require.GreaterOrEqual(t, took, budget-50*time.Millisecond, "gave up before the busy timeout")
					require.Less(t, took, budget+busyBound)
					release()
					require.Equal(t, 1, f.count(t))
				})
			}
		})
	}
}

// withParam adds a query parameter to a path or file: DSN.
func withParam(dsn, kv string) string {
	if filepath.IsAbs(dsn) {
		dsn = "file:" + dsn
	}
	for _, c := range dsn {
		if c == '?' {
			return dsn + "&" + kv
		}
	}
	return dsn + "?" + kv
}

// TestBusyInTransactionNotRepeated checks that a statement of a
// transaction that has run statements already is not repeated when it
// fails busy (SQLite says to roll the transaction back: its locks may be
// what the other connection waits for): a deferred transaction that read,
// then writes while another connection holds the write lock, fails with
// ErrBusy at once rather than waiting for the busy timeout.
func TestBusyInTransactionNotRepeated(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, st := range busyStores {
		t.Run(st.name, func(t *testing.T) {
			f := newBusyFixture(t, withParam(st.dsn(t), "_txlock=deferred"))
			var release func()
			defer func() {
				if release != nil {
					release()
				}
			}()
			start := time.Now()
			err := f.db.Transaction(ctx, func(tx *orm.Session) error {
				var r BusyRow
				if err := tx.Get(ctx, &r, 1); err != nil {
					return err
				}
				release = writeLock(t, f)
				start = time.Now()
				return tx.Insert(ctx, &BusyRow{ID: 2, Name: "late"})
			})
			took := time.Since(start)
			t.Logf("failed after %v: %v", took.Round(time.Millisecond), err)
			require.ErrorIs(t, err, orm.ErrBusy)
			require.Less(t, took, time.Second, "the statement was repeated")
			release()
			require.Equal(t, 1, f.count(t))
		})
	}
}

// TestLockTimeout checks that the migration lock (BEGIN IMMEDIATE) gives
// up once its timeout has passed, rather than after the busy timeout
// (5 s) of a BEGIN that waits for the lock, and that the error is the
// lock's, not a context's.
func TestLockTimeout(t *testing.T) {
	ctx := context.Background()
	for _, st := range busyStores {
		t.Run(st.name, func(t *testing.T) {
			f := newBusyFixture(t, st.dsn(t))
			release := writeLock(t, f)
			defer release()
			conn, err := f.db.DB().Conn(ctx)
			require.NoError(t, err)
			defer func() { _ = conn.Close() }()
			const timeout = 300 * time.Millisecond
			start := time.Now()
			_, err = sqlite.Dialect{}.Lock(ctx, conn, timeout)
			took := time.Since(start)
			t.Logf("gave up after %v (timeout %v): %v", took.Round(time.Millisecond), timeout, err)
			require.ErrorContains(t, err, "stayed locked")
			require.NotErrorIs(t, err, context.DeadlineExceeded)
			require.Less(t, took, timeout+time.Second)
			release()
			lock, err := sqlite.Dialect{}.Lock(ctx, conn, timeout)
			require.NoError(t, err)
			require.True(t, lock.InTransaction)
			_, err = conn.ExecContext(ctx, "ROLLBACK")
			require.NoError(t, err)
		})
	}
}

// TestConnUnwrap checks that Conn.Raw reaches the driver's connection
// through the connector's.
func TestConnUnwrap(t *testing.T) {
	ctx := context.Background()
	f := newBusyFixture(t, filepath.Join(t.TempDir(), "unwrap.db"))
	conn, err := f.db.DB().Conn(ctx)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	require.NoError(t, conn.Raw(func(dc any) error {
		u, ok := dc.(interface{ Unwrap() *sqlite3.SQLiteConn })
		require.True(t, ok, "%T has no Unwrap", dc)
		return u.Unwrap().RegisterFunc("tagorm_twice", func(n int64) int64 { return 2 * n }, true)
	}))
	var n int64
	require.NoError(t, conn.QueryRowContext(ctx, "SELECT tagorm_twice(21)").Scan(&n))
	require.EqualValues(t, 42, n)
}
