package redact

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://scott:tiger@localhost/db", "postgres://scott:xxxxx@localhost/db"},
		{"postgres://scott:ti%zzger@localhost/db", "postgres://scott:xxxxx@localhost/db"},
		{"postgres://scott:p@ss/w@rd@localhost/db", "postgres://scott:xxxxx@localhost/db"},
		{"postgres://scott@localhost/db?password=tiger&x=1", "postgres://scott@localhost/db?password=xxxxx&x=1"},
		{"postgres:scott:tiger@localhost/db", "postgres:xxxxx@localhost/db"},
		{"sqlite:///app.db", "sqlite:///app.db"},
	} {
		if got := URL(tc.in); got != tc.want {
			t.Errorf("URL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	for _, tc := range []struct{ in, secret string }{
		{"postgres://u:tig%2Fer@h/db", "tig/er"},
		{"postgres://u:tig%2Fer@h/db", "tig%2Fer"},
		{"u:my(pass)@tcp(h:3306)/db", "my(pass)"},
		{"host=h password='it\\'s secret' user=u", "it's secret"},
		{"host=h password=plain user=u", "plain"},
		{"postgres://u@h/db?sslpassword=k3y", "k3y"},
	} {
		found := false
		for _, s := range Secrets(tc.in) {
			found = found || s == tc.secret
		}
		if !found {
			t.Errorf("Secrets(%q) = %q, missing %q", tc.in, Secrets(tc.in), tc.secret)
		}
	}
}

func TestError(t *testing.T) {
	inner := fmt.Errorf("dial postgres://u:tiger@h/db: %w", context.DeadlineExceeded)
	err := Error(inner, Secrets("postgres://u:tiger@h/db"))
	if strings.Contains(err.Error(), "tiger") {
		t.Fatalf("password kept: %v", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("errors.Is lost the chain")
	}
	if errors.Unwrap(err) != nil {
		t.Fatal("Unwrap hands out the unmasked error")
	}
	plain := errors.New("connection refused")
	if Error(plain, Secrets("postgres://u:tiger@h/db")) != plain {
		t.Fatal("an error without the password must be returned as is")
	}
}
