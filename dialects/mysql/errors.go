package mysql

import (
	"errors"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/tagorm/orm/dialects"
)

// MySQL and MariaDB error numbers ClassifyError recognises.
const (
	errDupEntry           = 1062 // Duplicate entry 'x' for key 't.k' (MySQL 8: 't.k'; MariaDB: 'k')
	errRowIsReferenced    = 1451 // Cannot delete or update a parent row: a foreign key constraint fails (...)
	errNoReferencedRow    = 1452 // Cannot add or update a child row: a foreign key constraint fails (...)
	errRowIsReferencedOld = 1217
	errNoReferencedRowOld = 1216
	errBadNull            = 1048 // Column 'c' cannot be null
	errNoDefault          = 1364 // Field 'c' doesn't have a default value
	errCheckMySQL         = 3819 // Check constraint 'name' is violated.
	errCheckMariaDB       = 4025 // CONSTRAINT `name` failed for `db`.`t`

	errLockDeadlock    = 1213 // Deadlock found when trying to get lock; try restarting transaction
	errLockWaitTimeout = 1205 // Lock wait timeout exceeded; try restarting transaction
	errLockNowait      = 3572 // MySQL 8: ... lock(s) could not be acquired immediately and NOWAIT is set
	errCheckRead       = 1020 // Record has changed since last read (MariaDB's innodb_snapshot_isolation)
)

// ClassifyError recognises *mysql.MySQLError constraint violations,
// wrapped or not: duplicate key (1062), foreign key (1451, 1452, 1216,
// 1217), not null (1048, 1364) and check (MySQL 3819, MariaDB 4025). The
// key, constraint, table and column names are parsed from the message; a
// duplicate on key PRIMARY is marked PrimaryKey (the message names no
// columns).
//
// It also recognises the transaction conflicts: 1213 ER_LOCK_DEADLOCK
// (Deadlock; InnoDB rolled the whole transaction back, and it is also how
// a Galera cluster reports a certification conflict, at COMMIT), 1020
// ER_CHECKREAD (SerializationFailure: MariaDB's snapshot isolation found a
// row changed since the transaction read it), and 1205
// ER_LOCK_WAIT_TIMEOUT and MySQL 8's 3572 ER_LOCK_NOWAIT (LockTimeout;
// InnoDB rolls back only the statement unless innodb_rollback_on_timeout
// is set).
func (Dialect) ClassifyError(err error) *dialects.ErrorInfo {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return nil
	}
	msg := me.Message
	switch me.Number {
	case errLockDeadlock:
		return conflict(dialects.Deadlock, me.Number)
	case errCheckRead:
		return conflict(dialects.SerializationFailure, me.Number)
	case errLockWaitTimeout, errLockNowait:
		return conflict(dialects.LockTimeout, me.Number)
	case errDupEntry:
		info := &dialects.ErrorInfo{Kind: dialects.UniqueViolation}
		if i := strings.LastIndex(msg, "for key '"); i >= 0 {
			key := strings.TrimSuffix(msg[i+len("for key '"):], "'")
			// MySQL 8.0.19+ prefixes the table name; index names
			// rarely contain dots.
			if t, k, ok := strings.Cut(key, "."); ok {
				info.Table, key = t, k
			}
			info.Constraint = key
			// The primary key's index is always named PRIMARY (a
			// reserved name no other index may take).
			info.PrimaryKey = key == "PRIMARY"
		}
		return info
	case errRowIsReferenced, errNoReferencedRow:
		info := &dialects.ErrorInfo{Kind: dialects.ForeignKeyViolation}
		parseFKMessage(msg, info)
		return info
	case errRowIsReferencedOld, errNoReferencedRowOld:
		return &dialects.ErrorInfo{Kind: dialects.ForeignKeyViolation}
	case errBadNull, errNoDefault:
		info := &dialects.ErrorInfo{Kind: dialects.NotNullViolation}
		if c, ok := between(msg, "'", "'"); ok {
			info.Columns = []string{c}
		}
		return info
	case errCheckMySQL:
		info := &dialects.ErrorInfo{Kind: dialects.CheckViolation}
		if c, ok := between(msg, "'", "'"); ok {
			info.Constraint = c
		}
		return info
	case errCheckMariaDB:
		info := &dialects.ErrorInfo{Kind: dialects.CheckViolation}
		if c, ok := between(msg, "CONSTRAINT `", "` failed"); ok {
			info.Constraint = unquote(c)
		}
		if _, rest, ok := strings.Cut(msg, "` failed for "); ok {
			info.Table = lastIdent(rest)
		}
		return info
	}
	return nil
}

func conflict(kind dialects.ErrorKind, number uint16) *dialects.ErrorInfo {
	return &dialects.ErrorInfo{Kind: kind, Code: strconv.Itoa(int(number))}
}

// between returns the text between the first open and the next close
// after it.
func between(s, open, close string) (string, bool) {
	_, rest, ok := strings.Cut(s, open)
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(rest, close)
	return v, ok
}

// parseFKMessage parses "... fails (`db`.`child`, CONSTRAINT `fk`
// FOREIGN KEY (`a`, `b`) REFERENCES `parent` (`id`) ...)".
func parseFKMessage(msg string, info *dialects.ErrorInfo) {
	_, rest, ok := strings.Cut(msg, "fails (")
	if !ok {
		return
	}
	if tbl, _, ok := strings.Cut(rest, ", CONSTRAINT "); ok {
		info.Table = lastIdent(tbl)
	}
	if name, ok := between(rest, "CONSTRAINT `", "` FOREIGN KEY"); ok {
		info.Constraint = unquote(name)
	}
	if cols, ok := between(rest, "FOREIGN KEY (", ") REFERENCES"); ok {
		for _, c := range strings.Split(cols, ", ") {
			info.Columns = append(info.Columns, unquote(strings.Trim(c, "`")))
		}
	}
}

// lastIdent returns the last part of "`db`.`t`" as t.
func lastIdent(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "`.`"); i >= 0 {
		s = s[i+2:]
	}
	return unquote(strings.Trim(s, "`"))
}

func unquote(s string) string { return strings.ReplaceAll(s, "``", "`") }
