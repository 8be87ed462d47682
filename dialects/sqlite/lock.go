package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/tagorm/orm/dialects"
)

var _ dialects.Locker = Dialect{}

// Lock begins a write transaction with BEGIN IMMEDIATE on conn: SQLite
// lets one writer at a time hold it, so the migration's own transaction
// is the lock. While another process holds it, BEGIN waits for the DSN's
// busy timeout and is retried until timeout (0: until ctx is done). The
// caller ends the transaction with COMMIT or ROLLBACK. On a pool opened
// with Connector, a BEGIN waits no longer than timeout.
func (Dialect) Lock(ctx context.Context, conn dialects.SessionConn, timeout time.Duration) (*dialects.Lock, error) {
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(timeout)
	}
	wait := 5 * time.Millisecond
	for {
		_, err := beginBefore(ctx, conn, deadline)
		if err == nil {
			return dialects.NewLock(true, nil), nil
		}
		var se sqlite3.Error
		if !errors.As(err, &se) || (se.Code != sqlite3.ErrBusy && se.Code != sqlite3.ErrLocked) {
			return nil, fmt.Errorf("sqlite: BEGIN IMMEDIATE: %w", err)
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			return nil, fmt.Errorf("sqlite: BEGIN IMMEDIATE: the database stayed locked for %v: %w", timeout, se)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("sqlite: BEGIN IMMEDIATE: %w", ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// beginBefore runs BEGIN IMMEDIATE on conn, waiting for the lock until
// deadline at the latest (when it is set) on a Connector's connection.
func beginBefore(ctx context.Context, conn dialects.SessionConn, deadline time.Time) (sql.Result, error) {
	if deadline.IsZero() {
		return conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	}
	bctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	return conn.ExecContext(bctx, "BEGIN IMMEDIATE")
}
