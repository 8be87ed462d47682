package dialects

// ServerDialect is the optional interface of a dialect whose SQL depends
// on the server it talks to, not on the driver alone: the MySQL dialect
// writes INSERT ... RETURNING for MariaDB 10.5 and later, which MySQL
// does not accept. tagorm runs ServerVersionQuery once per DB, on the
// first statement that depends on it, and writes those statements with
// the dialect ForServerVersion returns.
type ServerDialect interface {
	Dialect
	// ServerVersionQuery returns a query, without arguments, whose
	// single value (text) describes the server, e.g. "SELECT VERSION()".
	ServerVersionQuery() string
	// ForServerVersion returns the dialect for a server that answered
	// ServerVersionQuery with version: the receiver itself, or a dialect
	// with the same Name, driver and SQL but more features.
	ForServerVersion(version string) Dialect
}

// ConflictReturner is the optional interface of a dialect whose INSERT
// ... RETURNING with a do-nothing conflict clause (see Dialect.Upsert)
// also returns the rows that conflicted, as they are in the table
// (MariaDB), where PostgreSQL and SQLite return only the rows inserted.
// tagorm does not use RETURNING for such upserts on these dialects, so
// that a row left alone is told apart from a row inserted.
type ConflictReturner interface {
	// ReturnsConflictingRows reports whether a do-nothing upsert with
	// RETURNING returns the conflicting rows too.
	ReturnsConflictingRows() bool
}
