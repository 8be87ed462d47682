package dialects

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/tagorm/orm/schema"
)

// Inspector is implemented by dialects that can read a live schema.
//
// It is optional: callers discover it with a type assertion, as
// database/sql discovers driver.Pinger, and report a clear error when a
// dialect lacks it.
type Inspector interface {
	// Inspect reads every table of the current schema (PostgreSQL:
	// current_schema(); MySQL: DATABASE(); SQLite: main), skipping the
	// tables named in opts.Exclude.
	//
	// It issues a constant number of queries whatever the number of
	// tables. Tables come back sorted by name, columns in ordinal order,
	// and uniques, indexes, foreign keys and checks sorted by name.
	//
	// The result follows these conventions on every dialect:
	//   - Column.Type.Kind is the normalised kind of the live type and
	//     Column.Type.Raw the type as the database spells it; a type
	//     without a kind is Custom with the live text in Raw.
	//   - Column.Default is normalised with NormalizeDefault: no cast,
	//     no wrapping parentheses, string literals in standard SQL quoting
	//     (a quote inside doubled), CURRENT_TIMESTAMP for every spelling of "now",
	//     TRUE/FALSE on Bool columns; nil for no default and for the
	//     default of an auto-increment column.
	//   - ForeignKey.OnDelete/OnUpdate are "" for NO ACTION and one of the
	//     schema constants otherwise (RESTRICT stays RESTRICT).
	//   - Indexes backing the primary key or a unique constraint are not
	//     listed in Indexes; indexes on expressions are skipped (schema
	//     cannot describe them).
	Inspect(ctx context.Context, q Querier, opts InspectOptions) (*schema.MetaData, error)
}

// InspectOptions select the tables Inspector.Inspect reads.
type InspectOptions struct {
	// Exclude names tables that are never reported.
	Exclude []string
	// Tables, if non-empty, restricts the result to these tables.
	Tables []string
}

// Wants reports whether the table named name passes the options.
func (o InspectOptions) Wants(name string) bool {
	if slices.Contains(o.Exclude, name) {
		return false
	}
	return len(o.Tables) == 0 || slices.Contains(o.Tables, name)
}

// TableSet collects the tables of an inspection, honouring the options.
// Dialect Inspect implementations create tables with Add while reading
// the table list, and look them up with Get while reading columns and
// constraints: Get returns nil for a filtered-out table, so rows of such
// tables are skipped with a nil check.
type TableSet struct {
	opts   InspectOptions
	byName map[string]*schema.Table
	order  []*schema.Table
}

// NewTableSet returns an empty set filtered by opts.
func NewTableSet(opts InspectOptions) *TableSet {
	return &TableSet{opts: opts, byName: map[string]*schema.Table{}}
}

// Add returns the table named name, creating it on first use; it
// returns nil when the options exclude the table.
func (s *TableSet) Add(name string) *schema.Table {
	if t, ok := s.byName[name]; ok {
		return t
	}
	if !s.opts.Wants(name) {
		return nil
	}
	t := &schema.Table{Name: name}
	s.byName[name] = t
	s.order = append(s.order, t)
	return t
}

// Get returns the table named name, or nil if it was not added.
func (s *TableSet) Get(name string) *schema.Table { return s.byName[name] }

// MetaData returns the collected tables sorted by name, each with its
// constraints and indexes sorted by SortTable.
func (s *TableSet) MetaData() *schema.MetaData {
	tables := slices.Clone(s.order)
	slices.SortFunc(tables, func(a, b *schema.Table) int { return strings.Compare(a.Name, b.Name) })
	for _, t := range tables {
		SortTable(t)
	}
	return &schema.MetaData{Tables: tables}
}

// SortTable sorts the uniques, indexes, foreign keys and checks of t by
// name, breaking ties (unnamed constraints) by their columns, so that an
// inspection result does not depend on catalog order.
func SortTable(t *schema.Table) {
	slices.SortStableFunc(t.Uniques, func(a, b *schema.Unique) int {
		return cmpNameCols(a.Name, b.Name, a.Columns, b.Columns)
	})
	slices.SortStableFunc(t.Indexes, func(a, b *schema.Index) int {
		return cmpNameCols(a.Name, b.Name, a.ColumnNames(), b.ColumnNames())
	})
	slices.SortStableFunc(t.ForeignKeys, func(a, b *schema.ForeignKey) int {
		return cmpNameCols(a.Name, b.Name, a.Columns, b.Columns)
	})
	slices.SortStableFunc(t.Checks, func(a, b *schema.Check) int {
		return strings.Compare(a.Name, b.Name)
	})
}

func cmpNameCols(an, bn string, ac, bc []string) int {
	if c := strings.Compare(an, bn); c != 0 {
		return c
	}
	return slices.Compare(ac, bc)
}

// ScanEach runs query on q and calls fn for every row. It closes the rows
// and returns the first error of the query, of fn, or of the iteration.
func ScanEach(ctx context.Context, q Querier, query string, fn func(rows *sql.Rows) error, args ...any) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReferentialAction normalises a foreign key action as catalogs spell it
// ("NO ACTION", "restrict", "SET NULL", ...) to the schema constants, with
// NO ACTION (the SQL default) reported as "".
func ReferentialAction(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(s), " "))
	switch s {
	case "", schema.NoAction:
		return ""
	}
	return s
}

// TypeSpec is a column type string split into its parts, as ParseType
// returns it.
type TypeSpec struct {
	// Name is the lower-case type name with single spaces and without
	// arguments or modifiers: "character varying", "timestamp with time
	// zone", "int", "double precision".
	Name string
	// Args are the parenthesised arguments, trimmed; quoted string
	// arguments (enum values) are unquoted.
	Args []string
	// HasArgs reports whether the type had a parenthesised list (which
	// may be empty).
	HasArgs bool
	// Unsigned and Zerofill are MySQL's integer modifiers.
	Unsigned, Zerofill bool
	// Array marks a PostgreSQL array type ("integer[]").
	Array bool
}

// ParseTypeOptions tune ParseType to a dialect's spelling.
type ParseTypeOptions struct {
	// BackslashEscapes makes a backslash escape the next character inside
	// quoted arguments (MySQL's default string syntax).
	BackslashEscapes bool
}

// ParseType splits a column type as a catalog or a CREATE TABLE statement
// spells it, e.g. "timestamp(3) with time zone", "decimal(10, 2) unsigned",
// "enum('a', 'b')" or "VARCHAR (50)". It fails on unbalanced quotes or
// parentheses, an argument list appearing twice, or characters that have
// no place in a type name.
func ParseType(s string, o ParseTypeOptions) (TypeSpec, error) {
	var ts TypeSpec
	var words []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(':
			if ts.HasArgs {
				return TypeSpec{}, fmt.Errorf("type %q: two argument lists", s)
			}
			args, n, err := parseTypeArgs(s[i:], o)
			if err != nil {
				return TypeSpec{}, fmt.Errorf("type %q: %w", s, err)
			}
			ts.Args, ts.HasArgs = args, true
			i += n
		case c == '[':
			if !strings.HasPrefix(s[i:], "[]") {
				return TypeSpec{}, fmt.Errorf("type %q: bad array suffix", s)
			}
			ts.Array = true
			i += 2
		case isWordByte(c):
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			w := strings.ToLower(s[i:j])
			switch w {
			case "unsigned":
				ts.Unsigned = true
			case "zerofill":
				ts.Zerofill = true
			case "signed":
			default:
				if ts.Array {
					return TypeSpec{}, fmt.Errorf("type %q: text after array suffix", s)
				}
				words = append(words, w)
			}
			i = j
		default:
			return TypeSpec{}, fmt.Errorf("type %q: unexpected %q", s, c)
		}
	}
	if len(words) == 0 {
		return TypeSpec{}, fmt.Errorf("type %q: no type name", s)
	}
	ts.Name = strings.Join(words, " ")
	return ts, nil
}

func isWordByte(c byte) bool {
	return c == '_' || c == '.' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// parseTypeArgs parses "(a, 'b', ...)" at the start of s, returning the
// arguments and the number of bytes consumed.
func parseTypeArgs(s string, o ParseTypeOptions) ([]string, int, error) {
	args := []string{}
	var cur strings.Builder
	quoted := false // the current argument is a quoted string
	i := 1
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\'':
			if quoted || strings.TrimSpace(cur.String()) != "" {
				return nil, 0, fmt.Errorf("misplaced quote in arguments")
			}
			v, n, ok := unquotePrefix(s[i:], o.BackslashEscapes)
			if !ok {
				return nil, 0, fmt.Errorf("unterminated string in arguments")
			}
			cur.Reset()
			cur.WriteString(v)
			quoted = true
			i += n
		case c == ',' || c == ')':
			a := cur.String()
			if !quoted {
				a = strings.TrimSpace(a)
				if a == "" {
					if c == ')' && len(args) == 0 {
						return args, i + 1, nil // "()"
					}
					return nil, 0, fmt.Errorf("empty argument")
				}
			}
			args = append(args, a)
			cur.Reset()
			quoted = false
			i++
			if c == ')' {
				return args, i, nil
			}
		case c == '(':
			return nil, 0, fmt.Errorf("nested parentheses in arguments")
		default:
			if quoted && c != ' ' && c != '\t' {
				return nil, 0, fmt.Errorf("text after a quoted argument")
			}
			if !quoted {
				cur.WriteByte(c)
			}
			i++
		}
	}
	return nil, 0, fmt.Errorf("unbalanced parentheses")
}

// unquotePrefix reads the single-quoted SQL string at the start of s
// (a doubled quote is a quote; with backslash, \x escapes x) and returns its value and
// length.
func unquotePrefix(s string, backslash bool) (string, int, bool) {
	if s == "" || s[0] != '\'' {
		return "", 0, false
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' && i+1 < len(s) && s[i+1] == '\'':
			b.WriteByte('\'')
			i++
		case c == '\'':
			return b.String(), i + 1, true
		case c == '\\' && backslash && i+1 < len(s):
			i++
			b.WriteString(unescapeMySQL(s[i]))
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, false
}

func unescapeMySQL(c byte) string {
	switch c {
	case '0':
		return "\x00"
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 't':
		return "\t"
	case 'b':
		return "\b"
	case 'Z':
		return "\x1a"
	}
	return string(c)
}

// UnquoteString returns the value of s if s is exactly one single-quoted
// SQL string literal. backslash enables MySQL's backslash escapes.
func UnquoteString(s string, backslash bool) (string, bool) {
	v, n, ok := unquotePrefix(s, backslash)
	if !ok || n != len(s) {
		return "", false
	}
	return v, true
}

// TypeOf maps a parsed type to its schema.Type, covering the spellings of
// all bundled dialects (int4/integer/int, int8/bigint, varchar/character
// varying, numeric/decimal, float4/real, float8/double precision/double,
// bytea/blob, timestamp variants, json/jsonb, uuid, enum). Types without a
// kind (char(n), time, arrays, ...) are Custom. raw becomes Type.Raw.
//
// Dialects handle their own special cases (MySQL tinyint(1), char(36) as
// UUID, PostgreSQL's implicit timestamp precision) around it.
func TypeOf(ts TypeSpec, raw string) schema.Type {
	t := schema.Type{Kind: schema.Custom, Raw: raw}
	if ts.Array {
		return t
	}
	nargs := len(ts.Args)
	argInt := func(i int) (int, bool) {
		if i >= nargs {
			return 0, false
		}
		n, err := strconv.Atoi(ts.Args[i])
		return n, err == nil && n >= 0
	}
	intKind := func(k schema.Kind) schema.Type {
		// MySQL's display width (int(11)) means nothing.
		if nargs > 1 {
			return t
		}
		if nargs == 1 {
			if _, ok := argInt(0); !ok {
				return t
			}
		}
		t.Kind, t.Unsigned = k, ts.Unsigned
		return t
	}
	switch ts.Name {
	case "bool", "boolean":
		if nargs == 0 {
			t.Kind = schema.Bool
		}
	case "smallint", "int2":
		return intKind(schema.SmallInt)
	case "int", "integer", "int4":
		return intKind(schema.Integer)
	case "bigint", "int8":
		return intKind(schema.BigInt)
	case "real", "float4":
		if nargs == 0 {
			t.Kind = schema.Float
		}
	case "float":
		switch p, ok := argInt(0); {
		case nargs == 0:
			t.Kind = schema.Float
		case nargs == 1 && ok && p <= 24:
			t.Kind = schema.Float
		case nargs == 1 && ok:
			t.Kind = schema.Double
		}
	case "double", "double precision", "float8":
		if nargs == 0 {
			t.Kind = schema.Double
		}
	case "decimal", "numeric", "dec":
		p, okp := argInt(0)
		s, oks := argInt(1)
		switch {
		case nargs == 0:
			t.Kind = schema.Decimal
		case nargs == 1 && okp:
			t.Kind, t.Precision = schema.Decimal, p
		case nargs == 2 && okp && oks:
			t.Kind, t.Precision, t.Scale = schema.Decimal, p, s
		}
	case "varchar", "character varying", "nvarchar", "varchar2":
		if n, ok := argInt(0); nargs == 1 && ok {
			t.Kind, t.Size = schema.String, n
		} else if nargs == 0 {
			t.Kind = schema.String
		}
	case "text", "tinytext", "mediumtext", "longtext", "clob":
		if nargs == 0 {
			t.Kind = schema.Text
		}
	case "bytea", "tinyblob", "mediumblob", "longblob":
		if nargs == 0 {
			t.Kind = schema.Binary
		}
	case "varbinary", "blob":
		if ts.Name == "blob" && nargs == 0 {
			t.Kind = schema.Binary
			break
		}
		if n, ok := argInt(0); nargs == 1 && ok {
			t.Kind, t.Size = schema.Binary, n
		}
	case "date":
		if nargs == 0 {
			t.Kind = schema.Date
		}
	case "datetime", "timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone":
		if p, ok := argInt(0); nargs == 1 && ok {
			t.Kind, t.Precision = schema.DateTime, p
		} else if nargs == 0 {
			t.Kind = schema.DateTime
		}
	case "json", "jsonb":
		if nargs == 0 {
			t.Kind = schema.JSON
		}
	case "uuid":
		if nargs == 0 {
			t.Kind = schema.UUID
		}
	case "enum":
		if nargs > 0 {
			t.Kind, t.Values = schema.Enum, slices.Clone(ts.Args)
		}
	}
	return t
}

// StripParens removes parentheses that wrap the whole of s, as often as
// they do: "((1))" → "1", but "(a) + (b)" stays. Quotes are respected.
func StripParens(s string) string {
	s = strings.TrimSpace(s)
	for len(s) >= 2 && s[0] == '(' && matchParen(s, 0) == len(s)-1 {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

// matchParen returns the index of the parenthesis closing the one at
// s[open], skipping quoted strings and identifiers, or -1.
func matchParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"', '`':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return -1
			}
			i += j + 1 // a doubled quote is two adjacent strings: harmless
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// IsCurrentTimestamp reports whether expr is one of the spellings of the
// current time: now(), CURRENT_TIMESTAMP, current_timestamp(),
// current_timestamp(6), localtimestamp, now(3), ... (any case).
func IsCurrentTimestamp(expr string) bool {
	e := strings.ToLower(strings.TrimSpace(expr))
	name, rest, hasParen := strings.Cut(e, "(")
	name = strings.TrimSpace(name)
	switch name {
	case "now", "current_timestamp", "localtimestamp", "transaction_timestamp":
	default:
		return false
	}
	if !hasParen {
		return name != "now" && name != "transaction_timestamp"
	}
	arg, ok := strings.CutSuffix(strings.TrimSpace(rest), ")")
	if !ok {
		return false
	}
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return true
	}
	_, err := strconv.Atoi(arg)
	return err == nil
}

// NormalizeDefault returns the canonical spelling of a column default
// reported by a catalog, for a column of type t:
//   - surrounding parentheses are removed ("(CURRENT_TIMESTAMP)");
//   - "" and NULL mean no default (nil);
//   - every spelling of the current time becomes CURRENT_TIMESTAMP (of
//     the current date CURRENT_DATE, of the time of day CURRENT_TIME);
//   - a string literal is re-quoted in standard SQL (a quote inside is doubled), with
//     backslash escapes decoded first when backslash is set (MariaDB);
//   - on a Bool column, true/false/1/0/'t'/'f' become TRUE/FALSE;
//   - anything else (numbers as the database prints them, e.g. MariaDB's
//     0.00, and other expressions) is returned trimmed, unchanged.
//
// Dialect-specific decorations such as PostgreSQL casts must be removed
// before.
func NormalizeDefault(expr string, t schema.Type, backslash bool) *string {
	e := StripParens(expr)
	if e == "" || strings.EqualFold(e, "null") {
		return nil
	}
	out := e
	if v, ok := UnquoteString(e, backslash); ok {
		out = QuoteString(v, false)
		if t.Kind == schema.Bool {
			if b, ok := boolWord(v); ok {
				out = b
			}
		}
	} else if IsCurrentTimestamp(e) {
		out = "CURRENT_TIMESTAMP"
	} else if k := currentDateTime(e); k != "" {
		out = k
	} else if t.Kind == schema.Bool {
		if b, ok := boolWord(e); ok {
			out = b
		}
	}
	return &out
}

// currentDateTime returns CURRENT_DATE or CURRENT_TIME when expr is one
// of their spellings (current_date, curdate(), current_date(),
// current_time, curtime(), current_time(6), any case), else "".
func currentDateTime(expr string) string {
	e := strings.ToLower(strings.TrimSpace(expr))
	name, rest, hasParen := strings.Cut(e, "(")
	name = strings.TrimSpace(name)
	if hasParen {
		arg, ok := strings.CutSuffix(strings.TrimSpace(rest), ")")
		if !ok {
			return ""
		}
		if arg = strings.TrimSpace(arg); arg != "" {
			if _, err := strconv.Atoi(arg); err != nil {
				return ""
			}
		}
	}
	switch {
	case name == "current_date" || name == "curdate" && hasParen:
		return "CURRENT_DATE"
	case name == "current_time" || name == "curtime" && hasParen:
		return "CURRENT_TIME"
	}
	return ""
}

func boolWord(s string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "t", "yes", "y", "on":
		return "TRUE", true
	case "0", "false", "f", "no", "n", "off":
		return "FALSE", true
	}
	return "", false
}
