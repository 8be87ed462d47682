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
	// backslash escapes, and nested /* /* */ */ block comments; a
	// backquote is an operator character, not a quote.
	Postgres bool
	// MySQL: -- starts a comment only when a space or control character
	// (or the end of the text) follows it, and /*! ... */ and /*M! ... */
	// comments are not comments: the server runs their text.
	MySQL bool
	// SQLite: [...] quotes an identifier, and a $name(...) parameter
	// (Tcl variable syntax) runs to its closing parenthesis.
	SQLite bool
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
				separate(&b, query, j+1)
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
		if query[i] == '?' {
			return i, i+1 < len(query) && query[i+1] == '?'
		}
		if j, _ := skipLiteral(query, i, lx); j > i {
			i = j
		} else {
			i++
		}
	}
	return -1, false
}

// skipLiteral returns the index just past the string literal, quoted
// identifier, comment or (SQLite) Tcl-style parameter starting at
// query[i], and whether it is a comment; it returns i when none starts
// there. An unclosed one runs to the end of query. It is the one scanner
// of quoted text that Rebind, RebindExpandLists and SecondStatement share.
func skipLiteral(query string, i int, lx Lexical) (int, bool) {
	c := query[i]
	next := byte(0)
	if i+1 < len(query) {
		next = query[i+1]
	}
	switch {
	case c == '\'':
		return skipQuoted(query, i, '\'', lx.BackslashEscapes), false
	case c == '"':
		return skipQuoted(query, i, '"', lx.BackslashEscapes), false
	case c == '`' && !lx.Postgres:
		return skipQuoted(query, i, '`', false), false
	case c == '[' && lx.SQLite:
		if j := strings.IndexByte(query[i+1:], ']'); j >= 0 {
			return i + j + 2, false
		}
		return len(query), false
	case c == '-' && next == '-' && (!lx.MySQL || i+2 >= len(query) || query[i+2] <= ' ' || query[i+2] == 0x7f),
		c == '#' && lx.HashComments:
		return skipLine(query, i), true
	case c == '/' && next == '*':
		if lx.MySQL && (strings.HasPrefix(query[i+2:], "!") || strings.HasPrefix(query[i+2:], "M!")) {
			return i, false // executable comment: its text is code
		}
		return skipBlockComment(query, i, lx.Postgres), true
	case lx.Postgres && (c == 'E' || c == 'e') && next == '\'' && !identBefore(query, i):
		return skipQuoted(query, i+1, '\'', true), false
	case lx.Postgres && c == '$' && !identBefore(query, i):
		return skipDollarQuoted(query, i), false
	case lx.SQLite && (c == '$' || c == '@' || c == ':' || c == '#') && !identBefore(query, i):
		return skipTclVariable(query, i), false
	}
	return i, false
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

// skipTclVariable skips a SQLite parameter starting at query[i] (one of
// $ @ : #) as SQLite's tokenizer reads it: identifier characters and "::"
// separators, then, after at least one identifier character, an optional
// "(...)" suffix that runs to the closing parenthesis or to the first
// space or control character. Without an identifier character it returns i+1.
func skipTclVariable(query string, i int) int {
	n := 0
	j := i + 1
	for j < len(query) {
		c := query[j]
		switch {
		case isIdent(c):
			n++
			j++
			continue
		case c == ':' && j+1 < len(query) && query[j+1] == ':':
			j += 2
			continue
		case c == '(' && n > 0:
			for j++; j < len(query) && query[j] != ')' && query[j] > ' '; j++ {
			}
			if j < len(query) && query[j] == ')' {
				j++
			}
			return j
		}
		break
	}
	if n == 0 {
		return i + 1
	}
	return j
}

// isSpace reports whether c is white space between tokens on every
// dialect.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// separate writes a space when query[i] would run on from a $n
// placeholder just written ("?0" must not become "$10", another
// parameter).
func separate(b *strings.Builder, query string, i int) {
	if i < len(query) && isIdent(query[i]) {
		b.WriteByte(' ')
	}
}
