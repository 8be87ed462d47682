// Package dbtest gives tagorm's own tests a fresh, empty database on each
// supported dialect, so one test body runs against SQLite, PostgreSQL and
// MariaDB/MySQL.
//
// PostgreSQL and MySQL are reached through the DSNs in the environment
// variables ORM_TEST_POSTGRES_DSN and ORM_TEST_MYSQL_DSN (scripts/test.sh
// sets them). Without a DSN the subtest is skipped, unless the CI variable
// is set, in which case it fails: CI never skips a dialect.
//
// Each test gets its own database: an in-memory SQLite database, a fresh
// PostgreSQL schema (made the connection's search_path), or a fresh MySQL
// database. They are dropped when the test ends.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/tagorm/orm/dialects"
	_ "github.com/tagorm/orm/dialects/mysql"    // registers the mysql dialect
	_ "github.com/tagorm/orm/dialects/postgres" // registers the postgres dialect
	_ "github.com/tagorm/orm/dialects/sqlite"   // registers the sqlite dialect
)

// Names lists the dialects in the order Each runs them.
var Names = []string{"sqlite", "postgres", "mysql"}

// Env names the environment variable holding each server dialect's DSN.
var Env = map[string]string{
	"postgres": "ORM_TEST_POSTGRES_DSN",
	"mysql":    "ORM_TEST_MYSQL_DSN",
}

// DB is a fresh database for one test.
type DB struct {
	// Name is the dialect name: "sqlite", "postgres" or "mysql".
	Name    string
	Dialect dialects.Dialect
	// DriverName and DSN open another connection pool to the same
	// database (for tests that need several processes or pools).
	DriverName string
	DSN        string
	// Schema is the PostgreSQL schema or MySQL database made for the test
	// ("main" on SQLite).
	Schema string
	// SQL is an open pool on the database, closed when the test ends.
	SQL *sql.DB
}

// Options adjust the database a test gets.
type Options struct {
	// SQLiteFile puts the SQLite database in a file under t.TempDir()
	// instead of memory (needed when several processes share it).
	SQLiteFile bool
}

// Each runs fn once per dialect, as subtests named after the dialects,
// each with a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	EachWith(t, Options{}, fn)
}

// EachWith is Each with options.
func EachWith(t *testing.T, opts Options, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, name := range Names {
		t.Run(name, func(t *testing.T) {
			fn(t, OpenWith(t, name, opts))
		})
	}
}

// Open returns a fresh database of the named dialect for t, skipping t
// (or failing it under CI) when the dialect's server is not configured.
func Open(t testing.TB, name string) *DB {
	t.Helper()
	return OpenWith(t, name, Options{})
}

var counter atomic.Int64

// uniqueName returns a short identifier that no other test (in this or
// another process) uses.
func uniqueName() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("t%d_%d_%s", os.Getpid()%100000, counter.Add(1), hex.EncodeToString(b[:]))
}

// OpenWith is Open with options.
func OpenWith(t testing.TB, name string, opts Options) *DB {
	t.Helper()
	d, err := dialects.ForDriver(name)
	if err != nil {
		t.Fatal(err)
	}
	db := &DB{Name: name, Dialect: d, DriverName: d.DriverName()}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	switch name {
	case "sqlite":
		db.Schema = "main"
		if opts.SQLiteFile {
			db.DSN = "file:" + filepath.Join(t.TempDir(), "test.db") + "?_foreign_keys=1&_busy_timeout=10000&_journal_mode=WAL"
		} else {
			db.DSN = "file:" + uniqueName() + "?mode=memory&cache=shared&_foreign_keys=1&_busy_timeout=10000"
		}
	case "postgres":
		base := serverDSN(t, name)
		db.Schema = uniqueName()
		admin := openPool(t, db.DriverName, base)
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+d.Quote(db.Schema)); err != nil {
			t.Fatalf("dbtest: create schema on %s: %v", name, err)
		}
		t.Cleanup(func() {
			_, _ = admin.Exec("DROP SCHEMA " + d.Quote(db.Schema) + " CASCADE")
			_ = admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("dbtest: %s is not a URL: %v", Env[name], err)
		}
		q := u.Query()
		q.Set("search_path", db.Schema)
		u.RawQuery = q.Encode()
		db.DSN = u.String()
	case "mysql":
		base := serverDSN(t, name)
		cfg, err := gomysql.ParseDSN(base)
		if err != nil {
			t.Fatalf("dbtest: parse %s: %v", Env[name], err)
		}
		db.Schema = uniqueName()
		admin := openPool(t, db.DriverName, base)
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+d.Quote(db.Schema)+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
			t.Fatalf("dbtest: create database on %s: %v", name, err)
		}
		t.Cleanup(func() {
			_, _ = admin.Exec("DROP DATABASE IF EXISTS " + d.Quote(db.Schema))
			_ = admin.Close()
		})
		cfg.DBName = db.Schema
		cfg.ParseTime = true
		cfg.Loc = time.UTC
		db.DSN = cfg.FormatDSN()
	default:
		t.Fatalf("dbtest: unknown dialect %q", name)
	}
	db.SQL = openPool(t, db.DriverName, db.DSN)
	t.Cleanup(func() { _ = db.SQL.Close() })
	if name == "sqlite" && !opts.SQLiteFile {
		// An in-memory database lives while a connection to it is
		// open: hold one outside the pool, as orm.Open does, so that a
		// test whose pool closes every connection (a cancelled
		// transaction's, with one open connection) keeps its tables.
		hold, err := db.SQL.Driver().Open(db.DSN)
		if err != nil {
			t.Fatalf("dbtest: hold the in-memory database: %v", err)
		}
		t.Cleanup(func() { _ = hold.Close() })
	}
	return db
}

// serverDSN returns the DSN of a server dialect from the environment, or
// ends the test: skipped locally, failed under CI.
func serverDSN(t testing.TB, name string) string {
	t.Helper()
	dsn := os.Getenv(Env[name])
	if dsn == "" {
		msg := fmt.Sprintf("dbtest: %s is not set; run scripts/test.sh, which starts the servers and sets it", Env[name])
		if os.Getenv("CI") != "" {
			t.Fatal(msg + " (CI is set: a dialect may not be skipped)")
		}
		t.Skip(msg)
	}
	return dsn
}

func openPool(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("dbtest: open %s: %v", driver, err)
	}
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(4)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		if os.Getenv("CI") == "" && driver != "sqlite3" {
			t.Skipf("dbtest: %s server not reachable: %v", driver, err)
		}
		t.Fatalf("dbtest: %s server not reachable: %v", driver, err)
	}
	return db
}
