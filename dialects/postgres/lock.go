package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/tagorm/orm/dialects"
)

var _ dialects.Locker = Dialect{}

// lockKey is the advisory lock key of the current schema: migrations of
// different schemas of one database do not wait for each other.
const lockKey = `hashtextextended('tagorm_migrate:' || current_schema(), 0)`

// Lock takes a session-level advisory lock (pg_advisory_lock) keyed by
// the current schema on conn, waiting at most timeout (0: until ctx is
// done). The lock is not a transaction: Release runs
// pg_advisory_unlock, and closing the connection releases it too.
func (Dialect) Lock(ctx context.Context, conn dialects.SessionConn, timeout time.Duration) (*dialects.Lock, error) {
	lctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		lctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	if _, err := conn.ExecContext(lctx, "SELECT pg_advisory_lock("+lockKey+")"); err != nil {
		dialects.DiscardConn(conn) // a cancelled wait may leave the lock granted later
		return nil, fmt.Errorf("postgres: pg_advisory_lock: %w", err)
	}
	return dialects.NewLock(false, func(ctx context.Context) error {
		var ok bool
		if err := conn.QueryRowContext(ctx, "SELECT pg_advisory_unlock("+lockKey+")").Scan(&ok); err != nil {
			return fmt.Errorf("postgres: pg_advisory_unlock: %w", err)
		}
		if !ok {
			return fmt.Errorf("postgres: pg_advisory_unlock: the migration lock was not held")
		}
		return nil
	}), nil
}
