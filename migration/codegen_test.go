package migration_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/migration/internal/revtest"
	"github.com/tagorm/orm/schema"
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

// The revisions of revtest.MixedHistory (the second one mixes every kind
// of op) are written by RevisionSource into generated_mixed_*.go and
// compiled into the revtest package: they register exactly the ops they
// were made from, and the registered copies (separate values, as a
// revision file spells them) migrate every database up, down and up
// again to the schema Simulate predicts.
func TestRevisionSourceMixed(t *testing.T) {
	want := revtest.MixedHistory()
	for _, rev := range want {
		src, err := migration.RevisionSource("revtest", rev)
		require.NoError(t, err)
		path := filepath.Join("internal", "revtest", "generated_mixed_"+rev.ID+".go")
		if *updateRevision {
			require.NoError(t, os.WriteFile(path, src, 0o644))
			continue
		}
		golden, err := os.ReadFile(path)
		require.NoError(t, err)
		require.Equal(t, string(golden), string(src), "generated source changed; rerun with -update-revision")
		require.Equal(t, rev, migration.Revisions.Get(rev.ID), "%s registers other ops", path)
	}
	if *updateRevision {
		t.Skip("rewrote the generated_mixed files; run the test again")
	}
	target, err := migration.Simulate(&schema.MetaData{}, append(slices.Clone(want[0].Upgrade), want[1].Upgrade...))
	require.NoError(t, err)
	base, err := migration.Simulate(&schema.MetaData{}, want[0].Upgrade)
	require.NoError(t, err)
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		conn := migration.Wrap(tdb.Dialect, tdb.SQL)
		reg := &migration.Registry{}
		for _, rev := range want {
			require.NoError(t, reg.Add(migration.Revisions.Get(rev.ID)))
		}
		empty := func(md *schema.MetaData, what string) {
			t.Helper()
			live, err := migration.Inspect(ctx, conn)
			require.NoError(t, err)
			diff, err := migration.Compare(md, live, migration.WithDialect(tdb.Dialect))
			require.NoError(t, err)
			require.True(t, diff.Empty(), "Compare after %s:\n%s", what, diff)
		}
		_, err := migration.Upgrade(ctx, conn, reg, "m1")
		require.NoError(t, err)
		empty(base, "upgrade to m1")
		for _, s := range []string{
			"INSERT INTO m_parent (id, name) VALUES (1, 'p')",
			"INSERT INTO m_child (id, parent_id, label, note) VALUES (1, 1, 'a', 'x'), (2, NULL, 'b', NULL)",
			"INSERT INTO m_old (id, v) VALUES (1, 1), (2, 2)",
		} {
			_, err := tdb.SQL.ExecContext(ctx, s)
			require.NoError(t, err, s)
		}
		_, err = migration.Upgrade(ctx, conn, reg, "head")
		require.NoError(t, err)
		empty(target, "upgrade to m2")
		_, err = migration.Downgrade(ctx, conn, reg, "-1")
		require.NoError(t, err)
		empty(base, "downgrade to m1")
		_, err = migration.Upgrade(ctx, conn, reg, "head")
		require.NoError(t, err)
		empty(target, "upgrade to m2 again")
		var n int
		require.NoError(t, tdb.SQL.QueryRowContext(ctx, "SELECT COUNT(*) FROM m_child WHERE title IN ('a', 'b')").Scan(&n))
		require.Equal(t, 2, n)
	})
}
