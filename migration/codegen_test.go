package migration_test

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/migration/internal/revtest"
)

var updateRevision = flag.Bool("update-revision", false, "rewrite migration/internal/revtest/generated.go")

// The generated revision file is compiled into the revtest package: the
// revision it registers must equal the one it was generated from.
func TestRevisionSourceRoundTrip(t *testing.T) {
	want := revtest.Sample()
	src, err := migration.RevisionSource("revtest", want)
	require.NoError(t, err)
	path := filepath.Join("internal", "revtest", "generated.go")
	if *updateRevision {
		require.NoError(t, os.WriteFile(path, src, 0o644))
		t.Skip("rewrote " + path + "; run the test again")
	}
	golden, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, string(golden), string(src), "generated source changed; rerun with -update-revision")
	got := migration.Revisions.Get(want.ID)
	require.NotNil(t, got, "generated.go did not register %s", want.ID)
	require.Equal(t, want, got)
}
