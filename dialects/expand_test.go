package dialects_test

import (
	"strings"
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/dialects/postgres"
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
		{pg, "a IN (?) AND '?' = ?", []int{0, 1}, "a IN (NULL) AND '?' = $1", false},
		{my, "a IN (?) AND b = ?", []int{2, 1}, "a IN (?, ?) AND b = ?", false},
		{my, "a IN (?)", []int{0}, "a IN (NULL)", false},
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

// With one value per placeholder, RebindExpand is Rebind.
func FuzzRebindExpand(f *testing.F) {
	for _, s := range []string{"a = ? AND b IN (?)", "'?' ?? ? -- ?\n?", "$$ ? $$ ?", `"?" ?`, "/* ? */ ?"} {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, query string, n uint8) {
		for _, d := range []dialects.Dialect{postgres.Dialect{}, mysql.Dialect{}} {
			counts := make([]int, int(n%8))
			for i := range counts {
				counts[i] = 1
			}
			got, err := dialects.RebindExpand(d, query, counts)
			if err != nil {
				if !strings.Contains(err.Error(), "placeholder") {
					t.Fatalf("unexpected error %v", err)
				}
				continue
			}
			if want := dialects.Rebind(d, query); got != want {
				t.Fatalf("%s: RebindExpand(%q) = %q, Rebind = %q", d.Name(), query, got, want)
			}
		}
	})
}
