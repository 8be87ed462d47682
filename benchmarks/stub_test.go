package benchmarks

// Scan-only and build-only benchmarks: every implementation runs against
// a database/sql driver that returns canned rows, so what is measured is
// the implementation's own CPU and allocations (plus database/sql's),
// without a database.
//
// tagorm runs without its prepared-statement cache, like the others;
// tagorm-stmtcache with it (the default on SQLite and MySQL).
//
//	BenchmarkStubReadSlice/impl=<name>  100 rows scanned into []Model
//	BenchmarkStubRead/impl=<name>       one row scanned into a Model
//	BenchmarkStubPreload/impl=<name>    100 parents with 10 children each
//	BenchmarkBuildOnly/impl=<name>      the ReadSlice query's SQL text built

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	gormsqlite "gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/tagorm/orm"
)

func init() { sql.Register("tagormstub", stubDriver{}) }

// stubDriver opens connections whose every query returns the same rows:
// the DSN "rows=N" gives N rows of the models table; "select
// sqlite_version()" (run by GORM's SQLite dialector) gets a version.
// Execs succeed and report one row affected.
type stubDriver struct{}

func (stubDriver) Open(dsn string) (driver.Conn, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(dsn, "rows="))
	if err != nil {
		return nil, fmt.Errorf("stub: bad DSN %q", dsn)
	}
	return &stubConn{rows: n}, nil
}

type stubConn struct{ rows int }

func (c *stubConn) Prepare(query string) (driver.Stmt, error) {
	return &stubStmt{c: c, query: query}, nil
}
func (c *stubConn) Close() error              { return nil }
func (c *stubConn) Begin() (driver.Tx, error) { return stubTx{}, nil }

// QueryContext and ExecContext let database/sql skip Prepare for
// unprepared statements, as real drivers do.
func (c *stubConn) QueryContext(_ context.Context, query string, _ []driver.NamedValue) (driver.Rows, error) {
	return c.query(query), nil
}

func (c *stubConn) ExecContext(context.Context, string, []driver.NamedValue) (driver.Result, error) {
	return driver.RowsAffected(1), nil
}

func (c *stubConn) query(query string) driver.Rows {
	switch {
	case strings.Contains(query, "sqlite_version"):
		return &stubRows{cols: []string{"sqlite_version()"}, vals: []driver.Value{"3.46.1"}, n: 1}
	case strings.Contains(query, "children"):
		// 10 children per parent, parents 1..100, in id order.
		return &stubRows{cols: childCols, vals: childVals, n: 1000, parentOf: func(i int) int64 { return int64((i-1)/10 + 1) }}
	case strings.Contains(query, "parents"):
		return &stubRows{cols: parentCols, vals: parentVals, n: 100}
	}
	return &stubRows{cols: modelCols, vals: modelVals, n: c.rows}
}

type stubTx struct{}

func (stubTx) Commit() error   { return nil }
func (stubTx) Rollback() error { return nil }

type stubStmt struct {
	c     *stubConn
	query string
}

func (s *stubStmt) Close() error  { return nil }
func (s *stubStmt) NumInput() int { return -1 }
func (s *stubStmt) Exec([]driver.Value) (driver.Result, error) {
	return driver.RowsAffected(1), nil
}
func (s *stubStmt) Query([]driver.Value) (driver.Rows, error) { return s.c.query(s.query), nil }

var (
	modelCols  = []string{"id", "name", "title", "fax", "web", "age", "right", "counter"}
	modelVals  = []driver.Value{int64(0), "Orm Benchmark", "Just a Benchmark for fun", "99909990", "http://blog.milkpod29.me", int64(100), true, int64(1000)}
	parentCols = []string{"id", "name"}
	parentVals = []driver.Value{int64(0), "parent"}
	childCols  = []string{"id", "parent_id", "name"}
	childVals  = []driver.Value{int64(0), int64(0), "child"}
)

// stubRows returns n copies of vals, with ids 1..n in the first column
// when it is an integer, and parentOf(id) in the second when set.
type stubRows struct {
	cols     []string
	vals     []driver.Value
	n, i     int
	parentOf func(id int) int64
}

func (r *stubRows) Columns() []string { return r.cols }
func (r *stubRows) Close() error      { return nil }
func (r *stubRows) Next(dest []driver.Value) error {
	if r.i == r.n {
		return io.EOF
	}
	r.i++
	copy(dest, r.vals)
	if _, ok := r.vals[0].(int64); ok {
		dest[0] = int64(r.i)
	}
	if r.parentOf != nil {
		dest[1] = r.parentOf(r.i)
	}
	return nil
}

// stubImpls returns each implementation's read side over a stub DB
// returning rows rows. Every one shares the *sql.DB and uses SQLite's
// dialect (the SQL is never parsed).
func stubImpls(b *testing.B, rows int) map[string]impl {
	b.Helper()
	sdb, err := sql.Open("tagormstub", "rows="+strconv.Itoa(rows))
	if err != nil {
		b.Fatal(err)
	}
	sdb.SetMaxOpenConns(4)
	sdb.SetMaxIdleConns(4)
	b.Cleanup(func() { _ = sdb.Close() })
	d := &database{name: "sqlite", driver: "sqlite3", sql: sdb}
	// tagorm without its statement cache runs the same database/sql
	// path as the others (DB.QueryContext); with it (the default on
	// SQLite) database/sql's Stmt path costs a few allocations more
	// here, and saves the re-compilation of every statement on a real
	// database.
	db, err := orm.New(sdb, "sqlite3", orm.WithStmtCache(0))
	if err != nil {
		b.Fatal(err)
	}
	cached, err := orm.New(sdb, "sqlite3")
	if err != nil {
		b.Fatal(err)
	}
	g, err := gorm.Open(gormsqlite.Dialector{Conn: sdb}, &gorm.Config{SkipDefaultTransaction: true, Logger: logger.Default.LogMode(logger.Silent)})
	if err != nil {
		b.Fatal(err)
	}
	return map[string]impl{
		"raw":              newRaw(d),
		"sqlx":             &sqlxImpl{raw: newRaw(d), x: sqlx.NewDb(sdb, "sqlite3")},
		"tagorm":           &tagormImpl{db: db},
		"tagorm-stmtcache": &tagormImpl{db: cached},
		"gorm":             &gormImpl{g: g},
		"bun":              &bunImpl{db: bun.NewDB(sdb, sqlitedialect.New())},
	}
}

var stubNames = []string{"raw", "sqlx", "tagorm", "tagorm-stmtcache", "gorm", "bun"}

func BenchmarkStubReadSlice(b *testing.B) {
	impls := stubImpls(b, 100)
	ctx := context.Background()
	for _, name := range stubNames {
		im := impls[name]
		b.Run("impl="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ms, err := im.readSlice(ctx, 100)
				if err != nil {
					b.Fatal(err)
				}
				if len(ms) != 100 || ms[99].ID != 100 || ms[99].Web == "" || !ms[99].Right {
					b.Fatalf("read %d rows: %+v", len(ms), ms[len(ms)-1])
				}
			}
		})
	}
}

func BenchmarkStubRead(b *testing.B) {
	impls := stubImpls(b, 1)
	ctx := context.Background()
	for _, name := range stubNames {
		im := impls[name]
		b.Run("impl="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var m Model
				if err := im.read(ctx, 1, &m); err != nil {
					b.Fatal(err)
				}
				if m.ID != 1 || m.Counter != 1000 {
					b.Fatalf("read %+v", m)
				}
			}
		})
	}
}

// BenchmarkStubPreload loads 100 parents and their 1000 children (two
// queries) from canned rows: each implementation's own cost of Preload.
func BenchmarkStubPreload(b *testing.B) {
	impls := stubImpls(b, 100)
	ctx := context.Background()
	for _, name := range stubNames {
		p, ok := impls[name].(preloader)
		if !ok {
			continue
		}
		b.Run("impl="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ps, err := p.preload(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if len(ps) != 100 || len(ps[0].Children) != 10 || ps[99].Children[9].ID != 1000 {
					b.Fatalf("loaded %d parents", len(ps))
				}
			}
		})
	}
}

// BenchmarkBuildOnly builds the ReadSlice query (WHERE id > ? ORDER BY
// id LIMIT 100) without running it: tagorm's Q.SQL, bun's String (values
// inlined: bun renders its arguments into the text), GORM's ToSQL (a dry
// run, values inlined for display); raw is sqlx.Rebind of the constant.
func BenchmarkBuildOnly(b *testing.B) {
	impls := stubImpls(b, 100)
	t := impls["tagorm"].(*tagormImpl)
	g := impls["gorm"].(*gormImpl)
	u := impls["bun"].(*bunImpl)
	x := impls["sqlx"].(*sqlxImpl)
	builders := map[string]func() (string, error){
		"raw": func() (string, error) {
			return x.x.Rebind(`SELECT id, name, title, fax, web, age, "right", counter FROM models WHERE id > ? ORDER BY id LIMIT ?`), nil
		},
		"tagorm": func() (string, error) {
			s, _, err := orm.Query[Model](t.db).Where("id > ?", 0).OrderBy("id").Limit(100).SQL()
			return s, err
		},
		"gorm": func() (string, error) {
			var out []Model
			return g.g.ToSQL(func(tx *gorm.DB) *gorm.DB {
				return tx.Where("id > ?", 0).Order("id").Limit(100).Find(&out)
			}), nil
		},
		"bun": func() (string, error) {
			var out []Model
			return u.db.NewSelect().Model(&out).Where("id > ?", 0).Order("id").Limit(100).String(), nil
		},
	}
	for _, name := range []string{"raw", "tagorm", "gorm", "bun"} {
		build := builders[name]
		b.Run("impl="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s, err := build()
				if err != nil {
					b.Fatal(err)
				}
				if !strings.Contains(s, "ORDER BY") {
					b.Fatalf("built %q", s)
				}
			}
		})
	}
}
