package dbtest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"slices"
	"sync"
	"testing"
)

// Recorder records the statements a pool hands to its database/sql
// driver: the SQL text of every Exec and Query the driver runs (directly
// or through a prepared statement), and BEGIN, COMMIT and ROLLBACK for
// the transactions it begins and ends. It is what the server receives,
// less the driver's own connection set-up, so that a test can compare
// what tagorm logs with what it sends. Safe for concurrent use.
type Recorder struct {
	mu    sync.Mutex
	stmts []string
}

// Statements returns the statements recorded so far, in order.
func (r *Recorder) Statements() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.stmts)
}

// Reset forgets the statements recorded so far.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = nil
}

func (r *Recorder) add(query string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stmts = append(r.stmts, query)
}

// OpenRecorded opens another pool on db's database whose driver
// connections record every statement in the returned Recorder. The pool
// is closed when the test ends.
func (db *DB) OpenRecorded(t testing.TB) (*sql.DB, *Recorder) {
	t.Helper()
	probe, err := sql.Open(db.DriverName, db.DSN)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", db.DriverName, err)
	}
	drv := probe.Driver()
	_ = probe.Close()
	var inner driver.Connector = dsnConnector{dsn: db.DSN, drv: drv}
	if dc, ok := drv.(driver.DriverContext); ok {
		if inner, err = dc.OpenConnector(db.DSN); err != nil {
			t.Fatalf("dbtest: connector for %s: %v", db.DriverName, err)
		}
	}
	r := &Recorder{}
	pool := sql.OpenDB(recConnector{inner: inner, r: r})
	pool.SetMaxOpenConns(8)
	t.Cleanup(func() { _ = pool.Close() })
	return pool, r
}

type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

type recConnector struct {
	inner driver.Connector
	r     *Recorder
}

func (c recConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &recConn{inner: conn, r: c.r}, nil
}

func (c recConnector) Driver() driver.Driver { return c.inner.Driver() }

// recConn passes everything to the driver's connection, recording the
// statements; it implements every optional interface database/sql looks
// for, falling back to what database/sql would do without it.
type recConn struct {
	inner driver.Conn
	r     *Recorder
}

func (c *recConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *recConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	var st driver.Stmt
	var err error
	if p, ok := c.inner.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = c.inner.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &recStmt{inner: st, conn: c, query: query}, nil
}

func (c *recConn) Close() error { return c.inner.Close() }

func (c *recConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *recConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.r.add("BEGIN")
	var tx driver.Tx
	var err error
	if b, ok := c.inner.(driver.ConnBeginTx); ok {
		tx, err = b.BeginTx(ctx, opts)
	} else {
		//lint:ignore SA1019 the driver has nothing else
		tx, err = c.inner.Begin()
	}
	if err != nil {
		return nil, err
	}
	return recTx{inner: tx, r: c.r}, nil
}

func (c *recConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.inner.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := e.ExecContext(ctx, query, args)
	if err != driver.ErrSkip {
		c.r.add(query)
	}
	return res, err
}

func (c *recConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.inner.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err != driver.ErrSkip {
		c.r.add(query)
	}
	return rows, err
}

func (c *recConn) Ping(ctx context.Context) error {
	if p, ok := c.inner.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *recConn) ResetSession(ctx context.Context) error {
	if s, ok := c.inner.(driver.SessionResetter); ok {
		return s.ResetSession(ctx)
	}
	return nil
}

func (c *recConn) IsValid() bool {
	if v, ok := c.inner.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *recConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.inner.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

type recTx struct {
	inner driver.Tx
	r     *Recorder
}

func (t recTx) Commit() error {
	t.r.add("COMMIT")
	return t.inner.Commit()
}

func (t recTx) Rollback() error {
	t.r.add("ROLLBACK")
	return t.inner.Rollback()
}

type recStmt struct {
	inner driver.Stmt
	conn  *recConn
	query string
}

func (s *recStmt) Close() error  { return s.inner.Close() }
func (s *recStmt) NumInput() int { return s.inner.NumInput() }

func (s *recStmt) Exec(args []driver.Value) (driver.Result, error) {
	s.conn.r.add(s.query)
	//lint:ignore SA1019 the driver has nothing else
	return s.inner.Exec(args)
}

func (s *recStmt) Query(args []driver.Value) (driver.Rows, error) {
	s.conn.r.add(s.query)
	//lint:ignore SA1019 the driver has nothing else
	return s.inner.Query(args)
}

func (s *recStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	e, ok := s.inner.(driver.StmtExecContext)
	if !ok {
		return s.Exec(values(args))
	}
	s.conn.r.add(s.query)
	return e.ExecContext(ctx, args)
}

func (s *recStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := s.inner.(driver.StmtQueryContext)
	if !ok {
		return s.Query(values(args))
	}
	s.conn.r.add(s.query)
	return q.QueryContext(ctx, args)
}

func (s *recStmt) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := s.inner.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return s.conn.CheckNamedValue(nv)
}

func values(args []driver.NamedValue) []driver.Value {
	out := make([]driver.Value, len(args))
	for i, a := range args {
		out[i] = a.Value
	}
	return out
}
