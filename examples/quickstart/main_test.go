package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// The quickstart runs end to end on SQLite, twice on the same file.
func TestQuickstart(t *testing.T) {
	url := "sqlite:///" + filepath.Join(t.TempDir(), "qs.db")
	for i := 0; i < 2; i++ {
		var out bytes.Buffer
		if err := run(context.Background(), &out, url, false); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, out.String())
		}
		for _, want := range []string{"employees in engineering: 3", "alan's salary now 5300", "duplicate email refused: true", "departments after rollback: 1", "grace deleted", "employees left: 2"} {
			if !strings.Contains(out.String(), want) {
				t.Fatalf("run %d: output lacks %q:\n%s", i, want, out.String())
			}
		}
	}
}
