package orm_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// eachDB runs fn on a fresh database of each dialect, as subtests named
// sqlite, postgres and mysql, with the models migrated.
func eachDB(t *testing.T, models []any, fn func(t *testing.T, db *orm.DB)) {
	t.Helper()
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		db := openTest(t, tdb, nil)
		if len(models) > 0 {
			require.NoError(t, orm.AutoMigrate(db, models...))
		}
		fn(t, db)
	})
}

func openTest(t testing.TB, tdb *dbtest.DB, opts []orm.Option) *orm.DB {
	t.Helper()
	db, err := orm.Open(tdb.DriverName, tdb.DSN, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// stmtLog captures the statements a DB logs (a slog.Handler for
// orm.WithLogger).
type stmtLog struct{ dbtest.StatementLog }

// Statements returns the statements logged so far and forgets them.
func (l *stmtLog) Statements() []string { return l.TakeSQL() }

// DDL returns the logged statements that change the schema.
func (l *stmtLog) DDL() []string {
	var out []string
	for _, s := range l.Statements() {
		u := strings.ToUpper(strings.TrimSpace(s))
		for _, p := range []string{"CREATE", "ALTER", "DROP", "COMMENT"} {
			if strings.HasPrefix(u, p) {
				out = append(out, s)
			}
		}
	}
	return out
}
