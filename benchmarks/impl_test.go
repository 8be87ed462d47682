package benchmarks

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	"github.com/uptrace/bun/dialect/sqlitedialect"
	gormpg "gorm.io/driver/postgres"
	gormsqlite "gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/tagorm/orm"
	_ "github.com/tagorm/orm/dialects/postgres"
	_ "github.com/tagorm/orm/dialects/sqlite"
)

// impl is one way of running the workload.
type impl interface {
	insert(ctx context.Context, m *Model) error
	insertMulti(ctx context.Context, ms []Model) error
	update(ctx context.Context, m *Model) (int64, error) // rows affected
	read(ctx context.Context, id int64, m *Model) error
	readSlice(ctx context.Context, n int) ([]Model, error)
	delete(ctx context.Context, m *Model) (int64, error)
	insertNull(ctx context.Context, m *NullModel) error
	readNull(ctx context.Context, id int64, m *NullModel) error
}

// preloader is an impl that loads 100 parents with their children.
type preloader interface {
	preload(ctx context.Context) ([]*Parent, error)
}

var implNames = []string{"raw", "sqlx", "tagorm", "gorm", "gorm-defaults", "bun"}

func newImpl(b *testing.B, name string, d *database) impl {
	b.Helper()
	switch name {
	case "raw":
		return newRaw(d)
	case "sqlx":
		return &sqlxImpl{raw: newRaw(d), x: sqlx.NewDb(d.sql, d.driver)}
	case "tagorm":
		db, err := orm.New(d.sql, d.driver)
		if err != nil {
			b.Fatal(err)
		}
		return &tagormImpl{db: db}
	case "gorm", "gorm-defaults":
		var dial gorm.Dialector
		if d.name == "sqlite" {
			dial = gormsqlite.Dialector{Conn: d.sql}
		} else {
			dial = gormpg.New(gormpg.Config{Conn: d.sql})
		}
		cfg := &gorm.Config{SkipDefaultTransaction: true, Logger: logger.Default.LogMode(logger.Silent)}
		if name == "gorm-defaults" {
			cfg = &gorm.Config{Logger: logger.Default.LogMode(logger.Silent)}
		}
		g, err := gorm.Open(dial, cfg)
		if err != nil {
			b.Fatal(err)
		}
		return &gormImpl{g: g}
	case "bun":
		if d.name == "sqlite" {
			return &bunImpl{db: bun.NewDB(d.sql, sqlitedialect.New())}
		}
		return &bunImpl{db: bun.NewDB(d.sql, pgdialect.New())}
	}
	b.Fatalf("unknown impl %q", name)
	return nil
}

// ---- raw database/sql ----

type rawImpl struct {
	db                                             *sql.DB
	insertQ, updateQ, readQ, sliceQ, deleteQ       string
	insertNullQ, readNullQ, parentsQ, childrenHead string
	dollar                                         bool
	multiQ                                         string // for 100 rows
}

func newRaw(d *database) *rawImpl {
	r := &rawImpl{db: d.sql, dollar: d.name == "postgres"}
	r.insertQ = r.bind(`INSERT INTO models (name, title, fax, web, age, "right", counter) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	r.updateQ = r.bind(`UPDATE models SET name = ?, title = ?, fax = ?, web = ?, age = ?, "right" = ?, counter = ? WHERE id = ?`)
	r.readQ = r.bind(`SELECT id, name, title, fax, web, age, "right", counter FROM models WHERE id = ?`)
	r.sliceQ = r.bind(`SELECT id, name, title, fax, web, age, "right", counter FROM models WHERE id > ? ORDER BY id LIMIT ?`)
	r.deleteQ = r.bind(`DELETE FROM models WHERE id = ?`)
	r.insertNullQ = r.bind(`INSERT INTO null_models (name, created_at, note, score) VALUES (?, ?, ?, ?) RETURNING id`)
	r.readNullQ = r.bind(`SELECT id, name, created_at, note, score FROM null_models WHERE id = ?`)
	r.parentsQ = `SELECT id, name FROM parents ORDER BY id`
	r.childrenHead = `SELECT id, parent_id, name FROM children WHERE parent_id IN (`
	var b strings.Builder
	b.WriteString(`INSERT INTO models (name, title, fax, web, age, "right", counter) VALUES `)
	for i := 0; i < 100; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(" RETURNING id")
	r.multiQ = r.bind(b.String())
	return r
}

// bind turns ? into $n for PostgreSQL (done once, at setup).
func (r *rawImpl) bind(q string) string {
	if !r.dollar {
		return q
	}
	var b strings.Builder
	n := 0
	for _, c := range q {
		if c == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (r *rawImpl) insert(ctx context.Context, m *Model) error {
	return r.db.QueryRowContext(ctx, r.insertQ, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter).Scan(&m.ID)
}

func (r *rawImpl) insertMulti(ctx context.Context, ms []Model) error {
	args := make([]any, 0, len(ms)*7)
	for i := range ms {
		m := &ms[i]
		args = append(args, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter)
	}
	rows, err := r.db.QueryContext(ctx, r.multiQ, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for i := 0; rows.Next(); i++ {
		if err := rows.Scan(&ms[i].ID); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (r *rawImpl) update(ctx context.Context, m *Model) (int64, error) {
	res, err := r.db.ExecContext(ctx, r.updateQ, m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter, m.ID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (r *rawImpl) read(ctx context.Context, id int64, m *Model) error {
	return r.db.QueryRowContext(ctx, r.readQ, id).Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter)
}

func (r *rawImpl) readSlice(ctx context.Context, n int) ([]Model, error) {
	rows, err := r.db.QueryContext(ctx, r.sliceQ, 0, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]Model, 0, n)
	for rows.Next() {
		var m Model
		if err := rows.Scan(&m.ID, &m.Name, &m.Title, &m.Fax, &m.Web, &m.Age, &m.Right, &m.Counter); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (r *rawImpl) delete(ctx context.Context, m *Model) (int64, error) {
	res, err := r.db.ExecContext(ctx, r.deleteQ, m.ID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (r *rawImpl) insertNull(ctx context.Context, m *NullModel) error {
	return r.db.QueryRowContext(ctx, r.insertNullQ, m.Name, m.CreatedAt, m.Note, m.Score).Scan(&m.ID)
}

func (r *rawImpl) readNull(ctx context.Context, id int64, m *NullModel) error {
	return r.db.QueryRowContext(ctx, r.readNullQ, id).Scan(&m.ID, &m.Name, &m.CreatedAt, &m.Note, &m.Score)
}

func (r *rawImpl) preload(ctx context.Context) ([]*Parent, error) {
	rows, err := r.db.QueryContext(ctx, r.parentsQ)
	if err != nil {
		return nil, err
	}
	var parents []*Parent
	byID := map[int64]*Parent{}
	for rows.Next() {
		p := &Parent{}
		if err := rows.Scan(&p.ID, &p.Name); err != nil {
			rows.Close()
			return nil, err
		}
		parents = append(parents, p)
		byID[p.ID] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(r.childrenHead)
	args := make([]any, len(parents))
	for i, p := range parents {
		if i > 0 {
			b.WriteString(", ")
		}
		if r.dollar {
			fmt.Fprintf(&b, "$%d", i+1)
		} else {
			b.WriteByte('?')
		}
		args[i] = p.ID
	}
	b.WriteString(") ORDER BY id")
	rows, err = r.db.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c := &Child{}
		if err := rows.Scan(&c.ID, &c.ParentID, &c.Name); err != nil {
			return nil, err
		}
		p := byID[c.ParentID]
		p.Children = append(p.Children, c)
	}
	return parents, rows.Err()
}

// ---- sqlx ----

type sqlxImpl struct {
	raw *rawImpl
	x   *sqlx.DB
}

func (s *sqlxImpl) insert(ctx context.Context, m *Model) error { return s.raw.insert(ctx, m) }
func (s *sqlxImpl) insertMulti(ctx context.Context, ms []Model) error {
	return s.raw.insertMulti(ctx, ms)
}
func (s *sqlxImpl) update(ctx context.Context, m *Model) (int64, error) { return s.raw.update(ctx, m) }
func (s *sqlxImpl) read(ctx context.Context, id int64, m *Model) error {
	return s.x.GetContext(ctx, m, s.raw.readQ, id)
}
func (s *sqlxImpl) readSlice(ctx context.Context, n int) ([]Model, error) {
	out := make([]Model, 0, n)
	err := s.x.SelectContext(ctx, &out, s.raw.sliceQ, 0, n)
	return out, err
}
func (s *sqlxImpl) delete(ctx context.Context, m *Model) (int64, error) { return s.raw.delete(ctx, m) }
func (s *sqlxImpl) insertNull(ctx context.Context, m *NullModel) error {
	return s.raw.insertNull(ctx, m)
}
func (s *sqlxImpl) readNull(ctx context.Context, id int64, m *NullModel) error {
	return s.x.GetContext(ctx, m, s.raw.readNullQ, id)
}
func (s *sqlxImpl) preload(ctx context.Context) ([]*Parent, error) {
	var parents []*Parent
	if err := s.x.SelectContext(ctx, &parents, s.raw.parentsQ); err != nil {
		return nil, err
	}
	ids := make([]int64, len(parents))
	byID := make(map[int64]*Parent, len(parents))
	for i, p := range parents {
		ids[i] = p.ID
		byID[p.ID] = p
	}
	q, args, err := sqlx.In(`SELECT id, parent_id, name FROM children WHERE parent_id IN (?) ORDER BY id`, ids)
	if err != nil {
		return nil, err
	}
	var children []*Child
	if err := s.x.SelectContext(ctx, &children, s.x.Rebind(q), args...); err != nil {
		return nil, err
	}
	for _, c := range children {
		p := byID[c.ParentID]
		p.Children = append(p.Children, c)
	}
	return parents, nil
}

// ---- tagorm ----

type tagormImpl struct{ db *orm.DB }

func (t *tagormImpl) insert(ctx context.Context, m *Model) error { return t.db.Insert(ctx, m) }
func (t *tagormImpl) insertMulti(ctx context.Context, ms []Model) error {
	return t.db.Insert(ctx, ms)
}
func (t *tagormImpl) update(ctx context.Context, m *Model) (int64, error) {
	// Update reports a missing row as ErrNotFound, so success means one row.
	if err := t.db.Update(ctx, m); err != nil {
		return 0, err
	}
	return 1, nil
}
func (t *tagormImpl) read(ctx context.Context, id int64, m *Model) error { return t.db.Get(ctx, m, id) }
func (t *tagormImpl) readSlice(ctx context.Context, n int) ([]Model, error) {
	return orm.Query[Model](t.db).Where("id > ?", 0).OrderBy("id").Limit(n).All(ctx)
}
func (t *tagormImpl) delete(ctx context.Context, m *Model) (int64, error) {
	if err := t.db.Delete(ctx, m); err != nil {
		return 0, err
	}
	return 1, nil
}
func (t *tagormImpl) insertNull(ctx context.Context, m *NullModel) error {
	return t.db.Insert(ctx, m)
}
func (t *tagormImpl) readNull(ctx context.Context, id int64, m *NullModel) error {
	return t.db.Get(ctx, m, id)
}
func (t *tagormImpl) preload(ctx context.Context) ([]*Parent, error) {
	ps, err := orm.Query[Parent](t.db).Preload("Children", func(p *orm.PreloadQuery) {
		p.OrderBy("id")
	}).OrderBy("id").All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*Parent, len(ps))
	for i := range ps {
		out[i] = &ps[i]
	}
	return out, nil
}

// ---- GORM ----

type gormImpl struct{ g *gorm.DB }

func (g *gormImpl) insert(ctx context.Context, m *Model) error {
	return g.g.WithContext(ctx).Create(m).Error
}
func (g *gormImpl) insertMulti(ctx context.Context, ms []Model) error {
	return g.g.WithContext(ctx).Create(&ms).Error
}
func (g *gormImpl) update(ctx context.Context, m *Model) (int64, error) {
	res := g.g.WithContext(ctx).Save(m)
	return res.RowsAffected, res.Error
}
func (g *gormImpl) read(ctx context.Context, id int64, m *Model) error {
	return g.g.WithContext(ctx).Take(m, id).Error
}
func (g *gormImpl) readSlice(ctx context.Context, n int) ([]Model, error) {
	out := make([]Model, 0, n)
	err := g.g.WithContext(ctx).Where("id > ?", 0).Order("id").Limit(n).Find(&out).Error
	return out, err
}
func (g *gormImpl) delete(ctx context.Context, m *Model) (int64, error) {
	res := g.g.WithContext(ctx).Delete(m)
	return res.RowsAffected, res.Error
}
func (g *gormImpl) insertNull(ctx context.Context, m *NullModel) error {
	return g.g.WithContext(ctx).Create(m).Error
}
func (g *gormImpl) readNull(ctx context.Context, id int64, m *NullModel) error {
	return g.g.WithContext(ctx).Take(m, id).Error
}
func (g *gormImpl) preload(ctx context.Context) ([]*Parent, error) {
	var out []*Parent
	err := g.g.WithContext(ctx).Preload("Children", func(db *gorm.DB) *gorm.DB { return db.Order("id") }).Order("id").Find(&out).Error
	return out, err
}

// ---- bun ----

type bunImpl struct{ db *bun.DB }

func (u *bunImpl) insert(ctx context.Context, m *Model) error {
	_, err := u.db.NewInsert().Model(m).Exec(ctx)
	return err
}
func (u *bunImpl) insertMulti(ctx context.Context, ms []Model) error {
	_, err := u.db.NewInsert().Model(&ms).Exec(ctx)
	return err
}
func (u *bunImpl) update(ctx context.Context, m *Model) (int64, error) {
	res, err := u.db.NewUpdate().Model(m).WherePK().Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
func (u *bunImpl) read(ctx context.Context, id int64, m *Model) error {
	return u.db.NewSelect().Model(m).Where("id = ?", id).Scan(ctx)
}
func (u *bunImpl) readSlice(ctx context.Context, n int) ([]Model, error) {
	out := make([]Model, 0, n)
	err := u.db.NewSelect().Model(&out).Where("id > ?", 0).Order("id").Limit(int64(n)).Scan(ctx)
	return out, err
}
func (u *bunImpl) delete(ctx context.Context, m *Model) (int64, error) {
	res, err := u.db.NewDelete().Model(m).WherePK().Exec(ctx)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
func (u *bunImpl) insertNull(ctx context.Context, m *NullModel) error {
	_, err := u.db.NewInsert().Model(m).Exec(ctx)
	return err
}
func (u *bunImpl) readNull(ctx context.Context, id int64, m *NullModel) error {
	return u.db.NewSelect().Model(m).Where("id = ?", id).Scan(ctx)
}
func (u *bunImpl) preload(ctx context.Context) ([]*Parent, error) {
	var out []*Parent
	err := u.db.NewSelect().Model(&out).Relation("Children", func(q *bun.SelectQuery) *bun.SelectQuery {
		return q.Order("id")
	}).Order("id").Scan(ctx)
	return out, err
}
