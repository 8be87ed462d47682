package dialects

import (
	"context"
	"database/sql/driver"
	"time"
)

// Locker is implemented by dialects that can serialise migrations across
// processes: PostgreSQL with a session-level advisory lock, MySQL with
// GET_LOCK, SQLite with a write transaction (BEGIN IMMEDIATE).
//
// It is optional; the migration package discovers it with a type
// assertion and refuses to migrate without it.
type Locker interface {
	// Lock takes the migration lock of the current schema (PostgreSQL:
	// current_schema(); MySQL: DATABASE(); SQLite: the database file) on
	// conn, waiting until it is free, timeout has passed or ctx is done.
	// conn is a *sql.Conn, or one wrapped to log its statements
	// (StatementLogger.Conn): Lock and the returned Lock's release run
	// every statement through it.
	//
	// When the returned Lock's InTransaction is set, the lock is a
	// transaction Lock began on conn: the caller runs the migration on
	// conn and ends it with COMMIT or ROLLBACK, which releases the lock.
	// Otherwise the caller calls Release when done.
	Lock(ctx context.Context, conn SessionConn, timeout time.Duration) (*Lock, error)
}

// Lock is a held migration lock.
type Lock struct {
	// InTransaction reports that the lock is a transaction begun on the
	// connection (SQLite); Release then does nothing.
	InTransaction bool
	release       func(context.Context) error
}

// NewLock returns a Lock released by release (nil: nothing to release).
func NewLock(inTransaction bool, release func(context.Context) error) *Lock {
	return &Lock{InTransaction: inTransaction, release: release}
}

// Release releases the lock. When it fails, the connection is marked bad
// (closed rather than returned to the pool), which releases a
// session-level lock for sure.
func (l *Lock) Release(ctx context.Context, conn SessionConn) error {
	if l == nil || l.release == nil {
		return nil
	}
	err := l.release(ctx)
	if err != nil {
		DiscardConn(conn)
	}
	return err
}

// DiscardConn makes database/sql close conn instead of returning it to
// the pool, e.g. when session state (a lock, a PRAGMA) could not be
// restored.
func DiscardConn(conn SessionConn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}
