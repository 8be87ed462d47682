package sqlite

// NormalizeDSN implements dialects.DSNNormalizer: it is DSN, so a plain
// path or "file:" URI gets foreign keys enforced and a busy timeout unless
// it sets them, and ":memory:" becomes a new in-memory database of the
// memdb VFS shared by every connection of the pool (a plain ":memory:"
// would give each pooled connection a different, empty database).
func (Dialect) NormalizeDSN(dsn string) (string, error) { return DSN(dsn), nil }
