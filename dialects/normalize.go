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
