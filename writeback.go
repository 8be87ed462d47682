package orm

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/tagorm/orm/dialects"
)

// After an INSERT or an upsert the struct holds what the row holds: the
// generated key and the server defaults of the columns left to the
// database come back with RETURNING where the server has it (SQLite,
// PostgreSQL, MariaDB 10.5+), or are read back by key in a second
// statement on the same handle (MySQL 8, older MariaDB, and MariaDB's
// do-nothing upserts, whose RETURNING cannot tell a row left alone from
// a row inserted).

// serverDialect is the dialect a DB writes INSERT statements with.
type serverDialect struct{ d dialects.Dialect }

// serverDialect returns the dialect INSERTs are written for: the DB's
// dialect, or for a dialects.ServerDialect the one its server's version
// calls for, asked with one query on the first call and kept for the
// life of the DB.
func (h *handle) serverDialect(ctx context.Context) (dialects.Dialect, error) {
	if s := h.db.server.Load(); s != nil {
		return s.d, nil
	}
	d := h.db.dialect
	if sd, ok := d.(dialects.ServerDialect); ok {
		var version string
		if err := h.scalar(ctx, "server version", sd.ServerVersionQuery(), nil, &version); err != nil {
			return nil, err
		}
		d = sd.ForServerVersion(version)
	}
	h.db.server.Store(&serverDialect{d: d})
	return d, nil
}

// insertDialect returns the dialect INSERTs are written for once
// serverDialect has run (the DB's own dialect before).
func (db *DB) insertDialect() dialects.Dialect {
	if s := db.server.Load(); s != nil {
		return s.d
	}
	return db.dialect
}

// canReturn reports whether an INSERT with conflict clause c (nil: none)
// reads back what it generated with RETURNING on dialect d.
func canReturn(d dialects.Dialect, c *Conflict) bool {
	if !d.Features().Has(dialects.Returning) {
		return false
	}
	if c != nil && c.doNothing {
		if cr, ok := d.(dialects.ConflictReturner); ok && cr.ReturnsConflictingRows() {
			return false
		}
	}
	return true
}

// upsertKeep returns the omitMask bits of the fields an upsert with
// conflict c binds even when zero: the conflict columns and the columns
// the update copies from the proposed row, since leaving them to their
// server default would write the default instead of the struct's value.
// autoInc reports that the update copies the autoincrement key, which
// cannot be bound when zero (it is generated).
func (m *model) upsertKeep(c *Conflict) (keep uint64, autoInc bool, err error) {
	cc, uc, err := c.resolve(m)
	if err != nil {
		return 0, false, err
	}
	for _, cols := range [2][]string{cc, uc} {
		for _, col := range cols {
			i := m.fieldIndex(m.byCol[col])
			if i == m.hot.autoIncIdx {
				autoInc = autoInc || len(uc) > 0 && slices.Contains(uc, col)
				continue
			}
			if i >= 0 && m.hot.omitBit[i] >= 0 {
				keep |= 1 << m.hot.omitBit[i]
			}
		}
	}
	return keep, autoInc, nil
}

// writeBack fills, after an INSERT without RETURNING, what RETURNING
// would have returned: the server defaults (sh.readBack) of rows, whose
// keys are set, and for an upsert that may have updated a row, that
// row's key. keyed says that the rows' autoincrement keys came from
// LastInsertId (so are those of their rows).
func (h *handle) writeBack(ctx context.Context, m *model, sh *insertShape, rows []reflect.Value, conflict *Conflict, keyed bool) error {
	if conflict == nil || conflict.doNothing {
		// The rows were inserted (a do-nothing upsert gets here only
		// for a row whose key LastInsertId reported): they are found
		// by key.
		if len(sh.readBack) == 0 || len(m.pk) == 0 {
			return nil
		}
		return h.readBack(ctx, m, rows, m.pk, sh.readBack)
	}
	// An upsert that may have updated an existing row: find it by the
	// conflict columns (bound with the rows' values), and take its key.
	match := sh.conflictFields
	var fetch []*field
	for _, f := range sh.readBack {
		if !slices.Contains(match, f) {
			fetch = append(fetch, f)
		}
	}
	for _, f := range m.pk {
		if !slices.Contains(match, f) && !slices.Contains(fetch, f) && !(keyed && f == m.autoInc) {
			fetch = append(fetch, f)
		}
	}
	if len(fetch) == 0 {
		return nil
	}
	return h.readBack(ctx, m, rows, match, fetch)
}

// readBack sets fields of rows from the table's rows that have the rows'
// values in the match fields (rows matching none keep their values).
func (h *handle) readBack(ctx context.Context, m *model, rows []reflect.Value, match, fields []*field) error {
	op := m.hot.opInsert
	d := h.db.dialect
	sel := slices.Clone(match)
	for _, f := range fields {
		if !slices.Contains(sel, f) {
			sel = append(sel, f)
		}
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, f := range sel {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(d.Quote(f.col.Name))
	}
	b.WriteString(" FROM ")
	b.WriteString(d.Quote(m.table.Name))
	b.WriteString(" WHERE ")
	args := make([]any, 0, len(rows)*len(match))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(" OR ")
		}
		b.WriteByte('(')
		writeMatch(d, &b, match, len(args)+1)
		for _, f := range match {
			a, err := f.arg(r)
			if err != nil {
				return h.db.wrapErr(op, err)
			}
			args = append(args, a)
		}
		b.WriteByte(')')
	}
	res, err := h.query(ctx, b.String(), args)
	if err != nil {
		return h.db.wrapErr(op, fmt.Errorf("read back %s: %w", m.table.Name, err))
	}
	defer res.Close()
	plan := &scanPlan{fields: sel, wrap: make([]bool, len(sel))}
	for i, f := range sel {
		plan.wrap[i] = f.converts()
	}
	rs := plan.scanner()
	defer rs.release()
	return h.db.wrapErr(op, scanMatched(res, rs, m, rows, match, fields))
}

// scanMatched scans the result rows of res with rs into fresh values,
// then copies their fields to the rows of rows with the same values in
// the match fields.
func scanMatched(res *sql.Rows, rs *rowScanner, m *model, rows []reflect.Value, match, fields []*field) error {
	buf := newRowBuffer(m.typ, len(rows))
	for res.Next() {
		if err := rs.scan(res, buf.slot()); err != nil {
			return err
		}
		buf.commit()
	}
	if err := res.Err(); err != nil {
		return err
	}
	index := make(map[string]reflect.Value, len(rows))
	for _, r := range rows {
		index[fieldsKey(match, r)] = r
	}
	for i := 0; i < buf.n; i++ {
		g := buf.at(i)
		if r, ok := index[fieldsKey(match, g)]; ok {
			copyFields(fields, g, r)
		}
	}
	return nil
}
