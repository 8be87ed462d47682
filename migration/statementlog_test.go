package migration_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// loggingConn is a Conn with a statement logger of its own
// (migration.StatementLogging), as *orm.DB is.
type loggingConn struct {
	migration.Conn
	log *dialects.StatementLogger
}

func (c loggingConn) StatementLogger() *dialects.StatementLogger { return c.log }

// evolved is manyTables(n) with, on the first three tables, a unique
// index on name and prev_id made NOT NULL: changes AutoMigrate checks
// against the rows first.
func evolved(n int) *schema.MetaData {
	md := manyTables(n)
	for _, t := range md.Tables[:3] {
		t.Column("prev_id").Nullable = false
		t.Indexes[0].Unique = true
	}
	return md
}

// TestStatementLoggerLogsEveryMigrationStatement runs AutoMigrate (a
// 50-table create, then a change with data checks), Plan, Check,
// Inspect, Current, Upgrade, Downgrade, Stamp and Apply on a pool whose
// driver records every statement it receives, and requires the log to
// hold exactly those statements, in order.
func TestStatementLoggerLogsEveryMigrationStatement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		pool, sent := db.OpenRecorded(t)
		h := &dbtest.StatementLog{}
		l := &dialects.StatementLogger{Logger: h.Logger()}
		opt := migration.WithStatementLogger(l)
		conn := migration.Wrap(db.Dialect, pool)
		lc := loggingConn{Conn: conn, log: l}

		require.NoError(t, migration.AutoMigrate(ctx, conn, manyTables(50), opt))
		created := len(sent.Statements())
		require.Equal(t, sent.Statements(), h.SQL(), "50-table create")
		require.NoError(t, migration.AutoMigrate(ctx, lc, evolved(50)))
		_, err := migration.Plan(ctx, conn, manyTables(50), opt)
		require.NoError(t, err)
		require.NoError(t, migration.Check(ctx, lc, evolved(50)))
		_, err = migration.Inspect(ctx, lc)
		require.NoError(t, err)

		reg := &migration.Registry{}
		extra := &schema.Table{Name: "extra", Columns: []*schema.Column{col("id", schema.Integer, false)},
			PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
		require.NoError(t, reg.Add(&migration.Revision{ID: "a1", Message: "extra",
			Upgrade: []migration.Op{&migration.CreateTable{Table: extra}}, Downgrade: []migration.Op{&migration.DropTable{Table: extra}}}))
		_, err = migration.Upgrade(ctx, lc, reg, "head")
		require.NoError(t, err)
		cur, err := migration.Current(ctx, lc)
		require.NoError(t, err)
		require.Equal(t, "a1", cur)
		_, err = migration.Downgrade(ctx, lc, reg, "base")
		require.NoError(t, err)
		require.NoError(t, migration.Stamp(ctx, lc, reg, "a1"))
		_, err = migration.UpgradeSQL(ctx, lc, reg, "", "head")
		require.NoError(t, err)
		require.NoError(t, migration.Apply(ctx, lc, []migration.Op{&migration.Exec{SQL: "DELETE FROM " + db.Dialect.Quote("t00")}}))

		got, want := h.SQL(), sent.Statements()
		require.Equal(t, want, got, "the statement log differs from what the driver received")
		t.Logf("%s: 50-table AutoMigrate: %d statements sent, all logged; whole run: %d sent, %d logged",
			db.Name, created, len(want), len(got))
		for _, r := range h.Records() {
			if r.Error == "" {
				require.Equal(t, slog.LevelDebug, r.Level, r.SQL)
			} else {
				require.Equal(t, slog.LevelError, r.Level, r.SQL)
			}
		}
	})
}

// TestStatementLoggerFailedDDL: a DDL statement that fails is logged at
// slog.LevelError with its error, and the statements that undo the
// migration (ROLLBACK, unlock) are logged too.
func TestStatementLoggerFailedDDL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		pool, sent := db.OpenRecorded(t)
		h := &dbtest.StatementLog{}
		conn := loggingConn{Conn: migration.Wrap(db.Dialect, pool), log: &dialects.StatementLogger{Logger: h.Logger()}}
		bad := "CREATE TABLE broken (id INTEGER PRIMARY KEY, ref INTEGER REFERENCES missing_table_x (nope) ON DELETE EXPLODE)"
		err := migration.Apply(ctx, conn, []migration.Op{
			&migration.Exec{SQL: "CREATE TABLE fine (id INTEGER PRIMARY KEY)"},
			&migration.Exec{SQL: bad},
		})
		require.Error(t, err)
		var failed []dbtest.LoggedStatement
		for _, r := range h.Records() {
			if r.Level >= slog.LevelError {
				failed = append(failed, r)
			}
		}
		require.Len(t, failed, 1, "%v", h.Records())
		require.Equal(t, bad, failed[0].SQL)
		require.NotEmpty(t, failed[0].Error)
		require.Equal(t, sent.Statements(), h.SQL())
		if db.Name != "mysql" {
			require.Equal(t, "ROLLBACK", lastTx(h.SQL()), "the rollback is logged")
		}
	})
}

// lastTx returns the last COMMIT or ROLLBACK of stmts.
func lastTx(stmts []string) string {
	for i := len(stmts) - 1; i >= 0; i-- {
		if s := strings.ToUpper(stmts[i]); s == "COMMIT" || s == "ROLLBACK" {
			return s
		}
	}
	return ""
}

// TestStatementLoggerSlowThreshold: a statement slower than the
// threshold is logged at slog.LevelWarn with slow=true; every other
// statement of the migration, faster, at slog.LevelDebug.
func TestStatementLoggerSlowThreshold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		h := &dbtest.StatementLog{}
		const threshold = 100 * time.Millisecond
		conn := loggingConn{Conn: migration.Wrap(db.Dialect, db.SQL),
			log: &dialects.StatementLogger{Logger: h.Logger(), SlowThreshold: threshold}}
		slow := db.SlowStatement(3 * threshold)
		require.NoError(t, migration.Apply(ctx, conn, []migration.Op{&migration.Exec{SQL: slow}}))
		sawSlow := false
		for _, r := range h.Records() {
			require.Empty(t, r.Error, r.SQL)
			if r.Duration >= threshold {
				require.Equal(t, slog.LevelWarn, r.Level, "%s took %v", r.SQL, r.Duration)
				require.True(t, r.Slow, r.SQL)
			} else {
				require.Equal(t, slog.LevelDebug, r.Level, "%s took %v", r.SQL, r.Duration)
			}
			sawSlow = sawSlow || r.SQL == slow
			if r.SQL == slow {
				require.GreaterOrEqual(t, r.Duration, threshold, "the slow statement was not slow")
			}
		}
		require.True(t, sawSlow, "%v", h.SQL())
	})
}
