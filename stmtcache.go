package orm

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// defaultStmtCacheSize is how many prepared statements a DB keeps by
// default (see WithStmtCache).
const defaultStmtCacheSize = 256

// stmtCache keeps prepared statements by SQL text. A *sql.Stmt prepares
// itself lazily on each pooled connection it runs on and keeps those
// preparations, so a statement text is parsed once per connection rather
// than on every call (mattn/go-sqlite3 compiles every unprepared
// statement; go-sql-driver/mysql prepares, executes and closes each
// statement with arguments: three round trips). When full, the oldest
// entries are closed and dropped.
type stmtCache struct {
	mu    sync.RWMutex
	m     map[string]*cachedStmt
	order []string // insertion order, for eviction
	max   int
}

// cachedStmt is a cached statement with the number of calls using it, so
// that an evicted statement is closed only once no call uses it.
type cachedStmt struct {
	st      *sql.Stmt
	refs    atomic.Int32
	evicted atomic.Bool
	closed  atomic.Bool
}

// release ends one use of s.
func (s *cachedStmt) release() {
	if s.refs.Add(-1) == 0 && s.evicted.Load() {
		s.close()
	}
}

func (s *cachedStmt) close() {
	if s.closed.CompareAndSwap(false, true) {
		_ = s.st.Close()
	}
}

// WithStmtCache sets how many prepared statements the DB keeps (by SQL
// text, prepared on each connection as it is used); 0 turns the cache off.
// The default is 256 on dialects whose driver does not cache statements
// itself (SQLite, MySQL); pgx already caches them per connection.
func WithStmtCache(n int) Option {
	return func(db *DB) { db.stmtCacheSize = n }
}

func newStmtCache(max int) *stmtCache {
	if max <= 0 {
		return nil
	}
	return &stmtCache{m: make(map[string]*cachedStmt, max), max: max}
}

// get returns the prepared statement for query, preparing it on db when
// it is not cached; the caller must release it. A nil cache returns nil.
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) (*cachedStmt, error) {
	if c == nil {
		return nil, nil
	}
	c.mu.RLock()
	cs := c.m[query]
	if cs != nil {
		cs.refs.Add(1)
	}
	c.mu.RUnlock()
	if cs != nil {
		return cs, nil
	}
	st, err := db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.m[query]; old != nil {
		// Another goroutine prepared it meanwhile: keep theirs.
		_ = st.Close()
		old.refs.Add(1)
		return old, nil
	}
	if len(c.order) >= c.max {
		drop := c.order[:len(c.order)/2+1]
		for _, q := range drop {
			c.evict(q)
		}
		c.order = append(c.order[:0], c.order[len(drop):]...)
	}
	cs = &cachedStmt{st: st}
	cs.refs.Add(1)
	c.m[query] = cs
	c.order = append(c.order, query)
	return cs, nil
}

// lookup returns the cached statement for query, or nil; a statement
// returned must be released.
func (c *stmtCache) lookup(query string) *cachedStmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	cs := c.m[query]
	if cs != nil {
		cs.refs.Add(1)
	}
	return cs
}

// evict drops query from the cache (c.mu held for writing); its statement
// is closed now or when its last user releases it.
func (c *stmtCache) evict(query string) {
	cs := c.m[query]
	delete(c.m, query)
	cs.evicted.Store(true)
	if cs.refs.Load() == 0 {
		cs.close()
	}
}

// close evicts every cached statement.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.m {
		c.evict(q)
	}
	c.order = nil
}
