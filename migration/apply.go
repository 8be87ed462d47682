package migration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// Option configures AutoMigrate, Plan, Check and Apply.
type Option func(*options)

type options struct {
	allowDrops, allowNarrowing, allowDestructive bool
	targetOnly                                   bool
	lockTimeout                                  time.Duration
	onStatement                                  func(stmt string)
	inspect                                      []InspectOption
	compare                                      []CompareOption
	log                                          *dialects.StatementLogger
	logSet                                       bool // WithStatementLogger was given
}

func newOptions(opts []Option) *options {
	o := &options{lockTimeout: 5 * time.Minute}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// LockTimeout sets how long to wait for the migration lock held by
// another process (default 5 minutes; 0 waits until the context is done).
func LockTimeout(d time.Duration) Option { return func(o *options) { o.lockTimeout = d } }

// OnStatement calls fn with each DDL statement just before it runs (for
// logging). It is not called for the lock, transaction control and
// inspection queries.
func OnStatement(fn func(stmt string)) Option { return func(o *options) { o.onStatement = fn } }

// WithInspectOptions passes options to the inspection of the live schema,
// e.g. ExcludeTables for tables another tool manages.
func WithInspectOptions(opts ...InspectOption) Option {
	return func(o *options) { o.inspect = append(o.inspect, opts...) }
}

// ErrNoLocker is returned (wrapped) when the dialect does not implement
// dialects.Locker.
var ErrNoLocker = errors.New("dialect has no migration lock (it does not implement dialects.Locker)")

// ApplyError reports a statement that failed while applying a migration.
type ApplyError struct {
	// Statement is the statement that failed, Index its position (from 0)
	// among all the migration's statements.
	Statement string
	Index     int
	// Op is the change the statement belongs to.
	Op Op
	// Applied lists the statements that ran and stay applied: none where
	// the migration ran in one transaction (PostgreSQL, SQLite), the
	// statements before the failing one on MySQL/MariaDB (DDL is not
	// transactional there). Running the migration again continues from
	// where it stopped, since it compares with the live schema again.
	Applied []string
	// RolledBack reports that the migration ran in a transaction that was
	// rolled back: the schema is as it was before.
	RolledBack bool
	Err        error
}

// Error implements error.
func (e *ApplyError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "migration: %s: statement %d failed: %v\n  statement: %s", e.Op, e.Index+1, e.Err, e.Statement)
	switch {
	case e.RolledBack:
		b.WriteString("\n  rolled back: the schema is unchanged")
	case len(e.Applied) == 0:
		b.WriteString("\n  no statement was applied")
	default:
		fmt.Fprintf(&b, "\n  %d statement(s) before it stay applied (DDL is not transactional on this database); run the migration again to continue:", len(e.Applied))
		for _, s := range e.Applied {
			b.WriteString("\n    ")
			b.WriteString(s)
		}
	}
	return b.String()
}

// Unwrap returns the underlying error.
func (e *ApplyError) Unwrap() error { return e.Err }

// Apply applies ops (written by hand, or returned by Compare) to the
// database as they are: it does not refuse destructive changes. It takes
// the migration lock, reads the live schema (which the statements of some
// changes depend on: MySQL's MODIFY COLUMN, SQLite's table rebuilds) and
// runs every statement in one transaction where the dialect allows it
// (PostgreSQL, SQLite). On MySQL/MariaDB it stops at the first failing
// statement; see ApplyError.
func Apply(ctx context.Context, conn Conn, ops []Op, opts ...Option) error {
	o := newOptions(opts)
	if len(ops) == 0 {
		return nil
	}
	return migrate(ctx, conn, o, func(ctx context.Context, q dialects.Querier) ([]step, error) {
		live, err := inspectWith(ctx, conn.Dialect(), q, o, nil)
		if err != nil {
			return nil, err
		}
		return render(ctx, conn.Dialect(), q, live, ops)
	})
}

// inspectWith inspects the live schema through q (a connection holding
// the migration lock, or a transaction). With target set and
// TargetTablesOnly, only the target's tables (and those they were
// renamed from) are read.
func inspectWith(ctx context.Context, d dialects.Dialect, q dialects.Querier, o *options, target *schema.MetaData) (*schema.MetaData, error) {
	in, ok := d.(dialects.Inspector)
	if !ok {
		return nil, fmt.Errorf("migration: inspect: %s: %w", d.Name(), ErrNoInspector)
	}
	var io dialects.InspectOptions
	for _, opt := range o.inspectOptions(target) {
		opt(&io)
	}
	io.Exclude = append(io.Exclude, VersionTable)
	md, err := in.Inspect(ctx, q, io)
	if err != nil {
		return nil, fmt.Errorf("migration: inspect: %w", err)
	}
	return md, nil
}

func (o *options) inspectOptions(target *schema.MetaData) []InspectOption {
	opts := o.inspect
	if o.targetOnly && target != nil {
		var names []string
		for _, t := range target.Tables {
			names = append(names, t.Name)
			if t.RenamedFrom != "" {
				names = append(names, t.RenamedFrom)
			}
		}
		if len(names) == 0 {
			names = []string{"\x00none"}
		}
		opts = append(opts[:len(opts):len(opts)], OnlyTables(names...))
	}
	return opts
}

// migrate runs a migration on a dedicated connection: it prepares the
// connection, takes the lock, calls plan (which inspects through q and
// returns the statements), runs them in a transaction where the dialect
// allows it, and releases everything.
//
// PostgreSQL: pg_advisory_lock, plan, early statements (ALTER TYPE ...
// ADD VALUE, each committed), BEGIN, statements, COMMIT, unlock.
// SQLite: PRAGMA foreign_keys=OFF, BEGIN IMMEDIATE (the lock), plan,
// statements, PRAGMA foreign_key_check, COMMIT, PRAGMA foreign_keys=ON.
// MySQL: GET_LOCK, plan, statements, RELEASE_LOCK.
func migrate(ctx context.Context, c Conn, o *options, plan func(context.Context, dialects.Querier) ([]step, error)) (err error) {
	if c == nil || c.Dialect() == nil || c.DB() == nil {
		return errors.New("migration: Conn has no dialect or no *sql.DB")
	}
	d := c.Dialect()
	locker, ok := d.(dialects.Locker)
	if !ok {
		return fmt.Errorf("migration: %s: %w", d.Name(), ErrNoLocker)
	}
	raw, err := c.DB().Conn(ctx)
	if err != nil {
		return fmt.Errorf("migration: get a connection: %w", err)
	}
	defer raw.Close()
	log := o.statementLogger(c)
	conn := log.Conn(raw)
	ms, _ := d.(dialects.MigrationSession)
	if ms != nil {
		restore, err := ms.PrepareConn(ctx, conn)
		if err != nil {
			return fmt.Errorf("migration: %w", err)
		}
		defer func() {
			if rerr := restore(context.WithoutCancel(ctx)); rerr != nil {
				dialects.DiscardConn(conn)
				if err == nil {
					err = fmt.Errorf("migration: %w", rerr)
				}
			}
		}()
	}
	lock, err := locker.Lock(ctx, conn, o.lockTimeout)
	if err != nil {
		return fmt.Errorf("migration: lock: %w", err)
	}
	s := &session{ctx: ctx, raw: raw, conn: conn, log: log, o: o, ms: ms, inLockTx: lock.InTransaction}
	if !lock.InTransaction {
		defer func() {
			if rerr := lock.Release(context.WithoutCancel(ctx), conn); rerr != nil && err == nil {
				err = fmt.Errorf("migration: unlock: %w", rerr)
			}
		}()
	}
	return s.run(d, plan)
}

type session struct {
	ctx      context.Context
	raw      *sql.Conn
	conn     dialects.SessionConn // raw, logging its statements when log is set
	log      *dialects.StatementLogger
	o        *options
	ms       dialects.MigrationSession
	inLockTx bool // the lock is a transaction begun on conn (SQLite)
}

func (s *session) run(d dialects.Dialect, plan func(context.Context, dialects.Querier) ([]step, error)) error {
	ctx := s.ctx
	rollback := func() {
		if s.inLockTx {
			if _, err := s.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); err != nil {
				dialects.DiscardConn(s.conn)
			}
		}
	}
	steps, err := plan(ctx, s.conn)
	if err != nil {
		rollback()
		return err
	}
	var early, main []step
	for _, st := range steps {
		if st.early && !s.inLockTx {
			early = append(early, st)
		} else {
			main = append(main, st)
		}
	}
	var applied []string
	index := 0
	exec := func(q dialects.Querier, st step, rolledBack bool) error {
		if s.o.onStatement != nil {
			s.o.onStatement(st.sql)
		}
		if _, err := q.ExecContext(ctx, st.sql); err != nil {
			return &ApplyError{Statement: st.sql, Index: index, Op: st.op, Applied: applied, RolledBack: rolledBack, Err: err}
		}
		index++
		return nil
	}
	for _, st := range early {
		if err := exec(s.conn, st, false); err != nil {
			return err
		}
		applied = append(applied, st.sql)
	}
	if len(main) == 0 {
		if s.inLockTx {
			if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
				rollback()
				return fmt.Errorf("migration: commit: %w", err)
			}
		}
		return nil
	}
	transactional := d.Features().Has(dialects.TransactionalDDL)
	var q dialects.Querier = s.conn
	var tx *sql.Tx
	if transactional && !s.inLockTx {
		start := time.Now()
		tx, err = s.raw.BeginTx(ctx, nil)
		s.log.Log(ctx, "BEGIN", nil, time.Since(start), err)
		if err != nil {
			return fmt.Errorf("migration: begin: %w", err)
		}
		q = s.log.Querier(tx)
	}
	abort := func(err error) error {
		if tx != nil {
			start := time.Now()
			rerr := tx.Rollback()
			s.log.Log(ctx, "ROLLBACK", nil, time.Since(start), rerr)
		}
		rollback()
		var ae *ApplyError
		if errors.As(err, &ae) && transactional {
			ae.Applied, ae.RolledBack = applied, true
		}
		return err
	}
	for _, st := range main {
		if err := exec(q, st, transactional); err != nil {
			return abort(err)
		}
		if !transactional {
			applied = append(applied, st.sql)
		}
	}
	if s.ms != nil {
		if err := s.ms.BeforeCommit(ctx, q); err != nil {
			return abort(fmt.Errorf("migration: %w (rolled back: the schema is unchanged)", err))
		}
	}
	switch {
	case tx != nil:
		start := time.Now()
		err := tx.Commit()
		s.log.Log(ctx, "COMMIT", nil, time.Since(start), err)
		if err != nil {
			return fmt.Errorf("migration: commit: %w", err)
		}
	case s.inLockTx:
		if _, err := s.conn.ExecContext(ctx, "COMMIT"); err != nil {
			rollback()
			return fmt.Errorf("migration: commit: %w", err)
		}
	}
	return nil
}
