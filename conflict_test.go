package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/mattn/go-sqlite3"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// ConflictRow is a row two transactions fight over.
type ConflictRow struct {
	ID int64 `orm:"pk;autoincrement:false"`
	V  int
}

// conflictDB returns tdb's database with rows 1 and 2 of conflict_row.
func conflictDB(t *testing.T, tdb *dbtest.DB, opts ...orm.Option) *orm.DB {
	t.Helper()
	return withConflictRows(t, openTest(t, tdb, opts))
}

// withConflictRows stores rows 1 and 2 of conflict_row on db and returns
// db.
func withConflictRows(t *testing.T, db *orm.DB) *orm.DB {
	t.Helper()
	require.NoError(t, orm.AutoMigrate(db, &ConflictRow{}))
	require.NoError(t, db.Insert(context.Background(), &[]ConflictRow{{ID: 1}, {ID: 2}}))
	return db
}

// requireDriverError checks that err still unwraps to the driver's own
// error type.
func requireDriverError(t *testing.T, dialect string, err error) {
	t.Helper()
	switch dialect {
	case "postgres":
		var pe *pgconn.PgError
		require.ErrorAs(t, err, &pe)
	case "mysql":
		var me *gomysql.MySQLError
		require.ErrorAs(t, err, &me)
	case "sqlite":
		var se sqlite3.Error
		require.ErrorAs(t, err, &se)
	}
}

// provokeDeadlock makes two transactions wait for each other's row lock
// and returns the victim's error, after rolling both back.
func provokeDeadlock(t *testing.T, db *orm.DB, dialect string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var txs [2]*orm.Session
	for i := range txs {
		tx, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		if dialect == "postgres" {
			// Detect it in 50 ms rather than the default 1 s.
			_, err = tx.Exec(ctx, "SET LOCAL deadlock_timeout = '50ms'")
			require.NoError(t, err)
		}
		_, err = tx.Exec(ctx, "UPDATE conflict_row SET v = v + 1 WHERE id = ?", i+1)
		require.NoError(t, err)
		txs[i] = tx
	}
	type result struct {
		i   int
		err error
	}
	results := make(chan result, 2)
	for i, tx := range txs {
		go func() {
			// Each takes the other's row: whatever the order, a cycle.
			_, err := tx.Exec(ctx, "UPDATE conflict_row SET v = v + 1 WHERE id = ?", 2-i)
			results <- result{i, err}
		}()
	}
	// The victim's statement fails; the survivor's gets its lock once the
	// victim is rolled back (PostgreSQL releases the locks of an aborted
	// transaction at once, so either may return first).
	var victim error
	for range 2 {
		r := <-results
		if r.err != nil {
			require.NoError(t, victim, "only one transaction is the victim")
			victim = r.err
			require.NoError(t, txs[r.i].Rollback())
		}
	}
	require.Error(t, victim)
	return victim
}

// provokeSerialization makes a transaction at REPEATABLE READ update a
// row that another one changed after its snapshot was taken, and returns
// that update's error. On MariaDB the session needs
// innodb_snapshot_isolation.
func provokeSerialization(t *testing.T, db *orm.DB, dialect string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tx, err := db.Begin(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	if dialect == "mysql" {
		_, err = tx.Exec(ctx, "SET SESSION innodb_snapshot_isolation = ON")
		require.NoError(t, err)
	}
	var v int
	require.NoError(t, tx.Select(ctx, &v, "SELECT v FROM conflict_row WHERE id = 1")) // the snapshot
	_, err = db.Exec(ctx, "UPDATE conflict_row SET v = 10 WHERE id = 1")
	require.NoError(t, err)
	_, err = tx.Exec(ctx, "UPDATE conflict_row SET v = v + 1 WHERE id = 1")
	require.Error(t, err)
	return err
}

// provokeLockTimeout makes a NOWAIT locking read meet a row another
// transaction holds.
func provokeLockTimeout(t *testing.T, db *orm.DB) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	holder, err := db.Begin(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = holder.Rollback() }()
	_, err = holder.Exec(ctx, "UPDATE conflict_row SET v = v + 1 WHERE id = 1")
	require.NoError(t, err)
	tx, err := db.Begin(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	var v int
	err = tx.Select(ctx, &v, "SELECT v FROM conflict_row WHERE id = 1 FOR UPDATE NOWAIT")
	require.Error(t, err)
	return err
}

func TestConflictErrors(t *testing.T) {
	cases := []struct {
		name    string
		provoke func(t *testing.T, db *orm.DB, dialect string) error
		want    error
		code    map[string]string // by dialect
	}{
		{"deadlock", provokeDeadlock, orm.ErrDeadlock, map[string]string{"postgres": "40P01", "mysql": "1213"}},
		{"serialization", provokeSerialization, orm.ErrSerialization, map[string]string{"postgres": "40001", "mysql": "1020"}},
		{"lock timeout", func(t *testing.T, db *orm.DB, _ string) error { return provokeLockTimeout(t, db) },
			orm.ErrLockTimeout, map[string]string{"postgres": "55P03", "mysql": "1205"}},
	}
	for _, name := range dbtest.Servers {
		t.Run(name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					db := conflictDB(t, dbtest.Open(t, name))
					err := c.provoke(t, db, name)
					require.ErrorIs(t, err, c.want)
					require.ErrorIs(t, err, orm.ErrConflict)
					require.NotErrorIs(t, err, orm.ErrConstraint)
					for _, other := range []error{orm.ErrDeadlock, orm.ErrSerialization, orm.ErrLockTimeout, orm.ErrBusy} {
						if other != c.want {
							require.NotErrorIs(t, err, other)
						}
					}
					var ce *orm.ConflictError
					require.ErrorAs(t, err, &ce)
					require.Equal(t, c.code[name], ce.Code)
					require.Contains(t, err.Error(), c.code[name])
					requireDriverError(t, name, err)
				})
			}
		})
	}
}

// sqliteFileDSN returns the DSN of a new SQLite database file in WAL mode
// with the given busy timeout (ms) and transaction lock mode.
func sqliteFileDSN(t *testing.T, busyMS, txlock string) string {
	return "file:" + filepath.Join(t.TempDir(), "busy.db") + "?_journal_mode=WAL&_busy_timeout=" + busyMS + "&_txlock=" + txlock
}

func TestConflictErrorsSQLiteBusy(t *testing.T) {
	ctx := context.Background()
	check := func(t *testing.T, err error, code string) {
		t.Helper()
		require.ErrorIs(t, err, orm.ErrBusy)
		require.ErrorIs(t, err, orm.ErrConflict)
		require.NotErrorIs(t, err, orm.ErrDeadlock)
		var ce *orm.ConflictError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, code, ce.Code)
		requireDriverError(t, "sqlite", err)
	}

	t.Run("BEGIN IMMEDIATE past the busy timeout", func(t *testing.T) {
		db := withConflictRows(t, openDSN(t, "sqlite3", sqliteFileDSN(t, "50", "immediate")))
		holder, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = holder.Rollback() }()
		start := time.Now()
		_, err = db.Begin(ctx, nil)
		check(t, err, "SQLITE_BUSY")
		requireWithin(t, start, 50*time.Millisecond) // the busy timeout
	})

	t.Run("stale snapshot", func(t *testing.T) {
		db := withConflictRows(t, openDSN(t, "sqlite3", sqliteFileDSN(t, "50", "deferred")))
		tx, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		var v int
		require.NoError(t, tx.Select(ctx, &v, "SELECT v FROM conflict_row WHERE id = 1"))
		_, err = db.Exec(ctx, "UPDATE conflict_row SET v = 5 WHERE id = 1")
		require.NoError(t, err)
		_, err = tx.Exec(ctx, "UPDATE conflict_row SET v = v + 1 WHERE id = 1")
		check(t, err, "SQLITE_BUSY_SNAPSHOT")
	})

	t.Run("shared cache table lock", func(t *testing.T) {
		// dbtest's in-memory databases use a shared cache, whose table
		// locks fail at once.
		db := conflictDB(t, dbtest.Open(t, "sqlite"))
		tx, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback() }()
		_, err = tx.Exec(ctx, "UPDATE conflict_row SET v = 1 WHERE id = 1")
		require.NoError(t, err)
		var n int
		err = db.Select(ctx, &n, "SELECT count(*) FROM conflict_row")
		check(t, err, "SQLITE_LOCKED_SHAREDCACHE")
	})
}

// A constraint violation is still a *ConstraintError, not a conflict.
func TestConflictErrorsNotConstraints(t *testing.T) {
	eachDB(t, []any{&ConflictRow{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, &ConflictRow{ID: 1}))
		err := db.Insert(ctx, &ConflictRow{ID: 1})
		require.ErrorIs(t, err, orm.ErrUniqueViolation)
		require.NotErrorIs(t, err, orm.ErrConflict)
		require.False(t, errors.As(err, new(*orm.ConflictError)))
	})
}
