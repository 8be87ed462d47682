package sqlite

import (
	"errors"

	"github.com/mattn/go-sqlite3"

	"github.com/tagorm/orm/dialects"
)

var _ dialects.ServerErrorDialect = Dialect{}

// IsServerError implements dialects.ServerErrorDialect: err is (or
// wraps) a sqlite3.Error, an error of the SQLite library, which runs in
// the process: a statement that fails with one did not take effect.
func (Dialect) IsServerError(err error) bool {
	var se sqlite3.Error
	var pse *sqlite3.Error
	return errors.As(err, &se) || (errors.As(err, &pse) && pse != nil)
}
