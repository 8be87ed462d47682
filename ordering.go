package orm

import (
	"fmt"
	"strings"

	"github.com/tagorm/orm/dialects"
)

// Names and raw SQL.
//
// Methods whose parameters are named sql take SQL by contract and send it
// as written: Where, Or, Having, Join, OrderByExpr, GroupByExpr, Expr,
// PreloadQuery.Where and PreloadQuery.OrderByExpr, and the raw Exec,
// Select, Get-style calls. Never build that SQL from user input; pass
// values as ? arguments.
//
// Everything else takes names, which tagorm checks against the model (a
// column name or a Go field name) and quotes: Select, Pluck, WhereIn,
// WhereNotIn, UpdateColumns, Update's column list, OnConflict and
// DoUpdate, Preload and association paths, OrderBy, GroupBy and
// PreloadQuery.OrderBy. OrderBy and GroupBy also take a name qualified by
// a table or alias ("orders.total", for a Join), checked to be plain
// identifiers. A name that is not one is an error, never SQL.

// orderKey keys a rendered OrderBy or GroupBy item in model.sqlCache.
type orderKey struct {
	sortable bool
	item     string
}

// renderNames checks the OrderBy (sortable) or GroupBy items of terms
// against m and appends them to dst as SQL: each item, comma-separated within a
// term, is
//
//	name [ASC | DESC] [NULLS FIRST | NULLS LAST]   (OrderBy)
//	name                                            (GroupBy)
//
// where name is a column or field of m, m's table "." a column or field,
// or "table.column" with two plain identifiers (a joined table). Blank
// items are skipped.
func (m *model) renderNames(dst []string, d dialects.Dialect, api, rawAPI string, sortable bool, terms []string) ([]string, error) {
	out := dst
	for _, term := range terms {
		for item := range strings.SplitSeq(term, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			key := orderKey{sortable, item}
			if s, ok := m.sqlCache.Load(key); ok {
				out = append(out, s.(string))
				continue
			}
			s, err := m.renderName(d, sortable, item)
			if err != nil {
				return nil, fmt.Errorf("orm: %s %q on %s: %w (%s takes SQL)", api, term, m.typ, err, rawAPI)
			}
			m.sqlCache.Store(key, s)
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *model) renderName(d dialects.Dialect, sortable bool, item string) (string, error) {
	words := strings.Fields(item)
	col, err := m.nameSQL(d, words[0])
	if err != nil {
		return "", err
	}
	words = words[1:]
	if !sortable {
		if len(words) > 0 {
			return "", fmt.Errorf("want a column name, got %q", item)
		}
		return col, nil
	}
	dir := ""
	if len(words) > 0 && (strings.EqualFold(words[0], "asc") || strings.EqualFold(words[0], "desc")) {
		dir = " " + strings.ToUpper(words[0])
		words = words[1:]
	}
	nulls := ""
	if len(words) == 2 && strings.EqualFold(words[0], "nulls") && (strings.EqualFold(words[1], "first") || strings.EqualFold(words[1], "last")) {
		nulls = strings.ToUpper(words[1])
		words = nil
	}
	if len(words) > 0 {
		return "", fmt.Errorf("want \"column [ASC|DESC] [NULLS FIRST|LAST]\", got %q", item)
	}
	switch {
	case nulls == "":
		return col + dir, nil
	case d.Features().Has(dialects.NullsOrder):
		return col + dir + " NULLS " + nulls, nil
	case nulls == "FIRST": // false sorts before true
		return col + " IS NOT NULL, " + col + dir, nil
	default:
		return col + " IS NULL, " + col + dir, nil
	}
}

// nameSQL renders a column reference: a column or field of m (quoted,
// qualified by m's table), or "table.column" of plain identifiers.
func (m *model) nameSQL(d dialects.Dialect, name string) (string, error) {
	table, col, qualified := strings.Cut(name, ".")
	if !qualified {
		table, col = m.table.Name, name
	}
	if table == m.table.Name {
		if f := m.lookup(col); f != nil {
			return d.Quote(m.table.Name) + "." + d.Quote(f.col.Name), nil
		}
		if !qualified {
			return "", fmt.Errorf("no column or field %q", name)
		}
	}
	if !isIdentifier(table) || !isIdentifier(col) {
		return "", fmt.Errorf("%q is neither a column or field of the model nor a table.column of plain identifiers", name)
	}
	return table + "." + col, nil
}

// isIdentifier reports whether s is a plain SQL identifier: an ASCII
// letter or underscore, then letters, digits and underscores. Such a name
// needs no quoting on any dialect and cannot carry SQL.
func isIdentifier(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}
