package dialects_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/dialects/postgres"
	"github.com/tagorm/orm/dialects/sqlite"
)

func TestRebind(t *testing.T) {
	pg := postgres.Dialect{}
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"?", "$1"},
		{"??", "?"},
		{"a ?? 'k' AND b = ?", "a ? 'k' AND b = $1"},
		{"???", "?$1"},
		{"'?' ?", "'?' $1"},
		{"'it''s ?' ?", "'it''s ?' $1"},
		{`"col?" = ?`, `"col?" = $1`},
		{"`col?` = ?", "`col$1` = $2"}, // a backquote is an operator character
		{"-- ?\n?", "-- ?\n$1"},
		{"? -- ?", "$1 -- ?"},
		{"/* ? */ ?", "/* ? */ $1"},
		{"/* /* ? */ ? */ ?", "/* /* ? */ ? */ $1"}, // nested on PostgreSQL
		{"$$ ? $$ ?", "$$ ? $$ $1"},
		{"$fn$ ? $x$ ? $fn$ ?", "$fn$ ? $x$ ? $fn$ $1"},
		{"a$b ? $1", "a$b $1 $1"},
		{`E'\'?' ?`, `E'\'?' $1`},
		{`'\' ?`, `'\' $1`}, // standard strings: backslash is literal
		{"'unterminated ?", "'unterminated ?"},
		{"/* unterminated ?", "/* unterminated ?"},
		{"? ? ? ? ? ? ? ? ? ? ?", "$1 $2 $3 $4 $5 $6 $7 $8 $9 $10 $11"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, dialects.Rebind(pg, tc.in), "Rebind(%q)", tc.in)
	}

	my := mysql.Dialect{}
	for in, want := range map[string]string{
		"a = ?":               "a = ?",
		"a ?? ?":              "a ? ?",
		`'it\'s ??' ?? ?`:     `'it\'s ??' ? ?`,
		"# ??\n??":            "# ??\n?",
		"\"??\" `??` ?? '??'": "\"??\" `??` ? '??'",
	} {
		assert.Equal(t, want, dialects.Rebind(my, in), "mysql Rebind(%q)", in)
	}
	assert.Equal(t, "x ? '??'", dialects.Rebind(sqlite.Dialect{}, "x ?? '??'"))
}

func TestRebindNoAllocForQuestionDialects(t *testing.T) {
	q := "SELECT * FROM t WHERE a = ? AND b = '?'"
	for _, d := range []dialects.Dialect{sqlite.Dialect{}, mysql.Dialect{}} {
		allocs := testing.AllocsPerRun(100, func() { _ = dialects.Rebind(d, q) })
		assert.Zero(t, allocs, d.Name())
		assert.Equal(t, q, dialects.Rebind(d, q))
	}
}

// countPlaceholders is an independent reference for the fuzz test: a
// character-class state machine for the PostgreSQL lexical rules (where
// a backquote is an operator character, not a quote).
func countPlaceholders(q string) int {
	const (
		code = iota
		single
		escSingle
		double
		line
	)
	state, n, depth := code, 0, 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		next := byte(0)
		if i+1 < len(q) {
			next = q[i+1]
		}
		prevIdent := i > 0 && (q[i-1] == '_' || q[i-1] == '$' || q[i-1] >= 0x80 ||
			q[i-1] >= 'a' && q[i-1] <= 'z' || q[i-1] >= 'A' && q[i-1] <= 'Z' || q[i-1] >= '0' && q[i-1] <= '9')
		switch {
		case depth > 0:
			if c == '/' && next == '*' {
				depth++
				i++
			} else if c == '*' && next == '/' {
				depth--
				i++
			}
		case state == single:
			if c == '\'' {
				state = code
			}
		case state == escSingle:
			if c == '\\' {
				i++
			} else if c == '\'' {
				state = code
			}
		case state == double:
			if c == '"' {
				state = code
			}
		case state == line:
			if c == '\n' {
				state = code
			}
		case c == '?':
			if next == '?' {
				i++
			} else {
				n++
			}
		case c == '\'':
			state = single
		case (c == 'E' || c == 'e') && next == '\'' && !prevIdent:
			state = escSingle
			i++
		case c == '"':
			state = double
		case c == '-' && next == '-':
			state = line
		case c == '/' && next == '*':
			depth = 1
			i++
		case c == '$' && !prevIdent:
			// dollar quote: $tag$ with tag empty or [A-Za-z_\x80-][A-Za-z0-9_\x80-]*
			j := i + 1
			for j < len(q) && q[j] != '$' && (q[j] == '_' || q[j] >= 0x80 || q[j] >= 'a' && q[j] <= 'z' || q[j] >= 'A' && q[j] <= 'Z' || (j > i+1 && q[j] >= '0' && q[j] <= '9')) {
				j++
			}
			if j < len(q) && q[j] == '$' {
				tag := q[i : j+1]
				end := strings.Index(q[j+1:], tag)
				if end < 0 {
					return n
				}
				i = j + end + len(tag)
			}
		}
	}
	return n
}

func FuzzRebind(f *testing.F) {
	for _, s := range []string{
		"SELECT ? FROM t", "a ?? b", "'?' \"?\" -- ?\n /* ? */ ?", "`?` ?",
		"$$?$$ ?", "$a$ ? $a$ ?", "E'\\'?' ?", "/* /* */ ? */ ?", "$1 ? a$b$ ?", "???",
	} {
		f.Add(s)
	}
	pg := postgres.Dialect{}
	sq := sqlite.Dialect{}
	f.Fuzz(func(t *testing.T, q string) {
		out := dialects.Rebind(pg, q)
		want := countPlaceholders(q)
		// ? dialects never panic and keep ? count consistent.
		_ = dialects.Rebind(sq, q)
		got := 0
		for i := 1; ; i++ {
			ph := "$" + strconv.Itoa(i)
			if !strings.Contains(out, ph) {
				break
			}
			got = i
		}
		if strings.Contains(q, "$") {
			// $n in the input make the output count ambiguous; check
			// only that the expected numbers are all there.
			require.GreaterOrEqual(t, got, want, "Rebind(%q) = %q", q, out)
			return
		}
		require.Equal(t, want, got, "Rebind(%q) = %q", q, out)
		require.Equal(t, want, strings.Count(out, "$"), "Rebind(%q) = %q", q, out)
	})
}
