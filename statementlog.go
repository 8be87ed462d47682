package orm

import (
	"time"

	"github.com/tagorm/orm/dialects"
)

// WithSlowThreshold logs a statement that took d or longer (and did not
// fail) at slog.LevelWarn instead of slog.LevelDebug, with the attribute
// slow=true, so that a logger at Info or Warn level shows only the slow
// and the failed statements. It applies to every statement WithLogger
// logs, migrations included. d <= 0 (the default) turns it off.
func WithSlowThreshold(d time.Duration) Option { return func(db *DB) { db.slowLog = d } }

// StatementLogger returns the statement logger set up by WithLogger,
// WithLogArgs and WithSlowThreshold, or nil without WithLogger. The
// migration package uses it (migration.StatementLogging) to log the
// statements it sends through db.
func (db *DB) StatementLogger() *dialects.StatementLogger {
	if db.logger == nil {
		return nil
	}
	return &dialects.StatementLogger{Logger: db.logger, LogArgs: db.logArgs, SlowThreshold: db.slowLog}
}
