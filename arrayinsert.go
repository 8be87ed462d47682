package orm

import (
	"database/sql/driver"
	"math"
	"reflect"
	"time"
	"unsafe"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// Multi-row INSERT with one array parameter per column (the dialect
// feature ArrayInsert, PostgreSQL):
//
//	INSERT INTO "t" ("a", "b") SELECT * FROM unnest($1::integer[], $2::text[])
//
// The statement's text and parameter count do not depend on the row
// count, and the driver binds a few arrays instead of a parameter per
// value. Columns whose type the dialect cannot name as an array, and
// chunks with a value an array parameter cannot carry, use VALUES lists.

// arrayTypes returns per field of m the dialect's array parameter type
// for its column, or "" for none; nil when the dialect lacks ArrayInsert.
func (h *handle) arrayTypes(m *model) []string {
	if p := m.hot.arrayTypes.Load(); p != nil {
		return *p
	}
	var types []string
	if ai, ok := h.db.dialect.(dialects.ArrayInserter); ok && h.db.dialect.Features().Has(dialects.ArrayInsert) {
		types = make([]string, len(m.fields))
		for i, f := range m.fields {
			types[i] = ai.ArrayType(m.table, f.col)
		}
	}
	m.hot.arrayTypes.Store(&types)
	return types
}

// arrayInsertable reports whether an INSERT of m without the omitted
// fields may bind arrays: every column it binds has an array type.
func (h *handle) arrayInsertable(m *model, omit uint64) bool {
	types := h.arrayTypes(m)
	if types == nil {
		return false
	}
	n := 0
	for i, t := range types {
		if m.omitted(omit, i) {
			continue
		}
		if t == "" {
			return false
		}
		n++
	}
	return n > 0
}

// arrayArgs appends to args one array per column of cols holding the
// column's values in rows, or returns nil when a value cannot go into
// an array parameter.
func arrayArgs(cols []*field, rows []reflect.Value, args []any) ([]any, error) {
	for _, f := range cols {
		a, err := arrayArg(f, rows)
		if err != nil || a == nil {
			return nil, err
		}
		args = append(args, a)
	}
	return args, nil
}

// directPtr returns a pointer to f in the addressable row r, or nil.
func directPtr(f *field, r reflect.Value) unsafe.Pointer {
	if f.direct && r.CanAddr() {
		return unsafe.Add(r.Addr().UnsafePointer(), f.offset)
	}
	return nil
}

// arrayArg returns the array of f's values in rows: a []T, or a []*T
// (nil for NULL) when some are NULL, or nil when a value is of a type an
// array parameter of f's column does not take.
func arrayArg(f *field, rows []reflect.Value) (any, error) {
	plain := f.argKind
	if f.check != 0 {
		plain = 0 // through f.arg, which checks each value
	}
	switch plain {
	case reflect.String:
		out := make([]string, len(rows))
		for i, r := range rows {
			if p := directPtr(f, r); p != nil {
				out[i] = *(*string)(p)
			} else {
				out[i] = f.of(r).String()
			}
		}
		return out, nil
	case reflect.Bool:
		out := make([]bool, len(rows))
		for i, r := range rows {
			if p := directPtr(f, r); p != nil {
				out[i] = *(*bool)(p)
			} else {
				out[i] = f.of(r).Bool()
			}
		}
		return out, nil
	case reflect.Int, reflect.Int64, reflect.Int32:
		out := make([]int64, len(rows))
		for i, r := range rows {
			p := directPtr(f, r)
			switch {
			case p == nil:
				out[i] = f.of(r).Int()
			case f.argKind == reflect.Int:
				out[i] = int64(*(*int)(p))
			case f.argKind == reflect.Int64:
				out[i] = *(*int64)(p)
			default:
				out[i] = int64(*(*int32)(p))
			}
		}
		return out, nil
	case reflect.Float64:
		out := make([]float64, len(rows))
		for i, r := range rows {
			out[i] = f.of(r).Float()
		}
		return out, nil
	}
	vals := make([]any, len(rows))
	kind, nulls := elemNull, false
	for i, r := range rows {
		a, err := f.arg(r)
		if err != nil {
			return nil, err
		}
		v, k, err := arrayElem(a)
		if err != nil {
			return nil, err
		}
		switch {
		case k == elemNone:
			return nil, nil
		case k == elemNull:
			nulls = true
			continue
		case kind == elemNull:
			kind = k
		case kind != k:
			return nil, nil
		}
		vals[i] = v
	}
	ck := f.col.Type.Kind
	if kind == elemNull {
		// Only NULLs: an array of the column's kind.
		switch ck {
		case schema.Bool:
			kind = elemBool
		case schema.SmallInt, schema.Integer, schema.BigInt:
			kind = elemInt
		case schema.Float, schema.Double:
			kind = elemFloat
		case schema.Binary:
			kind = elemBytes
		case schema.Date, schema.DateTime:
			kind = elemTime
		default:
			kind = elemString
		}
	}
	if !elemFits(kind, ck) {
		return nil, nil
	}
	switch kind {
	case elemInt:
		return typedArray[int64](vals, nulls), nil
	case elemFloat:
		return typedArray[float64](vals, nulls), nil
	case elemBool:
		return typedArray[bool](vals, nulls), nil
	case elemString:
		return typedArray[string](vals, nulls), nil
	case elemTime:
		return typedArray[time.Time](vals, nulls), nil
	case elemBytes:
		out := make([][]byte, len(vals))
		for i, v := range vals {
			if v != nil {
				out[i] = v.([]byte)
			}
		}
		return out, nil
	}
	return nil, nil
}

// typedArray converts vals (all T or nil) to a []T, or a []*T when
// nulls.
func typedArray[T any](vals []any, nulls bool) any {
	back := make([]T, len(vals))
	for i, v := range vals {
		if v != nil {
			back[i] = v.(T)
		}
	}
	if !nulls {
		return back
	}
	out := make([]*T, len(vals))
	for i, v := range vals {
		if v != nil {
			out[i] = &back[i]
		}
	}
	return out
}

type elemKind uint8

const (
	elemNone elemKind = iota // not representable
	elemNull
	elemInt
	elemFloat
	elemBool
	elemString
	elemBytes
	elemTime
)

// elemFits reports whether values of kind k go into an array of column
// kind ck (what the driver is known to encode; anything else binds each
// value).
func elemFits(k elemKind, ck schema.Kind) bool {
	switch k {
	case elemInt:
		return ck == schema.SmallInt || ck == schema.Integer || ck == schema.BigInt || ck == schema.Decimal || ck == schema.Float || ck == schema.Double
	case elemFloat:
		return ck == schema.Float || ck == schema.Double || ck == schema.Decimal
	case elemBool:
		return ck == schema.Bool
	case elemString:
		return ck == schema.String || ck == schema.Text || ck == schema.Decimal || ck == schema.JSON || ck == schema.UUID || ck == schema.Enum
	case elemBytes:
		return ck == schema.Binary || ck == schema.JSON
	case elemTime:
		return ck == schema.Date || ck == schema.DateTime
	}
	return false
}

var valuerType = reflect.TypeFor[driver.Valuer]()

// arrayElem converts a bind argument (field.arg) to an array element:
// the value (int64, float64, bool, string, []byte or time.Time) and its
// kind, elemNull for NULL, elemNone when it is none of these.
func arrayElem(v any) (any, elemKind, error) {
	for range 8 {
		switch x := v.(type) {
		case nil:
			return nil, elemNull, nil
		case int64:
			return x, elemInt, nil
		case float64:
			return x, elemFloat, nil
		case bool:
			return x, elemBool, nil
		case string:
			return x, elemString, nil
		case []byte:
			if x == nil {
				return nil, elemNull, nil
			}
			return x, elemBytes, nil
		case time.Time:
			return x, elemTime, nil
		case driver.Valuer:
			// As database/sql: a nil pointer whose value type has the
			// method is NULL.
			if rv := reflect.ValueOf(x); rv.Kind() == reflect.Pointer && rv.IsNil() && rv.Type().Elem().Implements(valuerType) {
				return nil, elemNull, nil
			}
			dv, err := x.Value()
			if err != nil {
				return nil, elemNone, err
			}
			v = dv
			continue
		}
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return rv.Int(), elemInt, nil
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			if u := rv.Uint(); u <= math.MaxInt64 {
				return int64(u), elemInt, nil
			}
		case reflect.Float32, reflect.Float64:
			return rv.Float(), elemFloat, nil
		case reflect.Bool:
			return rv.Bool(), elemBool, nil
		case reflect.String:
			return rv.String(), elemString, nil
		case reflect.Slice:
			if rv.Type().Elem().Kind() == reflect.Uint8 {
				if rv.IsNil() {
					return nil, elemNull, nil
				}
				return rv.Bytes(), elemBytes, nil
			}
		case reflect.Pointer:
			if rv.IsNil() {
				return nil, elemNull, nil
			}
			v = rv.Elem().Interface()
			continue
		}
		return nil, elemNone, nil
	}
	return nil, elemNone, nil
}
