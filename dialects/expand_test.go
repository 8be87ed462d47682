package dialects_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/dialects/postgres"
	"github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/internal/dbtest"
)

func TestRebindExpand(t *testing.T) {
	pg, my := postgres.Dialect{}, mysql.Dialect{}
	for _, tc := range []struct {
		d      dialects.Dialect
		query  string
		counts []int
		want   string
		err    bool
	}{
		{pg, "a IN (?) AND b = ?", []int{3, 1}, "a IN ($1, $2, $3) AND b = $4", false},
		{pg, "a = ? AND b IN (?)", []int{1, 2}, "a = $1 AND b IN ($2, $3)", false},
		{pg, "a IN (?) AND '?' = ?", []int{0, 1}, "a = ANY('{}') AND '?' = $1", false},
		{my, "a IN (?) AND b = ?", []int{2, 1}, "a IN (?, ?) AND b = ?", false},
		{my, "a IN (?)", []int{0}, "a IN (SELECT NULL WHERE 1 = 0)", false},
		// GORM's "IN ?": the list gets its parentheses.
		{pg, "id IN ? AND b = ?", []int{2, 1}, "id IN ($1, $2) AND b = $3", false},
		{pg, "id in\n? AND b NOT IN ?", []int{1, 3}, "id in\n($1) AND b NOT IN ($2, $3, $4)", false},
		{my, "id IN ?", []int{3}, "id IN (?, ?, ?)", false},
		{my, "id IN ? AND c IN ??", []int{1}, "id IN (?) AND c IN ?", false},
		// Not the keyword IN.
		{pg, "min ? AND t.in ? AND \"in\" ?", []int{2, 2, 2}, "min $1, $2 AND t.in $3, $4 AND \"in\" $5, $6", false},
		{pg, "'IN ?' = ? AND x IN ?", []int{1, 2}, "'IN ?' = $1 AND x IN ($2, $3)", false},
		// Empty lists: IN matches no row, NOT IN every row, with or
		// without parentheses.
		{pg, "a IN ? AND b = ?", []int{0, 1}, "a = ANY('{}') AND b = $1", false},
		{pg, "a NOT IN (?) AND b = ?", []int{0, 1}, "a <> ALL('{}') AND b = $1", false},
		{pg, "a not  in ( ? ) OR b", []int{0}, "a <> ALL('{}') OR b", false},
		{my, "a NOT IN ?", []int{0}, "a NOT IN (SELECT NULL WHERE 1 = 0)", false},
		{my, "a IN (?) OR a IN ?", []int{0, 0}, "a IN (SELECT NULL WHERE 1 = 0) OR a IN (SELECT NULL WHERE 1 = 0)", false},
		// Elsewhere an empty list is NULL.
		{my, "COALESCE(?, 1)", []int{0}, "COALESCE(NULL, 1)", false},
		{my, "a IN (?, ?)", []int{0, 1}, "a IN (NULL, ?)", false},
		{pg, "a IN (?)", []int{1, 1}, "", true},
		{pg, "a = ? AND b = ?", []int{1}, "", true},
	} {
		got, err := dialects.RebindExpand(tc.d, tc.query, tc.counts)
		if tc.err {
			if err == nil {
				t.Errorf("%q %v: no error", tc.query, tc.counts)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q %v: got %q, %v; want %q", tc.query, tc.counts, got, err, tc.want)
		}
	}
}

func TestRebindExpandLists(t *testing.T) {
	pg, my, sq := postgres.Dialect{}, mysql.Dialect{}, sqlite.Dialect{}
	for _, tc := range []struct {
		d     dialects.Dialect
		query string
		lists []dialects.List
		want  string
	}{
		{pg, "(a, b) IN ?", []dialects.List{{Len: 2, Width: 2}}, "(a, b) IN (($1, $2), ($3, $4))"},
		{pg, "(a, b) IN (?) AND c = ?", []dialects.List{{Len: 1, Width: 2}, {Len: 1}}, "(a, b) IN (($1, $2)) AND c = $3"},
		{my, "(a, b) NOT IN ?", []dialects.List{{Len: 2, Width: 3}}, "(a, b) NOT IN ((?, ?, ?), (?, ?, ?))"},
		{sq, "(a, b) IN ?", []dialects.List{{Len: 0, Width: 2}}, "(a, b) IN (SELECT NULL, NULL WHERE 1 = 0)"},
		{sq, "(a, b) NOT IN ?", []dialects.List{{Len: 0, Width: 2}}, "(a, b) NOT IN (SELECT NULL, NULL WHERE 1 = 0)"},
		{pg, "(a, b) NOT IN ?", []dialects.List{{Len: 0, Width: 2}}, "(a, b) <> ALL('{}')"},
	} {
		got, err := dialects.RebindExpandLists(tc.d, tc.query, tc.lists)
		if err != nil || got != tc.want {
			t.Errorf("%s %q %v: got %q, %v; want %q", tc.d.Name(), tc.query, tc.lists, got, err, tc.want)
		}
	}
}

// FuzzRebindExpand checks, on any query and any list lengths, that
// RebindExpandLists fails only on a placeholder count mismatch, that the
// placeholders it writes are $1 ... $n once each, in order, for the n
// values of the lists, and that with one value per placeholder and no IN
// it is Rebind.
func FuzzRebindExpand(f *testing.F) {
	for _, s := range []string{
		"a = ? AND b IN (?)", "'?' ?? ? -- ?\n?", "$$ ? $$ ?", `"?" ?`, "/* ? */ ?",
		"id IN ? AND x NOT IN (?)", "(a, b) IN ?", "$fn$ IN ? $fn$ IN ?", "E'\\'?' IN ?", "`in` ? # ?\n?",
	} {
		f.Add(s, uint32(0x1234), uint8(0))
	}
	pg, my := postgres.Dialect{}, mysql.Dialect{}
	f.Fuzz(func(t *testing.T, query string, lens uint32, width uint8) {
		n := countPlaceholders(query)
		lists := make([]dialects.List, n)
		values := 0
		for i := range lists {
			lists[i] = dialects.List{Len: int(lens>>(2*(i%16))) & 3, Width: int(width>>(i%8)&1) * 2}
			values += lists[i].Len * max(lists[i].Width, 1)
		}
		out, err := dialects.RebindExpandLists(pg, query, lists)
		require.NoError(t, err, "%q", query)
		if !strings.Contains(query, "$") {
			got := 0
			for i := 1; strings.Contains(out, "$"+strconv.Itoa(i)); i++ {
				got = i
			}
			require.Equal(t, values, got, "%q %v → %q", query, lists, out)
			require.Equal(t, values, strings.Count(out, "$"), "%q %v → %q", query, lists, out)
		}
		_, err = dialects.RebindExpandLists(pg, query, append(lists, dialects.List{Len: 1}))
		require.ErrorContains(t, err, "placeholder")

		// MySQL's lexical rules differ (backslashes, # comments): only no
		// panic and no error there.
		_, _ = dialects.RebindExpandLists(my, query, lists)

		if !strings.Contains(strings.ToUpper(query), "IN") {
			ones := make([]int, n)
			for i := range ones {
				ones[i] = 1
			}
			for _, d := range []dialects.Dialect{pg, my} {
				got, err := dialects.RebindExpand(d, query, ones)
				if d == my && err != nil {
					continue // another placeholder count under MySQL's rules
				}
				require.NoError(t, err)
				require.Equal(t, dialects.Rebind(d, query), got, "%s %q", d.Name(), query)
			}
		}
	})
}

// TestRebindExpandOnDatabases runs expanded IN lists on each database:
// "IN ?" and "IN (?)", empty lists (IN: no row, NOT IN: every row, NULL
// operands included) and lists of row values.
func TestRebindExpandOnDatabases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		d := db.Dialect
		q := d.Quote
		_, err := db.SQL.ExecContext(ctx, "CREATE TABLE "+q("items")+" ("+q("id")+" integer NOT NULL PRIMARY KEY, "+
			q("code")+" varchar(10) NOT NULL, "+q("note")+" varchar(10))")
		require.NoError(t, err)
		for i, code := range []string{"a", "b", "c"} {
			var note any
			if i < 2 {
				note = code
			}
			_, err := db.SQL.ExecContext(ctx, dialects.Rebind(d, "INSERT INTO "+q("items")+" VALUES (?, ?, ?)"), i+1, code, note)
			require.NoError(t, err)
		}
		ids := func(where string, lists []dialects.List, args ...any) []int {
			t.Helper()
			query, err := dialects.RebindExpandLists(d, "SELECT "+q("id")+" FROM "+q("items")+" WHERE "+where+" ORDER BY "+q("id"), lists)
			require.NoError(t, err)
			rows, err := db.SQL.QueryContext(ctx, query, args...)
			require.NoError(t, err, query)
			defer rows.Close()
			out := []int{}
			for rows.Next() {
				var id int
				require.NoError(t, rows.Scan(&id))
				out = append(out, id)
			}
			require.NoError(t, rows.Err())
			return out
		}
		l := func(n int) []dialects.List { return []dialects.List{{Len: n}} }
		assert.Equal(t, []int{1, 3}, ids(q("id")+" IN ?", l(2), 1, 3))
		assert.Equal(t, []int{2}, ids(q("id")+" NOT IN ?", l(2), 1, 3))
		assert.Equal(t, []int{1, 3}, ids(q("id")+" IN (?)", l(2), 1, 3))
		assert.Equal(t, []int{2}, ids(q("id")+" in ?", l(1), 2))
		for _, col := range []string{"id", "code", "note"} {
			for _, form := range []string{"?", "(?)"} {
				assert.Equal(t, []int{}, ids(q(col)+" IN "+form, l(0)), "%s IN %s", col, form)
				assert.Equal(t, []int{1, 2, 3}, ids(q(col)+" NOT IN "+form, l(0)), "%s NOT IN %s", col, form)
				assert.Equal(t, []int{1, 2, 3}, ids("NOT ("+q(col)+" IN "+form+")", l(0)), "NOT (%s IN %s)", col, form)
			}
		}
		pair := "(" + q("id") + ", " + q("code") + ")"
		assert.Equal(t, []int{1, 3}, ids(pair+" IN ?", []dialects.List{{Len: 3, Width: 2}}, 1, "a", 2, "x", 3, "c"))
		assert.Equal(t, []int{2}, ids(pair+" NOT IN (?)", []dialects.List{{Len: 2, Width: 2}}, 1, "a", 3, "c"))
		assert.Equal(t, []int{}, ids(pair+" IN ?", []dialects.List{{Len: 0, Width: 2}}))
		assert.Equal(t, []int{1, 2, 3}, ids(pair+" NOT IN ?", []dialects.List{{Len: 0, Width: 2}}))
	})
}
