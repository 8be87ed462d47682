package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/tagorm/orm/dialects"
)

var (
	_ dialects.ConnectorDialect   = Dialect{}
	_ dialects.ServerErrorDialect = Dialect{}
)

// Connector implements dialects.ConnectorDialect: it returns a pgx
// stdlib connector for dsn (stdlib.GetConnector) whose pooled
// connections are checked each time database/sql hands one out again.
//
// pgx's own check (stdlib's ResetSession) pings the server only when the
// connection was last handed out more than a second ago; a connection
// the network or the server closed within that second is used as if it
// were alive, and the statement fails with "unexpected EOF" although it
// never reached the server. The connector adds a check that costs no
// round trip: a non-blocking peek at the connection's socket, which
// finds the end of stream (or an error, or on a connection without TLS
// any byte: an idle PostgreSQL connection is sent nothing but a
// terminating error or a notification) that a closed connection leaves
// there. Such a connection is reported to database/sql as
// driver.ErrBadConn, which discards it and runs the statement on another
// connection. On platforms without the peek the check is pgx's alone.
//
// A pool opened otherwise (sql.Open("pgx", dsn) given to orm.New) works
// as well, without that check.
func (Dialect) Connector(dsn string) (driver.Connector, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres DSN: %w", err)
	}
	return stdlib.GetConnector(*cfg, stdlib.OptionResetSession(checkIdle)), nil
}

// checkIdle reports driver.ErrBadConn when c's connection is closed (see
// Connector).
func checkIdle(_ context.Context, c *pgx.Conn) error {
	if err := peekConn(c.PgConn().Conn()); err != nil {
		return fmt.Errorf("postgres: pooled connection closed: %w: %w", driver.ErrBadConn, err)
	}
	return nil
}

// IsServerError implements dialects.ServerErrorDialect: err is (or
// wraps) a *pgconn.PgError, the server's ErrorResponse.
func (Dialect) IsServerError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe)
}
