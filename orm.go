// Package orm maps Go structs to SQL tables and back.
//
// Models are plain structs declared with tags; the mapper reads them once
// per type and caches the result. The same code runs on SQLite,
// PostgreSQL and MySQL/MariaDB: every difference between them lives in a
// dialect (package dialects and its subpackages).
//
//	type User struct {
//		mixins.Model                          // id, created_at, updated_at
//		Name     string  `orm:"size:50;index"`
//		Email    string  `orm:"size:255;unique"`
//		Nickname *string                      // pointer: nullable
//	}
//
//	db, err := orm.OpenURL("sqlite:///app.db")
//	err = orm.AutoMigrate(db, &User{})
//	err = db.Insert(ctx, &u)
//	users, err := orm.Query[User](db).Where("name LIKE ?", "a%").All(ctx)
//	err = db.Transaction(ctx, func(tx *orm.Session) error { ... })
//
// Open a database with Open (a database/sql driver name and DSN), OpenURL
// (a SQLAlchemy-style URL), New (an existing *sql.DB) or Wrap (an existing
// *sqlx.DB). Import the dialect package of each database you use, e.g.
// _ "github.com/tagorm/orm/dialects/postgres"; it imports its driver.
//
// See README.md for the tag reference and the type mapping per dialect.
package orm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/internal/redact"
	"github.com/tagorm/orm/schema"
)

// DB is a database handle: a connection pool, its dialect and the model
// cache. It is safe for concurrent use. Its query methods run outside any
// transaction; use Transaction or Begin for a Session.
type DB struct {
	handle
	x       *sqlx.DB
	dialect dialects.Dialect
	mapper  *mapper
	logger  *slog.Logger
	logArgs bool
	slowLog time.Duration // WithSlowThreshold
	ownsDB  bool
	// stmtCacheSize is the WithStmtCache setting (-1: the dialect's
	// default); stmts is the cache itself (nil when off).
	stmtCacheSize int
	stmts         *stmtCache
	// server is the dialect INSERTs are written for, once known
	// (serverDialect).
	server atomic.Pointer[serverDialect]
	// memory keeps an in-memory database opened by Open alive (or nil).
	memory *memoryHold
	// multiStatements: WithMultiStatements; multiStatementDSN: Open set
	// the driver's DSN for it.
	multiStatements, multiStatementDSN bool
}

// Option configures a DB.
type Option func(*DB)

// WithLogger logs every statement tagorm sends, with its duration and
// error (if any): those of queries, writes and transactions, and those of
// AutoMigrate and of the migration package given this DB (inspection,
// lock, DDL, revisions). A statement that failed is logged at
// slog.LevelError, one slower than WithSlowThreshold at slog.LevelWarn,
// any other at slog.LevelDebug; see dialects.StatementLogger for the
// record's attributes. Arguments are logged only with WithLogArgs, since
// they may hold secrets.
func WithLogger(l *slog.Logger) Option { return func(db *DB) { db.logger = l } }

// WithLogArgs adds the bind arguments to each logged statement.
func WithLogArgs(on bool) Option { return func(db *DB) { db.logArgs = on } }

// WithNaming sets the strategy that derives table and column names from Go
// names (default SnakeCase).
func WithNaming(n NamingStrategy) Option { return func(db *DB) { db.mapper.naming = n } }

// WithMaxOpenConns sets the pool's maximum number of open connections.
func WithMaxOpenConns(n int) Option { return func(db *DB) { db.x.SetMaxOpenConns(n) } }

// WithMaxIdleConns sets the pool's maximum number of idle connections.
func WithMaxIdleConns(n int) Option { return func(db *DB) { db.x.SetMaxIdleConns(n) } }

// WithConnMaxLifetime sets how long a pooled connection may be reused.
func WithConnMaxLifetime(d time.Duration) Option {
	return func(db *DB) { db.x.SetConnMaxLifetime(d) }
}

// WithConnMaxIdleTime sets how long a connection may sit idle in the pool.
func WithConnMaxIdleTime(d time.Duration) Option {
	return func(db *DB) { db.x.SetConnMaxIdleTime(d) }
}

// Open opens a database with a database/sql driver name ("sqlite3", "pgx",
// "mysql") and a DSN in that driver's format, and checks that it answers.
// The dialect package for the driver must be imported. Connecting and the
// check get 30 seconds; OpenContext takes a context instead.
//
// The DSN is completed with what tagorm relies on, keeping what it says:
// SQLite gets foreign keys enforced and a busy timeout; MySQL gets
// parseTime=true and clientFoundRows=true (RowsAffected counts matched
// rows).
//
// An in-memory SQLite database (":memory:", "file:/name?vfs=memdb",
// mode=memory) is one database shared by every connection of the pool
// (":memory:" and a per-connection "file::memory:" become a new memdb
// database), and it lives exactly as long as the DB: tagorm holds one
// connection to it outside the pool until Close, so whatever the pool
// does with its own connections (idle limits, ConnMaxLifetime, the
// connection database/sql closes when a transaction's context ends) the
// data stays. A *sql.DB passed to New or Wrap gets no such hold.
func Open(driverName, dsn string, opts ...Option) (*DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), defaultOpenTimeout)
	defer cancel()
	return OpenContext(ctx, driverName, dsn, opts...)
}

// OpenURL opens a database from a URL, as SQLAlchemy's create_engine does:
// "sqlite:///foo.db" (relative path), "sqlite:////abs/foo.db", "sqlite://"
// (in memory), "postgresql://scott:tiger@localhost/mydatabase" (also
// postgres:// and postgresql+pgx://), "mysql://scott:tiger@localhost/foo"
// (also mariadb://). The URL is translated to the driver's DSN, which is
// completed as Open does; an in-memory SQLite database ("sqlite://") lives
// until the DB is closed, as Open describes. Connecting and the check
// that the database answers get 30 seconds; OpenURLContext takes a
// context instead.
func OpenURL(url string, opts ...Option) (*DB, error) {
	ctx, cancel := context.WithTimeout(context.Background(), defaultOpenTimeout)
	defer cancel()
	return OpenURLContext(ctx, url, opts...)
}

// open opens the pool through the dialect's connector
// (dialects.Connector), so that pools tagorm opens get what the dialect
// adds to its driver, and checks within ctx that the database answers.
func open(ctx context.Context, d dialects.Dialect, dsn string, opts []Option) (*DB, error) {
	given := dsn
	// Drivers quote the DSN they reject or failed to connect with: no
	// error may show its password.
	hide := func(err error) error { return redact.Error(err, redact.Secrets(given, dsn)) }
	dsn, err := dialects.NormalizeDSN(d, dsn)
	if err != nil {
		return nil, fmt.Errorf("orm: open %s: %w", d.Name(), hide(err))
	}
	dsn, multiDSN, err := multiStatementDSN(d, dsn, opts)
	if err != nil {
		return nil, fmt.Errorf("orm: open %s: %w", d.Name(), hide(err))
	}
	c, err := dialects.Connector(d, dsn)
	if err != nil {
		return nil, fmt.Errorf("orm: open %s: %w", d.Name(), hide(err))
	}
	sdb := sql.OpenDB(c)
	memory, err := holdMemory(d, sdb, dsn)
	if err != nil {
		_ = sdb.Close()
		return nil, hide(err)
	}
	db := newDB(sqlx.NewDb(sdb, d.DriverName()), d, opts)
	db.ownsDB = true
	db.memory = memory
	db.multiStatementDSN = multiDSN
	if err := sdb.PingContext(ctx); err != nil {
		_ = db.Close()
		if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
			err = fmt.Errorf("%w: %w", cerr, err)
		}
		return nil, fmt.Errorf("orm: open %s: %w", d.Name(), hide(err))
	}
	// Ask the server what INSERTs to write for it now rather than on the
	// first one (a failure is asked again then).
	_, _ = db.serverDialect(ctx)
	return db, nil
}

// New wraps an open *sql.DB. driverName names its driver ("sqlite3",
// "pgx", "mysql") or dialect ("sqlite", "postgres", "mysql"). Closing the
// returned DB closes sqlDB.
func New(sqlDB *sql.DB, driverName string, opts ...Option) (*DB, error) {
	d, err := dialects.ForDriver(driverName)
	if err != nil {
		return nil, fmt.Errorf("orm: new: %w", err)
	}
	return newDB(sqlx.NewDb(sqlDB, d.DriverName()), d, opts), nil
}

// Wrap wraps an open *sqlx.DB, whose DriverName picks the dialect.
func Wrap(x *sqlx.DB, opts ...Option) (*DB, error) {
	d, err := dialects.ForDriver(x.DriverName())
	if err != nil {
		return nil, fmt.Errorf("orm: wrap: %w", err)
	}
	return newDB(x, d, opts), nil
}

func newDB(x *sqlx.DB, d dialects.Dialect, opts []Option) *DB {
	db := &DB{x: x, dialect: d, mapper: &mapper{naming: SnakeCase{}, features: d.Features()}, stmtCacheSize: -1}
	db.handle = handle{db: db, ex: x}
	for _, o := range opts {
		o(db)
	}
	if db.stmtCacheSize < 0 {
		db.stmtCacheSize = 0
		if d.Features().Has(dialects.PrepareStatements) {
			db.stmtCacheSize = defaultStmtCacheSize
		}
	}
	db.stmts = newStmtCache(db.stmtCacheSize)
	return db
}

// Close closes the cached prepared statements and the connection pool.
// An in-memory database opened by Open or OpenURL is gone once Close
// returns.
func (db *DB) Close() error {
	db.stmts.close()
	err := db.x.Close()
	if merr := db.memory.close(); err == nil {
		err = merr
	}
	return err
}

// Dialect returns the database's dialect.
func (db *DB) Dialect() dialects.Dialect { return db.dialect }

// DB returns the underlying *sql.DB.
func (db *DB) DB() *sql.DB { return db.x.DB }

// SQLX returns the underlying *sqlx.DB, for sqlx's own API (named
// queries, In, ...).
func (db *DB) SQLX() *sqlx.DB { return db.x }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.wrapErr("ping", db.x.PingContext(ctx))
}

// Register maps the given models (pointers to structs or struct values)
// and checks them together: tags, and foreign keys that name tables and
// columns of other models. Mapping errors name the struct, field and tag.
// Models are also mapped on first use; Register reports errors early.
func (db *DB) Register(models ...any) error {
	_, err := db.MetaData(models...)
	return err
}

// MetaData returns the schema of the given models — the equivalent of
// SQLAlchemy's Base.metadata — for migration.Compare and friends. It fails
// if a foreign key references a table or column that is not among them.
func (db *DB) MetaData(models ...any) (*schema.MetaData, error) {
	md := &schema.MetaData{}
	owners := map[string]*model{}
	for _, v := range models {
		if v == nil {
			return nil, fmt.Errorf("orm: register: nil model")
		}
		m, err := db.mapper.modelOf(reflect.TypeOf(v))
		if err != nil {
			return nil, err
		}
		if other, ok := owners[m.table.Name]; ok && other != m {
			return nil, &ModelError{Struct: m.typ.String(), Err: fmt.Errorf("table %q is also mapped by %s", m.table.Name, other.typ)}
		}
		if _, ok := owners[m.table.Name]; ok {
			continue
		}
		owners[m.table.Name] = m
		md.Tables = append(md.Tables, m.table.Clone())
	}
	for _, t := range md.Tables {
		m := owners[t.Name]
		for _, fk := range t.ForeignKeys {
			ref := md.Table(fk.RefTable)
			if ref == nil {
				return nil, &ModelError{Struct: m.typ.String(), Field: fieldOfColumn(m, fk.Columns[0]), Tag: "fk:" + fk.RefTable,
					Err: fmt.Errorf("foreign key %q references table %q, which is not among the registered models", fk.Name, fk.RefTable)}
			}
			for i, rc := range fk.RefColumns {
				c := ref.Column(rc)
				if c == nil {
					return nil, &ModelError{Struct: m.typ.String(), Field: fieldOfColumn(m, fk.Columns[i]), Tag: "fk:" + fk.RefTable + "." + rc,
						Err: fmt.Errorf("foreign key %q references column %s.%s, which does not exist", fk.Name, fk.RefTable, rc)}
				}
				own := t.Column(fk.Columns[i])
				if !compatibleKeyTypes(own.Type, c.Type) {
					return nil, &ModelError{Struct: m.typ.String(), Field: fieldOfColumn(m, fk.Columns[i]), Tag: "fk:" + fk.RefTable + "." + rc,
						Err: fmt.Errorf("foreign key column %s (%s) does not match the type of %s.%s (%s)", own.Name, own.Type, fk.RefTable, rc, c.Type)}
				}
			}
		}
	}
	if err := db.resolveRelations(owners, md); err != nil {
		return nil, err
	}
	return md, nil
}

func fieldOfColumn(m *model, col string) string {
	if f := m.byCol[col]; f != nil {
		return f.name
	}
	return ""
}

// compatibleKeyTypes reports whether a foreign key column of type a can
// reference a column of type b.
func compatibleKeyTypes(a, b schema.Type) bool {
	if isIntegerKind(a.Kind) && isIntegerKind(b.Kind) {
		return true
	}
	if (a.Kind == schema.String || a.Kind == schema.UUID) && (b.Kind == schema.String || b.Kind == schema.UUID) {
		return true
	}
	return a.Kind == b.Kind
}
