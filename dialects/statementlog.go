package dialects

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"time"
)

// StatementLogger logs statements sent to a database through a
// *slog.Logger, one record per statement, with the message "orm:
// statement" and the attributes sql (the statement's text), duration,
// error (when it failed), slow (true, when it was slow) and, only with
// LogArgs, args (the bind arguments).
//
// Levels:
//   - slog.LevelError for a statement that failed (whatever the
//     cause: a constraint violation, a cancelled context, a lost
//     connection);
//   - slog.LevelWarn for one that succeeded but took SlowThreshold or
//     longer;
//   - slog.LevelDebug for any other.
//
// The duration of a query is the time until its first result is
// available, not the time to read every row.
//
// Without LogArgs, the values of the string and []byte arguments (of 3
// bytes or more) are also replaced by "?" in the error text, since
// databases quote them in their messages (MySQL: "Duplicate entry
// '<value>' for key ...").
//
// A nil *StatementLogger, or one with a nil Logger, logs nothing. The
// value must not change once in use; it is then safe for concurrent use.
type StatementLogger struct {
	// Logger receives the records.
	Logger *slog.Logger
	// LogArgs adds the bind arguments to each record. They are left out
	// by default, since they may hold secrets.
	LogArgs bool
	// SlowThreshold, when positive, is the duration from which a
	// statement that succeeded is logged at slog.LevelWarn.
	SlowThreshold time.Duration
}

// StatementLogMessage is the message of every record a StatementLogger
// writes.
const StatementLogMessage = "orm: statement"

// Enabled reports whether l logs anything.
func (l *StatementLogger) Enabled() bool { return l != nil && l.Logger != nil }

// Level returns the level of a statement that took d and ended with
// err, under the rules of the type's documentation.
func (l *StatementLogger) Level(d time.Duration, err error) slog.Level {
	switch {
	case err != nil:
		return slog.LevelError
	case l != nil && l.SlowThreshold > 0 && d >= l.SlowThreshold:
		return slog.LevelWarn
	}
	return slog.LevelDebug
}

// Log logs one statement that took d and ended with err (nil on
// success). It does nothing when l is not Enabled.
func (l *StatementLogger) Log(ctx context.Context, query string, args []any, d time.Duration, err error) {
	if !l.Enabled() {
		return
	}
	level := l.Level(d, err)
	if !l.Logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 5)
	attrs = append(attrs, slog.String("sql", query), slog.Duration("duration", d))
	if l.LogArgs && len(args) > 0 {
		attrs = append(attrs, slog.Any("args", args))
	}
	if err != nil {
		msg := err.Error()
		if !l.LogArgs {
			msg = redactArgs(msg, args)
		}
		attrs = append(attrs, slog.String("error", msg))
	} else if level == slog.LevelWarn {
		attrs = append(attrs, slog.Bool("slow", true))
	}
	l.Logger.LogAttrs(ctx, level, StatementLogMessage, attrs...)
}

// Querier returns a Querier that runs every statement on q and logs it
// with l; q itself when l is not Enabled. Statement errors of
// QueryRowContext are those of (*sql.Row).Err: sql.ErrNoRows, reported
// only by Scan, is not a failure of the statement.
func (l *StatementLogger) Querier(q Querier) Querier {
	if !l.Enabled() || q == nil {
		return q
	}
	return &loggedQuerier{q: q, l: l}
}

// Conn returns conn as a SessionConn whose statements are logged with
// l; conn itself when l is not Enabled.
func (l *StatementLogger) Conn(conn *sql.Conn) SessionConn {
	if !l.Enabled() {
		return conn
	}
	return &loggedConn{loggedQuerier: loggedQuerier{q: conn, l: l}, conn: conn}
}

// SessionConn is one connection held for a migration: a *sql.Conn, or
// one wrapped by StatementLogger.Conn so that its statements are
// logged. Raw is (*sql.Conn).Raw.
type SessionConn interface {
	Querier
	Raw(f func(driverConn any) error) error
}

type loggedQuerier struct {
	q Querier
	l *StatementLogger
}

func (w *loggedQuerier) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	start := time.Now()
	res, err := w.q.ExecContext(ctx, query, args...)
	w.l.Log(ctx, query, args, time.Since(start), err)
	return res, err
}

func (w *loggedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	start := time.Now()
	rows, err := w.q.QueryContext(ctx, query, args...)
	w.l.Log(ctx, query, args, time.Since(start), err)
	return rows, err
}

func (w *loggedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	start := time.Now()
	row := w.q.QueryRowContext(ctx, query, args...)
	w.l.Log(ctx, query, args, time.Since(start), row.Err())
	return row
}

type loggedConn struct {
	loggedQuerier
	conn *sql.Conn
}

func (c *loggedConn) Raw(f func(driverConn any) error) error { return c.conn.Raw(f) }

var (
	_ SessionConn = (*sql.Conn)(nil)
	_ SessionConn = (*loggedConn)(nil)
)

// redactArgs replaces in msg every string and []byte argument of 3
// bytes or more by "?".
func redactArgs(msg string, args []any) string {
	for _, a := range args {
		var v string
		switch x := a.(type) {
		case string:
			v = x
		case *string:
			if x != nil {
				v = *x
			}
		case []byte:
			v = string(x)
		case sql.NamedArg:
			msg = redactArgs(msg, []any{x.Value})
			continue
		}
		if len(v) >= 3 {
			msg = strings.ReplaceAll(msg, v, "?")
		}
	}
	return msg
}
