package dialects

import (
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/tagorm/orm/schema"
)

// Normalizer is an optional interface of a Dialect that lets
// migration.Compare compare a declared (target) schema with an inspected
// (live) one without spurious differences.
//
// Comparison works by round trip: a target column is first turned into
// what the database would report for it after CreateTable — its type
// rendered with ColumnType and parsed back with the parser Inspect uses,
// its default normalised with the normaliser Inspect uses — and only then
// compared with the live column. Equivalent spellings (int4/integer,
// varchar/character varying, tinyint(1)/boolean, now()/CURRENT_TIMESTAMP,
// 'x'::character varying/'x', MariaDB's 0.00 for 0, ...) thus compare
// equal by construction.
//
// The three bundled dialects implement it. For other dialects,
// NormalizerFor supplies a generic fallback.
type Normalizer interface {
	// NormalizeColumn returns a copy of c (a column of the target table t)
	// as Inspect would report it once created by CreateTable: Type as the
	// database reports it (Kind, Size, Precision, Scale, Values,
	// EnumName, Unsigned), Default in Inspect's canonical spelling (nil
	// for an auto-increment column), Nullable false for a primary key
	// column, AutoIncrement as the database would report it, and Comment
	// empty where the dialect has no comments.
	NormalizeColumn(t *schema.Table, c *schema.Column) *schema.Column
	// TypesEqual reports whether two types, both normalised (one by
	// NormalizeColumn, one by Inspect), are the same column type on this
	// database. Type.Raw is informational: it is compared only for Custom
	// types, and then modulo spelling (see CanonicalType).
	TypesEqual(a, b schema.Type) bool
	// DefaultsEqual reports whether two normalised defaults of a column of
	// (normalised) type t are the same. Numbers are compared by value
	// (0 = 0.00); other expressions by their canonical text.
	DefaultsEqual(a, b *string, t schema.Type) bool
	// ReferentialActionsEqual reports whether two foreign key actions (as
	// in schema.ForeignKey.OnDelete: "" for the default) behave the same
	// on this database. MySQL treats NO ACTION as RESTRICT; PostgreSQL and
	// SQLite distinguish them (RESTRICT is not deferred).
	ReferentialActionsEqual(a, b string) bool
}

// NormalizerFor returns d's Normalizer, or a generic one that parses the
// rendered type with ParseType and TypeOf and normalises defaults with
// NormalizeDefault (without backslash escapes).
func NormalizerFor(d Dialect) Normalizer {
	if n, ok := d.(Normalizer); ok {
		return n
	}
	return genericNormalizer{d}
}

type genericNormalizer struct{ d Dialect }

func (g genericNormalizer) NormalizeColumn(t *schema.Table, c *schema.Column) *schema.Column {
	raw := g.d.ColumnType(t, c)
	typ := schema.Type{Kind: schema.Custom, Raw: raw}
	if ts, err := ParseType(raw, ParseTypeOptions{}); err == nil {
		typ = TypeOf(ts, raw)
	}
	return NormalizeColumnBase(t, c, typ, func(e string, t schema.Type) *string {
		return NormalizeDefault(e, t, false)
	}, g.d.Features().Has(ColumnComments))
}

func (genericNormalizer) TypesEqual(a, b schema.Type) bool { return TypesEqual(a, b) }
func (genericNormalizer) DefaultsEqual(a, b *string, t schema.Type) bool {
	return DefaultsEqual(a, b, t)
}
func (genericNormalizer) ReferentialActionsEqual(a, b string) bool {
	return ReferentialAction(a) == ReferentialAction(b)
}

// NormalizeColumnBase is the part of Normalizer.NormalizeColumn every
// dialect shares: it returns a copy of c with Type set to typ (the
// round-tripped type), the default normalised with normDefault (the
// rendered DEFAULT expression is c.Default verbatim; dialects that
// render it differently pass the rendered text through their own
// function), no default on an auto-increment column, primary key columns
// NOT NULL, and the comment cleared when comments is false.
func NormalizeColumnBase(t *schema.Table, c *schema.Column, typ schema.Type, normDefault func(expr string, t schema.Type) *string, comments bool) *schema.Column {
	n := c.Clone()
	n.Type = typ
	n.DialectTypes = nil
	n.RenamedFrom = ""
	if t.IsPrimaryKey(c.Name) {
		n.Nullable = false
	}
	switch {
	case n.AutoIncrement:
		n.Default = nil
	case c.Default != nil:
		n.Default = normDefault(*c.Default, typ)
	}
	if !comments {
		n.Comment = ""
	}
	return n
}

// TypesEqual is the comparison of normalised types the bundled dialects
// share: same Kind, and per kind the properties the database keeps —
// Size of String and Binary, Precision and Scale of Decimal, Precision of
// DateTime, Values (in order) and EnumName of Enum, Unsigned of integers;
// Custom types compare by CanonicalType of Raw.
func TypesEqual(a, b schema.Type) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case schema.String, schema.Binary:
		return a.Size == b.Size
	case schema.Decimal:
		return a.Precision == b.Precision && a.Scale == b.Scale
	case schema.DateTime:
		return a.Precision == b.Precision
	case schema.Enum:
		return slices.Equal(a.Values, b.Values) && a.EnumName == b.EnumName
	case schema.SmallInt, schema.Integer, schema.BigInt:
		return a.Unsigned == b.Unsigned
	case schema.Custom:
		return CanonicalType(a.Raw) == CanonicalType(b.Raw)
	}
	return true
}

// typeAliases maps type names to one spelling, for CanonicalType.
var typeAliases = map[string]string{
	"character": "char", "bpchar": "char", "nchar": "char",
	"character varying": "varchar", "nvarchar": "varchar",
	"int": "integer", "int4": "integer", "int2": "smallint", "int8": "bigint",
	"float8": "double precision", "double": "double precision", "float4": "real",
	"bool": "boolean", "decimal": "numeric", "dec": "numeric",
	"timestamptz": "timestamp with time zone", "timestamp without time zone": "timestamp",
	"timetz": "time with time zone", "time without time zone": "time",
	"varbit": "bit varying",
}

// intNames are the integer type names whose MySQL display width
// (tinyint(4), mediumint(9)) means nothing.
var intNames = map[string]bool{
	"tinyint": true, "smallint": true, "mediumint": true, "integer": true, "bigint": true, "year": true,
}

// CanonicalType returns one spelling of a type as written in DDL or
// reported by a catalog, for comparing Custom types: lower case, aliases
// resolved (character → char, int4 → integer, timestamptz → timestamp
// with time zone, ...), MySQL integer display widths dropped, arguments
// without spaces. Text that does not parse is returned lower-cased with
// single spaces.
func CanonicalType(raw string) string {
	ts, err := ParseType(raw, ParseTypeOptions{})
	if err != nil {
		return strings.ToLower(strings.Join(strings.Fields(raw), " "))
	}
	name := ts.Name
	if a, ok := typeAliases[name]; ok {
		name = a
	}
	var b strings.Builder
	b.WriteString(name)
	if ts.HasArgs && !intNames[name] {
		b.WriteByte('(')
		b.WriteString(strings.Join(ts.Args, ","))
		b.WriteByte(')')
	}
	if ts.Unsigned {
		b.WriteString(" unsigned")
	}
	if ts.Zerofill {
		b.WriteString(" zerofill")
	}
	if ts.Array {
		b.WriteString("[]")
	}
	return b.String()
}

// DefaultsEqual is the comparison of normalised defaults the bundled
// dialects share: both absent, the same text, two numbers (possibly
// quoted, as PostgreSQL prints '-1'::integer) with the same value, so
// that MariaDB's 0.00 equals 0, two date or time literals of a Date or
// DateTime column with the same wall-clock value ('2020-01-02 03:04:05'
// equals MariaDB's '2020-01-02 03:04:05.000000' and PostgreSQL's
// '2020-01-02 03:04:05+00', printed in the session's time zone, the one
// it was read in), or two expressions with the same tokens
// (CanonicalExpr: "2*3+1" equals PostgreSQL's "((2 * 3) + 1)").
func DefaultsEqual(a, b *string, t schema.Type) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if *a == *b {
		return true
	}
	if t.Kind == schema.DateTime || t.Kind == schema.Date {
		x, ok1 := timeLiteral(*a)
		y, ok2 := timeLiteral(*b)
		if ok1 || ok2 {
			return ok1 && ok2 && x.Equal(y)
		}
	}
	if _, ok := UnquoteString(*a, false); !ok {
		if _, ok := UnquoteString(*b, false); !ok && CanonicalExpr(*a) == CanonicalExpr(*b) {
			return true
		}
	}
	// Quoted numbers count as numbers on numeric columns only: on a
	// string column '0' and '0.00' differ.
	quoted := false
	switch t.Kind {
	case schema.SmallInt, schema.Integer, schema.BigInt, schema.Float, schema.Double, schema.Decimal:
		quoted = true
	}
	x, ok1 := number(*a, quoted)
	y, ok2 := number(*b, quoted)
	return ok1 && ok2 && x.Cmp(y) == 0
}

// number parses a decimal numeric literal such as -1, 0.00 or 1e3, or,
// with quoted, the same inside single quotes.
func number(s string, quoted bool) (*big.Rat, bool) {
	s = strings.TrimSpace(s)
	if v, ok := UnquoteString(s, false); ok && quoted {
		s = strings.TrimSpace(v)
	}
	if s == "" || strings.ContainsAny(s, "/'xX") {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}

// ForeignKeyIndexer is an optional interface of a Dialect whose foreign
// keys each need an index on the referencing table whose leading
// columns are the foreign key's columns, in order. InnoDB (MySQL,
// MariaDB) creates such an index with the foreign key when none exists
// and refuses to drop the last one (error 1553, "needed in a foreign key
// constraint"); migration.Compare keeps or re-orders index drops so that
// every foreign key keeps one.
type ForeignKeyIndexer interface {
	ForeignKeysNeedIndex() bool
}

// CoversForeignKey reports whether an index on cols can serve the
// foreign key on fkCols on a ForeignKeyIndexer dialect: its leading
// columns are fkCols, in order.
func CoversForeignKey(cols, fkCols []string) bool {
	return len(fkCols) > 0 && len(cols) >= len(fkCols) && slices.Equal(cols[:len(fkCols)], fkCols)
}

// timeLayouts are the spellings of date and time literals the bundled
// databases print, without the zone offset (timeLiteral drops it).
var timeLayouts = []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02"}

// timeLiteral parses a quoted date or date-time literal as its wall-clock
// value (a trailing zone offset such as +00 or +05:30, or Z, is ignored:
// PostgreSQL prints a timestamptz default in the session's zone, the
// zone in which an unzoned literal was read when the column was created).
func timeLiteral(s string) (time.Time, bool) {
	v, ok := UnquoteString(strings.TrimSpace(s), false)
	if !ok {
		return time.Time{}, false
	}
	v = strings.TrimSpace(v)
	if i := strings.LastIndexAny(v, "+-Z"); i >= 10 {
		v = strings.TrimSpace(v[:i])
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// CanonicalExpr returns a spelling of an SQL expression for comparing
// defaults that databases print back in their own way: outside quoted
// strings, whitespace and parentheses are removed and letters
// lower-cased; quoted strings and identifiers are kept as they are. So
// "2*3+1", "(2 * 3) + 1" and "((2 * 3) + 1)" are the same, as are
// "upper('a')" and "UPPER( 'a' )". Parentheses that change the grouping
// are lost too: "(1+2)*3" and "1+2*3" compare equal, a price paid for
// not parsing every database's expression syntax.
func CanonicalExpr(s string) string { return CanonicalExprFuncs(s, nil) }

// CanonicalExprFuncs is CanonicalExpr with the function names of funcs
// (lower case) replaced by their value, for databases that print a
// function under another name (MariaDB prints upper as ucase).
func CanonicalExprFuncs(s string, funcs map[string]string) string {
	var b strings.Builder
	word := -1 // start in b of the word being written, or -1
	endWord := func(next byte) {
		if word >= 0 && next == '(' && funcs != nil {
			w := b.String()[word:]
			if to, ok := funcs[w]; ok {
				rest := b.String()[:word]
				b.Reset()
				b.WriteString(rest)
				b.WriteString(to)
			}
		}
		word = -1
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		isWord := c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if isWord {
			if word < 0 {
				word = b.Len()
			}
		} else if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			endWord(c)
		}
		switch {
		case c == '\'' || c == '"' || c == '`':
			// A doubled quote closes the literal and opens the next:
			// both are copied as they are.
			j := skipQuoted(s, i, c, false)
			b.WriteString(s[i:j])
			i = j - 1
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == ')':
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
