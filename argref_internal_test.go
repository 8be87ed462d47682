package orm

import (
	"reflect"
	"testing"
)

// TestArgRefDetach checks the in-place boxing of bind arguments: argRef
// reads the field itself (no copy), detach gives values that no longer
// change with the row.
func TestArgRefDetach(t *testing.T) {
	type row struct {
		ID    int64
		Name  string
		Age   int
		Rank  int32
		Score float64
		Ok    bool
	}
	mp := &mapper{naming: SnakeCase{}}
	m, err := mp.modelOf(reflect.TypeFor[row]())
	if err != nil {
		t.Fatal(err)
	}
	r := &row{ID: 1 << 40, Name: "before", Age: 1000, Rank: 7000, Score: 1.5, Ok: true}
	v := reflect.ValueOf(r).Elem()
	var refs []any
	for _, f := range m.fields {
		a, err := f.argRef(v)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, a)
	}
	want := []any{int64(1 << 40), "before", 1000, int32(7000), 1.5, true}
	if !reflect.DeepEqual(refs, want) {
		t.Fatalf("argRef = %#v, want %#v", refs, want)
	}
	copies := detach(refs)
	*r = row{ID: 2, Name: "after", Age: 2, Rank: 2, Score: 2, Ok: true}
	if !reflect.DeepEqual(copies, want) {
		t.Fatalf("detached args changed with the row: %#v, want %#v", copies, want)
	}
	// argRef points at the field: it sees the new values.
	wantNow := []any{int64(2), "after", 2, int32(2), 2.0, true}
	if !reflect.DeepEqual(refs, wantNow) {
		t.Fatalf("argRef values = %#v, want the row's current %#v", refs, wantNow)
	}
}

func BenchmarkArgRef(b *testing.B) {
	type row struct {
		ID   int64
		Name string
	}
	mp := &mapper{naming: SnakeCase{}}
	m, err := mp.modelOf(reflect.TypeFor[row]())
	if err != nil {
		b.Fatal(err)
	}
	v := reflect.ValueOf(&row{ID: 1 << 40, Name: "x"}).Elem()
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range m.fields {
			if _, err := f.argRef(v); err != nil {
				b.Fatal(err)
			}
		}
	}
}
