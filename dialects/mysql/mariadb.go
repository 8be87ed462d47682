package mysql

import (
	"strconv"
	"strings"

	"github.com/tagorm/orm/dialects"
)

// MariaDB is the dialect of MariaDB 10.5 and later: Dialect with INSERT
// ... RETURNING (feature Returning), which MySQL 8 does not have. Its
// Name is "mysql", like Dialect's, so that per-dialect tag options apply
// to both. tagorm picks it by itself: Dialect.ForServerVersion returns it
// when the server says it is such a MariaDB.
//
// MariaDB also returns, for an INSERT ... ON DUPLICATE KEY UPDATE ...
// RETURNING, the row a conflict updated, as it is after the update; with
// the do-nothing clause of Upsert that is the existing row, unchanged
// (ReturnsConflictingRows).
type MariaDB struct{ Dialect }

var _ dialects.Dialect = MariaDB{}
var _ dialects.ConflictReturner = MariaDB{}
var _ dialects.DefaultsInserter = MariaDB{}

// Features reports Dialect's features and Returning.
func (MariaDB) Features() dialects.Feature { return Dialect{}.Features() | dialects.Returning }

// InsertReturning appends " RETURNING c1, c2, ...".
func (d MariaDB) InsertReturning(b *strings.Builder, columns []string) bool {
	return dialects.WriteReturning(b, d, columns)
}

// ReturnsConflictingRows returns true: see MariaDB.
func (MariaDB) ReturnsConflictingRows() bool { return true }

var _ dialects.ServerDialect = Dialect{}

// ServerVersionQuery returns "SELECT VERSION()".
func (Dialect) ServerVersionQuery() string { return "SELECT VERSION()" }

// ForServerVersion returns MariaDB for a MariaDB server of version 10.5
// or later ("10.11.6-MariaDB-1:10.11.6+maria~ubu2204"), and Dialect for
// any other (MySQL, older MariaDB, an unrecognised version).
func (d Dialect) ForServerVersion(version string) dialects.Dialect {
	if mariaDBReturning(version) {
		return MariaDB{d}
	}
	return d
}

// mariaDBReturning reports whether version is that of a MariaDB server
// with INSERT ... RETURNING (10.5.0 and later).
func mariaDBReturning(version string) bool {
	if !strings.Contains(strings.ToLower(version), "mariadb") {
		return false
	}
	// Replication-compatible servers prefix the version with "5.5.5-".
	version = strings.TrimPrefix(version, "5.5.5-")
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 {
		return false
	}
	major, err := strconv.Atoi(parts[0])
	if err != nil {
		return false
	}
	minorDigits := parts[1]
	if i := strings.IndexFunc(minorDigits, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minorDigits = minorDigits[:i]
	}
	minor, err := strconv.Atoi(minorDigits)
	if err != nil {
		return false
	}
	return major > 10 || major == 10 && minor >= 5
}
