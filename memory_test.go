package orm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

// memoryDSNs are the ways to name an in-memory SQLite database.
var memoryDSNs = []struct{ name, driver, dsn string }{
	{"sqlite:// URL", "", "sqlite://"},
	{"sqlite:///:memory: URL", "", "sqlite:///:memory:"},
	{":memory:", "sqlite3", ":memory:"},
	{"memdb vfs", "sqlite3", "file:/memory_test_vfs?vfs=memdb"},
	{"mode=memory shared cache", "sqlite3", "file:memory_test_shared?mode=memory&cache=shared"},
	{"file::memory: shared cache", "sqlite3", "file::memory:?cache=shared"},
	{"file::memory: private", "sqlite3", "file::memory:"},
	{"mode=memory private", "sqlite3", "file:memory_test_private?mode=memory"},
}

func openMemory(t *testing.T, driver, dsn string, opts ...orm.Option) *orm.DB {
	t.Helper()
	var db *orm.DB
	var err error
	if driver == "" {
		db, err = orm.OpenURL(dsn, opts...)
	} else {
		db, err = orm.Open(driver, dsn, opts...)
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// TestMemoryDatabaseOutlivesPool checks that an in-memory SQLite database
// lives as long as its DB, whatever the pool does with its connections:
// transactions whose context ends (database/sql closes their connection),
// no idle connections kept, connections closed after a nanosecond.
func TestMemoryDatabaseOutlivesPool(t *testing.T) {
	for _, m := range memoryDSNs {
		t.Run(m.name, func(t *testing.T) {
			ctx := context.Background()
			db := openMemory(t, m.driver, m.dsn)
			require.NoError(t, orm.AutoMigrate(db, &URLThing{}))
			require.NoError(t, db.Insert(ctx, &URLThing{Name: "kept"}))
			check := func(step string) {
				t.Helper()
				n, err := orm.Query[URLThing](db).Count(ctx)
				require.NoError(t, err, step)
				require.EqualValues(t, 1, n, step)
			}

			// database/sql rolls a transaction whose context ended back in
			// the background: wait until it has let go of its connection
			// (a shared-cache database fails at once on a table it still
			// locks, where a memdb one waits for the busy timeout).
			settled := func() {
				t.Helper()
				require.Eventually(t, func() bool { return db.DB().Stats().InUse == 0 }, 5*time.Second, time.Millisecond)
			}

			// A transaction whose deadline passes while it works.
			for range 3 {
				tctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
				err := db.Transaction(tctx, func(tx *orm.Session) error {
					if err := tx.Insert(tctx, &URLThing{Name: "lost"}); err != nil {
						return err
					}
					<-tctx.Done()
					return tctx.Err()
				})
				cancel()
				require.ErrorIs(t, err, context.DeadlineExceeded)
				settled()
			}
			check("after transactions timed out")

			// A transaction whose context is cancelled.
			cctx, cancel := context.WithCancel(ctx)
			s, err := db.Begin(cctx, nil)
			require.NoError(t, err)
			require.NoError(t, s.Insert(cctx, &URLThing{Name: "lost"}))
			cancel()
			err = s.Commit()
			require.Error(t, err)
			settled()
			check("after a cancelled transaction")

			// No idle connection kept: each statement closes its own.
			db.DB().SetMaxIdleConns(0)
			check("with no idle connections")
			check("with no idle connections, again")

			// Connections that expire at once.
			db.DB().SetMaxIdleConns(2)
			db.DB().SetConnMaxLifetime(time.Nanosecond)
			time.Sleep(time.Millisecond)
			check("with a tiny connection lifetime")
			db.DB().SetConnMaxIdleTime(time.Nanosecond)
			time.Sleep(time.Millisecond)
			check("with a tiny idle time")
			require.Zero(t, db.DB().Stats().OpenConnections-db.DB().Stats().InUse-db.DB().Stats().Idle)
		})
	}
}

// TestMemoryDatabaseClosedWithDB checks that Close lets the database go:
// a named memory database opened again after Close is empty.
func TestMemoryDatabaseClosedWithDB(t *testing.T) {
	ctx := context.Background()
	const dsn = "file:/memory_test_closed?vfs=memdb"
	db, err := orm.Open("sqlite3", dsn)
	require.NoError(t, err)
	require.NoError(t, orm.AutoMigrate(db, &URLThing{}))
	require.NoError(t, db.Close())

	again, err := orm.Open("sqlite3", dsn)
	require.NoError(t, err)
	defer again.Close()
	var n int
	err = again.Select(ctx, &n, "SELECT COUNT(*) FROM url_thing")
	require.Error(t, err, "the database must be gone once its DB is closed")
	require.False(t, errors.Is(err, orm.ErrNotFound))
}
