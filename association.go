package orm

import (
	"context"
	"fmt"
	"reflect"
	"strings"
)

// ---- saving object graphs (Insert) ----

// graphKey identifies an object of a graph by type and address.
type graphKey struct {
	t reflect.Type
	p uintptr
}

const (
	saving = 1 // being saved: its row is not written yet
	saved  = 2
)

// graphSaver inserts an object graph: belongs_to targets first, then the
// rows, then their has_one/has_many children with the foreign key set,
// then the many-to-many targets and the join rows.
type graphSaver struct {
	h     *handle
	state map[graphKey]int
}

func keyOfObj(v reflect.Value) (graphKey, bool) {
	if !v.CanAddr() {
		return graphKey{}, false
	}
	return graphKey{v.Type(), v.Addr().Pointer()}, true
}

// insertGraph inserts rows of m together with the related objects set in
// their relationship fields, in one transaction; see Insert.
func (h *handle) insertGraph(ctx context.Context, m *model, rows []reflect.Value) error {
	if !hasRelated(m, rows) {
		return h.insertRows(ctx, m, rows, nil)
	}
	return h.atomically(ctx, func(h *handle) error {
		g := &graphSaver{h: h, state: map[graphKey]int{}}
		return g.save(ctx, m, rows, nil)
	})
}

// hasRelated reports whether any row has a related object set.
func hasRelated(m *model, rows []reflect.Value) bool {
	for _, d := range m.relations {
		for _, r := range rows {
			fv := r.FieldByIndex(d.index)
			if !fv.IsZero() && !(fv.Kind() == reflect.Slice && fv.Len() == 0) {
				return true
			}
		}
	}
	return false
}

// pkZero reports whether the primary key of v is unset (a new object).
func pkZero(m *model, v reflect.Value) bool {
	if len(m.pk) == 0 {
		return true
	}
	for _, f := range m.pk {
		if !f.of(v).IsZero() {
			return false
		}
	}
	return true
}

// targetsOf returns the related objects held by relation field r of v, as
// addressable struct values.
func targetsOf(r *relation, v reflect.Value) []reflect.Value {
	fv := r.fieldOf(v)
	if !r.slice {
		if r.ptr {
			if fv.IsNil() {
				return nil
			}
			return []reflect.Value{fv.Elem()}
		}
		if fv.IsZero() {
			return nil
		}
		return []reflect.Value{fv}
	}
	out := make([]reflect.Value, 0, fv.Len())
	for i := 0; i < fv.Len(); i++ {
		e := fv.Index(i)
		if r.ptr {
			if e.IsNil() {
				continue
			}
			e = e.Elem()
		}
		out = append(out, e)
	}
	return out
}

// setKey copies the key value of field from (in struct value src) into
// field to of struct value dst, converting between pointer and value
// types; a zero key clears the field.
func setKey(dst reflect.Value, to *field, src reflect.Value, from *field) error {
	k := from.of(src)
	for k.Kind() == reflect.Pointer {
		if k.IsNil() {
			to.of(dst).SetZero()
			return nil
		}
		k = k.Elem()
	}
	if k.IsZero() {
		to.of(dst).SetZero()
		return nil
	}
	return assignValue(to.of(dst), k.Interface())
}

// split divides objects into new ones (zero primary key) and existing
// ones, skipping objects already handled in this graph.
func (g *graphSaver) split(m *model, objs []reflect.Value) (news, olds []reflect.Value, err error) {
	batch := map[graphKey]bool{} // an object listed twice is saved once
	for _, o := range objs {
		k, ok := keyOfObj(o)
		if ok {
			if batch[k] {
				continue
			}
			batch[k] = true
			switch g.state[k] {
			case saving:
				if pkZero(m, o) {
					return nil, nil, fmt.Errorf("orm: insert: %s is part of a cycle of new objects with no key yet", m.typ)
				}
				continue
			case saved:
				continue
			}
		}
		if pkZero(m, o) {
			news = append(news, o)
		} else {
			olds = append(olds, o)
		}
	}
	return news, olds, nil
}

// save inserts rows of m (upserting with conflict when set) and their
// related objects.
func (g *graphSaver) save(ctx context.Context, m *model, rows []reflect.Value, conflict *Conflict) error {
	if len(rows) == 0 {
		return nil
	}
	db := g.h.db
	for _, r := range rows {
		if k, ok := keyOfObj(r); ok {
			g.state[k] = saving
		}
	}
	rels := make([]*relation, 0, len(m.relations))
	for _, d := range m.relations {
		r, err := db.relation(m, d.field)
		if err != nil {
			return err
		}
		rels = append(rels, r)
	}
	// 1. belongs_to targets, then the foreign keys pointing at them.
	for _, r := range rels {
		if r.kind != belongsTo {
			continue
		}
		var objs []reflect.Value
		for _, row := range rows {
			objs = append(objs, targetsOf(r, row)...)
		}
		if len(objs) == 0 {
			continue
		}
		if err := g.saveRelated(ctx, r.target, objs, OnConflict().DoNothing()); err != nil {
			return err
		}
		for _, row := range rows {
			if t := targetsOf(r, row); len(t) == 1 {
				if err := setKey(row, r.ownerKey, t[0], r.targetKey); err != nil {
					return fmt.Errorf("orm: insert %s: %s: %w", m.table.Name, r.name, err)
				}
			}
		}
	}
	// 2. the rows themselves.
	if err := g.h.insertRows(ctx, m, rows, conflict); err != nil {
		return err
	}
	for _, r := range rows {
		if k, ok := keyOfObj(r); ok {
			g.state[k] = saved
		}
	}
	// 3. children, then many-to-many targets and links.
	for _, r := range rels {
		switch r.kind {
		case hasOne, hasMany:
			var objs []reflect.Value
			for _, row := range rows {
				for _, t := range targetsOf(r, row) {
					if err := setKey(t, r.targetKey, row, r.ownerKey); err != nil {
						return fmt.Errorf("orm: insert %s: %s: %w", m.table.Name, r.name, err)
					}
					if b := db.backOf(r); b != nil && !b.slice && b.ptr && row.CanAddr() {
						b.fieldOf(t).Set(row.Addr())
					}
					objs = append(objs, t)
				}
			}
			if err := g.saveRelated(ctx, r.target, objs, OnConflict().DoUpdate(r.targetKey.col.Name)); err != nil {
				return err
			}
		case manyToMany:
			var objs []reflect.Value
			var links []link
			for _, row := range rows {
				objs = append(objs, targetsOf(r, row)...)
			}
			if err := g.saveRelated(ctx, r.target, objs, OnConflict().DoNothing()); err != nil {
				return err
			}
			seen := map[[2]any]bool{}
			for _, row := range rows {
				ok, okOK := keyValue(r.ownerKey.of(row))
				for _, t := range targetsOf(r, row) {
					tk, tkOK := keyValue(r.targetKey.of(t))
					if !okOK || !tkOK || seen[[2]any{ok, tk}] {
						continue
					}
					seen[[2]any{ok, tk}] = true
					links = append(links, link{keyArg(r.ownerKey, row), keyArg(r.targetKey, t)})
				}
			}
			if err := g.h.insertLinks(ctx, r, links); err != nil {
				return err
			}
		}
	}
	return nil
}

// saveRelated saves related objects: new ones (zero key) are inserted,
// existing ones upserted with existing (DO NOTHING, or updating the
// foreign key of a child).
func (g *graphSaver) saveRelated(ctx context.Context, m *model, objs []reflect.Value, existing *Conflict) error {
	news, olds, err := g.split(m, objs)
	if err != nil {
		return err
	}
	if err := g.save(ctx, m, news, nil); err != nil {
		return err
	}
	return g.save(ctx, m, olds, existing)
}

// link is one row of a join table: the owner's and the target's keys.
type link struct{ owner, target any }

// insertLinks inserts join rows of many-to-many relation r.
func (h *handle) insertLinks(ctx context.Context, r *relation, links []link) error {
	if len(links) == 0 {
		return nil
	}
	j := r.join
	if j.model != nil {
		rows := reflect.MakeSlice(reflect.SliceOf(j.model.typ), len(links), len(links))
		vals := make([]reflect.Value, len(links))
		for i, l := range links {
			v := rows.Index(i)
			if err := assignValue(j.ownerField.of(v), l.owner); err != nil {
				return fmt.Errorf("orm: link %s: %w", j.table, err)
			}
			if err := assignValue(j.targetField.of(v), l.target); err != nil {
				return fmt.Errorf("orm: link %s: %w", j.table, err)
			}
			vals[i] = v
		}
		return h.insertRows(ctx, j.model, vals, nil)
	}
	d := h.db.dialect
	per := min(d.MaxParams()/2, 1000)
	op := "insert " + j.table
	for start := 0; start < len(links); start += per {
		chunk := links[start:min(start+per, len(links))]
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s (%s, %s) VALUES ", d.Quote(j.table), d.Quote(j.ownerCol), d.Quote(j.targetCol))
		args := make([]any, 0, 2*len(chunk))
		for i, l := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%s, %s)", d.Placeholder(2*i+1), d.Placeholder(2*i+2))
			args = append(args, l.owner, l.target)
		}
		if _, err := h.exec(ctx, b.String(), args); err != nil {
			return h.db.wrapErr(op, err)
		}
	}
	return nil
}

// ---- ORM-side cascade delete ----

// needsCascade reports whether deleting rows of m must first delete
// related rows on the ORM side (cascade:delete).
func (h *handle) needsCascade(m *model) bool {
	for _, d := range m.relations {
		if d.cascadeDelete {
			return true
		}
	}
	return false
}

// cascadeDelete deletes what the cascade:delete relations of m hold for
// rows: the children of has_one/has_many relations (after their own
// cascades), the join rows of many-to-many relations.
func (h *handle) cascadeDelete(ctx context.Context, m *model, rows []reflect.Value) error {
	for _, d := range m.relations {
		if !d.cascadeDelete {
			continue
		}
		r, err := h.db.relation(m, d.field)
		if err != nil {
			return err
		}
		keys := distinctKeys(r.ownerKey, rows)
		if len(keys) == 0 {
			continue
		}
		dq := h.db.dialect.Quote
		table, col := r.target.table.Name, r.targetKey.col.Name
		if r.kind == manyToMany {
			table, col = r.join.table, r.join.ownerCol
		} else if h.needsCascade(r.target) {
			f, err := h.fetchRelated(ctx, &preloadNode{rel: r, q: PreloadQuery{deleted: withDeleted}}, keys)
			if err != nil {
				return err
			}
			children := make([]reflect.Value, f.buf.n)
			for i := range children {
				children[i] = f.buf.at(i)
			}
			if err := h.cascadeDelete(ctx, r.target, children); err != nil {
				return err
			}
		}
		if err := h.inChunks(keys, 0, func(chunk []any) error {
			_, err := h.execCount(ctx, "delete "+table, "DELETE FROM "+dq(table)+" WHERE "+dq(col)+" IN (?)", []any{chunk})
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// distinctKeys returns the distinct non-zero bind values of key field f
// in rows.
func distinctKeys(f *field, rows []reflect.Value) []any {
	seen := map[any]bool{}
	var out []any
	for _, r := range rows {
		k, ok := keyValue(f.of(r))
		if !ok || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, keyArg(f, r))
	}
	return out
}

// inChunks calls fn with consecutive chunks of keys, each small enough to
// bind with reserved other parameters.
func (h *handle) inChunks(keys []any, reserved int, fn func([]any) error) error {
	per := h.db.dialect.MaxParams() - reserved
	for start := 0; start < len(keys); start += per {
		if err := fn(keys[start:min(start+per, len(keys))]); err != nil {
			return err
		}
	}
	return nil
}

// ---- the association API ----

// Association works on one relationship of one object already in the
// database: the has_many and many_to_many collections (Append, Remove,
// Replace, Clear, Count), and has_one/belongs_to references (Replace,
// Clear, Count). Each write runs in one transaction and keeps the
// object's field in step with the rows. Get one with DB.Association or
// Session.Association.
type Association struct {
	h     *handle
	r     *relation
	owner reflect.Value
	err   error
}

// Association returns the association API of relationship name (a
// relationship field name, never SQL) of owner, a pointer to a struct with
// its primary key set:
//
//	err := db.Association(&dept, "Employees").Append(ctx, &ann, &bob)
//
// Errors (no such relation, no key) are returned by the method called on
// it.
func (h *handle) Association(owner any, name string) *Association {
	a := &Association{h: h}
	rv := reflect.ValueOf(owner)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		a.err = fmt.Errorf("orm: association: want a non-nil pointer to a struct, got %T", owner)
		return a
	}
	m, err := h.db.mapper.modelOf(rv.Type())
	if err != nil {
		a.err = err
		return a
	}
	if a.r, a.err = h.db.relation(m, name); a.err != nil {
		return a
	}
	a.owner = rv.Elem()
	if a.r.kind != belongsTo {
		if _, ok := keyValue(a.r.ownerKey.of(a.owner)); !ok {
			a.err = fmt.Errorf("orm: association %s.%s: the %s has no %s yet (insert it first)", m.typ, a.r.name, m.typ, a.r.ownerKey.name)
		}
	}
	return a
}

func (a *Association) op() string { return "association " + a.r.owner.table.Name + "." + a.r.name }

// targets flattens the arguments of Append/Remove/Replace — pointers to
// structs, or slices of structs or struct pointers (or pointers to such
// slices) — into addressable struct values of the related type.
func (a *Association) targets(args []any) ([]reflect.Value, error) {
	want := a.r.target.typ
	var out []reflect.Value
	for _, x := range args {
		v := reflect.ValueOf(x)
		if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Slice {
			v = v.Elem()
		}
		switch {
		case v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Type() == want:
			out = append(out, v.Elem())
		case v.Kind() == reflect.Slice && structType(v.Type()) == want && derefType(v.Type().Elem()) == want:
			for i := 0; i < v.Len(); i++ {
				e := v.Index(i)
				if e.Kind() == reflect.Pointer {
					if e.IsNil() {
						continue
					}
					e = e.Elem()
				}
				if !e.CanAddr() {
					return nil, fmt.Errorf("orm: %s: pass a pointer to the slice or a slice of pointers", a.op())
				}
				out = append(out, e)
			}
		default:
			return nil, fmt.Errorf("orm: %s: want *%s or a slice of %s, got %T", a.op(), want, want, x)
		}
	}
	return out, nil
}

// prepare saves the new targets (zero key) with their graphs and, for a
// has_one/has_many relation, points the existing ones at the owner.
func (a *Association) prepare(ctx context.Context, h *handle, ts []reflect.Value) error {
	r := a.r
	g := &graphSaver{h: h, state: map[graphKey]int{}}
	if k, ok := keyOfObj(a.owner); ok {
		g.state[k] = saved
	}
	var olds []reflect.Value
	if r.kind == hasOne || r.kind == hasMany {
		for _, t := range ts {
			if err := setKey(t, r.targetKey, a.owner, r.ownerKey); err != nil {
				return fmt.Errorf("orm: %s: %w", a.op(), err)
			}
			if b := h.db.backOf(r); b != nil && !b.slice && b.ptr {
				b.fieldOf(t).Set(a.owner.Addr())
			}
		}
	}
	news, existing, err := g.split(r.target, ts)
	if err != nil {
		return err
	}
	olds = existing
	if err := g.save(ctx, r.target, news, nil); err != nil {
		return err
	}
	if (r.kind == hasOne || r.kind == hasMany) && len(olds) > 0 {
		pk := singleKey(r.target)
		if pk == nil {
			return fmt.Errorf("orm: %s: %s needs a single-column primary key", a.op(), r.target.typ)
		}
		d := h.db.dialect
		q := "UPDATE " + d.Quote(r.target.table.Name) + " SET " + d.Quote(r.targetKey.col.Name) + " = ? WHERE " + d.Quote(pk.col.Name) + " IN (?)"
		own := keyArg(r.ownerKey, a.owner)
		if err := h.inChunks(distinctKeys(pk, olds), 1, func(chunk []any) error {
			_, err := h.execCount(ctx, a.op(), q, []any{own, chunk})
			return err
		}); err != nil {
			return err
		}
	}
	return nil
}

// Append adds targets (pointers to structs, or slices of them) to the
// relation: new objects (zero key) are inserted with their own relations,
// existing has_many children get their foreign key set, missing
// many-to-many links are inserted (links already there are left alone).
// On has_one and belongs_to it is Replace.
func (a *Association) Append(ctx context.Context, targets ...any) error {
	if a.err != nil {
		return a.err
	}
	if !a.r.toMany() {
		return a.Replace(ctx, targets...)
	}
	ts, err := a.targets(targets)
	if err != nil || len(ts) == 0 {
		return err
	}
	err = a.h.atomically(ctx, func(h *handle) error {
		if err := a.prepare(ctx, h, ts); err != nil {
			return err
		}
		if a.r.kind == manyToMany {
			return a.link(ctx, h, ts, false)
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.appendInMemory(ts)
	return nil
}

// link makes the join table hold links to ts; with replace, links to
// anything else are deleted. It reads the current links first, so it
// never inserts a duplicate.
func (a *Association) link(ctx context.Context, h *handle, ts []reflect.Value, replace bool) error {
	r := a.r
	cur, err := a.currentKeys(ctx, h)
	if err != nil {
		return err
	}
	own := keyArg(r.ownerKey, a.owner)
	want := map[any]bool{}
	var links []link
	for _, t := range ts {
		k, ok := keyValue(r.targetKey.of(t))
		if !ok || want[k] {
			continue
		}
		want[k] = true
		if _, have := cur[k]; !have {
			links = append(links, link{own, keyArg(r.targetKey, t)})
		}
	}
	if replace {
		var stale []any
		for k, arg := range cur {
			if !want[k] {
				stale = append(stale, arg)
			}
		}
		if err := a.unlink(ctx, h, stale); err != nil {
			return err
		}
	}
	return h.insertLinks(ctx, r, links)
}

// currentKeys returns the keys of the rows related to the owner in the
// database: the join table's target column (many_to_many), or the
// children's primary keys (has_one/has_many), mapped to bind values.
func (a *Association) currentKeys(ctx context.Context, h *handle) (map[any]any, error) {
	r := a.r
	d := h.db.dialect
	var q string
	var f *field
	if r.kind == manyToMany {
		q = "SELECT " + d.Quote(r.join.targetCol) + " FROM " + d.Quote(r.join.table) + " WHERE " + d.Quote(r.join.ownerCol) + " = ?"
		f = r.targetKey
	} else {
		f = singleKey(r.target)
		if f == nil {
			return nil, fmt.Errorf("orm: %s: %s needs a single-column primary key", a.op(), r.target.typ)
		}
		q = "SELECT " + d.Quote(f.col.Name) + " FROM " + d.Quote(r.target.table.Name) + " WHERE " + d.Quote(r.targetKey.col.Name) + " = ?"
	}
	s, args, err := h.db.prepareRaw(q, []any{keyArg(r.ownerKey, a.owner)})
	if err != nil {
		return nil, err
	}
	rows, err := h.query(ctx, s, args)
	if err != nil {
		return nil, h.db.wrapErr(a.op(), err)
	}
	defer rows.Close()
	out := map[any]any{}
	holder := reflect.New(f.typ)
	for rows.Next() {
		holder.Elem().SetZero()
		if err := rows.Scan(holder.Interface()); err != nil {
			return nil, h.db.wrapErr(a.op(), err)
		}
		if k, ok := keyValue(holder.Elem()); ok {
			out[k] = argOf(holder.Elem())
		}
	}
	return out, h.db.wrapErr(a.op(), rows.Err())
}

// argOf returns the bind value of a scanned key.
func argOf(v reflect.Value) any {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	return v.Interface()
}

// unlink removes the links (many_to_many) or detaches the children
// (has_one/has_many) with the given keys.
func (a *Association) unlink(ctx context.Context, h *handle, keys []any) error {
	if len(keys) == 0 {
		return nil
	}
	r := a.r
	d := h.db.dialect
	own := keyArg(r.ownerKey, a.owner)
	var q string
	switch {
	case r.kind == manyToMany:
		q = "DELETE FROM " + d.Quote(r.join.table) + " WHERE " + d.Quote(r.join.ownerCol) + " = ? AND " + d.Quote(r.join.targetCol) + " IN (?)"
	case r.decl.deleteOrphan:
		q = "DELETE FROM " + d.Quote(r.target.table.Name) + " WHERE " + d.Quote(r.targetKey.col.Name) + " = ? AND " + d.Quote(singleKey(r.target).col.Name) + " IN (?)"
	case r.targetKey.col.Nullable:
		q = "UPDATE " + d.Quote(r.target.table.Name) + " SET " + d.Quote(r.targetKey.col.Name) + " = NULL WHERE " + d.Quote(r.targetKey.col.Name) + " = ? AND " + d.Quote(singleKey(r.target).col.Name) + " IN (?)"
	default:
		return fmt.Errorf("orm: %s: cannot detach %s rows: foreign key %s is NOT NULL; declare cascade:delete_orphan to delete them, or make the field a pointer",
			a.op(), r.target.typ, r.targetKey.name)
	}
	return h.inChunks(keys, 1, func(chunk []any) error {
		_, err := h.execCount(ctx, a.op(), q, []any{own, chunk})
		return err
	})
}

// Remove takes targets out of the relation: many-to-many links are
// deleted (the targets stay); has_many children get a NULL foreign key,
// or are deleted with cascade:delete_orphan (a NOT NULL foreign key
// without it is an error). On belongs_to it clears the reference when it
// points to the target.
func (a *Association) Remove(ctx context.Context, targets ...any) error {
	if a.err != nil {
		return a.err
	}
	ts, err := a.targets(targets)
	if err != nil || len(ts) == 0 {
		return err
	}
	r := a.r
	if r.kind == belongsTo {
		tk, _ := keyValue(r.targetKey.of(ts[0]))
		ok, _ := keyValue(r.ownerKey.of(a.owner))
		if tk == nil || tk != ok {
			return nil
		}
		return a.Clear(ctx)
	}
	var keys []any
	key := r.targetKey
	if r.kind != manyToMany {
		if key = singleKey(r.target); key == nil {
			return fmt.Errorf("orm: %s: %s needs a single-column primary key", a.op(), r.target.typ)
		}
	}
	keys = distinctKeys(key, ts)
	if err := a.h.atomically(ctx, func(h *handle) error { return a.unlink(ctx, h, keys) }); err != nil {
		return err
	}
	a.removeInMemory(key, ts)
	return nil
}

// Replace makes targets the whole relation: new targets are inserted,
// missing links added, and links to (or children not among) the others
// removed as Remove does. Replacing with the current contents changes
// nothing, and no duplicate link is ever inserted. On belongs_to it sets
// the reference (one target).
func (a *Association) Replace(ctx context.Context, targets ...any) error {
	if a.err != nil {
		return a.err
	}
	ts, err := a.targets(targets)
	if err != nil {
		return err
	}
	r := a.r
	if !r.toMany() && len(ts) > 1 {
		return fmt.Errorf("orm: %s: a %s relation holds one object, got %d", a.op(), r.kind, len(ts))
	}
	if r.kind == belongsTo {
		return a.replaceBelongsTo(ctx, ts)
	}
	err = a.h.atomically(ctx, func(h *handle) error {
		if err := a.prepare(ctx, h, ts); err != nil {
			return err
		}
		if r.kind == manyToMany {
			return a.link(ctx, h, ts, true)
		}
		cur, err := a.currentKeys(ctx, h)
		if err != nil {
			return err
		}
		pk := singleKey(r.target)
		want := map[any]bool{}
		for _, t := range ts {
			if k, ok := keyValue(pk.of(t)); ok {
				want[k] = true
			}
		}
		var stale []any
		for k, arg := range cur {
			if !want[k] {
				stale = append(stale, arg)
			}
		}
		return a.unlink(ctx, h, stale)
	})
	if err != nil {
		return err
	}
	fv := a.r.fieldOf(a.owner)
	fv.SetZero()
	a.appendInMemory(ts)
	return nil
}

// replaceBelongsTo points the owner's foreign key at the target (nil:
// clears it) and writes it.
func (a *Association) replaceBelongsTo(ctx context.Context, ts []reflect.Value) error {
	r := a.r
	m := r.owner
	if len(m.pk) == 0 {
		return fmt.Errorf("orm: %s: %s has no primary key", a.op(), m.typ)
	}
	if len(ts) == 0 && !r.ownerKey.col.Nullable {
		return fmt.Errorf("orm: %s: cannot clear: foreign key %s is NOT NULL", a.op(), r.ownerKey.name)
	}
	err := a.h.atomically(ctx, func(h *handle) error {
		if len(ts) == 1 {
			g := &graphSaver{h: h, state: map[graphKey]int{}}
			if err := g.saveRelated(ctx, r.target, ts, OnConflict().DoNothing()); err != nil {
				return err
			}
			if err := setKey(a.owner, r.ownerKey, ts[0], r.targetKey); err != nil {
				return err
			}
		} else {
			r.ownerKey.of(a.owner).SetZero()
		}
		return h.Update(ctx, a.owner.Addr().Interface(), r.ownerKey.col.Name)
	})
	if err != nil {
		return err
	}
	fv := r.fieldOf(a.owner)
	fv.SetZero()
	if len(ts) == 1 {
		if r.ptr {
			fv.Set(ts[0].Addr())
		} else {
			fv.Set(ts[0])
		}
	}
	return nil
}

// Clear empties the relation: Replace with nothing.
func (a *Association) Clear(ctx context.Context) error {
	if a.err != nil {
		return a.err
	}
	if a.r.kind == belongsTo {
		return a.replaceBelongsTo(ctx, nil)
	}
	return a.Replace(ctx)
}

// Count returns the number of related rows in the database (soft-deleted
// ones excluded).
func (a *Association) Count(ctx context.Context) (int64, error) {
	if a.err != nil {
		return 0, a.err
	}
	r := a.r
	d := a.h.db.dialect
	tm := r.target
	t := d.Quote(tm.table.Name)
	if _, ok := keyValue(r.ownerKey.of(a.owner)); !ok {
		return 0, nil
	}
	var b strings.Builder
	b.WriteString("SELECT COUNT(*) FROM ")
	b.WriteString(t)
	if r.kind == manyToMany {
		fmt.Fprintf(&b, " JOIN %s tagorm_j ON tagorm_j.%s = %s.%s WHERE tagorm_j.%s = ?",
			d.Quote(r.join.table), d.Quote(r.join.targetCol), t, d.Quote(r.targetKey.col.Name), d.Quote(r.join.ownerCol))
	} else {
		fmt.Fprintf(&b, " WHERE %s.%s = ?", t, d.Quote(r.targetKey.col.Name))
	}
	if sd := tm.softDelete; sd != nil {
		fmt.Fprintf(&b, " AND %s.%s IS NULL", t, d.Quote(sd.col.Name))
	}
	var n int64
	err := a.h.scalar(ctx, "count "+a.op(), b.String(), []any{keyArg(r.ownerKey, a.owner)}, &n)
	return n, err
}

// appendInMemory adds ts to the owner's field (skipping objects already
// there, by key) and sets their to-one back references.
func (a *Association) appendInMemory(ts []reflect.Value) {
	r := a.r
	fv := r.fieldOf(a.owner)
	if !r.slice {
		fv.SetZero()
		if len(ts) > 0 {
			if r.ptr {
				fv.Set(ts[0].Addr())
			} else {
				fv.Set(ts[0])
			}
		}
		return
	}
	key := singleKey(r.target)
	if key == nil {
		key = r.targetKey
	}
	have := map[any]bool{}
	for _, e := range targetsOf(r, a.owner) {
		if k, ok := keyValue(key.of(e)); ok {
			have[k] = true
		}
	}
	for _, t := range ts {
		k, ok := keyValue(key.of(t))
		if ok && have[k] {
			continue
		}
		have[k] = true
		if r.ptr {
			fv.Set(reflect.Append(fv, t.Addr()))
		} else {
			fv.Set(reflect.Append(fv, t))
		}
	}
}

// removeInMemory drops ts (by key) from the owner's field and clears the
// foreign key of detached has_many children.
func (a *Association) removeInMemory(key *field, ts []reflect.Value) {
	r := a.r
	drop := map[any]bool{}
	for _, t := range ts {
		if k, ok := keyValue(key.of(t)); ok {
			drop[k] = true
		}
		if r.kind != manyToMany && !r.decl.deleteOrphan {
			r.targetKey.of(t).SetZero()
		}
	}
	fv := r.fieldOf(a.owner)
	if !r.slice {
		for _, e := range targetsOf(r, a.owner) {
			if k, ok := keyValue(key.of(e)); ok && drop[k] {
				fv.SetZero()
			}
		}
		return
	}
	out := reflect.MakeSlice(fv.Type(), 0, fv.Len())
	for i := 0; i < fv.Len(); i++ {
		e := fv.Index(i)
		s := e
		if r.ptr {
			if e.IsNil() {
				continue
			}
			s = e.Elem()
		}
		if k, ok := keyValue(key.of(s)); ok && drop[k] {
			continue
		}
		out = reflect.Append(out, e)
	}
	if out.Len() == 0 {
		out = reflect.Zero(fv.Type())
	}
	fv.Set(out)
}
