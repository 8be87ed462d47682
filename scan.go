package orm

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
)

// fieldOf returns the field of struct value v (addressable), allocating
// nil embedded pointers on the way.
func (f *field) of(v reflect.Value) reflect.Value {
	if len(f.index) == 1 {
		return v.Field(f.index[0])
	}
	// Not reflectx.FieldByIndexes: it also allocates the field itself
	// when it is a nil pointer, turning a NULL into a zero value.
	for i, x := range f.index {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(x)
	}
	return v
}

// Type words of the kinds argRef boxes in place.
var (
	stringType  = efaceType("")
	intType     = efaceType(int(0))
	int64Type   = efaceType(int64(0))
	int32Type   = efaceType(int32(0))
	float64Type = efaceType(float64(0))
)

// boxAt returns an interface of type typ whose value is the one stored at
// p, without copying it: the interface reads the field itself.
func boxAt(typ, p unsafe.Pointer) any {
	var a any
	e := (*eface)(unsafe.Pointer(&a))
	e.typ, e.data = typ, p
	return a
}

// argRef is arg for a statement's bind arguments: a string, int, int64,
// int32 or float64 field at a fixed offset is boxed in place, pointing at
// the field instead of a copy, which saves an allocation per argument
// (Value.Interface and a conversion to any both copy).
//
// The result must be used, and dropped, before the row is written again:
// exec and query hand their arguments to database/sql, which converts
// them before returning and keeps none, and they hand copies (detach)
// to anything that may keep them (a logger, a wrapped executor).
func (f *field) argRef(v reflect.Value) (any, error) {
	// A float column that refuses only NaN and infinities keeps the
	// in-place path: the value is checked here.
	floatOnly := f.check == checkSpecials && f.argKind == reflect.Float64
	if f.argKind != 0 && f.direct && (f.check == 0 || floatOnly) && v.CanAddr() {
		p := unsafe.Add(v.Addr().UnsafePointer(), f.offset)
		switch f.argKind {
		case reflect.String:
			return boxAt(stringType, p), nil
		case reflect.Int:
			return boxAt(intType, p), nil
		case reflect.Int64:
			return boxAt(int64Type, p), nil
		case reflect.Int32:
			return boxAt(int32Type, p), nil
		case reflect.Float64:
			if x := *(*float64)(p); floatOnly && (math.IsNaN(x) || math.IsInf(x, 0)) {
				return f.checkArg(x)
			}
			return boxAt(float64Type, p), nil
		}
	}
	return f.arg(v)
}

// detach returns args with every value boxed in its own copy, for a
// receiver that may keep them past the call (see argRef).
func detach(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		// Copy through a fresh allocation: re-boxing a value taken
		// out of an interface may reuse the original's data word.
		switch x := a.(type) {
		case string:
			out[i] = boxAt(stringType, unsafe.Pointer(&[]string{x}[0]))
		case int:
			out[i] = boxAt(intType, unsafe.Pointer(&[]int{x}[0]))
		case int64:
			out[i] = boxAt(int64Type, unsafe.Pointer(&[]int64{x}[0]))
		case int32:
			out[i] = boxAt(int32Type, unsafe.Pointer(&[]int32{x}[0]))
		case float64:
			out[i] = boxAt(float64Type, unsafe.Pointer(&[]float64{x}[0]))
		default:
			out[i] = a
		}
	}
	return out
}

// arg returns the value to bind for f in struct value v: JSON is
// marshalled, times are normalised to UTC microseconds, nil pointers are
// NULL.
func (f *field) arg(v reflect.Value) (any, error) {
	a, err := f.rawArg(v)
	if f.check == 0 || err != nil {
		return a, err
	}
	return f.checkArg(a)
}

// rawArg is arg without the value checks.
func (f *field) rawArg(v reflect.Value) (any, error) {
	if f.argKind != 0 && f.direct && v.CanAddr() {
		// Plain predeclared types at a fixed offset: read and box the
		// value directly, which for small integers and booleans
		// allocates nothing (Value.Interface always does).
		p := unsafe.Add(v.Addr().UnsafePointer(), f.offset)
		switch f.argKind {
		case reflect.String:
			return *(*string)(p), nil
		case reflect.Bool:
			return *(*bool)(p), nil
		case reflect.Int:
			return *(*int)(p), nil
		case reflect.Int64:
			return *(*int64)(p), nil
		case reflect.Int32:
			return *(*int32)(p), nil
		case reflect.Float64:
			return *(*float64)(p), nil
		}
	}
	fv := f.of(v)
	switch f.argKind {
	case reflect.String:
		return fv.String(), nil
	case reflect.Bool:
		return fv.Bool(), nil
	case reflect.Int:
		return int(fv.Int()), nil
	case reflect.Int64:
		return fv.Int(), nil
	case reflect.Int32:
		return int32(fv.Int()), nil
	case reflect.Float64:
		return fv.Float(), nil
	}
	switch {
	case f.json:
		if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Map || fv.Kind() == reflect.Slice) && fv.IsNil() {
			if f.col.Nullable {
				return nil, nil
			}
		}
		b, err := json.Marshal(fv.Interface())
		if err != nil {
			return nil, fmt.Errorf("field %s: marshal JSON: %w", f.name, err)
		}
		return string(b), nil
	case f.isTime:
		if f.ptr {
			if fv.IsNil() {
				return nil, nil
			}
			fv = fv.Elem()
		}
		return f.timeArg(fv.Interface().(time.Time)), nil
	case f.nullTime:
		if f.ptr {
			if fv.IsNil() {
				return nil, nil
			}
			fv = fv.Elem()
		}
		if !fv.Field(1).Bool() {
			return nil, nil
		}
		return f.timeArg(fv.Field(0).Interface().(time.Time)), nil
	case f.uuid:
		if f.ptr {
			if fv.IsNil() {
				return nil, nil
			}
			fv = fv.Elem()
		}
		var u [16]byte
		reflect.Copy(reflect.ValueOf(&u).Elem(), fv)
		return formatUUID(u), nil
	case f.ptr:
		if fv.IsNil() {
			return nil, nil
		}
		return fv.Elem().Interface(), nil
	}
	return fv.Interface(), nil
}

// timeArg is the bind value of time t of field f: the instant in UTC to
// the microsecond, or for a date column t's calendar date (in t's own
// zone) at midnight UTC, so that midnight in Paris on 1 March is 1 March,
// not 29 February.
func (f *field) timeArg(t time.Time) time.Time {
	if f.date {
		return dateOf(t)
	}
	return t.UTC().Truncate(time.Microsecond)
}

// dateOf returns t's calendar date, in t's zone, at midnight UTC.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// scanPlan maps the columns of a result to the fields of a model.
type scanPlan struct {
	fields []*field // nil entries: a column the model does not have
	// wrap marks columns scanned through a converting scanner.
	wrap []bool
	pool sync.Pool // idle *rowScanner of this plan
}

// scanner returns a row scanner for p, reused from earlier calls when
// one is idle; release returns it.
func (p *scanPlan) scanner() *rowScanner {
	if rs, ok := p.pool.Get().(*rowScanner); ok {
		return rs
	}
	return newRowScanner(p)
}

// release returns rs to its plan's pool, dropping its references to the
// last row scanned. rs must not be used afterwards.
func (rs *rowScanner) release() {
	clear(rs.dest)
	for i := range rs.conv {
		rs.conv[i].dst = reflect.Value{}
	}
	rs.plan.pool.Put(rs)
}

// planFor returns the cached scan plan of m for the given result columns.
func (m *model) planFor(cols []string) (*scanPlan, error) {
	key := strings.Join(cols, "\x00")
	if p, ok := m.plans.Load(key); ok {
		return p.(*scanPlan), nil
	}
	p := &scanPlan{fields: make([]*field, len(cols)), wrap: make([]bool, len(cols))}
	for i, c := range cols {
		f := m.byCol[c]
		if f == nil {
			// Accept "table.column" labels and case differences.
			if j := strings.LastIndexByte(c, '.'); j >= 0 {
				f = m.byCol[c[j+1:]]
			}
			if f == nil {
				f = m.byCol[strings.ToLower(c)]
			}
		}
		if f == nil {
			return nil, fmt.Errorf("column %q of the result has no field in %s", c, m.typ)
		}
		p.fields[i] = f
		p.wrap[i] = f.converts()
	}
	m.plans.Store(key, p)
	return p, nil
}

// converts reports whether scanning f needs a convScanner rather than
// database/sql's own conversions.
func (f *field) converts() bool {
	return f.json || f.isTime || f.nullTime || f.uuid || f.decimalText || f.nullish
}

// rowScanner scans rows into struct values following a plan, reusing its
// destination slice and converting scanners between rows.
type rowScanner struct {
	plan *scanPlan
	dest []any
	conv []convScanner
}

func newRowScanner(p *scanPlan) *rowScanner {
	rs := &rowScanner{plan: p, dest: make([]any, len(p.fields)), conv: make([]convScanner, len(p.fields))}
	for i, f := range p.fields {
		rs.conv[i].f = f
	}
	return rs
}

// fill points dest (len(rs.plan.fields) long) at the fields of struct
// value v (addressable).
func (rs *rowScanner) fill(dest []any, v reflect.Value) {
	base := unsafe.Pointer(v.UnsafeAddr())
	for i, f := range rs.plan.fields {
		switch {
		case rs.plan.wrap[i]:
			rs.conv[i].dst = f.of(v)
			dest[i] = &rs.conv[i]
		case f.direct:
			dest[i] = fieldPtr(f, base)
		default:
			dest[i] = f.of(v).Addr().Interface()
		}
	}
}

// scanDest is how many columns scan's destinations hold on the stack
// (database/sql does not keep them): writing them then needs no write
// barrier, which a pooled heap slice does while the GC runs.
const scanDest = 16

// scan reads the current row into struct value v (addressable).
func (rs *rowScanner) scan(rows *sql.Rows, v reflect.Value) error {
	var buf [scanDest]any
	dest := rs.dest
	if len(dest) <= len(buf) {
		dest = buf[:len(dest)]
	}
	rs.fill(dest, v)
	if err := rows.Scan(dest...); err != nil {
		return rs.scanNulls(rows, v, dest, err)
	}
	return nil
}

// scanNulls retries the current row, whose scan into v with dest failed
// with err, reading each NULL into a value-type field as the field's zero
// value, as GORM does: a LEFT JOIN or an aggregate over no rows gives
// NULL whatever the struct says. The other columns are scanned as before,
// so a genuine conversion error is still reported.
func (rs *rowScanner) scanNulls(rows *sql.Rows, v reflect.Value, dest []any, err error) error {
	raw := make([]any, len(dest))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	if rows.Scan(ptrs...) != nil {
		return err
	}
	retry := false
	for i, x := range raw {
		if f := rs.plan.fields[i]; x == nil && f != nil && !rs.plan.wrap[i] {
			dest[i] = zeroScanner{f.of(v)}
			retry = true
		}
	}
	if !retry {
		return err
	}
	return rows.Scan(dest...)
}

// zeroScanner stores the zero value in its destination: it receives a
// NULL (see scanNulls).
type zeroScanner struct{ v reflect.Value }

// Scan implements sql.Scanner.
func (z zeroScanner) Scan(any) error {
	z.v.SetZero()
	return nil
}

// Destinations of one-column results scanned into a time.Time or a
// *time.Time (see scanScalar).
var (
	typeTimePtr   = reflect.TypeFor[*time.Time]()
	timeScalar    = &field{name: "time", isTime: true}
	timePtrScalar = &field{name: "time", isTime: true, ptr: true}
)

// scanScalar scans the current row, of one column, into v. A time.Time
// or *time.Time is read as time fields are (in UTC, and from text, which
// SQLite gives for expressions such as MAX(t)); a NULL leaves a value
// type at its zero value (a pointer is set to nil).
func scanScalar(rows *sql.Rows, v reflect.Value) error {
	switch v.Type() {
	case typeTime:
		return rows.Scan(&convScanner{f: timeScalar, dst: v})
	case typeTimePtr:
		return rows.Scan(&convScanner{f: timePtrScalar, dst: v})
	}
	err := rows.Scan(v.Addr().Interface())
	if err != nil {
		var raw any
		if rows.Scan(&raw) == nil && raw == nil {
			v.SetZero()
			return nil
		}
	}
	return err
}

// eface is the layout of an empty interface.
type eface struct {
	typ, data unsafe.Pointer
}

// efaceType returns the type word of x.
func efaceType(x any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&x)).typ }

// fieldPtr returns &field as an interface (a *T for the field's type T)
// for the struct at base: what Value.Addr().Interface() returns, without
// reflect's per-call type lookups.
func fieldPtr(f *field, base unsafe.Pointer) any {
	var x any
	e := (*eface)(unsafe.Pointer(&x))
	e.typ, e.data = f.ptrType, unsafe.Add(base, f.offset)
	return x
}

// convScanner converts a column value for fields that need more than
// database/sql's conversions: JSON documents, times (normalised to UTC),
// and value-type fields in nullable columns (NULL reads as zero).
type convScanner struct {
	f   *field
	dst reflect.Value
}

// Scan implements sql.Scanner.
// setTime stores t in v, a time.Time or a type defined on it, without
// boxing t (Value.Set of a ValueOf does).
func setTime(v reflect.Value, t time.Time) {
	if v.CanAddr() && v.Type() == typeTime {
		*(*time.Time)(v.Addr().UnsafePointer()) = t
		return
	}
	v.Set(reflect.ValueOf(t).Convert(v.Type()))
}

func (c *convScanner) Scan(src any) error {
	f, dst := c.f, c.dst
	if src == nil {
		dst.SetZero()
		return nil
	}
	if f.ptr && (f.json || f.isTime || f.nullTime || f.uuid || f.decimalText) {
		if dst.IsNil() {
			dst.Set(reflect.New(dst.Type().Elem()))
		}
		dst = dst.Elem()
	}
	switch {
	case f.json:
		var b []byte
		switch s := src.(type) {
		case []byte:
			b = s
		case string:
			b = []byte(s)
		default:
			return fmt.Errorf("field %s: a JSON column returned %T", f.name, src)
		}
		if err := json.Unmarshal(b, dst.Addr().Interface()); err != nil {
			return fmt.Errorf("field %s: unmarshal JSON: %w", f.name, err)
		}
		return nil
	case f.isTime:
		t, err := asTime(src)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.name, err)
		}
		if t = t.UTC(); f.date {
			t = dateOf(t)
		}
		setTime(dst, t)
		return nil
	case f.nullTime:
		t, err := asTime(src)
		if err != nil {
			return fmt.Errorf("field %s: %w", f.name, err)
		}
		if t = t.UTC(); f.date {
			t = dateOf(t)
		}
		setTime(dst.Field(0), t)
		dst.Field(1).SetBool(true)
		return nil
	case f.uuid:
		var u [16]byte
		var err error
		switch s := src.(type) {
		case string:
			u, err = ParseUUID(s)
		case []byte:
			if len(s) == 16 {
				copy(u[:], s)
			} else {
				u, err = ParseUUID(string(s))
			}
		case [16]byte:
			u = s
		default:
			err = fmt.Errorf("a UUID column returned %T", src)
		}
		if err != nil {
			return fmt.Errorf("field %s: %w", f.name, err)
		}
		reflect.Copy(dst, reflect.ValueOf(u[:]))
		return nil
	case f.decimalText:
		// SQLite returns a decimal column's value as a float or an
		// integer: print it with the column's scale.
		switch x := src.(type) {
		case float64:
			dst.SetString(floatDecimalText(x, f.col.Type))
			return nil
		case int64:
			s := strconv.FormatInt(x, 10)
			if f.col.Type.Scale > 0 {
				s += "." + strings.Repeat("0", f.col.Type.Scale)
			}
			dst.SetString(s)
			return nil
		}
	}
	// A value type in a nullable column.
	if err := convertAssign(dst, src); err != nil {
		return fmt.Errorf("field %s: %w", f.name, err)
	}
	return nil
}

// convertAssign stores a driver value in dv, with the conversions
// database/sql applies when scanning into a typed destination.
func convertAssign(dv reflect.Value, src any) error {
	if s, ok := dv.Addr().Interface().(sql.Scanner); ok {
		return s.Scan(src)
	}
	sv := reflect.ValueOf(src)
	if sv.Type().AssignableTo(dv.Type()) {
		dv.Set(sv)
		return nil
	}
	var text string
	isText := false
	switch x := src.(type) {
	case []byte:
		text, isText = string(x), true
	case string:
		text, isText = x, true
	}
	switch dv.Kind() {
	case reflect.String:
		if isText {
			dv.SetString(text)
			return nil
		}
		dv.SetString(fmt.Sprint(src))
		return nil
	case reflect.Bool:
		switch x := src.(type) {
		case bool:
			dv.SetBool(x)
		case int64:
			dv.SetBool(x != 0)
		default:
			b, err := strconv.ParseBool(text)
			if err != nil {
				return fmt.Errorf("cannot store %T %v in %s", src, src, dv.Type())
			}
			dv.SetBool(b)
		}
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if isText {
			n, err := strconv.ParseInt(text, 10, dv.Type().Bits())
			if err != nil {
				return fmt.Errorf("cannot store %q in %s: %w", text, dv.Type(), err)
			}
			dv.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if isText {
			n, err := strconv.ParseUint(text, 10, dv.Type().Bits())
			if err != nil {
				return fmt.Errorf("cannot store %q in %s: %w", text, dv.Type(), err)
			}
			dv.SetUint(n)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		if isText {
			n, err := strconv.ParseFloat(text, dv.Type().Bits())
			if err != nil {
				return fmt.Errorf("cannot store %q in %s: %w", text, dv.Type(), err)
			}
			dv.SetFloat(n)
			return nil
		}
	case reflect.Slice:
		if dv.Type().Elem().Kind() == reflect.Uint8 && isText {
			dv.SetBytes([]byte(text))
			return nil
		}
	}
	if sv.Type().ConvertibleTo(dv.Type()) && sv.Kind() != reflect.String {
		dv.Set(sv.Convert(dv.Type()))
		return nil
	}
	return fmt.Errorf("cannot store %T in %s", src, dv.Type())
}

var timeLayouts = []string{
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02T15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02",
}

// asTime converts what a driver returns for a date/time column to a time.
func asTime(src any) (time.Time, error) {
	switch v := src.(type) {
	case time.Time:
		return v, nil
	case []byte:
		return parseTime(string(v))
	case string:
		return parseTime(v)
	case int64:
		return time.Unix(v, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("a time column returned %T", src)
}

func parseTime(s string) (time.Time, error) {
	s = strings.TrimSuffix(s, "Z")
	for _, l := range timeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse %q as a time", s)
}
