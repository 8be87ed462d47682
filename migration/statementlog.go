package migration

import (
	"github.com/tagorm/orm/dialects"
)

// StatementLogging is an optional interface of a Conn that logs the
// statements run on it; *orm.DB implements it (its WithLogger,
// WithLogArgs and WithSlowThreshold options). Given such a Conn, every
// function of this package that reaches the database (AutoMigrate,
// Plan, Check, Apply, Inspect, Current, Upgrade, Downgrade, Stamp,
// UpgradeSQL, DowngradeSQL) logs each statement it sends through it:
// inspection queries, data checks, lock and unlock, connection set-up,
// BEGIN/COMMIT/ROLLBACK, DDL and version-table statements. The
// StatementLogger may be nil (nothing is logged).
type StatementLogging interface {
	StatementLogger() *dialects.StatementLogger
}

// WithStatementLogger logs every statement the migration sends through
// l (see StatementLogging for which), in place of the Conn's own logger;
// nil logs nothing. Use it with a Conn made by Wrap:
//
//	l := &dialects.StatementLogger{Logger: slog.Default(), SlowThreshold: time.Second}
//	err := migration.AutoMigrate(ctx, migration.Wrap(d, sqlDB), md, migration.WithStatementLogger(l))
func WithStatementLogger(l *dialects.StatementLogger) Option {
	return func(o *options) { o.log, o.logSet = l, true }
}

// statementLogger returns the logger of a migration on c: the one given
// with WithStatementLogger, else c's own (StatementLogging), else nil.
func (o *options) statementLogger(c Conn) *dialects.StatementLogger {
	if o.logSet {
		return o.log
	}
	if sl, ok := c.(StatementLogging); ok {
		return sl.StatementLogger()
	}
	return nil
}

// pool returns c's connection pool as a Querier that logs the
// statements run on it with the migration's logger.
func (o *options) pool(c Conn) dialects.Querier {
	return o.statementLogger(c).Querier(c.DB())
}
