package orm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tagorm/orm/dialects"
)

// execer is what a handle runs statements on: a pool or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Handle is a *DB or a *Session: anything the query builder and the
// package-level helpers can run on, and what model hooks receive (the
// Session when the operation runs in a transaction), with the methods
// both have. Only *DB and *Session implement it.
type Handle interface {
	Insert(ctx context.Context, v any) error
	Upsert(ctx context.Context, v any, c *Conflict) error
	Get(ctx context.Context, dest any, pk ...any) error
	Update(ctx context.Context, v any, columns ...string) error
	Delete(ctx context.Context, v any) error
	HardDelete(ctx context.Context, v any) error
	Load(ctx context.Context, v any, path string, fn ...func(*PreloadQuery)) error
	Association(owner any, name string) *Association
	Select(ctx context.Context, dest any, query string, args ...any) error
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	base() *handle
}

// handle holds the methods *DB and *Session share: CRUD and raw SQL run
// the same way inside and outside a transaction.
type handle struct {
	db   *DB
	ex   execer
	sess *Session // set when ex is a Session's transaction
}

func (h *handle) base() *handle { return h }

// exec runs a statement, logging it when the DB has a logger.
func (h *handle) exec(ctx context.Context, query string, args []any) (sql.Result, error) {
	if h.sess != nil && h.sess.conflict != nil {
		return nil, h.sess.aborted()
	}
	var start time.Time
	if h.db.logger != nil {
		start = time.Now()
	}
	var res sql.Result
	cs, err := h.cached(ctx, query)
	switch {
	case cs != nil:
		st := cs.st
		if h.sess != nil {
			st = h.sess.tx.StmtContext(ctx, st)
		}
		res, err = st.ExecContext(ctx, args...)
		cs.release()
	case err == nil:
		// Concrete calls: database/sql does not keep args, so a
		// caller's argument buffer can stay on its stack.
		switch ex := h.ex.(type) {
		case *sqlx.DB:
			res, err = ex.DB.ExecContext(ctx, query, args...)
		case *sqlx.Tx:
			res, err = ex.Tx.ExecContext(ctx, query, args...)
		default:
			res, err = h.ex.ExecContext(ctx, query, detach(args)...)
		}
	}
	if err != nil && h.sess != nil {
		h.sess.noteConflict(err)
	}
	if h.db.logger != nil {
		h.db.logStatement(ctx, query, args, time.Since(start), err)
	}
	return res, err
}

// cached returns the DB's prepared statement for query, if it should use
// one: only for DML, and inside a transaction only when the statement is
// already prepared (preparing goes through another pooled connection,
// which must not wait on the transaction's locks).
func (h *handle) cached(ctx context.Context, query string) (*cachedStmt, error) {
	if h.db.stmts == nil || !isDML(query) {
		return nil, nil
	}
	if h.sess != nil {
		return h.db.stmts.lookup(query), nil
	}
	return h.db.stmts.get(ctx, h.db.x.DB, query)
}

// isDML reports whether query is a SELECT, INSERT, UPDATE, DELETE or WITH
// statement: the statements worth keeping prepared.
func isDML(query string) bool {
	if len(query) < 6 {
		return false
	}
	switch query[0] | 0x20 {
	case 's', 'i', 'u', 'd':
		w := query[:6]
		return strings.EqualFold(w, "SELECT") || strings.EqualFold(w, "INSERT") ||
			strings.EqualFold(w, "UPDATE") || strings.EqualFold(w, "DELETE")
	case 'w':
		return strings.EqualFold(query[:4], "WITH")
	}
	return false
}

// query runs a query, logging it when the DB has a logger.
func (h *handle) query(ctx context.Context, query string, args []any) (*sql.Rows, error) {
	if h.sess != nil && h.sess.conflict != nil {
		return nil, h.sess.aborted()
	}
	var start time.Time
	if h.db.logger != nil {
		start = time.Now()
	}
	var rows *sql.Rows
	cs, err := h.cached(ctx, query)
	switch {
	case cs != nil:
		st := cs.st
		if h.sess != nil {
			st = h.sess.tx.StmtContext(ctx, st)
		}
		// Open rows keep the statement alive even if it is evicted.
		rows, err = st.QueryContext(ctx, args...)
		cs.release()
	case err == nil:
		switch ex := h.ex.(type) {
		case *sqlx.DB:
			rows, err = ex.DB.QueryContext(ctx, query, args...)
		case *sqlx.Tx:
			rows, err = ex.Tx.QueryContext(ctx, query, args...)
		default:
			rows, err = h.ex.QueryContext(ctx, query, detach(args)...)
		}
	}
	if err != nil && staleResult(err) {
		if db, ok := h.ex.(*sqlx.DB); ok {
			// Outside a transaction, run it again: each connection it
			// fails on drops the stale statement, so it succeeds at the
			// latest once every open connection has failed.
			for n := db.Stats().OpenConnections; n >= 0 && err != nil && staleResult(err); n-- {
				rows, err = db.DB.QueryContext(ctx, query, args...)
			}
		}
	}
	if err != nil && h.sess != nil {
		h.sess.noteConflict(err)
	}
	if h.db.logger != nil {
		h.db.logStatement(ctx, query, args, time.Since(start), err)
	}
	return rows, err
}

// staleResult reports whether err is PostgreSQL's "cached plan must not
// change result type" (SQLSTATE 0A000): a statement the driver prepared
// and cached on a connection (pgx does) now returns other columns, since
// the schema changed (SELECT * after ALTER TABLE). pgx drops the
// statement from that connection's cache when it fails, so running it
// again prepares it afresh. Inside a transaction the error aborts the
// transaction and is returned as it is.
func staleResult(err error) bool {
	var se interface{ SQLState() string }
	return errors.As(err, &se) && se.SQLState() == "0A000" &&
		strings.Contains(err.Error(), "cached plan must not change result type")
}

// logStatement logs a statement with the DB's logger. The logger is given
// a copy of args (or nil when it does not use them: without WithLogArgs,
// only a failed statement's error message is redacted with them), never
// args itself, so that callers' argument buffers stay on their stacks.
func (db *DB) logStatement(ctx context.Context, query string, args []any, d time.Duration, err error) {
	var logged []any // a variable of its own: escape analysis does not tell assignments apart
	if db.logArgs || err != nil {
		logged = detach(args)
	}
	l := dialects.StatementLogger{Logger: db.logger, LogArgs: db.logArgs, SlowThreshold: db.slowLog}
	l.Log(ctx, query, logged, d, err)
}

// Session is a transaction. It has the same query methods as DB; they run
// inside the transaction. A Session is not safe for concurrent use.
type Session struct {
	handle
	tx    *sqlx.Tx
	ctx   context.Context // Begin's: it bounds the transaction, COMMIT included
	depth int             // savepoint nesting depth of nested Transaction calls
	done  bool
	// release ends a read-only transaction's hold on its connection
	// (dialects.EnforceReadOnly), or is nil.
	release func() error
	// conflict is the first serialization failure or deadlock a
	// statement met (see noteConflict): later statements fail, and
	// Transaction does not commit.
	conflict *ConflictError
}

// Begin starts a transaction. The caller must Commit or Rollback it;
// Transaction does that for you.
func (db *DB) Begin(ctx context.Context, opts *sql.TxOptions) (*Session, error) {
	start := time.Now()
	var tx *sqlx.Tx
	var release func() error
	var err error
	if dialects.NeedsReadOnly(db.dialect, opts) {
		// The driver ignores opts.ReadOnly: the transaction gets a
		// connection of its own, made read-only until it ends.
		tx, release, err = db.beginReadOnly(ctx, opts, start)
	} else {
		tx, err = db.x.BeginTxx(ctx, opts)
		if db.logger != nil {
			db.logStatement(ctx, "BEGIN", nil, time.Since(start), err)
		}
	}
	if err != nil {
		return nil, db.wrapErr("begin", err)
	}
	s := &Session{tx: tx, ctx: ctx, release: release}
	s.handle = handle{db: db, ex: tx}
	s.sess = s
	return s, nil
}

// beginReadOnly begins a read-only transaction on a connection reserved
// for it and made read-only (dialects.EnforceReadOnly); release gives the
// connection back once the transaction has ended. BEGIN, begun at start,
// is logged before the statements that make the connection read-only.
func (db *DB) beginReadOnly(ctx context.Context, opts *sql.TxOptions, start time.Time) (*sqlx.Tx, func() error, error) {
	conn, err := db.x.Connx(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err := conn.BeginTxx(ctx, opts)
	if db.logger != nil {
		db.logStatement(ctx, "BEGIN", nil, time.Since(start), err)
	}
	if err != nil {
		return nil, nil, errors.Join(err, conn.Close())
	}
	release, err := dialects.EnforceReadOnly(ctx, db.dialect, conn.Conn, tx.Tx, db.StatementLogger())
	if err != nil {
		return nil, nil, err
	}
	return tx, release, nil
}

// Commit commits the transaction. It returns within the deadline of the
// context the transaction was begun with, on every dialect. When that
// context has ended already, nothing is committed and the error wraps
// the context's error. When the COMMIT may have reached the database but
// no answer came back (the connection broke, or the context ended
// meanwhile), the error matches ErrCommitOutcomeUnknown; any other error
// means the transaction was rolled back.
func (s *Session) Commit() error {
	if s.done {
		return fmt.Errorf("orm: commit: %w", sql.ErrTxDone)
	}
	if s.conflict != nil {
		// The database aborted (or, on MySQL/MariaDB, already rolled
		// back) the transaction: committing would at best commit the
		// statements that ran after the conflict on their own.
		_ = s.Rollback()
		return s.aborted()
	}
	s.done = true
	start := time.Now()
	err := s.commit()
	if s.db.logger != nil {
		s.db.logStatement(context.Background(), "COMMIT", nil, time.Since(start), err)
	}
	if s.release != nil {
		// After the log of COMMIT: release sends statements of its own.
		if rerr := s.release(); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return s.db.wrapErr("commit", err)
}

// Rollback aborts the transaction. Rolling back a finished transaction is
// a no-op, so `defer s.Rollback()` is safe after Commit.
func (s *Session) Rollback() error {
	if s.done {
		return nil
	}
	s.done = true
	start := time.Now()
	err := s.tx.Rollback()
	if s.db.logger != nil {
		s.db.logStatement(context.Background(), "ROLLBACK", nil, time.Since(start), err)
	}
	if s.release != nil {
		// After the log of ROLLBACK: release sends statements of its own.
		if rerr := s.release(); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return s.db.wrapErr("rollback", err)
}

// Tx returns the underlying *sqlx.Tx.
func (s *Session) Tx() *sqlx.Tx { return s.tx }

// Transaction runs fn in a transaction: it commits when fn returns nil and
// rolls back when fn returns an error or panics (the panic then goes on).
// fn's error is returned as it is. If a statement of the transaction
// failed with a serialization failure or deadlock (ErrSerialization,
// ErrDeadlock), which abort the whole transaction, every later statement
// of it fails with that error, and Transaction rolls back and returns it
// even if fn returned nil: on MySQL/MariaDB, whose deadlock victim is
// rolled back at once, the statements after it would otherwise run and
// commit on their own.
//
// opts set the isolation level (WithIsolation), make the transaction
// read-only (WithReadOnly) and re-run fn on conflicts (WithRetry, which
// says what fn must then be written for).
func (db *DB) Transaction(ctx context.Context, fn func(tx *Session) error, opts ...TxOption) error {
	return db.transaction(ctx, fn, opts)
}

// runTx runs fn once in a transaction begun with opts (see Transaction);
// atCommit says the error is COMMIT's.
func (db *DB) runTx(ctx context.Context, opts *sql.TxOptions, fn func(tx *Session) error) (atCommit bool, err error) {
	s, err := db.Begin(ctx, opts)
	if err != nil {
		return false, err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = s.Rollback()
			panic(p)
		}
	}()
	if err := fn(s); err != nil {
		if rbErr := s.Rollback(); rbErr != nil && !rolledBack(ctx, rbErr) {
			return false, errors.Join(err, rbErr)
		}
		return false, err
	}
	if s.conflict != nil {
		return false, s.Commit() // refused: rolls back, returns the conflict
	}
	return true, s.Commit()
}

// rolledBack reports whether a failed rollback only says that the
// transaction is over already: database/sql rolls a transaction back by
// itself when its context ends, so fn's own error (often the context's)
// is the whole story.
func rolledBack(ctx context.Context, rbErr error) bool {
	return ctx.Err() != nil || errors.Is(rbErr, sql.ErrTxDone)
}

// Transaction runs fn in a nested transaction: a savepoint inside s. The
// savepoint is released when fn returns nil and rolled back to (leaving
// the outer transaction usable) when fn returns an error or panics. It is
// never retried on its own: the outermost DB.Transaction is the unit of
// retry (see WithRetry), and after a serialization failure or deadlock
// the savepoint cannot save the outer transaction.
func (s *Session) Transaction(ctx context.Context, fn func(tx *Session) error) (err error) {
	if s.done {
		return fmt.Errorf("orm: transaction: %w", sql.ErrTxDone)
	}
	s.depth++
	defer func() { s.depth-- }()
	sp := fmt.Sprintf("tagorm_sp%d", s.depth)
	if _, err := s.exec(ctx, "SAVEPOINT "+sp, nil); err != nil {
		return s.db.wrapErr("savepoint", err)
	}
	rollback := func() error {
		_, err := s.exec(ctx, "ROLLBACK TO SAVEPOINT "+sp, nil)
		return s.db.wrapErr("rollback to savepoint", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = rollback()
			panic(p)
		}
	}()
	if err := fn(s); err != nil {
		if rbErr := rollback(); rbErr != nil && !rolledBack(ctx, rbErr) {
			return errors.Join(err, rbErr)
		}
		return err
	}
	_, err = s.exec(ctx, "RELEASE SAVEPOINT "+sp, nil)
	return s.db.wrapErr("release savepoint", err)
}
