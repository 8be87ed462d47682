// Package cli is the `migrate` command: Alembic's commands for a tagorm
// application. An application builds it from a ten-line main of its own,
// so that the binary contains the application's models and its revision
// files:
//
//	// cmd/migrate/main.go
//	package main
//
//	import (
//		"os"
//
//		_ "example.com/app/migrations" // the revision files
//		"example.com/app/models"
//		_ "github.com/tagorm/orm/dialects/postgres"
//		"github.com/tagorm/orm/migration/cli"
//	)
//
//	func main() {
//		os.Exit(cli.Main(os.Args[1:], cli.Config{
//			URL:    os.Getenv("DATABASE_URL"),
//			Models: []any{&models.User{}, &models.Address{}},
//			Dir:    "migrations",
//		}))
//	}
//
// Then, as with Alembic:
//
//	go run ./cmd/migrate init
//	go run ./cmd/migrate revision --autogenerate -m "add address"
//	go run ./cmd/migrate upgrade head
//	go run ./cmd/migrate downgrade -1
//	go run ./cmd/migrate history --verbose
//	go run ./cmd/migrate current
//	go run ./cmd/migrate check
//
// Revision files are Go files in Dir (a package of their own) that
// register a migration.Revision; the binary must be rebuilt (go run does
// it) to see a new one.
package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/migration"
)

// Config is what the command needs to know about the application.
type Config struct {
	// URL is the database URL (orm.OpenURL); Open, when set, is used instead.
	URL  string
	Open func() (*orm.DB, error)
	// Logger, when set, receives every statement the command sends to a
	// database opened from URL (orm.WithLogger: failed statements at
	// slog.LevelError, the others at slog.LevelDebug, arguments left
	// out). A database from Open logs with the options Open gave it.
	Logger *slog.Logger
	// Models are the application's models: the target of autogenerate and
	// check.
	Models []any
	// Dir is the directory of the revision files (default "migrations");
	// its base name is their package name.
	Dir string
	// Registry holds the revisions (default migration.Revisions).
	Registry *migration.Registry
	// Stdout and Stderr default to the process's.
	Stdout, Stderr io.Writer
	// Now is the clock for Create Date (default time.Now).
	Now func() time.Time
}

const usage = `usage: migrate <command> [flags]

commands:
  init                      create the revision directory
  revision -m MSG [--autogenerate] [--rev-id ID]
                            write a new revision file (autogenerate: from the
                            difference between the models and the database)
  upgrade [TARGET] [--sql]  apply revisions up to TARGET (default head)
  downgrade TARGET [--sql]  revert revisions down to TARGET (-1, base, an id)
  current [--verbose]       show the database's revision
  history [--verbose]       list the revisions, newest first
  heads                     show the newest revision
  check                     fail if the models and the database differ
  stamp TARGET              record TARGET as the database's revision

TARGET: head, base, a revision id or unique prefix, +N or -N.
`

// Main runs the command line args (without the program name) and returns
// the process exit code.
func Main(args []string, cfg Config) int {
	if cfg.Stdout == nil {
		cfg.Stdout = os.Stdout
	}
	if cfg.Stderr == nil {
		cfg.Stderr = os.Stderr
	}
	if cfg.Dir == "" {
		cfg.Dir = "migrations"
	}
	if cfg.Registry == nil {
		cfg.Registry = migration.Revisions
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(cfg.Stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	r := &runner{cfg: cfg, ctx: context.Background()}
	err := r.run(args[0], args[1:])
	if r.db != nil {
		_ = r.db.Close()
	}
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(cfg.Stderr, "migrate: %v\n\n%s", err, usage)
		return 2
	default:
		fmt.Fprintf(cfg.Stderr, "migrate: %v\n", err)
		return 1
	}
}

type usageError struct{ msg string }

// Error implements error.
func (e usageError) Error() string { return e.msg }

type runner struct {
	cfg Config
	ctx context.Context
	db  *orm.DB
}

func (r *runner) out(format string, args ...any) { fmt.Fprintf(r.cfg.Stdout, format, args...) }

func (r *runner) open() (*orm.DB, error) {
	if r.db != nil {
		return r.db, nil
	}
	var err error
	switch {
	case r.cfg.Open != nil:
		r.db, err = r.cfg.Open()
	case r.cfg.URL != "":
		var opts []orm.Option
		if r.cfg.Logger != nil {
			opts = append(opts, orm.WithLogger(r.cfg.Logger))
		}
		r.db, err = orm.OpenURL(r.cfg.URL, opts...)
	default:
		return nil, errors.New("no database: set Config.URL (e.g. from $DATABASE_URL) or Config.Open")
	}
	return r.db, err
}

// flags parses a command's flags, allowing them before or after the
// positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		// A negative relative target (-1) is a positional argument.
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (r *runner) run(cmd string, args []string) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	var (
		msg      = fs.String("m", "", "message")
		auto     = fs.Bool("autogenerate", false, "generate the ops from the models")
		revID    = fs.String("rev-id", "", "revision id")
		sqlOnly  = fs.Bool("sql", false, "print the SQL instead of running it")
		verbose  = fs.Bool("verbose", false, "more detail")
		verboseV = fs.Bool("v", false, "more detail")
	)
	fs.StringVar(msg, "message", "", "message")
	// "downgrade -1": -1 is a target, not a flag.
	var rel []string
	var rest []string
	for _, a := range args {
		if len(a) > 1 && a[0] == '-' && a[1] >= '0' && a[1] <= '9' {
			rel = append(rel, a)
			continue
		}
		rest = append(rest, a)
	}
	pos, err := parse(fs, rest)
	if err != nil {
		return err
	}
	pos = append(pos, rel...)
	v := *verbose || *verboseV
	switch cmd {
	case "init":
		return r.init(pos)
	case "revision":
		if *msg == "" {
			return usageError{"revision needs -m MESSAGE"}
		}
		return r.revision(*msg, *auto, *revID)
	case "upgrade":
		target := "head"
		if len(pos) > 0 {
			target = pos[0]
		}
		return r.move(target, false, *sqlOnly)
	case "downgrade":
		if len(pos) == 0 {
			return usageError{"downgrade needs a target (-1, base, or a revision id)"}
		}
		return r.move(pos[0], true, *sqlOnly)
	case "current":
		return r.current(v)
	case "history":
		return r.history(v)
	case "heads":
		head, err := r.cfg.Registry.Head()
		if err != nil {
			return err
		}
		if head != "" {
			r.out("%s (head)\n", head)
		}
		return nil
	case "check":
		return r.check()
	case "stamp":
		if len(pos) == 0 {
			return usageError{"stamp needs a target"}
		}
		db, err := r.open()
		if err != nil {
			return err
		}
		return migration.Stamp(r.ctx, db, r.cfg.Registry, pos[0])
	}
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

func (r *runner) init(pos []string) error {
	dir := r.cfg.Dir
	if len(pos) > 0 {
		dir = pos[0]
	}
	written, err := Init(dir, "", "")
	for _, w := range written {
		r.out("Generating %s ... done\n", w)
	}
	return err
}

// Init creates the revision directory dir (default "migrations") with a
// doc.go, and cmd/migrate/main.go — the program to edit, as Alembic's
// env.py: list the models there — unless it exists. module is the
// application's module path (read from ./go.mod when empty); dialect is
// the dialect package to import (default "sqlite"). It returns the files
// written.
func Init(dir, module, dialect string) ([]string, error) {
	if dir == "" {
		dir = "migrations"
	}
	if dialect == "" {
		dialect = "sqlite"
	}
	if module == "" {
		data, err := os.ReadFile("go.mod")
		if err != nil {
			return nil, fmt.Errorf("read go.mod (run init at the root of your module): %w", err)
		}
		m := regexp.MustCompile(`(?m)^module\s+(\S+)`).FindSubmatch(data)
		if m == nil {
			return nil, errors.New("go.mod has no module line")
		}
		module = string(m[1])
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("directory %s exists and is not empty", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	pkg := packageName(dir)
	var written []string
	doc := fmt.Sprintf(`// Package %s holds the database revisions of this application, written
// by "go run ./cmd/migrate revision". Each file registers one revision;
// cmd/migrate imports the package for that.
package %s
`, pkg, pkg)
	path := filepath.Join(dir, "doc.go")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		return nil, err
	}
	written = append(written, path)
	mainPath := filepath.Join("cmd", "migrate", "main.go")
	if _, err := os.Stat(mainPath); err == nil {
		return written, nil
	}
	if err := os.MkdirAll(filepath.Dir(mainPath), 0o755); err != nil {
		return written, err
	}
	src := fmt.Sprintf(mainTemplate, module, filepath.ToSlash(dir), dialect, filepath.ToSlash(dir))
	if err := os.WriteFile(mainPath, []byte(src), 0o644); err != nil {
		return written, err
	}
	return append(written, mainPath), nil
}

const mainTemplate = `// Command migrate manages this application's database schema with
// tagorm's migrations: go run ./cmd/migrate help
package main

import (
	"os"

	_ "%s/%s" // the revision files
	_ "github.com/tagorm/orm/dialects/%s"
	"github.com/tagorm/orm/migration/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], cli.Config{
		URL: os.Getenv("DATABASE_URL"),
		// The models autogenerate compares with the database (as Alembic's
		// target_metadata): list yours, e.g. &models.User{}.
		Models: []any{},
		Dir:    %q,
	}))
}
`

var nonIdent = regexp.MustCompile(`[^a-z0-9]+`)

func packageName(dir string) string {
	name := nonIdent.ReplaceAllString(strings.ToLower(filepath.Base(filepath.Clean(dir))), "")
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		name = "migrations"
	}
	return name
}

func slug(msg string) string {
	s := strings.Trim(nonIdent.ReplaceAllString(strings.ToLower(msg), "_"), "_")
	if len(s) > 40 {
		s = strings.TrimRight(s[:40], "_")
	}
	return s
}

func newRevisionID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (r *runner) revision(msg string, auto bool, id string) error {
	reg := r.cfg.Registry
	head, err := reg.Head()
	if err != nil {
		return err
	}
	if id == "" {
		id = newRevisionID()
	}
	if reg.Get(id) != nil {
		return fmt.Errorf("revision %s exists", id)
	}
	rev := &migration.Revision{ID: id, Parent: head, Message: msg, Created: r.cfg.Now().UTC()}
	if auto {
		db, err := r.open()
		if err != nil {
			return err
		}
		current, err := migration.Current(r.ctx, db)
		if err != nil {
			return err
		}
		if current != head {
			return fmt.Errorf("target database is not up to date: it is at %s, the head is %s (run upgrade first)", display(current), display(head))
		}
		diff, err := r.diff(db)
		if err != nil {
			return err
		}
		for _, op := range diff.Ops {
			r.out("Detected %s\n", op)
		}
		for _, h := range diff.Hints {
			r.out("Hint: %s\n", h)
		}
		rev.Upgrade = diff.Ops
		down, err := migration.Reverse(diff.Ops)
		rev.Downgrade = down
		if err != nil {
			fmt.Fprintf(r.cfg.Stderr, "warning: %v\n", err)
		}
	}
	if _, err := os.Stat(r.cfg.Dir); err != nil {
		return fmt.Errorf("no revision directory %s (run init first): %w", r.cfg.Dir, err)
	}
	name := id
	if s := slug(msg); s != "" {
		name += "_" + s
	}
	path := filepath.Join(r.cfg.Dir, name+".go")
	rev.File = filepath.ToSlash(path)
	src, err := migration.RevisionSource(packageName(r.cfg.Dir), rev)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, src, 0o644); err != nil {
		return err
	}
	r.out("Generating %s ... done\n", path)
	return nil
}

// diff compares the models with the database. As with Alembic, a table
// the models no longer map is reported as removed.
func (r *runner) diff(db *orm.DB) (*migration.Diff, error) {
	target, err := db.MetaData(r.cfg.Models...)
	if err != nil {
		return nil, err
	}
	live, err := migration.Inspect(r.ctx, db)
	if err != nil {
		return nil, err
	}
	return migration.Compare(target, live, migration.WithDialect(db.Dialect()))
}

func display(id string) string {
	if id == "" {
		return "<base>"
	}
	return id
}

func (r *runner) move(target string, down, sqlOnly bool) error {
	db, err := r.open()
	if err != nil {
		return err
	}
	var steps []migration.Step
	switch {
	case sqlOnly && down:
		steps, err = migration.DowngradeSQL(r.ctx, db, r.cfg.Registry, "", target)
	case sqlOnly:
		steps, err = migration.UpgradeSQL(r.ctx, db, r.cfg.Registry, "", target)
	case down:
		steps, err = migration.Downgrade(r.ctx, db, r.cfg.Registry, target)
	default:
		steps, err = migration.Upgrade(r.ctx, db, r.cfg.Registry, target)
	}
	if err != nil {
		return err
	}
	for _, st := range steps {
		from, to := display(st.Revision.Parent), st.Revision.ID
		verb := "upgrade"
		if st.Down {
			from, to, verb = st.Revision.ID, display(st.Revision.Parent), "downgrade"
		}
		if sqlOnly {
			r.out("-- Running %s %s -> %s, %s\n", verb, from, to, st.Revision.Message)
			for _, s := range st.SQL {
				r.out("%s;\n\n", strings.TrimRight(s, ";"))
			}
			continue
		}
		r.out("Running %s %s -> %s, %s\n", verb, from, to, st.Revision.Message)
	}
	return nil
}

func (r *runner) current(verbose bool) error {
	db, err := r.open()
	if err != nil {
		return err
	}
	cur, err := migration.Current(r.ctx, db)
	if err != nil {
		return err
	}
	if cur == "" {
		if verbose {
			r.out("Current revision: <base>\n")
		}
		return nil
	}
	head, err := r.cfg.Registry.Head()
	if err != nil {
		return err
	}
	suffix := ""
	if cur == head {
		suffix = " (head)"
	}
	if verbose {
		if rev := r.cfg.Registry.Get(cur); rev != nil {
			r.writeVerbose(rev, head)
			return nil
		}
	}
	r.out("%s%s\n", cur, suffix)
	return nil
}

func (r *runner) history(verbose bool) error {
	h, err := r.cfg.Registry.History()
	if err != nil {
		return err
	}
	head := ""
	if len(h) > 0 {
		head = h[len(h)-1].ID
	}
	for i := len(h) - 1; i >= 0; i-- {
		rev := h[i]
		if verbose {
			r.writeVerbose(rev, head)
			continue
		}
		tag := ""
		if rev.ID == head {
			tag = " (head)"
		}
		r.out("%s -> %s%s, %s\n", display(rev.Parent), rev.ID, tag, oneLine(rev.Message))
	}
	return nil
}

// writeVerbose prints a revision the way `alembic history --verbose` does.
func (r *runner) writeVerbose(rev *migration.Revision, head string) {
	tag := ""
	if rev.ID == head {
		tag = " (head)"
	}
	r.out("Rev: %s%s\nParent: %s\n", rev.ID, tag, display(rev.Parent))
	if rev.File != "" {
		r.out("Path: %s\n", rev.File)
	}
	r.out("\n    %s\n\n    Revision ID: %s\n", oneLine(rev.Message), rev.ID)
	if rev.Parent != "" {
		r.out("    Revises: %s\n", rev.Parent)
	}
	if !rev.Created.IsZero() {
		r.out("    Create Date: %s\n", rev.Created.Format("2006-01-02 15:04:05.000000"))
	}
	r.out("\n")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (r *runner) check() error {
	db, err := r.open()
	if err != nil {
		return err
	}
	diff, err := r.diff(db)
	if err != nil {
		return err
	}
	if diff.Empty() {
		r.out("No new upgrade operations detected.\n")
		return nil
	}
	var lines []string
	for _, op := range diff.Ops {
		lines = append(lines, "  "+op.String())
	}
	return fmt.Errorf("new upgrade operations detected:\n%s", strings.Join(lines, "\n"))
}
