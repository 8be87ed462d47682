package orm

import "github.com/tagorm/orm/dialects"

// SetInsertDialect makes db write its INSERT statements with d, as if its
// server had called for d: tests run MySQL 8's statements (no RETURNING)
// on the MariaDB server of the suite with it.
func SetInsertDialect(db *DB, d dialects.Dialect) { db.server.Store(&serverDialect{d: d}) }
