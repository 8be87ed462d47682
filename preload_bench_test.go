package orm_test

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"testing"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// BenchmarkPreload loads 100 parents with their 10 children each: with
// Preload (exactly 2 queries) and the same two queries written with
// database/sql, on SQLite in memory.
func BenchmarkPreload(b *testing.B) {
	tdb := dbtest.Open(b, "sqlite")
	l := &stmtLog{}
	db := openTest(b, tdb, []orm.Option{orm.WithLogger(slog.New(l))})
	if err := orm.AutoMigrate(db, &PParent{}, &PChild{}); err != nil {
		b.Fatal(err)
	}
	seedParents(b, db, 100, 10)
	ctx := context.Background()
	l.Statements()
	if got, err := orm.Query[PParent](db).Preload("Children").All(ctx); err != nil || len(got) != 100 || len(got[99].Children) != 10 {
		b.Fatalf("preload: %v", err)
	}
	if n := len(queries(l)); n != 2 {
		b.Fatalf("preload ran %d queries, want 2", n)
	}
	fast := openTest(b, tdb, nil) // no logger

	b.Run("impl=raw", func(b *testing.B) {
		b.ReportAllocs()
		sdb := fast.DB()
		for b.Loop() {
			ps, err := rawPreload(ctx, sdb)
			if err != nil || len(ps) != 100 {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=tagorm", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ps, err := orm.Query[PParent](fast).Preload("Children").All(ctx)
			if err != nil || len(ps) != 100 {
				b.Fatal(err)
			}
		}
	})
}

// rawPreload is Preload("Children") by hand: the parents, then their
// children with an IN list, grouped by parent.
func rawPreload(ctx context.Context, sdb *sql.DB) ([]PParent, error) {
	rows, err := sdb.QueryContext(ctx, "SELECT id, name FROM p_parent")
	if err != nil {
		return nil, err
	}
	var ps []PParent
	for rows.Next() {
		var p PParent
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			rows.Close()
			return nil, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	idx := make(map[int64]int, len(ps))
	args := make([]any, len(ps))
	var q strings.Builder
	q.WriteString("SELECT id, p_parent_id, name, rank FROM p_child WHERE p_parent_id IN (")
	for i, p := range ps {
		idx[p.ID] = i
		args[i] = p.ID
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('?')
	}
	q.WriteString(") ORDER BY p_parent_id, id")
	rows, err = sdb.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c PChild
		if err := rows.Scan(&c.ID, &c.PParentID, &c.Name, &c.Rank); err != nil {
			return nil, err
		}
		p := &ps[idx[c.PParentID]]
		p.Children = append(p.Children, c)
	}
	return ps, rows.Err()
}
