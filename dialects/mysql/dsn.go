package mysql

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/go-sql-driver/mysql"

	"github.com/tagorm/orm/internal/redact"
)

// ParseURL turns mysql://user:password@host:port/database?param=value
// (or mariadb://, mysql+gosqldriver://) into a go-sql-driver DSN such as
// "user:password@tcp(host:3306)/database?parseTime=true&loc=UTC".
//
// The port defaults to 3306 and the host to 127.0.0.1. The parameter
// socket=/path connects over that unix socket instead. Other parameters
// are passed to the driver (unknown ones become session variables);
// parseTime=true and collation=utf8mb4_general_ci are added unless given
// (as is loc=UTC, the driver's default, which FormatDSN leaves out), and
// multi-statement queries stay off unless asked for.
// The database name is required.
func (Dialect) ParseURL(u *url.URL) (string, error) {
	if u.Opaque != "" {
		return "", fmt.Errorf("want mysql://user:password@host:port/database, not %s", redact.URL(u.Scheme+":"+u.Opaque))
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" {
		return "", errors.New("missing database name: want mysql://user:password@host:port/database")
	}
	if strings.Contains(db, "/") {
		return "", fmt.Errorf("bad database name %q: want /database", db)
	}
	q := u.Query()
	socket := q.Get("socket")
	q.Del("socket")
	if !q.Has("parseTime") {
		q.Set("parseTime", "true")
	}
	if !q.Has("loc") {
		q.Set("loc", "UTC")
	}
	if !q.Has("charset") && !q.Has("collation") {
		q.Set("collation", "utf8mb4_general_ci")
	}
	cfg, err := mysql.ParseDSN("/?" + q.Encode())
	if err != nil {
		return "", err
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	cfg.DBName = db
	if socket != "" {
		cfg.Net, cfg.Addr = "unix", socket
	} else {
		host, port := u.Hostname(), u.Port()
		if host == "" {
			host = "127.0.0.1"
		}
		if port == "" {
			port = "3306"
		} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", fmt.Errorf("bad port %q: want a number from 1 to 65535", port)
		}
		cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(host, port)
	}
	return cfg.FormatDSN(), nil
}
