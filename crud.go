package orm

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tagorm/orm/dialects"
)

// structRows resolves v — a pointer to a struct, or a slice (or pointer to
// a slice) of structs or struct pointers — to its model and addressable
// struct values.
func (h *handle) structRows(op string, v any) (*model, []reflect.Value, error) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil, nil, fmt.Errorf("orm: %s: nil value", op)
	}
	if rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Slice {
		rv = rv.Elem()
	}
	var rows []reflect.Value
	switch {
	case rv.Kind() == reflect.Pointer && rv.Elem().Kind() == reflect.Struct:
		if rv.IsNil() {
			return nil, nil, fmt.Errorf("orm: %s: nil %s", op, rv.Type())
		}
		rows = []reflect.Value{rv.Elem()}
	case rv.Kind() == reflect.Slice:
		rows = make([]reflect.Value, 0, rv.Len())
		for i := 0; i < rv.Len(); i++ {
			e := rv.Index(i)
			if e.Kind() == reflect.Pointer {
				if e.IsNil() {
					return nil, nil, fmt.Errorf("orm: %s: element %d is nil", op, i)
				}
				e = e.Elem()
			}
			rows = append(rows, e)
		}
	default:
		return nil, nil, fmt.Errorf("orm: %s: want a pointer to a struct or a slice of structs, got %s", op, rv.Type())
	}
	m, err := h.db.mapper.modelOf(rv.Type())
	if err != nil {
		return nil, nil, err
	}
	return m, rows, nil
}

// Insert inserts one row (v is a pointer to a struct) or many (v is a
// slice of structs or struct pointers, or a pointer to one). It runs the
// client-side defaults (default_fn), fills generated primary keys and
// reads back server defaults of columns left at their zero value (on
// dialects with RETURNING: SQLite and PostgreSQL; on MySQL such fields
// keep their zero value in the struct, while the row has the default).
// Many rows go in as few multi-row statements as the dialect's
// bind-parameter limit allows, inside a transaction (a savepoint in a
// Session) when more than one statement is needed.
//
// An explicit key is kept. On PostgreSQL it does not advance the
// column's sequence, so mixing explicit and generated keys can collide.
func (h *handle) Insert(ctx context.Context, v any) error {
	m, rows, err := h.structRows("insert", v)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	if len(m.relations) > 0 {
		return h.insertGraph(ctx, m, rows) // association.go
	}
	return h.insertRows(ctx, m, rows, nil)
}

// insertRows inserts rows of model m; conflict, when set, makes it an upsert.
func (h *handle) insertRows(ctx context.Context, m *model, rows []reflect.Value, conflict *Conflict) error {
	var memo defaultMemo
	for _, r := range rows {
		memo.reset()
		if conflict != nil {
			// An upsert writes the row either way: refresh the
			// onupdate_fn columns (UpdatedAt) even when they are set.
			for _, f := range m.fields {
				if f.onUpdate != nil {
					if err := assignValue(f.of(r), memo.call(f.onUpdateName, f.onUpdate)); err != nil {
						return h.db.wrapErr("upsert "+m.table.Name, fmt.Errorf("field %s: onupdate_fn: %w", f.name, err))
					}
				}
			}
		}
		for _, f := range m.fields {
			if f.insertDefault != nil {
				if fv := f.of(r); fv.IsZero() {
					if err := assignValue(fv, memo.call(f.insertDefaultName, f.insertDefault)); err != nil {
						return h.db.wrapErr("insert "+m.table.Name, fmt.Errorf("field %s: default_fn: %w", f.name, err))
					}
				}
			}
		}
	}
	// Group consecutive rows that insert the same columns.
	type batch struct {
		omit uint64 // bit i set: fields[i] left to the database
		rows []reflect.Value
	}
	var batches []batch
	for _, r := range rows {
		omit := m.omitMask(r)
		if n := len(batches); n > 0 && batches[n-1].omit == omit {
			batches[n-1].rows = append(batches[n-1].rows, r)
		} else {
			batches = append(batches, batch{omit: omit, rows: []reflect.Value{r}})
		}
	}
	d := h.db.dialect
	// rowsPer is how many rows of batch b one statement carries: as many
	// as the dialect's bind limit allows. An upsert that must read back
	// generated keys without RETURNING goes row by row, since LastInsertId
	// reports one key per statement.
	rowsPer := func(b batch) int {
		if conflict != nil && m.autoInc != nil && b.omit&(1<<m.fieldIndex(m.autoInc)) != 0 && !d.Features().Has(dialects.Returning) {
			return 1
		}
		ncols := len(m.fields) - popcount(b.omit)
		return max(1, d.MaxParams()/max(1, ncols))
	}
	var stmts int
	for _, b := range batches {
		per := rowsPer(b)
		stmts += (len(b.rows) + per - 1) / per
	}
	run := func(h *handle) error {
		for _, b := range batches {
			per := rowsPer(b)
			for start := 0; start < len(b.rows); start += per {
				chunk := b.rows[start:min(start+per, len(b.rows))]
				if err := h.insertChunk(ctx, m, b.omit, chunk, conflict); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if stmts > 1 {
		return h.atomically(ctx, run)
	}
	return run(h)
}

// atomically runs fn in a transaction, or in a savepoint when h already is
// a transaction, so that fn's statements take effect together or not at all.
func (h *handle) atomically(ctx context.Context, fn func(h *handle) error) error {
	if h.sess != nil {
		return h.sess.Transaction(ctx, func(s *Session) error { return fn(&s.handle) })
	}
	if _, inTx := h.ex.(*sqlx.Tx); inTx {
		return fn(h)
	}
	return h.db.Transaction(ctx, func(s *Session) error { return fn(&s.handle) })
}

// defaultMemo evaluates the client-side defaults of one row. A function
// that returns a time.Time is called once per row, so that the CreatedAt
// and UpdatedAt of a new row are equal; others (e.g. UUIDs) are called for
// each field. Functions are told apart by their registered name.
type defaultMemo struct {
	names []string
	vals  []any
}

func (dm *defaultMemo) reset() { dm.names, dm.vals = dm.names[:0], dm.vals[:0] }

func (dm *defaultMemo) call(name string, fn DefaultFunc) any {
	for i, n := range dm.names {
		if n == name {
			return dm.vals[i]
		}
	}
	v := fn()
	if _, ok := v.(time.Time); ok {
		dm.names = append(dm.names, name)
		dm.vals = append(dm.vals, v)
	}
	return v
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// omitMask returns the fields left out of an INSERT for row r: a zero
// autoincrement key, and zero-valued fields whose column has a server
// default (so that the default applies).
func (m *model) omitMask(r reflect.Value) uint64 {
	var mask uint64
	for i, f := range m.fields {
		if i >= 64 {
			break
		}
		if (f == m.autoInc || f.col.Default != nil) && f.of(r).IsZero() {
			mask |= 1 << i
		}
	}
	return mask
}

// insertSQL returns the INSERT statement for nrows rows of m without the
// omitted fields, and the fields read back.
type insertShape struct {
	sql       string
	cols      []*field // bound, in order
	returning []*field // read back
	// match, when set, are the fields by which rows returned by a
	// multi-row upsert are matched to the inserted rows: the conflict
	// columns (a returned row may be an existing one, so the keys are
	// not in VALUES order).
	match []*field
}

// maxCachedRows is the largest multi-row INSERT whose SQL is cached: the
// statements of huge bulk inserts are built for each call rather than
// kept for the life of the DB.
const maxCachedRows = 1024

type shapeKey struct {
	op       byte
	omit     uint64
	rows     int
	conflict string
}

func (h *handle) insertShape(m *model, omit uint64, nrows int, conflict *Conflict) (*insertShape, error) {
	key := shapeKey{op: 'i', omit: omit, rows: nrows}
	if conflict != nil {
		key.conflict = conflict.key()
	}
	if s, ok := m.sqlCache.Load(key); ok {
		return s.(*insertShape), nil
	}
	d := h.db.dialect
	sh := &insertShape{}
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(d.Quote(m.table.Name))
	b.WriteString(" (")
	for i, f := range m.fields {
		if i < 64 && omit&(1<<i) != 0 {
			sh.returning = append(sh.returning, f)
			continue
		}
		if len(sh.cols) > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.Quote(f.col.Name))
		sh.cols = append(sh.cols, f)
	}
	b.WriteString(") VALUES ")
	n := 1
	for r := 0; r < nrows; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range sh.cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Placeholder(n))
			n++
		}
		b.WriteByte(')')
	}
	var conflictFields []*field
	if conflict != nil {
		cc, uc, err := conflict.resolve(m)
		if err != nil {
			return nil, err
		}
		d.Upsert(&b, m.table, cc, uc)
		for _, c := range cc {
			conflictFields = append(conflictFields, m.byCol[c])
		}
	}
	// Read back generated keys and server defaults. With several rows,
	// the returned rows are matched to the inserted ones by the
	// autoincrement key (generated in VALUES order), the primary key, or
	// for an upsert the conflict columns.
	if len(sh.returning) > 0 {
		ret := sh.returning
		add := func(fs []*field) {
			for _, f := range fs {
				if !slices.Contains(ret, f) {
					ret = append(slices.Clip(ret), f)
				}
			}
		}
		if nrows > 1 && m.autoInc == nil || conflict != nil {
			add(m.pk)
		}
		if conflict != nil && nrows > 1 {
			add(conflictFields)
			sh.match = conflictFields
		}
		names := make([]string, len(ret))
		for i, f := range ret {
			names[i] = f.col.Name
		}
		if d.InsertReturning(&b, names) {
			sh.returning = ret
		} else {
			sh.returning = nil
			sh.match = nil
		}
	}
	sh.sql = b.String()
	if nrows <= maxCachedRows {
		m.sqlCache.Store(key, sh)
	}
	return sh, nil
}

func (h *handle) insertChunk(ctx context.Context, m *model, omit uint64, rows []reflect.Value, conflict *Conflict) error {
	op := "insert " + m.table.Name
	sh, err := h.insertShape(m, omit, len(rows), conflict)
	if err != nil {
		return err
	}
	args := make([]any, 0, len(sh.cols)*len(rows))
	for _, r := range rows {
		for _, f := range sh.cols {
			a, err := f.arg(r)
			if err != nil {
				return h.db.wrapErr(op, err)
			}
			args = append(args, a)
		}
	}
	if len(sh.returning) > 0 {
		return h.insertReturning(ctx, m, sh, rows, args)
	}
	res, err := h.exec(ctx, sh.sql, args)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	if m.autoInc != nil && omit&(1<<m.fieldIndex(m.autoInc)) != 0 {
		id, err := res.LastInsertId()
		if err != nil {
			return h.db.wrapErr(op, fmt.Errorf("read generated key: %w", err))
		}
		if conflict != nil && len(rows) == 1 && id == 0 {
			return nil // an upsert that changed nothing reports no id
		}
		// MySQL reports the first key of a multi-row INSERT; the others
		// follow it (auto_increment_increment = 1).
		for i, r := range rows {
			fv := m.autoInc.of(r)
			if err := assignValue(fv, id+int64(i)); err != nil {
				return h.db.wrapErr(op, err)
			}
		}
	}
	return nil
}

func (m *model) fieldIndex(f *field) int {
	return slices.Index(m.fields, f)
}

// insertReturning runs an INSERT ... RETURNING and stores what it returns
// into the inserted rows.
func (h *handle) insertReturning(ctx context.Context, m *model, sh *insertShape, rows []reflect.Value, args []any) error {
	op := "insert " + m.table.Name
	res, err := h.query(ctx, sh.sql, args)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	defer res.Close()
	plan := &scanPlan{fields: sh.returning, wrap: make([]bool, len(sh.returning))}
	for i, f := range sh.returning {
		plan.wrap[i] = f.converts()
	}
	rs := newRowScanner(plan)
	if len(rows) == 1 {
		if res.Next() {
			if err := rs.scan(res, rows[0]); err != nil {
				return h.db.wrapErr(op, err)
			}
		}
		return h.db.wrapErr(op, res.Err())
	}
	if len(sh.returning) == 1 && sh.returning[0] == m.autoInc && len(sh.match) == 0 {
		// Only generated keys: scan them, in VALUES order once sorted.
		ids := make([]int64, 0, len(rows))
		var id int64
		dest := []any{&id}
		for res.Next() {
			if err := res.Scan(dest...); err != nil {
				return h.db.wrapErr(op, err)
			}
			ids = append(ids, id)
		}
		if err := res.Err(); err != nil {
			return h.db.wrapErr(op, err)
		}
		if len(ids) != len(rows) {
			return h.db.wrapErr(op, fmt.Errorf("RETURNING gave %d rows for %d inserted", len(ids), len(rows)))
		}
		slices.Sort(ids)
		for i, r := range rows {
			if err := assignValue(m.autoInc.of(r), ids[i]); err != nil {
				return h.db.wrapErr(op, err)
			}
		}
		return nil
	}
	// Several rows: scan into fresh values, then match them to the
	// inserted rows.
	var got []reflect.Value
	for res.Next() {
		v := reflect.New(m.typ).Elem()
		if err := rs.scan(res, v); err != nil {
			return h.db.wrapErr(op, err)
		}
		got = append(got, v)
	}
	if err := res.Err(); err != nil {
		return h.db.wrapErr(op, err)
	}
	if len(sh.match) == 0 && m.autoInc != nil && slices.Contains(sh.returning, m.autoInc) {
		if len(got) != len(rows) {
			return h.db.wrapErr(op, fmt.Errorf("RETURNING gave %d rows for %d inserted", len(got), len(rows)))
		}
		// Keys are generated in VALUES order: sort the returned rows by key.
		sort.SliceStable(got, func(i, j int) bool {
			return m.autoInc.of(got[i]).Int() < m.autoInc.of(got[j]).Int()
		})
		for i, r := range rows {
			copyFields(sh.returning, got[i], r)
		}
		return nil
	}
	// Match by the conflict columns of an upsert, or the primary key.
	match := sh.match
	if len(match) == 0 {
		match = m.pk
	}
	index := make(map[string]reflect.Value, len(rows))
	for _, r := range rows {
		index[fieldsKey(match, r)] = r
	}
	for _, g := range got {
		if r, ok := index[fieldsKey(match, g)]; ok {
			copyFields(sh.returning, g, r)
		}
	}
	return nil
}

func copyFields(fields []*field, from, to reflect.Value) {
	for _, f := range fields {
		f.of(to).Set(f.of(from))
	}
}

func fieldsKey(fields []*field, r reflect.Value) string {
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%v\x00", f.of(r).Interface())
	}
	return b.String()
}

// Conflict describes what an Upsert does when a row already exists.
type Conflict struct {
	columns   []string
	update    []string
	doNothing bool
}

// OnConflict starts an upsert specification: a conflict on the given
// columns (a primary key or unique constraint; default: the primary key).
// MySQL ignores the columns: it reacts to any unique key.
func OnConflict(columns ...string) *Conflict { return &Conflict{columns: columns} }

// DoUpdate sets the columns (column or Go field names) updated to the new
// values on conflict. Without it, every column except the conflict
// columns and the primary key is updated.
func (c *Conflict) DoUpdate(columns ...string) *Conflict { c.update = columns; return c }

// DoNothing keeps the existing row on conflict.
func (c *Conflict) DoNothing() *Conflict { c.doNothing = true; return c }

func (c *Conflict) key() string {
	return strings.Join(c.columns, ",") + "|" + strings.Join(c.update, ",") + fmt.Sprint(c.doNothing)
}

func (c *Conflict) resolve(m *model) (conflict, update []string, err error) {
	if len(c.columns) == 0 {
		for _, f := range m.pk {
			conflict = append(conflict, f.col.Name)
		}
	} else {
		for _, n := range c.columns {
			f := m.lookup(n)
			if f == nil {
				return nil, nil, fmt.Errorf("orm: upsert %s: unknown column %q", m.table.Name, n)
			}
			conflict = append(conflict, f.col.Name)
		}
	}
	if len(conflict) == 0 {
		return nil, nil, fmt.Errorf("orm: upsert %s: no conflict columns and no primary key", m.table.Name)
	}
	if c.doNothing {
		return conflict, nil, nil
	}
	if len(c.update) > 0 {
		for _, n := range c.update {
			f := m.lookup(n)
			if f == nil {
				return nil, nil, fmt.Errorf("orm: upsert %s: unknown column %q", m.table.Name, n)
			}
			update = append(update, f.col.Name)
		}
		for _, f := range m.fields {
			if f.onUpdate != nil && !slices.Contains(update, f.col.Name) {
				update = append(update, f.col.Name)
			}
		}
		return conflict, update, nil
	}
	for _, f := range m.fields {
		if slices.Contains(conflict, f.col.Name) || slices.Contains(m.pk, f) || f.insertDefault != nil && f.onUpdate == nil {
			continue
		}
		update = append(update, f.col.Name)
	}
	return conflict, update, nil
}

// lookup finds a field by column name or Go field name.
func (m *model) lookup(name string) *field {
	if f := m.byCol[name]; f != nil {
		return f
	}
	return m.byName[name]
}

// Upsert inserts v (a pointer to a struct or a slice of them), or on a
// conflict described by c (nil: on the primary key, updating every other
// column) updates the existing row. Generated keys are filled on insert
// and, on update, with the existing row's key. With DoNothing, a row that
// conflicted keeps a zero key on SQLite and PostgreSQL (nothing is
// returned for it); MySQL reports the existing key. onupdate_fn columns
// (UpdatedAt) are refreshed either way. Without RETURNING (MySQL), an
// upsert that must read back generated keys runs one statement per row.
func (h *handle) Upsert(ctx context.Context, v any, c *Conflict) error {
	m, rows, err := h.structRows("upsert", v)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	if c == nil {
		c = OnConflict()
	}
	return h.insertRows(ctx, m, rows, c)
}

// pkWhere appends "WHERE pk1 = ? AND pk2 = ?" with placeholders from n.
func pkWhere(d dialects.Dialect, b *strings.Builder, m *model, n int) int {
	b.WriteString(" WHERE ")
	for i, f := range m.pk {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(d.Quote(f.col.Name))
		b.WriteString(" = ")
		b.WriteString(d.Placeholder(n))
		n++
	}
	return n
}

func (h *handle) needPK(op string, m *model) error {
	if len(m.pk) == 0 {
		return fmt.Errorf("orm: %s %s: %w (tag a field pk)", op, m.table.Name, ErrNoPrimaryKey)
	}
	return nil
}

// Get loads the row with the given primary key value(s) into dest, a
// pointer to a struct. Composite keys take their values in key order.
// It returns ErrNotFound when there is no such row (soft-deleted rows
// count as absent).
func (h *handle) Get(ctx context.Context, dest any, pk ...any) error {
	m, rows, err := h.structRows("get", dest)
	if err != nil {
		return err
	}
	if len(rows) != 1 || reflect.ValueOf(dest).Elem().Kind() != reflect.Struct {
		return fmt.Errorf("orm: get: want a pointer to a struct, got %T", dest)
	}
	if err := h.needPK("get", m); err != nil {
		return err
	}
	if len(pk) != len(m.pk) {
		return fmt.Errorf("orm: get %s: the primary key has %d column(s), got %d value(s)", m.table.Name, len(m.pk), len(pk))
	}
	key := shapeKey{op: 'g'}
	var query string
	if s, ok := m.sqlCache.Load(key); ok {
		query = s.(string)
	} else {
		d := h.db.dialect
		var b strings.Builder
		b.WriteString("SELECT ")
		m.writeColumns(d, &b, false)
		b.WriteString(" FROM ")
		b.WriteString(d.Quote(m.table.Name))
		pkWhere(d, &b, m, 1)
		if m.softDelete != nil {
			b.WriteString(" AND ")
			b.WriteString(d.Quote(m.softDelete.col.Name))
			b.WriteString(" IS NULL")
		}
		query = b.String()
		m.sqlCache.Store(key, query)
	}
	return h.scanOne(ctx, "get "+m.table.Name, m, rows[0], query, pk)
}

// writeColumns writes the model's quoted column list, qualified with the
// table name when qualify is set.
func (m *model) writeColumns(d dialects.Dialect, b *strings.Builder, qualify bool) {
	for i, f := range m.fields {
		if i > 0 {
			b.WriteString(", ")
		}
		if qualify {
			b.WriteString(d.Quote(m.table.Name))
			b.WriteByte('.')
		}
		b.WriteString(d.Quote(f.col.Name))
	}
}

// scanOne runs query and scans its first row into v.
func (h *handle) scanOne(ctx context.Context, op string, m *model, v reflect.Value, query string, args []any) error {
	rows, err := h.query(ctx, query, args)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return h.db.wrapErr(op, err)
		}
		return fmt.Errorf("orm: %s: %w", op, ErrNotFound)
	}
	cols, err := rows.Columns()
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	plan, err := m.planFor(cols)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	if err := newRowScanner(plan).scan(rows, v); err != nil {
		return h.db.wrapErr(op, err)
	}
	return h.db.wrapErr(op, rows.Close())
}

// Update writes v (a pointer to a struct, or a slice of them) to its row,
// found by primary key. With no columns, every column but the primary key
// is written; otherwise only the named ones (column or Go field names).
// Columns with an onupdate_fn are always refreshed and written. It returns
// ErrNotFound when no row has the key.
func (h *handle) Update(ctx context.Context, v any, columns ...string) error {
	return h.update(ctx, v, false, columns)
}

// update is Update; live restricts it to rows not soft-deleted.
func (h *handle) update(ctx context.Context, v any, live bool, columns []string) error {
	m, rows, err := h.structRows("update", v)
	if err != nil {
		return err
	}
	op := "update " + m.table.Name
	if err := h.needPK("update", m); err != nil {
		return err
	}
	set, err := m.updateFields(columns)
	if err != nil {
		return fmt.Errorf("orm: %s: %w", op, err)
	}
	if len(set) == 0 {
		return fmt.Errorf("orm: %s: no columns to update", op)
	}
	live = live && m.softDelete != nil
	key := shapeKey{op: 'u', conflict: strings.Join(columns, ",")}
	if live {
		key.op = 'U'
	}
	var query string
	if s, ok := m.sqlCache.Load(key); ok {
		query = s.(string)
	} else {
		d := h.db.dialect
		var b strings.Builder
		b.WriteString("UPDATE ")
		b.WriteString(d.Quote(m.table.Name))
		b.WriteString(" SET ")
		for i, f := range set {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Quote(f.col.Name))
			b.WriteString(" = ")
			b.WriteString(d.Placeholder(i + 1))
		}
		pkWhere(d, &b, m, len(set)+1)
		if live {
			writeLive(d, &b, m)
		}
		query = b.String()
		m.sqlCache.Store(key, query)
	}
	run := func(h *handle) error {
		for _, r := range rows {
			for _, f := range set {
				if f.onUpdate != nil {
					if err := assignValue(f.of(r), f.onUpdate()); err != nil {
						return fmt.Errorf("orm: %s: field %s: onupdate_fn: %w", op, f.name, err)
					}
				}
			}
			args := make([]any, 0, len(set)+len(m.pk))
			for _, f := range set {
				a, err := f.arg(r)
				if err != nil {
					return h.db.wrapErr(op, err)
				}
				args = append(args, a)
			}
			for _, f := range m.pk {
				a, _ := f.arg(r)
				args = append(args, a)
			}
			res, err := h.exec(ctx, query, args)
			if err != nil {
				return h.db.wrapErr(op, err)
			}
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				// MySQL counts changed rows unless the connection has
				// clientFoundRows (Open sets it; New and Wrap take the
				// pool as it is): an UPDATE writing the values the row
				// already has affects none. Check that the row exists.
				found, err := h.pkExists(ctx, m, live, args[len(set):])
				if err != nil {
					return h.db.wrapErr(op, err)
				}
				if !found {
					return fmt.Errorf("orm: %s: %w", op, ErrNotFound)
				}
			}
		}
		return nil
	}
	if len(rows) > 1 {
		return h.atomically(ctx, run)
	}
	return run(h)
}

// writeLive appends the condition that a soft-deletable row is not deleted.
func writeLive(d dialects.Dialect, b *strings.Builder, m *model) {
	b.WriteString(" AND ")
	b.WriteString(d.Quote(m.softDelete.col.Name))
	b.WriteString(" IS NULL")
}

// pkExists reports whether m's table has a row with the primary key pk.
func (h *handle) pkExists(ctx context.Context, m *model, live bool, pk []any) (bool, error) {
	d := h.db.dialect
	var b strings.Builder
	b.WriteString("SELECT 1 FROM ")
	b.WriteString(d.Quote(m.table.Name))
	pkWhere(d, &b, m, 1)
	if live {
		writeLive(d, &b, m)
	}
	rows, err := h.query(ctx, b.String(), pk)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	found := rows.Next()
	if err := rows.Err(); err != nil {
		return false, err
	}
	return found, rows.Close()
}

// updateFields resolves the columns an Update writes.
func (m *model) updateFields(columns []string) ([]*field, error) {
	var set []*field
	if len(columns) == 0 {
		for _, f := range m.fields {
			if !slices.Contains(m.pk, f) {
				set = append(set, f)
			}
		}
		return set, nil
	}
	for _, c := range columns {
		f := m.lookup(c)
		if f == nil {
			return nil, fmt.Errorf("unknown column or field %q", c)
		}
		if !slices.Contains(set, f) {
			set = append(set, f)
		}
	}
	for _, f := range m.fields {
		if f.onUpdate != nil && !slices.Contains(set, f) {
			set = append(set, f)
		}
	}
	return set, nil
}

// Delete deletes v's row (v is a pointer to a struct, or a slice of them),
// found by primary key. A model with mixins.SoftDelete is soft-deleted:
// its DeletedAt is set instead. It returns ErrNotFound when no row has the
// key.
func (h *handle) Delete(ctx context.Context, v any) error {
	return h.delete(ctx, v, false)
}

// HardDelete deletes v's row for good, even for a soft-delete model.
func (h *handle) HardDelete(ctx context.Context, v any) error {
	return h.delete(ctx, v, true)
}

func (h *handle) delete(ctx context.Context, v any, hard bool) error {
	m, rows, err := h.structRows("delete", v)
	if err != nil {
		return err
	}
	if err := h.needPK("delete", m); err != nil {
		return err
	}
	if m.softDelete != nil && !hard {
		// Soft delete: set DeletedAt on rows not deleted yet (a deleted
		// row counts as absent, as for Get), restoring the field on error.
		old := make([]reflect.Value, len(rows))
		now := Now()
		for i, r := range rows {
			fv := m.softDelete.of(r)
			old[i] = reflect.ValueOf(fv.Interface())
			if err := assignValue(fv, now); err != nil {
				return err
			}
		}
		err := h.update(ctx, v, true, []string{m.softDelete.col.Name})
		if err != nil {
			for i, r := range rows {
				m.softDelete.of(r).Set(old[i])
			}
		}
		return err
	}
	op := "delete " + m.table.Name
	d := h.db.dialect
	var b strings.Builder
	b.WriteString("DELETE FROM ")
	b.WriteString(d.Quote(m.table.Name))
	pkWhere(d, &b, m, 1)
	query := b.String()
	run := func(h *handle) error {
		for _, r := range rows {
			args := make([]any, len(m.pk))
			for i, f := range m.pk {
				args[i], _ = f.arg(r)
			}
			res, err := h.exec(ctx, query, args)
			if err != nil {
				return h.db.wrapErr(op, err)
			}
			if n, err := res.RowsAffected(); err == nil && n == 0 {
				return fmt.Errorf("orm: %s: %w", op, ErrNotFound)
			}
		}
		return nil
	}
	if h.needsCascade(m) {
		// ORM-side cascade:delete relations (association.go).
		return h.atomically(ctx, func(h *handle) error {
			if err := h.cascadeDelete(ctx, m, rows); err != nil {
				return err
			}
			return run(h)
		})
	}
	if len(rows) > 1 {
		return h.atomically(ctx, run)
	}
	return run(h)
}

// Exec runs a statement with arguments. Placeholders are written "?" on
// every dialect; a slice argument expands to a list ("IN (?)").
func (h *handle) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	q, a, err := h.db.prepareRaw(query, args)
	if err != nil {
		return nil, err
	}
	res, err := h.exec(ctx, q, a)
	return res, h.db.wrapErr("exec", err)
}
