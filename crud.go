package orm

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
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
// client-side defaults (default_fn); a zero field whose column has a
// server default is left out, so that the default applies. Afterwards
// the struct holds the row: generated primary keys and the server
// defaults of the fields left out are read back, on every database
// (with RETURNING on SQLite, PostgreSQL and MariaDB 10.5+; on MySQL 8
// and older MariaDB the key comes from LastInsertId and, when the model
// has server defaults, a second statement on the same handle reads them
// by key). Many rows go in as few multi-row statements as the dialect's
// bind-parameter limit allows, inside a transaction (a savepoint in a
// Session) when more than one statement is needed.
//
// An explicit key is kept. On PostgreSQL it does not advance the
// column's sequence, so mixing explicit and generated keys can collide.
func (h *handle) Insert(ctx context.Context, v any) error {
	if m, r, ok := h.oneStruct(v); ok && len(m.relations) == 0 && m.hooks&insertHooks.all == 0 {
		return h.insertOne(ctx, m, r)
	}
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

// oneStruct resolves v when it is a non-nil pointer to a struct of a valid
// model: the common single-row case, without the slice structRows builds.
func (h *handle) oneStruct(v any) (*model, reflect.Value, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return nil, reflect.Value{}, false
	}
	rv = rv.Elem()
	if rv.Kind() != reflect.Struct {
		return nil, reflect.Value{}, false
	}
	m, err := h.db.mapper.modelOf(rv.Type())
	if err != nil {
		return nil, reflect.Value{}, false
	}
	return m, rv, true
}

// applyInsertDefaults runs the default_fn (and, for an upsert, the
// onupdate_fn) of row r.
func (h *handle) applyInsertDefaults(m *model, r reflect.Value, memo *defaultMemo, upsert bool) error {
	memo.reset()
	if upsert {
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
					return h.db.wrapErr(m.hot.opInsert, fmt.Errorf("field %s: default_fn: %w", f.name, err))
				}
			}
		}
	}
	return nil
}

// insertOne inserts the single row r of model m (no relations).
func (h *handle) insertOne(ctx context.Context, m *model, r reflect.Value) error {
	if m.hot.hasInsertDefaults {
		var memo defaultMemo
		if err := h.applyInsertDefaults(m, r, &memo, false); err != nil {
			return err
		}
	}
	if _, err := h.serverDialect(ctx); err != nil {
		return h.db.wrapErr(m.hot.opInsert, err)
	}
	rows := [1]reflect.Value{r}
	return h.insertChunk(ctx, m, m.omitMask(r), rows[:], nil)
}

// insertBatch is a run of consecutive rows that insert the same columns.
type insertBatch struct {
	omit uint64 // fields left to the database (model.omitted)
	rows []reflect.Value
}

// insertRows inserts rows of model m, between their insert hooks;
// conflict, when set, makes it an upsert.
func (h *handle) insertRows(ctx context.Context, m *model, rows []reflect.Value, conflict *Conflict) error {
	if len(rows) == 0 {
		return nil
	}
	if m.hooks&insertHooks.all != 0 {
		op := m.hot.opInsert
		if conflict != nil {
			op = "upsert " + m.table.Name
		}
		// Keys generated by statements a failed hook rolls back are
		// cleared, so that inserting the rows again generates new ones.
		var unkeyed []reflect.Value
		if m.autoInc != nil {
			for _, r := range rows {
				if m.autoInc.of(r).IsZero() {
					unkeyed = append(unkeyed, r)
				}
			}
		}
		err := h.withHooks(ctx, op, m, rows, insertHooks, func(h *handle, atomic bool) error {
			return h.insertUnhooked(ctx, m, rows, conflict, atomic)
		})
		if err != nil {
			for _, r := range unkeyed {
				m.autoInc.of(r).SetZero()
			}
		}
		return err
	}
	return h.insertUnhooked(ctx, m, rows, conflict, false)
}

// insertUnhooked is insertRows without hooks; atomic says that h is a
// transaction its caller rolls back on error.
func (h *handle) insertUnhooked(ctx context.Context, m *model, rows []reflect.Value, conflict *Conflict, atomic bool) error {
	if m.hot.hasInsertDefaults || conflict != nil {
		var memo defaultMemo
		for _, r := range rows {
			if err := h.applyInsertDefaults(m, r, &memo, conflict != nil); err != nil {
				return err
			}
		}
	}
	if _, err := h.serverDialect(ctx); err != nil {
		return h.db.wrapErr(m.hot.opInsert, err)
	}
	// An upsert binds the conflict columns and the columns its update
	// copies even when zero (see upsertKey); other zero fields with a
	// server default are left to the database, as by Insert.
	var keep uint64
	if conflict != nil {
		var autoInc bool
		var err error
		if keep, autoInc, err = m.upsertKeep(conflict); err != nil {
			return err
		}
		if autoInc {
			for _, r := range rows {
				if m.autoInc.of(r).IsZero() {
					return fmt.Errorf("orm: upsert %s: the update copies the autoincrement key %s, which is zero (generated by the insert): set it, or leave it out of DoUpdate", m.table.Name, m.autoInc.col.Name)
				}
			}
		}
	}
	omitOf := func(r reflect.Value) uint64 { return m.omitMask(r) &^ keep }
	// Group consecutive rows that insert the same columns; usually they
	// all do, and the rows form one batch.
	var one [1]insertBatch
	batches := one[:0]
	first := omitOf(rows[0])
	uniform := true
	for _, r := range rows[1:] {
		if omitOf(r) != first {
			uniform = false
			break
		}
	}
	if uniform {
		batches = append(batches, insertBatch{omit: first, rows: rows})
	} else {
		for _, r := range rows {
			omit := omitOf(r)
			if n := len(batches); n > 0 && batches[n-1].omit == omit {
				batches[n-1].rows = append(batches[n-1].rows, r)
			} else {
				batches = append(batches, insertBatch{omit: omit, rows: []reflect.Value{r}})
			}
		}
	}
	var stmts int
	for _, b := range batches {
		per := h.rowsPerInsert(m, b.omit, conflict)
		stmts += (len(b.rows) + per - 1) / per
	}
	if stmts > 1 && !atomic {
		return h.atomically(ctx, func(h *handle) error { return h.insertBatches(ctx, m, batches, conflict) })
	}
	return h.insertBatches(ctx, m, batches, conflict)
}

// rowsPerInsert is how many rows of a batch one statement carries: as
// many as the dialect's bind limit allows. An upsert that must read back
// generated keys without RETURNING goes row by row, since LastInsertId
// reports one key per statement.
func (h *handle) rowsPerInsert(m *model, omit uint64, conflict *Conflict) int {
	d := h.db.insertDialect()
	if conflict != nil && m.autoInc != nil && m.omitted(omit, m.hot.autoIncIdx) && !canReturn(d, conflict) {
		return 1
	}
	ncols := len(m.fields) - popcount(omit)
	return max(1, d.MaxParams()/max(1, ncols))
}

// insertBatches runs the INSERT statements of batches.
func (h *handle) insertBatches(ctx context.Context, m *model, batches []insertBatch, conflict *Conflict) error {
	for _, b := range batches {
		per := h.rowsPerInsert(m, b.omit, conflict)
		for start := 0; start < len(b.rows); start += per {
			chunk := b.rows[start:min(start+per, len(b.rows))]
			if err := h.insertChunk(ctx, m, b.omit, chunk, conflict); err != nil {
				return err
			}
		}
	}
	return nil
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
// default (so that the default applies). Bit k stands for the field
// m.hot.omittable[k], so that a wide model's key or defaults after its
// 64th field are omitted too.
func (m *model) omitMask(r reflect.Value) uint64 {
	var mask uint64
	for k, i := range m.hot.omittable {
		if m.fields[i].of(r).IsZero() {
			mask |= 1 << k
		}
	}
	return mask
}

// omitted reports whether omit (an omitMask) leaves out fields[i].
func (m *model) omitted(omit uint64, i int) bool {
	if i < 0 {
		return false
	}
	b := m.hot.omitBit[i]
	return b >= 0 && omit&(1<<b) != 0
}

// insertShape is the INSERT statement for nrows rows of m without the
// omitted fields, and the fields read back. An array shape (nrows 0)
// binds one array per column and serves any number of rows (see
// arrayArgs).
type insertShape struct {
	omit      uint64 // the key of an insert without conflict clause
	nrows     int    // 0: an array shape
	sql       string
	cols      []*field // bound, in order
	returning []*field // read back
	plan      *scanPlan
	// match, when set, are the fields by which rows returned by a
	// multi-row upsert are matched to the inserted rows: the conflict
	// columns (a returned row may be an existing one, so the keys are
	// not in VALUES order).
	match []*field
	// readBack are, when the statement cannot return them, the fields
	// left to server defaults, read back by writeBack.
	readBack []*field
	// conflictFields are an upsert's conflict columns.
	conflictFields []*field
}

// maxCachedRows is the largest multi-row INSERT whose SQL is cached: the
// statements of huge bulk inserts are built for each call rather than
// kept for the life of the DB.
const maxCachedRows = 1024

// maxHotShapes is how many statement shapes of one kind a model keeps in
// its lock-free list (modelHot); further ones go to sqlCache.
const maxHotShapes = 32

type shapeKey struct {
	op       byte
	omit     uint64
	rows     int
	conflict string
}

// modelHot holds a model's caches of the statements CRUD runs on every
// call, read without locks or allocations: the common shapes (a plain
// INSERT per omitted-column set and row count, Get, Update of every
// column, Delete, simple queries) behind atomic pointers.
type modelHot struct {
	opInsert, opUpdate, opGet, opDelete, opQuery string
	autoIncIdx                                   int    // position of autoInc in fields, or -1
	omittable                                    []int  // positions of the fields an INSERT may leave out (at most 64)
	omitBit                                      []int8 // per field: its bit in an omitMask, or -1
	hasInsertDefaults                            bool
	fullPlan                                     *scanPlan // every field, in order
	getSQL                                       atomic.Pointer[string]
	deleteSQL                                    atomic.Pointer[string]
	updateAll                                    atomic.Pointer[updateShape]
	inserts                                      atomic.Pointer[[]*insertShape]
	arrayTypes                                   atomic.Pointer[[]string]       // per field: its array parameter type, or "" (see arrayTypes)
	selects                                      atomic.Pointer[[]*selectShape] // query.go
	preloadRows                                  atomic.Int64                   // rows of the last preload of this model (preload.go)
	allRows                                      atomic.Int64                   // rows of the last Q.All of this model (query.go)
}

// addHot appends v to the copy-on-write list at p, unless it holds max
// entries already; it reports whether v was added.
func addHot[T any](p *atomic.Pointer[[]T], v T, max int) bool {
	for {
		old := p.Load()
		var l []T
		if old != nil {
			if len(*old) >= max {
				return false
			}
			l = append(slices.Clip(*old), v)
		} else {
			l = []T{v}
		}
		if p.CompareAndSwap(old, &l) {
			return true
		}
	}
}

// fillerField returns, when omit leaves out every field of m, the first
// of them with a server default: its column goes into the INSERT with
// its default expression as the value, since an empty column list has no
// syntax common to the dialects ("DEFAULT VALUES", "() VALUES ()"). It
// returns nil otherwise (and for an array shape, which needs columns).
func (m *model) fillerField(omit uint64, array bool) *field {
	if array {
		return nil
	}
	for i := range m.fields {
		if !m.omitted(omit, i) {
			return nil
		}
	}
	for _, f := range m.fields {
		if f != m.autoInc && f.col.Default != nil {
			return f
		}
	}
	return nil
}

// insertShape returns the INSERT statement of nrows rows, or with array
// set the statement that binds one array per column (any row count).
func (h *handle) insertShape(m *model, omit uint64, nrows int, array bool, conflict *Conflict) (*insertShape, error) {
	multi := nrows > 1 || array
	if array {
		nrows = 0
	}
	key := shapeKey{op: 'i', omit: omit, rows: nrows}
	inMap := true // sqlCache may hold the shape
	if conflict == nil {
		l := m.hot.inserts.Load()
		if l != nil {
			for _, s := range *l {
				if s.omit == omit && s.nrows == nrows {
					return s, nil
				}
			}
		}
		inMap = l != nil && len(*l) >= maxHotShapes
	} else {
		key.conflict = conflict.key()
	}
	if inMap {
		if s, ok := m.sqlCache.Load(key); ok {
			return s.(*insertShape), nil
		}
	}
	d := h.db.insertDialect()
	sh := &insertShape{omit: omit, nrows: nrows}
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(d.Quote(m.table.Name))
	b.WriteString(" (")
	filler := m.fillerField(omit, array)
	for i, f := range m.fields {
		if m.omitted(omit, i) {
			sh.returning = append(sh.returning, f)
			if f != filler {
				continue
			}
		}
		if len(sh.cols) > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.Quote(f.col.Name))
		if f != filler {
			sh.cols = append(sh.cols, f)
		}
	}
	// Every column left to the database and no default to write out (a
	// model whose only column is its autoincrement key): the dialect's
	// all-defaults INSERT (DEFAULT VALUES on PostgreSQL and SQLite, "()
	// VALUES ()" on MySQL).
	defaults := !array && filler == nil && len(sh.cols) == 0
	if defaults {
		b.Reset()
		b.WriteString("INSERT INTO ")
		b.WriteString(d.Quote(m.table.Name))
		if !dialects.InsertDefaults(d, &b, m.table, nrows) {
			return nil, fmt.Errorf("orm: insert into %s: %s cannot insert %d rows of default values in one statement", m.table.Name, d.Name(), nrows)
		}
	}
	if array {
		// INSERT ... SELECT * FROM unnest($1::T1[], $2::T2[], ...): unnest
		// yields the rows in array order, so keys are generated in the
		// rows' order as with VALUES.
		types := h.arrayTypes(m)
		b.WriteString(") SELECT * FROM unnest(")
		for i, f := range sh.cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Placeholder(i + 1))
			b.WriteString("::")
			b.WriteString(types[m.fieldIndex(f)])
		}
		b.WriteByte(')')
	} else if !defaults {
		b.WriteString(") VALUES ")
	}
	n := 1
	for r := 0; r < nrows && !defaults; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		if filler != nil {
			b.WriteString(*filler.col.Default)
		}
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
		sh.conflictFields = conflictFields
	}
	// Read back generated keys and server defaults. With several rows,
	// the returned rows are matched to the inserted ones by the
	// autoincrement key (generated in VALUES order), the primary key, or
	// for an upsert the conflict columns. A single row whose only
	// generated value is the autoincrement key takes it from LastInsertId
	// where the driver reports it reliably (no result set to read).
	lastID := conflict == nil && nrows == 1 && len(sh.returning) == 1 && sh.returning[0] == m.autoInc && d.Features().Has(dialects.LastInsertID)
	if len(sh.returning) > 0 && !lastID {
		ret := sh.returning
		add := func(fs []*field) {
			for _, f := range fs {
				if !slices.Contains(ret, f) {
					ret = append(slices.Clip(ret), f)
				}
			}
		}
		if multi && m.autoInc == nil || conflict != nil {
			add(m.pk)
		}
		if conflict != nil && multi {
			add(conflictFields)
			sh.match = conflictFields
		}
		names := make([]string, len(ret))
		for i, f := range ret {
			names[i] = f.col.Name
		}
		if canReturn(d, conflict) && d.InsertReturning(&b, names) {
			sh.returning = ret
			sh.plan = &scanPlan{fields: ret, wrap: make([]bool, len(ret))}
			for i, f := range ret {
				sh.plan.wrap[i] = f.converts()
			}
		} else {
			for _, f := range sh.returning {
				if f != m.autoInc {
					sh.readBack = append(sh.readBack, f)
				}
			}
			sh.returning = nil
			sh.match = nil
		}
	} else {
		sh.returning = nil
	}
	sh.sql = b.String()
	if nrows <= maxCachedRows {
		if conflict != nil || !addHot(&m.hot.inserts, sh, maxHotShapes) {
			m.sqlCache.Store(key, sh)
		}
	}
	return sh, nil
}

func (h *handle) insertChunk(ctx context.Context, m *model, omit uint64, rows []reflect.Value, conflict *Conflict) error {
	var buf [16]any // on the stack: exec and query do not keep their arguments
	var sh *insertShape
	var args []any
	if len(rows) > 1 && h.arrayInsertable(m, omit) {
		var err error
		if sh, err = h.insertShape(m, omit, len(rows), true, conflict); err != nil {
			return err
		}
		args, err = arrayArgs(sh.cols, rows, buf[:0])
		if err != nil {
			return h.db.wrapErr(m.hot.opInsert, err)
		}
		if args == nil {
			sh = nil // a value an array cannot carry: bind each one
		}
	}
	if sh == nil {
		var err error
		if sh, err = h.insertShape(m, omit, len(rows), false, conflict); err != nil {
			return err
		}
		args = buf[:0]
		if n := len(sh.cols) * len(rows); n > len(buf) {
			args = make([]any, 0, n)
		}
		for _, r := range rows {
			for _, f := range sh.cols {
				a, err := f.argRef(r)
				if err != nil {
					return h.db.wrapErr(m.hot.opInsert, err)
				}
				args = append(args, a)
			}
		}
	}
	if len(sh.returning) > 0 {
		return h.insertReturning(ctx, m, sh, rows, args)
	}
	res, err := h.exec(ctx, sh.sql, args)
	if err != nil {
		return h.db.wrapErr(m.hot.opInsert, err)
	}
	keyed := false
	if m.autoInc != nil && m.omitted(omit, m.hot.autoIncIdx) {
		id, err := res.LastInsertId()
		if err != nil {
			return h.db.wrapErr(m.hot.opInsert, fmt.Errorf("read generated key: %w", err))
		}
		if conflict != nil && len(rows) == 1 && id == 0 {
			// MySQL reports no key when the upsert left the row it
			// found as it was. With DoNothing, the row conflicted: the
			// struct stays as given. Otherwise the update found the
			// values it had already: writeBack reads the key by the
			// conflict columns.
			if conflict.doNothing {
				return nil
			}
		} else {
			// MySQL reports the first key of a multi-row INSERT; the
			// others follow it (auto_increment_increment = 1).
			for i, r := range rows {
				if err := setInt(m.autoInc.of(r), id+int64(i)); err != nil {
					return h.db.wrapErr(m.hot.opInsert, err)
				}
			}
			keyed = true
		}
	}
	if sh.readBack == nil && (conflict == nil || keyed) || conflict != nil && conflict.doNothing && !keyed {
		// Nothing to read back; or a do-nothing upsert with the key
		// given, which the server does not say whether it inserted.
		return nil
	}
	return h.writeBack(ctx, m, sh, rows, conflict, keyed)
}

// setInt stores an integer key in v, without boxing it for the common
// integer kinds.
func setInt(v reflect.Value, n int64) error {
	switch {
	case v.CanInt() && !v.OverflowInt(n):
		v.SetInt(n)
		return nil
	case v.CanUint() && n >= 0 && !v.OverflowUint(uint64(n)):
		v.SetUint(uint64(n))
		return nil
	}
	return assignValue(v, n)
}

// intKey returns an integer key field's value for ordering.
func intKey(v reflect.Value) int64 {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0
		}
		v = v.Elem()
	}
	if v.CanUint() {
		return int64(v.Uint())
	}
	if v.CanInt() {
		return v.Int()
	}
	return 0
}

func (m *model) fieldIndex(f *field) int {
	return slices.Index(m.fields, f)
}

// insertReturning runs an INSERT ... RETURNING and stores what it returns
// into the inserted rows.
func (h *handle) insertReturning(ctx context.Context, m *model, sh *insertShape, rows []reflect.Value, args []any) error {
	op := m.hot.opInsert
	res, err := h.query(ctx, sh.sql, args)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	defer res.Close()
	rs := sh.plan.scanner()
	defer rs.release()
	if len(rows) == 1 {
		if res.Next() {
			if err := rs.scan(res, rows[0]); err != nil {
				return h.db.wrapErr(op, err)
			}
		}
		return h.db.wrapErr(op, res.Err())
	}
	if len(sh.match) == 0 && m.autoInc != nil && slices.Contains(sh.returning, m.autoInc) {
		// Keys are generated in VALUES order, and the rows come back in
		// that order in practice: scan each into its row, then put them
		// in key order if they came back otherwise.
		n := 0
		for res.Next() {
			if n == len(rows) {
				return h.db.wrapErr(op, fmt.Errorf("RETURNING gave more than %d rows for %d inserted", n, len(rows)))
			}
			if err := rs.scan(res, rows[n]); err != nil {
				return h.db.wrapErr(op, err)
			}
			n++
		}
		if err := res.Err(); err != nil {
			return h.db.wrapErr(op, err)
		}
		if n != len(rows) {
			return h.db.wrapErr(op, fmt.Errorf("RETURNING gave %d rows for %d inserted", n, len(rows)))
		}
		sortReturned(m, sh.returning, rows)
		return nil
	}
	// Several rows: scan into fresh values, then match them to the
	// inserted rows by the conflict columns of an upsert, or the primary
	// key.
	match := sh.match
	if len(match) == 0 {
		match = m.pk
	}
	return h.db.wrapErr(op, scanMatched(res, rs, m, rows, match, sh.returning))
}

// sortReturned reorders the returned fields of rows (scanned in the order
// the database returned them) so that the autoincrement keys ascend in
// VALUES order, as they were generated.
func sortReturned(m *model, returned []*field, rows []reflect.Value) {
	sorted := true
	for i := 1; i < len(rows) && sorted; i++ {
		sorted = intKey(m.autoInc.of(rows[i-1])) <= intKey(m.autoInc.of(rows[i]))
	}
	if sorted {
		return
	}
	tmp := reflect.MakeSlice(reflect.SliceOf(m.typ), len(rows), len(rows))
	order := make([]int, len(rows))
	for i, r := range rows {
		copyFields(returned, r, tmp.Index(i))
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		return intKey(m.autoInc.of(tmp.Index(order[i]))) < intKey(m.autoInc.of(tmp.Index(order[j])))
	})
	for i, r := range rows {
		copyFields(returned, tmp.Index(order[i]), r)
	}
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
// MySQL ignores the columns: it reacts to any unique key. The columns are
// names (column or Go field names of the model), never SQL: an unknown
// name makes Upsert fail.
func OnConflict(columns ...string) *Conflict { return &Conflict{columns: columns} }

// DoUpdate sets the columns (column or Go field names, never SQL; an
// unknown name makes Upsert fail) updated to the new values on conflict. Without it, every column except the conflict
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
// column but those with only a default_fn) updates the existing row.
//
// The values written are the struct's: the conflict columns and every
// column the update copies are written even when zero (a zero field
// with a server default gets the default only when the update does not
// copy it, as with Insert). A zero autoincrement key is generated; an
// update that copies it (DoUpdate naming it) is an error for such a row.
// Client-side defaults are set in the struct before the statement,
// whatever then happens to the row: default_fn of zero fields, and
// onupdate_fn (UpdatedAt), refreshed for every row.
//
// Afterwards the struct holds what the row holds, on every database:
//   - a row inserted: its generated key and the server defaults of the
//     zero fields left out, as after Insert;
//   - a row updated (DoUpdate, also when the update changed nothing):
//     the existing row's key, and that row's values of the fields left
//     out of the statement;
//   - a row left alone (DoNothing on a conflict): nothing is read back;
//     the key and the other fields keep the caller's values, so a zero
//     autoincrement key stays zero and tells such a row from a new one.
//
// One exception: on MySQL and MariaDB, a DoNothing upsert of a model
// without a generated key (or with the key set) does not read back the
// server defaults of a row it inserted, since the server does not say
// whether it inserted the row.
//
// SQLite, PostgreSQL and MariaDB 10.5+ read back with RETURNING in the
// same statement (MariaDB not for DoNothing, whose RETURNING also
// returns the rows left alone). MySQL 8, older MariaDB and MariaDB's
// DoNothing take the key from LastInsertId, run one statement per row
// when the key is generated, and read the rest back in a second
// statement on the same handle. MySQL ignores the conflict columns
// (ON DUPLICATE KEY UPDATE reacts to any unique key); the row updated is
// then found by the conflict columns.
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
	return writeMatch(d, b, m.pk, n)
}

// writeMatch writes "a = ? AND b = ?" for fields' columns, numbering the
// placeholders from n, and returns the next number.
func writeMatch(d dialects.Dialect, b *strings.Builder, fields []*field, n int) int {
	for i, f := range fields {
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
	m, v, ok := h.oneStruct(dest)
	if !ok {
		if _, _, err := h.structRows("get", dest); err != nil {
			return err
		}
		return fmt.Errorf("orm: get: want a pointer to a struct, got %T", dest)
	}
	if err := h.needPK("get", m); err != nil {
		return err
	}
	if len(pk) != len(m.pk) {
		return fmt.Errorf("orm: get %s: the primary key has %d column(s), got %d value(s)", m.table.Name, len(m.pk), len(pk))
	}
	query := m.hot.getSQL.Load()
	if query == nil {
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
		s := b.String()
		query = &s
		m.hot.getSQL.Store(query)
	}
	// Key values bind as the key fields do (times in UTC, UUIDs as text);
	// the caller's slice stays as it was.
	copied := false
	for i, a := range pk {
		if b, ok := bindValue(a); ok {
			if !copied {
				pk, copied = slices.Clone(pk), true
			}
			pk[i] = b
		}
	}
	// The statement selects every field in order: the full plan applies.
	if err := h.scanOne(ctx, m.hot.opGet, m, v, *query, pk, m.hot.fullPlan); err != nil {
		return err
	}
	if m.hooks&hookAfterFind != 0 {
		return h.afterFind(ctx, m.hot.opGet, m, []reflect.Value{v})
	}
	return nil
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

// scanOne runs query and scans its first row into v, with plan when the
// query's columns are known (nil: planned from the result's columns).
func (h *handle) scanOne(ctx context.Context, op string, m *model, v reflect.Value, query string, args []any, plan *scanPlan) error {
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
	if plan == nil {
		cols, err := rows.Columns()
		if err != nil {
			return h.db.wrapErr(op, err)
		}
		if plan, err = m.planFor(cols); err != nil {
			return h.db.wrapErr(op, err)
		}
	}
	rs := plan.scanner()
	err = rs.scan(rows, v)
	rs.release()
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	return h.db.wrapErr(op, rows.Close())
}

// Update writes v (a pointer to a struct, or a slice of them) to its row,
// found by primary key. With no columns, every column but the primary key
// is written; otherwise only the named ones (column or Go field names,
// never SQL: an unknown name is an error).
// Columns with an onupdate_fn are always refreshed and written. It returns
// ErrNotFound when no row has the key. A soft-deleted row counts as
// absent, as for Get and Delete (so a stale copy cannot bring it back by
// writing its DeletedAt); restore one with
// Query[T](db).WithDeleted().Where(...).UpdateColumns.
func (h *handle) Update(ctx context.Context, v any, columns ...string) error {
	return h.update(ctx, v, true, true, columns)
}

// updateShape is an UPDATE statement: the columns it sets and its SQL.
type updateShape struct {
	sql  string
	set  []*field
	live bool // only rows not soft-deleted
}

// update is Update; live restricts it to rows not soft-deleted, and
// hooked runs the update hooks (a soft delete runs the delete hooks
// instead).
func (h *handle) update(ctx context.Context, v any, live, hooked bool, columns []string) error {
	m, r, one := h.oneStruct(v)
	if one && hooked && m.hooks&updateHooks.all != 0 {
		one = false // the hooks take the rows
	}
	var rows []reflect.Value
	if !one {
		var err error
		if m, rows, err = h.structRows("update", v); err != nil {
			return err
		}
	}
	if err := h.needPK("update", m); err != nil {
		return err
	}
	live = live && m.softDelete != nil
	var us *updateShape
	if len(columns) == 0 && !live {
		us = m.hot.updateAll.Load()
	}
	if us == nil {
		var err error
		if us, err = h.updateShape(m, live, columns); err != nil {
			return err
		}
	}
	if one {
		return h.updateRow(ctx, m, us, r)
	}
	if hooked && m.hooks&updateHooks.all != 0 && len(rows) > 0 {
		return h.withHooks(ctx, m.hot.opUpdate, m, rows, updateHooks, func(h *handle, atomic bool) error {
			if len(rows) > 1 && !atomic {
				return h.atomically(ctx, func(h *handle) error { return h.updateRows(ctx, m, us, rows) })
			}
			return h.updateRows(ctx, m, us, rows)
		})
	}
	if len(rows) > 1 {
		return h.atomically(ctx, func(h *handle) error { return h.updateRows(ctx, m, us, rows) })
	}
	return h.updateRows(ctx, m, us, rows)
}

// updateShape returns the (cached) UPDATE statement of m for columns.
func (h *handle) updateShape(m *model, live bool, columns []string) (*updateShape, error) {
	key := shapeKey{op: 'u', conflict: strings.Join(columns, ",")}
	if live {
		key.op = 'U'
	}
	if s, ok := m.sqlCache.Load(key); ok {
		return s.(*updateShape), nil
	}
	set, err := m.updateFields(columns)
	if err != nil {
		return nil, fmt.Errorf("orm: %s: %w", m.hot.opUpdate, err)
	}
	if len(set) == 0 {
		return nil, fmt.Errorf("orm: %s: no columns to update", m.hot.opUpdate)
	}
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
	us := &updateShape{sql: b.String(), set: set, live: live}
	m.sqlCache.Store(key, us)
	if len(columns) == 0 && !live {
		m.hot.updateAll.Store(us)
	}
	return us, nil
}

func (h *handle) updateRows(ctx context.Context, m *model, us *updateShape, rows []reflect.Value) error {
	for _, r := range rows {
		if err := h.updateRow(ctx, m, us, r); err != nil {
			return err
		}
	}
	return nil
}

// updateRow writes row r with statement us.
func (h *handle) updateRow(ctx context.Context, m *model, us *updateShape, r reflect.Value) error {
	op := m.hot.opUpdate
	for _, f := range us.set {
		if f.onUpdate != nil {
			if err := assignValue(f.of(r), f.onUpdate()); err != nil {
				return fmt.Errorf("orm: %s: field %s: onupdate_fn: %w", op, f.name, err)
			}
		}
	}
	var buf [16]any // on the stack: exec does not keep its arguments
	args := buf[:0]
	for _, f := range us.set {
		a, err := f.argRef(r)
		if err != nil {
			return h.db.wrapErr(op, err)
		}
		args = append(args, a)
	}
	for _, f := range m.pk {
		a, _ := f.argRef(r)
		args = append(args, a)
	}
	res, err := h.exec(ctx, us.sql, args)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		// MySQL counts changed rows unless the connection has
		// clientFoundRows (Open sets it; New and Wrap take the
		// pool as it is): an UPDATE writing the values the row
		// already has affects none. Check that the row exists.
		found, err := h.pkExists(ctx, m, us.live, args[len(us.set):])
		if err != nil {
			return h.db.wrapErr(op, err)
		}
		if !found {
			return fmt.Errorf("orm: %s: %w", op, ErrNotFound)
		}
	}
	return nil
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
	m, r, one := h.oneStruct(v)
	var rows []reflect.Value
	if one && (m.softDelete != nil && !hard || h.needsCascade(m) || m.hooks&deleteHooks.all != 0) {
		one = false
	}
	if !one {
		var err error
		if m, rows, err = h.structRows("delete", v); err != nil {
			return err
		}
	}
	if err := h.needPK("delete", m); err != nil {
		return err
	}
	if m.hooks&deleteHooks.all != 0 && len(rows) > 0 {
		var old []reflect.Value // DeletedAt before a soft delete
		if m.softDelete != nil && !hard {
			old = make([]reflect.Value, len(rows))
			for i, r := range rows {
				old[i] = reflect.ValueOf(m.softDelete.of(r).Interface())
			}
		}
		err := h.withHooks(ctx, m.hot.opDelete, m, rows, deleteHooks, func(h *handle, atomic bool) error {
			return h.deleteRows(ctx, m, v, rows, hard, atomic)
		})
		if err != nil && old != nil {
			for i, r := range rows {
				m.softDelete.of(r).Set(old[i])
			}
		}
		return err
	}
	if one {
		return h.deleteRow(ctx, m, h.deleteSQL(m), r)
	}
	return h.deleteRows(ctx, m, v, rows, hard, false)
}

// deleteSQL returns m's DELETE statement by primary key.
func (h *handle) deleteSQL(m *model) string {
	query := m.hot.deleteSQL.Load()
	if query == nil {
		d := h.db.dialect
		var b strings.Builder
		b.WriteString("DELETE FROM ")
		b.WriteString(d.Quote(m.table.Name))
		pkWhere(d, &b, m, 1)
		s := b.String()
		query = &s
		m.hot.deleteSQL.Store(query)
	}
	return *query
}

// deleteRows deletes (or soft-deletes) rows, the rows of v, without
// hooks; atomic says that h is a transaction its caller rolls back on
// error.
func (h *handle) deleteRows(ctx context.Context, m *model, v any, rows []reflect.Value, hard, atomic bool) error {
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
		err := h.update(ctx, v, true, false, []string{m.softDelete.col.Name})
		if err != nil {
			for i, r := range rows {
				m.softDelete.of(r).Set(old[i])
			}
		}
		return err
	}
	query := h.deleteSQL(m)
	run := func(h *handle) error {
		for _, r := range rows {
			if err := h.deleteRow(ctx, m, query, r); err != nil {
				return err
			}
		}
		return nil
	}
	if h.needsCascade(m) {
		// ORM-side cascade:delete relations (association.go).
		cascade := func(h *handle) error {
			if err := h.cascadeDelete(ctx, m, rows); err != nil {
				return err
			}
			return run(h)
		}
		if atomic {
			return cascade(h)
		}
		return h.atomically(ctx, cascade)
	}
	if len(rows) > 1 && !atomic {
		return h.atomically(ctx, run)
	}
	return run(h)
}

// deleteRow deletes row r by primary key with query.
func (h *handle) deleteRow(ctx context.Context, m *model, query string, r reflect.Value) error {
	var buf [4]any // on the stack: exec does not keep its arguments
	args := buf[:0]
	for _, f := range m.pk {
		a, _ := f.argRef(r)
		args = append(args, a)
	}
	res, err := h.exec(ctx, query, args)
	if err != nil {
		return h.db.wrapErr(m.hot.opDelete, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return fmt.Errorf("orm: %s: %w", m.hot.opDelete, ErrNotFound)
	}
	return nil
}

// Exec runs a statement with arguments. Placeholders are written "?" on
// every dialect; a slice argument expands to a list ("IN (?)"). Text
// holding several statements is refused with ErrMultipleStatements before
// anything is sent, unless the DB has WithMultiStatements.
func (h *handle) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if res, ok, err := h.execScript(ctx, query, args); ok {
		return res, err
	}
	q, a, err := h.db.prepareRaw(query, args)
	if err != nil {
		return nil, err
	}
	res, err := h.exec(ctx, q, a)
	return res, h.db.wrapErr("exec", err)
}
