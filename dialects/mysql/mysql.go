// Package mysql is the tagorm dialect for MySQL 8 and MariaDB 10.11,
// through the github.com/go-sql-driver/mysql driver (database/sql driver
// name "mysql").
//
// Import it for its side effect of registering the dialect:
//
//	import _ "github.com/tagorm/orm/dialects/mysql"
//
// It registers the URL schemes "mysql", "mariadb" and
// "mysql+gosqldriver". DSNs must set parseTime=true (ParseURL does).
//
// Type mapping (Dialect.ColumnType); integer types get " unsigned" when
// Type.Unsigned is set:
//
//	Bool      tinyint(1)
//	SmallInt  smallint
//	Integer   int
//	BigInt    bigint
//	          AutoIncrement adds AUTO_INCREMENT
//	Float     float
//	Double    double
//	Decimal   decimal(p,s); without Precision decimal(65,30), because
//	          MySQL's bare decimal means decimal(10,0) and drops fractions
//	String    varchar(n), n = Size or 255
//	Text      longtext
//	Binary    varbinary(n) when Size > 0, else longblob
//	Date      date
//	DateTime  datetime(P), P = Precision or 6 (stored as UTC by convention)
//	JSON      json (MariaDB: an alias of longtext with a json_valid check)
//	UUID      char(36)
//	Enum      enum('a','b')
//	Custom    Type.Raw
//
// Tables get ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 unless the table
// options "mysql_engine" / "mysql_charset" say otherwise; "mysql_collate"
// adds COLLATE=, and any other "mysql_<name>" option is rendered as
// <NAME>=value (e.g. "mysql_row_format": "DYNAMIC"). DEFAULT
// CHARSET=utf8mb4 without COLLATE= gives the charset's default collation,
// not the database's: a foreign key needs the same collation on both
// sides, so set "mysql_collate" on both tables or on neither.
package mysql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// Dialect is the MySQL/MariaDB dialect. The zero value is ready to use.
type Dialect struct{}

var _ dialects.Dialect = Dialect{}
var _ dialects.LexicalDialect = Dialect{}
var _ dialects.DefaultsInserter = Dialect{}

func init() { dialects.Register(Dialect{}, "mysql", "mariadb", "mysql+gosqldriver") }

var ddl = dialects.DDL{
	Dialect:          Dialect{},
	BackslashEscapes: true,
	AutoIncrement:    "AUTO_INCREMENT",
	Default:          renderDefault,
	TableOptions:     tableOptions,
}

// Name returns "mysql".
func (Dialect) Name() string { return "mysql" }

// DriverName returns "mysql", the name go-sql-driver/mysql registers.
func (Dialect) DriverName() string { return "mysql" }

// Features reports InlineEnum, AlterColumn, AlterConstraints,
// ColumnComments, PrepareStatements and LastInsertID. DDL is not
// transactional and there is no RETURNING: MySQL does not have it
// (LastInsertId is used); for MariaDB 10.5+, which has INSERT ...
// RETURNING, ForServerVersion returns MariaDB.
func (Dialect) Features() dialects.Feature {
	return dialects.InlineEnum | dialects.AlterColumn | dialects.AlterConstraints | dialects.ColumnComments | dialects.PrepareStatements | dialects.LastInsertID | dialects.UnsignedIntegers | dialects.ExactDecimals
}

// Lexical describes MySQL's syntax for dialects.Rebind: backslash
// escapes in strings and # comments.
func (Dialect) Lexical() dialects.Lexical {
	return dialects.Lexical{BackslashEscapes: true, HashComments: true, MySQL: true}
}

// Quote returns ident in backticks, doubling any backtick in it.
func (Dialect) Quote(ident string) string { return dialects.QuoteIdent(ident, '`') }

// Placeholder returns "?".
func (Dialect) Placeholder(int) string { return "?" }

// MaxParams returns 65535, the limit on placeholders of a prepared
// statement.
func (Dialect) MaxParams() int { return 65535 }

// ColumnType returns the MySQL type of c; see the package comment.
func (Dialect) ColumnType(t *schema.Table, c *schema.Column) string {
	if s, ok := c.DialectTypes["mysql"]; ok {
		return s
	}
	ty := c.Type
	unsigned := func(s string) string {
		if ty.Unsigned {
			return s + " unsigned"
		}
		return s
	}
	switch ty.Kind {
	case schema.Bool:
		return "tinyint(1)"
	case schema.SmallInt:
		return unsigned("smallint")
	case schema.Integer:
		return unsigned("int")
	case schema.BigInt:
		return unsigned("bigint")
	case schema.Float:
		return "float"
	case schema.Double:
		return "double"
	case schema.Decimal:
		if ty.Precision > 0 {
			return fmt.Sprintf("decimal(%d,%d)", ty.Precision, ty.Scale)
		}
		return "decimal(65,30)"
	case schema.String:
		return dialects.Varchar(ty.Size)
	case schema.Text:
		return "longtext"
	case schema.Binary:
		if ty.Size > 0 {
			return "varbinary(" + strconv.Itoa(ty.Size) + ")"
		}
		return "longblob"
	case schema.Date:
		return "date"
	case schema.DateTime:
		p := ty.Precision
		if p <= 0 {
			p = 6
		}
		return "datetime(" + strconv.Itoa(p) + ")"
	case schema.JSON:
		return "json"
	case schema.UUID:
		return "char(36)"
	case schema.Enum:
		var b strings.Builder
		b.WriteString("enum(")
		for i, v := range ty.Values {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(ddl.String(v))
		}
		b.WriteByte(')')
		return b.String()
	case schema.Custom:
		return ty.Raw
	}
	return ty.Raw
}

// renderDefault wraps a default of a TEXT, BLOB or JSON column, and a
// default that is not a literal (see literalDefault), in parentheses:
// MySQL 8.0.13+ accepts only expression defaults on those types and
// only parenthesised expressions, MariaDB accepts both forms.
//
// CURRENT_TIMESTAMP (or NOW(), CURRENT_TIMESTAMP()) on a datetime(P) or
// timestamp(P) column becomes CURRENT_TIMESTAMP(P): MySQL rejects a
// default less precise than the column.
func renderDefault(c *schema.Column, typ string) string {
	def := strings.TrimSpace(*c.Default)
	lt := strings.ToLower(typ)
	switch strings.ToLower(def) {
	case "current_timestamp", "current_timestamp()", "now()":
		if (strings.HasPrefix(lt, "datetime(") || strings.HasPrefix(lt, "timestamp(")) && strings.HasSuffix(lt, ")") {
			return "CURRENT_TIMESTAMP" + typ[strings.IndexByte(typ, '('):]
		}
	}
	needsParens := strings.Contains(lt, "text") || strings.Contains(lt, "blob") || strings.Contains(lt, "json") || !literalDefault(def)
	if !needsParens || strings.EqualFold(def, "NULL") || dialects.StripParens(def) != def {
		return def
	}
	return "(" + def + ")"
}

// literalDefault reports whether def is a literal MySQL takes after
// DEFAULT without parentheses: a string, a number, TRUE, FALSE, NULL, or
// CURRENT_TIMESTAMP and its synonyms. Other expressions (2*3, upper('x'),
// CURRENT_DATE) must be parenthesised on MySQL 8 and in MariaDB's ALTER
// COLUMN ... SET DEFAULT.
func literalDefault(def string) bool {
	switch strings.ToUpper(def) {
	case "NULL", "TRUE", "FALSE":
		return true
	}
	if _, ok := dialects.UnquoteString(def, true); ok {
		return true
	}
	if _, err := strconv.ParseFloat(strings.TrimPrefix(def, "+"), 64); err == nil {
		return true
	}
	return dialects.IsCurrentTimestamp(def)
}

func tableOptions(t *schema.Table) string {
	keys, opts := dialects.OptionsWithPrefix(t, "mysql_")
	var b strings.Builder
	engine, ok := opts["engine"]
	if !ok {
		engine = "InnoDB"
	}
	if engine != "" {
		b.WriteString(" ENGINE=")
		b.WriteString(engine)
	}
	charset, ok := opts["charset"]
	if !ok {
		charset = "utf8mb4"
	}
	if charset != "" {
		b.WriteString(" DEFAULT CHARSET=")
		b.WriteString(charset)
	}
	if v := opts["collate"]; v != "" {
		b.WriteString(" COLLATE=")
		b.WriteString(v)
	}
	for _, k := range keys {
		switch k {
		case "engine", "charset", "collate":
			continue
		}
		b.WriteByte(' ')
		b.WriteString(strings.ToUpper(k))
		b.WriteByte('=')
		b.WriteString(opts[k])
	}
	return b.String()
}

// CreateTable returns CREATE TABLE (with inline COMMENTs and table
// options) and CREATE INDEX statements for t.
//
// With ifNotExists, indexes use CREATE INDEX IF NOT EXISTS, which
// MariaDB supports and MySQL 8 does not: on MySQL 8 create tables
// without ifNotExists or check for the index first.
func (Dialect) CreateTable(t *schema.Table, inlineFKs []*schema.ForeignKey, ifNotExists bool) []string {
	return ddl.CreateTable(t, inlineFKs, ifNotExists)
}

// CreateIndex returns CREATE [UNIQUE] INDEX [IF NOT EXISTS] for ix (IF
// NOT EXISTS: MariaDB only).
func (Dialect) CreateIndex(t *schema.Table, ix *schema.Index, ifNotExists bool) string {
	return ddl.CreateIndex(t, ix, ifNotExists)
}

// AddForeignKey returns ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY.
func (Dialect) AddForeignKey(t *schema.Table, fk *schema.ForeignKey) (string, error) {
	return ddl.AddForeignKey(t, fk), nil
}

// InsertReturning returns false: MySQL has no RETURNING; use
// LastInsertId (MariaDB.InsertReturning writes one).
func (Dialect) InsertReturning(*strings.Builder, []string) bool { return false }

// InsertDefaults implements dialects.DefaultsInserter: " () VALUES (),
// (), ...", one empty row per row.
func (Dialect) InsertDefaults(b *strings.Builder, _ *schema.Table, nrows int) bool {
	if nrows < 1 {
		return false
	}
	b.WriteString(" () VALUES ")
	for i := 0; i < nrows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("()")
	}
	return true
}

// Upsert appends " ON DUPLICATE KEY UPDATE c = VALUES(c), ...", which
// applies to a conflict on any unique key (conflictColumns are ignored).
// VALUES() is deprecated since MySQL 8.0.20 but still works there, and
// MariaDB does not support the row-alias replacement.
//
// Do-nothing (no updateColumns) is " ON DUPLICATE KEY UPDATE k = k" on
// the first primary key column (or conflict column, or table column).
// Unlike INSERT IGNORE it does not hide other errors.
func (d Dialect) Upsert(b *strings.Builder, t *schema.Table, conflictColumns, updateColumns []string) {
	b.WriteString(" ON DUPLICATE KEY UPDATE ")
	if len(updateColumns) == 0 {
		var k string
		switch {
		case t != nil && t.PrimaryKey != nil && len(t.PrimaryKey.Columns) > 0:
			k = t.PrimaryKey.Columns[0]
		case len(conflictColumns) > 0:
			k = conflictColumns[0]
		case t != nil && len(t.Columns) > 0:
			k = t.Columns[0].Name
		}
		q := d.Quote(k)
		b.WriteString(q + " = " + q)
		return
	}
	for i, c := range updateColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		q := d.Quote(c)
		b.WriteString(q)
		b.WriteString(" = VALUES(")
		b.WriteString(q)
		b.WriteByte(')')
	}
}

// CurrentSchema returns DATABASE(), the connection's default database.
func (Dialect) CurrentSchema(ctx context.Context, q dialects.Querier) (string, error) {
	var s sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&s); err != nil {
		return "", err
	}
	if !s.Valid {
		return "", errors.New("mysql: no database selected (add /dbname to the DSN)")
	}
	return s.String, nil
}
