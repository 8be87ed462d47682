package orm

import (
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync"

	"github.com/tagorm/orm/dialects"
)

// memoryHold keeps an in-memory database alive: one driver connection to
// it, outside the pool, open until the DB is closed. The pool may then
// close every connection of its own (database/sql closes the connection
// of a transaction whose context ends, and any connection past its
// lifetime or beyond the idle limit) without the database going with the
// last one.
type memoryHold struct {
	once sync.Once
	conn driver.Conn
	err  error
}

// holdMemory opens the hold on dsn when it names an in-memory database of
// d, or returns nil.
func holdMemory(d dialects.Dialect, sdb *sql.DB, dsn string) (*memoryHold, error) {
	if !dialects.InMemory(d, dsn) {
		return nil, nil
	}
	c, err := sdb.Driver().Open(dsn)
	if err != nil {
		return nil, fmt.Errorf("orm: open %s: in-memory database: %w", d.Name(), err)
	}
	return &memoryHold{conn: c}, nil
}

// close closes the held connection (once); a nil hold is a no-op.
func (h *memoryHold) close() error {
	if h == nil {
		return nil
	}
	h.once.Do(func() { h.err = h.conn.Close() })
	return h.err
}
