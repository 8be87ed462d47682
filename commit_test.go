package orm_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// Ledger is a row a transaction writes, to see afterwards whether it
// was committed.
type Ledger struct {
	ID   int64
	Note string `orm:"size:40"`
}

// within is how late past its deadline a call may return.
const within = 2 * time.Second

// A COMMIT that gets no answer returns at the transaction's deadline with
// ErrCommitOutcomeUnknown (and the context's error), never nil, whether
// the COMMIT was held before the server (not committed) or its answer
// was held on the way back (committed); on a pool tagorm opened and on
// one given to New. The pool recovers afterwards.
func TestCommitStalled(t *testing.T) {
	for _, name := range []string{"postgres", "mysql"} {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name      string
				toServer  bool // stall the COMMIT, else its answer
				committed bool
			}{
				{"commit held", true, false},
				{"answer held", false, true},
			} {
				for _, opened := range []string{"Open", "New"} {
					t.Run(tc.name+"/"+opened, func(t *testing.T) {
						tdb := dbtest.Open(t, name)
						direct := openTest(t, tdb, nil)
						require.NoError(t, orm.AutoMigrate(direct, &Ledger{}))
						dsn, p := proxiedDSN(t, tdb)
						var db *orm.DB
						var err error
						if opened == "Open" {
							db, err = orm.Open(tdb.DriverName, dsn)
						} else {
							var sdb *sql.DB
							sdb, err = sql.Open(tdb.DriverName, dsn)
							require.NoError(t, err)
							db, err = orm.New(sdb, tdb.DriverName)
						}
						require.NoError(t, err)
						defer db.Close()

						ctx, cancel := context.WithTimeout(context.Background(), time.Second)
						defer cancel()
						s, err := db.Begin(ctx, nil)
						require.NoError(t, err)
						require.NoError(t, s.Insert(ctx, []Ledger{{Note: "a"}, {Note: "b"}}))
						p.stall(tc.toServer)
						start := time.Now()
						err = s.Commit()
						elapsed := time.Since(start)
						require.Error(t, err)
						require.ErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
						require.ErrorIs(t, err, context.DeadlineExceeded)
						require.Less(t, elapsed, time.Second+within, "Commit returned after %v", elapsed)

						// The stalled connections are cut before anything
						// held is let through.
						p.cutAll()
						p.resume()
						want := int64(0)
						if tc.committed {
							want = 2
						}
						require.Eventually(t, func() bool { return count[Ledger](t, direct) == want },
							5*time.Second, 50*time.Millisecond, "rows after an unanswered COMMIT")
						require.Equal(t, want, count[Ledger](t, direct))

						// The pool recovers: a new connection commits.
						ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
						defer cancel2()
						require.NoError(t, db.Transaction(ctx2, func(tx *orm.Session) error {
							return tx.Insert(ctx2, &Ledger{Note: "after"})
						}))
						require.Equal(t, want+1, count[Ledger](t, direct))
					})
				}
			}
		})
	}
}

// Commit after the transaction's deadline reports the rollback with the
// context's error, not sql.ErrTxDone, and nothing is committed; the same
// through Transaction.
func TestCommitAfterDeadline(t *testing.T) {
	eachDB(t, []any{&Ledger{}}, func(t *testing.T, db *orm.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		s, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, s.Insert(ctx, &Ledger{Note: "late"}))
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // database/sql rolls back meanwhile
		err = s.Commit()
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotErrorIs(t, err, sql.ErrTxDone)
		require.NotErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
		require.ErrorContains(t, err, "rolled back")
		require.Zero(t, count[Ledger](t, db))

		ctx2, cancel2 := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel2()
		err = db.Transaction(ctx2, func(tx *orm.Session) error {
			if err := tx.Insert(ctx2, &Ledger{Note: "late"}); err != nil {
				return err
			}
			<-ctx2.Done()
			return nil
		})
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotErrorIs(t, err, sql.ErrTxDone)
		require.NotErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
		require.Zero(t, count[Ledger](t, db))
	})
}

// An error the database sends in reply to COMMIT (here a deferred foreign
// key) is a known outcome: the transaction was rolled back, and the error
// is the constraint's, not ErrCommitOutcomeUnknown. MySQL has no deferred
// constraints.
func TestCommitServerError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		if tdb.Name == "mysql" {
			t.Skip("MySQL and MariaDB check constraints at each statement: COMMIT has nothing to refuse")
		}
		ctx := context.Background()
		db := openTest(t, tdb, nil)
		_, err := db.Exec(ctx, "CREATE TABLE parent_row (id INTEGER PRIMARY KEY)")
		require.NoError(t, err)
		_, err = db.Exec(ctx, "CREATE TABLE child_row (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent_row (id) DEFERRABLE INITIALLY DEFERRED)")
		require.NoError(t, err)
		s, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		_, err = s.Exec(ctx, "INSERT INTO child_row (id, parent_id) VALUES (1, 99)")
		require.NoError(t, err)
		err = s.Commit()
		require.ErrorIs(t, err, orm.ErrForeignKeyViolation)
		require.NotErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
		var n int
		require.NoError(t, db.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM child_row").Scan(&n))
		require.Zero(t, n)
	})
}
