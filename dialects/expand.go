package dialects

import (
	"fmt"
	"strings"
)

// RebindExpand is Rebind for a query whose arguments include lists: the
// i-th ? placeholder stands for counts[i] values and is rewritten to that
// many placeholders separated by commas ("IN (?)" → "IN (?, ?, ?)" or
// "IN ($1, $2, $3)"). A count of 0 becomes NULL, so "x IN (?)" with an
// empty list matches no row. It fails when the query has a different
// number of placeholders than counts has entries.
func RebindExpand(d Dialect, query string, counts []int) (string, error) {
	e := &expander{Dialect: d, counts: counts, starts: make([]int, len(counts))}
	n := 1
	for i, c := range counts {
		e.starts[i] = n
		n += c
	}
	out := Rebind(e, query)
	if e.seen != len(counts) {
		return "", fmt.Errorf("query has %d placeholder(s) but %d argument(s) were given: %s", e.seen, len(counts), query)
	}
	return out, nil
}

// expander is a Dialect whose n-th placeholder expands to counts[n-1]
// placeholders of the wrapped dialect.
type expander struct {
	Dialect
	counts []int
	starts []int
	seen   int
	probed bool
}

// Lexical forwards the wrapped dialect's lexical rules.
func (e *expander) Lexical() Lexical {
	return lexicalOf(e.Dialect, e.Dialect.Placeholder(1) == "?")
}

// Placeholder returns the expansion of the n-th placeholder. Rebind calls
// Placeholder(1) once before scanning to learn the bind style: that probe
// must not count, and must not look like "?".
func (e *expander) Placeholder(n int) string {
	if !e.probed {
		e.probed = true
		return "$probe"
	}
	if n > e.seen {
		e.seen = n
	}
	if n > len(e.counts) {
		return "?"
	}
	c := e.counts[n-1]
	if c == 0 {
		return "NULL"
	}
	var b strings.Builder
	for i := 0; i < c; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.Dialect.Placeholder(e.starts[n-1] + i))
	}
	return b.String()
}
