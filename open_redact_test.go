package orm_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/migration/cli"
)

// hostilePasswords are passwords a URL or DSN parser may choke on: bad
// percent-escapes, URL and DSN delimiters, quotes, non-ASCII.
var hostilePasswords = []string{
	"s3cr%zzet",         // bad percent-escape
	"tr%4ailing%",       // escape cut short
	"p@ss:w/rd",         // URL delimiters
	"at@the@end@",       // several '@'
	"hash#and?query",    // fragment and query delimiters
	"sp ace&amp=eq",     // query-string characters
	`quo'te"back\slash`, // key=value quoting
	"pässwörd-ünïcode",  // non-ASCII
	"tcp(evil)/x",       // MySQL DSN syntax
}

// openErrorMessages returns every message of err's chain (as
// errors.Unwrap hands it out) and its %+v form.
func openErrorMessages(err error) []string {
	out := []string{fmt.Sprintf("%+v", err)}
	for e := err; e != nil; e = errors.Unwrap(e) {
		out = append(out, e.Error())
	}
	return out
}

func requireNoPassword(t *testing.T, err error, pw, input string) {
	t.Helper()
	require.Error(t, err, "opening %q must fail", input)
	for _, m := range openErrorMessages(err) {
		if strings.Contains(m, pw) {
			t.Fatalf("the error for %q shows the password %q: %s", input, pw, m)
		}
		if e := url.QueryEscape(pw); e != pw && strings.Contains(m, e) {
			t.Fatalf("the error for %q shows the escaped password %q: %s", input, e, m)
		}
	}
}

// No error of Open or OpenURL shows the password: not for URLs url.Parse
// rejects, DSNs a driver rejects, nor connections the server refuses.
func TestOpenErrorsHidePassword(t *testing.T) {
	pgHost, myHost := "127.0.0.1:5432", "127.0.0.1:3306"
	for _, pw := range hostilePasswords {
		esc := url.UserPassword("orm", pw).String() // orm:<escaped>
		kv := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw)
		for _, tc := range []struct{ name, driver, dsn string }{
			// URLs as written by hand (unescaped) and escaped.
			{"postgres raw URL", "", "postgres://orm:" + pw + "@" + pgHost + "/orm"},
			{"postgres URL bad path escape", "", "postgresql://" + esc + "@" + pgHost + "/or%zzm"},
			{"postgres URL wrong password", "", "postgres://" + esc + "@" + pgHost + "/orm?sslmode=disable"},
			{"postgres URL password in query", "", "postgres://orm@" + pgHost + "/orm%zz?password=" + url.QueryEscape(pw)},
			{"postgres opaque URL", "", "postgres:orm:" + pw + "@" + pgHost + "/orm"},
			{"mysql raw URL", "", "mysql://orm:" + pw + "@" + myHost + "/orm"},
			{"mysql URL bad path escape", "", "mariadb://" + esc + "@" + myHost + "/orm%zz"},
			{"mysql URL wrong password", "", "mysql://" + esc + "@" + myHost + "/orm"},
			{"mysql URL bad parameter", "", "mysql://" + esc + "@" + myHost + "/orm?parseTime=maybe"},
			{"sqlite URL with userinfo", "", "sqlite://orm:" + pw + "@/no/such/dir/x.db"},
			{"sqlite URL auth parameter", "", "sqlite:///no/such/dir/x.db?_auth_user=orm&_auth_pass=" + url.QueryEscape(pw)},
			// Driver DSNs through Open.
			{"pgx key=value wrong password", "pgx", "host=127.0.0.1 port=5432 user=orm dbname=orm sslmode=disable password='" + kv + "'"},
			{"pgx key=value malformed", "pgx", "host=127.0.0.1 port=notaport user=orm password='" + kv + "' dbname=orm"},
			{"pgx key=value unterminated quote", "pgx", "host=127.0.0.1 user=orm password='" + kv},
			{"pgx URL bad escape", "pgx", "postgres://orm:" + pw + "@" + pgHost + "/or%zzm"},
			{"pgx URL wrong password", "pgx", "postgres://" + esc + "@" + pgHost + "/orm?sslmode=disable"},
			{"pgx URL refused", "pgx", "postgres://" + esc + "@127.0.0.1:1/orm?sslmode=disable&connect_timeout=5"},
			{"mysql DSN wrong password", "mysql", "orm:" + pw + "@tcp(" + myHost + ")/orm"},
			{"mysql DSN unbalanced", "mysql", "orm:" + pw + "@tcp(" + myHost + "/orm"},
			{"mysql DSN bad parameter", "mysql", "orm:" + pw + "@tcp(" + myHost + ")/orm?parseTime=maybe"},
			{"mysql DSN refused", "mysql", "orm:" + pw + "@tcp(127.0.0.1:1)/orm?timeout=5s"},
			{"sqlite3 DSN", "sqlite3", "file:/no/such/dir/x.db?_auth&_auth_user=orm&_auth_pass=" + url.QueryEscape(pw)},
		} {
			t.Run(tc.name+"/"+pw, func(t *testing.T) {
				var err error
				if tc.driver == "" {
					_, err = orm.OpenURL(tc.dsn)
				} else {
					_, err = orm.Open(tc.driver, tc.dsn)
				}
				requireNoPassword(t, err, pw, tc.dsn)
				require.True(t, strings.HasPrefix(err.Error(), "orm: "), err.Error())
			})
		}
	}
}

// The message for a URL whose password url.Parse rejects says what to do,
// and keeps the parts that are not secret.
func TestOpenURLBadPasswordMessage(t *testing.T) {
	_, err := orm.OpenURL("postgres://scott:ti%zzger@db.example:5432/app")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "ti%zzger")
	require.NotContains(t, err.Error(), "%zz")
	require.Contains(t, err.Error(), "postgres://scott:xxxxx@db.example:5432/app")
	require.Contains(t, err.Error(), "percent-encode")

	_, err = orm.OpenURL("postgres://scott:tiger@db.example:5432/a%zzpp")
	require.ErrorContains(t, err, `invalid URL escape "%zz"`)
	require.NotContains(t, err.Error(), "tiger")
}

// The migrate command prints OpenURL's errors: they hide the password too.
func TestMigrateCLIHidesPassword(t *testing.T) {
	for _, pw := range hostilePasswords {
		for _, u := range []string{
			"postgres://orm:" + pw + "@127.0.0.1:5432/orm%zz",
			"mysql://orm:" + pw + "@127.0.0.1:3306/orm",
			"postgres://" + url.UserPassword("orm", pw).String() + "@127.0.0.1:5432/orm?sslmode=disable",
		} {
			var stdout, stderr bytes.Buffer
			code := cli.Main([]string{"current"}, cli.Config{URL: u, Stdout: &stdout, Stderr: &stderr, Dir: t.TempDir()})
			require.NotEqual(t, 0, code, u)
			require.NotContains(t, stderr.String()+stdout.String(), pw, u)
		}
	}
}

// FuzzOpenURLPassword: whatever the password, OpenURL's error never shows
// it. The URLs point at a closed local port, so nothing is sent anywhere.
func FuzzOpenURLPassword(f *testing.F) {
	for _, pw := range hostilePasswords {
		f.Add("postgres", pw, "orm")
		f.Add("mysql", pw, "orm%zz")
	}
	f.Fuzz(func(t *testing.T, scheme, pw, path string) {
		if scheme != "postgres" && scheme != "mysql" {
			scheme = "postgres"
		}
		// Shorter passwords are found in any message by chance.
		if len(pw) < 8 || strings.ContainsAny(pw, "\x00") {
			return
		}
		url1 := scheme + "://127.0.0.1:" + pw + "@127.0.0.1:1/" + path
		if u, err := url.Parse(url1); err == nil && u.Hostname() != "127.0.0.1" {
			return // the password moved the host: stay local
		}
		// The same URL with another password tells how often pw is in
		// the message anyway (in the path, in a quoted control
		// character): a leak is an occurrence more.
		url2 := scheme + "://127.0.0.1:ZqZqZqZq@127.0.0.1:1/" + path
		_, err1 := orm.OpenURL(url1)
		_, err2 := orm.OpenURL(url2)
		if err1 == nil {
			t.Fatalf("OpenURL(%q) succeeded", url1)
		}
		other := 0
		if err2 != nil {
			for _, m := range openErrorMessages(err2) {
				other = max(other, strings.Count(m, pw))
			}
		}
		for _, m := range openErrorMessages(err1) {
			if strings.Count(m, pw) > other {
				t.Fatalf("OpenURL(%q) error shows the password: %s", url1, m)
			}
		}
	})
}
