package orm

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// Tabler is implemented by models that choose their own table name.
type Tabler interface {
	TableName() string
}

// TableConfigurer is implemented by models that adjust their table after
// the tags are read: composite foreign keys, checks, comments, per-dialect
// options — the equivalent of SQLAlchemy's __table_args__. ConfigureTable
// is called once per model and DB; the result is validated like tags are.
type TableConfigurer interface {
	ConfigureTable(t *schema.Table)
}

// Enumer is implemented by string types whose values form a fixed set. A
// field of such a type becomes an enum column (a native ENUM on PostgreSQL
// and MySQL, a CHECK on SQLite).
type Enumer interface {
	EnumValues() []string
}

// model is the cached mapping of one struct type to one table.
type model struct {
	typ     reflect.Type // the struct type
	table   *schema.Table
	fields  []*field // mapped columns, in table order
	byCol   map[string]*field
	byName  map[string]*field // by Go field name and by path ("Model.ID")
	pk      []*field
	autoInc *field // the generated key, if any
	// softDelete is the DeletedAt field of a mixins.SoftDelete, if any.
	softDelete *field
	relations  []*relationDecl
	hooks      hookMask // the hook interfaces *typ implements (hooks.go)
	sqlCache   sync.Map // statement shape → SQL text (see cachedSQL)
	plans      sync.Map // column list → *scanPlan
	hot        modelHot // per-operation caches of the common shapes (crud.go)
}

// field is one mapped column.
type field struct {
	name   string // Go path, e.g. "Name" or "Model.ID"
	index  []int
	typ    reflect.Type // the field's Go type
	col    *schema.Column
	json   bool // stored as a JSON document
	isTime bool // time.Time or *time.Time: normalised to UTC, microseconds
	// nullTime marks sql.NullTime and sql.Null[time.Time]: normalised
	// like isTime.
	nullTime bool
	// date marks an isTime or nullTime field in a date column: it binds
	// the calendar date of the value in its own zone (as midnight UTC),
	// and reads back as midnight UTC.
	date bool
	// uuid marks a [16]byte UUID type (or a pointer to one) without its
	// own Valuer: bound as the canonical 36-character text, scanned from
	// text or 16 bytes.
	uuid bool
	// decimalText marks a string field in a decimal column: a database
	// that returns the number as a float (SQLite) has it formatted with
	// the column's scale.
	decimalText bool
	ptr         bool // typ is a pointer
	nullish     bool // a value type in a nullable column: NULL reads as zero
	// insertDefault and onUpdate are the client-side callables
	// (SQLAlchemy's default= and onupdate=).
	insertDefault DefaultFunc
	onUpdate      DefaultFunc
	// insertDefaultName and onUpdateName are the functions' registered
	// names (one call per name and row, see defaultMemo).
	insertDefaultName string
	onUpdateName      string
	// argKind, when set, is the predeclared type of a plain field, bound
	// without going through reflect.Value.Interface (see field.arg).
	argKind reflect.Kind
	// direct marks a field at a fixed offset from the start of its
	// model's struct (no embedded pointer on the way): scanned and bound
	// through a pointer computed from offset, with ptrType the type word
	// of *typ in an interface (see fieldPtr).
	direct  bool
	offset  uintptr
	ptrType unsafe.Pointer

	// check holds the value checks of the field's bind values (see
	// valueChecks), and checkName names it in their errors.
	check     uint8
	checkName string
}

// DefaultFunc computes a client-side column value at INSERT (default_fn)
// or UPDATE (onupdate_fn). The result is assigned to the field, converted
// to the field's type where Go allows it.
type DefaultFunc func() any

var defaultFuncs = struct {
	sync.RWMutex
	m map[string]DefaultFunc
}{m: map[string]DefaultFunc{
	"now":  func() any { return Now() },
	"uuid": func() any { return NewUUID() },
}}

// RegisterDefaultFunc makes fn available to the default_fn and onupdate_fn
// tags under name. The built-ins are "now" (Now) and "uuid" (NewUUID).
// It is safe for concurrent use; registering a name again replaces it.
func RegisterDefaultFunc(name string, fn DefaultFunc) {
	defaultFuncs.Lock()
	defaultFuncs.m[name] = fn
	defaultFuncs.Unlock()
}

func lookupDefaultFunc(name string) (DefaultFunc, bool) {
	defaultFuncs.RLock()
	defer defaultFuncs.RUnlock()
	fn, ok := defaultFuncs.m[name]
	return fn, ok
}

// Now returns the current time in UTC, truncated to microseconds: the
// precision all three databases keep, so a value written is the value read.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// ModelError reports a model that cannot be mapped. It names the struct,
// the field and the tag at fault, and matches ErrInvalidModel.
type ModelError struct {
	Struct string // Go type name
	Field  string // Go field path, empty for the whole model
	Tag    string // the offending tag option, if any
	Err    error
}

// Error implements error.
func (e *ModelError) Error() string {
	var b strings.Builder
	b.WriteString("orm: model ")
	b.WriteString(e.Struct)
	if e.Field != "" {
		b.WriteString(": field ")
		b.WriteString(e.Field)
	}
	if e.Tag != "" {
		if strings.Contains(e.Tag, `"`) && !strings.Contains(e.Tag, "`") {
			fmt.Fprintf(&b, ": tag `%s`", e.Tag)
		} else {
			fmt.Fprintf(&b, ": tag %q", e.Tag)
		}
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ModelError) Unwrap() error { return e.Err }

// Is makes every ModelError match ErrInvalidModel.
func (e *ModelError) Is(target error) bool { return target == ErrInvalidModel }

var (
	typeTime       = reflect.TypeFor[time.Time]()
	typeBytes      = reflect.TypeFor[[]byte]()
	typeRawJSON    = reflect.TypeFor[json.RawMessage]()
	typeScanner    = reflect.TypeFor[sql.Scanner]()
	typeValuer     = reflect.TypeFor[driver.Valuer]()
	typeEnumer     = reflect.TypeFor[Enumer]()
	typeTabler     = reflect.TypeFor[Tabler]()
	typeConfigurer = reflect.TypeFor[TableConfigurer]()
)

// relationKeys are the tag keys that declare a relationship, not a column.
var relationKeys = map[string]bool{"has_one": true, "has_many": true, "belongs_to": true, "many_to_many": true}

// columnKeys are the tag keys valid on a column.
var columnKeys = map[string]bool{
	"pk": true, "primary_key": true, "autoincrement": true, "size": true, "type": true,
	"precision": true, "scale": true, "null": true, "not null": true, "notnull": true,
	"unique": true, "index": true, "unique_index": true, "default": true,
	"default_fn": true, "onupdate_fn": true, "fk": true, "fk_name": true,
	"on_delete": true, "on_update": true, "check": true, "comment": true,
	"json": true, "enum": true, "renamed_from": true, "embedded": true, "prefix": true,
	"column": true, "unsigned": true, "soft_delete": true,
	"sqlite_type": true, "postgres_type": true, "mysql_type": true,
	// relationship options, valid only with a relationship key
	"foreign_key": true, "references": true, "back_populates": true,
	"join_foreign_key": true, "join_references": true, "polymorphic": true,
}

// mapper builds models; one per DB, so that the naming strategy is the
// DB's own.
type mapper struct {
	naming NamingStrategy
	cache  sync.Map // reflect.Type → *model (or error)
	anon   sync.Map // anonymous struct type → *model (or error), for scanning

	// features are the database's: they decide which values a column
	// cannot store (see valueChecks).
	features dialects.Feature
}

type mapResult struct {
	m   *model
	err error
}

// modelOf returns the model of t (a struct type, or a pointer, slice or
// array whose element leads to one), building and caching it on first use.
func (mp *mapper) modelOf(t reflect.Type) (*model, error) {
	t = structType(t)
	if t == nil {
		return nil, fmt.Errorf("%w: not a struct type", ErrInvalidModel)
	}
	if r, ok := mp.cache.Load(t); ok {
		res := r.(*mapResult)
		return res.m, res.err
	}
	m, err := mp.build(t, false)
	r, _ := mp.cache.LoadOrStore(t, &mapResult{m, err})
	res := r.(*mapResult)
	return res.m, res.err
}

// scanModelOf is modelOf for a struct type results are only scanned into
// (raw Select): an anonymous struct type, which names no table, is
// accepted there, as sqlx and GORM accept it.
func (mp *mapper) scanModelOf(t reflect.Type) (*model, error) {
	if t.Kind() != reflect.Struct || t.Name() != "" {
		return mp.modelOf(t)
	}
	if r, ok := mp.anon.Load(t); ok {
		res := r.(*mapResult)
		return res.m, res.err
	}
	m, err := mp.build(t, true)
	r, _ := mp.anon.LoadOrStore(t, &mapResult{m, err})
	res := r.(*mapResult)
	return res.m, res.err
}

// structType unwraps pointers, slices and arrays down to a struct type, or
// returns nil.
func structType(t reflect.Type) reflect.Type {
	for t != nil {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array:
			t = t.Elem()
		case reflect.Struct:
			return t
		default:
			return nil
		}
	}
	return nil
}

// builder holds the state of mapping one struct type.
type builder struct {
	mp      *mapper
	m       *model
	sname   string
	uniques map[string]*schema.Unique
	indexes map[string]*indexBuild
	fks     map[string]*schema.ForeignKey
	pkName  string
	noAuto  map[*field]bool // fields tagged autoincrement:false
	order   []string        // names of constraint groups in first-seen order
}

type indexBuild struct {
	ix    *schema.Index
	prios []int
}

func (b *builder) errf(fieldName, tag string, format string, args ...any) error {
	return &ModelError{Struct: b.sname, Field: fieldName, Tag: tag, Err: fmt.Errorf(format, args...)}
}

// build maps struct type t; scanOnly accepts an anonymous struct (see
// scanModelOf).
func (mp *mapper) build(t reflect.Type, scanOnly bool) (*model, error) {
	b := &builder{
		mp:      mp,
		sname:   t.String(),
		uniques: map[string]*schema.Unique{},
		indexes: map[string]*indexBuild{},
		fks:     map[string]*schema.ForeignKey{},
		noAuto:  map[*field]bool{},
	}
	b.m = &model{typ: t, byCol: map[string]*field{}, byName: map[string]*field{}}
	tbl := &schema.Table{Name: mp.naming.TableName(t.Name())}
	if t.Implements(typeTabler) || reflect.PointerTo(t).Implements(typeTabler) {
		tbl.Name = reflect.New(t).Interface().(Tabler).TableName()
	}
	if tbl.Name == "" && scanOnly {
		tbl.Name = "anonymous"
	}
	if tbl.Name == "" {
		return nil, b.errf("", "", "empty table name")
	}
	b.m.table = tbl
	if err := b.walk(t, nil, "", ""); err != nil {
		return nil, err
	}
	if err := b.finish(); err != nil {
		return nil, err
	}
	if reflect.PointerTo(t).Implements(typeConfigurer) {
		reflect.New(t).Interface().(TableConfigurer).ConfigureTable(tbl)
		if err := b.validateTable(); err != nil {
			return nil, err
		}
	}
	b.m.prepareHot(b.mp.features)
	return b.m, nil
}

// prepareHot computes what the CRUD hot paths use on every call: the
// operation names of error messages, the autoincrement field's position,
// the scan plan of a full row and the fields' bind kinds.
func (m *model) prepareHot(features dialects.Feature) {
	h := &m.hot
	name := m.table.Name
	h.opInsert, h.opUpdate, h.opGet, h.opDelete, h.opQuery = "insert "+name, "update "+name, "get "+name, "delete "+name, "query "+name
	m.hooks = hooksOf(m.typ)
	h.autoIncIdx = -1
	if m.autoInc != nil {
		h.autoIncIdx = m.fieldIndex(m.autoInc)
	}
	h.omitBit = make([]int8, len(m.fields))
	for i, f := range m.fields {
		h.omitBit[i] = -1
		if (f == m.autoInc || f.col.Default != nil) && len(h.omittable) < 64 {
			h.omitBit[i] = int8(len(h.omittable))
			h.omittable = append(h.omittable, i)
		}
	}
	h.fullPlan = &scanPlan{fields: slices.Clone(m.fields), wrap: make([]bool, len(m.fields))}
	for i, f := range m.fields {
		h.fullPlan.wrap[i] = f.converts()
		f.argKind = plainArgKind(f)
		if f.check = valueChecks(f, features); f.check != 0 {
			f.checkName = fmt.Sprintf("%s.%s (column %s.%s, %s)", m.typ, f.name, name, f.col.Name, f.col.Type)
		}
		f.direct, f.offset = fieldOffset(m.typ, f.index)
		if f.direct {
			f.ptrType = efaceType(reflect.New(f.typ).Interface())
		}
		h.hasInsertDefaults = h.hasInsertDefaults || f.insertDefault != nil
	}
}

// fieldOffset returns the offset of the field at index in struct type t,
// and false when an embedded pointer lies on the way.
func fieldOffset(t reflect.Type, index []int) (bool, uintptr) {
	var off uintptr
	for _, x := range index {
		if t.Kind() != reflect.Struct {
			return false, 0
		}
		sf := t.Field(x)
		off += sf.Offset
		t = sf.Type
	}
	return true, off
}

// plainArgKind returns the kind of a field whose Go type is a predeclared
// string, integer, float or bool type, bound as it is; 0 for the others.
func plainArgKind(f *field) reflect.Kind {
	if f.json || f.isTime || f.nullTime || f.uuid || f.ptr || f.typ.PkgPath() != "" || f.typ.Name() == "" {
		return 0
	}
	switch k := f.typ.Kind(); k {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64:
		return k
	}
	return 0
}

// walk maps the fields of struct type t, reached through index, with
// column-name prefix and Go path prefix.
func (b *builder) walk(t reflect.Type, index []int, prefix, path string) error {
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		idx := append(slices.Clip(index), i)
		name := path + sf.Name
		if sf.Name == "_" {
			if err := b.tableOptions(sf); err != nil {
				return err
			}
			continue
		}
		tag, hasTag := sf.Tag.Lookup("orm")
		dbTag := sf.Tag.Get("db")
		if tag == "-" || dbTag == "-" {
			continue
		}
		opts, err := parseTag(tag)
		if err != nil {
			return b.errf(name, tag, "%v", err)
		}
		get := func(key string) (tagOption, bool) {
			for _, o := range opts {
				if o.Key == key {
					return o, true
				}
			}
			return tagOption{}, false
		}
		ft := sf.Type
		base := ft
		if base.Kind() == reflect.Pointer {
			base = base.Elem()
		}
		_, embedded := get("embedded")
		isRel := false
		for _, o := range opts {
			if relationKeys[o.Key] {
				isRel = true
			}
		}
		if isRel {
			if !sf.IsExported() {
				return b.errf(name, tag, "relationship fields must be exported")
			}
			rel, err := parseRelation(b, sf, name, idx, opts)
			if err != nil {
				return err
			}
			b.m.relations = append(b.m.relations, rel)
			continue
		}
		if !sf.IsExported() && !sf.Anonymous {
			if hasTag {
				return b.errf(name, tag, "field is unexported: the orm tag has no effect")
			}
			continue
		}
		// Embedded structs (anonymous, or tagged embedded) are flattened.
		if base.Kind() == reflect.Struct && (sf.Anonymous || embedded) && !isValueType(base) {
			if !sf.IsExported() && !sf.Anonymous {
				continue
			}
			p := prefix
			if o, ok := get("prefix"); ok {
				p += o.Value
			}
			for _, o := range opts {
				if o.Key != "embedded" && o.Key != "prefix" {
					return b.errf(name, tag, "option %q is not valid on an embedded struct (only embedded, prefix)", o.Key)
				}
			}
			if err := b.walk(base, idx, p, name+"."); err != nil {
				return err
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if embedded {
			return b.errf(name, tag, "embedded needs a struct field, not %s", ft)
		}
		if err := b.column(sf, name, idx, prefix, dbTag, tag, opts); err != nil {
			return err
		}
	}
	return nil
}

// isValueType reports whether a struct type is stored as one column
// (time.Time, sql.Null*, Scanner/Valuer types) rather than flattened.
func isValueType(t reflect.Type) bool {
	if t == typeTime {
		return true
	}
	return reflect.PointerTo(t).Implements(typeScanner) || t.Implements(typeValuer)
}

var checkNamed = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*):([^:].*)$`)

// column maps one field to a column.
func (b *builder) column(sf reflect.StructField, name string, idx []int, prefix, dbTag, tag string, opts []tagOption) error {
	f := &field{name: name, index: idx, typ: sf.Type, ptr: sf.Type.Kind() == reflect.Pointer}
	colName, _, _ := strings.Cut(dbTag, ",")
	if colName == "" {
		colName = b.mp.naming.ColumnName(sf.Name)
	}
	col := &schema.Column{Name: prefix + colName}
	f.col = col
	tbl := b.m.table

	// First pass: options that decide the type.
	var typeOpt, sizeOpt, enumOpt, precOpt, scaleOpt string
	var jsonOpt bool
	for _, o := range opts {
		if !columnKeys[o.Key] {
			return b.errf(name, o.Key, "unknown option %q (see the tag reference in README.md)", o.Key)
		}
		switch o.Key {
		case "type":
			typeOpt = o.Value
		case "size":
			sizeOpt = o.Value
		case "enum":
			enumOpt = o.Value
		case "json":
			jsonOpt = true
		case "precision":
			precOpt = o.Value
		case "scale":
			scaleOpt = o.Value
		case "column":
			if o.Value == "" {
				return b.errf(name, "column", "column needs a name")
			}
			col.Name = prefix + o.Value
		case "foreign_key", "references", "back_populates", "join_foreign_key", "join_references", "polymorphic":
			return b.errf(name, o.Key, "%s is only valid with has_one, has_many, belongs_to or many_to_many", o.Key)
		}
	}
	typ, nullable, err := goColumnType(sf.Type)
	if jsonOpt {
		typ, err = schema.Type{Kind: schema.JSON}, nil
		f.json = !sf.Type.Implements(typeValuer) && !reflect.PointerTo(sf.Type).Implements(typeScanner)
		nullable = sf.Type.Kind() == reflect.Pointer || sf.Type.Kind() == reflect.Map || sf.Type.Kind() == reflect.Slice
	}
	if typeOpt != "" {
		t, perr := parseSQLType(typeOpt)
		if perr != nil {
			return b.errf(name, "type:"+typeOpt, "%v", perr)
		}
		typ, err = t, nil
		if t.Kind == schema.JSON && !jsonOpt {
			k := derefType(sf.Type).Kind()
			if k == reflect.Map || k == reflect.Slice && sf.Type != typeBytes || k == reflect.Struct && !isValueType(derefType(sf.Type)) {
				f.json = true
			}
		}
	}
	if err != nil {
		return b.errf(name, "", "%v; add orm:\"type:...\" to choose the column type, orm:\"json\" to store it as JSON, or orm:\"-\" to skip it", err)
	}
	if sizeOpt != "" {
		n, err := strconv.Atoi(sizeOpt)
		if err != nil || n <= 0 {
			return b.errf(name, "size:"+sizeOpt, "size must be a positive integer")
		}
		switch typ.Kind {
		case schema.String, schema.Binary, schema.Enum:
			typ.Size = n
		case schema.Text:
			typ.Kind, typ.Size = schema.String, n
		case schema.DateTime:
			typ.Precision = n
		default:
			return b.errf(name, "size:"+sizeOpt, "size applies to string, []byte and enum columns, not %s", typ)
		}
	}
	if precOpt != "" || scaleOpt != "" {
		p, err1 := strconv.Atoi(precOpt)
		s, err2 := 0, error(nil)
		if scaleOpt != "" {
			s, err2 = strconv.Atoi(scaleOpt)
		}
		if err1 != nil || err2 != nil || p <= 0 || s < 0 || s > p {
			tag := "precision:" + precOpt
			if scaleOpt != "" {
				tag += ";scale:" + scaleOpt
			}
			return b.errf(name, tag, "precision must be a positive integer and scale between 0 and precision")
		}
		switch typ.Kind {
		case schema.Decimal, schema.Double, schema.Float:
			typ.Kind, typ.Precision, typ.Scale = schema.Decimal, p, s
		case schema.DateTime:
			if p > 6 {
				return b.errf(name, "precision:"+precOpt, "datetime precision is at most 6 (microseconds)")
			}
			typ.Precision = p
		default:
			return b.errf(name, "precision:"+precOpt, "precision applies to decimal and datetime columns, not %s", typ)
		}
	}
	if enumOpt != "" {
		vals := splitList(enumOpt)
		for i, v := range vals {
			vals[i] = strings.Trim(v, "'")
			if vals[i] == "" {
				return b.errf(name, "enum:"+enumOpt, "empty enum value")
			}
		}
		typ = schema.Type{Kind: schema.Enum, Values: vals, Size: typ.Size}
	} else if reflect.PointerTo(derefType(sf.Type)).Implements(typeEnumer) && typeOpt == "" {
		vals := reflect.New(derefType(sf.Type)).Interface().(Enumer).EnumValues()
		typ = schema.Type{Kind: schema.Enum, Values: slices.Clone(vals)}
	}
	if typ.Kind == schema.Enum {
		if k := derefType(sf.Type).Kind(); k != reflect.String {
			return b.errf(name, "enum", "enum columns need a string field, not %s", sf.Type)
		}
		if len(typ.Values) == 0 {
			return b.errf(name, "enum", "enum needs at least one value")
		}
	}
	if typ.Kind == schema.DateTime && typ.Precision == 0 {
		typ.Precision = 6
	}
	col.Type = typ
	col.Nullable = nullable
	base := derefType(sf.Type)
	f.isTime = base == typeTime
	f.nullTime = nullableGoType(base) && base.NumField() == 2 && base.Field(0).Type == typeTime
	f.date = (f.isTime || f.nullTime) && typ.Kind == schema.Date
	custom := base.Implements(typeValuer) || reflect.PointerTo(base).Implements(typeScanner)
	f.uuid = typ.Kind == schema.UUID && isUUIDArray(base) && !custom
	f.decimalText = typ.Kind == schema.Decimal && base.Kind() == reflect.String && !custom
	if f.json && typ.Kind != schema.JSON {
		return b.errf(name, "json", "json cannot be combined with type %s", typ)
	}

	// Second pass: everything else.
	var fkTarget, fkName string
	var onDelete, onUpdate string
	for _, o := range opts {
		switch o.Key {
		case "pk", "primary_key":
			if o.Value != "" {
				if b.pkName != "" && b.pkName != o.Value {
					return b.errf(name, "pk:"+o.Value, "primary key named %q here but %q on another field", o.Value, b.pkName)
				}
				b.pkName = o.Value
			}
			b.m.pk = append(b.m.pk, f)
		case "autoincrement":
			v, err := boolOpt(o)
			if err != nil {
				return b.errf(name, "autoincrement:"+o.Value, "%v", err)
			}
			col.AutoIncrement = v
			if !v {
				b.noAuto[f] = true
			}
		case "null":
			col.Nullable = true
		case "not null", "notnull":
			col.Nullable = false
		case "unsigned":
			col.Type.Unsigned = true
		case "unique":
			un := o.Value
			if un == "" {
				un = constraintName("uq", tbl.Name, col.Name)
			}
			u := b.uniques[un]
			if u == nil {
				u = &schema.Unique{Name: un}
				b.uniques[un] = u
				b.order = append(b.order, "u:"+un)
			}
			u.Columns = append(u.Columns, col.Name)
		case "index", "unique_index":
			if err := b.addIndex(f, o); err != nil {
				return err
			}
		case "default":
			if o.Value == "" {
				return b.errf(name, "default", "default needs an SQL expression, e.g. default:0 or default:'text'")
			}
			d := o.Value
			col.Default = &d
		case "default_fn", "onupdate_fn":
			fn, ok := lookupDefaultFunc(o.Value)
			if !ok {
				return b.errf(name, o.Key+":"+o.Value, "no default function %q is registered (built-ins: now, uuid; see RegisterDefaultFunc)", o.Value)
			}
			if o.Key == "default_fn" {
				f.insertDefault, f.insertDefaultName = fn, o.Value
			} else {
				f.onUpdate, f.onUpdateName = fn, o.Value
			}
		case "fk":
			fkTarget = o.Value
		case "fk_name":
			fkName = o.Value
		case "on_delete", "on_update":
			act, ok := parseAction(o.Value)
			if !ok {
				return b.errf(name, o.Key+":"+o.Value, "unknown referential action (want cascade, set null, set default, restrict or no action)")
			}
			if o.Key == "on_delete" {
				onDelete = act
			} else {
				onUpdate = act
			}
		case "check":
			ck := &schema.Check{Expr: o.Value}
			if m := checkNamed.FindStringSubmatch(o.Value); m != nil {
				ck.Name, ck.Expr = m[1], strings.TrimSpace(m[2])
			} else {
				ck.Name = constraintName("ck", tbl.Name, col.Name)
			}
			if ck.Expr == "" {
				return b.errf(name, "check", "check needs an SQL expression")
			}
			tbl.Checks = append(tbl.Checks, ck)
		case "comment":
			col.Comment = o.Value
		case "soft_delete":
			if !f.isTime || !f.ptr {
				return b.errf(name, "soft_delete", "soft_delete needs a *time.Time field, not %s", sf.Type)
			}
			if b.m.softDelete != nil {
				return b.errf(name, "soft_delete", "two soft_delete fields (%s and %s)", b.m.softDelete.name, name)
			}
			b.m.softDelete = f
		case "renamed_from":
			col.RenamedFrom = o.Value
		case "sqlite_type", "postgres_type", "mysql_type":
			if o.Value == "" {
				return b.errf(name, o.Key, "%s needs an SQL type", o.Key)
			}
			if col.DialectTypes == nil {
				col.DialectTypes = map[string]string{}
			}
			col.DialectTypes[strings.TrimSuffix(o.Key, "_type")] = o.Value
		}
	}
	if fkTarget == "" && (fkName != "" || onDelete != "" || onUpdate != "") {
		return b.errf(name, "fk_name", "fk_name, on_delete and on_update need fk:<table>.<column>")
	}
	if fkTarget != "" {
		rt, rc, ok := parseFKTarget(fkTarget)
		if !ok {
			return b.errf(name, "fk:"+fkTarget, "want fk:<table>.<column>")
		}
		if fkName == "" {
			fkName = constraintName("fk", tbl.Name, col.Name, rt)
		}
		fk := b.fks[fkName]
		if fk == nil {
			fk = &schema.ForeignKey{Name: fkName, RefTable: rt}
			b.fks[fkName] = fk
			b.order = append(b.order, "f:"+fkName)
		} else if fk.RefTable != rt {
			return b.errf(name, "fk:"+fkTarget, "foreign key %q references %s here but %s on another field", fkName, rt, fk.RefTable)
		}
		fk.Columns = append(fk.Columns, col.Name)
		fk.RefColumns = append(fk.RefColumns, rc)
		if onDelete != "" {
			fk.OnDelete = onDelete
		}
		if onUpdate != "" {
			fk.OnUpdate = onUpdate
		}
	}
	if f.insertDefault != nil || f.onUpdate != nil {
		if err := checkAssignable(f); err != nil {
			return b.errf(name, "default_fn", "%v", err)
		}
	}
	f.nullish = col.Nullable && !f.ptr && !nullableGoType(sf.Type)
	if _, dup := b.m.byCol[col.Name]; dup {
		dupTag := ""
		if dbTag != "" {
			dupTag = `db:"` + dbTag + `"`
		}
		return b.errf(name, dupTag, "duplicate column %q (also mapped by field %s); rename one with db:\"...\" or use prefix on the embedded struct", col.Name, b.m.byCol[col.Name].name)
	}
	b.m.byCol[col.Name] = f
	b.m.byName[name] = f
	if _, ok := b.m.byName[sf.Name]; !ok {
		b.m.byName[sf.Name] = f
	}
	b.m.fields = append(b.m.fields, f)
	tbl.Columns = append(tbl.Columns, col)
	return nil
}

func boolOpt(o tagOption) (bool, error) {
	if !o.HasValue || o.Value == "" {
		return true, nil
	}
	v, err := strconv.ParseBool(o.Value)
	if err != nil {
		return false, fmt.Errorf("want true or false")
	}
	return v, nil
}

func (b *builder) addIndex(f *field, o tagOption) error {
	parts := splitList(o.Value)
	name := parts[0]
	unique := o.Key == "unique_index"
	prio := len(b.m.fields) * 10
	desc := false
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, ":")
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "priority":
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return b.errf(f.name, o.Key+":"+o.Value, "priority must be an integer")
			}
			prio = n
		case "desc":
			desc = true
		case "asc":
		case "unique":
			unique = true
		default:
			return b.errf(f.name, o.Key+":"+o.Value, "unknown index option %q (want priority:N, desc, unique)", k)
		}
	}
	if name == "" {
		prefix := "ix"
		if unique {
			prefix = "uix"
		}
		name = constraintName(prefix, b.m.table.Name, f.col.Name)
	}
	ib := b.indexes[name]
	if ib == nil {
		ib = &indexBuild{ix: &schema.Index{Name: name}}
		b.indexes[name] = ib
		b.order = append(b.order, "i:"+name)
	}
	if unique {
		ib.ix.Unique = true
	}
	ib.ix.Columns = append(ib.ix.Columns, schema.IndexColumn{Name: f.col.Name, Desc: desc})
	ib.prios = append(ib.prios, prio)
	return nil
}

// tableOptions reads the tag of a blank field `_ struct{} orm:"..."`:
// table-level options.
func (b *builder) tableOptions(sf reflect.StructField) error {
	tag := sf.Tag.Get("orm")
	opts, err := parseTag(tag)
	if err != nil {
		return b.errf("_", tag, "%v", err)
	}
	tbl := b.m.table
	for _, o := range opts {
		switch {
		case o.Key == "comment":
			tbl.Comment = o.Value
		case o.Key == "table":
			if o.Value == "" {
				return b.errf("_", "table", "table needs a name")
			}
			tbl.Name = o.Value
		case o.Key == "renamed_from":
			tbl.RenamedFrom = o.Value
		case o.Key == "check":
			m := checkNamed.FindStringSubmatch(o.Value)
			if m == nil {
				return b.errf("_", "check:"+o.Value, "a table check needs a name: check:<name>:<expr>")
			}
			tbl.Checks = append(tbl.Checks, &schema.Check{Name: m[1], Expr: strings.TrimSpace(m[2])})
		case strings.HasPrefix(o.Key, "mysql_") || strings.HasPrefix(o.Key, "postgres_") || strings.HasPrefix(o.Key, "sqlite_"):
			if tbl.Options == nil {
				tbl.Options = map[string]string{}
			}
			tbl.Options[o.Key] = o.Value
		default:
			return b.errf("_", o.Key, "unknown table option %q (want comment, table, renamed_from, check, <dialect>_<option>)", o.Key)
		}
	}
	return nil
}

// finish assembles keys and constraints once every field is mapped.
func (b *builder) finish() error {
	m, tbl := b.m, b.m.table
	if len(m.fields) == 0 {
		return b.errf("", "", "no mapped columns (exported fields)")
	}
	if len(m.pk) == 0 {
		if f := m.byName["ID"]; f != nil {
			m.pk = []*field{f}
		}
	}
	if len(m.pk) > 0 {
		pk := &schema.PrimaryKey{Name: b.pkName}
		if pk.Name == "" {
			pk.Name = constraintName("pk", tbl.Name)
		}
		for _, f := range m.pk {
			if f.col.Nullable && f.ptr {
				return b.errf(f.name, "pk", "a primary key column cannot be nullable (%s is a pointer)", f.typ)
			}
			f.col.Nullable = false
			f.nullish = false
			switch f.col.Type.Kind {
			case schema.JSON, schema.Text, schema.Float, schema.Double, schema.Bool:
				return b.errf(f.name, "pk", "a %s column cannot be a primary key", f.col.Type)
			case schema.Binary:
				if f.col.Type.Size == 0 {
					return b.errf(f.name, "pk", "a []byte primary key needs size:N")
				}
			}
			pk.Columns = append(pk.Columns, f.col.Name)
		}
		tbl.PrimaryKey = pk
		if len(m.pk) == 1 && isIntegerKind(m.pk[0].col.Type.Kind) && !b.noAuto[m.pk[0]] && m.pk[0].col.Default == nil {
			m.pk[0].col.AutoIncrement = true
		}
	}
	for _, f := range m.fields {
		if !f.col.AutoIncrement {
			continue
		}
		if !isIntegerKind(f.col.Type.Kind) {
			return b.errf(f.name, "autoincrement", "autoincrement needs an integer column, not %s", f.col.Type)
		}
		if m.autoInc != nil {
			return b.errf(f.name, "autoincrement", "two autoincrement columns (%s and %s); a table has at most one", m.autoInc.name, f.name)
		}
		if len(m.pk) != 1 || m.pk[0] != f {
			return b.errf(f.name, "autoincrement", "autoincrement is supported on a single-column integer primary key only")
		}
		m.autoInc = f
	}
	for _, key := range b.order {
		kind, name := key[:1], key[2:]
		switch kind {
		case "u":
			tbl.Uniques = append(tbl.Uniques, b.uniques[name])
		case "i":
			ib := b.indexes[name]
			sortIndexColumns(ib)
			tbl.Indexes = append(tbl.Indexes, ib.ix)
		case "f":
			tbl.ForeignKeys = append(tbl.ForeignKeys, b.fks[name])
		}
	}
	return b.validateTable()
}

func sortIndexColumns(ib *indexBuild) {
	idx := make([]int, len(ib.prios))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, c int) bool { return ib.prios[idx[a]] < ib.prios[idx[c]] })
	cols := make([]schema.IndexColumn, len(idx))
	for i, j := range idx {
		cols[i] = ib.ix.Columns[j]
	}
	ib.ix.Columns = cols
}

// fieldOf returns the Go field path of column c, or "" when no field maps
// it (a column added by ConfigureTable).
func (b *builder) fieldOf(c string) string {
	if f := b.m.byCol[c]; f != nil {
		return f.name
	}
	return ""
}

// validateTable checks what every table must satisfy, after tags and
// after ConfigureTable.
func (b *builder) validateTable() error {
	tbl := b.m.table
	has := func(c string) bool { return tbl.Column(c) != nil }
	names := map[string]string{}
	// claim records a constraint name; field and tag locate the
	// constraint in the model for the error.
	claim := func(kind, name, field, tag string) error {
		if name == "" {
			return nil
		}
		if other, ok := names[name]; ok {
			return b.errf(field, tag, "%s name %q is already used by a %s", kind, name, other)
		}
		if len(name) > maxIdentifier {
			return b.errf(field, tag, "%s name %q is %d bytes long; the databases keep %d", kind, name, len(name), maxIdentifier)
		}
		names[name] = kind
		return nil
	}
	if len(tbl.Name) > maxIdentifier {
		return b.errf("", "", "table name %q is %d bytes long; PostgreSQL keeps %d and MySQL 64: choose a shorter name with TableName()", tbl.Name, len(tbl.Name), maxIdentifier)
	}
	seen := map[string]bool{}
	for _, c := range tbl.Columns {
		if len(c.Name) > maxIdentifier {
			return b.errf(b.fieldOf(c.Name), "", "column name %q is %d bytes long; the databases keep %d: choose a shorter one with db:\"...\"", c.Name, len(c.Name), maxIdentifier)
		}
		if seen[c.Name] {
			return b.errf("", "", "duplicate column %q", c.Name)
		}
		seen[c.Name] = true
	}
	if tbl.PrimaryKey != nil {
		for _, c := range tbl.PrimaryKey.Columns {
			if !has(c) {
				return b.errf("", "", "primary key column %q does not exist", c)
			}
		}
	}
	for _, u := range tbl.Uniques {
		if err := claim("unique constraint", u.Name, b.fieldOf(firstOf(u.Columns)), "unique:"+u.Name); err != nil {
			return err
		}
		for _, c := range u.Columns {
			if !has(c) {
				return b.errf(b.fieldOf(firstOf(u.Columns)), "unique:"+u.Name, "unique constraint column %q does not exist", c)
			}
		}
	}
	for _, ix := range tbl.Indexes {
		if err := claim("index", ix.Name, b.fieldOf(firstOf(ix.ColumnNames())), "index:"+ix.Name); err != nil {
			return err
		}
		for _, c := range ix.Columns {
			if !has(c.Name) {
				return b.errf(b.fieldOf(firstOf(ix.ColumnNames())), "index:"+ix.Name, "index column %q does not exist", c.Name)
			}
		}
	}
	for _, fk := range tbl.ForeignKeys {
		if err := claim("foreign key", fk.Name, b.fieldOf(firstOf(fk.Columns)), "fk_name:"+fk.Name); err != nil {
			return err
		}
		if len(fk.Columns) == 0 || len(fk.Columns) != len(fk.RefColumns) {
			return b.errf(b.fieldOf(firstOf(fk.Columns)), "fk:"+fk.Name, "foreign key %q has %d columns but references %d", fk.Name, len(fk.Columns), len(fk.RefColumns))
		}
		for _, c := range fk.Columns {
			if !has(c) {
				return b.errf("", "fk:"+fk.Name, "foreign key column %q does not exist", c)
			}
		}
		if fk.OnDelete == schema.SetNull {
			for _, c := range fk.Columns {
				if !tbl.Column(c).Nullable {
					return b.errf(b.fieldOf(c), "on_delete:set null", "ON DELETE SET NULL on foreign key %q needs nullable column %q (use a pointer type)", fk.Name, c)
				}
			}
		}
	}
	for _, ck := range tbl.Checks {
		if err := claim("check constraint", ck.Name, "", "check:"+ck.Name); err != nil {
			return err
		}
		if ck.Expr == "" {
			return b.errf("", "check:"+ck.Name, "check %q has no expression", ck.Name)
		}
	}
	return nil
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func isIntegerKind(k schema.Kind) bool {
	return k == schema.SmallInt || k == schema.Integer || k == schema.BigInt
}

func parseAction(s string) (string, bool) {
	switch strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(s, "_", " ")), " ")) {
	case "CASCADE":
		return schema.Cascade, true
	case "SET NULL":
		return schema.SetNull, true
	case "SET DEFAULT":
		return schema.SetDefault, true
	case "RESTRICT":
		return schema.Restrict, true
	case "NO ACTION":
		return schema.NoAction, true
	}
	return "", false
}

// parseFKTarget parses "table.column" or "table(column)".
func parseFKTarget(s string) (table, column string, ok bool) {
	if t, rest, found := strings.Cut(s, "("); found && strings.HasSuffix(rest, ")") {
		table, column = strings.TrimSpace(t), strings.TrimSpace(strings.TrimSuffix(rest, ")"))
	} else if i := strings.LastIndexByte(s, '.'); i > 0 {
		table, column = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	}
	return table, column, table != "" && column != ""
}

// isUUIDArray reports whether t is a [16]byte array type.
func isUUIDArray(t reflect.Type) bool {
	return t.Kind() == reflect.Array && t.Len() == 16 && t.Elem().Kind() == reflect.Uint8
}

func derefType(t reflect.Type) reflect.Type {
	if t.Kind() == reflect.Pointer {
		return t.Elem()
	}
	return t
}

// nullableGoType reports whether values of t can hold NULL by themselves:
// sql.Null* and sql.Null[T].
func nullableGoType(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && t.PkgPath() == "database/sql" && strings.HasPrefix(t.Name(), "Null")
}

// goColumnType infers the column type and nullability of a Go type.
func goColumnType(t reflect.Type) (schema.Type, bool, error) {
	nullable := false
	if t.Kind() == reflect.Pointer {
		nullable = true
		t = t.Elem()
	}
	if nullableGoType(t) {
		nullable = true
		t = t.Field(0).Type // the value field: String, Int64, ..., V
	}
	switch {
	case t == typeTime:
		return schema.Type{Kind: schema.DateTime, Precision: 6}, nullable, nil
	case t == typeRawJSON:
		return schema.Type{Kind: schema.JSON}, true, nil
	case t == typeBytes || t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return schema.Type{Kind: schema.Binary}, true, nil
	case isUUIDArray(t) && strings.EqualFold(t.Name(), "UUID"):
		return schema.Type{Kind: schema.UUID}, nullable, nil
	}
	switch t.Kind() {
	case reflect.Bool:
		return schema.Type{Kind: schema.Bool}, nullable, nil
	case reflect.Int8, reflect.Int16:
		return schema.Type{Kind: schema.SmallInt}, nullable, nil
	case reflect.Uint8:
		return schema.Type{Kind: schema.SmallInt, Unsigned: true}, nullable, nil
	case reflect.Int32:
		return schema.Type{Kind: schema.Integer}, nullable, nil
	case reflect.Uint16:
		return schema.Type{Kind: schema.Integer, Unsigned: true}, nullable, nil
	case reflect.Int, reflect.Int64:
		return schema.Type{Kind: schema.BigInt}, nullable, nil
	case reflect.Uint32, reflect.Uint, reflect.Uint64:
		return schema.Type{Kind: schema.BigInt, Unsigned: true}, nullable, nil
	case reflect.Float32:
		return schema.Type{Kind: schema.Float}, nullable, nil
	case reflect.Float64:
		return schema.Type{Kind: schema.Double}, nullable, nil
	case reflect.String:
		return schema.Type{Kind: schema.String, Size: 255}, nullable, nil
	}
	if reflect.PointerTo(t).Implements(typeScanner) || t.Implements(typeValuer) {
		return schema.Type{}, nullable, fmt.Errorf("cannot infer a column type for %s (a Scanner/Valuer)", t)
	}
	return schema.Type{}, nullable, fmt.Errorf("cannot map %s to a column", t)
}

var sqlTypeRe = regexp.MustCompile(`^\s*([A-Za-z][A-Za-z0-9_ ]*?)\s*(?:\(\s*([^)]*)\))?\s*$`)

// parseSQLType parses the value of a type: tag. Neutral names (string,
// varchar(n), text, decimal(p,s), json, uuid, datetime, ...) map to a Kind;
// anything else is a Custom type used verbatim on every dialect.
func parseSQLType(s string) (schema.Type, error) {
	m := sqlTypeRe.FindStringSubmatch(s)
	if m == nil {
		if strings.TrimSpace(s) == "" {
			return schema.Type{}, errors.New("type needs an SQL type")
		}
		return schema.Type{Kind: schema.Custom, Raw: s}, nil
	}
	name := strings.ToLower(strings.Join(strings.Fields(m[1]), " "))
	var args []int
	if m[2] != "" {
		for _, a := range strings.Split(m[2], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(a))
			if err != nil {
				if name == "enum" {
					break
				}
				return schema.Type{Kind: schema.Custom, Raw: s}, nil
			}
			args = append(args, n)
		}
	}
	arg := func(i int) int {
		if i < len(args) {
			return args[i]
		}
		return 0
	}
	switch name {
	case "bool", "boolean":
		return schema.Type{Kind: schema.Bool}, nil
	case "smallint", "int2":
		return schema.Type{Kind: schema.SmallInt}, nil
	case "int", "integer", "int4":
		return schema.Type{Kind: schema.Integer}, nil
	case "bigint", "int8":
		return schema.Type{Kind: schema.BigInt}, nil
	case "float", "real", "float4":
		return schema.Type{Kind: schema.Float}, nil
	case "double", "double precision", "float8":
		return schema.Type{Kind: schema.Double}, nil
	case "decimal", "numeric":
		if arg(1) > arg(0) {
			return schema.Type{}, fmt.Errorf("decimal scale %d exceeds precision %d", arg(1), arg(0))
		}
		return schema.Type{Kind: schema.Decimal, Precision: arg(0), Scale: arg(1)}, nil
	case "string", "varchar", "character varying":
		size := arg(0)
		if size == 0 {
			size = 255
		}
		return schema.Type{Kind: schema.String, Size: size}, nil
	case "text":
		return schema.Type{Kind: schema.Text}, nil
	case "binary", "blob", "bytea", "varbinary", "bytes":
		return schema.Type{Kind: schema.Binary, Size: arg(0)}, nil
	case "date":
		return schema.Type{Kind: schema.Date}, nil
	case "datetime", "timestamp", "timestamptz":
		p := 6
		if len(args) > 0 {
			p = args[0]
		}
		if p > 6 {
			return schema.Type{}, fmt.Errorf("datetime precision %d is more than 6 (microseconds)", p)
		}
		return schema.Type{Kind: schema.DateTime, Precision: p}, nil
	case "json", "jsonb":
		return schema.Type{Kind: schema.JSON}, nil
	case "uuid":
		return schema.Type{Kind: schema.UUID}, nil
	}
	return schema.Type{Kind: schema.Custom, Raw: strings.TrimSpace(s)}, nil
}

// checkAssignable verifies at mapping time that a default function's
// result can be stored in the field.
func checkAssignable(f *field) error {
	for _, fn := range []DefaultFunc{f.insertDefault, f.onUpdate} {
		if fn == nil {
			continue
		}
		v := reflect.New(f.typ).Elem()
		if err := assignValue(v, fn()); err != nil {
			return err
		}
	}
	return nil
}

// assignValue stores x in v, converting where Go allows it, allocating a
// pointer for pointer fields, and calling Scan for Scanner fields.
func assignValue(v reflect.Value, x any) error {
	if x == nil {
		v.SetZero()
		return nil
	}
	xv := reflect.ValueOf(x)
	t := v.Type()
	switch {
	case xv.Type().AssignableTo(t):
		v.Set(xv)
		return nil
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := assignValue(p.Elem(), x); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.PointerTo(t).Implements(typeScanner):
		return v.Addr().Interface().(sql.Scanner).Scan(x)
	case xv.Type().ConvertibleTo(t) && !(t.Kind() == reflect.String && xv.Kind() != reflect.String):
		v.Set(xv.Convert(t))
		return nil
	case t.Kind() == reflect.Array && t.Len() == 16 && xv.Kind() == reflect.String:
		u, err := ParseUUID(xv.String())
		if err != nil {
			return err
		}
		reflect.Copy(v, reflect.ValueOf(u[:]))
		return nil
	}
	return fmt.Errorf("a %T value cannot be stored in a %s field", x, t)
}
