package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/internal/dbtest"
)

// TransferAccount is a bank account of the concurrent transfer workload.
type TransferAccount struct {
	ID      int64 `orm:"pk;autoincrement:false"`
	Balance int64
}

const (
	transferAccounts = 10
	transferOpening  = 1000
	transferWorkers  = 32
)

// transferLoad is what one run of the transfer workload did.
type transferLoad struct {
	transfers int64 // committed
	retries   int64 // attempts WithRetry ran again
	failed    int64 // errors that reached the caller
	conflicts int64 // of which transaction conflicts:
	serial    int64 // serialization failures
	deadlocks int64
	busy      int64
}

// runTransfers has transferWorkers goroutines move random amounts between
// random accounts, each transfer a read-then-write transaction at
// SERIALIZABLE, for d or perWorker transfers each, whichever ends first.
func runTransfers(t *testing.T, db *orm.DB, d time.Duration, perWorker int, opts ...orm.TxOption) transferLoad {
	t.Helper()
	ctx := context.Background()
	_, err := db.Exec(ctx, "DELETE FROM transfer_account")
	require.NoError(t, err)
	accounts := make([]TransferAccount, transferAccounts)
	for i := range accounts {
		accounts[i] = TransferAccount{ID: int64(i + 1), Balance: transferOpening}
	}
	require.NoError(t, db.Insert(ctx, &accounts))

	var load transferLoad
	var firstErr atomic.Value
	stop := time.Now().Add(d)
	opts = append([]orm.TxOption{orm.WithIsolation(sql.LevelSerializable)}, opts...)
	var wg sync.WaitGroup
	for range transferWorkers {
		wg.Go(func() {
			for n := 0; n < perWorker && time.Now().Before(stop); n++ {
				from := rand.Int64N(transferAccounts) + 1
				to := (from+rand.Int64N(transferAccounts-1))%transferAccounts + 1
				amount := rand.Int64N(100) + 1
				tctx, cancel := context.WithTimeout(ctx, 20*time.Second)
				err := db.Transaction(tctx, func(tx *orm.Session) error {
					var a, b TransferAccount
					if err := tx.Get(tctx, &a, from); err != nil {
						return err
					}
					if err := tx.Get(tctx, &b, to); err != nil {
						return err
					}
					if a.Balance < amount {
						return nil
					}
					a.Balance -= amount
					b.Balance += amount
					if err := tx.Update(tctx, &a, "balance"); err != nil {
						return err
					}
					return tx.Update(tctx, &b, "balance")
				}, opts...)
				cancel()
				switch {
				case err == nil:
					atomic.AddInt64(&load.transfers, 1)
				case errors.Is(err, orm.ErrConflict):
					atomic.AddInt64(&load.failed, 1)
					atomic.AddInt64(&load.conflicts, 1)
					switch {
					case errors.Is(err, orm.ErrSerialization):
						atomic.AddInt64(&load.serial, 1)
					case errors.Is(err, orm.ErrDeadlock):
						atomic.AddInt64(&load.deadlocks, 1)
					case errors.Is(err, orm.ErrBusy):
						atomic.AddInt64(&load.busy, 1)
					}
				default:
					atomic.AddInt64(&load.failed, 1)
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		t.Errorf("a transfer failed with an error that is not a conflict: %v", err)
	}

	var total, negative int64
	require.NoError(t, db.Select(ctx, &total, "SELECT sum(balance) FROM transfer_account"))
	require.NoError(t, db.Select(ctx, &negative, "SELECT count(*) FROM transfer_account WHERE balance < 0"))
	require.Equal(t, int64(transferAccounts*transferOpening), total, "the money total holds")
	require.Zero(t, negative, "no account is overdrawn")
	return load
}

// TestTransactionRetryTransfers runs the transfer workload on each
// database without and with WithRetry: without, conflicts reach the
// caller (on PostgreSQL and MariaDB); with it, none does, and the money
// total holds either way.
func TestTransactionRetryTransfers(t *testing.T) {
	const d, perWorker = time.Second, 40
	run := func(t *testing.T, db *orm.DB, wantConflicts bool) {
		t.Helper()
		without := runTransfers(t, db, d, perWorker)
		var retries atomic.Int64
		retry := orm.WithRetry(orm.Retry{MaxAttempts: 100, BaseDelay: 2 * time.Millisecond, MaxDelay: 50 * time.Millisecond,
			OnRetry: func(int, error, time.Duration) { retries.Add(1) }})
		with := runTransfers(t, db, d, perWorker, retry)
		with.retries = retries.Load()
		t.Logf("without retry: %d transfers, %d errors reached the caller (%d conflicts: %d serialization failures, %d deadlocks, %d busy)",
			without.transfers, without.failed, without.conflicts, without.serial, without.deadlocks, without.busy)
		t.Logf("with retry:    %d transfers, %d retries, %d errors reached the caller", with.transfers, with.retries, with.failed)
		if wantConflicts {
			require.Positive(t, without.conflicts, "the workload makes conflicts")
			require.Positive(t, with.retries)
		}
		require.Zero(t, with.failed, "no error reaches the caller with WithRetry")
		require.Positive(t, with.transfers)
	}
	dbtest.EachServer(t, func(t *testing.T, tdb *dbtest.DB) {
		if tdb.Name == "postgres" {
			// Transfers taking the same two rows in opposite orders
			// deadlock; detect it in 50 ms rather than PostgreSQL's
			// default 1 s (a run-time parameter pgx sends at connect).
			tdb.DSN += "&deadlock_timeout=50ms"
		}
		db := openTest(t, tdb, []orm.Option{orm.WithMaxOpenConns(16)})
		require.NoError(t, orm.AutoMigrate(db, &TransferAccount{}))
		run(t, db, true)
	})
	// SQLite's transactions are serializable. tagorm's default begins
	// them with BEGIN IMMEDIATE, so writers queue for the busy timeout
	// and no conflict is expected even without retries; a deferred
	// transaction that reads, then writes, fails at once with
	// SQLITE_BUSY when another has written meanwhile.
	for _, txlock := range []string{"immediate", "deferred"} {
		t.Run("sqlite/"+txlock, func(t *testing.T) {
			dsn := sqlite.DSN("file:/" + t.Name() + "?vfs=memdb&_txlock=" + txlock)
			db := openDSN(t, "sqlite3", dsn)
			require.NoError(t, orm.AutoMigrate(db, &TransferAccount{}))
			run(t, db, txlock == "deferred")
		})
	}
}
