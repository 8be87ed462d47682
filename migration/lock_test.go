package migration_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	osexec "os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// manyTables is a schema of n tables, each referencing the previous one.
func manyTables(n int) *schema.MetaData {
	md := &schema.MetaData{}
	for i := range n {
		id := col("id", schema.BigInt, false)
		id.AutoIncrement = true
		t := &schema.Table{
			Name: fmt.Sprintf("t%02d", i),
			Columns: []*schema.Column{id, withSize(col("name", schema.String, false), 50),
				withDefault(col("n", schema.Integer, false), "0"), col("prev_id", schema.BigInt, true)},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
			Indexes:    []*schema.Index{{Name: fmt.Sprintf("idx_t%02d_name", i), Columns: []schema.IndexColumn{{Name: "name"}}}},
		}
		if i > 0 {
			t.ForeignKeys = []*schema.ForeignKey{{Name: fmt.Sprintf("fk_t%02d_prev", i), Columns: []string{"prev_id"},
				RefTable: fmt.Sprintf("t%02d", i-1), RefColumns: []string{"id"}}}
		}
		md.Tables = append(md.Tables, t)
	}
	return md
}

const helperEnv = "TAGORM_LOCK_HELPER"

// TestMain runs the test binary as one of the processes
// TestAutoMigrateConcurrentProcesses starts when TAGORM_LOCK_HELPER is set,
// and as the test suite otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		lockHelperProcess()
		os.Exit(0)
	}
	// The scenario tests wait on database servers, not the CPU: run more
	// of them at once than GOMAXPROCS unless -parallel says otherwise.
	flag.Parse()
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet && runtime.GOMAXPROCS(0) < 8 {
		_ = flag.Set("test.parallel", "8")
	}
	os.Exit(m.Run())
}

// lockHelperProcess is the body of the processes
// TestAutoMigrateConcurrentProcesses starts (the test binary re-executed
// with TAGORM_LOCK_HELPER set). It waits until the start time, runs
// AutoMigrate and prints the number of DDL statements it ran.
func lockHelperProcess() {
	fail := func(err error) {
		fmt.Printf("ERROR %v\n", strings.ReplaceAll(err.Error(), "\n", " | "))
		os.Exit(1)
	}
	start, _ := strconv.ParseInt(os.Getenv("TAGORM_LOCK_START"), 10, 64)
	dialect, dsn := os.Getenv("TAGORM_LOCK_DIALECT"), os.Getenv("TAGORM_LOCK_DSN")
	db, err := sql.Open(os.Getenv("TAGORM_LOCK_DRIVER"), dsn)
	if err != nil {
		fail(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		fail(err)
	}
	d, err := dialects.ForDriver(dialect)
	if err != nil {
		fail(err)
	}
	time.Sleep(time.Until(time.Unix(0, start)))
	n := 0
	err = migration.AutoMigrate(context.Background(), migration.Wrap(d, db), manyTables(10),
		migration.OnStatement(func(string) { n++ }))
	if err != nil {
		fail(err)
	}
	fmt.Printf("STATEMENTS %d\n", n)
	os.Exit(0)
}

// TestAutoMigrateConcurrentProcesses starts 8 processes that run
// AutoMigrate on the same empty database at the same moment: every one
// succeeds, exactly one runs the DDL, and the schema is right.
func TestAutoMigrateConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 8 processes")
	}
	dbtest.EachWith(t, dbtest.Options{SQLiteFile: true}, func(t *testing.T, db *dbtest.DB) {
		conn := migration.Wrap(db.Dialect, db.SQL)
		plan, err := migration.Plan(context.Background(), conn, manyTables(10))
		if err != nil {
			t.Fatal(err)
		}
		const procs = 8
		start := time.Now().Add(2 * time.Second).UnixNano()
		var wg sync.WaitGroup
		outs := make([]string, procs)
		errs := make([]error, procs)
		for i := range procs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := osexec.Command(os.Args[0])
				cmd.Env = append(os.Environ(), helperEnv+"=1",
					"TAGORM_LOCK_START="+strconv.FormatInt(start, 10),
					"TAGORM_LOCK_DIALECT="+db.Name, "TAGORM_LOCK_DRIVER="+db.DriverName, "TAGORM_LOCK_DSN="+db.DSN)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				errs[i] = cmd.Run()
				outs[i] = out.String()
			}()
		}
		wg.Wait()
		ran := 0
		for i := range procs {
			n := -1
			sc := bufio.NewScanner(strings.NewReader(outs[i]))
			for sc.Scan() {
				if s, ok := strings.CutPrefix(sc.Text(), "STATEMENTS "); ok {
					n, _ = strconv.Atoi(s)
				}
			}
			if errs[i] != nil || n < 0 {
				t.Fatalf("process %d: %v\n%s", i, errs[i], outs[i])
			}
			switch n {
			case 0:
			case len(plan):
				ran++
			default:
				t.Fatalf("process %d ran %d statements, want 0 or %d", i, n, len(plan))
			}
		}
		if ran != 1 {
			t.Fatalf("%d processes ran the DDL, want exactly 1", ran)
		}
		if err := migration.Check(context.Background(), conn, manyTables(10)); err != nil {
			t.Fatal(err)
		}
	})
}
