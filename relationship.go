package orm

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/tagorm/orm/schema"
)

// relationKind is the kind of a declared relationship.
type relationKind int

const (
	hasOne relationKind = iota + 1
	hasMany
	belongsTo
	manyToMany
)

// String implements fmt.Stringer.
func (k relationKind) String() string {
	switch k {
	case hasOne:
		return "has_one"
	case hasMany:
		return "has_many"
	case belongsTo:
		return "belongs_to"
	case manyToMany:
		return "many_to_many"
	}
	return "relation"
}

// relationDecl is a relationship as declared by a field's tag, before it
// is resolved against the other model. Loading and saving relationships
// build on it.
type relationDecl struct {
	kind      relationKind
	field     string // Go field path
	index     []int
	typ       reflect.Type // the field's type ([]T, []*T, T or *T)
	elem      reflect.Type // the related struct type
	joinTable string       // many_to_many:<table>
	foreignKey,
	references,
	backPopulates,
	joinForeignKey,
	joinReferences string
	onDelete, onUpdate string // referential actions for the foreign key(s)
	cascadeDelete      bool   // cascade:delete — delete related rows with this one, ORM-side
	deleteOrphan       bool   // cascade:delete_orphan — Remove/Replace/Clear delete the rows
	noConstraint       bool   // constraint:false — no foreign key constraint in the DDL

	resolved atomic.Pointer[relation] // the resolved relation, once known
}

// relation is a relationDecl resolved against both models: the keys it
// joins on and, for many-to-many, the join table.
type relation struct {
	decl   *relationDecl
	name   string // Go field name
	kind   relationKind
	owner  *model // the model declaring the field
	target *model // the related model
	// ownerKey and targetKey are the fields the relation joins on:
	//   has_one/has_many: owner's referenced key = target's foreign key
	//   belongs_to:       owner's foreign key    = target's referenced key
	//   many_to_many:     owner's key ↔ join.ownerCol, target's key ↔ join.targetCol
	ownerKey, targetKey *field
	join                *joinSpec
	slice               bool // the field is a slice
	ptr                 bool // the field (to-one) or its elements (slice) are pointers
}

// joinSpec is the join table of a many-to-many relation.
type joinSpec struct {
	table               string
	ownerCol, targetCol string // columns of the join table
	// model is the explicit association model mapped to the join table
	// (nil for an implicit table); ownerField/targetField are its fields
	// for ownerCol/targetCol.
	model                   *model
	ownerField, targetField *field
}

// toMany reports whether the relation holds a collection.
func (r *relation) toMany() bool { return r.kind == hasMany || r.kind == manyToMany }

// fieldOf returns the relation field of owner struct value v.
func (r *relation) fieldOf(v reflect.Value) reflect.Value {
	if len(r.decl.index) == 1 {
		return v.Field(r.decl.index[0])
	}
	return v.FieldByIndex(r.decl.index)
}

// parseRelation reads a relationship field's tag.
func parseRelation(b *builder, sf reflect.StructField, name string, idx []int, opts []tagOption) (*relationDecl, error) {
	r := &relationDecl{field: name, index: idx, typ: sf.Type, elem: structType(sf.Type)}
	if r.elem == nil {
		return nil, b.errf(name, "", "a relationship field must be a struct, a pointer to one, or a slice of them, not %s", sf.Type)
	}
	isSlice := derefType(sf.Type).Kind() == reflect.Slice
	if isSlice && sf.Type.Kind() == reflect.Pointer {
		return nil, b.errf(name, "", "a relationship field must be a slice, not a pointer to one (%s)", sf.Type)
	}
	for _, o := range opts {
		switch o.Key {
		case "has_one", "belongs_to":
			if isSlice {
				return nil, b.errf(name, o.Key, "%s needs a struct or pointer field, not a slice (use has_many)", o.Key)
			}
			r.kind = hasOne
			if o.Key == "belongs_to" {
				r.kind = belongsTo
			}
		case "has_many":
			if !isSlice {
				return nil, b.errf(name, o.Key, "has_many needs a slice field, not %s", sf.Type)
			}
			r.kind = hasMany
		case "many_to_many":
			if !isSlice {
				return nil, b.errf(name, o.Key, "many_to_many needs a slice field, not %s", sf.Type)
			}
			if o.Value == "" {
				return nil, b.errf(name, o.Key, "many_to_many needs the join table: many_to_many:<table>")
			}
			r.kind, r.joinTable = manyToMany, o.Value
		case "foreign_key":
			r.foreignKey = o.Value
		case "references":
			r.references = o.Value
		case "back_populates":
			r.backPopulates = o.Value
		case "join_foreign_key":
			r.joinForeignKey = o.Value
		case "join_references":
			r.joinReferences = o.Value
		case "on_delete", "on_update":
			act, ok := parseAction(o.Value)
			if !ok {
				return nil, b.errf(name, o.Key+":"+o.Value, "unknown referential action (want cascade, set null, set default, restrict or no action)")
			}
			if o.Key == "on_delete" {
				r.onDelete = act
			} else {
				r.onUpdate = act
			}
		case "cascade":
			for _, v := range splitList(o.Value) {
				switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(v)), "-", "_") {
				case "delete":
					r.cascadeDelete = true
				case "delete_orphan":
					r.deleteOrphan = true
				default:
					return nil, b.errf(name, "cascade:"+o.Value, "unknown cascade %q (want delete, delete_orphan)", v)
				}
			}
		case "constraint":
			v, err := boolOpt(o)
			if err != nil {
				return nil, b.errf(name, "constraint:"+o.Value, "%v", err)
			}
			r.noConstraint = !v
		default:
			return nil, b.errf(name, o.Key, "option %q is not valid on a relationship field", o.Key)
		}
	}
	switch {
	case r.kind == belongsTo && (r.cascadeDelete || r.deleteOrphan):
		return nil, b.errf(name, "cascade", "cascade applies to has_one, has_many and many_to_many, not belongs_to")
	case r.kind == manyToMany && r.deleteOrphan:
		return nil, b.errf(name, "cascade:delete_orphan", "delete_orphan applies to has_one and has_many")
	case r.kind != manyToMany && (r.joinForeignKey != "" || r.joinReferences != ""):
		return nil, b.errf(name, "join_foreign_key", "join_foreign_key and join_references apply to many_to_many only")
	}
	return r, nil
}

// relError is a ModelError about relation field of owner.
func relError(owner *model, d *relationDecl, tag string, format string, args ...any) error {
	return &ModelError{Struct: owner.typ.String(), Field: d.field, Tag: tag, Err: fmt.Errorf(format, args...)}
}

// lastSegment returns the last element of a Go field path ("Model.ID" → "ID").
func lastSegment(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

// singleKey returns m's single-column primary key field.
func singleKey(m *model) *field {
	if len(m.pk) == 1 {
		return m.pk[0]
	}
	return nil
}

// relationByName finds the relation field name (Go field name or path)
// declared by m.
func (m *model) relationByName(name string) *relationDecl {
	for _, d := range m.relations {
		if d.field == name || lastSegment(d.field) == name {
			return d
		}
	}
	return nil
}

// relation returns the resolved relation name of model m.
func (db *DB) relation(m *model, name string) (*relation, error) {
	d := m.relationByName(name)
	if d == nil {
		var names []string
		for _, d := range m.relations {
			names = append(names, d.field)
		}
		return nil, fmt.Errorf("orm: %s has no relationship %q (relationships: %s)", m.typ, name, strings.Join(names, ", "))
	}
	if r := d.resolved.Load(); r != nil {
		return r, nil
	}
	r, err := db.resolveRelation(m, d, db.modelByTable)
	if err != nil {
		return nil, err
	}
	d.resolved.CompareAndSwap(nil, r)
	return d.resolved.Load(), nil
}

// modelByTable finds a model already mapped by this DB whose table is name.
func (db *DB) modelByTable(name string) *model {
	var found *model
	db.mapper.cache.Range(func(_, v any) bool {
		if res := v.(*mapResult); res.m != nil && res.m.table.Name == name {
			found = res.m
			return false
		}
		return true
	})
	return found
}

// resolveRelation resolves d, declared by owner. lookup finds the model of
// a table (for explicit association models).
func (db *DB) resolveRelation(owner *model, d *relationDecl, lookup func(string) *model) (*relation, error) {
	target, err := db.mapper.modelOf(d.elem)
	if err != nil {
		return nil, relError(owner, d, "", "related model %s: %w", d.elem, err)
	}
	r := &relation{decl: d, name: lastSegment(d.field), kind: d.kind, owner: owner, target: target}
	r.slice = d.typ.Kind() == reflect.Slice
	if r.slice {
		r.ptr = d.typ.Elem().Kind() == reflect.Pointer
	} else {
		r.ptr = d.typ.Kind() == reflect.Pointer
	}
	// findField looks name up in m (Go field name, path or column).
	findField := func(m *model, name, tag string) (*field, error) {
		f := m.lookup(name)
		if f == nil {
			return nil, relError(owner, d, tag+":"+name, "%s has no field or column %q", m.typ, name)
		}
		return f, nil
	}
	// keyOf returns the field named by tag value name in m, or m's
	// single-column primary key.
	keyOf := func(m *model, name, tag string) (*field, error) {
		if name != "" {
			return findField(m, name, tag)
		}
		if k := singleKey(m); k != nil {
			return k, nil
		}
		return nil, relError(owner, d, "", "%s has no single-column primary key to reference; name the key with %s:<Field>", m.typ, tag)
	}
	var back *relationDecl
	if d.backPopulates != "" {
		back = target.relationByName(d.backPopulates)
		if back == nil {
			return nil, relError(owner, d, "back_populates:"+d.backPopulates, "%s has no relationship field %s", target.typ, d.backPopulates)
		}
		if back.elem != owner.typ {
			return nil, relError(owner, d, "back_populates:"+d.backPopulates, "%s.%s relates to %s, not %s", target.typ, back.field, back.elem, owner.typ)
		}
		ok := false
		switch d.kind {
		case hasOne, hasMany:
			ok = back.kind == belongsTo
		case belongsTo:
			ok = back.kind == hasOne || back.kind == hasMany
		case manyToMany:
			ok = back.kind == manyToMany && back.joinTable == d.joinTable
		}
		if !ok {
			return nil, relError(owner, d, "back_populates:"+d.backPopulates, "%s %s cannot be paired with %s.%s (%s)", d.kind, d.field, target.typ, back.field, back.kind)
		}
	}
	switch d.kind {
	case hasOne, hasMany:
		if r.ownerKey, err = keyOf(owner, d.references, "references"); err != nil {
			return nil, err
		}
		fkName := d.foreignKey
		if fkName == "" && back != nil {
			fkName = back.foreignKey
			if fkName == "" {
				fkName = lastSegment(back.field) + lastSegment(r.ownerKey.name)
			}
		}
		if fkName != "" {
			if r.targetKey, err = findField(target, fkName, "foreign_key"); err != nil {
				return nil, err
			}
			break
		}
		conv := owner.typ.Name() + lastSegment(r.ownerKey.name)
		if f := target.byName[conv]; f != nil {
			r.targetKey = f
			break
		}
		// The belongs_to fields of the target pointing back to owner.
		var cands []string
		for _, bd := range target.relations {
			if bd.kind == belongsTo && bd.elem == owner.typ {
				n := bd.foreignKey
				if n == "" {
					n = lastSegment(bd.field) + lastSegment(r.ownerKey.name)
				}
				if !slices.Contains(cands, n) {
					cands = append(cands, n)
				}
			}
		}
		switch len(cands) {
		case 0:
			return nil, relError(owner, d, "", "no foreign key found: %s has no field %s; name it with foreign_key:<Field>", target.typ, conv)
		case 1:
			if r.targetKey, err = findField(target, cands[0], "foreign_key"); err != nil {
				return nil, err
			}
		default:
			return nil, relError(owner, d, "", "ambiguous foreign key: %s refers to %s through %s; choose one with foreign_key:<Field>", target.typ, owner.typ, strings.Join(cands, " and "))
		}
	case belongsTo:
		if r.targetKey, err = keyOf(target, d.references, "references"); err != nil {
			return nil, err
		}
		fkName := d.foreignKey
		if fkName == "" {
			fkName = lastSegment(d.field) + lastSegment(r.targetKey.name)
			if owner.byName[fkName] == nil {
				return nil, relError(owner, d, "", "no foreign key found: %s has no field %s; name it with foreign_key:<Field>", owner.typ, fkName)
			}
		}
		if r.ownerKey, err = findField(owner, fkName, "foreign_key"); err != nil {
			return nil, err
		}
	case manyToMany:
		if r.ownerKey, err = keyOf(owner, d.foreignKey, "foreign_key"); err != nil {
			return nil, err
		}
		if r.targetKey, err = keyOf(target, d.references, "references"); err != nil {
			return nil, err
		}
		if r.join, err = db.resolveJoin(r, lookup); err != nil {
			return nil, err
		}
	}
	if !compatibleKeyTypes(r.ownerKey.col.Type, r.targetKey.col.Type) {
		return nil, relError(owner, d, "", "type mismatch: %s.%s (%s) and %s.%s (%s) cannot be joined",
			owner.typ, r.ownerKey.name, r.ownerKey.col.Type, target.typ, r.targetKey.name, r.targetKey.col.Type)
	}
	if d.onDelete == schema.SetNull {
		fk := r.targetKey // has_*: the child's column
		if d.kind == belongsTo {
			fk = r.ownerKey
		}
		if d.kind != manyToMany && !fk.col.Nullable {
			return nil, relError(owner, d, "on_delete:set null", "ON DELETE SET NULL needs a nullable foreign key; %s is NOT NULL (use a pointer type)", fk.name)
		}
	}
	return r, nil
}

// resolveJoin works out the join table of a many-to-many relation: an
// explicit association model when one is mapped to the table, otherwise
// an implicit table with a column for each side.
func (db *DB) resolveJoin(r *relation, lookup func(string) *model) (*joinSpec, error) {
	d, owner, target := r.decl, r.owner, r.target
	j := &joinSpec{table: d.joinTable}
	naming := db.mapper.naming
	ownerCol := naming.ColumnName(owner.typ.Name() + lastSegment(r.ownerKey.name))
	targetCol := naming.ColumnName(target.typ.Name() + lastSegment(r.targetKey.name))
	if jm := lookup(d.joinTable); jm != nil && jm != owner && jm != target {
		j.model = jm
		// pick finds the association model's field for one side.
		pick := func(explicit, def string, side *model, tag string) (*field, error) {
			if explicit != "" {
				f := jm.lookup(explicit)
				if f == nil {
					return nil, relError(owner, d, tag+":"+explicit, "association model %s has no field or column %q", jm.typ, explicit)
				}
				return f, nil
			}
			if f := jm.byCol[def]; f != nil {
				return f, nil
			}
			var cands []*field
			for _, fk := range jm.table.ForeignKeys {
				if fk.RefTable == side.table.Name && len(fk.Columns) == 1 {
					cands = append(cands, jm.byCol[fk.Columns[0]])
				}
			}
			if len(cands) == 1 {
				return cands[0], nil
			}
			return nil, relError(owner, d, "", "association model %s: cannot tell which column refers to %s (no column %s, %d foreign keys to %s); set %s:<Field>",
				jm.typ, side.typ, def, len(cands), side.table.Name, tag)
		}
		var err error
		if j.ownerField, err = pick(d.joinForeignKey, ownerCol, owner, "join_foreign_key"); err != nil {
			return nil, err
		}
		if j.targetField, err = pick(d.joinReferences, targetCol, target, "join_references"); err != nil {
			return nil, err
		}
		if j.ownerField == j.targetField {
			return nil, relError(owner, d, "join_references", "association model %s: both sides use column %s; set join_foreign_key and join_references", jm.typ, j.ownerField.col.Name)
		}
		for _, p := range []struct {
			f   *field
			key *field
			m   *model
		}{{j.ownerField, r.ownerKey, owner}, {j.targetField, r.targetKey, target}} {
			if !compatibleKeyTypes(p.f.col.Type, p.key.col.Type) {
				return nil, relError(owner, d, "", "type mismatch: association model %s.%s (%s) cannot hold %s.%s (%s)",
					jm.typ, p.f.name, p.f.col.Type, p.m.typ, p.key.name, p.key.col.Type)
			}
		}
		j.ownerCol, j.targetCol = j.ownerField.col.Name, j.targetField.col.Name
		return j, nil
	}
	if jm := lookup(d.joinTable); jm != nil {
		return nil, relError(owner, d, "many_to_many:"+d.joinTable, "the join table %q is the table of %s itself", d.joinTable, jm.typ)
	}
	if d.joinForeignKey != "" {
		ownerCol = d.joinForeignKey
	}
	if d.joinReferences != "" {
		targetCol = d.joinReferences
	}
	if ownerCol == targetCol {
		return nil, relError(owner, d, "many_to_many:"+d.joinTable, "both columns of join table %s would be %q; name them with join_foreign_key:<column> and join_references:<column>", d.joinTable, ownerCol)
	}
	j.ownerCol, j.targetCol = ownerCol, targetCol
	return j, nil
}

// checkBack verifies that r and its back_populates side describe the same
// keys.
func (db *DB) checkBack(r *relation) error {
	if r.decl.backPopulates == "" {
		return nil
	}
	b, err := db.relation(r.target, r.decl.backPopulates)
	if err != nil {
		return relError(r.owner, r.decl, "back_populates:"+r.decl.backPopulates, "%v", err)
	}
	var same bool
	switch r.kind {
	case manyToMany:
		same = b.join.table == r.join.table && b.join.ownerCol == r.join.targetCol && b.join.targetCol == r.join.ownerCol
	default:
		same = b.ownerKey == r.targetKey && b.targetKey == r.ownerKey
	}
	if !same {
		return relError(r.owner, r.decl, "back_populates:"+r.decl.backPopulates, "%s.%s and %s.%s join on different keys (%s = %s, but %s = %s); name them with foreign_key/references",
			r.owner.typ, r.decl.field, r.target.typ, b.decl.field, r.ownerKey.name, r.targetKey.name, b.targetKey.name, b.ownerKey.name)
	}
	return nil
}

// backOf returns the relation on the other side: the one named by r's
// back_populates, or the one whose back_populates names r (declaring it on
// one side is enough, like SQLAlchemy's backref). It returns nil when
// there is none.
func (db *DB) backOf(r *relation) *relation {
	name := r.decl.backPopulates
	if name == "" {
		for _, d := range r.target.relations {
			if d.backPopulates == r.name && d.elem == r.owner.typ {
				name = d.field
			}
		}
	}
	if name == "" {
		return nil
	}
	b, err := db.relation(r.target, name)
	if err != nil {
		return nil
	}
	return b
}

// resolveRelations resolves the relationships of the models in owners
// (by table name) and completes md: the foreign key constraints the
// relations imply (with their on_delete/on_update actions) and the
// implicit join tables of many-to-many relations.
func (db *DB) resolveRelations(owners map[string]*model, md *schema.MetaData) error {
	lookup := func(name string) *model {
		if m := owners[name]; m != nil {
			return m
		}
		return db.modelByTable(name)
	}
	// md.Tables keeps the models' order: resolve in it for stable output.
	var tables []*schema.Table
	tables = append(tables, md.Tables...)
	implicit := map[string]*relation{}
	for _, t := range tables {
		m := owners[t.Name]
		if m == nil {
			continue
		}
		for _, d := range m.relations {
			r, err := db.resolveRelation(m, d, lookup)
			if err != nil {
				return err
			}
			d.resolved.Store(r)
		}
	}
	for _, t := range tables {
		m := owners[t.Name]
		if m == nil {
			continue
		}
		for _, d := range m.relations {
			r := d.resolved.Load()
			if err := db.checkBack(r); err != nil {
				return err
			}
			switch r.kind {
			case hasOne, hasMany:
				if err := addRelationFK(md, r, r.target, r.targetKey, r.owner, r.ownerKey); err != nil {
					return err
				}
			case belongsTo:
				if err := addRelationFK(md, r, r.owner, r.ownerKey, r.target, r.targetKey); err != nil {
					return err
				}
			case manyToMany:
				if r.join.model != nil {
					continue
				}
				if prev, ok := implicit[r.join.table]; ok {
					same := prev.owner == r.target && prev.target == r.owner && prev.join.ownerCol == r.join.targetCol && prev.join.targetCol == r.join.ownerCol ||
						prev.owner == r.owner && prev.target == r.target && prev.join.ownerCol == r.join.ownerCol && prev.join.targetCol == r.join.targetCol
					if !same {
						return relError(m, d, "many_to_many:"+r.join.table, "join table %s is also declared by %s.%s with other models or columns", r.join.table, prev.owner.typ, prev.decl.field)
					}
					continue
				}
				if md.Table(r.join.table) != nil {
					return relError(m, d, "many_to_many:"+r.join.table, "join table %s is already the table of a model; register the association model so that it is used", r.join.table)
				}
				implicit[r.join.table] = r
				md.Tables = append(md.Tables, joinTableSchema(md, r))
			}
		}
	}
	return nil
}

// joinTableSchema builds the implicit join table of r: one column per
// side, a composite primary key, a foreign key to each side that cascades
// deletes, and an index on the second column.
func joinTableSchema(md *schema.MetaData, r *relation) *schema.Table {
	j := r.join
	col := func(name string, key *field) *schema.Column {
		typ := key.col.Type
		return &schema.Column{Name: name, Type: typ}
	}
	t := &schema.Table{
		Name:       j.table,
		Columns:    []*schema.Column{col(j.ownerCol, r.ownerKey), col(j.targetCol, r.targetKey)},
		PrimaryKey: &schema.PrimaryKey{Name: constraintName("pk", j.table), Columns: []string{j.ownerCol, j.targetCol}},
		Indexes:    []*schema.Index{{Name: constraintName("ix", j.table, j.targetCol), Columns: []schema.IndexColumn{{Name: j.targetCol}}}},
	}
	onDelete := r.decl.onDelete
	if onDelete == "" {
		onDelete = schema.Cascade
	}
	for _, s := range []struct {
		col string
		m   *model
		key *field
	}{{j.ownerCol, r.owner, r.ownerKey}, {j.targetCol, r.target, r.targetKey}} {
		if r.decl.noConstraint || md.Table(s.m.table.Name) == nil {
			continue
		}
		t.ForeignKeys = append(t.ForeignKeys, &schema.ForeignKey{
			Name: constraintName("fk", j.table, s.col, s.m.table.Name), Columns: []string{s.col},
			RefTable: s.m.table.Name, RefColumns: []string{s.key.col.Name},
			OnDelete: onDelete, OnUpdate: r.decl.onUpdate,
		})
	}
	return t
}

// addRelationFK adds to md the foreign key a relation implies — child's
// column fk referencing parent's column ref — unless a foreign key on that
// column exists already (from an fk: tag or the other side of the
// relation), in which case the relation's actions are merged into it.
func addRelationFK(md *schema.MetaData, r *relation, child *model, fk *field, parent *model, ref *field) error {
	ct, pt := md.Table(child.table.Name), md.Table(parent.table.Name)
	if ct == nil || pt == nil {
		return nil
	}
	d := r.decl
	for _, x := range ct.ForeignKeys {
		if len(x.Columns) != 1 || x.Columns[0] != fk.col.Name {
			continue
		}
		if x.RefTable != parent.table.Name || x.RefColumns[0] != ref.col.Name {
			return relError(r.owner, d, "", "foreign key %s.%s references %s.%s, but the relation joins it to %s.%s",
				child.table.Name, fk.col.Name, x.RefTable, x.RefColumns[0], parent.table.Name, ref.col.Name)
		}
		for _, p := range []struct {
			have *string
			want string
			tag  string
		}{{&x.OnDelete, d.onDelete, "on_delete"}, {&x.OnUpdate, d.onUpdate, "on_update"}} {
			switch {
			case p.want == "":
			case *p.have == "":
				*p.have = p.want
			case *p.have != p.want:
				return relError(r.owner, d, p.tag+":"+p.want, "foreign key %s is declared %s %s elsewhere", x.Name, strings.ToUpper(strings.ReplaceAll(p.tag, "_", " ")), *p.have)
			}
		}
		return nil
	}
	if d.noConstraint {
		return nil
	}
	if back := backDecl(r); back != nil && back.noConstraint {
		return nil
	}
	ct.ForeignKeys = append(ct.ForeignKeys, &schema.ForeignKey{
		Name: constraintName("fk", ct.Name, fk.col.Name, pt.Name), Columns: []string{fk.col.Name},
		RefTable: pt.Name, RefColumns: []string{ref.col.Name},
		OnDelete: d.onDelete, OnUpdate: d.onUpdate,
	})
	return nil
}

// backDecl returns the declaration named by r's back_populates, or nil.
func backDecl(r *relation) *relationDecl {
	if r.decl.backPopulates == "" {
		return nil
	}
	return r.target.relationByName(r.decl.backPopulates)
}
