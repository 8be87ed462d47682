package dialects

import "strings"

// Lexical describes the parts of a dialect's SQL syntax that matter when
// scanning a query for placeholders.
type Lexical struct {
	// BackslashEscapes: a backslash escapes the next character inside
	// '...' and "..." strings (MySQL's default sql_mode).
	BackslashEscapes bool
	// HashComments: # starts a comment that runs to the end of the line
	// (MySQL).
	HashComments bool
	// Postgres: $tag$...$tag$ dollar-quoted strings, E'...' strings with
	// backslash escapes, and nested /* /* */ */ block comments.
	Postgres bool
}

// LexicalDialect is an optional interface of a Dialect that describes its
// lexical syntax to Rebind. Without it Rebind assumes standard SQL, plus
// the PostgreSQL rules when Placeholder(1) is "$1".
type LexicalDialect interface {
	Dialect
	Lexical() Lexical
}

func lexicalOf(d Dialect, question bool) Lexical {
	if ld, ok := d.(LexicalDialect); ok {
		return ld.Lexical()
	}
	return Lexical{Postgres: !question}
}

// Rebind rewrites the ? placeholders of query into d's bind style ($1,
// $2, ... on PostgreSQL). A ? inside a string literal, a quoted
// identifier ("..." or `...`), a -- or /* */ comment, or a PostgreSQL
// dollar-quoted string is left alone. "??" stands for a literal ? (for
// PostgreSQL's jsonb operators: "data ?? 'key'") and is emitted as a
// single ?, on every dialect.
//
// When d uses ? placeholders and query contains no "??", query is
// returned unchanged without allocating.
func Rebind(d Dialect, query string) string {
	question := d.Placeholder(1) == "?"
	if question && !strings.Contains(query, "??") {
		return query
	}
	lx := lexicalOf(d, question)
	var b strings.Builder
	b.Grow(len(query) + 16)
	n, last := 0, 0
	for i := 0; ; {
		j, literal := nextPlaceholder(query, i, lx)
		if j < 0 {
			break
		}
		b.WriteString(query[last:j])
		if literal {
			b.WriteByte('?')
			i = j + 2
		} else {
			n++
			if question {
				b.WriteByte('?')
			} else {
				b.WriteString(d.Placeholder(n))
			}
			i = j + 1
		}
		last = i
	}
	if last == 0 {
		// Nothing rewritten (only reachable for $n dialects).
		return query
	}
	b.WriteString(query[last:])
	return b.String()
}

// nextPlaceholder returns the index of the next ? at or after i that is
// outside string literals, quoted identifiers, comments and dollar-quoted
// strings, and whether it is the first of a "??" (a literal ?), or -1.
func nextPlaceholder(query string, i int, lx Lexical) (int, bool) {
	for i < len(query) {
		c := query[i]
		switch {
		case c == '?':
			return i, i+1 < len(query) && query[i+1] == '?'
		case c == '\'':
			i = skipQuoted(query, i, '\'', lx.BackslashEscapes)
		case c == '"':
			i = skipQuoted(query, i, '"', lx.BackslashEscapes)
		case c == '`':
			i = skipQuoted(query, i, '`', false)
		case c == '-' && i+1 < len(query) && query[i+1] == '-',
			c == '#' && lx.HashComments:
			i = skipLine(query, i)
		case c == '/' && i+1 < len(query) && query[i+1] == '*':
			i = skipBlockComment(query, i, lx.Postgres)
		case lx.Postgres && (c == 'E' || c == 'e') && i+1 < len(query) && query[i+1] == '\'' && !identBefore(query, i):
			i = skipQuoted(query, i+1, '\'', true)
		case lx.Postgres && c == '$' && !identBefore(query, i):
			i = skipDollarQuoted(query, i)
		default:
			i++
		}
	}
	return -1, false
}

// skipQuoted returns the index just past the quoted string starting at
// query[i] == q, or len(query) if it is not closed. A doubled quote is an
// escaped quote (it closes and reopens the string).
func skipQuoted(query string, i int, q byte, backslash bool) int {
	for i++; i < len(query); i++ {
		switch query[i] {
		case '\\':
			if backslash {
				i++
			}
		case q:
			return i + 1
		}
	}
	return len(query)
}

// SkipQuoted returns the index just past the SQL string or quoted
// identifier starting at s[i] == q (no backslash escapes), or len(s) when
// it is not closed: the scanner dialects share for literals.
func SkipQuoted(s string, i int, q byte) int { return skipQuoted(s, i, q, false) }

func skipLine(query string, i int) int {
	if j := strings.IndexByte(query[i:], '\n'); j >= 0 {
		return i + j + 1
	}
	return len(query)
}

func skipBlockComment(query string, i int, nested bool) int {
	depth := 0
	for i < len(query) {
		switch {
		case strings.HasPrefix(query[i:], "/*"):
			if depth == 0 || nested {
				depth++
			}
			i += 2
		case strings.HasPrefix(query[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(query)
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdent(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '$' }

func identBefore(query string, i int) bool { return i > 0 && isIdent(query[i-1]) }

// skipDollarQuoted skips a $tag$...$tag$ string starting at query[i] ==
// '$'. If query[i:] does not open one ($1, a lone $), it returns i+1.
func skipDollarQuoted(query string, i int) int {
	j := i + 1
	if j < len(query) && isIdentStart(query[j]) {
		for j < len(query) && isIdent(query[j]) && query[j] != '$' {
			j++
		}
	}
	if j >= len(query) || query[j] != '$' {
		return i + 1
	}
	tag := query[i : j+1]
	if k := strings.Index(query[j+1:], tag); k >= 0 {
		return j + 1 + k + len(tag)
	}
	return len(query)
}
