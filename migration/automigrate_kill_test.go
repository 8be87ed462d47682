package migration_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	osexec "os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// The environment of the child process TestAutoMigrateKill9 starts.
const (
	killChildEnv   = "TAGORM_KILL_CHILD" // set: TestAutoMigrateKillChild is the child
	killAtEnv      = "TAGORM_KILL_AT"    // block after this statement (1-based); 0: never
	killDialectEnv = "TAGORM_KILL_DIALECT"
	killDSNEnv     = "TAGORM_KILL_DSN"
)

// killBefore is the schema the database has when the child starts.
func killBefore() *schema.MetaData {
	id := func() *schema.Column {
		c := col("id", schema.BigInt, false)
		c.AutoIncrement = true
		return c
	}
	pk := func() *schema.PrimaryKey { return &schema.PrimaryKey{Columns: []string{"id"}} }
	return &schema.MetaData{Tables: []*schema.Table{
		{Name: "k_parent", Columns: []*schema.Column{id(), withSize(col("name", schema.String, false), 50)}, PrimaryKey: pk()},
		{Name: "k_child", Columns: []*schema.Column{id(), col("parent_id", schema.BigInt, false),
			withSize(col("note", schema.String, true), 20), withDefault(col("n", schema.Integer, false), "0")},
			PrimaryKey: pk(),
			ForeignKeys: []*schema.ForeignKey{{Name: "fk_k_child_parent", Columns: []string{"parent_id"},
				RefTable: "k_parent", RefColumns: []string{"id"}}},
			Indexes: []*schema.Index{{Name: "idx_k_child_parent", Columns: []schema.IndexColumn{{Name: "parent_id"}}}}},
		{Name: "k_tag", Columns: []*schema.Column{id(), withSize(col("label", schema.String, false), 30)}, PrimaryKey: pk()},
	}}
}

// killAfter is the target of the child's AutoMigrate: a change of every
// table (new columns, a new index, a dropped NOT NULL, which rebuilds the
// table on SQLite, a unique constraint checked against the rows) and
// two new tables, some twenty statements in all.
func killAfter() *schema.MetaData {
	md := killBefore()
	parent, child, tag := md.Table("k_parent"), md.Table("k_child"), md.Table("k_tag")
	parent.Columns = append(parent.Columns, withSize(col("email", schema.String, true), 100))
	parent.Indexes = append(parent.Indexes, &schema.Index{Name: "idx_k_parent_name", Columns: []schema.IndexColumn{{Name: "name"}}})
	child.Column("n").Nullable = true
	child.Columns = append(child.Columns, withDefault(col("score", schema.Integer, false), "0"))
	tag.Uniques = append(tag.Uniques, &schema.Unique{Name: "uq_k_tag_label", Columns: []string{"label"}})
	for _, name := range []string{"k_audit", "k_note"} {
		id := col("id", schema.BigInt, false)
		id.AutoIncrement = true
		md.Tables = append(md.Tables, &schema.Table{Name: name,
			Columns:    []*schema.Column{id, col("parent_id", schema.BigInt, false), withSize(col("what", schema.String, true), 40)},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
			ForeignKeys: []*schema.ForeignKey{{Name: "fk_" + name + "_parent", Columns: []string{"parent_id"},
				RefTable: "k_parent", RefColumns: []string{"id"}}},
			Indexes: []*schema.Index{{Name: "idx_" + name + "_parent", Columns: []schema.IndexColumn{{Name: "parent_id"}}}}})
	}
	return md
}

// TestAutoMigrateKillChild is the child process of TestAutoMigrateKill9
// (the test binary re-executed with TAGORM_KILL_CHILD set; otherwise it
// does nothing). It runs AutoMigrate to killAfter with a statement
// logger that prints each statement to stdout once it has run, and stops
// dead after statement TAGORM_KILL_AT, printing BLOCKED, until it is
// killed.
func TestAutoMigrateKillChild(t *testing.T) {
	if os.Getenv(killChildEnv) == "" {
		return
	}
	fail := func(err error) {
		fmt.Printf("ERROR %s\n", strings.ReplaceAll(err.Error(), "\n", " | "))
		os.Exit(1)
	}
	killAt, _ := strconv.Atoi(os.Getenv(killAtEnv))
	d, err := dialects.ForDriver(os.Getenv(killDialectEnv))
	if err != nil {
		fail(err)
	}
	sqldb, err := sql.Open(d.DriverName(), os.Getenv(killDSNEnv))
	if err != nil {
		fail(err)
	}
	n := 0
	h := &dbtest.StatementLog{OnRecord: func(r dbtest.LoggedStatement) {
		n++
		fmt.Printf("STMT %d %s\n", n, strings.ReplaceAll(r.SQL, "\n", " "))
		if n == killAt {
			fmt.Printf("BLOCKED %d\n", n)
			time.Sleep(time.Hour) // until SIGKILL
		}
	}}
	db, err := orm.New(sqldb, d.DriverName(), orm.WithLogger(h.Logger()))
	if err != nil {
		fail(err)
	}
	if err := migration.AutoMigrate(context.Background(), db, killAfter()); err != nil {
		fail(err)
	}
	fmt.Println("DONE")
	os.Exit(0)
}

// killRun is one run of the child.
type killRun struct {
	stmts   []string // the statements the child logged, in order
	blocked bool     // it stopped at the kill point and was killed
	out     string   // its whole output, for failure messages
}

// runKillChild runs the child on db, killing it with SIGKILL once it
// reports that it stopped after statement killAt (0: never), and
// returns what it logged.
func runKillChild(t *testing.T, db *dbtest.DB, killAt int) killRun {
	t.Helper()
	cmd := osexec.Command(os.Args[0], "-test.run=^TestAutoMigrateKillChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"=1", killAtEnv+"="+strconv.Itoa(killAt),
		killDialectEnv+"="+db.Name, killDSNEnv+"="+db.DSN)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = cmd.Stdout
	require.NoError(t, cmd.Start())
	timer := time.AfterFunc(30*time.Second, func() { _ = cmd.Process.Kill() })
	defer timer.Stop()
	var run killRun
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		run.out += line + "\n"
		if s, ok := strings.CutPrefix(line, "STMT "); ok {
			_, text, _ := strings.Cut(s, " ")
			run.stmts = append(run.stmts, text)
		}
		if strings.HasPrefix(line, "BLOCKED ") {
			run.blocked = true
			require.NoError(t, cmd.Process.Kill()) // SIGKILL
			break
		}
	}
	err = cmd.Wait()
	if !run.blocked {
		require.NoError(t, err, "child:\n%s", run.out)
		require.Contains(t, run.out, "DONE\n")
	}
	return run
}

// killSetup gives a fresh database the schema killBefore with rows.
func killSetup(t *testing.T, db *dbtest.DB) migration.Conn {
	t.Helper()
	ctx := context.Background()
	conn := migration.Wrap(db.Dialect, db.SQL)
	require.NoError(t, migration.AutoMigrate(ctx, conn, killBefore()))
	q := db.Dialect.Quote
	for i := 1; i <= 3; i++ {
		_, err := db.SQL.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES ('p%d')", q("k_parent"), q("name"), i))
		require.NoError(t, err)
		_, err = db.SQL.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (%s) VALUES ('tag%d')", q("k_tag"), q("label"), i))
		require.NoError(t, err)
		for j := 0; j < 2; j++ {
			_, err = db.SQL.ExecContext(ctx, fmt.Sprintf("INSERT INTO %s (%s, %s, %s) VALUES (%d, 'c%d', %d)",
				q("k_child"), q("parent_id"), q("note"), q("n"), i, j, j))
			require.NoError(t, err)
		}
	}
	return conn
}

// killRows returns the row counts of the tables killBefore has.
func killRows(t *testing.T, db *dbtest.DB) []int {
	t.Helper()
	var out []int
	for _, tb := range killBefore().Tables {
		var n int
		require.NoError(t, db.SQL.QueryRow("SELECT COUNT(*) FROM "+db.Dialect.Quote(tb.Name)).Scan(&n))
		out = append(out, n)
	}
	return out
}

// killPoints picks, from the statements of a whole run, the statements
// to stop the child after: the lock, the first DDL statement, one in the
// middle of the DDL, the last statement before COMMIT, COMMIT, and the
// last statement (the unlock or the connection's reset).
func killPoints(stmts, ddl []string) map[int]string {
	points := map[int]string{}
	var ddlAt []int
	commit := -1
	for i, s := range stmts {
		u := strings.ToUpper(s)
		switch {
		case len(points) == 0 && (strings.Contains(u, "PG_ADVISORY_LOCK(") || strings.Contains(u, "GET_LOCK(") || u == "BEGIN IMMEDIATE"):
			points[i+1] = "lock taken"
		case slices.Contains(ddl, s):
			ddlAt = append(ddlAt, i+1)
		case u == "COMMIT":
			commit = i + 1
		}
	}
	if len(ddlAt) > 0 {
		points[ddlAt[0]] = "first DDL statement"
		points[ddlAt[len(ddlAt)/2]] = "mid-DDL"
	}
	if commit > 0 {
		points[commit-1] = "just before COMMIT"
		points[commit] = "just after COMMIT"
	} else if len(ddlAt) > 0 {
		points[ddlAt[len(ddlAt)-1]] = "after the last DDL statement"
	}
	points[len(stmts)] = "after the last statement"
	return points
}

// TestAutoMigrateKill9 kills (SIGKILL) a process running a
// multi-statement AutoMigrate at several points: holding the lock, after
// the first DDL statement, in the middle of the DDL, just before and
// just after COMMIT, after the last statement. After each kill:
//   - on PostgreSQL and SQLite (a file database) the schema is exactly
//     the one before or the one after, never a mix, and no row is lost;
//   - on MariaDB, whose DDL is not transactional, it may be between,
//     with no row lost;
//   - the migration lock is free at once (taking it does not wait), and
//     AutoMigrate run again completes the migration.
func TestAutoMigrateKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dbtest.EachWith(t, dbtest.Options{SQLiteFile: true}, func(t *testing.T, first *dbtest.DB) {
		ctx := context.Background()
		conn := killSetup(t, first)
		plan, err := migration.Plan(ctx, conn, killAfter())
		require.NoError(t, err)
		rows := killRows(t, first)
		full := runKillChild(t, first, 0)
		require.NoError(t, migration.Check(ctx, conn, killAfter()), "the child's AutoMigrate did not reach the target")
		require.Equal(t, rows, killRows(t, first))
		for i, s := range plan {
			plan[i] = strings.ReplaceAll(s, "\n", " ") // as the child prints them
		}
		points := killPoints(full.stmts, plan)
		t.Logf("%s: %d statements (%d DDL), %d kill points", first.Name, len(full.stmts), len(plan), len(points))
		at := slices.Sorted(func(yield func(int) bool) {
			for k := range points {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range at {
			db := dbtest.OpenWith(t, first.Name, dbtest.Options{SQLiteFile: true})
			conn := killSetup(t, db)
			run := runKillChild(t, db, k)
			require.True(t, run.blocked, "the child did not reach statement %d:\n%s", k, run.out)
			require.Equal(t, full.stmts[:k], run.stmts, "the child's statements differ from the full run's")

			before := migration.Check(ctx, conn, killBefore()) == nil
			after := migration.Check(ctx, conn, killAfter()) == nil
			state := map[bool]string{true: "before"}[before] + map[bool]string{true: "after"}[after]
			if state == "" {
				state = "partial"
				require.Equal(t, "mysql", db.Name, "killed after statement %d (%s: %s): the schema is neither the one before nor the one after",
					k, points[k], full.stmts[k-1])
			}
			require.Equal(t, rows, killRows(t, db), "rows lost")

			lockWait := lockFree(t, db)
			start := time.Now()
			actx, cancel := context.WithTimeout(ctx, 20*time.Second)
			err := migration.AutoMigrate(actx, conn, killAfter(), migration.LockTimeout(5*time.Second))
			cancel()
			require.NoError(t, err, "AutoMigrate after the kill at statement %d", k)
			rerun := time.Since(start)
			require.NoError(t, migration.Check(ctx, conn, killAfter()))
			require.Equal(t, rows, killRows(t, db), "rows lost")
			t.Logf("%s: killed after statement %d/%d (%s: %.60s): schema %s; lock taken in %v; AutoMigrate again: ok in %v",
				db.Name, k, len(full.stmts), points[k], full.stmts[k-1], state, lockWait.Round(time.Millisecond), rerun.Round(time.Millisecond))
		}
	})
}

// lockFree takes the migration lock on db and releases it, failing the
// test when it is not free within two seconds, and returns how long it
// took.
func lockFree(t *testing.T, db *dbtest.DB) time.Duration {
	t.Helper()
	ctx := context.Background()
	c, err := db.SQL.Conn(ctx)
	require.NoError(t, err)
	defer c.Close()
	start := time.Now()
	lk, err := db.Dialect.(dialects.Locker).Lock(ctx, c, 2*time.Second)
	require.NoError(t, err, "the migration lock is still held after the kill")
	took := time.Since(start)
	if lk.InTransaction {
		_, err = c.ExecContext(ctx, "ROLLBACK")
	} else {
		err = lk.Release(ctx, c)
	}
	require.NoError(t, err)
	return took
}
