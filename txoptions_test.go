package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/internal/dbtest"
)

// conflictErr is a transaction conflict of the given kind, as a dialect
// reports one.
func conflictErr(kind dialects.ErrorKind) error {
	return &orm.ConflictError{Kind: kind, Code: "test", Err: errors.New("provoked by the test")}
}

func TestTransactionRetry(t *testing.T) {
	eachDB(t, []any{&ConflictRow{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		fast := orm.Retry{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}

		t.Run("conflicts are retried until the function succeeds", func(t *testing.T) {
			for _, kind := range []dialects.ErrorKind{dialects.SerializationFailure, dialects.Deadlock, dialects.Busy} {
				calls := 0
				var retries []int
				r := fast
				r.OnRetry = func(attempt int, err error, wait time.Duration) {
					require.ErrorIs(t, err, orm.ErrConflict)
					require.LessOrEqual(t, wait, r.MaxDelay)
					retries = append(retries, attempt)
				}
				err := db.Transaction(ctx, func(tx *orm.Session) error {
					calls++
					require.NoError(t, tx.Insert(ctx, &ConflictRow{ID: 100, V: calls}))
					if calls < 3 {
						return conflictErr(kind)
					}
					return nil
				}, orm.WithRetry(r))
				require.NoError(t, err, kind)
				require.Equal(t, 3, calls, kind)
				require.Equal(t, []int{1, 2}, retries, kind)
				var got ConflictRow
				require.NoError(t, db.Get(ctx, &got, 100))
				require.Equal(t, 3, got.V, "only the last attempt's row is kept")
				_, err = db.Exec(ctx, "DELETE FROM conflict_row")
				require.NoError(t, err)
			}
		})

		t.Run("attempts are bounded and counted in the error", func(t *testing.T) {
			calls := 0
			err := db.Transaction(ctx, func(tx *orm.Session) error {
				calls++
				return conflictErr(dialects.Deadlock)
			}, orm.WithRetry(fast))
			require.Equal(t, 4, calls)
			require.ErrorIs(t, err, orm.ErrDeadlock)
			require.ErrorContains(t, err, "gave up after 4 attempts")
		})

		t.Run("other errors are returned at once, as they are", func(t *testing.T) {
			for _, fail := range []error{errBoom, conflictErr(dialects.LockTimeout)} {
				calls := 0
				err := db.Transaction(ctx, func(tx *orm.Session) error {
					calls++
					return fail
				}, orm.WithRetry(fast))
				require.Same(t, fail, err)
				require.Equal(t, 1, calls)
			}
		})

		t.Run("lock timeouts are retried when asked", func(t *testing.T) {
			calls := 0
			r := fast
			r.LockTimeouts = true
			err := db.Transaction(ctx, func(tx *orm.Session) error {
				calls++
				return conflictErr(dialects.LockTimeout)
			}, orm.WithRetry(r))
			require.ErrorIs(t, err, orm.ErrLockTimeout)
			require.Equal(t, 4, calls)
		})

		t.Run("a failed commit that is not a conflict is not retried", func(t *testing.T) {
			calls := 0
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			err := db.Transaction(cctx, func(tx *orm.Session) error {
				calls++
				require.NoError(t, tx.Insert(cctx, &ConflictRow{ID: 200}))
				cancel() // the commit's outcome is then not a conflict the server reported
				return nil
			}, orm.WithRetry(fast))
			require.Error(t, err)
			require.NotErrorIs(t, err, orm.ErrConflict)
			require.Equal(t, 1, calls)
		})

		t.Run("the wait never passes the deadline", func(t *testing.T) {
			// Waits of 100-200 ms, 200-400 ms, ...: a 250 ms deadline
			// allows a couple of attempts.
			slow := orm.Retry{MaxAttempts: 1000, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second}
			dctx, cancel := context.WithTimeout(ctx, 250*time.Millisecond)
			defer cancel()
			deadline, _ := dctx.Deadline()
			calls := 0
			err := db.Transaction(dctx, func(tx *orm.Session) error {
				calls++
				return conflictErr(dialects.SerializationFailure)
			}, orm.WithRetry(slow))
			require.True(t, time.Now().Before(deadline), "returned before the deadline, instead of sleeping past it")
			require.ErrorIs(t, err, orm.ErrSerialization)
			require.ErrorContains(t, err, fmt.Sprintf("gave up after %d attempts", calls))
			require.ErrorContains(t, err, "deadline")
			require.GreaterOrEqual(t, calls, 1)
			require.Less(t, calls, 4)
		})

		t.Run("a context cancelled during the wait ends it", func(t *testing.T) {
			slow := orm.Retry{MaxAttempts: 10, BaseDelay: 10 * time.Second, MaxDelay: 10 * time.Second}
			cctx, cancel := context.WithCancel(ctx)
			start := time.Now()
			time.AfterFunc(100*time.Millisecond, cancel)
			err := db.Transaction(cctx, func(tx *orm.Session) error {
				return conflictErr(dialects.Deadlock)
			}, orm.WithRetry(slow))
			requireWithin(t, start, 100*time.Millisecond) // the cancel
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorIs(t, err, orm.ErrDeadlock)
			require.ErrorContains(t, err, "after 1 attempts")
		})

		t.Run("bad settings are refused before beginning", func(t *testing.T) {
			for _, c := range []struct {
				r    orm.Retry
				want string
			}{
				{orm.Retry{MaxAttempts: -1}, "Retry.MaxAttempts is -1"},
				{orm.Retry{BaseDelay: -time.Second}, "Retry.BaseDelay is -1s"},
				{orm.Retry{MaxDelay: -time.Second}, "Retry.MaxDelay is -1s"},
				{orm.Retry{BaseDelay: time.Second, MaxDelay: time.Millisecond}, "Retry.MaxDelay 1ms is less than Retry.BaseDelay 1s"},
			} {
				called := false
				err := db.Transaction(ctx, func(tx *orm.Session) error { called = true; return nil }, orm.WithRetry(c.r))
				require.ErrorContains(t, err, c.want)
				require.False(t, called)
			}
		})
	})
}

func TestTransactionOptions(t *testing.T) {
	eachDB(t, []any{&ConflictRow{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		err := db.Transaction(ctx, func(tx *orm.Session) error {
			return tx.Insert(ctx, &ConflictRow{ID: 1})
		}, orm.WithReadOnly())
		require.Error(t, err, "a read-only transaction refuses writes")
		require.Zero(t, count[ConflictRow](t, db))

		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			require.NoError(t, tx.Insert(ctx, &ConflictRow{ID: 1}))
			var level string
			switch db.Dialect().Name() {
			case "postgres":
				require.NoError(t, tx.Select(ctx, &level, "SHOW transaction_isolation"))
				require.Equal(t, "serializable", level)
			case "mysql":
				require.NoError(t, tx.Select(ctx, &level, "SELECT trx_isolation_level FROM information_schema.innodb_trx WHERE trx_mysql_thread_id = CONNECTION_ID()"))
				require.Equal(t, "SERIALIZABLE", level)
			}
			return nil
		}, orm.WithIsolation(sql.LevelSerializable), nil))
		require.EqualValues(t, 1, count[ConflictRow](t, db))
	})
}

// A serialization failure PostgreSQL reports at COMMIT (the transaction
// was not committed) is retried.
func TestTransactionRetryCommitConflict(t *testing.T) {
	db := conflictDB(t, dbtest.Open(t, "postgres"))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	serializable := &sql.TxOptions{Isolation: sql.LevelSerializable}
	other, err := db.Begin(ctx, serializable)
	require.NoError(t, err)
	defer func() { _ = other.Rollback() }()
	var sum int
	require.NoError(t, other.Select(ctx, &sum, "SELECT sum(v) FROM conflict_row"))

	calls := 0
	var commitErrs []error
	r := orm.Retry{MaxAttempts: 3, BaseDelay: time.Millisecond, OnRetry: func(_ int, err error, _ time.Duration) {
		commitErrs = append(commitErrs, err)
	}}
	require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
		calls++
		var sum int
		if err := tx.Select(ctx, &sum, "SELECT sum(v) FROM conflict_row"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "UPDATE conflict_row SET v = v + 1 WHERE id = 1"); err != nil {
			return err
		}
		if calls == 1 {
			// Write skew: other read what this changes and changes
			// what this read, and commits first.
			_, err := other.Exec(ctx, "UPDATE conflict_row SET v = v + 1 WHERE id = 2")
			require.NoError(t, err)
			require.NoError(t, other.Commit())
		}
		return nil
	}, orm.WithIsolation(sql.LevelSerializable), orm.WithRetry(r)))
	require.Equal(t, 2, calls)
	require.Len(t, commitErrs, 1)
	require.ErrorIs(t, commitErrs[0], orm.ErrSerialization)
	require.ErrorContains(t, commitErrs[0], "commit")
	var v []int
	require.NoError(t, db.Select(ctx, &v, "SELECT v FROM conflict_row ORDER BY id"))
	require.Equal(t, []int{1, 1}, v)
}

// A SQLite database locked past the busy timeout when the transaction
// begins is retried.
func TestTransactionRetryBusy(t *testing.T) {
	ctx := context.Background()
	db := openDSN(t, "sqlite3", sqliteFileDSN(t, "20", "immediate"))
	require.NoError(t, orm.AutoMigrate(db, &ConflictRow{}))
	holder, err := db.Begin(ctx, nil)
	require.NoError(t, err)
	time.AfterFunc(150*time.Millisecond, func() { _ = holder.Rollback() })
	var busy atomic.Int32
	r := orm.Retry{MaxAttempts: 100, BaseDelay: 10 * time.Millisecond, MaxDelay: 20 * time.Millisecond,
		OnRetry: func(_ int, err error, _ time.Duration) {
			if errors.Is(err, orm.ErrBusy) && strings.Contains(err.Error(), "begin") {
				busy.Add(1)
			}
		}}
	require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
		return tx.Insert(ctx, &ConflictRow{ID: 1})
	}, orm.WithRetry(r)))
	require.Positive(t, busy.Load(), "BEGIN IMMEDIATE met the held lock")
	require.EqualValues(t, 1, count[ConflictRow](t, db))
}

// After a deadlock the function ignores, the transaction's later
// statements are refused and nothing is committed: on MySQL/MariaDB the
// victim has been rolled back, and what follows would commit on its own.
func TestTransactionAbortedAfterDeadlock(t *testing.T) {
	for _, name := range dbtest.Servers {
		t.Run(name, func(t *testing.T) {
			db := conflictDB(t, dbtest.Open(t, name))
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			// other holds row 2 and is made the survivor: on PostgreSQL
			// it waits long before checking for a deadlock, on MariaDB
			// it has changed more rows.
			other, err := db.Begin(ctx, nil)
			require.NoError(t, err)
			defer func() { _ = other.Rollback() }()
			if name == "postgres" {
				_, err = other.Exec(ctx, "SET LOCAL deadlock_timeout = '10s'")
				require.NoError(t, err)
			}
			for id := 10; id < 40; id++ {
				require.NoError(t, other.Insert(ctx, &ConflictRow{ID: int64(id)}))
			}
			_, err = other.Exec(ctx, "UPDATE conflict_row SET v = 7 WHERE id = 2")
			require.NoError(t, err)

			otherDone := make(chan error, 1)
			var swallowed, refused error
			err = db.Transaction(ctx, func(tx *orm.Session) error {
				if name == "postgres" {
					if _, err := tx.Exec(ctx, "SET LOCAL deadlock_timeout = '50ms'"); err != nil {
						return err
					}
				}
				if _, err := tx.Exec(ctx, "UPDATE conflict_row SET v = 1 WHERE id = 1"); err != nil {
					return err
				}
				go func() {
					_, err := other.Exec(ctx, "UPDATE conflict_row SET v = 7 WHERE id = 1")
					otherDone <- err
				}()
				time.Sleep(100 * time.Millisecond) // other waits for row 1
				_, swallowed = tx.Exec(ctx, "UPDATE conflict_row SET v = 1 WHERE id = 2")
				// The function ignores the deadlock and carries on.
				refused = tx.Insert(ctx, &ConflictRow{ID: 3})
				return nil
			})
			require.ErrorIs(t, swallowed, orm.ErrDeadlock)
			require.ErrorIs(t, refused, orm.ErrDeadlock, "a statement after the deadlock is refused")
			require.ErrorContains(t, refused, "transaction aborted")
			require.ErrorIs(t, err, orm.ErrDeadlock, "Transaction does not commit")
			require.NoError(t, <-otherDone)
			require.NoError(t, other.Rollback())
			var ids []int64
			require.NoError(t, db.Select(ctx, &ids, "SELECT id FROM conflict_row ORDER BY id"))
			require.Equal(t, []int64{1, 2}, ids, "nothing of the aborted transaction is kept")
			var v []int
			require.NoError(t, db.Select(ctx, &v, "SELECT v FROM conflict_row ORDER BY id"))
			require.Equal(t, []int{0, 0}, v)
		})
	}
}
