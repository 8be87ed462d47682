package orm

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"iter"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tagorm/orm/dialects"
)

// Q is a query over the rows of model T, built by chaining and run by All,
// First, One, Count, Exists, Iter, Each, Delete or UpdateColumns.
//
// Conditions are SQL fragments with ? placeholders (on every dialect);
// a slice argument expands to a list, so Where("id IN (?)", ids) works.
// Builder methods change q and return it; a Q is not safe for concurrent
// use. Errors (an unknown model, a bad column) are reported by the method
// that runs the query.
type Q[T any] struct {
	h        *handle
	m        *model
	err      error
	where    []cond
	joins    []cond
	order    []string
	orderArg []any // arguments of OrderByExpr terms, in order
	group    string
	groupArg []any // arguments of GroupByExpr
	having   *cond
	cols     []string
	rawCols  string // select list of a grouped count's inner query
	rawArg   []any  // its arguments
	limit    int
	offset   int
	deleted  deletedMode
	distinct bool
	rel      relQuery // preloads and joined relations (preload.go)
}

type cond struct {
	sql  string
	args []any
	or   bool
}

type deletedMode int

const (
	hideDeleted deletedMode = iota
	withDeleted
	onlyDeleted
)

// Query starts a query over T's table on h (a *DB or a *Session).
func Query[T any](h Handle) *Q[T] {
	q := &Q[T]{h: h.base(), limit: -1}
	q.m, q.err = q.h.db.mapper.modelOf(reflect.TypeFor[T]())
	return q
}

// Where adds a condition, ANDed with the others. sql is raw SQL by
// contract, sent as written with its ? placeholders bound to args: never
// build it from user input (pass values as arguments).
// A blank condition without arguments is ignored (as GORM ignores it),
// so conditions may be built up from optional parts.
func (q *Q[T]) Where(sql string, args ...any) *Q[T] {
	if len(args) > 0 || strings.TrimSpace(sql) != "" {
		q.where = append(q.where, cond{sql: sql, args: args})
	}
	return q
}

// Or adds a condition ORed with everything before it:
// Where(a).Where(b).Or(c) is (a AND b) OR c. sql is raw SQL, as in Where.
// A blank condition without arguments is ignored, as by Where.
func (q *Q[T]) Or(sql string, args ...any) *Q[T] {
	if len(args) > 0 || strings.TrimSpace(sql) != "" {
		q.where = append(q.where, cond{sql: sql, args: args, or: true})
	}
	return q
}

// WhereIn adds "column IN (values...)"; an empty list matches no rows.
// column is a name (a column or Go field name of T), never SQL.
func (q *Q[T]) WhereIn(column string, values any) *Q[T] {
	return q.whereList(column, values, false)
}

// WhereNotIn adds "column NOT IN (values...)"; an empty list matches every
// row (as a raw "NOT IN ?" or "NOT IN (?)" with an empty list does).
func (q *Q[T]) WhereNotIn(column string, values any) *Q[T] {
	return q.whereList(column, values, true)
}

func (q *Q[T]) whereList(column string, values any, not bool) *Q[T] {
	col, err := q.column(column)
	if err != nil {
		q.err = err
		return q
	}
	v, ok := expandable(values)
	if !ok {
		q.err = fmt.Errorf("orm: where %s in: want a slice of values, got %T", column, values)
		return q
	}
	switch {
	case v.Len() == 0 && not:
		return q.Where("1 = 1")
	case v.Len() == 0:
		return q.Where("1 = 0")
	case not:
		return q.Where(col+" NOT IN (?)", values)
	}
	return q.Where(col+" IN (?)", values)
}

// Join adds a JOIN clause, e.g. Join("JOIN orders o ON o.user_id = users.id").
// sql is raw SQL by contract, sent as written with args bound to its ?
// placeholders.
func (q *Q[T]) Join(sql string, args ...any) *Q[T] {
	q.joins = append(q.joins, cond{sql: sql, args: args})
	return q
}

// OrderBy adds ORDER BY terms, e.g. OrderBy("name", "id DESC"). It takes
// names, not SQL: each term (or each comma-separated item of a term) is
// "column [ASC|DESC] [NULLS FIRST|NULLS LAST]", where column is a column
// or Go field name of T, optionally qualified by T's table, or
// "table.column" of plain identifiers (a table or alias of a Join).
// Anything else (an expression, a subquery, a quote) makes the query fail
// with an error naming the term; use OrderByExpr for SQL. Blank terms are
// ignored. Without NULLS FIRST/LAST support (MySQL), the NULLS order is
// made with a "column IS NULL" sort key.
func (q *Q[T]) OrderBy(terms ...string) *Q[T] {
	if q.err != nil {
		return q
	}
	order, err := q.m.renderNames(q.order, q.h.db.dialect, "order by", "OrderByExpr", true, terms)
	if err != nil {
		q.err = err
		return q
	}
	q.order = order
	return q
}

// OrderByExpr adds a raw SQL ORDER BY term, e.g.
// OrderByExpr("LOWER(name), id") or OrderByExpr("ABS(score - ?)", 10).
// sql is raw SQL by contract, sent as written with args bound to its ?
// placeholders: never build it from user input.
func (q *Q[T]) OrderByExpr(sql string, args ...any) *Q[T] {
	if strings.TrimSpace(sql) != "" {
		q.order = append(q.order, sql)
		q.orderArg = append(q.orderArg, args...)
	}
	return q
}

// GroupBy sets GROUP BY to the given columns, e.g. GroupBy("city") or
// GroupBy("city", "age"). It takes names, not SQL: column or Go field
// names of T, optionally table-qualified, as in OrderBy (without a
// direction); anything else is an error. Use GroupByExpr for SQL.
func (q *Q[T]) GroupBy(columns ...string) *Q[T] {
	if q.err != nil {
		return q
	}
	out, err := q.m.renderNames(nil, q.h.db.dialect, "group by", "GroupByExpr", false, columns)
	switch {
	case err != nil:
		q.err = err
	case len(out) == 0:
		q.group, q.groupArg = "", nil
	default:
		q.group, q.groupArg = strings.Join(out, ", "), nil
	}
	return q
}

// GroupByExpr sets GROUP BY to raw SQL, e.g. GroupByExpr("LOWER(city)").
// sql is raw SQL by contract, sent as written with args bound to its ?
// placeholders: never build it from user input.
func (q *Q[T]) GroupByExpr(sql string, args ...any) *Q[T] {
	q.group, q.groupArg = strings.TrimSpace(sql), args
	return q
}

// Having sets HAVING. sql is raw SQL by contract, sent as written with
// args bound to its ? placeholders.
func (q *Q[T]) Having(sql string, args ...any) *Q[T] {
	q.having = &cond{sql: sql, args: args}
	return q
}

// Limit caps the number of rows (negative: no limit).
func (q *Q[T]) Limit(n int) *Q[T] { q.limit = n; return q }

// Offset skips n rows.
func (q *Q[T]) Offset(n int) *Q[T] { q.offset = n; return q }

// Distinct makes it SELECT DISTINCT.
func (q *Q[T]) Distinct() *Q[T] { q.distinct = true; return q }

// Select restricts the columns loaded (column or Go field names); the other
// fields are left at their zero value. It takes names, never SQL: an
// unknown name is an error.
func (q *Q[T]) Select(columns ...string) *Q[T] {
	for _, c := range columns {
		if q.m != nil && q.m.lookup(c) == nil {
			q.err = fmt.Errorf("orm: select: %s has no column or field %q", q.m.typ, c)
			return q
		}
	}
	q.cols = append(q.cols, columns...)
	return q
}

// WithDeleted includes soft-deleted rows.
func (q *Q[T]) WithDeleted() *Q[T] { q.deleted = withDeleted; return q }

// OnlyDeleted returns only soft-deleted rows.
func (q *Q[T]) OnlyDeleted() *Q[T] { q.deleted = onlyDeleted; return q }

// column returns the quoted, table-qualified column for a column or field
// name.
func (q *Q[T]) column(name string) (string, error) {
	if q.err != nil {
		return "", q.err
	}
	f := q.m.lookup(name)
	if f == nil {
		return "", fmt.Errorf("orm: %s has no column or field %q", q.m.typ, name)
	}
	d := q.h.db.dialect
	return d.Quote(q.m.table.Name) + "." + d.Quote(f.col.Name), nil
}

// build renders the statement: kind is "select", "count", "exists",
// "delete" or "update" (set holds the SET clause and its arguments).
func (q *Q[T]) build(kind string, set *cond) (string, []any, error) {
	if q.err != nil {
		return "", nil, q.err
	}
	d := q.h.db.dialect
	m := q.m
	var b strings.Builder
	var args []any
	table := d.Quote(m.table.Name)
	switch kind {
	case "select":
		b.WriteString("SELECT ")
		if q.distinct {
			b.WriteString("DISTINCT ")
		}
		if q.rawCols != "" {
			b.WriteString(q.rawCols)
			args = append(args, q.rawArg...)
		} else if len(q.cols) > 0 {
			for i, c := range q.cols {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(table)
				b.WriteByte('.')
				b.WriteString(d.Quote(m.lookup(c).col.Name))
			}
		} else {
			m.writeColumns(d, &b, true)
		}
		q.rel.writeSelect(d, m, &b)
		b.WriteString(" FROM ")
		b.WriteString(table)
		args = q.rel.writeJoins(d, m, &b, args)
	case "count":
		if q.distinct || q.group != "" || q.limit >= 0 || q.offset > 0 {
			// Count the rows of the full query. Its select list is the
			// columns asked for; a grouped query without them selects
			// its grouping (every database accepts that, while
			// PostgreSQL refuses ungrouped columns), and joined
			// preloads are left out (only the rows count).
			inner := *q
			inner.order, inner.orderArg = nil, nil
			inner.rel = relQuery{}
			if q.group != "" && len(q.cols) == 0 {
				inner.cols = nil
				inner.rawCols, inner.rawArg = q.group, q.groupArg
			}
			s, a, err := inner.build("select", nil)
			if err != nil {
				return "", nil, err
			}
			return "SELECT COUNT(*) FROM (" + s + ") tagorm_count", a, nil
		}
		b.WriteString("SELECT COUNT(*) FROM ")
		b.WriteString(table)
	case "exists":
		b.WriteString("SELECT 1 FROM ")
		b.WriteString(table)
	case "delete", "update":
		if kind == "delete" {
			b.WriteString("DELETE FROM ")
			b.WriteString(table)
		} else {
			b.WriteString("UPDATE ")
			b.WriteString(table)
			b.WriteString(" SET ")
			b.WriteString(set.sql)
			args = append(args, set.args...)
		}
		if q.group != "" || q.having != nil {
			return "", nil, fmt.Errorf("orm: %s %s: GroupBy and Having do not apply to a %s", kind, m.table.Name, kind)
		}
		if q.limit >= 0 || q.offset > 0 || len(q.joins) > 0 {
			// DELETE and UPDATE take no LIMIT, OFFSET or JOIN on every
			// dialect: select the keys of the rows the query means, in
			// a derived table (MySQL refuses a LIMIT in an IN subquery,
			// and a subquery on the table it changes).
			return q.keysIn(kind, &b, args)
		}
	}
	if kind != "delete" && kind != "update" {
		for _, j := range q.joins {
			b.WriteByte(' ')
			b.WriteString(j.sql)
			args = append(args, j.args...)
		}
	}
	where := q.where
	if m.softDelete != nil && q.deleted != withDeleted {
		col := table + "." + d.Quote(m.softDelete.col.Name)
		c := cond{sql: col + " IS NULL"}
		if q.deleted == onlyDeleted {
			c.sql = col + " IS NOT NULL"
		}
		where = append([]cond{c}, where...)
		if len(q.where) > 0 {
			// Keep the user's conditions together: (soft) AND (user).
			where = []cond{c, {sql: renderConds(q.where), args: condArgs(q.where)}}
		}
	}
	if len(where) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(renderConds(where))
		args = append(args, condArgs(where)...)
	}
	if kind == "select" || kind == "exists" {
		if q.group != "" {
			b.WriteString(" GROUP BY ")
			b.WriteString(q.group)
			args = append(args, q.groupArg...)
			if q.having != nil {
				b.WriteString(" HAVING ")
				b.WriteString(q.having.sql)
				args = append(args, q.having.args...)
			}
		}
		if len(q.order) > 0 && kind == "select" {
			b.WriteString(" ORDER BY ")
			b.WriteString(strings.Join(q.order, ", "))
			args = append(args, q.orderArg...)
		}
		limit := q.limit
		if kind == "exists" {
			limit = 1
		}
		writeLimit(&b, limit, q.offset)
	}
	return b.String(), args, nil
}

// keysIn finishes a DELETE or UPDATE in b (args: its SET arguments) with
// "WHERE key IN (SELECT key FROM (q's select of the keys) tagorm_keys)".
func (q *Q[T]) keysIn(kind string, b *strings.Builder, args []any) (string, []any, error) {
	m := q.m
	if len(m.pk) == 0 {
		return "", nil, fmt.Errorf("orm: %s %s: Limit, Offset or Join on a %s needs a primary key: %w", kind, m.table.Name, kind, ErrNoPrimaryKey)
	}
	d := q.h.db.dialect
	inner := *q
	inner.cols = nil
	inner.rel = relQuery{}
	if inner.limit < 0 && inner.offset == 0 {
		// Only a LIMIT needs the order. Without it, DISTINCT keeps a
		// Join from repeating keys, and keeps MySQL from merging the
		// derived table into the statement.
		inner.order, inner.orderArg = nil, nil
		inner.distinct = true
	}
	for _, f := range m.pk {
		inner.cols = append(inner.cols, f.col.Name)
	}
	s, a, err := inner.build("select", nil)
	if err != nil {
		return "", nil, err
	}
	keys := make([]string, len(m.pk))
	for i, f := range m.pk {
		keys[i] = d.Quote(f.col.Name)
	}
	list := strings.Join(keys, ", ")
	b.WriteString(" WHERE ")
	if len(keys) > 1 {
		b.WriteString("(" + list + ")")
	} else {
		b.WriteString(list)
	}
	b.WriteString(" IN (SELECT " + list + " FROM (" + s + ") tagorm_keys)")
	return b.String(), append(args, a...), nil
}

// writeLimit appends LIMIT/OFFSET. An OFFSET without a LIMIT gets the
// largest LIMIT every dialect accepts (MySQL and SQLite require one).
func writeLimit(b *strings.Builder, limit, offset int) {
	if limit >= 0 {
		b.WriteString(" LIMIT ")
		b.WriteString(strconv.Itoa(limit))
	} else if offset > 0 {
		b.WriteString(" LIMIT 9223372036854775807")
	}
	if offset > 0 {
		b.WriteString(" OFFSET ")
		b.WriteString(strconv.Itoa(offset))
	}
}

// renderConds folds conditions left to right: each Where is ANDed and
// each Or is ORed with everything before it, so Where(a).Or(b).Where(c)
// is (a OR b) AND c.
func renderConds(cs []cond) string {
	if len(cs) == 1 {
		return cs[0].sql
	}
	var b strings.Builder
	hasOr := false // b has an OR at its top level
	for i, c := range cs {
		switch {
		case i == 0:
		case c.or:
			b.WriteString(" OR ")
			hasOr = true
		default:
			if hasOr {
				s := b.String()
				b.Reset()
				b.WriteByte('(')
				b.WriteString(s)
				b.WriteByte(')')
				hasOr = false
			}
			b.WriteString(" AND ")
		}
		b.WriteByte('(')
		b.WriteString(c.sql)
		b.WriteByte(')')
	}
	return b.String()
}

func condArgs(cs []cond) []any {
	var out []any
	for _, c := range cs {
		out = append(out, c.args...)
	}
	return out
}

// selectShape is a cached SELECT of a model (no column list, joins,
// grouping or joined relations): the statement for one combination of
// conditions, order, limit and offset, reused while the query repeats.
type selectShape struct {
	where    []condShape
	order    []string
	limit    int
	offset   int
	distinct bool
	deleted  deletedMode
	sql      string
}

type condShape struct {
	sql   string
	or    bool
	nargs int
}

// simple reports whether q's SELECT can be cached as a selectShape: a
// plain select whose arguments are all single values (a list argument
// changes the statement with its length).
func (q *Q[T]) simple() bool {
	if len(q.cols) > 0 || len(q.joins) > 0 || q.group != "" || q.having != nil || len(q.rel.joined) > 0 || len(q.orderArg) > 0 {
		return false
	}
	for _, c := range q.where {
		for _, a := range c.args {
			if _, ok := expandable(a); ok {
				return false
			}
		}
	}
	return true
}

// matches reports whether q renders to s's statement.
func (s *selectShape) matches(where []cond, order []string, limit, offset int, distinct bool, deleted deletedMode) bool {
	if s.limit != limit || s.offset != offset || s.distinct != distinct || s.deleted != deleted ||
		len(s.where) != len(where) || len(s.order) != len(order) {
		return false
	}
	for i, c := range where {
		w := s.where[i]
		if w.or != c.or || w.nargs != len(c.args) || w.sql != c.sql {
			return false
		}
	}
	for i, o := range order {
		if s.order[i] != o {
			return false
		}
	}
	return true
}

// selectSQL returns the SELECT statement of q, with the dialect's
// placeholders, and its arguments. Simple queries are cached per model,
// so a repeated query builds no SQL.
func (q *Q[T]) selectSQL(buf []any) (string, []any, error) {
	if q.err != nil {
		return "", nil, q.err
	}
	if !q.simple() {
		s, args, err := q.build("select", nil)
		if err != nil {
			return "", nil, err
		}
		return q.h.db.prepareRaw(s, args)
	}
	hot := &q.m.hot
	if l := hot.selects.Load(); l != nil {
		for _, sh := range *l {
			if sh.matches(q.where, q.order, q.limit, q.offset, q.distinct, q.deleted) {
				for _, c := range q.where {
					for _, a := range c.args {
						if b, ok := bindValue(a); ok {
							a = b
						}
						buf = append(buf, a)
					}
				}
				return sh.sql, buf, nil
			}
		}
		if len(*l) >= maxHotShapes {
			s, args, err := q.build("select", nil)
			if err != nil {
				return "", nil, err
			}
			return q.h.db.prepareRaw(s, args)
		}
	}
	s, args, err := q.build("select", nil)
	if err != nil {
		return "", nil, err
	}
	if s, args, err = q.h.db.prepareRaw(s, args); err != nil {
		return "", nil, err
	}
	sh := &selectShape{order: slices.Clone(q.order), limit: q.limit, offset: q.offset, distinct: q.distinct, deleted: q.deleted, sql: s}
	sh.where = make([]condShape, len(q.where))
	for i, c := range q.where {
		sh.where[i] = condShape{sql: c.sql, or: c.or, nargs: len(c.args)}
	}
	addHot(&hot.selects, sh, maxHotShapes)
	return s, args, nil
}

// run builds and runs the query, returning the rows' scan plan source.
func (q *Q[T]) rows(ctx context.Context) (*rowsIter[T], error) {
	var buf [8]any // on the stack: query does not keep its arguments
	s, args, err := q.selectSQL(buf[:0])
	if err != nil {
		return nil, err
	}
	op := q.m.hot.opQuery
	rows, err := q.h.query(ctx, s, args)
	if err != nil {
		return nil, q.h.db.wrapErr(op, err)
	}
	plan := q.m.hot.fullPlan // the statement selects every field, in order
	if len(q.cols) > 0 || q.rel.extra > 0 {
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, q.h.db.wrapErr(op, err)
		}
		if plan, err = q.rel.planFor(q.m, cols); err != nil {
			rows.Close()
			return nil, q.h.db.wrapErr(op, err)
		}
	}
	return &rowsIter[T]{rows: rows, rs: plan.scanner(), db: q.h.db, op: op}, nil
}

// close closes the rows and returns the scanner.
func (it *rowsIter[T]) close() {
	it.rows.Close()
	it.rs.release()
}

// allHintBytes bounds the capacity All reserves from the last call's row
// count: the returned slice may keep it.
const allHintBytes = 16 << 10

// All returns every matching row (an empty, non-nil slice when none match).
func (q *Q[T]) All(ctx context.Context) ([]T, error) {
	it, err := q.rows(ctx)
	if err != nil {
		return nil, err
	}
	defer it.close()
	// Never nil, as raw Select: no rows is an empty slice. Sized as the
	// last All of this model needed, up to allHintBytes: growing copies
	// every row scanned so far.
	n := int(q.m.hot.allRows.Load())
	if q.limit > 0 {
		n = min(q.limit, 1024)
	}
	if size := int(q.m.typ.Size()); size > 0 {
		n = min(n, allHintBytes/size)
	}
	out := make([]T, 0, n)
	defer func() { q.m.hot.allRows.Store(int64(len(out))) }()
	for it.rows.Next() {
		var zero T
		out = append(out, zero)
		if err := it.rs.scan(it.rows, reflect.ValueOf(&out[len(out)-1]).Elem()); err != nil {
			return nil, q.h.db.wrapErr(it.op, err)
		}
	}
	if err := it.rows.Err(); err != nil {
		return nil, q.h.db.wrapErr(it.op, err)
	}
	if len(q.rel.roots) > 0 {
		if err := q.rel.afterLoad(ctx, q.h, q.m, reflect.ValueOf(out)); err != nil {
			return nil, err
		}
	}
	if q.m.hooks&hookAfterFind != 0 {
		if err := q.h.afterFindSlice(ctx, it.op, q.m, reflect.ValueOf(out)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// First returns the first matching row (by primary key unless OrderBy was
// given; by the selected columns for a Distinct query with Select), or
// ErrNotFound.
func (q *Q[T]) First(ctx context.Context) (*T, error) {
	if q.err != nil {
		return nil, q.err
	}
	c := *q // leave q as it was
	if len(c.order) == 0 {
		c.order = nil
		d := c.h.db.dialect
		keys := c.m.pk
		if c.distinct && len(c.cols) > 0 {
			// SELECT DISTINCT can only be ordered by what it selects.
			keys = nil
			for _, n := range c.cols {
				keys = append(keys, c.m.lookup(n))
			}
		}
		for _, f := range keys {
			c.order = append(c.order, d.Quote(c.m.table.Name)+"."+d.Quote(f.col.Name))
		}
	}
	c.limit = 1
	return c.One(ctx)
}

// Last returns the last matching row by primary key, or ErrNotFound: as
// GORM's Last, it orders by the key descending, after any OrderBy terms.
func (q *Q[T]) Last(ctx context.Context) (*T, error) {
	if q.err != nil {
		return nil, q.err
	}
	if len(q.m.pk) == 0 {
		return nil, fmt.Errorf("orm: %s: %w", q.m.hot.opQuery, ErrNoPrimaryKey)
	}
	c := *q // leave q as it was
	c.order = slices.Clip(c.order)
	d := c.h.db.dialect
	for _, f := range c.m.pk {
		c.order = append(c.order, d.Quote(c.m.table.Name)+"."+d.Quote(f.col.Name)+" DESC")
	}
	c.limit = 1
	return c.One(ctx)
}

// One returns the only matching row: ErrNotFound when there is none,
// ErrMultipleRows when there are several. Unlike First it adds no ORDER
// BY or LIMIT.
func (q *Q[T]) One(ctx context.Context) (*T, error) {
	it, err := q.rows(ctx)
	if err != nil {
		return nil, err
	}
	defer it.close()
	if !it.rows.Next() {
		if err := it.rows.Err(); err != nil {
			return nil, q.h.db.wrapErr(it.op, err)
		}
		return nil, fmt.Errorf("orm: %s: %w", it.op, ErrNotFound)
	}
	v := new(T)
	if err := it.rs.scan(it.rows, reflect.ValueOf(v).Elem()); err != nil {
		return nil, q.h.db.wrapErr(it.op, err)
	}
	if it.rows.Next() {
		return nil, fmt.Errorf("orm: %s: %w", it.op, ErrMultipleRows)
	}
	if err := it.rows.Err(); err != nil {
		return nil, q.h.db.wrapErr(it.op, err)
	}
	if err := it.rows.Close(); err != nil {
		return nil, q.h.db.wrapErr(it.op, err)
	}
	if err := q.rel.afterLoad(ctx, q.h, q.m, reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	if q.m.hooks&hookAfterFind != 0 {
		if err := q.h.afterFind(ctx, it.op, q.m, []reflect.Value{reflect.ValueOf(v).Elem()}); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// Pluck returns one column (a column or Go field name, never SQL) of the rows q
// matches, in q's order, as GORM's Pluck; Distinct, Limit and the rest of
// q apply:
//
//	names, err := orm.Pluck[string](ctx, orm.Query[User](db).OrderBy("name"), "name")
//
// V is the field's type or any type its column scans into; a NULL gives
// V's zero value (nil for a pointer).
func Pluck[V, T any](ctx context.Context, q *Q[T], column string) ([]V, error) {
	if q.err != nil {
		return nil, q.err
	}
	f := q.m.lookup(column)
	if f == nil {
		return nil, fmt.Errorf("orm: pluck: %s has no column or field %q", q.m.typ, column)
	}
	c := *q
	c.cols = []string{f.col.Name}
	c.rel = relQuery{}
	s, args, err := c.build("select", nil)
	if err != nil {
		return nil, err
	}
	if s, args, err = c.h.db.prepareRaw(s, args); err != nil {
		return nil, err
	}
	op := q.m.hot.opQuery
	rows, err := c.h.query(ctx, s, args)
	if err != nil {
		return nil, c.h.db.wrapErr(op, err)
	}
	defer rows.Close()
	out := []V{}
	conv := f.converts() && reflect.TypeFor[V]() == f.typ
	for rows.Next() {
		out = append(out, *new(V))
		dst := reflect.ValueOf(&out[len(out)-1]).Elem()
		if conv {
			err = rows.Scan(&convScanner{f: f, dst: dst})
		} else {
			err = scanScalar(rows, dst)
		}
		if err != nil {
			return nil, c.h.db.wrapErr(op, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, c.h.db.wrapErr(op, err)
	}
	return out, nil
}

// Count returns the number of matching rows.
func (q *Q[T]) Count(ctx context.Context) (int64, error) {
	s, args, err := q.build("count", nil)
	if err != nil {
		return 0, err
	}
	var n int64
	err = q.h.scalar(ctx, "count "+q.m.table.Name, s, args, &n)
	return n, err
}

// Exists reports whether any row matches.
func (q *Q[T]) Exists(ctx context.Context) (bool, error) {
	s, args, err := q.build("exists", nil)
	if err != nil {
		return false, err
	}
	var n int64
	err = q.h.scalar(ctx, "exists "+q.m.table.Name, s, args, &n)
	if err != nil {
		if isNotFound(err) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// Delete deletes the matching rows (soft-deletes them for a SoftDelete
// model; chain WithDeleted().Delete for a hard delete of those rows) and
// returns how many were affected. With Limit, Offset or Join, the rows
// are those the query selects (by primary key); GroupBy is refused.
func (q *Q[T]) Delete(ctx context.Context) (int64, error) {
	if q.err != nil {
		return 0, q.err
	}
	if q.m.softDelete != nil && q.deleted == hideDeleted {
		return q.UpdateColumns(ctx, map[string]any{q.m.softDelete.col.Name: Now()})
	}
	s, args, err := q.build("delete", nil)
	if err != nil {
		return 0, err
	}
	return q.h.execCount(ctx, "delete "+q.m.table.Name, s, args)
}

// UpdateColumns sets columns (column or Go field names: the map's keys are
// names, never SQL, and an unknown one is an error) to values on the
// matching rows and returns how many were affected. A value is bound as
// an argument, or may be an Expr (raw SQL), computed by the database from the row (GORM's gorm.Expr):
//
//	map[string]any{"stock": orm.Expr("stock - ?", n)}
//
// Columns with an onupdate_fn are refreshed too. Limit, Offset and Join
// apply as for Delete.
func (q *Q[T]) UpdateColumns(ctx context.Context, values map[string]any) (int64, error) {
	if q.err != nil {
		return 0, q.err
	}
	if len(values) == 0 {
		return 0, fmt.Errorf("orm: update %s: no columns", q.m.table.Name)
	}
	d := q.h.db.dialect
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sortStrings(names)
	set := &cond{}
	var b strings.Builder
	seen := map[*field]bool{}
	for _, k := range names {
		f := q.m.lookup(k)
		if f == nil {
			return 0, fmt.Errorf("orm: update %s: no column or field %q", q.m.table.Name, k)
		}
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.Quote(f.col.Name))
		if e, ok := values[k].(Expression); ok {
			b.WriteString(" = (")
			b.WriteString(e.sql)
			b.WriteByte(')')
			set.args = append(set.args, e.args...)
			seen[f] = true
			continue
		}
		b.WriteString(" = ?")
		a, err := fieldArg(q.m, f, values[k])
		if err != nil {
			return 0, fmt.Errorf("orm: update %s: %w", q.m.table.Name, err)
		}
		set.args = append(set.args, a)
		seen[f] = true
	}
	for _, f := range q.m.fields {
		if f.onUpdate != nil && !seen[f] {
			b.WriteString(", ")
			b.WriteString(d.Quote(f.col.Name))
			b.WriteString(" = ?")
			a, err := fieldArg(q.m, f, f.onUpdate())
			if err != nil {
				return 0, fmt.Errorf("orm: update %s: field %s: onupdate_fn: %w", q.m.table.Name, f.name, err)
			}
			set.args = append(set.args, a)
		}
	}
	set.sql = b.String()
	s, args, err := q.build("update", set)
	if err != nil {
		return 0, err
	}
	return q.h.execCount(ctx, "update "+q.m.table.Name, s, args)
}

// Expression is an SQL expression with its arguments; see Expr.
type Expression struct {
	sql  string
	args []any
}

// Expr returns an SQL expression for an UpdateColumns value, written with
// ? placeholders like conditions; its arguments are bound, and a slice
// argument expands to a list. sql is raw SQL by contract, sent as
// written: never build it from user input.
func Expr(sql string, args ...any) Expression { return Expression{sql: sql, args: args} }

// fieldArg converts x, a value for field f, to the bind argument f would
// give it in a row (JSON marshalled, times in UTC microseconds). A value
// that does not fit the field's type is bound as it is.
func fieldArg(m *model, f *field, x any) (any, error) {
	row := reflect.New(m.typ).Elem()
	if x == nil || assignValue(f.of(row), x) != nil {
		return x, nil
	}
	return f.arg(row)
}

// Iter returns the matching rows one at a time, for results too large to
// hold in memory:
//
//	for u, err := range orm.Query[User](db).Iter(ctx) { ... }
//
// The value yielded is reused between iterations only if you keep the
// pointer; each iteration gets a fresh *T. Stopping early closes the rows.
func (q *Q[T]) Iter(ctx context.Context) iter.Seq2[*T, error] {
	return func(yield func(*T, error) bool) {
		if err := q.rel.iterErr(); err != nil {
			yield(nil, err)
			return
		}
		it, err := q.rows(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		defer it.close()
		for it.rows.Next() {
			v := new(T)
			if err := it.rs.scan(it.rows, reflect.ValueOf(v).Elem()); err != nil {
				yield(nil, q.h.db.wrapErr(it.op, err))
				return
			}
			if q.m.hooks&hookAfterFind != 0 {
				if err := q.h.afterFind(ctx, it.op, q.m, []reflect.Value{reflect.ValueOf(v).Elem()}); err != nil {
					yield(nil, err)
					return
				}
			}
			if !yield(v, nil) {
				return
			}
		}
		if err := it.rows.Err(); err != nil {
			yield(nil, q.h.db.wrapErr(it.op, err))
		}
	}
}

// Each calls fn for each matching row, stopping at the first error.
func (q *Q[T]) Each(ctx context.Context, fn func(*T) error) error {
	for v, err := range q.Iter(ctx) {
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// SQL returns the SELECT statement q would run, with the dialect's
// placeholders, and its arguments.
func (q *Q[T]) SQL() (string, []any, error) {
	return q.selectSQL(nil)
}

type rowsIter[T any] struct {
	rows *sql.Rows
	rs   *rowScanner
	db   *DB
	op   string
}

// expandable reports whether a bind argument is a list to expand.
func expandable(a any) (reflect.Value, bool) {
	if a == nil {
		return reflect.Value{}, false
	}
	if _, ok := a.(driver.Valuer); ok {
		return reflect.Value{}, false
	}
	v := reflect.ValueOf(a)
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return reflect.Value{}, false
	}
	if v.Type().Elem().Kind() == reflect.Uint8 {
		return reflect.Value{}, false // []byte is one value
	}
	return v, true
}

// prepareRaw expands list arguments and rebinds ? placeholders to the
// dialect's style. A slice of slices is a list of rows of equal length,
// for row-value comparisons ("(a, b) IN ?"). More values than one
// statement may bind (the dialect's MaxParams) is an error naming both
// numbers, and text holding several statements is ErrMultipleStatements,
// before anything is sent.
func (db *DB) prepareRaw(query string, args []any) (string, []any, error) {
	if err := db.oneStatement(query); err != nil {
		return "", nil, err
	}
	var lists []dialects.List
	n := len(args) // values bound after expansion
	copied := false
	for i, a := range args {
		if b, ok := bindValue(a); ok {
			if !copied {
				args, copied = slices.Clone(args), true // the caller's slice stays as it was
			}
			args[i] = b
			continue
		}
		if v, ok := expandable(a); ok {
			if lists == nil {
				lists = make([]dialects.List, len(args))
				for j := range lists {
					lists[j].Len = 1
				}
			}
			w, err := rowWidth(v)
			if err != nil {
				return "", nil, err
			}
			lists[i] = dialects.List{Len: v.Len(), Width: w}
			n += v.Len()*max(w, 1) - 1
		}
	}
	if limit := db.dialect.MaxParams(); n > limit {
		return "", nil, fmt.Errorf("orm: %d bind values, more than the %d one %s statement accepts: split the list", n, limit, db.dialect.Name())
	}
	if lists == nil {
		return dialects.Rebind(db.dialect, query), args, nil
	}
	q, err := dialects.RebindExpandLists(db.dialect, query, lists)
	if err != nil {
		return "", nil, fmt.Errorf("orm: %w", err)
	}
	flat := make([]any, 0, n)
	for i, a := range args {
		v, ok := expandable(a)
		if !ok {
			flat = append(flat, a)
			continue
		}
		for j := 0; j < v.Len(); j++ {
			if lists[i].Width == 0 {
				flat = appendBound(flat, v.Index(j).Interface())
				continue
			}
			row, _ := expandable(v.Index(j).Interface())
			for k := 0; k < row.Len(); k++ {
				flat = appendBound(flat, row.Index(k).Interface())
			}
		}
	}
	return q, flat, nil
}

func appendBound(args []any, e any) []any {
	if b, ok := bindValue(e); ok {
		e = b
	}
	return append(args, e)
}

// rowWidth returns the length of the rows of a list of rows (a slice
// whose elements are all lists, of one length), or 0 for a list of
// values.
func rowWidth(v reflect.Value) (int, error) {
	w := 0
	for j := 0; j < v.Len(); j++ {
		row, ok := expandable(v.Index(j).Interface())
		switch {
		case !ok && j == 0:
			return 0, nil
		case !ok:
			return 0, fmt.Errorf("orm: list argument mixes rows and values at index %d", j)
		case row.Len() == 0:
			return 0, fmt.Errorf("orm: list of rows with an empty row at index %d", j)
		case j > 0 && row.Len() != w:
			return 0, fmt.Errorf("orm: list of rows with rows of %d and %d values: rows must have one length", w, row.Len())
		}
		w = row.Len()
	}
	if w == 0 && v.Len() == 0 {
		// An empty list of fixed-length rows ([][2]any) keeps its width.
		if et := v.Type().Elem(); et.Kind() == reflect.Array && et.Elem().Kind() != reflect.Uint8 {
			w = et.Len()
		}
	}
	return w, nil
}

// bindValue converts a condition or key argument to the value a field
// of its type binds, and reports whether it did: a time (time.Time or a
// non-nil *time.Time) goes in UTC, since SQLite compares times as the
// texts the driver writes, zone offset included, so a value in another
// zone (such as time.Now() in local time) would not compare as the same
// instant; a UUID ([16]byte type named UUID without a Valuer, or a
// non-nil pointer to one) goes in its canonical text, as uuid fields are
// written (SQLite's and MySQL's drivers refuse arrays).
func bindValue(a any) (any, bool) {
	switch t := a.(type) {
	case nil, string, int, int64, int32, bool, float64, []byte, driver.Valuer:
		return a, false
	case time.Time:
		return t.UTC(), t.Location() != time.UTC
	case *time.Time:
		if t != nil {
			return t.UTC(), true
		}
		return a, false
	}
	v := reflect.ValueOf(a)
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return a, false
		}
		v = v.Elem()
	}
	if t := v.Type(); isUUIDArray(t) && strings.EqualFold(t.Name(), "UUID") {
		var u [16]byte
		reflect.Copy(reflect.ValueOf(&u).Elem(), v)
		return formatUUID(u), true
	}
	return a, false
}
