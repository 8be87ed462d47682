package sqlite

import (
	"net/url"
	"strings"

	"github.com/tagorm/orm/dialects"
)

var _ dialects.MemoryDialect = Dialect{}

// InMemory implements dialects.MemoryDialect: dsn names a database of the
// memdb VFS (vfs=memdb), a "mode=memory" one or ":memory:". Such a
// database disappears when its last connection closes.
func (Dialect) InMemory(dsn string) bool {
	if dsn == "" || dsn == ":memory:" {
		return true
	}
	path, q, ok := fileURI(dsn)
	return ok && (path == ":memory:" || q.Get("vfs") == "memdb" || q.Get("mode") == "memory")
}

// fileURI splits a "file:" URI DSN into its path and parameters.
func fileURI(dsn string) (string, url.Values, bool) {
	rest, ok := strings.CutPrefix(dsn, "file:")
	if !ok {
		return "", nil, false
	}
	path, rawq, _ := strings.Cut(rest, "?")
	q, _ := url.ParseQuery(rawq) // keeps what parses
	return path, q, true
}

// privateMemory rewrites a "file:" DSN naming an in-memory database
// private to each connection (":memory:" or mode=memory without
// cache=shared: each connection of a pool would see a different, empty
// database) to a new database of the memdb VFS, which every connection of
// the pool shares, keeping its other parameters. Any other DSN is
// returned as it is.
func privateMemory(dsn string) string {
	path, q, ok := fileURI(dsn)
	if !ok || q.Get("vfs") != "" || q.Get("cache") == "shared" || path != ":memory:" && q.Get("mode") != "memory" {
		return dsn
	}
	out := memoryDSN()
	_, rawq, _ := strings.Cut(dsn, "?")
	for kv := range strings.SplitSeq(rawq, "&") {
		k, _, _ := strings.Cut(kv, "=")
		if kv == "" || k == "mode" || k == "cache" {
			continue
		}
		out += "&" + kv
	}
	return out
}
