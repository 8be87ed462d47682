package dialects

import (
	"strings"
	"testing"

	"github.com/tagorm/orm/internal/redact"
)

// A program that forgot to import a dialect package is told which import
// to add; an unknown name lists what is registered.
func TestNotRegisteredMessages(t *testing.T) {
	for _, tc := range []struct{ what, name, want string }{
		{"driver", "pgx", `import _ "github.com/tagorm/orm/dialects/postgres"`},
		{"URL scheme", "postgresql", `import _ "github.com/tagorm/orm/dialects/postgres"`},
		{"URL scheme", "mariadb", `import _ "github.com/tagorm/orm/dialects/mysql"`},
		{"driver", "sqlite3", `import _ "github.com/tagorm/orm/dialects/sqlite"`},
		{"URL scheme", "oracle", `unknown URL scheme "oracle" (registered:`},
	} {
		got := notRegistered(tc.what, tc.name).Error()
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s %q: %q does not contain %q", tc.what, tc.name, got, tc.want)
		}
	}
}

func TestRedactHidesPassword(t *testing.T) {
	if got := redact.URL("postgresql://scott:tiger@localhost/db"); strings.Contains(got, "tiger") {
		t.Fatalf("redact kept the password: %s", got)
	}
	if _, _, err := ForURL("nosuch://scott:tiger@localhost/db"); err == nil || strings.Contains(err.Error(), "tiger") {
		t.Fatalf("ForURL error %v", err)
	}
}
