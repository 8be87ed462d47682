package orm_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// The benchmarks of this file measure what a user who opens the database
// with orm.Open pays: the pool then goes through the dialect's connector
// (dialects.Connector), which the benchmarks of bench_test.go, sharing
// the pool between raw SQL and tagorm, count on both sides. Each op runs
// on one database (a SQLite file in WAL mode, a PostgreSQL schema) as
//
//	impl=raw          database/sql on a pool of sql.Open
//	impl=raw-open     the same SQL on the pool of orm.Open (DB.DB())
//	impl=tagorm-new   tagorm on the pool of sql.Open (orm.New)
//	impl=tagorm-open  tagorm opened with orm.Open
//
// so that raw-open - raw is the connector's cost and tagorm-open -
// tagorm-new the same under tagorm.

// openBenchDB is one database of the benchmarks with both pools.
type openBenchDB struct {
	name   string
	plain  *sql.DB // sql.Open
	plainO *orm.DB // orm.New(plain)
	opened *orm.DB // orm.Open
	insert string  // raw INSERT of a BenchRow
	get    string  // raw SELECT of a BenchRow by id
	lastID bool    // insert reports the id through LastInsertId (else RETURNING)
}

// openBench opens the database name ("sqlite" or "postgres") with the
// bench_row table and 100 rows.
func openBench(b *testing.B, name string) *openBenchDB {
	b.Helper()
	tdb := dbtest.OpenWith(b, name, dbtest.Options{SQLiteFile: true})
	opened := openTest(b, tdb, nil)
	if err := orm.AutoMigrate(opened, &BenchRow{}); err != nil {
		b.Fatal(err)
	}
	rs := make([]BenchRow, 100)
	for i := range rs {
		rs[i] = BenchRow{Name: "name", Age: i, Email: "someone@example.com"}
	}
	if err := opened.Insert(context.Background(), rs); err != nil {
		b.Fatal(err)
	}
	plain, err := sql.Open(tdb.DriverName, tdb.DSN)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = plain.Close() })
	plainO, err := orm.New(plain, tdb.DriverName)
	if err != nil {
		b.Fatal(err)
	}
	d := &openBenchDB{name: name, plain: plain, plainO: plainO, opened: opened}
	if name == "postgres" {
		d.insert = `INSERT INTO "bench_row" ("name", "age", "email") VALUES ($1, $2, $3) RETURNING "id"`
		d.get = `SELECT "id", "name", "age", "email" FROM "bench_row" WHERE "id" = $1`
	} else {
		d.insert = `INSERT INTO "bench_row" ("name", "age", "email") VALUES (?, ?, ?)`
		d.get = `SELECT "id", "name", "age", "email" FROM "bench_row" WHERE "id" = ?`
		d.lastID = true
	}
	return d
}

// runOpenBench runs raw and tagorm bodies on each database and pool as
// db=<name>/impl=<impl>.
func runOpenBench(b *testing.B, raw func(b *testing.B, d *openBenchDB, sdb *sql.DB), tag func(b *testing.B, db *orm.DB)) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run("db="+name, func(b *testing.B) {
			d := openBench(b, name)
			b.Run("impl=raw", func(b *testing.B) { b.ReportAllocs(); raw(b, d, d.plain) })
			b.Run("impl=raw-open", func(b *testing.B) { b.ReportAllocs(); raw(b, d, d.opened.DB()) })
			b.Run("impl=tagorm-new", func(b *testing.B) { b.ReportAllocs(); tag(b, d.plainO) })
			b.Run("impl=tagorm-open", func(b *testing.B) { b.ReportAllocs(); tag(b, d.opened) })
		})
	}
}

func BenchmarkOpenGet(b *testing.B) {
	ctx := context.Background()
	runOpenBench(b, func(b *testing.B, d *openBenchDB, sdb *sql.DB) {
		i := 0
		for b.Loop() {
			i++
			var r BenchRow
			if err := sdb.QueryRowContext(ctx, d.get, i%100+1).Scan(&r.ID, &r.Name, &r.Age, &r.Email); err != nil {
				b.Fatal(err)
			}
		}
	}, func(b *testing.B, db *orm.DB) {
		i := 0
		for b.Loop() {
			i++
			var r BenchRow
			if err := db.Get(ctx, &r, i%100+1); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkOpenInsert(b *testing.B) {
	ctx := context.Background()
	runOpenBench(b, func(b *testing.B, d *openBenchDB, sdb *sql.DB) {
		i := 0
		for b.Loop() {
			i++
			r := BenchRow{Name: "name", Age: i, Email: "someone@example.com"}
			if err := d.rawInsert(ctx, sdb, &r); err != nil {
				b.Fatal(err)
			}
		}
	}, func(b *testing.B, db *orm.DB) {
		i := 0
		for b.Loop() {
			i++
			r := BenchRow{Name: "name", Age: i, Email: "someone@example.com"}
			if err := db.Insert(ctx, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkOpenTransaction runs a transaction of one insert: BEGIN, the
// INSERT and COMMIT (a commit bounded by the transaction's context).
func BenchmarkOpenTransaction(b *testing.B) {
	ctx := context.Background()
	runOpenBench(b, func(b *testing.B, d *openBenchDB, sdb *sql.DB) {
		i := 0
		for b.Loop() {
			i++
			r := BenchRow{Name: "name", Age: i, Email: "someone@example.com"}
			tx, err := sdb.BeginTx(ctx, nil)
			if err != nil {
				b.Fatal(err)
			}
			if err := d.rawInsert(ctx, tx, &r); err != nil {
				b.Fatal(err)
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
	}, func(b *testing.B, db *orm.DB) {
		i := 0
		for b.Loop() {
			i++
			r := BenchRow{Name: "name", Age: i, Email: "someone@example.com"}
			if err := db.Transaction(ctx, func(tx *orm.Session) error { return tx.Insert(ctx, &r) }); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// rawInsert inserts r with database/sql on q (a pool or a transaction),
// taking its key from LastInsertId or from the statement's RETURNING.
func (d *openBenchDB) rawInsert(ctx context.Context, q interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}, r *BenchRow) error {
	if !d.lastID {
		return q.QueryRowContext(ctx, d.insert, r.Name, r.Age, r.Email).Scan(&r.ID)
	}
	res, err := q.ExecContext(ctx, d.insert, r.Name, r.Age, r.Email)
	if err != nil {
		return err
	}
	r.ID, err = res.LastInsertId()
	return err
}
