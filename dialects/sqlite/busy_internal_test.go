package sqlite

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestSliceBusyTimeout(t *testing.T) {
	for _, tc := range []struct {
		dsn, want string
		budget    time.Duration
		ok        bool
	}{
		{"file:a.db?_foreign_keys=1&_busy_timeout=5000&_txlock=immediate", "file:a.db?_foreign_keys=1&_txlock=immediate&_busy_timeout=50", 5 * time.Second, true},
		{"file:a.db", "file:a.db?_busy_timeout=50", 5 * time.Second, true},
		{"a.db?_busy_timeout=10000", "a.db?_busy_timeout=50", 10 * time.Second, true},
		{"file:/m?vfs=memdb&_timeout=100&_busy_timeout=9", "file:/m?vfs=memdb&_busy_timeout=50", 100 * time.Millisecond, true},
		{"file:a.db?_busy_timeout=20", "file:a.db?_busy_timeout=20", 20 * time.Millisecond, true},
		{"file:a.db?_busy_timeout=0", "file:a.db?_busy_timeout=0", 0, true},
		{"file:a.db?_busy_timeout=-1", "file:a.db?_busy_timeout=0", 0, true},
		{"file:a%3fb.db?mode=rwc&_busy_timeout=", "file:a%3fb.db?mode=rwc&_busy_timeout=50", 5 * time.Second, true},
		{"file:a.db?_busy_timeout=x", "file:a.db?_busy_timeout=x", 0, false},
	} {
		got, budget, ok := sliceBusyTimeout(tc.dsn)
		assert.Equal(t, tc.ok, ok, tc.dsn)
		if ok {
			assert.Equal(t, tc.want, got, tc.dsn)
			assert.Equal(t, tc.budget, budget, tc.dsn)
		}
	}
}

func TestSingleStatement(t *testing.T) {
	for q, want := range map[string]bool{
		"INSERT INTO t VALUES (1)":                                true,
		"INSERT INTO t VALUES (1);":                               true,
		"INSERT INTO t VALUES (1); ;\n-- done\n":                  false, // an empty second statement
		"INSERT INTO t VALUES (1); /* done */":                    true,
		"INSERT INTO t VALUES ('a;b')":                            true,
		`INSERT INTO "a;b" VALUES (1)`:                            true,
		"INSERT INTO [a;b] VALUES (1) -- x; y":                    true,
		"SELECT 1 /* ; */ FROM t":                                 true,
		"INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)":      false,
		"UPDATE t SET a = 1;DELETE FROM t":                        false,
		"SELECT 'x'';'; SELECT 2":                                 false,
		"CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END": true, // one statement with a body
	} {
		assert.Equal(t, want, singleStatement(q), q)
	}
}

func TestEndsTransaction(t *testing.T) {
	for q, want := range map[string]bool{
		"COMMIT": true, "commit;": true, " END TRANSACTION ": true, "ROLLBACK": true,
		"rollback transaction;": true, "COMMIT WORK": false, "ROLLBACK TO SAVEPOINT s": false,
		"RELEASE s": false, "INSERT INTO t VALUES (1)": false, "": false,
	} {
		assert.Equal(t, want, endsTransaction(q), q)
	}
}
