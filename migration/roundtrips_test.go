package migration_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"strings"
	"sync"
	"testing"

	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
)

// counter counts the round trips of a pool (statements executed or
// prepared, transaction begins and ends) and keeps the statements.
type counter struct {
	mu    sync.Mutex
	n     int
	stmts []string
}

func (c *counter) add(s string) {
	c.mu.Lock()
	c.n++
	c.stmts = append(c.stmts, s)
	c.mu.Unlock()
}

func (c *counter) reset() (int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, s := c.n, c.stmts
	c.n, c.stmts = 0, nil
	return n, s
}

// countingPool opens a second pool on db's database whose connections
// count their round trips.
func countingPool(t testing.TB, db *dbtest.DB) (*sql.DB, *counter) {
	c := &counter{}
	p := sql.OpenDB(&countingConnector{drv: db.SQL.Driver(), dsn: db.DSN, c: c})
	t.Cleanup(func() { p.Close() })
	return p, c
}

type countingConnector struct {
	drv driver.Driver
	dsn string
	c   *counter
}

func (cc *countingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := cc.drv.Open(cc.dsn)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: conn, c: cc.c}, nil
}

func (cc *countingConnector) Driver() driver.Driver { return cc.drv }

type countingConn struct {
	driver.Conn
	c *counter
}

func (cn *countingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	cn.c.add("PREPARE " + query)
	var st driver.Stmt
	var err error
	if p, ok := cn.Conn.(driver.ConnPrepareContext); ok {
		st, err = p.PrepareContext(ctx, query)
	} else {
		st, err = cn.Conn.Prepare(query)
	}
	if err != nil {
		return nil, err
	}
	return &countingStmt{Stmt: st, c: cn.c, query: query}, nil
}

func (cn *countingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	cn.c.add("BEGIN")
	tx, err := cn.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: cn.c}, nil
}

func (cn *countingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := cn.Conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := e.ExecContext(ctx, query, args)
	if err != driver.ErrSkip {
		cn.c.add(query)
	}
	return r, err
}

func (cn *countingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := cn.Conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	r, err := q.QueryContext(ctx, query, args)
	if err != driver.ErrSkip {
		cn.c.add(query)
	}
	return r, err
}

func (cn *countingConn) CheckNamedValue(nv *driver.NamedValue) error {
	if c, ok := cn.Conn.(driver.NamedValueChecker); ok {
		return c.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

func (cn *countingConn) ResetSession(ctx context.Context) error {
	if r, ok := cn.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (cn *countingConn) IsValid() bool {
	if v, ok := cn.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

type countingStmt struct {
	driver.Stmt
	c     *counter
	query string
}

func (s *countingStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	s.c.add(s.query)
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

func (s *countingStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	s.c.add(s.query)
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}

type countingTx struct {
	driver.Tx
	c *counter
}

func (tx *countingTx) Commit() error   { tx.c.add("COMMIT"); return tx.Tx.Commit() }
func (tx *countingTx) Rollback() error { tx.c.add("ROLLBACK"); return tx.Tx.Rollback() }

func isDDL(s string) bool {
	s = strings.ToUpper(strings.TrimSpace(s))
	for _, p := range []string{"CREATE", "ALTER", "DROP", "RENAME", "COMMENT", "BEGIN", "PRAGMA", "SELECT PG_ADVISORY", "SELECT GET_LOCK"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// noopRoundTrips migrates a schema of n tables, then returns the round
// trips and statements of a second, no-op AutoMigrate.
func noopRoundTrips(t testing.TB, db *dbtest.DB, n int) (int, []string) {
	ctx := context.Background()
	pool, c := countingPool(t, db)
	conn := migration.Wrap(db.Dialect, pool)
	md := manyTables(n)
	if err := migration.AutoMigrate(ctx, conn, md); err != nil {
		t.Fatal(err)
	}
	c.reset()
	if err := migration.AutoMigrate(ctx, conn, md); err != nil {
		t.Fatal(err)
	}
	return c.reset()
}

// TestAutoMigrateNoopRoundTrips checks that a no-op AutoMigrate costs
// the same small number of round trips for 3 and 50 tables, and issues
// no DDL, no lock and no transaction.
func TestAutoMigrateNoopRoundTrips(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		n3, s3 := noopRoundTrips(t, db, 3)
		db50 := dbtest.Open(t, db.Name)
		n50, _ := noopRoundTrips(t, db50, 50)
		t.Logf("%s: %d round trips for 3 tables, %d for 50", db.Name, n3, n50)
		if n3 != n50 {
			t.Fatalf("round trips depend on the table count: %d for 3 tables, %d for 50", n3, n50)
		}
		if n3 > 5 {
			t.Fatalf("%d round trips, want at most 5: %q", n3, s3)
		}
		for _, s := range s3 {
			if isDDL(s) {
				t.Fatalf("no-op AutoMigrate ran %q", s)
			}
		}
	})
}

// BenchmarkAutoMigrateNoop measures AutoMigrate on a 50-table schema that
// is already current, reporting round trips per run.
func BenchmarkAutoMigrateNoop(b *testing.B) {
	for _, name := range dbtest.Names {
		b.Run(name, func(b *testing.B) {
			db := dbtest.Open(b, name)
			ctx := context.Background()
			pool, c := countingPool(b, db)
			conn := migration.Wrap(db.Dialect, pool)
			md := manyTables(50)
			if err := migration.AutoMigrate(ctx, conn, md); err != nil {
				b.Fatal(err)
			}
			c.reset()
			b.ResetTimer()
			for b.Loop() {
				if err := migration.AutoMigrate(ctx, conn, md); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			n, _ := c.reset()
			b.ReportMetric(float64(n)/float64(b.N), "roundtrips/op")
		})
	}
}
