package dbtest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/tagorm/orm/dialects"
)

// LoggedStatement is one record of tagorm's statement log.
type LoggedStatement struct {
	Level    slog.Level
	SQL      string
	Error    string // "" when the statement succeeded
	Slow     bool
	Duration time.Duration
	// Args is the args attribute, nil when it was not logged.
	Args any
	// Text is the whole record as text, for checks that a secret
	// appears nowhere in it.
	Text string
}

// StatementLog is a slog.Handler that keeps the records of tagorm's
// statement log (message dialects.StatementLogMessage), at every level,
// and calls OnRecord, when set, with each one as it is logged. Safe for
// concurrent use.
type StatementLog struct {
	OnRecord func(LoggedStatement)
	mu       sync.Mutex
	recs     []LoggedStatement
}

// Logger returns a logger writing to h.
func (h *StatementLog) Logger() *slog.Logger { return slog.New(h) }

// Records returns the statements logged so far, in order.
func (h *StatementLog) Records() []LoggedStatement {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.recs)
}

// SQL returns the SQL text of the statements logged so far, in order.
func (h *StatementLog) SQL() []string {
	var out []string
	for _, r := range h.Records() {
		out = append(out, r.SQL)
	}
	return out
}

// TakeSQL returns the SQL text of the statements logged so far, in
// order, and forgets them (a statement logged meanwhile is in this call's
// result or the next's).
func (h *StatementLog) TakeSQL() []string {
	h.mu.Lock()
	recs := h.recs
	h.recs = nil
	h.mu.Unlock()
	var out []string
	for _, r := range recs {
		out = append(out, r.SQL)
	}
	return out
}

// Reset forgets the records kept so far.
func (h *StatementLog) Reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = nil
}

// Enabled implements slog.Handler: every level is kept.
func (h *StatementLog) Enabled(context.Context, slog.Level) bool { return true }

// Handle implements slog.Handler.
func (h *StatementLog) Handle(_ context.Context, r slog.Record) error {
	if r.Message != dialects.StatementLogMessage {
		return nil
	}
	ls := LoggedStatement{Level: r.Level, Text: r.Level.String() + " " + r.Message}
	r.Attrs(func(a slog.Attr) bool {
		ls.Text += " " + a.String()
		switch a.Key {
		case "sql":
			ls.SQL = a.Value.String()
		case "error":
			ls.Error = a.Value.String()
		case "duration":
			ls.Duration = a.Value.Duration()
		case "slow":
			ls.Slow = a.Value.Bool()
		case "args":
			ls.Args = a.Value.Any()
		}
		return true
	})
	h.mu.Lock()
	h.recs = append(h.recs, ls)
	h.mu.Unlock()
	if h.OnRecord != nil {
		h.OnRecord(ls)
	}
	return nil
}

// WithAttrs implements slog.Handler (attributes are not kept).
func (h *StatementLog) WithAttrs([]slog.Attr) slog.Handler { return h }

// WithGroup implements slog.Handler (groups are not kept).
func (h *StatementLog) WithGroup(string) slog.Handler { return h }

// SlowStatement returns a statement that takes about d on db's database
// (PostgreSQL pg_sleep, MySQL SLEEP; on SQLite, which has no sleep, a
// recursive count of 3,000 rows per millisecond of d, which takes from
// a third of d on a fast machine to several times d on a slow one).
func (db *DB) SlowStatement(d time.Duration) string {
	switch db.Name {
	case "postgres":
		return fmt.Sprintf("SELECT pg_sleep(%g)", d.Seconds())
	case "mysql":
		return fmt.Sprintf("DO SLEEP(%g)", d.Seconds())
	}
	n := int64(d/time.Millisecond) * 3000
	return fmt.Sprintf("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < %d) SELECT COUNT(*) FROM c", n)
}
