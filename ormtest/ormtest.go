// Package ormtest helps users test code built on tagorm: each test gets a
// fresh, migrated in-memory SQLite database, closed when the test ends.
//
//	func TestSignup(t *testing.T) {
//		t.Parallel()
//		db := ormtest.New(t, &User{}, &Address{})
//		ormtest.Load(t, db, &[]User{{Name: "ann"}, {Name: "bob"}})
//		...
//	}
//
// Databases of different tests are independent, so tests may run in
// parallel.
package ormtest

import (
	"encoding/json"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/tagorm/orm"
	_ "github.com/tagorm/orm/dialects/sqlite" // the SQLite dialect and driver
)

var seq atomic.Int64

// New returns a fresh in-memory SQLite database with foreign keys
// enforced, with the tables of models created by orm.AutoMigrate. It is
// closed by t.Cleanup. Options are passed to orm.Open.
func New(t testing.TB, models ...any) *orm.DB {
	t.Helper()
	return NewWith(t, nil, models...)
}

// NewWith is New with options for orm.Open (a logger, a naming strategy).
func NewWith(t testing.TB, opts []orm.Option, models ...any) *orm.DB {
	t.Helper()
	// A named memory database of SQLite's memdb VFS: every connection of
	// the pool sees the same data, and no other test does. Unlike a
	// shared-cache one (mode=memory&cache=shared), whose table locks fail
	// at once with "database table is locked", its locks wait for the
	// busy timeout, so concurrent transactions (parallel requests of the
	// code under test) take turns.
	dsn := fmt.Sprintf("file:/ormtest_%d_%d?vfs=memdb&_foreign_keys=1&_busy_timeout=5000", os.Getpid(), seq.Add(1))
	db, err := orm.Open("sqlite3", dsn, opts...)
	if err != nil {
		t.Fatalf("ormtest: open: %v", err)
	}
	// orm.Open holds the memory database until Close, whatever the pool
	// does with its connections (a test's cancelled transaction closes
	// one).
	t.Cleanup(func() { _ = db.Close() })
	if len(models) > 0 {
		if err := orm.AutoMigrate(db, models...); err != nil {
			t.Fatalf("ormtest: automigrate: %v", err)
		}
	}
	return db
}

// Load inserts fixture rows: each value is a pointer to a struct or a
// slice (or pointer to a slice) of structs, inserted in the order given so
// that parents can precede children. Generated keys are filled in.
func Load(t testing.TB, db *orm.DB, rows ...any) {
	t.Helper()
	for _, r := range rows {
		if err := db.Insert(t.Context(), r); err != nil {
			t.Fatalf("ormtest: load %T: %v", r, err)
		}
	}
}

// LoadJSON decodes the JSON file at path (an array of objects, keyed by
// the models' Go field names or json tags) into dest, a pointer to a slice
// of models, and inserts the rows.
func LoadJSON(t testing.TB, db *orm.DB, path string, dest any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("ormtest: %v", err)
	}
	if err := json.Unmarshal(data, dest); err != nil {
		t.Fatalf("ormtest: decode %s: %v", path, err)
	}
	Load(t, db, dest)
}
