package benchmarks

import (
	"context"
	"testing"
	"time"
)

// run runs body for every database and implementation as
// Benchmark<Op>/db=<database>/impl=<impl>.
func run(b *testing.B, body func(b *testing.B, d *database, im impl)) {
	for _, d := range databases(b) {
		b.Run("db="+d.name, func(b *testing.B) {
			for _, name := range implNames {
				b.Run("impl="+name, func(b *testing.B) {
					resetSchema(b, d)
					im := newImpl(b, name, d)
					b.ReportAllocs()
					body(b, d, im)
				})
			}
		})
	}
}

func BenchmarkInsert(b *testing.B) {
	run(b, func(b *testing.B, d *database, im impl) {
		ctx := context.Background()
		for b.Loop() {
			m := newModel()
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
		for b.Loop() {
			for i := range ms {
				ms[i] = newModel()
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
		ids := seedModels(b, d, 1)
		for b.Loop() {
			var m Model
			if err := im.read(ctx, ids[0], &m); err != nil {
				b.Fatal(err)
			}
			if m.ID != ids[0] || m.Counter != 1000 {
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
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			n, err := im.delete(ctx, ids[i])
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
		for b.Loop() {
			m := NullModel{Name: "n", CreatedAt: now}
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
		seed := NullModel{Name: "n", CreatedAt: time.Now().UTC().Truncate(time.Microsecond), Note: &note}
		if err := newRaw(d).insertNull(ctx, &seed); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			var m NullModel
			if err := im.readNull(ctx, seed.ID, &m); err != nil {
				b.Fatal(err)
			}
			if m.Note == nil || *m.Note != note || m.Score.Valid || !m.CreatedAt.Equal(seed.CreatedAt) {
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
