package migration

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/schema"
)

func registry(t *testing.T, revs ...[2]string) *Registry {
	t.Helper()
	r := &Registry{}
	for _, rv := range revs {
		require.NoError(t, r.Add(&Revision{ID: rv[0], Parent: rv[1]}))
	}
	return r
}

func ids(h []*Revision) []string {
	out := make([]string, len(h))
	for i, r := range h {
		out[i] = r.ID
	}
	return out
}

func TestHistory(t *testing.T) {
	r := registry(t, [2]string{"c", "b"}, [2]string{"a", ""}, [2]string{"b", "a"})
	h, err := r.History()
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, ids(h))
	head, err := r.Head()
	require.NoError(t, err)
	require.Equal(t, "c", head)

	for name, bad := range map[string]*Registry{
		"two heads":      registry(t, [2]string{"a", ""}, [2]string{"b", "a"}, [2]string{"c", "a"}),
		"two bases":      registry(t, [2]string{"a", ""}, [2]string{"b", ""}),
		"unknown parent": registry(t, [2]string{"a", ""}, [2]string{"b", "zz"}),
		"cycle":          registry(t, [2]string{"a", ""}, [2]string{"b", "c"}, [2]string{"c", "b"}),
	} {
		_, err := bad.History()
		require.Error(t, err, name)
		require.True(t, errors.Is(err, ErrRevision), name)
	}
	require.Error(t, (&Registry{}).Add(&Revision{ID: "bad id!"}))
	require.Error(t, r.Add(&Revision{ID: "a"}), "duplicate")
}

func TestResolve(t *testing.T) {
	h, err := registry(t, [2]string{"a1", ""}, [2]string{"b2", "a1"}, [2]string{"c3", "b2"}).History()
	require.NoError(t, err)
	for _, tc := range []struct {
		current, target string
		want            int
		err             bool
	}{
		{"", "head", 2, false},
		{"a1", "heads", 2, false},
		{"c3", "base", -1, false},
		{"b2", "-1", 0, false},
		{"b2", "-2", -1, false},
		{"b2", "-3", 0, true},
		{"", "+2", 1, false},
		{"c3", "+1", 0, true},
		{"", "b", 1, false},
		{"", "b2", 1, false},
		{"", "zz", 0, true},
		{"zz", "head", 0, true},
		{"", "+x", 0, true},
	} {
		got, err := resolve(h, tc.current, tc.target)
		if tc.err {
			require.Error(t, err, "%s from %q", tc.target, tc.current)
			continue
		}
		require.NoError(t, err, "%s from %q", tc.target, tc.current)
		require.Equal(t, tc.want, got, "%s from %q", tc.target, tc.current)
	}
}

func TestReverse(t *testing.T) {
	col := &schema.Column{Name: "email", Type: schema.Type{Kind: schema.String, Size: 255}, Nullable: true}
	ix := &schema.Index{Name: "ix", Columns: []schema.IndexColumn{{Name: "email"}}}
	up := []Op{
		&AddColumn{Table: "u", Column: col},
		&CreateIndex{Table: "u", Index: ix},
		&RenameColumn{Table: "u", From: "a", To: "b"},
		&AlterColumn{Table: "u", From: &schema.Column{Name: "n", Type: schema.Type{Kind: schema.Integer}}, To: &schema.Column{Name: "n", Type: schema.Type{Kind: schema.BigInt}}, TypeChanged: true},
	}
	down, err := Reverse(up)
	require.NoError(t, err)
	require.Equal(t, []string{
		"alter column u.n: type bigint → integer",
		"rename column u.b to a",
		"drop index ix on u",
		"drop column u.email",
	}, opStrings(down))
	require.True(t, down[0].Destructive(), "reversing a widening narrows")
	again, err := Reverse(down)
	require.NoError(t, err)
	require.Equal(t, opStrings(up), opStrings(again))

	_, err = Reverse([]Op{&Exec{SQL: "UPDATE x SET y = 1"}})
	require.ErrorContains(t, err, "cannot reverse")
}

func opStrings(ops []Op) []string {
	out := make([]string, len(ops))
	for i, o := range ops {
		out[i] = o.String()
	}
	return out
}
