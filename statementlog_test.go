package orm_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// Journal and JournalEntry are the models of the statement log tests.
type Journal struct {
	ID    int64  `orm:"pk;autoincrement"`
	Title string `orm:"size:100;unique"`
}

type JournalEntry struct {
	ID        int64  `orm:"pk;autoincrement"`
	JournalID int64  `orm:"fk:journal.id;index"`
	Body      string `orm:"size:200"`
}

// TestWithLoggerLogsEveryStatement: with WithLogger, the log holds
// exactly the statements the driver receives, in order: AutoMigrate's
// inspection, lock, DDL and unlock, inserts, queries, a transaction, a
// failed statement (at slog.LevelError, the others at
// slog.LevelDebug); argument values appear nowhere without WithLogArgs.
func TestWithLoggerLogsEveryStatement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		pool, sent := tdb.OpenRecorded(t)
		h := &dbtest.StatementLog{}
		db, err := orm.New(pool, tdb.DriverName, orm.WithLogger(h.Logger()))
		require.NoError(t, err)

		require.NoError(t, orm.AutoMigrate(db, &Journal{}, &JournalEntry{}))
		require.NotEmpty(t, h.Records(), "AutoMigrate logged nothing")
		const secret = "s3cr3t-value-in-an-argument"
		j := Journal{Title: secret}
		require.NoError(t, db.Insert(ctx, &j))
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			return tx.Insert(ctx, &JournalEntry{JournalID: j.ID, Body: "first"})
		}))
		entries, err := orm.Query[JournalEntry](db).Where("journal_id = ?", j.ID).All(ctx)
		require.NoError(t, err)
		require.Len(t, entries, 1)
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error { // SQLite: PRAGMA query_only around it
			_, err := orm.Query[JournalEntry](tx).Count(ctx)
			return err
		}, orm.WithReadOnly()))
		err = db.Insert(ctx, &Journal{Title: secret}) // unique violation
		require.Error(t, err)
		require.NoError(t, orm.AutoMigrate(db, &Journal{}, &JournalEntry{})) // nothing to do

		require.Equal(t, sent.Statements(), h.SQL(), "the statement log differs from what the driver received")
		failed := 0
		for _, r := range h.Records() {
			require.NotContains(t, r.Text, secret, "an argument value was logged without WithLogArgs")
			if r.Error != "" {
				failed++
				require.Equal(t, slog.LevelError, r.Level, r.SQL)
			} else {
				require.Equal(t, slog.LevelDebug, r.Level, r.SQL)
			}
		}
		require.Equal(t, 1, failed, "one statement failed")
		t.Logf("%s: %d statements sent, %d logged", tdb.Name, len(sent.Statements()), len(h.Records()))
	})
}

// TestWithLogArgs: argument values are logged with WithLogArgs.
func TestWithLogArgs(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		h := &dbtest.StatementLog{}
		db := openTest(t, tdb, []orm.Option{orm.WithLogger(h.Logger()), orm.WithLogArgs(true)})
		require.NoError(t, orm.AutoMigrate(db, &Journal{}))
		require.NoError(t, db.Insert(context.Background(), &Journal{Title: "visible-argument"}))
		var found bool
		for _, r := range h.Records() {
			found = found || strings.Contains(r.Text, "visible-argument")
		}
		require.True(t, found, "the argument was not logged")
	})
}

// TestWithSlowThreshold: a statement slower than the threshold is
// logged at slog.LevelWarn with slow=true, faster ones at
// slog.LevelDebug; a logger at Warn level sees only the slow and the
// failed statements.
func TestWithSlowThreshold(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		h := &dbtest.StatementLog{}
		const threshold = 100 * time.Millisecond
		db := openTest(t, tdb, []orm.Option{orm.WithLogger(h.Logger()), orm.WithSlowThreshold(threshold)})
		h.Reset() // what opening sent (the server version on MariaDB)
		slow := tdb.SlowStatement(3 * threshold)
		_, err := db.Exec(ctx, slow)
		require.NoError(t, err)
		_, err = db.Exec(ctx, "SELECT 1")
		require.NoError(t, err)
		recs := h.Records()
		require.Len(t, recs, 2)
		require.Equal(t, slow, recs[0].SQL)
		require.GreaterOrEqual(t, recs[0].Duration, threshold, "the slow statement was not slow")
		require.Equal(t, slog.LevelWarn, recs[0].Level)
		require.True(t, recs[0].Slow)
		if recs[1].Duration < threshold {
			require.Equal(t, slog.LevelDebug, recs[1].Level)
			require.False(t, recs[1].Slow)
		}
	})
}

// ExampleWithSlowThreshold logs only the statements that failed or took
// longer than 200ms: a logger at Warn level drops the others.
func ExampleWithSlowThreshold() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelWarn,
		// Leave the time and the duration out, for a stable output.
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	db, err := orm.OpenURL("sqlite://", orm.WithLogger(logger), orm.WithSlowThreshold(200*time.Millisecond))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	ctx := context.Background()
	_, _ = db.Exec(ctx, "SELECT 1")             // fast: not shown
	_, err = db.Exec(ctx, "SELECT * FROM nope") // failed: shown at ERROR
	fmt.Println("failed:", err != nil)
	// Output:
	// level=ERROR msg="orm: statement" sql="SELECT * FROM nope" error="no such table: nope"
	// failed: true
}
