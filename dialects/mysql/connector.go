package mysql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/go-sql-driver/mysql"

	"github.com/tagorm/orm/dialects"
)

var (
	_ dialects.ConnectorDialect   = Dialect{}
	_ dialects.TxCommitter        = Dialect{}
	_ dialects.ServerErrorDialect = Dialect{}
)

// Connector implements dialects.ConnectorDialect: it returns a
// go-sql-driver/mysql connector for dsn whose transactions end within
// the context they were begun with.
//
// database/sql's Tx.Commit and Tx.Rollback take no context, and the
// driver's driver.Tx sends COMMIT and ROLLBACK without watching one, so
// a server that stops answering keeps the caller blocked until TCP gives
// up, whatever its deadline. The connector's transactions send the same
// COMMIT (or ROLLBACK) as a statement of the connection, through the
// driver's ExecContext with the BeginTx context, so that the driver's
// context watcher applies: when the context ends first, the driver
// closes the connection and the call returns at once. That costs
// nothing: the same single packet and round trip as the driver's own
// Commit. A COMMIT interrupted that way may or may not have taken effect
// on the server (the caller learns so from orm's
// ErrCommitOutcomeUnknown); a COMMIT or ROLLBACK not sent because the
// context had ended already reports driver.ErrBadConn, so that
// database/sql discards the connection and the server rolls back.
func (Dialect) Connector(dsn string) (driver.Connector, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("mysql DSN: %w", err)
	}
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return connector{c}, nil
}

// CommitTx implements dialects.TxCommitter. On a pool opened with
// Connector it is tx.Commit. On any other pool (an *sql.DB given to
// orm.New) it runs COMMIT as a statement of tx, which the driver bounds
// by ctx, and then ends tx with database/sql's Commit, which sends a
// second, empty COMMIT: one more round trip, the price of a pool
// tagorm did not open.
func (Dialect) CommitTx(ctx context.Context, db *sql.DB, tx *sql.Tx) error {
	if _, ok := db.Driver().(boundedDriver); ok {
		return tx.Commit()
	}
	if _, err := tx.ExecContext(ctx, "COMMIT"); err != nil {
		_ = tx.Rollback()
		return err
	}
	_ = tx.Commit() // nothing is left to commit
	return nil
}

// IsServerError implements dialects.ServerErrorDialect: err is (or
// wraps) a *mysql.MySQLError, the server's error packet.
func (Dialect) IsServerError(err error) bool {
	var me *mysql.MySQLError
	return errors.As(err, &me)
}

// connector wraps the driver's connector so that its connections are
// conns.
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return wrapConn(dc), nil
}

func (c connector) Driver() driver.Driver { return boundedDriver{c.Connector.Driver()} }

// boundedDriver is the driver of a connector's pool (sql.DB.Driver), by
// which CommitTx recognises it.
type boundedDriver struct{ driver.Driver }

func (d boundedDriver) Open(dsn string) (driver.Conn, error) {
	dc, err := d.Driver.Open(dsn)
	if err != nil {
		return nil, err
	}
	return wrapConn(dc), nil
}

// fullConn is every interface the driver's connection implements; conn
// must forward each, or database/sql would fall back to slower paths
// (preparing every statement, converting arguments itself).
type fullConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
	driver.NamedValueChecker
}

// conn is a driver connection whose transactions end within their
// context (see Connector).
type conn struct {
	fullConn
	// bad is set when a COMMIT or ROLLBACK failed without the server's
	// reply: the connection's transaction state is unknown, so it must
	// never be reused.
	bad atomic.Bool
}

func wrapConn(dc driver.Conn) driver.Conn {
	fc, ok := dc.(fullConn)
	if !ok {
		return dc
	}
	return &conn{fullConn: fc}
}

// Begin is BeginTx with a context that never ends.
func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if _, err := c.fullConn.BeginTx(ctx, opts); err != nil {
		return nil, err
	}
	// The driver's transaction holds nothing but its connection: it is
	// replaced by one that ends on c within ctx.
	return &tx{ctx: ctx, c: c}, nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	if c.bad.Load() {
		return driver.ErrBadConn
	}
	return c.fullConn.ResetSession(ctx)
}

func (c *conn) IsValid() bool { return !c.bad.Load() && c.fullConn.IsValid() }

// tx is a transaction on a conn, begun with ctx.
type tx struct {
	ctx context.Context
	c   *conn
}

func (t *tx) Commit() error   { return t.end("COMMIT") }
func (t *tx) Rollback() error { return t.end("ROLLBACK") }

// end sends stmt (COMMIT or ROLLBACK) within t.ctx.
func (t *tx) end(stmt string) error {
	if err := t.ctx.Err(); err != nil {
		// Not sent: discarding the connection rolls the transaction back.
		t.c.bad.Store(true)
		return fmt.Errorf("mysql: %s not sent: %w: %w", stmt, driver.ErrBadConn, err)
	}
	_, err := t.c.ExecContext(t.ctx, stmt, nil)
	if err != nil && !(Dialect{}).IsServerError(err) {
		t.c.bad.Store(true)
	}
	return err
}
