package orm

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/tagorm/orm/dialects"
)

// PreloadQuery narrows what a preload loads for one relation. It is
// passed to the functions given to Q.Preload and DB.Load:
//
//	orm.Query[Department](db).Preload("Employees", func(p *orm.PreloadQuery) {
//		p.Where("name <> ?", "bob").OrderBy("name DESC").Limit(3) // 3 per department
//	})
type PreloadQuery struct {
	where   []cond
	order   []string // rendered SQL of order[:ordered]; names or OrderByExpr SQL after
	ordered int
	raw     []bool // raw[j]: order[ordered+j] is an OrderByExpr term (a name past the end of raw)
	limit   int
	joined  bool
	deleted deletedMode
}

// Where adds a condition on the related rows (ANDed), written as in
// Q.Where: raw SQL by contract, "?" placeholders, slices expand.
func (p *PreloadQuery) Where(sql string, args ...any) *PreloadQuery {
	p.where = append(p.where, cond{sql: sql, args: args})
	return p
}

// OrderBy orders the related rows of each parent (default: by primary
// key). It takes names, as Q.OrderBy does: "column [ASC|DESC] [NULLS
// FIRST|NULLS LAST]" with a column or Go field name of the related model;
// anything else makes the query fail with an error naming the term. Use
// OrderByExpr for SQL.
func (p *PreloadQuery) OrderBy(terms ...string) *PreloadQuery {
	p.order = append(p.order, terms...)
	return p
}

// OrderByExpr adds a raw SQL ORDER BY term for the related rows, e.g.
// OrderByExpr("LOWER(name)"). sql is raw SQL by contract, sent as
// written: never build it from user input. It takes no arguments.
func (p *PreloadQuery) OrderByExpr(sql string) *PreloadQuery {
	if strings.TrimSpace(sql) != "" {
		for len(p.raw) < len(p.order)-p.ordered {
			p.raw = append(p.raw, false)
		}
		p.order = append(p.order, sql)
		p.raw = append(p.raw, true)
	}
	return p
}

// renderOrder checks the OrderBy names added since the last call against
// the related model m and replaces them with their SQL.
func (p *PreloadQuery) renderOrder(d dialects.Dialect, m *model) error {
	// The SQL replaces the names in place (no allocation) while it has
	// no more items than the terms read so far; a term that renders to
	// more (a comma-separated one) moves it to an array of its own, so
	// that no term still to be read is overwritten.
	order, inPlace := p.order[:p.ordered], true
	for i := p.ordered; i < len(p.order); i++ {
		term := p.order[i]
		if j := i - p.ordered; j < len(p.raw) && p.raw[j] {
			order = append(order, term)
			continue
		}
		var buf [4]string
		out, err := m.renderNames(buf[:0], d, "preload order by", "PreloadQuery.OrderByExpr", true, []string{term})
		if err != nil {
			return err
		}
		if inPlace && len(order)+len(out) > i+1 {
			order, inPlace = order[:len(order):len(order)], false
		}
		order = append(order, out...)
	}
	p.order, p.raw, p.ordered = order, p.raw[:0], len(order)
	return nil
}

// Limit keeps at most n related rows per parent (has_many and
// many_to_many), in OrderBy order. It uses ROW_NUMBER() OVER (PARTITION
// BY ...): SQLite ≥ 3.25, PostgreSQL, MySQL 8 and MariaDB ≥ 10.2.
func (p *PreloadQuery) Limit(n int) *PreloadQuery { p.limit = n; return p }

// Joined loads a to-one relation (belongs_to, has_one) in the parents'
// own query with a LEFT JOIN, instead of a second query. It applies to
// the first level of a preload path and takes no conditions.
func (p *PreloadQuery) Joined() *PreloadQuery { p.joined = true; return p }

// WithDeleted includes soft-deleted related rows.
func (p *PreloadQuery) WithDeleted() *PreloadQuery { p.deleted = withDeleted; return p }

// relQuery is the relationship state of a Q: the preloads it runs after
// loading its rows, and the to-one relations it loads in the same
// statement (joined strategy).
type relQuery struct {
	roots  []*preloadNode
	joined []*preloadNode // roots loaded with a LEFT JOIN, in alias order
	extra  int            // columns the joined relations add to the select list
}

// preloadNode is one relation of a preload tree.
type preloadNode struct {
	rel      *relation
	back     *relation // the back_populates side, if any
	q        PreloadQuery
	children []*preloadNode
	alias    string   // joined: the table alias
	fields   []*field // joined: the target's fields, reached from the parent
}

// Preload loads the relation at path (a relationship field name, or a
// dotted path through several: "Employees.Departments") for every row the
// query returns, with one query per relation level (IN lists, split under
// the database's bind-parameter limit). Each fn may narrow the last
// relation of the path (see PreloadQuery). Preloading the same path again
// adds to its options. path holds names, never SQL: an unknown relation
// is an error.
//
//	depts, err := orm.Query[Department](db).Preload("Employees").All(ctx)
//
// Preloads run for All, First and One; Iter and Each refuse them.
func (q *Q[T]) Preload(path string, fn ...func(*PreloadQuery)) *Q[T] {
	if q.err != nil {
		return q
	}
	n, depth, err := addPreload(q.h.db, q.m, &q.rel.roots, path, fn)
	if err != nil {
		q.err = err
		return q
	}
	if n.q.joined {
		if depth > 1 {
			q.err = fmt.Errorf("orm: preload %q: Joined applies to the first relation of a path", path)
			return q
		}
		if n.alias == "" {
			n.alias = "tagorm_j" + strconv.Itoa(len(q.rel.joined))
			for _, f := range n.rel.target.fields {
				sf := *f
				sf.direct = false // its offset is from the target's struct
				sf.index = append(slices.Clip(n.rel.decl.index), f.index...)
				sf.nullish = !f.ptr && !nullableGoType(f.typ) // the LEFT JOIN may give NULLs
				n.fields = append(n.fields, &sf)
			}
			q.rel.joined = append(q.rel.joined, n)
			q.rel.extra += len(n.fields)
		}
	}
	return q
}

// addPreload adds path to the preload tree roots of model m and returns
// its last node and the path's depth.
func addPreload(db *DB, m *model, roots *[]*preloadNode, path string, fns []func(*PreloadQuery)) (*preloadNode, int, error) {
	segs := strings.Split(path, ".")
	cur := roots
	var n *preloadNode
	for _, s := range segs {
		r, err := db.relation(m, strings.TrimSpace(s))
		if err != nil {
			return nil, 0, fmt.Errorf("orm: preload %q: %w", path, err)
		}
		n = nil
		for _, c := range *cur {
			if c.rel == r {
				n = c
			}
		}
		if n == nil {
			n = &preloadNode{rel: r, back: db.backOf(r)}
			*cur = append(*cur, n)
		}
		cur, m = &n.children, r.target
	}
	for _, fn := range fns {
		fn(&n.q)
	}
	if err := n.q.renderOrder(db.dialect, m); err != nil {
		return nil, 0, fmt.Errorf("orm: preload %q: %w", path, err)
	}
	r := n.rel
	switch {
	case n.q.limit < 0:
		return nil, 0, fmt.Errorf("orm: preload %q: negative limit", path)
	case n.q.limit > 0 && !r.toMany():
		return nil, 0, fmt.Errorf("orm: preload %q: Limit applies to has_many and many_to_many relations", path)
	case n.q.joined && r.toMany():
		return nil, 0, fmt.Errorf("orm: preload %q: Joined applies to belongs_to and has_one relations", path)
	case n.q.joined && (len(n.q.where) > 0 || len(n.q.order) > 0):
		return nil, 0, fmt.Errorf("orm: preload %q: a Joined preload takes no conditions or order", path)
	}
	return n, len(segs), nil
}

// writeSelect appends the columns of joined to-one preloads to the select
// list.
func (rq *relQuery) writeSelect(d dialects.Dialect, m *model, b *strings.Builder) {
	for _, n := range rq.joined {
		for i := range n.rel.target.fields {
			b.WriteString(", ")
			b.WriteString(n.alias)
			b.WriteString(".tagorm_c")
			b.WriteString(strconv.Itoa(i))
		}
	}
}

// writeJoins appends the LEFT JOINs of joined to-one preloads. The
// related table is joined as a derived table whose columns are renamed
// (tagorm_c0, tagorm_c1, ...), so that the query's own conditions and
// order, written with unqualified column names, stay unambiguous; every
// database merges such a derived table into the join.
func (rq *relQuery) writeJoins(d dialects.Dialect, m *model, b *strings.Builder, args []any) []any {
	for _, n := range rq.joined {
		r := n.rel
		tm := r.target
		b.WriteString(" LEFT JOIN (SELECT ")
		key := 0
		for i, f := range tm.fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(d.Quote(f.col.Name))
			b.WriteString(" AS tagorm_c")
			b.WriteString(strconv.Itoa(i))
			if f == r.targetKey {
				key = i
			}
		}
		b.WriteString(" FROM ")
		b.WriteString(d.Quote(tm.table.Name))
		if sd := tm.softDelete; sd != nil && n.q.deleted != withDeleted {
			b.WriteString(" WHERE ")
			b.WriteString(d.Quote(sd.col.Name))
			b.WriteString(" IS NULL")
		}
		b.WriteString(") ")
		b.WriteString(n.alias)
		b.WriteString(" ON ")
		b.WriteString(n.alias)
		b.WriteString(".tagorm_c")
		b.WriteString(strconv.Itoa(key))
		b.WriteString(" = ")
		b.WriteString(d.Quote(m.table.Name))
		b.WriteByte('.')
		b.WriteString(d.Quote(r.ownerKey.col.Name))
	}
	return args
}

// planFor returns the scan plan for the result columns: the model's own
// columns, then those of the joined relations.
func (rq *relQuery) planFor(m *model, cols []string) (*scanPlan, error) {
	if rq.extra == 0 {
		return m.planFor(cols)
	}
	if len(cols) < rq.extra {
		return nil, fmt.Errorf("the result has %d columns, fewer than the %d of the joined relations", len(cols), rq.extra)
	}
	own, err := m.planFor(cols[:len(cols)-rq.extra])
	if err != nil {
		return nil, err
	}
	p := &scanPlan{fields: slices.Clone(own.fields), wrap: slices.Clone(own.wrap)}
	for _, n := range rq.joined {
		for _, f := range n.fields {
			p.fields = append(p.fields, f)
			p.wrap = append(p.wrap, f.json || f.isTime || f.nullish)
		}
	}
	return p, nil
}

// iterErr reports that preloads cannot run row by row.
func (rq *relQuery) iterErr() error {
	if len(rq.roots) > 0 {
		return fmt.Errorf("orm: Iter and Each do not run preloads; use All, or Load on each row")
	}
	return nil
}

// afterLoad runs the preloads on the rows just loaded: rows is a slice of
// structs or a pointer to a struct.
func (rq *relQuery) afterLoad(ctx context.Context, h *handle, m *model, rows reflect.Value) error {
	if len(rq.roots) == 0 {
		return nil
	}
	var parents []reflect.Value
	if rows.Kind() == reflect.Pointer {
		parents = []reflect.Value{rows.Elem()}
	} else {
		parents = make([]reflect.Value, rows.Len())
		for i := range parents {
			parents[i] = rows.Index(i)
		}
	}
	if len(parents) == 0 {
		return nil
	}
	return h.runPreloads(ctx, rq.roots, parents)
}

// runPreloads loads the relations of the preload tree nodes into parents
// (addressable struct values of one model).
func (h *handle) runPreloads(ctx context.Context, nodes []*preloadNode, parents []reflect.Value) error {
	for _, n := range nodes {
		var err error
		if n.alias != "" {
			err = h.finishJoined(ctx, n, parents)
		} else {
			err = h.preload(ctx, n, parents)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// finishJoined completes a relation loaded by a LEFT JOIN: a relation
// without a row is set back to nil (its key reads as zero), back
// references are set, and nested preloads run on the related rows.
func (h *handle) finishJoined(ctx context.Context, n *preloadNode, parents []reflect.Value) error {
	r := n.rel
	key := singleKey(r.target)
	if key == nil {
		key = r.targetKey
	}
	var children []reflect.Value
	for _, p := range parents {
		fv := r.fieldOf(p)
		t := fv
		if r.ptr {
			if fv.IsNil() {
				continue
			}
			t = fv.Elem()
		}
		if key.of(t).IsZero() {
			fv.SetZero()
			continue
		}
		children = append(children, t)
		setBack(n, p, t)
	}
	if len(children) == 0 {
		return nil
	}
	if len(n.children) > 0 {
		if err := h.runPreloads(ctx, n.children, children); err != nil {
			return err
		}
	}
	if r.target.hooks&hookAfterFind != 0 {
		return h.afterFind(ctx, "preload "+r.owner.table.Name+"."+r.name, r.target, children)
	}
	return nil
}

// setBack sets the back_populates field of child (a to-one pointer back
// to the owner type) to parent. Collections on the other side are left
// alone: a partial collection would misstate the database.
func setBack(n *preloadNode, parent, child reflect.Value) {
	b := n.back
	if !hasBack(n) || !parent.CanAddr() {
		return
	}
	b.fieldOf(child).Set(parent.Addr())
}

// intField reports whether f is an int or int64 field at a fixed offset,
// whose value intAt reads.
func intField(f *field) bool {
	return f.direct && (f.argKind == reflect.Int64 || f.argKind == reflect.Int)
}

// intAt returns int field f (intField) of the struct at base+off.
func intAt(f *field, base unsafe.Pointer, off uintptr) int64 {
	p := unsafe.Add(base, off+f.offset)
	if f.argKind == reflect.Int {
		return int64(*(*int)(p))
	}
	return *(*int64)(p)
}

// hasBack reports whether setBack sets anything for n's relation.
func hasBack(n *preloadNode) bool {
	b := n.back
	return b != nil && !b.slice && b.ptr
}

// keyValue returns v (a key field's value) as a comparable map key, and
// false for NULL or a zero key (no related row).
func keyValue(v reflect.Value) (any, bool) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	if v.IsZero() {
		return nil, false
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int(), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		u := v.Uint()
		if u <= 1<<63-1 {
			return int64(u), true
		}
		return u, true
	case reflect.String:
		return v.String(), true
	}
	if nullableGoType(v.Type()) {
		if !v.Field(1).Bool() {
			return nil, false
		}
		return keyValue(v.Field(0))
	}
	if v.Comparable() {
		return v.Interface(), true
	}
	return fmt.Sprint(v.Interface()), true
}

// keyArg returns the bind value of a key.
func keyArg(f *field, v reflect.Value) any {
	a, err := f.arg(v)
	if err != nil {
		return nil
	}
	return a
}

// rowBuffer collects scanned rows of one struct type in a growing slice;
// elements are addressable and stay put once loading is done.
type rowBuffer struct {
	s    reflect.Value
	n    int
	used int // slots handed out: above it the elements are still zero
}

func newRowBuffer(t reflect.Type, capHint int) *rowBuffer {
	n := max(capHint, 8)
	return &rowBuffer{s: reflect.MakeSlice(reflect.SliceOf(t), n, n)}
}

// slot returns the next element, zeroed; commit keeps it. The slice is
// kept at its full length (Value.Slice would allocate a header per row).
func (b *rowBuffer) slot() reflect.Value {
	if b.n == b.s.Len() {
		ns := reflect.MakeSlice(b.s.Type(), 2*b.n, 2*b.n)
		reflect.Copy(ns, b.s)
		b.s = ns
	}
	v := b.s.Index(b.n)
	if b.n < b.used {
		v.SetZero() // a slot handed out before and not kept
	} else {
		b.used = b.n + 1
	}
	return v
}

func (b *rowBuffer) commit() { b.n++ }

func (b *rowBuffer) at(i int) reflect.Value { return b.s.Index(i) }

// fetched is what one preload level loaded: the related rows and, for
// each link, the key of the parent it belongs to.
type fetched struct {
	buf    *rowBuffer
	link   []any        // parent key of each link, in query order (dropped by group)
	ints   *field       // instead of link: link i's key is this int field of row i
	child  []int        // buffer index of each link (grouped by parent by group)
	groups map[any]span // links of each parent key, set by group
	sorted bool         // each parent's children are contiguous in the buffer, in link order
}

// group orders the links by parent key, stably (each parent's children
// keep the order the query returned them in, the requested order), and
// records each parent's span of links. The query orders by the requested
// order only: sorting by parent too costs the database more than this
// O(n) counting sort. Links that arrive grouped (per-parent Limit, rows
// inserted parent by parent) stay put. It reports whether links moved.
func (f *fetched) group(parents int) bool {
	defer func() { f.link = nil }()
	if kf := f.ints; kf != nil {
		base, size := f.buf.s.UnsafePointer(), f.buf.s.Type().Elem().Size()
		key := func(i int) int64 { return intAt(kf, base, uintptr(i)*size) }
		return groupLinks(f, len(f.child), key, parents)
	}
	return groupLinks(f, len(f.link), func(i int) any { return f.link[i] }, parents)
}

// groupLinks is group for n links whose keys, of type K, link gives;
// keyValue gives int64 for every integer key, so integer links match the
// parents' keys.
func groupLinks[K comparable](f *fetched, n int, link func(i int) K, parents int) bool {
	groups := make(map[K]span, parents)
	defer func() {
		f.groups = make(map[any]span, len(groups))
		for k, s := range groups {
			f.groups[k] = s
		}
	}()
	i := 0
	for i < n {
		k := link(i)
		j := i + 1
		for j < n && link(j) == k {
			j++
		}
		if _, dup := groups[k]; dup {
			break
		}
		groups[k] = span{i, j}
		i = j
	}
	if i == n {
		return false
	}
	// Out of order: number the groups by first appearance (span.start
	// holds the number for now), count their links, place them.
	clear(groups)
	gid := make([]int32, n)
	var count []int
	for i := 0; i < n; {
		k := link(i)
		j := i + 1
		for j < n && link(j) == k {
			j++
		}
		s, seen := groups[k]
		if !seen {
			s = span{start: len(count)}
			groups[k] = s
			count = append(count, 0)
		}
		count[s.start] += j - i
		for x := i; x < j; x++ {
			gid[x] = int32(s.start)
		}
		i = j
	}
	at := 0 // count[g] becomes the first link of group g
	for g, c := range count {
		count[g] = at
		at += c
	}
	for k, s := range groups {
		end := n
		if g := s.start + 1; g < len(count) {
			end = count[g]
		}
		groups[k] = span{count[s.start], end}
	}
	child := make([]int, n)
	for x, g := range gid {
		child[count[g]] = f.child[x]
		count[g]++
	}
	f.child = child
	return true
}

// regroup copies the rows into a new buffer in link order, so that each
// parent's children are contiguous (one allocation, against one slice
// per parent). Every link must have its own row (has_many).
func (f *fetched) regroup() {
	old := f.buf.s
	nb := reflect.MakeSlice(old.Type(), len(f.child), len(f.child))
	for i, c := range f.child {
		nb.Index(i).Set(old.Index(c))
		f.child[i] = i
	}
	f.buf = &rowBuffer{s: nb, n: len(f.child)}
	f.sorted = true
}

// preload loads relation n.rel for parents, then n's nested relations,
// then assigns the related rows to the parents' fields.
func (h *handle) preload(ctx context.Context, n *preloadNode, parents []reflect.Value) error {
	r := n.rel
	keys := make([]any, 0, len(parents))
	seen := make(map[any]struct{}, len(parents))
	for _, p := range parents {
		k, ok := keyValue(r.ownerKey.of(p))
		if !ok {
			continue
		}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		keys = append(keys, keyArg(r.ownerKey, p))
	}
	if len(keys) == 0 {
		for _, p := range parents {
			r.fieldOf(p).SetZero()
		}
		return nil
	}
	f, err := h.fetchRelated(ctx, n, keys)
	if err != nil {
		return err
	}
	if len(n.children) > 0 && f.buf.n > 0 {
		children := make([]reflect.Value, f.buf.n)
		for i := range children {
			children[i] = f.buf.at(i)
		}
		if err := h.runPreloads(ctx, n.children, children); err != nil {
			return err
		}
	}
	// AfterFind before the rows are assigned: a value field or slice
	// gets a copy.
	if r.target.hooks&hookAfterFind != 0 && f.buf.n > 0 {
		if err := h.afterFindSlice(ctx, "preload "+r.owner.table.Name+"."+r.name, r.target, f.buf.s.Slice(0, f.buf.n)); err != nil {
			return err
		}
	}
	assignRelated(n, parents, f)
	return nil
}

// span is a run of links [start, end).
type span struct{ start, end int }

// assignRelated stores the fetched rows (grouped by fetched.group) into
// the parents' relation fields.
func assignRelated(n *preloadNode, parents []reflect.Value, f *fetched) {
	r := n.rel
	var ptrs reflect.Value // for []*T fields: one backing array, in link order
	if r.slice && r.ptr && len(f.child) > 0 {
		ptrs = reflect.MakeSlice(r.decl.typ, len(f.child), len(f.child))
		// ptrs[i] = &buf[child[i]], written as plain pointers: a []*T
		// has the layout of a []unsafe.Pointer (a reflect Set per row
		// costs more than the rest of the assignment).
		dst := unsafe.Slice((*unsafe.Pointer)(ptrs.UnsafePointer()), len(f.child))
		base, size := f.buf.s.UnsafePointer(), f.buf.s.Type().Elem().Size()
		for i, c := range f.child {
			dst[i] = unsafe.Add(base, uintptr(c)*size)
		}
	}
	for _, p := range parents {
		fv := r.fieldOf(p)
		k, ok := keyValue(r.ownerKey.of(p))
		if !ok {
			fv.SetZero()
			continue
		}
		s, found := f.groups[k]
		if !found {
			fv.SetZero()
			continue
		}
		if !r.slice {
			c := f.buf.at(f.child[s.start])
			if r.ptr {
				fv.Set(c.Addr())
			} else {
				fv.Set(c)
			}
			setBack(n, p, c)
			continue
		}
		// A collection: share the buffer when the rows are contiguous.
		if r.ptr || f.sorted {
			var sl reflect.Value
			if r.ptr {
				sl = ptrs.Slice3(s.start, s.end, s.end)
			} else {
				a, b := f.child[s.start], f.child[s.end-1]+1
				sl = f.buf.s.Slice3(a, b, b)
			}
			fv.Set(sl)
			if hasBack(n) {
				for i := s.start; i < s.end; i++ {
					setBack(n, p, f.buf.at(f.child[i]))
				}
			}
			continue
		}
		sl := reflect.MakeSlice(r.decl.typ, s.end-s.start, s.end-s.start)
		for i := range sl.Len() {
			sl.Index(i).Set(f.buf.at(f.child[s.start+i]))
		}
		fv.Set(sl)
		for i := range sl.Len() {
			setBack(n, p, sl.Index(i))
		}
	}
}

// fetchRelated queries the rows related to the parent keys, in chunks
// under the dialect's bind-parameter limit.
func (h *handle) fetchRelated(ctx context.Context, n *preloadNode, keys []any) (*fetched, error) {
	r := n.rel
	d := h.db.dialect
	userArgs := condArgs(n.q.where)
	used := 0
	for _, a := range userArgs {
		if v, ok := expandable(a); ok {
			used += v.Len()
		} else {
			used++
		}
	}
	per := d.MaxParams() - used
	if per < 1 {
		return nil, fmt.Errorf("orm: preload %s: the conditions use all %d bind parameters", r.name, d.MaxParams())
	}
	query := h.relatedSQL(n)
	// Size the buffers as the last load of this model needed, within
	// reason: growing them copies every row loaded so far.
	hint := len(keys)
	if last := int(r.target.hot.preloadRows.Load()); last > hint {
		hint = min(last, 64*len(keys))
	}
	f := &fetched{
		buf:    newRowBuffer(r.target.typ, hint),
		child:  make([]int, 0, hint),
		sorted: r.kind == hasMany || r.kind == hasOne,
	}
	if r.kind != manyToMany && intField(r.targetKey) {
		// Link i is row i, whose own integer key is read when grouping.
		f.ints = r.targetKey
	} else {
		f.link = make([]any, 0, hint)
	}
	defer func() { r.target.hot.preloadRows.Store(int64(f.buf.n)) }()
	var pkSeen map[any]int // many_to_many: target key → buffer index
	if r.kind == manyToMany {
		pkSeen = map[any]int{}
	}
	op := "preload " + r.owner.table.Name + "." + r.name
	args := make([]any, 0, 1+len(userArgs))
	for start := 0; start < len(keys); start += per {
		chunk := keys[start:min(start+per, len(keys))]
		args = append(append(args[:0], chunk), userArgs...)
		s, a, err := h.db.prepareRaw(query, args)
		if err != nil {
			return nil, err
		}
		if err := h.scanRelated(ctx, op, n, s, a, f, pkSeen); err != nil {
			return nil, err
		}
	}
	// Group before the nested preloads: they point into the buffer.
	if f.group(len(keys)) && f.sorted {
		f.sorted = false
		if r.slice && !r.ptr {
			f.regroup()
		}
	}
	return f, nil
}

// scanRelated runs one chunk's query and appends its rows to f.
func (h *handle) scanRelated(ctx context.Context, op string, n *preloadNode, query string, args []any, f *fetched, pkSeen map[any]int) error {
	r := n.rel
	rows, err := h.query(ctx, query, args)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	m2m := r.kind == manyToMany
	own := cols
	if m2m {
		own = cols[1:]
	}
	plan, err := r.target.planFor(own)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	rs := plan.scanner()
	defer rs.release()
	var owner reflect.Value
	dest := rs.dest
	if m2m {
		owner = reflect.New(r.ownerKey.typ)
		dest = make([]any, 1+len(rs.dest))
		dest[0] = owner.Interface()
	}
	linkKey := r.targetKey // has_*: the child's foreign key; belongs_to: the target's key
	for rows.Next() {
		v := f.buf.slot()
		var err error
		if m2m {
			rs.fill(dest[1:], v)
			err = rows.Scan(dest...)
		} else {
			err = rs.scan(rows, v)
		}
		if err != nil {
			return h.db.wrapErr(op, err)
		}
		var k any
		var ok bool
		switch {
		case f.ints != nil:
			ok = intAt(linkKey, unsafe.Pointer(v.UnsafeAddr()), 0) != 0
		case m2m:
			k, ok = keyValue(owner.Elem())
		default:
			k, ok = keyValue(linkKey.of(v))
		}
		if !ok {
			continue
		}
		idx := f.buf.n
		if m2m {
			if tk, tok := keyValue(r.targetKey.of(v)); tok {
				if j, dup := pkSeen[tk]; dup {
					idx = j
				} else {
					pkSeen[tk] = idx
					f.buf.commit()
				}
			} else {
				f.buf.commit()
			}
		} else {
			f.buf.commit()
		}
		if f.ints == nil {
			f.link = append(f.link, k)
		}
		f.child = append(f.child, idx)
	}
	if err := rows.Err(); err != nil {
		return h.db.wrapErr(op, err)
	}
	return nil
}

// relatedSQL renders the query of one preload level, with "?" for the
// list of parent keys followed by the conditions' placeholders.
func (h *handle) relatedSQL(n *preloadNode) string {
	r := n.rel
	d := h.db.dialect
	tm := r.target
	table := d.Quote(tm.table.Name)
	var b strings.Builder
	var keyExpr, partition string // the column matched to the parent keys
	m2m := r.kind == manyToMany
	if m2m {
		keyExpr = "tagorm_j." + d.Quote(r.join.ownerCol)
	} else {
		keyExpr = table + "." + d.Quote(r.targetKey.col.Name)
	}
	order := n.q.order
	if len(order) == 0 {
		for _, f := range tm.pk {
			order = append(order, table+"."+d.Quote(f.col.Name))
		}
	}
	limited := n.q.limit > 0
	if limited {
		b.WriteString("SELECT ")
		if m2m {
			b.WriteString("tagorm_p.tagorm_owner, ")
			partition = "tagorm_p.tagorm_owner"
		} else {
			partition = "tagorm_p." + d.Quote(r.targetKey.col.Name)
		}
		for i, f := range tm.fields {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("tagorm_p.")
			b.WriteString(d.Quote(f.col.Name))
		}
		b.WriteString(" FROM (")
	}
	b.WriteString("SELECT ")
	if m2m {
		b.WriteString(keyExpr)
		if limited {
			b.WriteString(" AS tagorm_owner")
		}
		b.WriteString(", ")
	}
	tm.writeColumns(d, &b, true)
	if limited {
		b.WriteString(", ROW_NUMBER() OVER (PARTITION BY ")
		b.WriteString(keyExpr)
		b.WriteString(" ORDER BY ")
		b.WriteString(strings.Join(order, ", "))
		b.WriteString(") AS tagorm_rn")
	}
	b.WriteString(" FROM ")
	b.WriteString(table)
	if m2m {
		b.WriteString(" JOIN ")
		b.WriteString(d.Quote(r.join.table))
		b.WriteString(" tagorm_j ON tagorm_j.")
		b.WriteString(d.Quote(r.join.targetCol))
		b.WriteString(" = ")
		b.WriteString(table)
		b.WriteByte('.')
		b.WriteString(d.Quote(r.targetKey.col.Name))
	}
	b.WriteString(" WHERE ")
	b.WriteString(keyExpr)
	b.WriteString(" IN (?)")
	if sd := tm.softDelete; sd != nil && n.q.deleted != withDeleted {
		b.WriteString(" AND ")
		b.WriteString(table)
		b.WriteByte('.')
		b.WriteString(d.Quote(sd.col.Name))
		b.WriteString(" IS NULL")
	}
	if len(n.q.where) > 0 {
		b.WriteString(" AND (")
		b.WriteString(renderConds(n.q.where))
		b.WriteByte(')')
	}
	switch {
	case limited:
		b.WriteString(") tagorm_p WHERE tagorm_p.tagorm_rn <= ")
		b.WriteString(strconv.Itoa(n.q.limit))
		b.WriteString(" ORDER BY ")
		b.WriteString(partition)
		b.WriteString(", tagorm_p.tagorm_rn")
	case r.kind != belongsTo:
		// Not by parent key first: fetched.group groups the rows.
		b.WriteString(" ORDER BY ")
		b.WriteString(strings.Join(order, ", "))
	}
	return b.String()
}

// Load loads the relation at path (as in Q.Preload, nested paths
// included) into v, a pointer to a struct or a slice of structs already
// loaded: explicit lazy loading.
//
//	err := db.Load(ctx, &dept, "Employees")
func (h *handle) Load(ctx context.Context, v any, path string, fn ...func(*PreloadQuery)) error {
	m, rows, err := h.structRows("load", v)
	if err != nil {
		return err
	}
	var roots []*preloadNode
	n, _, err := addPreload(h.db, m, &roots, path, fn)
	if err != nil {
		return err
	}
	n.q.joined = false
	if len(rows) == 0 {
		return nil
	}
	return h.runPreloads(ctx, roots, rows)
}

// WhereHas keeps the rows that have at least one related row at path (a
// relationship field, or a dotted path through several) matching the
// condition, written as in Where; an empty condition keeps rows with any
// related row. It renders an EXISTS subquery, so rows are never
// duplicated:
//
//	orm.Query[Department](db).WhereHas("Employees", "name = ?", "ann")
//
// Unqualified column names in the condition refer to the last table of
// the path.
func (q *Q[T]) WhereHas(path, cond string, args ...any) *Q[T] {
	return q.whereHas(false, path, cond, args)
}

// WhereHasNot keeps the rows that have no related row at path matching
// the condition (NOT EXISTS).
func (q *Q[T]) WhereHasNot(path, cond string, args ...any) *Q[T] {
	return q.whereHas(true, path, cond, args)
}

func (q *Q[T]) whereHas(not bool, path, c string, args []any) *Q[T] {
	if q.err != nil {
		return q
	}
	d := q.h.db.dialect
	used := map[string]bool{q.m.table.Name: true}
	s, err := existsSQL(q.h.db, q.m, d.Quote(q.m.table.Name), strings.Split(path, "."), c, used, 0)
	if err != nil {
		q.err = fmt.Errorf("orm: where has %q: %w", path, err)
		return q
	}
	if not {
		s = "NOT " + s
	}
	return q.Where(s, args...)
}

// existsSQL renders EXISTS (SELECT 1 FROM <related> WHERE <join to outer>
// AND ...) for the relation path segs of model m, whose table is referred
// to as outer.
func existsSQL(db *DB, m *model, outer string, segs []string, c string, used map[string]bool, depth int) (string, error) {
	r, err := db.relation(m, strings.TrimSpace(segs[0]))
	if err != nil {
		return "", err
	}
	d := db.dialect
	tm := r.target
	ref := d.Quote(tm.table.Name)
	from := ref
	if used[tm.table.Name] {
		alias := "tagorm_h" + strconv.Itoa(depth)
		from += " " + alias
		ref = alias
	}
	used[tm.table.Name] = true
	var b strings.Builder
	b.WriteString("EXISTS (SELECT 1 FROM ")
	b.WriteString(from)
	if r.kind == manyToMany {
		ja := "tagorm_hj" + strconv.Itoa(depth)
		fmt.Fprintf(&b, " JOIN %s %s ON %s.%s = %s.%s WHERE %s.%s = %s.%s",
			d.Quote(r.join.table), ja, ja, d.Quote(r.join.targetCol), ref, d.Quote(r.targetKey.col.Name),
			ja, d.Quote(r.join.ownerCol), outer, d.Quote(r.ownerKey.col.Name))
	} else {
		fmt.Fprintf(&b, " WHERE %s.%s = %s.%s", ref, d.Quote(r.targetKey.col.Name), outer, d.Quote(r.ownerKey.col.Name))
	}
	if sd := tm.softDelete; sd != nil {
		fmt.Fprintf(&b, " AND %s.%s IS NULL", ref, d.Quote(sd.col.Name))
	}
	if len(segs) > 1 {
		inner, err := existsSQL(db, tm, ref, segs[1:], c, used, depth+1)
		if err != nil {
			return "", err
		}
		b.WriteString(" AND ")
		b.WriteString(inner)
	} else if strings.TrimSpace(c) != "" {
		b.WriteString(" AND (")
		b.WriteString(c)
		b.WriteByte(')')
	}
	b.WriteByte(')')
	return b.String(), nil
}
