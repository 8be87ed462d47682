package cli_test

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	_ "github.com/tagorm/orm/dialects/sqlite"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/migration/cli"
	"github.com/tagorm/orm/schema"
)

// TestConfigLogger: with Config.Logger, the statements of a command's
// run (the version table, the lock, the revision's DDL, the version
// update) are logged.
func TestConfigLogger(t *testing.T) {
	reg := &migration.Registry{}
	tb := &schema.Table{Name: "widget", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Kind: schema.Integer}}},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	require.NoError(t, reg.Add(&migration.Revision{ID: "w1", Message: "widget",
		Upgrade: []migration.Op{&migration.CreateTable{Table: tb}}, Downgrade: []migration.Op{&migration.DropTable{Table: tb}}}))
	h := &dbtest.StatementLog{}
	var out, errOut bytes.Buffer
	code := cli.Main([]string{"upgrade", "head"}, cli.Config{
		URL:      "sqlite:///" + filepath.Join(t.TempDir(), "app.db"),
		Registry: reg, Logger: h.Logger(), Stdout: &out, Stderr: &errOut,
	})
	require.Equal(t, 0, code, errOut.String())
	stmts := h.SQL()
	require.Contains(t, stmts, "BEGIN IMMEDIATE")
	require.Contains(t, stmts, "COMMIT")
	require.True(t, slices.ContainsFunc(stmts, func(s string) bool { return strings.HasPrefix(s, `CREATE TABLE "widget"`) }), "%q", stmts)
	require.True(t, slices.ContainsFunc(stmts, func(s string) bool { return strings.HasPrefix(s, `INSERT INTO "tagorm_version"`) }), "%q", stmts)
}
