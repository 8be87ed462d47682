package dbtest

import (
	"context"
	"testing"
	"time"
)

// Count returns the number of rows of table (quoted for the dialect) that
// match where, an SQL condition without placeholders ("" for every row),
// read through db.SQL: a direct pool, outside whatever pool, proxy or
// transaction the test has put in the way. It fails t on error.
func (db *DB) Count(t testing.TB, table, where string) int64 {
	t.Helper()
	q := "SELECT COUNT(*) FROM " + db.Dialect.Quote(table)
	if where != "" {
		q += " WHERE " + where
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var n int64
	if err := db.SQL.QueryRowContext(ctx, q).Scan(&n); err != nil {
		t.Fatalf("dbtest: count rows on %s: %s: %v", db.Name, q, err)
	}
	return n
}
