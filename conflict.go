package orm

import (
	"errors"
	"fmt"

	"github.com/tagorm/orm/dialects"
)

// Transaction conflicts: errors caused by concurrent transactions, which
// running the whole transaction again may not meet. Every error tagorm
// returns for one wraps a *ConflictError, which matches ErrConflict and
// the sentinel of its kind; errors.As still reaches the driver's error
// (*pgconn.PgError, *mysql.MySQLError, sqlite3.Error).
//
// Transaction re-runs its function on ErrSerialization, ErrDeadlock and
// ErrBusy when given WithRetry (and on ErrLockTimeout when asked to).
var (
	// ErrConflict is matched by every *ConflictError.
	ErrConflict = errors.New("transaction conflict")
	// ErrSerialization: the transaction could not be serialized with
	// concurrent ones and was rolled back. PostgreSQL SQLSTATE 40001
	// (serialization_failure, at REPEATABLE READ and SERIALIZABLE, also
	// at COMMIT); MariaDB error 1020 (ER_CHECKREAD, "Record has changed
	// since last read", with innodb_snapshot_isolation).
	ErrSerialization = errors.New("serialization failure")
	// ErrDeadlock: the transaction was chosen as a deadlock victim and
	// was rolled back. PostgreSQL SQLSTATE 40P01 (deadlock_detected);
	// MySQL/MariaDB error 1213 (ER_LOCK_DEADLOCK), which is also how a
	// Galera cluster reports a certification conflict at COMMIT (the
	// transaction was not committed).
	ErrDeadlock = errors.New("deadlock")
	// ErrLockTimeout: a lock was not granted within the lock timeout, or
	// at once with NOWAIT. PostgreSQL SQLSTATE 55P03 (lock_not_available:
	// lock_timeout, NOWAIT), which aborts the transaction; MySQL/MariaDB
	// error 1205 (ER_LOCK_WAIT_TIMEOUT; also NOWAIT on MariaDB) and MySQL
	// 8's 3572 (ER_LOCK_NOWAIT), after which InnoDB has rolled back only
	// the statement (unless innodb_rollback_on_timeout is on).
	ErrLockTimeout = errors.New("lock timeout")
	// ErrBusy: SQLite could not lock the database (SQLITE_BUSY, including
	// SQLITE_BUSY_SNAPSHOT: a transaction that read a snapshot another
	// connection has since written cannot write; SQLITE_BUSY_RECOVERY,
	// SQLITE_BUSY_TIMEOUT) or a table of a shared cache (SQLITE_LOCKED,
	// SQLITE_LOCKED_SHAREDCACHE) within its busy timeout. The statement
	// failed; the transaction is still open until rolled back.
	ErrBusy = errors.New("database is busy")
)

// ConflictError is a transaction conflict reported by the database,
// recognised from any of the three drivers. It matches ErrConflict and the
// sentinel of its kind (ErrSerialization, ErrDeadlock, ErrLockTimeout or
// ErrBusy), and unwraps to the driver's error.
type ConflictError struct {
	Kind dialects.ErrorKind
	// Code is the database's code: the SQLSTATE on PostgreSQL ("40001"),
	// the error number on MySQL/MariaDB ("1213"), the extended result
	// code on SQLite ("SQLITE_BUSY_SNAPSHOT").
	Code string
	Err  error // the driver's error
}

// Error implements error.
func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s (%s): %v", e.Kind, e.Code, e.Err)
}

// Unwrap returns the driver's error.
func (e *ConflictError) Unwrap() error { return e.Err }

// Is matches ErrConflict and the sentinel of e's kind.
func (e *ConflictError) Is(target error) bool {
	switch target {
	case ErrConflict:
		return true
	case ErrSerialization:
		return e.Kind == dialects.SerializationFailure
	case ErrDeadlock:
		return e.Kind == dialects.Deadlock
	case ErrLockTimeout:
		return e.Kind == dialects.LockTimeout
	case ErrBusy:
		return e.Kind == dialects.Busy
	}
	return false
}

// conflictOf returns the transaction conflict err is or wraps, recognising
// a driver's error that did not go through tagorm (a statement run on
// Session.Tx, say), or nil.
func (db *DB) conflictOf(err error) *ConflictError {
	var ce *ConflictError
	if errors.As(err, &ce) {
		return ce
	}
	if info := db.dialect.ClassifyError(err); info != nil && info.Kind.Conflict() {
		return &ConflictError{Kind: info.Kind, Code: info.Code, Err: err}
	}
	return nil
}
