package orm

import (
	"strings"
	"testing"
)

func TestParseTag(t *testing.T) {
	o := func(k, v string) tagOption { return tagOption{Key: k, Value: v, HasValue: true} }
	flag := func(k string) tagOption { return tagOption{Key: k} }
	for _, c := range []struct {
		tag  string
		want []tagOption
		err  string
	}{
		{tag: "", want: nil},
		{tag: "   ", want: nil},
		{tag: ";;", want: nil},
		{tag: "pk", want: []tagOption{flag("pk")}},
		{tag: "pk;autoincrement", want: []tagOption{flag("pk"), flag("autoincrement")}},
		{tag: " PK ; Size : 50 ", want: []tagOption{flag("pk"), o("size", "50")}},
		{tag: "not null", want: []tagOption{flag("not null")}},
		{tag: "NOT   NULL;unique", want: []tagOption{flag("not null"), flag("unique")}},
		{tag: "default:", want: []tagOption{o("default", "")}},
		{tag: "comment:a:b:c", want: []tagOption{o("comment", "a:b:c")}},
		{tag: "default:'a;b'", want: []tagOption{o("default", "'a;b'")}},
		{tag: `default:"x;y";null`, want: []tagOption{o("default", `"x;y"`), flag("null")}},
		{tag: "default:'it''s; ok';size:5", want: []tagOption{o("default", "'it''s; ok'"), o("size", "5")}},
		{tag: "check:(a > 0; b < 1)", want: []tagOption{o("check", "(a > 0; b < 1)")}},
		{tag: "check:((a));index", want: []tagOption{o("check", "((a))"), flag("index")}},
		{tag: "type:decimal(10,2);index:ix,priority:2", want: []tagOption{o("type", "decimal(10,2)"), o("index", "ix,priority:2")}},
		{tag: `comment:a\;b`, want: []tagOption{o("comment", "a;b")}},
		{tag: `comment:a\b`, want: []tagOption{o("comment", `a\b`)}},
		{tag: `comment:trailing\`, want: []tagOption{o("comment", `trailing\`)}},
		{tag: "default:')'", want: []tagOption{o("default", "')'")}},
		{tag: ":value", err: "no key"},
		{tag: "default:'open", err: "unterminated ' quote"},
		{tag: `comment:"open`, err: `unterminated " quote`},
		{tag: "check:(a", err: "unbalanced '('"},
		{tag: "check:a)", err: "unbalanced ')'"},
	} {
		got, err := parseTag(c.tag)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseTag(%q) error = %v, want %q", c.tag, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseTag(%q): %v", c.tag, err)
			continue
		}
		if !equalOpts(got, c.want) {
			t.Errorf("parseTag(%q) = %#v, want %#v", c.tag, got, c.want)
		}
	}
}

func TestSplitList(t *testing.T) {
	for in, want := range map[string][]string{
		"":                      {""},
		"a":                     {"a"},
		"a, b ,c":               {"a", "b", "c"},
		"ix,priority:2,desc":    {"ix", "priority:2", "desc"},
		"'a,b',c":               {"'a,b'", "c"},
		"f(a, b),c":             {"f(a, b)", "c"},
		",":                     {"", ""},
		`"x,y",'it''s, fine',z`: {`"x,y"`, "'it''s, fine'", "z"},
	} {
		got := splitList(in)
		if strings.Join(got, "|") != strings.Join(want, "|") || len(got) != len(want) {
			t.Errorf("splitList(%q) = %q, want %q", in, got, want)
		}
	}
}

func equalOpts(a, b []tagOption) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// joinTag renders options back into a tag that parseTag reads as the
// same options: ';' outside quotes and parentheses is escaped.
func joinTag(opts []tagOption) string {
	parts := make([]string, len(opts))
	for i, o := range opts {
		s := o.Key
		if o.HasValue {
			s += ":" + o.Value
		}
		parts[i] = s
	}
	return strings.Join(parts, ";")
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{
		"", "pk", "pk;autoincrement", "size:50;not null", "default:'a;b'", "check:(a > 0; b)",
		`comment:a\;b`, "type:decimal(10,2);index:ix,priority:2,desc", "default:'it''s'", `"`, "(", ")",
		"fk:user.id;on_delete:set null", ":x", "a:b:c;;d", `\`, `\;`, "'\\;'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tag string) {
		opts, err := parseTag(tag) // must not panic
		if err != nil {
			return
		}
		for _, o := range opts {
			if o.Key == "" {
				t.Fatalf("parseTag(%q): empty key in %#v", tag, opts)
			}
			if o.Key != strings.ToLower(o.Key) || o.Key != strings.TrimSpace(o.Key) {
				t.Fatalf("parseTag(%q): key %q not normalised", tag, o.Key)
			}
			if o.Value != strings.TrimSpace(o.Value) {
				t.Fatalf("parseTag(%q): value %q not trimmed", tag, o.Value)
			}
			_ = splitList(o.Value) // must not panic
		}
		// Re-joining the options gives a tag that parses to the same
		// options, when no value contains a ';' that the parser took
		// from a "\;" escape outside quotes (re-joining cannot know).
		for _, o := range opts {
			if strings.Contains(o.Value, ";") || strings.Contains(o.Key, ";") {
				return
			}
		}
		again, err := parseTag(joinTag(opts))
		if err != nil {
			t.Fatalf("parseTag(%q) = %#v, re-joined %q fails: %v", tag, opts, joinTag(opts), err)
		}
		if !equalOpts(opts, again) {
			t.Fatalf("parseTag(%q) = %#v, re-joined %q parses to %#v", tag, opts, joinTag(opts), again)
		}
	})
}
