package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/tagorm/orm/dialects"
)

var _ dialects.Locker = Dialect{}

// lockName is the GET_LOCK name of the current database, cut to the
// 64 characters MySQL allows: migrations of different databases on one
// server do not wait for each other.
const lockName = `LEFT(CONCAT('tagorm_migrate:', DATABASE()), 64)`

// Lock takes the named lock GET_LOCK('tagorm_migrate:<database>') on
// conn, waiting at most timeout (0: until ctx is done). Release runs
// RELEASE_LOCK; closing the connection releases it too. DDL is not
// transactional on MySQL: the lock is not a transaction.
func (Dialect) Lock(ctx context.Context, conn dialects.SessionConn, timeout time.Duration) (*dialects.Lock, error) {
	secs := int64(365 * 24 * 3600)
	if timeout > 0 {
		secs = int64(math.Ceil(timeout.Seconds()))
	}
	if dl, ok := ctx.Deadline(); ok {
		secs = min(secs, max(int64(math.Ceil(time.Until(dl).Seconds())), 0))
	}
	var got sql.NullInt64
	// The timeout is inlined: a bind parameter would cost a prepared
	// statement (two more round trips) without interpolateParams.
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK("+lockName+", "+strconv.FormatInt(secs, 10)+")").Scan(&got); err != nil {
		dialects.DiscardConn(conn)
		return nil, fmt.Errorf("mysql: GET_LOCK: %w", err)
	}
	if !got.Valid || got.Int64 != 1 {
		return nil, fmt.Errorf("mysql: GET_LOCK: the migration lock is held by another session (waited %ds)", secs)
	}
	return dialects.NewLock(false, func(ctx context.Context) error {
		var rel sql.NullInt64
		if err := conn.QueryRowContext(ctx, "SELECT RELEASE_LOCK("+lockName+")").Scan(&rel); err != nil {
			return fmt.Errorf("mysql: RELEASE_LOCK: %w", err)
		}
		if !rel.Valid || rel.Int64 != 1 {
			return fmt.Errorf("mysql: RELEASE_LOCK: the migration lock was not held")
		}
		return nil
	}), nil
}
