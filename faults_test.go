package orm_test

// Fault injection: tagorm talks to PostgreSQL and MariaDB through a TCP
// proxy (internal/faultproxy) that cuts connections before and after
// COMMIT, in the middle of a bulk insert, stalls statements past their
// deadlines and cuts every idle pooled connection; the servers kill
// queries and connections mid-statement and mid-transaction; on SQLite a
// second connection holds the file's write lock. Every scenario asserts
// three things:
//
//   - no partial write: the rows are read back through a direct
//     connection, and are all there or none are;
//   - the call fails with a typed error (the context's error when a
//     deadline passed) within its deadline plus a 2 s bound;
//   - the pool recovers: the calls that follow succeed.
//
// TestFaults logs the number of faults injected and survived per
// database.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/internal/faultproxy"
)

// FaultAccount is the row the fault scenarios write.
type FaultAccount struct {
	ID      int64  `orm:"pk;autoincrement:false"`
	Owner   string `orm:"size:40"`
	Balance int64
}

// faultFixture is one server database reached through a proxy.
type faultFixture struct {
	name  string
	tdb   *dbtest.DB
	proxy *faultproxy.Proxy
	db    *orm.DB // through the proxy
	next  atomic.Int64
}

// ids returns n keys no other scenario uses.
func (f *faultFixture) ids(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = f.next.Add(1)
	}
	return out
}

func accounts(ids []int64, owner string) []FaultAccount {
	out := make([]FaultAccount, len(ids))
	for i, id := range ids {
		out[i] = FaultAccount{ID: id, Owner: owner, Balance: id * 10}
	}
	return out
}

// stored counts, through a direct connection, the rows among ids.
func (f *faultFixture) stored(t *testing.T, ids []int64) int {
	t.Helper()
	return int(f.tdb.Count(t, "fault_account", fmt.Sprintf("id BETWEEN %d AND %d", ids[0], ids[len(ids)-1])))
}

// requireAllOrNothing checks that either every row of ids is stored or
// none is, and returns how many are.
func (f *faultFixture) requireAllOrNothing(t *testing.T, ids []int64) int {
	t.Helper()
	n := f.stored(t, ids)
	require.Truef(t, n == 0 || n == len(ids), "partial write: %d of %d rows stored", n, len(ids))
	return n
}

// requireRecovers runs ten calls through the pool, writes and reads, and
// requires every one to succeed and the writes to be stored exactly once.
func (f *faultFixture) requireRecovers(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ids := f.ids(5)
	for i, id := range ids {
		require.NoErrorf(t, f.db.Insert(ctx, &FaultAccount{ID: id, Owner: "after", Balance: 1}), "call %d after the fault", 2*i+1)
		var got FaultAccount
		require.NoErrorf(t, f.db.Get(ctx, &got, id), "call %d after the fault", 2*i+2)
		require.Equal(t, "after", got.Owner)
	}
	require.Equal(t, len(ids), f.stored(t, ids))
}

// within is callWithin, unblocking a hung call also by resuming and
// cutting every proxied connection.
func (f *faultFixture) within(t *testing.T, deadline time.Duration, unblock func(), call func() error) error {
	t.Helper()
	return callWithin(t, deadline, func() {
		if unblock != nil {
			unblock()
		}
		if f.proxy != nil {
			f.proxy.Resume()
			f.proxy.CutAll()
		}
	}, call)
}

// requireFired checks that the proxy's trigger acted.
func requireFired(t *testing.T, tr *faultproxy.Trigger) {
	t.Helper()
	select {
	case <-tr.Fired():
	case <-time.After(5 * time.Second):
		tr.Remove()
		t.Fatal("the fault was never injected: no client message matched the trigger")
	}
}

// isBegin matches the statement each driver starts a transaction with.
func isBegin(m faultproxy.Message) bool {
	return faultproxy.SQLHasPrefix("BEGIN")(m) || faultproxy.SQLHasPrefix("START TRANSACTION")(m)
}

// faultTally counts faults injected and survived per database.
type faultTally struct {
	mu                 sync.Mutex
	injected, survived map[string]int
}

func (ft *faultTally) add(db string, ok bool) {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.injected[db]++
	if ok {
		ft.survived[db]++
	}
}

type faultScenario struct {
	name string
	run  func(t *testing.T, f *faultFixture)
}

// serverFaults are the scenarios run on PostgreSQL and MariaDB.
var serverFaults = []faultScenario{
	{"cut before COMMIT", func(t *testing.T, f *faultFixture) {
		ids := f.ids(2)
		tr := f.proxy.On(faultproxy.SQLHasPrefix("COMMIT"), faultproxy.CutBefore)
		const deadline = 5 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		rows := accounts(ids, "cut before commit")
		err := f.within(t, deadline, nil, func() error {
			return f.db.Transaction(ctx, func(tx *orm.Session) error { return tx.Insert(ctx, &rows) })
		})
		requireFired(t, tr)
		require.Error(t, err, "a COMMIT that never reached the server reported success")
		// The client wrote COMMIT and the connection broke: it cannot
		// know whether the server got it.
		require.ErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
		require.Zero(t, f.stored(t, ids), "the server never saw COMMIT: the rows must be rolled back")
		f.requireRecovers(t)
	}},
	{"cut after COMMIT", func(t *testing.T, f *faultFixture) {
		ids := f.ids(2)
		tr := f.proxy.On(faultproxy.SQLHasPrefix("COMMIT"), faultproxy.CutAfter)
		const deadline = 5 * time.Second
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		defer cancel()
		rows := accounts(ids, "cut after commit")
		err := f.within(t, deadline, nil, func() error {
			return f.db.Transaction(ctx, func(tx *orm.Session) error { return tx.Insert(ctx, &rows) })
		})
		requireFired(t, tr)
		require.Error(t, err, "the COMMIT's reply never arrived, yet success was reported")
		require.ErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
		require.Equal(t, len(ids), f.stored(t, ids), "the server ran COMMIT: the rows must be there")
		f.requireRecovers(t)
	}},
	{"cut partway through a bulk insert", func(t *testing.T, f *faultFixture) {
		faultBulk(t, f, faultproxy.Nth(1, faultproxy.SQLHasPrefix("INSERT")), faultproxy.CutPartway)
	}},
	{"cut after the second statement of a bulk insert", func(t *testing.T, f *faultFixture) {
		faultBulk(t, f, faultproxy.Nth(2, faultproxy.SQLHasPrefix("INSERT")), faultproxy.CutAfter)
	}},
	{"stall a query past its deadline", func(t *testing.T, f *faultFixture) {
		ids := f.ids(1)
		marker := fmt.Sprintf("id = %d", ids[0])
		faultStall(t, f, faultproxy.SQLContains(marker), func(ctx context.Context) error {
			_, err := orm.Query[FaultAccount](f.db).Where(marker).All(ctx)
			return err
		})
	}},
	{"stall an Exec past its deadline", func(t *testing.T, f *faultFixture) {
		ids := f.ids(1)
		marker := fmt.Sprintf("balance = %d", ids[0])
		faultStall(t, f, faultproxy.SQLContains(marker), func(ctx context.Context) error {
			_, err := f.db.Exec(ctx, "UPDATE fault_account SET "+marker+" WHERE id = ?", ids[0])
			return err
		})
	}},
	{"stall a Begin past its deadline", func(t *testing.T, f *faultFixture) {
		faultStall(t, f, isBegin, func(ctx context.Context) error {
			s, err := f.db.Begin(ctx, nil)
			if err == nil {
				_ = s.Rollback()
			}
			return err
		})
	}},
	{"stall a COMMIT past its deadline", func(t *testing.T, f *faultFixture) {
		ids := f.ids(2)
		rows := accounts(ids, "stalled commit")
		var commitErr error
		faultStall(t, f, faultproxy.SQLHasPrefix("COMMIT"), func(ctx context.Context) error {
			commitErr = f.db.Transaction(ctx, func(tx *orm.Session) error { return tx.Insert(ctx, &rows) })
			return commitErr
		})
		require.ErrorIs(t, commitErr, orm.ErrCommitOutcomeUnknown)
		f.requireAllOrNothing(t, ids)
	}},
	{"cut every idle pooled connection", func(t *testing.T, f *faultFixture) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for round := range 3 {
			// Fill the pool with idle connections, then cut them all.
			fillPool(t, ctx, f.db.DB(), 4)
			require.Positive(t, f.proxy.CutIdle(0), "round %d: no idle connection to cut", round)
			// Ten calls, reads and writes: none may see the dead
			// connections (a statement never sent is retried on a fresh
			// one, database/sql's driver.ErrBadConn contract).
			ids := f.ids(4)
			errs := 0
			for i := range 10 {
				var err error
				switch i % 3 {
				case 0:
					_, err = orm.Query[FaultAccount](f.db).Where("id > ?", 0).Limit(1).All(ctx)
				case 1:
					err = f.db.Insert(ctx, &FaultAccount{ID: ids[i/3], Owner: "idle cut"})
				default:
					var n int64
					n, err = orm.Query[FaultAccount](f.db).Count(ctx)
					_ = n
				}
				if err != nil {
					errs++
					t.Errorf("round %d, call %d after the idle connections were cut: %v", round, i+1, err)
				}
			}
			require.Zero(t, errs)
			require.Equal(t, 3, f.stored(t, ids[:3]), "each insert stored exactly once")
		}
		f.requireRecovers(t)
	}},
	{"server cancels a query", func(t *testing.T, f *faultFixture) {
		faultKill(t, f, false, false)
	}},
	{"server cancels a SELECT run by Exec", func(t *testing.T, f *faultFixture) {
		// The statement-cache path of Exec, with a result set to skip.
		faultKill(t, f, false, false, "SELECT %[2]s, '%[1]s'")
	}},
	{"server kills the connection mid-query", func(t *testing.T, f *faultFixture) {
		faultKill(t, f, true, false)
	}},
	{"server cancels a query mid-transaction", func(t *testing.T, f *faultFixture) {
		faultKill(t, f, false, true)
	}},
	{"server kills the connection mid-transaction", func(t *testing.T, f *faultFixture) {
		faultKill(t, f, true, true)
	}},
}

// faultBulk inserts thousands of rows in one Insert call (several
// statements, so in a transaction tagorm opens) and injects action on the
// client message m matches: the rows are all stored or none are.
func faultBulk(t *testing.T, f *faultFixture, m faultproxy.Matcher, action faultproxy.Action) {
	// 25,000 rows of three columns are two statements at 65,535 bound
	// parameters each.
	ids := f.ids(25000)
	rows := accounts(ids, "bulk")
	tr := f.proxy.On(m, action)
	const deadline = 10 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	err := f.within(t, deadline, nil, func() error { return f.db.Insert(ctx, &rows) })
	requireFired(t, tr)
	require.Error(t, err, "a bulk insert whose connection was cut reported success")
	require.Zero(t, f.requireAllOrNothing(t, ids), "the insert's transaction never committed")
	f.requireRecovers(t)
}

// faultStall holds the client message m matches and runs call with a
// one-second deadline: it must fail with the context's error within the
// bound. The held message is then released.
func faultStall(t *testing.T, f *faultFixture, m faultproxy.Matcher, call func(ctx context.Context) error) {
	t.Helper()
	tr := f.proxy.On(m, faultproxy.StallMessage(0))
	defer f.proxy.Resume()
	const deadline = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	err := f.within(t, deadline, nil, func() error { return call(ctx) })
	requireFired(t, tr)
	require.Error(t, err, "a stalled call reported success")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	f.proxy.Resume()
	f.requireRecovers(t)
}

// faultKill runs a long statement (in a transaction that wrote a row
// first, when inTx) and has the server cancel it (terminate: kill its
// connection) while it runs. The call must fail soon after the kill, the
// transaction's row must not be stored, and the pool must recover.
//
// The statement is format with %[1]s the marker the killer looks for and
// %[2]s the server's eight-second sleep; by default an INSERT ... SELECT of
// the row of the call's second key (one bound argument). A format given
// takes no argument.
func faultKill(t *testing.T, f *faultFixture, terminate, inTx bool, format ...string) {
	ids := f.ids(2)
	marker := fmt.Sprintf("fault_kill_%d", ids[0])
	stmt, args := "INSERT INTO fault_account (id, owner, balance) SELECT ?, '%[1]s', %[2]s", []any{ids[1]}
	if len(format) > 0 {
		stmt, args = format[0], nil
	}
	sleep := "SLEEP(8)"
	if f.name == "postgres" {
		sleep = "(SELECT 0 FROM pg_sleep(8))"
	}
	sleep = fmt.Sprintf(stmt, marker, sleep)
	const deadline = 4 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	type killed struct {
		at  time.Time
		err error
	}
	kills := make(chan killed, 1)
	go func() {
		at, err := killRunning(f, marker, terminate)
		kills <- killed{at, err}
	}()
	err := f.within(t, deadline, nil, func() error {
		if !inTx {
			_, err := f.db.Exec(ctx, sleep, args...)
			return err
		}
		return f.db.Transaction(ctx, func(tx *orm.Session) error {
			if err := tx.Insert(ctx, &FaultAccount{ID: ids[0], Owner: "killed tx"}); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, sleep, args...)
			return err
		})
	})
	returned := time.Now()
	require.Error(t, err, "a killed statement reported success")
	kill := <-kills
	require.NoError(t, kill.err, "killing the statement")
	require.LessOrEqualf(t, returned.Sub(kill.at), callBound, "returned %v after the kill", returned.Sub(kill.at))
	require.Zero(t, f.stored(t, ids), "a killed statement or transaction left rows")
	f.requireRecovers(t)
}

// killRunning waits until a statement containing marker is executing on
// the server (not being prepared: a kill then would miss the execution)
// and cancels it (or terminates its connection), through a direct
// connection. It returns when it sent the kill. It runs beside the call
// under test, so it reports failure by its error.
func killRunning(f *faultFixture, marker string, terminate bool) (time.Time, error) {
	var find, kill string
	switch f.name {
	case "postgres":
		// Running for 300 ms: the execution, not the Parse message
		// of the extended protocol before it, which is active only
		// for an instant (a cancel there would be lost).
		find = "SELECT pid FROM pg_stat_activity WHERE query LIKE '%" + marker + "%' AND state = 'active' AND pid <> pg_backend_pid()" +
			" AND clock_timestamp() - query_start > interval '300 milliseconds'"
		kill = "SELECT pg_cancel_backend(%d)"
		if terminate {
			kill = "SELECT pg_terminate_backend(%d)"
		}
	default:
		find = "SELECT id FROM information_schema.processlist WHERE info LIKE '%" + marker + "%' AND command IN ('Query', 'Execute') AND id <> CONNECTION_ID()"
		kill = "KILL QUERY %d"
		if terminate {
			kill = "KILL CONNECTION %d"
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		var id int64
		err := f.tdb.SQL.QueryRowContext(ctx, find).Scan(&id)
		if err == nil {
			_, err := f.tdb.SQL.ExecContext(ctx, fmt.Sprintf(kill, id))
			return time.Now(), err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return time.Time{}, err
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("the statement %q never showed on the server", marker)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// sqliteFaults are the scenarios run on SQLite: another connection holds
// the database file's write lock past the call's deadline.
var sqliteFaults = []faultScenario{
	{"write lock held past an Insert's deadline", func(t *testing.T, f *faultFixture) {
		faultLocked(t, f, func(ctx context.Context, rows []FaultAccount) error { return f.db.Insert(ctx, &rows) })
	}},
	{"write lock held past a transaction's deadline", func(t *testing.T, f *faultFixture) {
		faultLocked(t, f, func(ctx context.Context, rows []FaultAccount) error {
			return f.db.Transaction(ctx, func(tx *orm.Session) error {
				for i := range rows {
					if err := tx.Insert(ctx, &rows[i]); err != nil {
						return err
					}
				}
				return nil
			})
		})
	}},
}

// faultLocked holds the SQLite file's write lock on a direct connection
// while call writes rows with a one-second deadline (the busy timeout is
// ten seconds): call must fail with the context's error within the bound,
// write nothing, and succeed once the lock is released.
func faultLocked(t *testing.T, f *faultFixture, call func(ctx context.Context, rows []FaultAccount) error) {
	bg := context.Background()
	holder, err := f.tdb.SQL.Conn(bg)
	require.NoError(t, err)
	defer func() { _ = holder.Close() }()
	_, err = holder.ExecContext(bg, "BEGIN IMMEDIATE")
	require.NoError(t, err)
	released := false
	release := func() {
		if !released {
			released = true
			_, err := holder.ExecContext(bg, "ROLLBACK")
			require.NoError(t, err)
		}
	}
	defer release()

	ids := f.ids(3)
	rows := accounts(ids, "locked")
	const deadline = time.Second
	ctx, cancel := context.WithTimeout(bg, deadline)
	defer cancel()
	err = f.within(t, deadline, release, func() error { return call(ctx, rows) })
	require.Error(t, err, "a write under another connection's lock reported success")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	release()
	require.Zero(t, f.stored(t, ids))
	f.requireRecovers(t)
}

func TestFaults(t *testing.T) {
	tally := &faultTally{injected: map[string]int{}, survived: map[string]int{}}
	start := time.Now()
	for _, name := range dbtest.Names {
		t.Run(name, func(t *testing.T) {
			f := &faultFixture{name: name}
			scenarios := serverFaults
			if name == "sqlite" {
				f.tdb = dbtest.OpenWith(t, name, dbtest.Options{SQLiteFile: true})
				f.db = openTest(t, f.tdb, []orm.Option{orm.WithMaxOpenConns(4), orm.WithMaxIdleConns(4)})
				scenarios = sqliteFaults
			} else {
				f.tdb = dbtest.Open(t, name)
				var dsn string
				f.proxy, dsn = faultproxy.ForDB(t, f.tdb)
				f.db = openDSN(t, f.tdb.DriverName, dsn, orm.WithMaxOpenConns(4), orm.WithMaxIdleConns(4))
			}
			require.NoError(t, orm.AutoMigrate(f.db, &FaultAccount{}))
			for _, sc := range scenarios {
				ran := false
				ok := t.Run(sc.name, func(t *testing.T) {
					ran = true
					if f.proxy != nil {
						t.Cleanup(f.proxy.Resume)
					}
					sc.run(t, f)
				})
				if ran {
					tally.add(name, ok)
				}
			}
		})
	}
	var b strings.Builder
	for _, name := range dbtest.Names {
		fmt.Fprintf(&b, " %s %d/%d;", name, tally.survived[name], tally.injected[name])
	}
	t.Logf("faults survived/injected:%s wall time %v", b.String(), time.Since(start).Round(100*time.Millisecond))
}
