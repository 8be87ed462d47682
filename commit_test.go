package orm_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/internal/faultproxy"
)

// Ledger is a row a transaction writes, to see afterwards whether it
// was committed.
type Ledger struct {
	ID   int64
	Note string `orm:"size:40"`
}

// A COMMIT that gets no answer returns at the transaction's deadline with
// ErrCommitOutcomeUnknown (and the context's error), never nil, whether
// the COMMIT was held before the server (not committed) or its answer
// was held on the way back (committed); on a pool tagorm opened and on
// one given to New. The pool recovers afterwards.
func TestCommitStalled(t *testing.T) {
	for _, name := range dbtest.Servers {
		t.Run(name, func(t *testing.T) {
			for _, tc := range []struct {
				name      string
				stall     faultproxy.Direction // the COMMIT, or its answer
				committed bool
			}{
				{"commit held", faultproxy.ClientToServer, false},
				{"answer held", faultproxy.ServerToClient, true},
			} {
				for _, o := range openers {
					t.Run(tc.name+"/"+o.name, func(t *testing.T) {
						tdb := dbtest.Open(t, name)
						p, dsn := faultproxy.ForDB(t, tdb)
						db := o.open(t, tdb.DriverName, dsn)
						require.NoError(t, orm.AutoMigrate(db, &Ledger{}))

						const deadline = time.Second
						ctx, cancel := context.WithTimeout(context.Background(), deadline)
						defer cancel()
						s, err := db.Begin(ctx, nil)
						require.NoError(t, err)
						require.NoError(t, s.Insert(ctx, []Ledger{{Note: "a"}, {Note: "b"}}))
						p.Stall(tc.stall)
						err = callWithin(t, deadline, func() { p.CutAll(); p.Resume() }, s.Commit)
						require.Error(t, err)
						require.ErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
						require.ErrorIs(t, err, context.DeadlineExceeded)

						// The stalled connections are cut before anything
						// held is let through.
						p.CutAll()
						p.Resume()
						want := int64(0)
						if tc.committed {
							want = 2
						}
						require.Eventually(t, func() bool { return tdb.Count(t, "ledger", "") == want },
							5*time.Second, 50*time.Millisecond, "rows after an unanswered COMMIT")
						require.Equal(t, want, tdb.Count(t, "ledger", ""))

						// The pool recovers: a new connection commits.
						ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
						defer cancel2()
						require.NoError(t, db.Transaction(ctx2, func(tx *orm.Session) error {
							return tx.Insert(ctx2, &Ledger{Note: "after"})
						}))
						require.Equal(t, want+1, tdb.Count(t, "ledger", ""))
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
// is the constraint's, not ErrCommitOutcomeUnknown.
func TestCommitServerError(t *testing.T) {
	// Only SQLite and PostgreSQL have deferred constraints: MySQL and
	// MariaDB check each statement, so their COMMIT has nothing to
	// refuse and this case does not exist there.
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) { testCommitServerError(t, dbtest.OpenWith(t, name, dbtest.Options{})) })
	}
}

func testCommitServerError(t *testing.T, tdb *dbtest.DB) {
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
	require.Zero(t, tdb.Count(t, "child_row", ""))
}
