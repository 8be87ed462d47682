package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"github.com/tagorm/orm/dialects"
)

// Lock waits that honour the context.
//
// SQLite waits for a lock held by another connection in its busy handler,
// inside the C library, for up to the connection's busy timeout; neither
// the context nor sqlite3_interrupt (which go-sqlite3 calls when the
// context ends) cuts that wait short. So the connections of a pool opened
// with Connector get a busy timeout of busySlice only, and the connector
// repeats, in Go, a statement that failed with SQLITE_BUSY for as long as
// the DSN's busy timeout (_busy_timeout or _timeout; 5 s without either)
// lasts, checking the context between attempts. A call therefore waits
// for a lock as long as before, and takes turns with concurrent writers
// as before, but returns within about busySlice of its context's end.
//
// Only what SQLite reports had no effect is repeated:
//
//   - BEGIN (DEFERRED, IMMEDIATE or EXCLUSIVE): a busy BEGIN began nothing;
//   - COMMIT (and ROLLBACK): SQLite keeps the transaction open after a busy
//     COMMIT, and committing again is the documented way on;
//   - a single statement outside a transaction (autocommit): a busy
//     statement did not run. go-sqlite3 takes a query's first step in
//     QueryContext, which is where a read waits for its lock, so reads
//     are covered too; once a query has returned its rows it holds its
//     lock;
//   - the first statement of a transaction BeginTx began, when SQLite
//     left the transaction open: a deferred transaction holds no lock
//     before it (an IMMEDIATE one holds the write lock from BEGIN, so its
//     statements do not wait for other writers).
//
// A string of several statements is not repeated (those before the busy
// one were committed); nor is any later statement of a transaction, which
// SQLite says to roll back after SQLITE_BUSY (its locks may be what the
// other connection waits for): it fails after busySlice with the busy
// error (orm.ErrBusy), and the whole transaction can be run again
// (orm.WithRetry).
//
// Opening a connection, whose PRAGMAs may meet a lock (journal_mode=WAL),
// and preparing a statement (which may have to read the schema) are
// repeated the same way.
const busySlice = 50 * time.Millisecond

// busyPause is the least time between two attempts: SQLite returns
// SQLITE_BUSY without waiting when waiting could deadlock, or when the
// busy timeout is 0.
const busyPause = 2 * time.Millisecond

var _ dialects.ConnectorDialect = Dialect{}

// Connector implements dialects.ConnectorDialect: the pools orm.Open and
// orm.OpenURL open on SQLite use it. Its connections wait for locks in Go
// rather than in SQLite's busy handler, so that a statement waiting for a
// lock returns within about 50 ms of its context's end, instead of
// waiting the whole busy timeout (see the comment of busySlice in the
// source for what is waited for and what is not). The busy timeout of dsn
// (_busy_timeout or _timeout, in milliseconds; 5000 without either, as
// go-sqlite3 does) stays the longest a statement waits.
//
// A pool opened with sql.OpenDB(sqlite.Dialect{}.Connector(dsn)) and given
// to orm.New gets the same; one opened with sql.Open("sqlite3", dsn) waits
// in SQLite, past its context's deadline.
//
// Conn.Raw receives the connector's connection, whose Unwrap method
// returns the driver's *sqlite3.SQLiteConn (for RegisterFunc, Backup, ...).
func (Dialect) Connector(dsn string) (driver.Connector, error) {
	return newConnector(dsn), nil
}

// connector opens go-sqlite3 connections with busySlice as their busy
// timeout and budget as the time to wait for a lock.
type connector struct {
	dsn    string
	budget time.Duration
}

// sqliteDriver is go-sqlite3's driver, as registered under "sqlite3".
var sqliteDriver = &sqlite3.SQLiteDriver{}

func newConnector(dsn string) *connector {
	driverDSN, budget, ok := sliceBusyTimeout(dsn)
	if !ok {
		// go-sqlite3 reports the bad value when it opens the DSN.
		return &connector{dsn: dsn}
	}
	return &connector{dsn: driverDSN, budget: budget}
}

// sliceBusyTimeout returns dsn with its busy timeout replaced by
// min(busy timeout, busySlice), and the busy timeout; ok is false when
// the busy timeout does not parse. It reads the DSN as go-sqlite3 does:
// parameters after the first "?", _timeout winning over _busy_timeout,
// 5 s without either, a negative timeout meaning none. The other
// parameters are kept byte for byte.
func sliceBusyTimeout(dsn string) (driverDSN string, budget time.Duration, ok bool) {
	base, rawq, _ := strings.Cut(dsn, "?")
	q, _ := url.ParseQuery(rawq) // go-sqlite3 keeps what parses
	ms := int64(5000)
	for _, key := range []string{"_busy_timeout", "_timeout"} {
		if v := q.Get(key); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return dsn, 0, false
			}
			ms = n
		}
	}
	budget = time.Duration(max(ms, 0)) * time.Millisecond
	var b strings.Builder
	b.WriteString(base)
	b.WriteByte('?')
	for kv := range strings.SplitSeq(rawq, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if kv == "" || k == "_busy_timeout" || k == "_timeout" {
			continue
		}
		b.WriteString(kv)
		b.WriteByte('&')
	}
	b.WriteString("_busy_timeout=")
	b.WriteString(strconv.FormatInt(min(budget, busySlice).Milliseconds(), 10))
	return b.String(), budget, true
}

// Connect opens a connection, again while the database is locked (its
// PRAGMAs may need a lock), within ctx and the busy timeout.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	var w busyWait
	for {
		dc, err := sqliteDriver.Open(c.dsn)
		if err == nil {
			sc, ok := dc.(*sqlite3.SQLiteConn)
			if !ok {
				return dc, nil
			}
			return &conn{SQLiteConn: sc, budget: c.budget}, nil
		}
		if !w.again(ctx, c.budget, &err) {
			return nil, err
		}
	}
}

// Driver returns a driver whose connections are the connector's, for
// database/sql's DB.Driver.
func (c *connector) Driver() driver.Driver { return busyDriver{} }

// busyDriver opens connections as Connector's do.
type busyDriver struct{}

func (busyDriver) Open(dsn string) (driver.Conn, error) {
	return newConnector(dsn).Connect(context.Background())
}

func (busyDriver) OpenConnector(dsn string) (driver.Connector, error) {
	return newConnector(dsn), nil
}

// busyWait decides whether an attempt that failed is repeated.
type busyWait struct {
	first time.Time // when the first attempt failed busy
	last  time.Time // when the last attempt failed busy
	busy  error     // the last busy error
}

// again reports whether the attempt whose error is *err is to be made
// again: *err is SQLITE_BUSY, ctx has not ended, and the database has not
// been locked for budget yet. When ctx ended while the attempts waited
// (go-sqlite3 then reports the context's error, or SQLite's busy error),
// *err becomes ctx's error wrapping the busy error.
func (w *busyWait) again(ctx context.Context, budget time.Duration, err *error) bool {
	if !isBusy(*err) {
		if cerr := ctx.Err(); w.busy != nil && cerr != nil && errors.Is(*err, cerr) {
			*err = w.timedOut(cerr)
		}
		return false
	}
	now := time.Now()
	w.busy = *err
	if w.first.IsZero() {
		// The first attempt waited up to busySlice already.
		w.first = now.Add(-min(budget, busySlice))
	}
	if cerr := ctx.Err(); cerr != nil {
		*err = w.timedOut(cerr)
		return false
	}
	if now.Sub(w.first) >= budget {
		return false // the busy timeout is spent: SQLite's error as it is
	}
	if !w.last.IsZero() && now.Sub(w.last) < busyPause {
		t := time.NewTimer(busyPause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			*err = w.timedOut(ctx.Err())
			return false
		}
	}
	w.last = time.Now()
	return true
}

// timedOut is the error of attempts cut short by the end of their
// context (cerr, its error): both cerr and the last busy error match it.
func (w *busyWait) timedOut(cerr error) error {
	return fmt.Errorf("sqlite: %w after waiting %v for a lock: %w", cerr, time.Since(w.first).Round(time.Millisecond), w.busy)
}

// isBusy reports whether err is SQLITE_BUSY (any extended code).
func isBusy(err error) bool {
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrBusy
	}
	var pse *sqlite3.Error
	return errors.As(err, &pse) && pse != nil && pse.Code == sqlite3.ErrBusy
}

// conn is a go-sqlite3 connection whose lock waits end with the context
// (see busySlice). database/sql serialises the calls on a connection.
type conn struct {
	*sqlite3.SQLiteConn
	budget time.Duration
	// txCtx is BeginTx's context while a transaction BeginTx began is
	// open, nil otherwise.
	txCtx context.Context
	// txFresh is set while no statement has run in that transaction.
	txFresh bool
}

// stmtState is where a statement runs, as it affects repeating it.
type stmtState uint8

const (
	inTx       stmtState = iota // in a transaction, after other statements
	autocommit                  // outside a transaction
	firstInTx                   // first in a transaction BeginTx began
)

// Unwrap returns the driver's connection.
func (c *conn) Unwrap() *sqlite3.SQLiteConn { return c.SQLiteConn }

// state returns where the next statement runs, asked before it runs:
// SQLite may roll a transaction back on SQLITE_BUSY, after which it
// reports autocommit even though the statement was part of one.
func (c *conn) state() stmtState {
	switch {
	case c.txCtx != nil && c.txFresh:
		c.txFresh = false
		return firstInTx
	case c.txCtx != nil:
		return inTx
	case c.SQLiteConn.AutoCommit():
		return autocommit
	}
	return inTx // a transaction begun with a BEGIN statement
}

// repeatable reports whether query, run in state st, which failed with
// SQLITE_BUSY, may be run again: a single statement outside a
// transaction, or first in one that SQLite left open; COMMIT, END and
// ROLLBACK in a transaction.
func (c *conn) repeatable(query string, st stmtState) bool {
	switch st {
	case autocommit:
		return singleStatement(query)
	case firstInTx:
		return singleStatement(query) && !c.SQLiteConn.AutoCommit()
	}
	return endsTransaction(query)
}

// ExecContext runs query, again while it fails busy and may be repeated.
func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	st := c.state()
	res, err := c.SQLiteConn.ExecContext(ctx, query, args)
	if err == nil || !isBusy(err) || !c.repeatable(query, st) {
		return res, err
	}
	var w busyWait
	for w.again(ctx, c.budget, &err) {
		res, err = c.SQLiteConn.ExecContext(ctx, query, args)
	}
	return res, err
}

// QueryContext runs query, again while its first step fails busy and it
// may be repeated.
func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	st := c.state()
	rows, err := c.SQLiteConn.QueryContext(ctx, query, args)
	if err == nil || !isBusy(err) || !c.repeatable(query, st) {
		return rows, err
	}
	var w busyWait
	for w.again(ctx, c.budget, &err) {
		rows, err = c.SQLiteConn.QueryContext(ctx, query, args)
	}
	return rows, err
}

// PrepareContext prepares query, again while it fails busy (preparing
// reads the schema, which takes a lock, and changes nothing).
func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	ds, err := c.SQLiteConn.PrepareContext(ctx, query)
	var w busyWait
	for err != nil && w.again(ctx, c.budget, &err) {
		ds, err = c.SQLiteConn.PrepareContext(ctx, query)
	}
	if err != nil {
		return nil, err
	}
	if ss, ok := ds.(*sqlite3.SQLiteStmt); ok {
		return &stmt{SQLiteStmt: ss, c: c, query: query}, nil
	}
	return ds, nil
}

// Prepare is PrepareContext with a context that never ends.
func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// BeginTx begins a transaction, again while BEGIN fails busy.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	_, err := c.SQLiteConn.BeginTx(ctx, opts)
	var w busyWait
	for err != nil && w.again(ctx, c.budget, &err) {
		_, err = c.SQLiteConn.BeginTx(ctx, opts)
	}
	if err != nil {
		return nil, err
	}
	// go-sqlite3's transaction is nothing but COMMIT and ROLLBACK on
	// the connection: c's replace it.
	c.txCtx, c.txFresh = ctx, true
	return (*connTx)(c), nil
}

// Begin is BeginTx with a context that never ends.
func (c *conn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// connTx is the transaction BeginTx began on the connection.
type connTx conn

// Commit commits, again while COMMIT fails busy (SQLite keeps the
// transaction open), within BeginTx's context and the busy timeout. Each
// COMMIT runs to its end (only its lock wait is bounded), so that its
// outcome is known: when Commit gives up, it rolls back, and the error
// wraps SQLite's busy error (and the context's error when the context
// ended).
func (t *connTx) Commit() error {
	c := (*conn)(t)
	ctx := c.txCtx
	c.txCtx = nil
	err := c.end(ctx, "COMMIT")
	if err != nil {
		// SQLite may have left the transaction open (a busy COMMIT, a
		// deferred foreign key violation); database/sql takes it as
		// ended.
		if rerr := c.end(context.Background(), "ROLLBACK"); rerr != nil && !c.SQLiteConn.AutoCommit() {
			// Still open: the connection must not be reused.
			return errors.Join(err, rerr, driver.ErrBadConn)
		}
	}
	return err
}

// Rollback rolls back, again while ROLLBACK fails busy, within the busy
// timeout (database/sql rolls back once the transaction's context has
// ended).
func (t *connTx) Rollback() error {
	c := (*conn)(t)
	c.txCtx = nil
	return c.end(context.Background(), "ROLLBACK")
}

// end runs COMMIT or ROLLBACK, again while it fails busy, within ctx and
// the busy timeout. The statement itself runs with no context: an
// interrupted COMMIT would leave its outcome to guess.
func (c *conn) end(ctx context.Context, query string) error {
	_, err := c.SQLiteConn.ExecContext(context.Background(), query, nil)
	var w busyWait
	for err != nil && w.again(ctx, c.budget, &err) {
		_, err = c.SQLiteConn.ExecContext(context.Background(), query, nil)
	}
	return err
}

// stmt is a prepared statement of a conn, run again while it fails busy
// and may be repeated (see conn.ExecContext). go-sqlite3 runs the first
// statement of query only.
type stmt struct {
	*sqlite3.SQLiteStmt
	c     *conn
	query string
}

func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	st := s.c.state()
	res, err := s.SQLiteStmt.ExecContext(ctx, args)
	if err == nil || !isBusy(err) || !s.c.repeatable(s.query, st) {
		return res, err
	}
	var w busyWait
	for w.again(ctx, s.c.budget, &err) {
		res, err = s.SQLiteStmt.ExecContext(ctx, args)
	}
	return res, err
}

func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	st := s.c.state()
	rows, err := s.SQLiteStmt.QueryContext(ctx, args)
	if err == nil || !isBusy(err) || !s.c.repeatable(s.query, st) {
		return rows, err
	}
	var w busyWait
	for w.again(ctx, s.c.budget, &err) {
		rows, err = s.SQLiteStmt.QueryContext(ctx, args)
	}
	return rows, err
}

// singleStatement reports whether query holds at most one statement, as
// SQLite reads it (dialects.SecondStatement): a failed single statement
// outside a transaction did not run, so it may be repeated.
func singleStatement(query string) bool {
	return dialects.SecondStatement(Dialect{}, query) < 0
}

// endsTransaction reports whether query is COMMIT, END or ROLLBACK, with
// an optional TRANSACTION and semicolon.
func endsTransaction(query string) bool {
	q := strings.TrimSpace(strings.TrimRight(strings.TrimSpace(query), ";"))
	word, rest, _ := strings.Cut(q, " ")
	rest = strings.TrimSpace(rest)
	if rest != "" && !strings.EqualFold(rest, "TRANSACTION") {
		return false
	}
	return strings.EqualFold(word, "COMMIT") || strings.EqualFold(word, "END") || strings.EqualFold(word, "ROLLBACK")
}
