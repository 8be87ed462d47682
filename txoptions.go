package orm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/tagorm/orm/dialects"
)

// TxOption configures a transaction run by DB.Transaction.
type TxOption func(*txConfig)

type txConfig struct {
	opts  sql.TxOptions
	retry *Retry
}

// WithIsolation runs the transaction at the given isolation level
// (sql.LevelSerializable, sql.LevelRepeatableRead, sql.LevelReadCommitted,
// ...). A level the driver does not support fails the transaction's
// BEGIN. SQLite's transactions are always serializable: it accepts any
// level.
func WithIsolation(level sql.IsolationLevel) TxOption {
	return func(c *txConfig) { c.opts.Isolation = level }
}

// WithReadOnly runs a read-only transaction: every write in it fails (on
// SQLite too, where the driver would ignore it; see DB.Begin).
func WithReadOnly() TxOption {
	return func(c *txConfig) { c.opts.ReadOnly = true }
}

// WithRetry makes Transaction run its function again, in a new
// transaction, when the transaction fails with a conflict that a new
// attempt may not meet: ErrSerialization, ErrDeadlock and ErrBusy (and
// ErrLockTimeout with Retry.LockTimeouts). Between attempts it waits a
// jittered, exponentially growing delay (see Retry), never past ctx's
// deadline. Only a conflict the database reported counts (a
// *ConflictError, or the driver's error it wraps, anywhere in the chain
// fn returns): an error of the caller's own that merely wraps a sentinel
// such as ErrDeadlock is returned as it is.
//
// The unit of retry is the whole outermost transaction: BEGIN, the whole
// function, COMMIT. A nested Session.Transaction (a savepoint) is never
// retried on its own — after a serialization failure or deadlock the
// database has aborted, or may have rolled back, the outer transaction —
// and once a statement of the transaction failed with one, Transaction
// rolls back instead of committing, even if the function ignored the
// error.
//
// The function must therefore be re-runnable: everything it does outside
// the transaction (sending mail, appending to a slice, changing a struct
// it did not load in the transaction) happens once per attempt, and the
// values it read from the database in a failed attempt are stale. Load
// what it needs inside fn, and act on the outside world after Transaction
// returned nil.
//
// A failed COMMIT is retried only when the database reported a conflict
// for it (PostgreSQL's serialization failures at COMMIT, Galera's
// certification conflicts, SQLite's busy database): then the transaction
// was not committed. Any other COMMIT error (a broken connection, a
// context that ended) leaves the outcome unknown and is returned as it
// is: running the function again might apply it twice.
func WithRetry(r Retry) TxOption {
	return func(c *txConfig) { c.retry = &r }
}

// Retry configures WithRetry. The zero value retries with the defaults.
//
// Attempt n (from 1) that failed with a retryable error is followed by a
// wait drawn at random from [d/2, d], where d = BaseDelay·2^(n-1) capped
// at MaxDelay, then by attempt n+1, up to MaxAttempts attempts in all.
// When the wait would end after ctx's deadline, Transaction returns at
// once instead; when ctx ends during the wait, it returns ctx's error
// joined with the last one.
type Retry struct {
	// MaxAttempts is the number of attempts in all, the first included
	// (default 10; 1 means no retry).
	MaxAttempts int
	// BaseDelay is the upper bound of the first wait (default 5ms).
	BaseDelay time.Duration
	// MaxDelay caps the upper bound of every wait (default 1s; at least
	// BaseDelay).
	MaxDelay time.Duration
	// LockTimeouts also retries ErrLockTimeout. It is off by default: a
	// lock wait timeout means a lock was held for the whole timeout
	// (MySQL's innodb_lock_wait_timeout is 50 s by default), so retrying
	// multiplies the time a caller waits behind a long transaction, and
	// MySQL/MariaDB roll back only the statement, so a function may want
	// to handle it itself. Re-running is safe (Transaction rolls back the
	// whole transaction first); turn it on for designs built on short
	// lock timeouts or NOWAIT.
	LockTimeouts bool
	// OnRetry, if set, is called before each wait with the number of the
	// attempt that failed, its error and the wait: for logging and
	// metrics. It runs on the caller's goroutine.
	OnRetry func(attempt int, err error, wait time.Duration)
}

// Retry defaults.
const (
	defaultRetryAttempts  = 10
	defaultRetryBaseDelay = 5 * time.Millisecond
	defaultRetryMaxDelay  = time.Second
)

// withDefaults returns r with its zero fields defaulted, or an error
// naming a negative or inconsistent field.
func (r Retry) withDefaults() (Retry, error) {
	switch {
	case r.MaxAttempts < 0:
		return r, fmt.Errorf("Retry.MaxAttempts is %d: want 0 (default %d) or more", r.MaxAttempts, defaultRetryAttempts)
	case r.BaseDelay < 0:
		return r, fmt.Errorf("Retry.BaseDelay is %v: want 0 (default %v) or more", r.BaseDelay, defaultRetryBaseDelay)
	case r.MaxDelay < 0:
		return r, fmt.Errorf("Retry.MaxDelay is %v: want 0 (default %v) or more", r.MaxDelay, defaultRetryMaxDelay)
	}
	if r.MaxAttempts == 0 {
		r.MaxAttempts = defaultRetryAttempts
	}
	if r.BaseDelay == 0 {
		r.BaseDelay = defaultRetryBaseDelay
	}
	if r.MaxDelay == 0 {
		r.MaxDelay = max(defaultRetryMaxDelay, r.BaseDelay)
	}
	if r.MaxDelay < r.BaseDelay {
		return r, fmt.Errorf("Retry.MaxDelay %v is less than Retry.BaseDelay %v", r.MaxDelay, r.BaseDelay)
	}
	return r, nil
}

// wait returns the wait after failed attempt n (from 1).
func (r *Retry) wait(n int) time.Duration {
	d := r.MaxDelay
	if n-1 < 62 {
		if b := r.BaseDelay << (n - 1); b>>(n-1) == r.BaseDelay && b < d {
			d = b
		}
	}
	return d/2 + rand.N(d/2+1)
}

// retryable reports whether attempt's error err is worth another attempt.
// atCommit says err is COMMIT's.
func (r *Retry) retryable(db *DB, err error, atCommit bool) bool {
	if errors.Is(err, ErrCommitOutcomeUnknown) {
		// The COMMIT may have been applied: running fn again could
		// apply it twice.
		return false
	}
	c := db.conflictOf(err)
	if c == nil {
		// Not reported by the database as a conflict: for a COMMIT, the
		// outcome may be unknown; in any case, no new attempt helps.
		return false
	}
	// At COMMIT, c is a conflict the database reported for the COMMIT
	// itself: it did not commit, so a new attempt cannot apply fn twice.
	switch c.Kind {
	case dialects.SerializationFailure, dialects.Deadlock, dialects.Busy:
		return true
	case dialects.LockTimeout:
		return r.LockTimeouts
	}
	return false
}

// transaction is DB.Transaction: it runs fn in a transaction configured
// by opts, again while WithRetry says so.
func (db *DB) transaction(ctx context.Context, fn func(tx *Session) error, opts []TxOption) error {
	if len(opts) == 0 {
		// Without options cfg is not needed: the options' calls with
		// &cfg would move it to the heap on every transaction.
		_, err := db.runTx(ctx, nil, fn)
		return err
	}
	var cfg txConfig
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	txOpts := &cfg.opts
	if cfg.opts == (sql.TxOptions{}) {
		txOpts = nil
	}
	if cfg.retry == nil {
		_, err := db.runTx(ctx, txOpts, fn)
		return err
	}
	r, err := cfg.retry.withDefaults()
	if err != nil {
		return fmt.Errorf("orm: transaction: WithRetry: %w", err)
	}
	for attempt := 1; ; attempt++ {
		atCommit, err := db.runTx(ctx, txOpts, fn)
		if err == nil || !r.retryable(db, err, atCommit) {
			return err
		}
		if attempt >= r.MaxAttempts {
			return fmt.Errorf("orm: transaction: gave up after %d attempts: %w", attempt, err)
		}
		wait := r.wait(attempt)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return fmt.Errorf("orm: transaction: gave up after %d attempts: the next would start after the context's deadline: %w", attempt, err)
		}
		if r.OnRetry != nil {
			r.OnRetry(attempt, err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("orm: transaction: %w while waiting to retry after %d attempts; the last failed with: %w", ctx.Err(), attempt, err)
		}
	}
}

// noteConflict records in s the first serialization failure or deadlock
// a statement of the transaction met: after one, the database has aborted
// the transaction (PostgreSQL) or rolled it back (MySQL/MariaDB, whose
// later statements would then run and commit on their own, outside any
// transaction), so later statements are refused and Transaction does not
// commit.
func (s *Session) noteConflict(err error) {
	if s.conflict != nil {
		return
	}
	if c := s.db.conflictOf(err); c != nil && (c.Kind == dialects.SerializationFailure || c.Kind == dialects.Deadlock) {
		s.conflict = c
	}
}

// aborted is the error of a statement (or commit) refused after
// s.conflict.
func (s *Session) aborted() error {
	return fmt.Errorf("orm: transaction aborted by an earlier %s, run it again from the start: %w", s.conflict.Kind, s.conflict)
}
