// Package migration reads the schema of a live database, compares it with
// the schema an application declares, and migrates one to the other.
//
// Inspect turns a live database into a *schema.MetaData, the same value
// the orm package builds from models, so that the two can be compared.
// It works with any dialect implementing dialects.Inspector (the three
// bundled ones do) and issues a constant number of queries whatever the
// number of tables. The migration version table, VersionTable, is never
// reported.
//
// Compare is a pure function from two schemas (the target, the live one)
// to a Diff: ordered, dialect-neutral ops (CreateTable, AddColumn,
// AlterColumn, CreateIndex, AddForeignKey, Drop..., Rename...) and hints
// for people (possible renames). Render turns ops into SQL for a dialect.
//
// Four entry points act on a database:
//   - AutoMigrate brings it to the target at startup: lock, inspect,
//     compare, vet, apply. Safe by default: drops need AllowDrops,
//     narrowing type changes AllowNarrowing, anything else destructive
//     AllowDestructive, and changes the rows cannot take (NULLs under
//     SET NOT NULL, duplicates under a unique key, orphans under a
//     foreign key, values a narrower type would truncate) are refused
//     with a *RefusedError listing each one, before anything runs.
//   - Plan returns the statements AutoMigrate would run (a dry run).
//   - Check returns a *DriftError listing every difference (a CI step).
//   - Apply runs given ops as they are, under the same lock and
//     transaction rules (for ops that were reviewed or edited).
//
// The package does not import orm: it takes a Conn, which *orm.DB
// implements, or any *sql.DB wrapped with Wrap.
package migration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// VersionTable is the table migration keeps the applied revision in.
// Inspect never reports it.
const VersionTable = "tagorm_version"

// Conn is a database handle with its dialect; *orm.DB implements it.
type Conn interface {
	// Dialect returns the dialect of the database.
	Dialect() dialects.Dialect
	// DB returns the connection pool.
	DB() *sql.DB
}

// Wrap returns a Conn for a pool opened without the orm package.
func Wrap(d dialects.Dialect, db *sql.DB) Conn { return wrapped{d, db} }

type wrapped struct {
	d  dialects.Dialect
	db *sql.DB
}

// Dialect implements Conn.
func (w wrapped) Dialect() dialects.Dialect { return w.d }

// DB implements Conn.
func (w wrapped) DB() *sql.DB { return w.db }

// InspectOption tunes Inspect.
type InspectOption func(*dialects.InspectOptions)

// ExcludeTables leaves the named tables out of the result. Options add
// up: several ExcludeTables exclude all the tables they name.
func ExcludeTables(names ...string) InspectOption {
	return func(o *dialects.InspectOptions) { o.Exclude = append(o.Exclude, names...) }
}

// OnlyTables restricts the result to the named tables (VersionTable
// stays excluded). Several OnlyTables allow all the tables they name.
func OnlyTables(names ...string) InspectOption {
	return func(o *dialects.InspectOptions) { o.Tables = append(o.Tables, names...) }
}

// ErrNoInspector is returned (wrapped) by Inspect when the dialect does
// not implement dialects.Inspector.
var ErrNoInspector = errors.New("dialect cannot inspect a live schema (it does not implement dialects.Inspector)")

// Inspect reads the schema of the live database behind db: every table
// of the current schema (PostgreSQL: current_schema(), following
// search_path; MySQL: the DSN's database; SQLite: main), except
// VersionTable and the tables excluded by the options.
//
// The result is normalised as described by dialects.Inspector (types as
// schema kinds, defaults in a canonical spelling, NO ACTION as "") and by
// each dialect's Inspect documentation. Errors are prefixed
// "migration: inspect: " and wrap the cause.
func Inspect(ctx context.Context, db Conn, opts ...InspectOption) (*schema.MetaData, error) {
	if db == nil {
		return nil, errors.New("migration: inspect: nil Conn")
	}
	d, pool := db.Dialect(), db.DB()
	if d == nil || pool == nil {
		return nil, errors.New("migration: inspect: Conn has no dialect or no *sql.DB")
	}
	in, ok := d.(dialects.Inspector)
	if !ok {
		return nil, fmt.Errorf("migration: inspect: %s: %w", d.Name(), ErrNoInspector)
	}
	var o dialects.InspectOptions
	for _, opt := range opts {
		opt(&o)
	}
	if !slices.Contains(o.Exclude, VersionTable) {
		o.Exclude = append(o.Exclude, VersionTable)
	}
	md, err := in.Inspect(ctx, newOptions(nil).pool(db), o)
	if err != nil {
		return nil, fmt.Errorf("migration: inspect: %w", err)
	}
	return md, nil
}
