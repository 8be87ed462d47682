package dialects

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"
)

// ReadOnlyTxDialect is an optional interface of a Dialect whose driver
// ignores sql.TxOptions.ReadOnly (mattn/go-sqlite3 begins an ordinary
// transaction): it gives the statements that make a connection refuse
// writes and writable again, which EnforceReadOnly runs around such a
// transaction.
type ReadOnlyTxDialect interface {
	Dialect
	// ReadOnlyTx returns the statement that makes the connection refuse
	// writes (on) and the one that undoes it (off).
	ReadOnlyTx() (on, off string)
}

// NeedsReadOnly reports whether a transaction begun with opts must be
// made read-only by EnforceReadOnly: opts asks for ReadOnly and d's
// driver would ignore it.
func NeedsReadOnly(d Dialect, opts *sql.TxOptions) bool {
	_, ok := d.(ReadOnlyTxDialect)
	return ok && opts != nil && opts.ReadOnly
}

// EnforceReadOnly makes tx, a transaction just begun on conn (a
// connection the caller reserved with sql.DB's Conn for it), refuse
// writes, for a dialect whose driver ignores sql.TxOptions.ReadOnly (see
// NeedsReadOnly). It runs the dialect's statement inside the transaction,
// since a connection made read-only first could not begin one that takes
// the write lock (SQLite's BEGIN IMMEDIATE).
//
// release must be called once the transaction has ended, committed or
// rolled back (by the caller, or by database/sql when its context was
// cancelled): it makes the connection writable again and closes conn,
// returning it to the pool, or discarding it when it cannot be made
// writable, so that no pooled connection stays read-only. On error, tx is
// rolled back and conn closed. Both statements are logged with log (which
// may be nil).
func EnforceReadOnly(ctx context.Context, d Dialect, conn *sql.Conn, tx *sql.Tx, log *StatementLogger) (release func() error, err error) {
	rd, ok := d.(ReadOnlyTxDialect)
	if !ok {
		return conn.Close, nil
	}
	on, off := rd.ReadOnlyTx()
	start := time.Now()
	_, err = tx.ExecContext(ctx, on)
	log.Log(ctx, on, nil, time.Since(start), err)
	if err != nil {
		// Possibly half done: never give the connection back.
		return nil, errors.Join(fmt.Errorf("read-only transaction: %w", err), tx.Rollback(), discard(conn))
	}
	return func() error {
		// Not the transaction's context: it may be cancelled already.
		start := time.Now()
		_, err := conn.ExecContext(context.Background(), off)
		if !errors.Is(err, sql.ErrConnDone) {
			log.Log(ctx, off, nil, time.Since(start), err)
		}
		if errors.Is(err, sql.ErrConnDone) {
			// database/sql discarded the connection when the
			// transaction's context ended: no pooled connection is
			// left read-only.
			return nil
		}
		if err != nil {
			return errors.Join(fmt.Errorf("end of read-only transaction: %w", err), discard(conn))
		}
		if err := conn.Close(); !errors.Is(err, sql.ErrConnDone) {
			return err
		}
		return nil
	}, nil
}

// discard closes conn and has database/sql drop its driver connection
// instead of returning it to the pool.
func discard(conn *sql.Conn) error {
	err := conn.Raw(func(any) error { return driver.ErrBadConn })
	if errors.Is(err, driver.ErrBadConn) {
		err = nil
	}
	return errors.Join(err, conn.Close())
}
