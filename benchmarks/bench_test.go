package benchmarks

import (
	"context"
	"database/sql"
	"runtime"
	"testing"
	"time"
)

// run runs body for every database and implementation as
// Benchmark<Op>/db=<database>/impl=<impl>. Each implementation starts on
// freshly created tables and after a full garbage collection, so that it
// does not inherit the previous one's garbage.
func run(b *testing.B, body func(b *testing.B, d *database, im impl)) {
	for _, d := range databases(b) {
		b.Run("db="+d.name, func(b *testing.B) {
			for _, name := range implNames {
				b.Run("impl="+name, func(b *testing.B) {
					resetSchema(b, d)
					im := newImpl(b, name, d)
					runtime.GC()
					b.ReportAllocs()
					body(b, d, im)
				})
			}
		})
	}
}

// The values written and the rows read vary from one iteration to the
// next, as they do in real use. With constant data an implementation that
// inlines values into the SQL text (bun) sends the same text every time,
// which pgx then prepares once and re-executes from its statement cache; with
// real data every statement is new text, prepared and evicted in turn.
//
// readRows is how many rows Read and ReadNull cycle through: more than
// pgx's statement cache holds (512), so that no implementation reads from a
// cache of whole statements.
const readRows = 1000

func BenchmarkInsert(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		n := int64(0)
		for b.Loop() {
			m := newModel()
			n++
			m.Counter = n // values vary, as in real use (see readRows)
			if err := im.insert(ctx, &m); err != nil {
				b.Fatal(err)
			}
			if m.ID == 0 {
				b.Fatal("no id")
			}
		}
	})
}

func BenchmarkInsertMulti(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		ms := make([]Model, 100)
		n := int64(0)
		for b.Loop() {
			for i := range ms {
				ms[i] = newModel()
				n++
				ms[i].Counter = n
			}
			if err := im.insertMulti(ctx, ms); err != nil {
				b.Fatal(err)
			}
			if ms[0].ID == 0 || ms[99].ID != ms[0].ID+99 {
				b.Fatalf("ids not filled: %d .. %d", ms[0].ID, ms[99].ID)
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		ids := seedModels(b, d, 1)
		m := newModel()
		m.ID = ids[0]
		for b.Loop() {
			m.Counter++
			n, err := im.update(ctx, &m)
			if err != nil {
				b.Fatal(err)
			}
			if n != 1 {
				b.Fatalf("%d rows affected", n)
			}
		}
	})
}

func BenchmarkRead(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		ids := seedModels(b, d, readRows)
		i := 0
		for b.Loop() {
			var m Model
			id := ids[i%readRows]
			i++
			if err := im.read(ctx, id, &m); err != nil {
				b.Fatal(err)
			}
			if m.ID != id || m.Counter != 1000 {
				b.Fatalf("read %+v", m)
			}
		}
	})
}

func BenchmarkReadSlice(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		seedModels(b, d, 100)
		for b.Loop() {
			ms, err := im.readSlice(ctx, 100)
			if err != nil {
				b.Fatal(err)
			}
			if len(ms) != 100 || ms[99].Web == "" {
				b.Fatalf("read %d rows", len(ms))
			}
		}
	})
}

func BenchmarkDelete(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		ids := seedModels(b, d, b.N)
		// The row to delete is one the caller holds, as for Update:
		// every implementation gets the same *Model, reused.
		var m Model
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			m.ID = ids[i]
			n, err := im.delete(ctx, &m)
			if err != nil {
				b.Fatal(err)
			}
			if n != 1 {
				b.Fatalf("%d rows deleted", n)
			}
		}
	})
}

func BenchmarkInsertNull(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Microsecond)
		n := int64(0)
		for b.Loop() {
			n++
			m := NullModel{Name: "n", CreatedAt: now, Score: sql.NullInt64{Int64: n, Valid: n%2 == 0}}
			if err := im.insertNull(ctx, &m); err != nil {
				b.Fatal(err)
			}
			if m.ID == 0 {
				b.Fatal("no id")
			}
		}
	})
}

func BenchmarkReadNull(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		note := "a note"
		created := time.Now().UTC().Truncate(time.Microsecond)
		ids := make([]int64, readRows)
		raw := newRaw(d)
		for i := range ids {
			seed := NullModel{Name: "n", CreatedAt: created, Note: &note}
			if err := raw.insertNull(ctx, &seed); err != nil {
				b.Fatal(err)
			}
			ids[i] = seed.ID
		}
		analyze(b, d)
		i := 0
		for b.Loop() {
			var m NullModel
			id := ids[i%readRows]
			i++
			if err := im.readNull(ctx, id, &m); err != nil {
				b.Fatal(err)
			}
			if m.ID != id || m.Note == nil || *m.Note != note || m.Score.Valid || !m.CreatedAt.Equal(created) {
				b.Fatalf("read %+v", m)
			}
		}
	})
}

func BenchmarkPreload(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		p, ok := im.(preloader)
		if !ok {
			b.Skip("no preload for this implementation")
		}
		ctx := context.Background()
		seedParents(b, d)
		for b.Loop() {
			ps, err := p.preload(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if len(ps) != 100 || len(ps[0].Children) != 10 || len(ps[99].Children) != 10 {
				b.Fatalf("loaded %d parents", len(ps))
			}
		}
	})
}
