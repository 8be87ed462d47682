package dbtest

import "testing"

// Servers lists the dialects that have a database server (reached over
// the network, so that a proxy can be put in the way), in the order
// EachServer runs them.
var Servers = []string{"postgres", "mysql"}

// EachServer is Each on the dialects of Servers only.
func EachServer(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	for _, name := range Servers {
		t.Run(name, func(t *testing.T) {
			fn(t, Open(t, name))
		})
	}
}
