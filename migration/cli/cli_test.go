package cli_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// app is a throwaway Go module using tagorm through a replace directive,
// driven the way a user drives Alembic: init, revision --autogenerate,
// upgrade, history, downgrade, check.
type app struct {
	t   *testing.T
	dir string
	env []string
}

func repoRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

func newApp(t *testing.T) *app {
	root := repoRoot(t)
	dir := t.TempDir()
	a := &app{t: t, dir: dir}
	a.write("go.mod", "module example.com/shop\n\ngo 1.26\n\nrequire github.com/tagorm/orm v0.0.0\n\nreplace github.com/tagorm/orm => "+root+"\n")
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	a.write("go.sum", string(sum))
	a.env = append(os.Environ(), "GOFLAGS=-mod=mod", "DATABASE_URL=sqlite:///"+filepath.Join(dir, "shop.db"))
	return a
}

func (a *app) write(name, content string) {
	a.t.Helper()
	p := filepath.Join(a.dir, name)
	require.NoError(a.t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(a.t, os.WriteFile(p, []byte(content), 0o644))
}

// run runs a command in the module and returns its output; wantOK says
// whether it must succeed.
func (a *app) run(wantOK bool, name string, args ...string) string {
	a.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = a.dir, a.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	if wantOK {
		require.NoError(a.t, err, "%s %v:\n%s", name, args, out.String())
	} else {
		require.Error(a.t, err, "%s %v should fail:\n%s", name, args, out.String())
	}
	return out.String()
}

// migrate rebuilds cmd/migrate (revision files are compiled in) and runs it.
func (a *app) migrate(wantOK bool, args ...string) string {
	a.t.Helper()
	a.run(true, "go", "build", "-o", "bin/migrate", "./cmd/migrate")
	return a.run(wantOK, filepath.Join(a.dir, "bin", "migrate"), args...)
}

const modelsV1 = `package models

import "github.com/tagorm/orm/mixins"

type User struct {
	mixins.Model
	Name  string ` + "`orm:\"size:50\"`" + `
	Email string ` + "`orm:\"size:255;unique\"`" + `
}
`

const modelsV2 = modelsV1 + `
type Address struct {
	mixins.PK
	UserID int64  ` + "`orm:\"fk:user.id;on_delete:cascade;index\"`" + `
	Street string ` + "`orm:\"size:100\"`" + `
}
`

func TestAlembicWorkflow(t *testing.T) {
	a := newApp(t)
	a.write("models/models.go", modelsV1)
	out := a.run(true, "go", "run", "github.com/tagorm/orm/cmd/tagorm", "init")
	require.Contains(t, out, "migrations/doc.go")
	require.Contains(t, out, "cmd/migrate/main.go")
	// As with Alembic's env.py: point the command at the models.
	main, err := os.ReadFile(filepath.Join(a.dir, "cmd/migrate/main.go"))
	require.NoError(t, err)
	src := strings.Replace(string(main), "Models: []any{},", "Models: []any{&models.User{}},", 1)
	src = strings.Replace(src, "import (\n", "import (\n\t\"example.com/shop/models\"\n", 1)
	a.write("cmd/migrate/main.go", src)
	a.run(true, "go", "mod", "tidy")

	out = a.migrate(true, "revision", "--autogenerate", "-m", "initial")
	require.Contains(t, out, "Detected create table user")
	files, _ := filepath.Glob(filepath.Join(a.dir, "migrations", "*_initial.go"))
	require.Len(t, files, 1)
	first := strings.TrimSuffix(filepath.Base(files[0]), "_initial.go")

	require.Contains(t, a.migrate(false, "check"), "create table user", "before upgrade the database lags the models")
	out = a.migrate(true, "upgrade", "head")
	require.Contains(t, out, "Running upgrade <base> -> "+first+", initial")
	require.Equal(t, first+" (head)\n", a.migrate(true, "current"))
	require.Contains(t, a.migrate(true, "check"), "No new upgrade operations detected.")

	// Version 2 of the models: check notices, autogenerate writes it.
	a.write("models/models.go", modelsV2)
	src = strings.Replace(src, "Models: []any{&models.User{}},", "Models: []any{&models.User{}, &models.Address{}},", 1)
	a.write("cmd/migrate/main.go", src)
	out = a.migrate(false, "check")
	require.Contains(t, out, "create table address")
	out = a.migrate(true, "revision", "--autogenerate", "-m", "add address")
	require.Contains(t, out, "Detected create table address")
	files, _ = filepath.Glob(filepath.Join(a.dir, "migrations", "*_add_address.go"))
	require.Len(t, files, 1)
	second := strings.TrimSuffix(filepath.Base(files[0]), "_add_address.go")

	sqlOut := a.migrate(true, "upgrade", "head", "--sql")
	require.Contains(t, sqlOut, `CREATE TABLE "address"`)
	out = a.migrate(true, "upgrade", "head")
	require.Contains(t, out, "Running upgrade "+first+" -> "+second+", add address")

	hist := a.migrate(true, "history", "--verbose")
	require.Regexp(t, regexp.MustCompile(`(?s)Rev: `+second+` \(head\)\nParent: `+first+`\nPath: migrations/`+second+`_add_address.go\n\n    add address\n\n    Revision ID: `+second+`\n    Revises: `+first+`\n    Create Date: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\n\nRev: `+first+`\nParent: <base>\n`), hist)
	require.Equal(t, first+" -> "+second+" (head), add address\n<base> -> "+first+", initial\n", a.migrate(true, "history"))

	out = a.migrate(true, "downgrade", "-1")
	require.Contains(t, out, "Running downgrade "+second+" -> "+first+", add address")
	require.Equal(t, first+"\n", a.migrate(true, "current"))
	out = a.migrate(true, "upgrade", "head")
	require.Contains(t, out, "Running upgrade "+first+" -> "+second)
	require.Contains(t, a.migrate(true, "check"), "No new upgrade operations detected.")
	require.Contains(t, a.migrate(false, "frobnicate"), "unknown command")
}
