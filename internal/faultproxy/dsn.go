package faultproxy

import (
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"

	gomysql "github.com/go-sql-driver/mysql"

	"github.com/tagorm/orm/internal/dbtest"
)

// RewriteDSN returns dsn with its server address replaced by addr, and the
// address it named (the proxy's target), for the database/sql drivers
// tagorm's dialects use: "pgx" (a postgres:// or postgresql:// URL, or a
// keyword/value string of host= and port= words without quoted values) and
// "mysql" (a go-sql-driver/mysql DSN over tcp). Everything else in the DSN
// is kept. The error never contains the DSN (it may hold a password).
func RewriteDSN(driverName, dsn, addr string) (newDSN, target string, err error) {
	switch driverName {
	case "pgx", "postgres":
		if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
			u, err := url.Parse(dsn)
			if err != nil {
				return "", "", fmt.Errorf("faultproxy: the PostgreSQL DSN is not a valid URL")
			}
			host, port := u.Hostname(), u.Port()
			if host == "" || strings.Contains(host, ",") {
				return "", "", fmt.Errorf("faultproxy: the PostgreSQL DSN names no single TCP host")
			}
			if port == "" {
				port = "5432"
			}
			u.Host = addr
			return u.String(), net.JoinHostPort(host, port), nil
		}
		host, port := "localhost", "5432"
		var kept []string
		for _, f := range strings.Fields(dsn) {
			k, v, _ := strings.Cut(f, "=")
			switch k {
			case "host":
				host = v
			case "port":
				port = v
			default:
				kept = append(kept, f)
			}
		}
		if strings.HasPrefix(host, "/") || strings.Contains(host, ",") {
			return "", "", fmt.Errorf("faultproxy: the PostgreSQL DSN names no single TCP host")
		}
		h, p, err := net.SplitHostPort(addr)
		if err != nil {
			return "", "", fmt.Errorf("faultproxy: proxy address %q: %w", addr, err)
		}
		kept = append(kept, "host="+h, "port="+p)
		return strings.Join(kept, " "), net.JoinHostPort(host, port), nil
	case "mysql":
		cfg, err := gomysql.ParseDSN(dsn)
		if err != nil {
			return "", "", fmt.Errorf("faultproxy: the MySQL DSN does not parse")
		}
		if cfg.Net != "tcp" {
			return "", "", fmt.Errorf("faultproxy: the MySQL DSN uses %q, not tcp", cfg.Net)
		}
		target = cfg.Addr
		cfg.Addr = addr
		return cfg.FormatDSN(), target, nil
	}
	return "", "", fmt.Errorf("faultproxy: no DSN rewriting for driver %q", driverName)
}

// ProtocolFor returns the protocol a proxy parses for a database/sql
// driver name ("pgx" or "postgres": PostgreSQL; "mysql": MySQL), and false
// for a driver without a network protocol the proxy knows.
func ProtocolFor(driverName string) (Protocol, bool) {
	switch driverName {
	case "pgx", "postgres":
		return PostgreSQL, true
	case "mysql":
		return MySQL, true
	}
	return Raw, false
}

// ForDB starts a proxy in front of db's server (PostgreSQL or MySQL/
// MariaDB), closed when t ends, and returns it with a DSN that reaches the
// same database through it (open it with db.DriverName). It fails t for a
// database without a server (SQLite).
func ForDB(t testing.TB, db *dbtest.DB) (*Proxy, string) {
	t.Helper()
	proto, ok := ProtocolFor(db.DriverName)
	if !ok {
		t.Fatalf("faultproxy: %s has no network protocol to proxy", db.Name)
	}
	probe := "127.0.0.1:1"
	_, target, err := RewriteDSN(db.DriverName, db.DSN, probe)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(target, proto)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	dsn, _, err := RewriteDSN(db.DriverName, db.DSN, p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	return p, dsn
}
