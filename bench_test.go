package orm_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// BenchRow is the model of the benchmarks.
type BenchRow struct {
	ID    int64  `orm:"pk"`
	Name  string `orm:"size:50"`
	Age   int
	Email string `orm:"size:100"`
}

// benchDB returns a fresh SQLite database with the bench_row table, and its
// *sql.DB for the raw database/sql side of each benchmark.
func benchDB(b *testing.B, rows int) (*orm.DB, *sql.DB) {
	b.Helper()
	db := openTest(b, dbtest.Open(b, "sqlite"), nil)
	if err := orm.AutoMigrate(db, &BenchRow{}); err != nil {
		b.Fatal(err)
	}
	if rows > 0 {
		rs := make([]BenchRow, rows)
		for i := range rs {
			rs[i] = BenchRow{Name: "name", Age: i, Email: "someone@example.com"}
		}
		if err := db.Insert(context.Background(), rs); err != nil {
			b.Fatal(err)
		}
	}
	return db, db.DB()
}

func BenchmarkInsert(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		_, sdb := benchDB(b, 0)
		b.ReportAllocs()
		for b.Loop() {
			r := BenchRow{Name: "name", Age: 42, Email: "someone@example.com"}
			res, err := sdb.ExecContext(ctx, `INSERT INTO "bench_row" ("name", "age", "email") VALUES (?, ?, ?)`, r.Name, r.Age, r.Email)
			if err != nil {
				b.Fatal(err)
			}
			if r.ID, err = res.LastInsertId(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=tagorm", func(b *testing.B) {
		db, _ := benchDB(b, 0)
		b.ReportAllocs()
		for b.Loop() {
			r := BenchRow{Name: "name", Age: 42, Email: "someone@example.com"}
			if err := db.Insert(ctx, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkInsertMulti(b *testing.B) {
	const n = 100
	ctx := context.Background()
	newRows := func() []BenchRow {
		rs := make([]BenchRow, n)
		for i := range rs {
			rs[i] = BenchRow{Name: "name", Age: i, Email: "someone@example.com"}
		}
		return rs
	}
	b.Run("impl=raw", func(b *testing.B) {
		_, sdb := benchDB(b, 0)
		query := `INSERT INTO "bench_row" ("name", "age", "email") VALUES ` + strings.Repeat("(?, ?, ?), ", n-1) + "(?, ?, ?)"
		b.ReportAllocs()
		for b.Loop() {
			rs := newRows()
			args := make([]any, 0, 3*n)
			for _, r := range rs {
				args = append(args, r.Name, r.Age, r.Email)
			}
			res, err := sdb.ExecContext(ctx, query, args...)
			if err != nil {
				b.Fatal(err)
			}
			last, err := res.LastInsertId()
			if err != nil {
				b.Fatal(err)
			}
			for i := range rs {
				rs[i].ID = last - int64(n-1-i)
			}
		}
	})
	b.Run("impl=tagorm", func(b *testing.B) {
		db, _ := benchDB(b, 0)
		b.ReportAllocs()
		for b.Loop() {
			rs := newRows()
			if err := db.Insert(ctx, rs); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkGet(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		_, sdb := benchDB(b, 100)
		b.ReportAllocs()
		for b.Loop() {
			var r BenchRow
			err := sdb.QueryRowContext(ctx, `SELECT "id", "name", "age", "email" FROM "bench_row" WHERE "id" = ?`, 50).
				Scan(&r.ID, &r.Name, &r.Age, &r.Email)
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=tagorm", func(b *testing.B) {
		db, _ := benchDB(b, 100)
		b.ReportAllocs()
		for b.Loop() {
			var r BenchRow
			if err := db.Get(ctx, &r, 50); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkQuery100(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		_, sdb := benchDB(b, 100)
		b.ReportAllocs()
		for b.Loop() {
			rows, err := sdb.QueryContext(ctx, `SELECT "id", "name", "age", "email" FROM "bench_row" WHERE "age" >= ? ORDER BY "id" LIMIT 100`, 0)
			if err != nil {
				b.Fatal(err)
			}
			out := make([]BenchRow, 0, 100)
			for rows.Next() {
				var r BenchRow
				if err := rows.Scan(&r.ID, &r.Name, &r.Age, &r.Email); err != nil {
					b.Fatal(err)
				}
				out = append(out, r)
			}
			if err := rows.Err(); err != nil || len(out) != 100 {
				b.Fatal(err, len(out))
			}
			rows.Close()
		}
	})
	b.Run("impl=tagorm", func(b *testing.B) {
		db, _ := benchDB(b, 100)
		b.ReportAllocs()
		for b.Loop() {
			out, err := orm.Query[BenchRow](db).Where("age >= ?", 0).OrderBy("id").Limit(100).All(ctx)
			if err != nil || len(out) != 100 {
				b.Fatal(err, len(out))
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=raw", func(b *testing.B) {
		_, sdb := benchDB(b, 100)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			r := BenchRow{ID: int64(i%100 + 1), Name: "name", Age: i, Email: "someone@example.com"}
			if _, err := sdb.ExecContext(ctx, `UPDATE "bench_row" SET "name" = ?, "age" = ?, "email" = ? WHERE "id" = ?`, r.Name, r.Age, r.Email, r.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=tagorm", func(b *testing.B) {
		db, _ := benchDB(b, 100)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			r := BenchRow{ID: int64(i%100 + 1), Name: "name", Age: i, Email: "someone@example.com"}
			if err := db.Update(ctx, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDelete inserts a row with raw SQL and deletes it, on both
// sides: the difference is the delete.
func BenchmarkDelete(b *testing.B) {
	ctx := context.Background()
	insert := func(b *testing.B, sdb *sql.DB, i int) int64 {
		res, err := sdb.ExecContext(ctx, `INSERT INTO "bench_row" ("name", "age", "email") VALUES (?, ?, ?)`, "name", i, "someone@example.com")
		if err != nil {
			b.Fatal(err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			b.Fatal(err)
		}
		return id
	}
	b.Run("impl=raw", func(b *testing.B) {
		_, sdb := benchDB(b, 0)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			r := BenchRow{ID: insert(b, sdb, i)}
			if _, err := sdb.ExecContext(ctx, `DELETE FROM "bench_row" WHERE "id" = ?`, r.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=tagorm", func(b *testing.B) {
		db, sdb := benchDB(b, 0)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			i++
			r := BenchRow{ID: insert(b, sdb, i)}
			if err := db.Delete(ctx, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
