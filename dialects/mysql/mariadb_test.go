package mysql_test

import (
	"strings"
	"testing"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
)

func TestForServerVersion(t *testing.T) {
	for _, tc := range []struct {
		version   string
		returning bool
	}{
		{"10.11.19-MariaDB-0+deb12u1", true},
		{"10.5.0-MariaDB", true},
		{"5.5.5-10.6.12-MariaDB-log", true},
		{"11.4.2-MariaDB-ubu2404", true},
		{"10.4.32-MariaDB", false},
		{"10.3.39-MariaDB-0+deb10u1", false},
		{"8.0.36", false},
		{"8.4.0-commercial", false},
		{"5.7.44-log", false},
		{"MariaDB", false},
		{"", false},
	} {
		d := mysql.Dialect{}.ForServerVersion(tc.version)
		if got := d.Features().Has(dialects.Returning); got != tc.returning {
			t.Errorf("ForServerVersion(%q): Returning = %v, want %v", tc.version, got, tc.returning)
		}
		if d.Name() != "mysql" {
			t.Errorf("ForServerVersion(%q).Name() = %q", tc.version, d.Name())
		}
		var b strings.Builder
		if got := d.InsertReturning(&b, []string{"id", "a"}); got != tc.returning {
			t.Errorf("ForServerVersion(%q).InsertReturning = %v", tc.version, got)
		} else if got && b.String() != " RETURNING `id`, `a`" {
			t.Errorf("InsertReturning wrote %q", b.String())
		}
		_, conflicting := d.(dialects.ConflictReturner)
		if conflicting != tc.returning {
			t.Errorf("ForServerVersion(%q) is a ConflictReturner: %v", tc.version, conflicting)
		}
	}
}
