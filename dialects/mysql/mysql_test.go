package mysql_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/schema"
)

func TestBasics(t *testing.T) {
	d := mysql.Dialect{}
	assert.Equal(t, "`a``b`", d.Quote("a`b"))
	assert.Equal(t, "?", d.Placeholder(2))
	assert.Equal(t, 65535, d.MaxParams())
	var b strings.Builder
	assert.False(t, d.InsertReturning(&b, []string{"id"}))
	assert.Empty(t, b.String())

	tbl := &schema.Table{Name: "t", PrimaryKey: &schema.PrimaryKey{Columns: []string{"id", "k"}}}
	d.Upsert(&b, tbl, []string{"a"}, []string{"c", "d"})
	assert.Equal(t, " ON DUPLICATE KEY UPDATE `c` = VALUES(`c`), `d` = VALUES(`d`)", b.String())
	b.Reset()
	d.Upsert(&b, tbl, []string{"a"}, nil)
	assert.Equal(t, " ON DUPLICATE KEY UPDATE `id` = `id`", b.String())

	c := &schema.Column{Name: "n", Type: schema.Type{Kind: schema.BigInt, Unsigned: true}}
	assert.Equal(t, "bigint unsigned", d.ColumnType(tbl, c))
	c = &schema.Column{Name: "e", Type: schema.Type{Kind: schema.Enum, Values: []string{`a'b`, `c\d`}}}
	assert.Equal(t, `enum('a''b','c\\d')`, d.ColumnType(tbl, c))
}

func TestParseURL(t *testing.T) {
	for in, want := range map[string]string{
		"mysql://u:p@h:3307/db":                                                "u:p@tcp(h:3307)/db?collation=utf8mb4_general_ci&parseTime=true",
		"mariadb://u:p@h/db?timeout=5s":                                        "u:p@tcp(h:3306)/db?collation=utf8mb4_general_ci&parseTime=true&timeout=5s",
		"mysql+gosqldriver://u@h/db?parseTime=0":                               "u@tcp(h:3306)/db?collation=utf8mb4_general_ci",
		"mysql://u:p%2Fq%40@/db?socket=/run/mysqld/mysqld.sock&charset=latin1": "u:p/q@@unix(/run/mysqld/mysqld.sock)/db?charset=latin1&parseTime=true",
		"mysql://u:p@[::1]:3306/db":                                            "u:p@tcp([::1]:3306)/db?collation=utf8mb4_general_ci&parseTime=true",
	} {
		d, dsn, err := dialects.ForURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, "mysql", d.Name())
		assert.Equal(t, want, dsn, in)
		cfg, err := gomysql.ParseDSN(dsn)
		require.NoError(t, err, dsn)
		assert.Equal(t, "db", cfg.DBName)
		assert.False(t, cfg.MultiStatements)
		assert.Equal(t, time.UTC, cfg.Loc)
		assert.Equal(t, d.Name() == "mysql" && !strings.Contains(in, "parseTime=0"), cfg.ParseTime)
	}
	_, _, err := dialects.ForURL("mysql://u:p@h:3306/")
	assert.ErrorContains(t, err, "missing database name")
	_, _, err = dialects.ForURL("mysql://u:p@h:0/db")
	assert.ErrorContains(t, err, "bad port")
	_, _, err = dialects.ForURL("mysql://u:p@h:x/db")
	assert.ErrorContains(t, err, "port")
}

func TestClassifyError(t *testing.T) {
	d := mysql.Dialect{}
	me := func(n uint16, msg string) error {
		return fmt.Errorf("exec: %w", &gomysql.MySQLError{Number: n, Message: msg})
	}
	for _, tc := range []struct {
		err  error
		want dialects.ErrorInfo
	}{
		// MySQL 8 prefixes the table, MariaDB does not.
		{me(1062, "Duplicate entry 'a-1' for key 'users.users_email_key'"), dialects.ErrorInfo{Kind: dialects.UniqueViolation, Table: "users", Constraint: "users_email_key"}},
		{me(1062, "Duplicate entry 'it's' for key 'PRIMARY'"), dialects.ErrorInfo{Kind: dialects.UniqueViolation, Constraint: "PRIMARY", PrimaryKey: true}},
		{me(1062, "Duplicate entry '7' for key 'users.PRIMARY'"), dialects.ErrorInfo{Kind: dialects.UniqueViolation, Table: "users", Constraint: "PRIMARY", PrimaryKey: true}},
		{me(1452, "Cannot add or update a child row: a foreign key constraint fails (`db`.`child`, CONSTRAINT `child_fk` FOREIGN KEY (`a`, `b`) REFERENCES `parent` (`x`, `y`) ON DELETE CASCADE)"),
			dialects.ErrorInfo{Kind: dialects.ForeignKeyViolation, Table: "child", Constraint: "child_fk", Columns: []string{"a", "b"}}},
		{me(1451, "Cannot delete or update a parent row: a foreign key constraint fails (`db`.`child`, CONSTRAINT `child_fk` FOREIGN KEY (`a`) REFERENCES `parent` (`x`))"),
			dialects.ErrorInfo{Kind: dialects.ForeignKeyViolation, Table: "child", Constraint: "child_fk", Columns: []string{"a"}}},
		{me(1048, "Column 'name' cannot be null"), dialects.ErrorInfo{Kind: dialects.NotNullViolation, Columns: []string{"name"}}},
		{me(1364, "Field 'name' doesn't have a default value"), dialects.ErrorInfo{Kind: dialects.NotNullViolation, Columns: []string{"name"}}},
		{me(3819, "Check constraint 'qty_positive' is violated."), dialects.ErrorInfo{Kind: dialects.CheckViolation, Constraint: "qty_positive"}},
		{me(4025, "CONSTRAINT `qty_positive` failed for `db`.`child`"), dialects.ErrorInfo{Kind: dialects.CheckViolation, Table: "child", Constraint: "qty_positive"}},
		// Transaction conflicts; 1213 is also Galera's certification failure.
		{me(1213, "Deadlock found when trying to get lock; try restarting transaction"), dialects.ErrorInfo{Kind: dialects.Deadlock, Code: "1213"}},
		{me(1020, "Record has changed since last read in table 't'"), dialects.ErrorInfo{Kind: dialects.SerializationFailure, Code: "1020"}},
		{me(1205, "Lock wait timeout exceeded; try restarting transaction"), dialects.ErrorInfo{Kind: dialects.LockTimeout, Code: "1205"}},
		{me(3572, "Statement aborted because lock(s) could not be acquired immediately and NOWAIT is set."), dialects.ErrorInfo{Kind: dialects.LockTimeout, Code: "3572"}},
	} {
		info := d.ClassifyError(tc.err)
		require.NotNil(t, info, tc.err)
		assert.Equal(t, tc.want, *info, tc.err.Error())
	}
	assert.Nil(t, d.ClassifyError(me(1146, "Table 'x' doesn't exist")))
}
