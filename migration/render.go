package migration

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// ErrNoMigrator is returned (wrapped) when the dialect does not implement
// dialects.Migrator.
var ErrNoMigrator = errors.New("dialect cannot alter a schema (it does not implement dialects.Migrator)")

// step is one statement of a migration.
type step struct {
	sql string
	op  Op
	// early statements run, each committed, before the migration's
	// transaction (PostgreSQL's ALTER TYPE ... ADD VALUE).
	early bool
}

// Render returns the SQL statements that apply ops to a database whose
// schema is live, on dialect d, in order. Changes the dialect's ALTER
// TABLE cannot make (SQLite) are grouped per table into one table
// rebuild. Transaction control, lock and connection set-up statements
// (SQLite's PRAGMA foreign_keys) are not included; triggers a SQLite
// rebuild must recreate are not known to Render (use Plan for that).
func Render(d dialects.Dialect, live *schema.MetaData, ops []Op) ([]string, error) {
	steps, err := render(context.Background(), d, nil, live, ops)
	if err != nil {
		return nil, err
	}
	return stepSQL(steps), nil
}

func stepSQL(steps []step) []string {
	if len(steps) == 0 {
		return nil
	}
	out := make([]string, len(steps))
	for i, s := range steps {
		out[i] = s.sql
	}
	return out
}

// rebuild is a table whose changes wait for one rebuild.
type rebuild struct {
	table   *schema.Table     // working state (the target, once all ops ran)
	from    *schema.Table     // the table as the database has it
	sources map[string]string // working column → column of from
	op      Op                // the first op that needed it
}

type renderer struct {
	ctx      context.Context
	d        dialects.Dialect
	m        dialects.Migrator
	q        dialects.Querier // nil: no database to read (Render)
	w        *schema.MetaData // working state
	rebuilds []*rebuild
	inlined  map[string]bool // table + "\x00" + name of deferred FKs created inline
	// catalog holds the name before this migration of the working tables
	// renamed by a statement of their own (the name q still knows).
	catalog map[*schema.Table]string
	out     []step
	ops     []Op // all the ops, and the position of the current one
	pos     int
}

// render turns ops into statements; q, when not nil, is read for what the
// schema does not describe (SQLite triggers).
func render(ctx context.Context, d dialects.Dialect, q dialects.Querier, live *schema.MetaData, ops []Op) ([]step, error) {
	m, ok := d.(dialects.Migrator)
	if !ok {
		return nil, fmt.Errorf("migration: %s: %w", d.Name(), ErrNoMigrator)
	}
	if live == nil {
		live = &schema.MetaData{}
	}
	r := &renderer{ctx: ctx, d: d, m: m, q: q, w: live.Clone(), inlined: map[string]bool{}, catalog: map[*schema.Table]string{}}
	r.ops = ops
	for i, op := range ops {
		r.pos = i
		if err := r.op(op); err != nil {
			return nil, fmt.Errorf("migration: %s: %w", op, err)
		}
	}
	if err := r.flush(); err != nil {
		return nil, err
	}
	return r.out, nil
}

// flush emits the pending table rebuilds. They wait until the end of
// the ops (or an Exec, which may depend on them) so that each table is
// rebuilt once, into its final state.
func (r *renderer) flush() error {
	rb, _ := r.d.(dialects.Rebuilder)
	for _, b := range r.rebuilds {
		if rb == nil {
			return fmt.Errorf("migration: %s: %w (and the dialect does not implement dialects.Rebuilder)", b.op, dialects.ErrNeedsRebuild)
		}
		if b.table == nil { // dropped later
			continue
		}
		from := b.from
		if orig, ok := r.catalog[b.table]; ok && orig != from.Name {
			// Renamed earlier in this migration: the database read at
			// render time still knows the table by its old name.
			from = from.Clone()
			from.RenamedFrom = orig
		}
		stmts, err := rb.RebuildTable(r.ctx, r.q, from, b.table, b.sources)
		if err != nil {
			return fmt.Errorf("migration: %s: %w", b.op, err)
		}
		r.emit(b.op, false, stmts)
	}
	r.rebuilds = nil
	return nil
}

func (r *renderer) emit(op Op, early bool, stmts []string) {
	for _, s := range stmts {
		r.out = append(r.out, step{sql: s, op: op, early: early})
	}
}

func (r *renderer) table(name string) (*schema.Table, error) {
	if t := r.w.Table(name); t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("table %q does not exist", name)
}

func (r *renderer) pending(t *schema.Table) *rebuild {
	for _, b := range r.rebuilds {
		if b.table == t {
			return b
		}
	}
	return nil
}

// alter emits the statements of a table change, or folds it into the
// table's rebuild when the dialect cannot ALTER it (or a rebuild is
// already pending). apply changes the working state.
func (r *renderer) alter(op Op, t *schema.Table, stmts func() ([]string, error), apply func()) error {
	b := r.pending(t)
	if b == nil {
		s, err := stmts()
		switch {
		case errors.Is(err, dialects.ErrNeedsRebuild):
			b = &rebuild{table: t, from: t.Clone(), sources: map[string]string{}, op: op}
			for _, c := range t.Columns {
				b.sources[c.Name] = c.Name
			}
			r.rebuilds = append(r.rebuilds, b)
		case err != nil:
			return err
		default:
			_, early := op.(*AddEnumValues)
			r.emit(op, early && r.d.Features().Has(dialects.NativeEnum), s)
		}
	}
	apply()
	return nil
}

func (r *renderer) op(op Op) error {
	switch o := op.(type) {
	case *CreateTable:
		return r.createTable(o)
	case *DropTable:
		t, err := r.table(o.Table.Name)
		if err != nil {
			return err
		}
		from := t
		if b := r.pending(t); b != nil {
			from, b.table = b.from, nil
		}
		s, err := r.m.DropTable(from)
		if err != nil {
			return err
		}
		r.emit(op, false, s)
		r.w.Tables = slices.DeleteFunc(r.w.Tables, func(x *schema.Table) bool { return x == t })
		return nil
	case *RenameTable:
		t, err := r.table(o.From)
		if err != nil {
			return err
		}
		if r.w.Table(o.To) != nil {
			return fmt.Errorf("table %q already exists", o.To)
		}
		if _, seen := r.catalog[t]; !seen && r.pending(t) == nil {
			r.catalog[t] = o.From
		}
		return r.alter(op, t, func() ([]string, error) {
			// A table waiting for a rebuild is renamed by the rebuild.
			return r.m.RenameTable(o.From, o.To)
		}, func() {
			t.Name = o.To
			for _, x := range r.w.Tables {
				for _, fk := range x.ForeignKeys {
					if fk.RefTable == o.From {
						fk.RefTable = o.To
					}
				}
			}
		})
	case *Exec:
		if err := r.flush(); err != nil {
			return err
		}
		r.emit(op, false, []string{o.SQL})
		return nil
	}
	t, err := r.table(op.TableName())
	if err != nil {
		return err
	}
	switch o := op.(type) {
	case *AddColumn:
		if t.Column(o.Column.Name) != nil {
			return fmt.Errorf("column %q already exists", o.Column.Name)
		}
		c := o.Column.Clone()
		return r.alter(op, t, func() ([]string, error) {
			n := t.Clone()
			n.Columns = append(n.Columns, c)
			return r.m.AddColumn(n, c)
		}, func() { t.Columns = append(t.Columns, c) })
	case *DropColumn:
		c := t.Column(o.Column.Name)
		if c == nil {
			return fmt.Errorf("column %q does not exist", o.Column.Name)
		}
		return r.alter(op, t, func() ([]string, error) { return r.m.DropColumn(t, c) }, func() {
			dropColumn(t, c.Name)
			if b := r.pending(t); b != nil {
				delete(b.sources, c.Name)
			}
		})
	case *RenameColumn:
		if t.Column(o.From) == nil {
			return fmt.Errorf("column %q does not exist", o.From)
		}
		return r.alter(op, t, func() ([]string, error) { return r.m.RenameColumn(t, o.From, o.To) }, func() {
			renameColumn(r.w, t, o.From, o.To)
			if b := r.pending(t); b != nil {
				if s, ok := b.sources[o.From]; ok {
					delete(b.sources, o.From)
					b.sources[o.To] = s
				}
			}
		})
	case *AlterColumn:
		name := o.To.Name
		if t.Column(name) == nil && o.From != nil {
			name = o.From.Name
		}
		cur := t.Column(name)
		if cur == nil {
			return fmt.Errorf("column %q does not exist", o.To.Name)
		}
		from := o.From
		if from == nil {
			from = cur
		}
		to := o.To.Clone()
		ch := dialects.ColumnChange{From: from, To: to, Type: o.TypeChanged, Null: o.NullChanged, Default: o.DefaultChanged, Comment: o.CommentChanged}
		return r.alter(op, t, func() ([]string, error) { return r.m.AlterColumn(t, ch) }, func() {
			replaceColumn(t, name, to)
		})
	case *AddEnumValues:
		cur := t.Column(o.Column.Name)
		if cur == nil {
			return fmt.Errorf("column %q does not exist", o.Column.Name)
		}
		to := cur.Clone()
		to.Type.Values = slices.Clone(o.Column.Type.Values)
		if to.Type.EnumName == "" {
			to.Type.EnumName = o.Column.Type.EnumName
		}
		n := t.Clone()
		replaceColumn(n, cur.Name, to)
		return r.alter(op, t, func() ([]string, error) { return r.m.AddEnumValues(n, to, o.Values) }, func() {
			replaceColumn(t, cur.Name, to)
		})
	case *CreateIndex:
		ix := cloneIndex(o.Index)
		return r.alter(op, t, func() ([]string, error) { return []string{r.d.CreateIndex(t, ix, false)}, nil }, func() {
			t.Indexes = append(t.Indexes, ix)
		})
	case *DropIndex:
		i := findIndex(t, o.Index)
		if i < 0 {
			return fmt.Errorf("index %q does not exist", o.Index.Name)
		}
		ix := t.Indexes[i]
		return r.alter(op, t, func() ([]string, error) { return r.m.DropIndex(t, ix) }, func() {
			t.Indexes = slices.Delete(t.Indexes, i, i+1)
		})
	case *AddUnique:
		u := &schema.Unique{Name: o.Unique.Name, Columns: slices.Clone(o.Unique.Columns)}
		return r.alter(op, t, func() ([]string, error) { return r.m.AddUnique(t, u) }, func() {
			t.Uniques = append(t.Uniques, u)
		})
	case *DropUnique:
		i := slices.IndexFunc(t.Uniques, func(u *schema.Unique) bool {
			return sameName(u.Name, o.Unique.Name, u.Columns, o.Unique.Columns)
		})
		if i < 0 {
			// Databases that keep unique constraints as unique indexes
			// (MySQL) report them as such.
			j := slices.IndexFunc(t.Indexes, func(ix *schema.Index) bool {
				return ix.Unique && sameName(ix.Name, o.Unique.Name, ix.ColumnNames(), o.Unique.Columns)
			})
			if j < 0 {
				return fmt.Errorf("unique constraint %q does not exist", o.Unique.Name)
			}
			ix := t.Indexes[j]
			return r.alter(op, t, func() ([]string, error) { return r.m.DropIndex(t, ix) }, func() {
				t.Indexes = slices.Delete(t.Indexes, j, j+1)
			})
		}
		u := t.Uniques[i]
		return r.alter(op, t, func() ([]string, error) { return r.m.DropUnique(t, u) }, func() {
			t.Uniques = slices.Delete(t.Uniques, i, i+1)
		})
	case *AddForeignKey:
		if o.ForeignKey.Name != "" && r.inlined[o.Table+"\x00"+o.ForeignKey.Name] {
			return nil // created inline with its table
		}
		fk := cloneFK(o.ForeignKey)
		return r.alter(op, t, func() ([]string, error) {
			s, err := r.d.AddForeignKey(t, fk)
			if err != nil {
				// Dialects without AlterConstraints rebuild.
				if !r.d.Features().Has(dialects.AlterConstraints) {
					return nil, fmt.Errorf("%w: %w", dialects.ErrNeedsRebuild, err)
				}
				return nil, err
			}
			return []string{s}, nil
		}, func() {
			t.ForeignKeys = append(t.ForeignKeys, fk)
			r.addImplicitIndex(t, fk)
		})
	case *DropForeignKey:
		i := slices.IndexFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool {
			return sameName(fk.Name, o.ForeignKey.Name, fk.Columns, o.ForeignKey.Columns) && (o.ForeignKey.Name != "" || fk.RefTable == o.ForeignKey.RefTable)
		})
		if i < 0 {
			return fmt.Errorf("foreign key %q does not exist", o.ForeignKey.Name)
		}
		fk := t.ForeignKeys[i]
		if err := r.alter(op, t, func() ([]string, error) { return r.m.DropForeignKey(t, fk) }, func() {
			t.ForeignKeys = slices.Delete(t.ForeignKeys, i, i+1)
		}); err != nil {
			return err
		}
		return r.dropImplicitIndex(op, t, fk)
	case *AddCheck:
		ck := &schema.Check{Name: o.Check.Name, Expr: o.Check.Expr}
		return r.alter(op, t, func() ([]string, error) { return r.m.AddCheck(t, ck) }, func() {
			t.Checks = append(t.Checks, ck)
		})
	case *DropCheck:
		i := slices.IndexFunc(t.Checks, func(ck *schema.Check) bool {
			return ck.Name == o.Check.Name && (ck.Name != "" || ck.Expr == o.Check.Expr)
		})
		if i < 0 {
			return fmt.Errorf("check constraint %q does not exist", o.Check.Name)
		}
		ck := t.Checks[i]
		return r.alter(op, t, func() ([]string, error) { return r.m.DropCheck(t, ck) }, func() {
			t.Checks = slices.Delete(t.Checks, i, i+1)
		})
	case *AlterPrimaryKey:
		from := t.PrimaryKey
		var to *schema.PrimaryKey
		if o.To != nil {
			to = &schema.PrimaryKey{Name: o.To.Name, Columns: slices.Clone(o.To.Columns)}
		}
		return r.alter(op, t, func() ([]string, error) {
			n := t.Clone()
			n.PrimaryKey = to
			return r.m.AlterPrimaryKey(n, from, to)
		}, func() { t.PrimaryKey = to })
	case *SetTableComment:
		return r.alter(op, t, func() ([]string, error) { return r.m.SetTableComment(t, o.To) }, func() {
			t.Comment = o.To
		})
	}
	return fmt.Errorf("unknown op type %T", op)
}

func (r *renderer) createTable(o *CreateTable) error {
	if r.w.Table(o.Table.Name) != nil {
		return fmt.Errorf("table %q already exists", o.Table.Name)
	}
	t := o.Table.Clone()
	var inline []*schema.ForeignKey
	for i, fk := range o.Table.ForeignKeys {
		// Matched by name, not pointer: a revision file spells the
		// deferred foreign keys out again.
		deferred := slices.ContainsFunc(o.DeferredFKs, func(d *schema.ForeignKey) bool { return sameFK(d, fk) })
		if deferred {
			if _, err := r.d.AddForeignKey(t, t.ForeignKeys[i]); err != nil {
				// The dialect cannot add it later (SQLite, which
				// accepts forward references): create it inline.
				deferred = false
				r.inlined[t.Name+"\x00"+fk.Name] = true
			}
		}
		if !deferred {
			inline = append(inline, t.ForeignKeys[i])
		}
	}
	r.emit(o, false, r.d.CreateTable(t, inline, false))
	t.ForeignKeys = inline
	r.w.Tables = append(r.w.Tables, t)
	return nil
}

// needsFKIndex reports whether the dialect's foreign keys need an index
// led by their columns, which it creates with them (InnoDB).
func (r *renderer) needsFKIndex() bool {
	fi, ok := r.d.(dialects.ForeignKeyIndexer)
	return ok && fi.ForeignKeysNeedIndex()
}

// keyCovers reports whether a key of t other than skip serves the
// foreign key on cols.
func keyCovers(t *schema.Table, cols []string, skip *schema.Index) bool {
	if t.PrimaryKey != nil && dialects.CoversForeignKey(t.PrimaryKey.Columns, cols) {
		return true
	}
	for _, u := range t.Uniques {
		if dialects.CoversForeignKey(u.Columns, cols) {
			return true
		}
	}
	for _, ix := range t.Indexes {
		if ix != skip && dialects.CoversForeignKey(ix.ColumnNames(), cols) {
			return true
		}
	}
	return false
}

// addImplicitIndex records in the working state the index InnoDB creates
// with a foreign key that no key serves.
func (r *renderer) addImplicitIndex(t *schema.Table, fk *schema.ForeignKey) {
	if !r.needsFKIndex() || keyCovers(t, fk.Columns, nil) {
		return
	}
	name := fk.Name
	if name == "" {
		name = fk.Columns[0]
	}
	ix := &schema.Index{Name: name}
	for _, c := range fk.Columns {
		ix.Columns = append(ix.Columns, schema.IndexColumn{Name: c})
	}
	t.Indexes = append(t.Indexes, ix)
}

// dropImplicitIndex drops, after the foreign key fk of t, the index InnoDB
// created for it (plain, on exactly its columns, named after it or its
// first column), so that the reverse of an AddForeignKey leaves the table
// as it was. The index stays when a later op drops it or adds a foreign
// key on the same columns, or when another foreign key of t needs it.
func (r *renderer) dropImplicitIndex(op Op, t *schema.Table, fk *schema.ForeignKey) error {
	if !r.needsFKIndex() {
		return nil
	}
	i := slices.IndexFunc(t.Indexes, func(ix *schema.Index) bool {
		return !ix.Unique && (ix.Name == fk.Name || ix.Name == fk.Columns[0]) && slices.Equal(ix.ColumnNames(), fk.Columns) &&
			!slices.ContainsFunc(ix.Columns, func(c schema.IndexColumn) bool { return c.Desc })
	})
	if i < 0 {
		return nil
	}
	ix := t.Indexes[i]
	for _, later := range r.ops[r.pos+1:] {
		switch l := later.(type) {
		case *DropIndex:
			if l.Table == t.Name && dialects.IndexName(t, l.Index) == dialects.IndexName(t, ix) {
				return nil
			}
		case *AddForeignKey:
			if l.Table == t.Name && dialects.CoversForeignKey(ix.ColumnNames(), l.ForeignKey.Columns) {
				return nil
			}
		}
	}
	for _, other := range t.ForeignKeys {
		if dialects.CoversForeignKey(ix.ColumnNames(), other.Columns) && !keyCovers(t, other.Columns, ix) {
			return nil
		}
	}
	s, err := r.m.DropIndex(t, ix)
	if err != nil {
		return err
	}
	r.emit(op, false, s)
	t.Indexes = slices.Delete(t.Indexes, i, i+1)
	return nil
}

func sameName(a, b string, ac, bc []string) bool {
	if a != "" || b != "" {
		return a == b
	}
	return slices.Equal(ac, bc)
}

func findIndex(t *schema.Table, ix *schema.Index) int {
	name := dialects.IndexName(t, ix)
	return slices.IndexFunc(t.Indexes, func(x *schema.Index) bool {
		return dialects.IndexName(t, x) == name
	})
}

func cloneIndex(ix *schema.Index) *schema.Index {
	c := *ix
	c.Columns = slices.Clone(ix.Columns)
	return &c
}

func cloneFK(fk *schema.ForeignKey) *schema.ForeignKey {
	c := *fk
	c.Columns = slices.Clone(fk.Columns)
	c.RefColumns = slices.Clone(fk.RefColumns)
	return &c
}

func replaceColumn(t *schema.Table, name string, c *schema.Column) {
	for i, x := range t.Columns {
		if x.Name == name {
			t.Columns[i] = c
		}
	}
	if c.Name != name {
		renameInTable(t, name, c.Name)
	}
}

// dropColumn removes a column and what the database drops with it:
// indexes, uniques and foreign keys on it.
func dropColumn(t *schema.Table, name string) {
	t.Columns = slices.DeleteFunc(t.Columns, func(c *schema.Column) bool { return c.Name == name })
	t.Indexes = slices.DeleteFunc(t.Indexes, func(ix *schema.Index) bool { return slices.Contains(ix.ColumnNames(), name) })
	t.Uniques = slices.DeleteFunc(t.Uniques, func(u *schema.Unique) bool { return slices.Contains(u.Columns, name) })
	t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool { return slices.Contains(fk.Columns, name) })
}

func renameIn(cols []string, from, to string) {
	for i, c := range cols {
		if c == from {
			cols[i] = to
		}
	}
}

func renameInTable(t *schema.Table, from, to string) {
	if t.PrimaryKey != nil {
		renameIn(t.PrimaryKey.Columns, from, to)
	}
	for _, u := range t.Uniques {
		renameIn(u.Columns, from, to)
	}
	for _, ix := range t.Indexes {
		for i := range ix.Columns {
			if ix.Columns[i].Name == from {
				ix.Columns[i].Name = to
			}
		}
	}
	for _, fk := range t.ForeignKeys {
		renameIn(fk.Columns, from, to)
	}
}

// renameColumn renames a column and every reference to it, as databases
// do: keys and indexes of t, and foreign keys of any table referencing it.
func renameColumn(md *schema.MetaData, t *schema.Table, from, to string) {
	if c := t.Column(from); c != nil {
		c.Name = to
	}
	renameInTable(t, from, to)
	for _, x := range md.Tables {
		for _, fk := range x.ForeignKeys {
			if fk.RefTable == t.Name {
				renameIn(fk.RefColumns, from, to)
			}
		}
	}
}
