package sqlite_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/sqlite"
)

func TestInMemory(t *testing.T) {
	for _, tc := range []struct {
		dsn  string
		want bool
	}{
		{"", true},
		{":memory:", true},
		{sqlite.DSN(""), true},
		{"file:/app?vfs=memdb", true},
		{"file:x?mode=memory&cache=shared", true},
		{"file::memory:?cache=shared", true},
		{"file::memory:", true},
		{"app.db", false},
		{"file:app.db?mode=rwc", false},
		{"file:/tmp/memory.db", false},
		{"file:x?vfs=unix", false},
	} {
		assert.Equal(t, tc.want, dialects.InMemory(sqlite.Dialect{}, tc.dsn), tc.dsn)
	}
}

// A "file:" DSN naming a database private to each connection becomes a
// new memdb database, which the pool's connections share; other DSNs are
// kept.
func TestDSNPrivateMemory(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"file::memory:", `^file:/tagorm_mem\d+\?vfs=memdb&_foreign_keys=1&_busy_timeout=5000&_txlock=immediate$`},
		{"file:x?mode=memory", `^file:/tagorm_mem\d+\?vfs=memdb&_foreign_keys=1&_busy_timeout=5000&_txlock=immediate$`},
		{"file:x?mode=memory&cache=private&_fk=0", `^file:/tagorm_mem\d+\?vfs=memdb&_fk=0&_busy_timeout=5000&_txlock=immediate$`},
		{"file::memory:?_busy_timeout=10", `^file:/tagorm_mem\d+\?vfs=memdb&_busy_timeout=10&_foreign_keys=1&_txlock=immediate$`},
		{"file::memory:?cache=shared", `^file::memory:\?cache=shared&_foreign_keys=1&_busy_timeout=5000&_txlock=immediate$`},
		{"file:x?mode=memory&cache=shared", `^file:x\?mode=memory&cache=shared&_foreign_keys=1`},
		{"file:/x?vfs=memdb", `^file:/x\?vfs=memdb&_foreign_keys=1`},
		{"file:x.db?mode=ro", `^file:x.db\?mode=ro&_foreign_keys=1`},
	} {
		assert.Regexp(t, tc.want, sqlite.DSN(tc.in), tc.in)
	}
}
