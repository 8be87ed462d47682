package dialects

// DSNNormalizer is an optional interface of a Dialect: it completes a DSN
// passed to orm.Open with the driver parameters tagorm relies on (SQLite:
// foreign keys enforced and a busy timeout; MySQL: parseTime, UTC and
// found-rows semantics for RowsAffected), keeping what the DSN already
// says.
type DSNNormalizer interface {
	NormalizeDSN(dsn string) (string, error)
}

// NormalizeDSN applies d's DSNNormalizer, if it has one.
func NormalizeDSN(d Dialect, dsn string) (string, error) {
	if n, ok := d.(DSNNormalizer); ok {
		return n.NormalizeDSN(dsn)
	}
	return dsn, nil
}

// MemoryDialect is an optional interface of a Dialect whose databases may
// live in memory, existing only while a connection to them is open (SQLite).
type MemoryDialect interface {
	Dialect
	// InMemory reports whether dsn, as NormalizeDSN returns it, names an
	// in-memory database.
	InMemory(dsn string) bool
}

// InMemory reports whether dsn names an in-memory database of d (see
// MemoryDialect); false when d has no in-memory databases.
func InMemory(d Dialect, dsn string) bool {
	m, ok := d.(MemoryDialect)
	return ok && m.InMemory(dsn)
}
