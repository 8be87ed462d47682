package dialects

import "strings"

// SecondStatement returns the byte offset in query at which a second
// statement starts, or -1 when query holds at most one statement. It
// reads query as d's server does: a ; inside a string literal, a quoted
// identifier, a comment or a dollar-quoted string (PostgreSQL), inside
// parentheses, or inside the BEGIN ... END body of a CREATE TRIGGER,
// FUNCTION, PROCEDURE or EVENT, ends nothing; MySQL's /*! ... */ comments
// are read as code, since the server runs them. White space and comments
// after the ; ending the first statement leave one statement, but a
// further ; is an empty second one (MySQL refuses "SELECT 1;;"), as is
// any text after a leading ; (";SELECT 1").
//
// It assumes the servers' default string syntax: PostgreSQL with
// standard_conforming_strings on (a backslash is an ordinary character in
// '...'), MySQL without NO_BACKSLASH_ESCAPES or ANSI_QUOTES.
//
// A query without a ; returns -1 at once, without scanning.
func SecondStatement(d Dialect, query string) int {
	if strings.IndexByte(query, ';') < 0 {
		return -1
	}
	if ld, ok := d.(LexicalDialect); ok {
		// Without calling Placeholder, which allocates on PostgreSQL.
		return secondStatement(query, ld.Lexical())
	}
	return secondStatement(query, lexicalOf(d, d.Placeholder(1) == "?"))
}

func secondStatement(query string, lx Lexical) int {
	var (
		ended  bool // a statement ended at a ;
		seen   bool // the current statement has a token
		paren  int  // depth of parentheses
		header = -1 // words of a CREATE statement before its object kind, or -1
		// definer counts the words of MySQL's DEFINER = user@host.
		definer int
		routine bool // the statement creates a trigger, function, procedure or event
		block   int  // depth of BEGIN/CASE ... END in the routine's body
	)
	for i := 0; i < len(query); {
		c := query[i]
		if isSpace(c) {
			i++
			continue
		}
		if j, comment := skipLiteral(query, i, lx); j > i {
			if !comment {
				if ended {
					return i
				}
				seen = true
			}
			i = j
			continue
		}
		if ended {
			return i
		}
		switch {
		case c == ';':
			ended = paren == 0 && block == 0
			seen = true
			i++
		case c == '(':
			paren++
			seen = true
			i++
		case c == ')':
			paren = max(paren-1, 0)
			seen = true
			i++
		case isIdent(c):
			j := i + 1
			for j < len(query) && isIdent(query[j]) {
				j++
			}
			w := query[i:j]
			switch {
			case !seen:
				header = -1
				if strings.EqualFold(w, "CREATE") {
					header = 0
				}
			case paren > 0 || query[i-1] == '.':
				// An argument, a column, a qualified name.
			case header >= 0:
				header++
				switch {
				case isRoutineKind(w):
					routine, header = true, -1
				case strings.EqualFold(w, "DEFINER"):
					definer = 2
				case definer > 0:
					definer--
				case !isCreatePrefix(w) || header > 8:
					header = -1
				}
			case !routine:
			case strings.EqualFold(w, "BEGIN"):
				block++
			case block > 0 && strings.EqualFold(w, "CASE"):
				block++
			case block > 0 && strings.EqualFold(w, "END") && !endsLoop(query, j, lx):
				block--
			}
			seen = true
			i = j
		default:
			seen = true
			i++
		}
	}
	return -1
}

// isCreatePrefix reports whether w may come between CREATE and the kind
// of object a CREATE statement makes.
func isCreatePrefix(w string) bool {
	for _, k := range [...]string{"OR", "REPLACE", "TEMP", "TEMPORARY", "CONSTRAINT", "AGGREGATE"} {
		if strings.EqualFold(w, k) {
			return true
		}
	}
	return false
}

func isRoutineKind(w string) bool {
	for _, k := range [...]string{"TRIGGER", "FUNCTION", "PROCEDURE", "EVENT"} {
		if strings.EqualFold(w, k) {
			return true
		}
	}
	return false
}

// endsLoop reports whether the word after the END ending at query[j] is
// IF, LOOP, WHILE, REPEAT or FOR: MySQL's END IF and loop ends, whose
// openers are not counted as blocks.
func endsLoop(query string, j int, lx Lexical) bool {
	for j < len(query) {
		if isSpace(query[j]) {
			j++
			continue
		}
		k, comment := skipLiteral(query, j, lx)
		if !comment || k == j {
			break
		}
		j = k
	}
	k := j
	for k < len(query) && isIdent(query[k]) {
		k++
	}
	switch w := query[j:k]; {
	case strings.EqualFold(w, "IF"), strings.EqualFold(w, "LOOP"), strings.EqualFold(w, "WHILE"),
		strings.EqualFold(w, "REPEAT"), strings.EqualFold(w, "FOR"):
		return true
	}
	return false
}

// MultiStatementDialect is an optional interface of a Dialect whose driver
// runs several statements sent in one call only when its DSN allows it
// (MySQL: multiStatements=true).
type MultiStatementDialect interface {
	Dialect
	// MultiStatementDSN returns dsn changed to allow several statements
	// in one call.
	MultiStatementDSN(dsn string) (string, error)
}

// MultiStatementDSN applies d's MultiStatementDialect, if it has one, and
// reports whether it did.
func MultiStatementDSN(d Dialect, dsn string) (string, bool, error) {
	m, ok := d.(MultiStatementDialect)
	if !ok {
		return dsn, false, nil
	}
	out, err := m.MultiStatementDSN(dsn)
	return out, err == nil, err
}
