package orm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"

	"github.com/tagorm/orm/dialects"
)

// ErrMultipleStatements is returned, before anything is sent, when SQL
// text passed to tagorm holds more than one statement ("UPDATE ...; DROP
// TABLE x"): raw Exec and Select, the scalar helpers, and query builder
// fragments (Where, Or, Having, Join, Expr, ...), in a transaction or not.
// The error names the byte offset and the text of the second statement.
// A trailing ; and trailing comments are part of one statement. With
// WithMultiStatements, Exec runs such text instead.
var ErrMultipleStatements = errors.New("SQL text holds more than one statement")

// WithMultiStatements lets Exec run SQL text holding several statements (a
// script: "CREATE TABLE a (...); CREATE INDEX ..."). The text is sent
// whole, unprepared, and the database runs every statement in order,
// stopping at the first that fails, whose error Exec returns; the Result
// describes the last statement. PostgreSQL runs the statements of one call
// in a single implicit transaction unless they hold their own BEGIN and
// COMMIT; SQLite and MySQL commit each one on its own outside a
// transaction. Such a call takes no bound arguments (they would have to be
// inlined into the text, which tagorm never does): with arguments it
// fails with ErrMultipleStatements. Every other API still refuses several
// statements.
//
// MySQL runs several statements in one call only when the connection
// allows it: Open and OpenURL add multiStatements=true to the DSN when
// this option is given; a *sql.DB passed to New or Wrap must have it in
// its own DSN.
func WithMultiStatements() Option { return allowMultiStatements }

func allowMultiStatements(db *DB) { db.multiStatements = true }

// multiStatementDSN returns dsn as d's driver needs it to run several
// statements in one call when opts include WithMultiStatements, and
// whether it changed it.
func multiStatementDSN(d dialects.Dialect, dsn string, opts []Option) (string, bool, error) {
	want := reflect.ValueOf(allowMultiStatements).Pointer()
	for _, o := range opts {
		if o != nil && reflect.ValueOf(o).Pointer() == want {
			return dialects.MultiStatementDSN(d, dsn)
		}
	}
	return dsn, false, nil
}

// oneStatement returns an ErrMultipleStatements error when query holds
// more than one statement, naming where the second one starts. A query
// without a ; costs one byte search.
func (db *DB) oneStatement(query string) error {
	k := dialects.SecondStatement(db.dialect, query)
	if k < 0 {
		return nil
	}
	hint := "send one statement per call"
	if db.multiStatements {
		hint += "; only Exec without arguments runs several (WithMultiStatements)"
	} else {
		hint += ", or open the DB with orm.WithMultiStatements to let Exec run several"
	}
	return fmt.Errorf("orm: %w: the second starts at byte %d: %s (%s)", ErrMultipleStatements, k, snippet(query[k:]), hint)
}

// snippet quotes the start of s, at most 40 bytes of it.
func snippet(s string) string {
	const max = 40
	if len(s) <= max {
		return fmt.Sprintf("%q", s)
	}
	n := max
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return fmt.Sprintf("%q...", s[:n])
}

// execScript runs query, when it holds several statements and the DB
// allows it (WithMultiStatements), whole and unprepared, and reports
// whether it did; any other query is left to Exec's ordinary path.
func (h *handle) execScript(ctx context.Context, query string, args []any) (sql.Result, bool, error) {
	db := h.db
	if !db.multiStatements || dialects.SecondStatement(db.dialect, query) < 0 {
		return nil, false, nil
	}
	if len(args) > 0 {
		err := fmt.Errorf("orm: exec: %w: several statements take no bound arguments (run them one per call)", ErrMultipleStatements)
		return nil, true, err
	}
	q := dialects.Rebind(db.dialect, query)
	var start time.Time
	if db.logger != nil {
		start = time.Now()
	}
	// Without arguments, database/sql hands the text to the driver as it
	// is (no prepared statement, which would hold only the first one).
	res, err := h.ex.ExecContext(ctx, q)
	if db.logger != nil {
		db.logStatement(ctx, q, nil, time.Since(start), err)
	}
	if err != nil && !db.multiStatementDSN {
		if _, ok := db.dialect.(dialects.MultiStatementDialect); ok {
			return nil, true, fmt.Errorf("%w (several statements in one call need multiStatements=true in the DSN of a *sql.DB given to New or Wrap)", db.wrapErr("exec", err))
		}
	}
	return res, true, db.wrapErr("exec", err)
}
