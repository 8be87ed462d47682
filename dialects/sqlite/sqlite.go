// Package sqlite is the tagorm dialect for SQLite, through the
// github.com/mattn/go-sqlite3 driver (database/sql driver name "sqlite3").
//
// Import it for its side effect of registering the dialect:
//
//	import _ "github.com/tagorm/orm/dialects/sqlite"
//
// It registers the URL schemes "sqlite" and "sqlite3" (see
// Dialect.ParseURL). SQLite enforces foreign keys only when asked to on
// every connection: open databases with a DSN built by DSN, or add
// "_foreign_keys=1" to DSNs passed to orm.Open("sqlite3", dsn) yourself.
//
// Type mapping (Dialect.ColumnType). SQLite keeps the declared type text
// verbatim, so each kind gets a distinct, parseable name; the column
// affinity it implies is given in brackets:
//
//	Bool      boolean            [NUMERIC]
//	SmallInt  integer            [INTEGER]
//	Integer   integer            [INTEGER]
//	BigInt    integer            [INTEGER]
//	          AutoIncrement single-column primary key:
//	          INTEGER PRIMARY KEY AUTOINCREMENT (a rowid alias)
//	Float     real               [REAL]
//	Double    double             [REAL]
//	Decimal   decimal(p,s) or decimal [NUMERIC; stored as REAL or INTEGER: not exact]
//	String    varchar(n), n = Size or 255 [TEXT; length not enforced]
//	Text      text               [TEXT]
//	Binary    blob or blob(n)    [BLOB]
//	Date      date               [NUMERIC; the driver stores text, reads time.Time]
//	DateTime  datetime           [NUMERIC; idem]
//	JSON      json               [NUMERIC: objects and arrays stay text]
//	UUID      uuid               [NUMERIC: dashed UUID text stays text]
//	Enum      varchar(n), n = Size or the longest value, plus a
//	          CONSTRAINT "<table>_<column>_check" CHECK (column IN (...))
//	Custom    Type.Raw
//
// SQLite has no comments: table and column comments are dropped.
package sqlite

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/mattn/go-sqlite3"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"

	"github.com/tagorm/orm/internal/redact"
)

// Dialect is the SQLite dialect. The zero value is ready to use.
type Dialect struct{}

var _ dialects.Dialect = Dialect{}
var _ dialects.LexicalDialect = Dialect{}
var _ dialects.DefaultsInserter = Dialect{}
var _ dialects.ReadOnlyTxDialect = Dialect{}

func init() { dialects.Register(Dialect{}, "sqlite", "sqlite3") }

var ddl = dialects.DDL{
	Dialect:         Dialect{},
	NamedPrimaryKey: true,
	ColumnOverride:  autoIncrementPK,
	ExtraChecks:     enumChecks,
	Default:         renderDefault,
}

// renderDefault parenthesises a default that is an expression: SQLite's
// grammar takes only a literal, a signed number, CURRENT_TIME,
// CURRENT_DATE, CURRENT_TIMESTAMP or a parenthesised expression after
// DEFAULT (DEFAULT upper('x') and DEFAULT 2*3 are syntax errors).
func renderDefault(c *schema.Column, _ string) string {
	def := strings.TrimSpace(*c.Default)
	switch strings.ToUpper(def) {
	case "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP":
		return def
	}
	if constantDefault(def) || dialects.StripParens(def) != def {
		return def
	}
	return "(" + def + ")"
}

// Name returns "sqlite".
func (Dialect) Name() string { return "sqlite" }

// DriverName returns "sqlite3", the name mattn/go-sqlite3 registers.
func (Dialect) DriverName() string { return "sqlite3" }

// Features reports Returning, TransactionalDDL, PrepareStatements and
// LastInsertID. ALTER TABLE cannot change columns or constraints
// (migration rebuilds the table), and there are no comments.
func (Dialect) Features() dialects.Feature {
	return dialects.Returning | dialects.TransactionalDDL | dialects.PrepareStatements | dialects.LastInsertID | dialects.NullsOrder
}

// Lexical describes SQLite's syntax for dialects.Rebind and
// dialects.SecondStatement: standard SQL, plus [bracketed] identifiers and
// Tcl-style $name(...) parameters.
func (Dialect) Lexical() dialects.Lexical { return dialects.Lexical{SQLite: true} }

// Quote returns ident in double quotes, doubling any double quote in it.
func (Dialect) Quote(ident string) string { return dialects.QuoteIdent(ident, '"') }

// Placeholder returns "?".
func (Dialect) Placeholder(int) string { return "?" }

// MaxParams returns 32766, SQLITE_MAX_VARIABLE_NUMBER of the SQLite
// (3.32 and later) bundled with mattn/go-sqlite3.
func (Dialect) MaxParams() int { return 32766 }

// ColumnType returns the SQLite type of c; see the package comment.
func (Dialect) ColumnType(t *schema.Table, c *schema.Column) string {
	if s, ok := c.DialectTypes["sqlite"]; ok {
		return s
	}
	ty := c.Type
	switch ty.Kind {
	case schema.Bool:
		return "boolean"
	case schema.SmallInt, schema.Integer, schema.BigInt:
		return "integer"
	case schema.Float:
		return "real"
	case schema.Double:
		return "double"
	case schema.Decimal:
		if ty.Precision > 0 {
			return fmt.Sprintf("decimal(%d,%d)", ty.Precision, ty.Scale)
		}
		return "decimal"
	case schema.String:
		return dialects.Varchar(ty.Size)
	case schema.Text:
		return "text"
	case schema.Binary:
		if ty.Size > 0 {
			return "blob(" + strconv.Itoa(ty.Size) + ")"
		}
		return "blob"
	case schema.Date:
		return "date"
	case schema.DateTime:
		return "datetime"
	case schema.JSON:
		return "json"
	case schema.UUID:
		return "uuid"
	case schema.Enum:
		n := ty.Size
		if n == 0 {
			for _, v := range ty.Values {
				n = max(n, len(v))
			}
		}
		return "varchar(" + strconv.Itoa(max(n, 1)) + ")"
	case schema.Custom:
		return ty.Raw
	}
	return ty.Raw
}

// autoIncrementPK renders an AutoIncrement column that is the whole
// primary key as SQLite's rowid alias. An AutoIncrement column in a
// composite key cannot be generated by SQLite and renders normally.
func autoIncrementPK(t *schema.Table, c *schema.Column) (string, bool, bool) {
	if !c.AutoIncrement || t.PrimaryKey == nil || len(t.PrimaryKey.Columns) != 1 || t.PrimaryKey.Columns[0] != c.Name {
		return "", false, false
	}
	return "INTEGER PRIMARY KEY AUTOINCREMENT", true, true
}

func enumChecks(t *schema.Table) []*schema.Check {
	var out []*schema.Check
	for _, c := range t.Columns {
		if c.Type.Kind != schema.Enum || len(c.Type.Values) == 0 {
			continue
		}
		if _, ok := c.DialectTypes["sqlite"]; ok {
			continue
		}
		var b strings.Builder
		b.WriteString(Dialect{}.Quote(c.Name))
		b.WriteString(" IN (")
		for i, v := range c.Type.Values {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(dialects.QuoteString(v, false))
		}
		b.WriteByte(')')
		out = append(out, &schema.Check{Name: t.Name + "_" + c.Name + "_check", Expr: b.String()})
	}
	return out
}

// CreateTable returns CREATE TABLE and CREATE INDEX statements for t.
// Enum columns get a CHECK constraint; comments are dropped.
func (Dialect) CreateTable(t *schema.Table, inlineFKs []*schema.ForeignKey, ifNotExists bool) []string {
	return ddl.CreateTable(t, inlineFKs, ifNotExists)
}

// CreateIndex returns CREATE [UNIQUE] INDEX [IF NOT EXISTS] for ix.
func (Dialect) CreateIndex(t *schema.Table, ix *schema.Index, ifNotExists bool) string {
	return ddl.CreateIndex(t, ix, ifNotExists)
}

// ErrAddForeignKey is returned by AddForeignKey: SQLite's ALTER TABLE
// cannot add constraints.
var ErrAddForeignKey = errors.New("sqlite: cannot add a foreign key to an existing table without rebuilding it (ALTER TABLE has no ADD CONSTRAINT)")

// AddForeignKey returns an error wrapping ErrAddForeignKey: the table
// must be rebuilt with the foreign key in its CREATE TABLE.
func (Dialect) AddForeignKey(t *schema.Table, fk *schema.ForeignKey) (string, error) {
	return "", fmt.Errorf("add foreign key %q to table %q: %w", fk.Name, t.Name, ErrAddForeignKey)
}

// InsertReturning appends " RETURNING ..." (SQLite 3.35 and later).
func (Dialect) InsertReturning(b *strings.Builder, columns []string) bool {
	return dialects.WriteReturning(b, Dialect{}, columns)
}

// InsertDefaults implements dialects.DefaultsInserter. A table whose key
// is an autoincrement rowid alias gets " (id) VALUES (NULL), ...", any
// number of rows (a NULL rowid is generated; the other columns take
// their defaults; unlike DEFAULT VALUES it takes an upsert clause). Other
// tables get " DEFAULT VALUES", one row per statement: SQLite has no
// DEFAULT keyword in VALUES.
func (Dialect) InsertDefaults(b *strings.Builder, t *schema.Table, nrows int) bool {
	if pk := t.PrimaryKey; pk != nil && len(pk.Columns) == 1 && nrows >= 1 {
		if c := t.Column(pk.Columns[0]); c != nil && c.AutoIncrement {
			// Rendered INTEGER PRIMARY KEY AUTOINCREMENT (autoIncrementPK).
			dialects.WriteDefaultRows(b, Dialect{}, c.Name, "NULL", nrows)
			return true
		}
	}
	if nrows != 1 {
		return false
	}
	b.WriteString(" DEFAULT VALUES")
	return true
}

// Upsert appends " ON CONFLICT (...) DO UPDATE SET c = EXCLUDED.c" or
// " ON CONFLICT (...) DO NOTHING"; see dialects.WriteOnConflict.
func (Dialect) Upsert(b *strings.Builder, t *schema.Table, conflictColumns, updateColumns []string) {
	dialects.WriteOnConflict(b, Dialect{}, t, conflictColumns, updateColumns)
}

// ReadOnlyTx implements dialects.ReadOnlyTxDialect: mattn/go-sqlite3
// ignores sql.TxOptions.ReadOnly, so a read-only transaction runs on a
// connection with PRAGMA query_only on, which fails every write with
// "attempt to write a readonly database" (SQLITE_READONLY).
func (Dialect) ReadOnlyTx() (on, off string) {
	return "PRAGMA query_only = ON", "PRAGMA query_only = OFF"
}

// CurrentSchema returns "main".
func (Dialect) CurrentSchema(context.Context, dialects.Querier) (string, error) {
	return "main", nil
}

// ClassifyError recognises SQLite constraint errors (sqlite3.Error with
// an extended SQLITE_CONSTRAINT_* code), wrapped or not. SQLite reports
// the table and columns of unique and not-null violations and the name
// of a failed check; foreign key violations carry no detail.
//
// SQLITE_BUSY (the database is locked by another connection past the
// busy timeout, with its extended codes SQLITE_BUSY_RECOVERY,
// SQLITE_BUSY_SNAPSHOT — a transaction's snapshot went stale before it
// wrote — and SQLITE_BUSY_TIMEOUT) and SQLITE_LOCKED (a table locked in a
// shared cache, SQLITE_LOCKED_SHAREDCACHE, SQLITE_LOCKED_VTAB) are
// recognised as dialects.Busy.
func (Dialect) ClassifyError(err error) *dialects.ErrorInfo {
	var se sqlite3.Error
	if !errors.As(err, &se) {
		var pse *sqlite3.Error
		if !errors.As(err, &pse) || pse == nil {
			return nil
		}
		se = *pse
	}
	if se.Code == sqlite3.ErrBusy || se.Code == sqlite3.ErrLocked {
		return &dialects.ErrorInfo{Kind: dialects.Busy, Code: busyCodeName(se)}
	}
	if se.Code != sqlite3.ErrConstraint {
		return nil
	}
	msg := se.Error()
	_, detail, _ := strings.Cut(msg, "constraint failed: ")
	switch se.ExtendedCode {
	case sqlite3.ErrConstraintUnique, sqlite3.ErrConstraintPrimaryKey:
		info := &dialects.ErrorInfo{Kind: dialects.UniqueViolation}
		if name, ok := strings.CutPrefix(detail, "index '"); ok {
			info.Constraint = strings.TrimSuffix(name, "'")
			return info
		}
		info.Table, info.Columns = tableColumns(detail)
		if se.ExtendedCode == sqlite3.ErrConstraintPrimaryKey {
			info.Constraint = "PRIMARY KEY"
			info.PrimaryKey = true
		}
		return info
	case sqlite3.ErrConstraintNotNull:
		info := &dialects.ErrorInfo{Kind: dialects.NotNullViolation}
		info.Table, info.Columns = tableColumns(detail)
		return info
	case sqlite3.ErrConstraintForeignKey:
		return &dialects.ErrorInfo{Kind: dialects.ForeignKeyViolation}
	case sqlite3.ErrConstraintTrigger:
		// ON DELETE/UPDATE RESTRICT fails as a trigger, with the foreign key message.
		if strings.HasPrefix(msg, "FOREIGN KEY constraint failed") {
			return &dialects.ErrorInfo{Kind: dialects.ForeignKeyViolation}
		}
	case sqlite3.ErrConstraintCheck:
		return &dialects.ErrorInfo{Kind: dialects.CheckViolation, Constraint: detail}
	}
	return nil
}

// busyCodeName names a SQLITE_BUSY or SQLITE_LOCKED error's extended
// result code, as SQLite's documentation does.
func busyCodeName(se sqlite3.Error) string {
	switch se.ExtendedCode {
	case sqlite3.ErrBusyRecovery:
		return "SQLITE_BUSY_RECOVERY"
	case sqlite3.ErrBusySnapshot:
		return "SQLITE_BUSY_SNAPSHOT"
	case sqlite3.ErrBusy.Extend(3):
		return "SQLITE_BUSY_TIMEOUT"
	case sqlite3.ErrLockedSharedCache:
		return "SQLITE_LOCKED_SHAREDCACHE"
	case sqlite3.ErrLocked.Extend(2):
		return "SQLITE_LOCKED_VTAB"
	}
	if se.Code == sqlite3.ErrLocked {
		return "SQLITE_LOCKED"
	}
	return "SQLITE_BUSY"
}

// tableColumns parses "t.a, t.b" into "t" and [a b].
func tableColumns(s string) (string, []string) {
	if s == "" {
		return "", nil
	}
	var table string
	var cols []string
	for _, part := range strings.Split(s, ", ") {
		t, c, ok := strings.Cut(part, ".")
		if !ok {
			cols = append(cols, part)
			continue
		}
		table = t
		cols = append(cols, c)
	}
	return table, cols
}

var memSeq atomic.Uint64

// memoryDSN returns a DSN for a new, uniquely named in-memory database of
// SQLite's memdb VFS, so every connection of a pool sees the same database
// and no other pool does. Its locks are the ordinary database locks, which
// wait for the busy timeout: a shared-cache database (mode=memory&
// cache=shared) has table locks instead, which fail at once with "database
// table is locked" when two transactions meet. The database disappears
// when its last connection closes.
func memoryDSN() string {
	return "file:/tagorm_mem" + strconv.FormatUint(memSeq.Add(1), 10) + "?vfs=memdb"
}

// DSN returns a mattn/go-sqlite3 DSN for the database file at path, with
// foreign keys enforced (_foreign_keys=1) and a 5 s busy timeout
// (_busy_timeout=5000), and transactions that take the write lock when they
// begin (_txlock=immediate), unless path already sets them. path may be a
// plain file path, a "file:" URI with parameters (kept as it is, so
// "file:/name?vfs=memdb" names an in-memory database that pools opening
// the same name share), or "" or ":memory:" for a new, private in-memory
// database shared by all connections of a pool (see ParseURL). A "file:"
// URI naming a database private to each connection ("file::memory:", or
// mode=memory without cache=shared) becomes such a new shared one too.
// Use it with orm.Open("sqlite3", sqlite.DSN("app.db")).
func DSN(path string) string {
	switch {
	case path == "" || path == ":memory:":
		return withDefaults(memoryDSN())
	case strings.HasPrefix(path, "file:"):
		return withDefaults(privateMemory(path))
	}
	return withDefaults("file:" + escapePath(path))
}

func withDefaults(dsn string) string {
	_, rawq, hasQuery := strings.Cut(dsn, "?")
	q, _ := url.ParseQuery(rawq) // keeps what parses
	extra := encodeDefaults(q)
	switch {
	case extra == "":
		return dsn
	case !hasQuery:
		return dsn + "?" + extra
	case rawq == "" || strings.HasSuffix(rawq, "&"):
		return dsn + extra
	}
	return dsn + "&" + extra
}

// encodeDefaults returns the default parameters missing from q, encoded.
func encodeDefaults(q url.Values) string {
	var parts []string
	if !q.Has("_foreign_keys") && !q.Has("_fk") {
		parts = append(parts, "_foreign_keys=1")
	}
	if !q.Has("_busy_timeout") && !q.Has("_timeout") {
		parts = append(parts, "_busy_timeout=5000")
	}
	// Transactions take the write lock when they begin: a deferred
	// transaction that reads and then writes fails at once with "database
	// is locked" when another connection wrote meanwhile (the busy timeout
	// cannot help it), which is what concurrent read-modify-write code
	// such as Association.Replace does.
	if !q.Has("_txlock") {
		parts = append(parts, "_txlock=immediate")
	}
	return strings.Join(parts, "&")
}

// escapePath escapes the characters that are special in a file: URI.
func escapePath(p string) string {
	r := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23")
	return r.Replace(p)
}

// ParseURL turns a SQLAlchemy-style SQLite URL into a DSN (see DSN):
//
//	sqlite:///foo.db            file:foo.db (relative to the working directory)
//	sqlite:////abs/path.db      file:/abs/path.db
//	sqlite:// , sqlite:///:memory:   a new, private in-memory database
//	sqlite:///file:/name?vfs=memdb   the in-memory database named name
//	                                 (a "file:" URI is kept as it is)
//
// Query parameters are passed through to the driver.
func (Dialect) ParseURL(u *url.URL) (string, error) {
	if u.User != nil {
		return "", errors.New("sqlite URLs take no user or password")
	}
	p := u.Path
	if u.Opaque != "" {
		return "", fmt.Errorf("want sqlite:///relative/path.db or sqlite:////absolute/path.db, not %s", redact.URL(u.Scheme+":"+u.Opaque))
	}
	if u.Host != "" {
		// sqlite://foo.db: lenient, a relative path.
		p = u.Host + p
	} else {
		p = strings.TrimPrefix(p, "/")
	}
	var base string
	switch {
	case p == "" || p == ":memory:":
		base = memoryDSN()
	case strings.HasPrefix(p, "file:"):
		base = "file:" + escapePath(strings.TrimPrefix(p, "file:"))
	default:
		base = "file:" + escapePath(p)
	}
	if u.RawQuery == "" {
		return withDefaults(base), nil
	}
	if strings.Contains(base, "?") {
		return withDefaults(base + "&" + u.RawQuery), nil
	}
	return withDefaults(base + "?" + u.RawQuery), nil
}
