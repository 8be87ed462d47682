package mysql

import (
	"fmt"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/tagorm/orm/dialects"
)

// NormalizeDSN implements dialects.DSNNormalizer. It turns on parseTime
// (DATETIME columns scan into time.Time) and clientFoundRows
// (RowsAffected counts the rows an UPDATE matched, not only those it
// changed, so an Update that writes identical values still finds its row).
// loc stays as given (UTC by default), which is how tagorm stores times.
func (Dialect) NormalizeDSN(dsn string) (string, error) {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("mysql DSN: %w", err)
	}
	cfg.ParseTime = true
	cfg.ClientFoundRows = true
	return cfg.FormatDSN(), nil
}

// MultiStatementDSN implements dialects.MultiStatementDialect: it sets
// multiStatements=true, without which the server refuses a call holding
// several statements as a syntax error.
func (Dialect) MultiStatementDSN(dsn string) (string, error) {
	cfg, err := gomysql.ParseDSN(dsn)
	if err != nil {
		return "", fmt.Errorf("mysql DSN: %w", err)
	}
	cfg.MultiStatements = true
	return cfg.FormatDSN(), nil
}

var _ dialects.MultiStatementDialect = Dialect{}
