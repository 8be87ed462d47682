// Package dialects defines the Dialect interface that owns every difference
// between the databases tagorm supports, a registry of dialects, and the
// SQL rendering they share.
//
// Each supported database lives in its own subpackage (dialects/sqlite,
// dialects/postgres, dialects/mysql) which imports its database/sql driver
// and registers itself in init. A program links only the drivers of the
// dialect packages it imports:
//
//	import _ "github.com/tagorm/orm/dialects/postgres"
//
// Core code never asks which database it talks to: it asks the dialect for
// SQL, or checks a Feature.
package dialects

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/tagorm/orm/internal/redact"
	"github.com/tagorm/orm/schema"
)

// Feature is a capability flag of a dialect.
type Feature uint64

// The capabilities core code may check.
const (
	// Returning: INSERT/UPDATE ... RETURNING is supported; generated keys
	// of a multi-row INSERT come back in the statement itself.
	Returning Feature = 1 << iota
	// TransactionalDDL: CREATE/ALTER/DROP run inside a transaction and
	// roll back with it.
	TransactionalDDL
	// NativeEnum: enums are named types created with CREATE TYPE.
	NativeEnum
	// InlineEnum: enums are a column type (MySQL ENUM(...)).
	InlineEnum
	// AlterColumn: ALTER TABLE can change a column's type, nullability
	// and default in place. Without it, such changes rebuild the table.
	AlterColumn
	// AlterConstraints: ALTER TABLE can add and drop foreign keys, unique
	// and check constraints. Without it, such changes rebuild the table.
	AlterConstraints
	// ColumnComments: columns and tables carry comments.
	ColumnComments
	// SeparateCommentStatements: comments are set with COMMENT ON
	// statements rather than inline in CREATE TABLE.
	SeparateCommentStatements
	// PrepareStatements: the driver parses (or prepares on the server)
	// every statement it runs, so tagorm keeps prepared statements by SQL
	// text. Drivers with a statement cache of their own (pgx) leave it off.
	PrepareStatements
	// LastInsertID: the driver's Result.LastInsertId reports the key a
	// single-row INSERT generated, so such an INSERT whose only generated
	// value is that key needs no RETURNING (and no result set).
	LastInsertID
	// ArrayInsert: a multi-row INSERT may bind one array per column and
	// expand them with unnest, so that the statement carries as many
	// parameters as columns whatever the row count. The dialect
	// implements ArrayInserter.
	ArrayInsert
	// NullsOrder: ORDER BY terms take NULLS FIRST and NULLS LAST.
	// Without it, tagorm sorts on "column IS NULL" first.
	NullsOrder
	// FloatSpecials: float and double columns store NaN, +Inf and -Inf
	// and read them back. Without it, tagorm refuses them.
	FloatSpecials
	// UnsignedIntegers: integer columns of unsigned Go types are
	// unsigned (Type.Unsigned), so a uint64 of 2^63 or more fits a
	// BIGINT. Without it, tagorm refuses such values.
	UnsignedIntegers
	// ExactDecimals: decimal columns store every digit their precision
	// and scale allow. Without it (SQLite, whose decimals are 64-bit
	// floats or integers), tagorm refuses a decimal string that would
	// not read back as the same number.
	ExactDecimals
)

// ArrayInserter is the optional interface of a dialect with the
// ArrayInsert feature.
type ArrayInserter interface {
	Dialect
	// ArrayType returns the type of an array parameter carrying values
	// of column c of table t, without type modifiers (so that the
	// assignment to the column still checks lengths), e.g. "varchar[]",
	// or "" when c's values cannot go through an array parameter.
	ArrayType(t *schema.Table, c *schema.Column) string
}

// Has reports whether all flags in f2 are set in f.
func (f Feature) Has(f2 Feature) bool { return f&f2 == f2 }

// Dialect is what tagorm needs to know about one database.
//
// Implementations are stateless and safe for concurrent use.
type Dialect interface {
	// Name is the dialect's short name: "sqlite", "postgres" or "mysql".
	// It keys per-dialect tag options (type overrides, table options).
	Name() string
	// DriverName is the database/sql driver the dialect package registers
	// or imports ("sqlite3", "pgx", "mysql").
	DriverName() string
	// Features lists the dialect's capabilities.
	Features() Feature

	// Quote quotes an identifier, escaping quote characters inside it.
	Quote(ident string) string
	// Placeholder returns the bind parameter for the n-th argument
	// (1-based): "?" or "$n".
	Placeholder(n int) string
	// MaxParams is the largest number of bind parameters one statement
	// may carry.
	MaxParams() int

	// ColumnType returns the SQL type used in DDL for c, honouring
	// c.DialectTypes[Name()].
	ColumnType(t *schema.Table, c *schema.Column) string
	// CreateTable returns the statements that create t with its columns,
	// primary key, unique and check constraints, the foreign keys in
	// inlineFKs, its indexes and comments (and, where needed, enum types).
	// ifNotExists guards every statement so that a re-run is harmless.
	CreateTable(t *schema.Table, inlineFKs []*schema.ForeignKey, ifNotExists bool) []string
	// CreateIndex returns the statement that creates ix on t.
	CreateIndex(t *schema.Table, ix *schema.Index, ifNotExists bool) string
	// AddForeignKey returns the statement that adds fk to t. Dialects
	// without AlterConstraints return an error.
	AddForeignKey(t *schema.Table, fk *schema.ForeignKey) (string, error)

	// InsertReturning appends the clause that makes an INSERT return the
	// given columns (after the VALUES list), or returns false when the
	// dialect cannot.
	InsertReturning(b *strings.Builder, columns []string) bool
	// Upsert appends the conflict clause of an INSERT: on a conflict on
	// conflictColumns (MySQL: on any unique key) update updateColumns to
	// the values proposed for insertion. Empty updateColumns means "do
	// nothing" on conflict.
	Upsert(b *strings.Builder, t *schema.Table, conflictColumns, updateColumns []string)

	// ClassifyError recognises a constraint violation or a transaction
	// conflict (a serialization failure, deadlock, lock wait timeout or
	// busy database) in a driver error and describes it; it returns nil
	// for any other error.
	ClassifyError(err error) *ErrorInfo

	// ParseURL turns a database URL (already parsed; scheme matched one of
	// the dialect's registered schemes) into a DSN for DriverName. Its
	// errors must not quote the password.
	ParseURL(u *url.URL) (dsn string, err error)

	// CurrentSchema returns the schema (PostgreSQL) or database (MySQL)
	// new tables go to, or "main" on SQLite.
	CurrentSchema(ctx context.Context, q Querier) (string, error)
}

// Querier is the part of *sql.DB, *sql.Tx and *sql.Conn dialects use.
type Querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ErrorKind classifies a database error ClassifyError recognises: a
// constraint violation or a transaction conflict.
type ErrorKind int

// The constraint violations dialects recognise.
const (
	UniqueViolation ErrorKind = iota + 1
	ForeignKeyViolation
	NotNullViolation
	CheckViolation
)

// The transaction conflicts dialects recognise: errors caused by
// concurrent transactions, which running the whole transaction again may
// not meet. Which codes map to which kind is documented by each dialect's
// ClassifyError.
const (
	// SerializationFailure: the transaction could not be serialized with
	// concurrent ones and was rolled back.
	SerializationFailure ErrorKind = iota + 100
	// Deadlock: the transaction was chosen as a deadlock victim (or, on a
	// Galera cluster, lost a certification conflict) and was rolled back.
	Deadlock
	// LockTimeout: a lock was not granted in time (or at once, with
	// NOWAIT). The database may have rolled back only the statement.
	LockTimeout
	// Busy: SQLite could not take a lock on the database or a table
	// within its busy timeout. The statement failed; the transaction is
	// still open.
	Busy
)

// Conflict reports whether k is a transaction conflict
// (SerializationFailure, Deadlock, LockTimeout or Busy) rather than a
// constraint violation.
func (k ErrorKind) Conflict() bool { return k >= SerializationFailure && k <= Busy }

// String returns the kind's name, e.g. "unique".
func (k ErrorKind) String() string {
	switch k {
	case UniqueViolation:
		return "unique"
	case ForeignKeyViolation:
		return "foreign key"
	case NotNullViolation:
		return "not null"
	case CheckViolation:
		return "check"
	case SerializationFailure:
		return "serialization failure"
	case Deadlock:
		return "deadlock"
	case LockTimeout:
		return "lock timeout"
	case Busy:
		return "busy"
	}
	return "unknown"
}

// ErrorInfo describes a constraint violation or a transaction conflict
// reported by a driver. Fields the database did not report are empty; a
// conflict has only Kind and Code.
type ErrorInfo struct {
	Kind ErrorKind
	// Code is the database's code for the error: the SQLSTATE on
	// PostgreSQL ("40001"), the error number on MySQL/MariaDB ("1213"),
	// the extended result code's name on SQLite ("SQLITE_BUSY_SNAPSHOT").
	// Set for transaction conflicts.
	Code       string
	Table      string
	Constraint string
	Columns    []string
	// PrimaryKey marks a UniqueViolation of the table's primary key, when
	// the database says so: SQLite (SQLITE_CONSTRAINT_PRIMARYKEY, with
	// Constraint "PRIMARY KEY") and MySQL/MariaDB (key "PRIMARY", with no
	// column names: the table's key columns are the columns). PostgreSQL
	// names the key's constraint (and columns) but not its kind.
	PrimaryKey bool
}

var registry struct {
	sync.RWMutex
	byDriver map[string]Dialect
	byName   map[string]Dialect
	byScheme map[string]Dialect
}

// Register makes d available under its driver name, its dialect name and
// the given URL schemes (e.g. "postgres", "postgresql", "postgresql+pgx").
// Dialect packages call it from init. It panics if a name is taken by a
// different dialect.
func Register(d Dialect, schemes ...string) {
	registry.Lock()
	defer registry.Unlock()
	if registry.byDriver == nil {
		registry.byDriver = map[string]Dialect{}
		registry.byName = map[string]Dialect{}
		registry.byScheme = map[string]Dialect{}
	}
	put := func(m map[string]Dialect, k string) {
		if old, ok := m[k]; ok && old.Name() != d.Name() {
			panic(fmt.Sprintf("dialects: %q registered twice (%s and %s)", k, old.Name(), d.Name()))
		}
		m[k] = d
	}
	put(registry.byDriver, d.DriverName())
	put(registry.byName, d.Name())
	for _, s := range schemes {
		put(registry.byScheme, strings.ToLower(s))
	}
}

// known maps the driver names, dialect names and URL schemes of the
// bundled dialects to the package to import, for error messages.
var known = map[string]string{
	"sqlite3": "sqlite", "sqlite": "sqlite",
	"pgx": "postgres", "postgres": "postgres", "postgresql": "postgres", "postgresql+pgx": "postgres",
	"mysql": "mysql", "mariadb": "mysql", "mysql+gosqldriver": "mysql",
}

func notRegistered(what, name string) error {
	if pkg, ok := known[strings.ToLower(name)]; ok {
		return fmt.Errorf("dialects: %s %q is not registered: import _ \"github.com/tagorm/orm/dialects/%s\" in your program", what, name, pkg)
	}
	return fmt.Errorf("dialects: unknown %s %q (registered: %s)", what, name, strings.Join(Registered(), ", "))
}

// ForDriver returns the dialect registered for a database/sql driver name
// ("sqlite3", "pgx", "mysql") or for a dialect name ("sqlite", "postgres").
func ForDriver(name string) (Dialect, error) {
	registry.RLock()
	defer registry.RUnlock()
	if d, ok := registry.byDriver[name]; ok {
		return d, nil
	}
	if d, ok := registry.byName[name]; ok {
		return d, nil
	}
	return nil, notRegistered("driver", name)
}

// ForURL parses a database URL such as "postgresql://scott:tiger@localhost/db",
// "mysql://scott:tiger@localhost/foo" or "sqlite:///foo.db" and returns its
// dialect and the DSN to open with the dialect's driver.
//
// No error shows the password: the URL is quoted with it masked, even
// when url.Parse rejects it.
func ForURL(rawURL string) (Dialect, string, error) {
	scheme, _, ok := strings.Cut(rawURL, ":")
	if !ok || scheme == "" {
		return nil, "", fmt.Errorf("dialects: %q is not a database URL (want scheme://...)", redact.URL(rawURL))
	}
	scheme = strings.ToLower(scheme)
	registry.RLock()
	d, ok := registry.byScheme[scheme]
	registry.RUnlock()
	if !ok {
		return nil, "", notRegistered("URL scheme", scheme)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, "", urlParseError(rawURL)
	}
	dsn, err := d.ParseURL(u)
	if err != nil {
		// ParseURL must not quote the password; in case one does, mask
		// what looks like it (but not a short string, which would mask
		// the whole message).
		var long []string
		for _, s := range redact.Secrets(rawURL) {
			if len(s) >= 4 {
				long = append(long, s)
			}
		}
		err = redact.Error(err, long)
		return nil, "", fmt.Errorf("dialects: database URL %q: %w", redact.URL(rawURL), err)
	}
	return d, dsn, nil
}

// urlParseError explains why url.Parse rejected rawURL without showing
// the password: url.Parse's own error quotes the whole URL, and its
// detail (a bad escape, a bad port) may be a piece of the password.
func urlParseError(rawURL string) error {
	shown := redact.URL(rawURL)
	if _, err := url.Parse(shown); err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("dialects: parse database URL %q: %w", shown, err)
	}
	// The URL parses once its password is masked: the fault is in the
	// user name or password.
	return fmt.Errorf("dialects: parse database URL %q: %w", shown, errBadUserinfo)
}

// errBadUserinfo: the user name or password of a database URL is not
// valid URL syntax.
var errBadUserinfo = errors.New("the user name or password is not valid in a URL: percent-encode '%', '@', ':', '/', '?' and '#' in it (%25, %40, %3A, %2F, %3F, %23)")

// Registered returns the names of the registered dialects, sorted.
func Registered() []string {
	registry.RLock()
	defer registry.RUnlock()
	out := make([]string, 0, len(registry.byName))
	for n := range registry.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
