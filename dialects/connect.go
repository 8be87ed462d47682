package dialects

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// ConnectorDialect is an optional interface of a Dialect: the pools
// orm.Open and orm.OpenURL create are opened with sql.OpenDB on the
// dialect's connector instead of sql.Open(DriverName(), dsn), so that the
// dialect can add to its driver what the pool needs and the driver lacks
// (PostgreSQL: a liveness check of each pooled connection on checkout;
// MySQL: a COMMIT bounded by the transaction's context). See the dialect
// package's Connector method for what it adds.
type ConnectorDialect interface {
	Dialect
	// Connector returns a connector that opens connections to the
	// database dsn names (dsn is in the driver's format, already
	// normalised by NormalizeDSN).
	Connector(dsn string) (driver.Connector, error)
}

// Connector returns d's connector for dsn when d is a ConnectorDialect,
// and a connector of d's registered driver otherwise.
func Connector(d Dialect, dsn string) (driver.Connector, error) {
	if cd, ok := d.(ConnectorDialect); ok {
		return cd.Connector(dsn)
	}
	db, err := sql.Open(d.DriverName(), dsn)
	if err != nil {
		return nil, err
	}
	drv := db.Driver()
	_ = db.Close()
	if dc, ok := drv.(driver.DriverContext); ok {
		return dc.OpenConnector(dsn)
	}
	return dsnConnector{dsn: dsn, drv: drv}, nil
}

// dsnConnector is the connector of a driver without DriverContext, as
// database/sql makes one for sql.Open.
type dsnConnector struct {
	dsn string
	drv driver.Driver
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }

// TxCommitter is an optional interface of a Dialect whose driver's
// driver.Tx.Commit ignores the context the transaction was begun with
// (database/sql's Tx.Commit takes none), so that a COMMIT the server
// does not answer would block past the caller's deadline.
type TxCommitter interface {
	Dialect
	// CommitTx commits tx, begun with ctx on db, returning once ctx is
	// done at the latest. An error the server sent in reply means the
	// transaction was rolled back; any other error after the COMMIT may
	// have been sent leaves its outcome unknown.
	CommitTx(ctx context.Context, db *sql.DB, tx *sql.Tx) error
}

// CommitTx commits tx with d's TxCommitter, or with tx.Commit when d has
// none (its driver bounds COMMIT by ctx itself).
func CommitTx(ctx context.Context, d Dialect, db *sql.DB, tx *sql.Tx) error {
	if c, ok := d.(TxCommitter); ok {
		return c.CommitTx(ctx, db, tx)
	}
	return tx.Commit()
}

// ServerErrorDialect is an optional interface of a Dialect: it recognises
// an error the database sent in reply to a statement (a SQLSTATE or error
// number of the server, or of the SQLite library), which proves that the
// statement reached the database and failed there, as opposed to a
// network, context or driver error after which it cannot be known
// whether the database ran the statement.
type ServerErrorDialect interface {
	Dialect
	IsServerError(err error) bool
}

// IsServerError reports whether err is an error the database sent in
// reply (see ServerErrorDialect). Without a ServerErrorDialect it reports
// false: whether the statement ran is then unknown.
func IsServerError(d Dialect, err error) bool {
	if err == nil {
		return false
	}
	if s, ok := d.(ServerErrorDialect); ok {
		return s.IsServerError(err)
	}
	return false
}
