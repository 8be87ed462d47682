package orm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"
)

func sortStrings(s []string) { sort.Strings(s) }

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// scalar runs a one-value query into dest.
func (h *handle) scalar(ctx context.Context, op, query string, args []any, dest any) error {
	q, a, err := h.db.prepareRaw(query, args)
	if err != nil {
		return err
	}
	rows, err := h.query(ctx, q, a)
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
	if err := rows.Scan(dest); err != nil {
		return h.db.wrapErr(op, err)
	}
	return h.db.wrapErr(op, rows.Close())
}

// execCount runs a statement and returns the rows it affected.
func (h *handle) execCount(ctx context.Context, op, query string, args []any) (int64, error) {
	q, a, err := h.db.prepareRaw(query, args)
	if err != nil {
		return 0, err
	}
	res, err := h.exec(ctx, q, a)
	if err != nil {
		return 0, h.db.wrapErr(op, err)
	}
	n, err := res.RowsAffected()
	return n, h.db.wrapErr(op, err)
}

// Select runs a raw query and scans the result into dest: a pointer to a
// slice of structs (or struct pointers), a pointer to a struct (the first
// row; ErrNotFound when there is none), a pointer to a map[string]any or
// a slice of them (one entry per column, as GORM's Find into maps), or a
// pointer to a scalar or a slice of scalars for one-column results.
// Result columns are matched to fields by column name; a column with no
// field is an error. Placeholders are written "?" on every dialect; a
// slice argument expands to a list.
func (h *handle) Select(ctx context.Context, dest any, query string, args ...any) error {
	dv := reflect.ValueOf(dest)
	if dv.Kind() != reflect.Pointer || dv.IsNil() {
		return fmt.Errorf("orm: select: dest must be a non-nil pointer, got %T", dest)
	}
	q, a, err := h.db.prepareRaw(query, args)
	if err != nil {
		return err
	}
	const op = "select"
	target := dv.Elem()
	elemT := target.Type()
	isSlice := target.Kind() == reflect.Slice && elemT != typeBytes
	if isSlice {
		elemT = elemT.Elem()
	}
	ptrElem := elemT.Kind() == reflect.Pointer
	base := elemT
	if ptrElem {
		base = elemT.Elem()
	}
	var m *model
	if base.Kind() == reflect.Struct && !isValueType(base) {
		if m, err = h.db.mapper.scanModelOf(base); err != nil {
			return err
		}
	}
	rows, err := h.query(ctx, q, a)
	if err != nil {
		return h.db.wrapErr(op, err)
	}
	defer rows.Close()
	var rs *rowScanner
	if m != nil {
		cols, err := rows.Columns()
		if err != nil {
			return h.db.wrapErr(op, err)
		}
		plan, err := m.planFor(cols)
		if err != nil {
			return h.db.wrapErr(op, err)
		}
		rs = newRowScanner(plan)
	}
	var ms *mapScanner
	if elemT == typeMapAny {
		if ms, err = newMapScanner(rows); err != nil {
			return h.db.wrapErr(op, err)
		}
	}
	scanInto := func(v reflect.Value) error {
		switch {
		case rs != nil:
			return rs.scan(rows, v)
		case ms != nil:
			return ms.scan(rows, v)
		}
		return scanScalar(rows, v)
	}
	// A struct pointer is allocated for each row; a scalar pointer is
	// scanned into as it is (NULL leaves it nil).
	ptrElem = ptrElem && m != nil
	if !isSlice {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return h.db.wrapErr(op, err)
			}
			return fmt.Errorf("orm: %s: %w", op, ErrNotFound)
		}
		v := target
		if ptrElem {
			v = reflect.New(base)
			target.Set(v)
			v = v.Elem()
		}
		if err := scanInto(v); err != nil {
			return h.db.wrapErr(op, err)
		}
		return h.db.wrapErr(op, rows.Close())
	}
	target.SetLen(0)
	for rows.Next() {
		var v reflect.Value
		if ptrElem {
			p := reflect.New(base)
			target.Set(reflect.Append(target, p))
			v = p.Elem()
		} else {
			target.Set(reflect.Append(target, reflect.Zero(elemT)))
			v = target.Index(target.Len() - 1)
		}
		if err := scanInto(v); err != nil {
			return h.db.wrapErr(op, err)
		}
	}
	if target.IsNil() {
		target.Set(reflect.MakeSlice(target.Type(), 0, 0))
	}
	return h.db.wrapErr(op, rows.Err())
}

var typeMapAny = reflect.TypeFor[map[string]any]()

// mapScanner scans rows into map[string]any values: each column's value
// as the driver gives it, except that text a driver returns as bytes
// (MySQL) is a string, and times are in UTC, as in struct fields.
type mapScanner struct {
	cols  []string
	bytes []bool // the column is binary: keep []byte
	raw   []any
	ptrs  []any
}

func newMapScanner(rows *sql.Rows) (*mapScanner, error) {
	cts, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	ms := &mapScanner{cols: make([]string, len(cts)), bytes: make([]bool, len(cts)), raw: make([]any, len(cts)), ptrs: make([]any, len(cts))}
	for i, ct := range cts {
		ms.cols[i] = ct.Name()
		t := strings.ToUpper(ct.DatabaseTypeName())
		ms.bytes[i] = strings.Contains(t, "BLOB") || strings.Contains(t, "BINARY") || t == "BYTEA"
		ms.ptrs[i] = &ms.raw[i]
	}
	return ms, nil
}

// scan reads the current row into v, a map[string]any (made when nil).
func (ms *mapScanner) scan(rows *sql.Rows, v reflect.Value) error {
	if err := rows.Scan(ms.ptrs...); err != nil {
		return err
	}
	if v.IsNil() {
		v.Set(reflect.MakeMapWithSize(typeMapAny, len(ms.cols)))
	}
	m := v.Interface().(map[string]any)
	for i, c := range ms.cols {
		x := ms.raw[i]
		switch y := x.(type) {
		case []byte:
			if !ms.bytes[i] {
				x = string(y)
			}
		case time.Time:
			x = y.UTC()
		}
		m[c] = x
	}
	return nil
}
