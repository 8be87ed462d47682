package orm

import (
	"fmt"
	"strings"
)

// tagOption is one `key` or `key:value` item of an `orm:"..."` tag.
type tagOption struct {
	Key   string
	Value string
	// HasValue distinguishes `key:` (empty value) from `key`.
	HasValue bool
}

// parseTag splits an orm struct tag into its options. Options are separated
// by ';'; a key is separated from its value by the first ':'. A ';' inside
// single quotes, double quotes or parentheses belongs to the value, so
// `default:'a;b'` and `check:(a > 0; b)` stay whole; `\;` is a literal ';'.
// Keys are case-insensitive and returned lower-cased; a key may contain
// spaces ("not null"), which are folded to single spaces.
func parseTag(tag string) ([]tagOption, error) {
	var opts []tagOption
	var cur strings.Builder
	depth := 0
	var quote byte
	flush := func() error {
		item := strings.TrimSpace(cur.String())
		cur.Reset()
		if item == "" {
			return nil
		}
		key, value, has := strings.Cut(item, ":")
		key = strings.ToLower(strings.Join(strings.Fields(key), " "))
		if key == "" {
			return fmt.Errorf("option %q has no key", item)
		}
		opts = append(opts, tagOption{Key: key, Value: strings.TrimSpace(value), HasValue: has})
		return nil
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == quote {
				// A doubled quote inside a quoted string is an escaped quote.
				if i+1 < len(tag) && tag[i+1] == quote {
					cur.WriteByte(c)
					i++
				} else {
					quote = 0
				}
			}
		case c == '\\' && i+1 < len(tag) && tag[i+1] == ';':
			cur.WriteByte(';')
			i++
		case c == '\'' || c == '"':
			quote = c
			cur.WriteByte(c)
		case c == '(':
			depth++
			cur.WriteByte(c)
		case c == ')':
			if depth == 0 {
				return nil, fmt.Errorf("unbalanced ')' at offset %d", i)
			}
			depth--
			cur.WriteByte(c)
		case c == ';' && depth == 0:
			if err := flush(); err != nil {
				return nil, err
			}
		default:
			cur.WriteByte(c)
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if depth != 0 {
		return nil, fmt.Errorf("unbalanced '(': %d not closed", depth)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return opts, nil
}

// splitList splits a comma-separated tag value, honouring quotes and
// parentheses, and trims each part.
func splitList(s string) []string {
	var out []string
	depth := 0
	var quote byte
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == ',' && depth == 0:
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(s[start:]))
}
