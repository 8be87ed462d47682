package dialects

import (
	"fmt"
	"strings"
)

// List describes what one ? placeholder of RebindExpandLists stands for.
type List struct {
	// Len is the number of values (Width 0) or of rows (Width > 0). A
	// single value is {Len: 1}.
	Len int
	// Width, when positive, makes the placeholder a list of Len rows of
	// Width values each, for row-value comparisons: "(a, b) IN ?" with
	// two rows becomes "(a, b) IN ((?, ?), (?, ?))".
	Width int
}

// EmptyListDialect is an optional interface of a Dialect: it renders a
// comparison with an empty list, which SQL cannot write as "IN ()".
type EmptyListDialect interface {
	Dialect
	// EmptyIn returns what replaces "IN (<empty list>)" (not: "NOT IN
	// (<empty list>)") after the left operand, a comparison that is false
	// (not: true) for every left operand, NULL included. width is the
	// number of values of a row-value operand, or 0 when unknown or not a
	// row.
	EmptyIn(not bool, width int) string
}

// EmptyIn returns d's rendering of "[NOT] IN (<empty list>)" (see
// EmptyListDialect). Without the interface, it is "[NOT] IN (SELECT NULL
// WHERE 1 = 0)" with one NULL per value of a row (SQLite, MySQL and
// MariaDB accept a SELECT without FROM).
func EmptyIn(d Dialect, not bool, width int) string {
	if e, ok := d.(EmptyListDialect); ok {
		return e.EmptyIn(not, width)
	}
	var b strings.Builder
	if not {
		b.WriteString("NOT ")
	}
	b.WriteString("IN (SELECT NULL")
	for i := 1; i < width; i++ {
		b.WriteString(", NULL")
	}
	b.WriteString(" WHERE 1 = 0)")
	return b.String()
}

// RebindExpand is Rebind for a query whose arguments include lists: the
// i-th ? placeholder stands for counts[i] values; it is RebindExpandLists
// with lists of values.
func RebindExpand(d Dialect, query string, counts []int) (string, error) {
	lists := make([]List, len(counts))
	for i, c := range counts {
		lists[i].Len = c
	}
	return RebindExpandLists(d, query, lists)
}

// RebindExpandLists is Rebind for a query whose arguments include lists:
// the i-th ? placeholder stands for lists[i] and is rewritten to that many
// placeholders separated by commas, each row of a list of rows in
// parentheses ("IN (?)" → "IN (?, ?, ?)" or "IN ($1, $2, $3)").
//
// After the keyword IN, a placeholder without parentheses (GORM's "id IN
// ?") gets them: "id IN ($1, $2)". An empty list after [NOT] IN, with or
// without parentheses, becomes the dialect's EmptyIn, so "x IN ?" matches
// no row and "x NOT IN ?" every row; an empty list anywhere else becomes
// NULL. It fails when the query has a different number of placeholders
// than lists has entries.
func RebindExpandLists(d Dialect, query string, lists []List) (string, error) {
	question := d.Placeholder(1) == "?"
	lx := lexicalOf(d, question)
	var b strings.Builder
	b.Grow(len(query) + 16)
	seen, next, last := 0, 1, 0
	for i := 0; ; {
		j, literal := nextPlaceholder(query, i, lx)
		if j < 0 {
			break
		}
		if literal {
			b.WriteString(query[last:j])
			b.WriteByte('?')
			i = j + 2
			last = i
			continue
		}
		seen++
		i = j + 1
		if seen > len(lists) {
			continue // counted, reported below
		}
		l := lists[seen-1]
		in, not, paren := inBefore(query[last:j])
		if l.Len == 0 && in >= 0 {
			end := i
			if paren {
				end = closingParen(query, i)
			}
			if end >= 0 {
				b.WriteString(query[last : last+in])
				b.WriteString(EmptyIn(d, not, l.Width))
				i = end
				last = i
				continue
			}
		}
		b.WriteString(query[last:j])
		last = i
		if l.Len == 0 {
			b.WriteString("NULL")
			continue
		}
		wrap := in >= 0 && !paren
		if wrap {
			b.WriteByte('(')
		}
		for r := 0; r < l.Len; r++ {
			if r > 0 {
				b.WriteString(", ")
			}
			if l.Width <= 0 {
				writePlaceholder(&b, d, next)
				next++
				continue
			}
			b.WriteByte('(')
			for c := 0; c < l.Width; c++ {
				if c > 0 {
					b.WriteString(", ")
				}
				writePlaceholder(&b, d, next)
				next++
			}
			b.WriteByte(')')
		}
		if wrap {
			b.WriteByte(')')
		}
		if !question {
			separate(&b, query, i)
		}
	}
	if seen != len(lists) {
		return "", fmt.Errorf("query has %d placeholder(s) but %d argument(s) were given: %s", seen, len(lists), query)
	}
	b.WriteString(query[last:])
	return b.String(), nil
}

func writePlaceholder(b *strings.Builder, d Dialect, n int) {
	if p := d.Placeholder(n); p == "?" {
		b.WriteByte('?')
	} else {
		b.WriteString(p)
	}
}

// inBefore reports whether s, the text before a placeholder, ends with the
// keyword IN, optionally followed by an opening parenthesis (paren), and
// preceded by NOT (not). in is the index in s where "[NOT] IN" starts, or
// -1.
func inBefore(s string) (in int, not, paren bool) {
	s = strings.TrimRight(s, " \t\r\n")
	if strings.HasSuffix(s, "(") {
		paren = true
		s = strings.TrimRight(s[:len(s)-1], " \t\r\n")
	}
	k, ok := keywordBefore(s, "IN")
	if !ok {
		return -1, false, false
	}
	if n, ok := keywordBefore(strings.TrimRight(s[:k], " \t\r\n"), "NOT"); ok && n < k {
		return n, true, paren
	}
	return k, false, paren
}

// keywordBefore reports whether s ends with the keyword kw (any case, not
// the end of a longer identifier or of a quoted name), and where it starts.
func keywordBefore(s, kw string) (int, bool) {
	k := len(s) - len(kw)
	if k < 0 || !strings.EqualFold(s[k:], kw) {
		return 0, false
	}
	if k > 0 && (isIdent(s[k-1]) || s[k-1] == '.') {
		return 0, false
	}
	return k, true
}

// closingParen returns the index just past the ")" that follows query[i:]
// after optional white space, or -1.
func closingParen(query string, i int) int {
	for i < len(query) && strings.IndexByte(" \t\r\n", query[i]) >= 0 {
		i++
	}
	if i < len(query) && query[i] == ')' {
		return i + 1
	}
	return -1
}
