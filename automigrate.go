package orm

import (
	"context"
	"fmt"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// MigrateOption tunes AutoMigrate. Pass options among the models:
//
//	err := orm.AutoMigrate(db, &User{}, &Address{}, orm.AllowDrops())
//
// A migration.Option passed among the models is accepted as well.
type MigrateOption struct {
	opt       migration.Option
	allTables bool
}

// AllowDestructive lets AutoMigrate apply every change, drops and
// narrowing type changes included (see migration.AllowDestructive).
// Changes the existing rows cannot satisfy are still refused.
func AllowDestructive() MigrateOption { return MigrateOption{opt: migration.AllowDestructive()} }

// AllowDrops lets AutoMigrate drop columns the models no longer have
// (and, with AllTables, tables no model maps).
func AllowDrops() MigrateOption { return MigrateOption{opt: migration.AllowDrops()} }

// AllowNarrowing lets AutoMigrate change a column to a type that may not
// hold every existing value.
func AllowNarrowing() MigrateOption { return MigrateOption{opt: migration.AllowNarrowing()} }

// AllTables makes the models describe the whole schema: tables of the
// database that no model maps are reported as drops (applied with
// AllowDrops or AllowDestructive, refused otherwise). Without it
// AutoMigrate only looks at the models' own tables, so that several
// calls with different models do not undo each other.
func AllTables() MigrateOption { return MigrateOption{allTables: true} }

// WithMigrationOption passes any migration.Option (LockTimeout,
// OnStatement, ...) to AutoMigrate.
func WithMigrationOption(o migration.Option) MigrateOption { return MigrateOption{opt: o} }

// AutoMigrate brings the tables of the given models up to date, at
// startup:
//
//	err := orm.AutoMigrate(db, &User{}, &Address{})
//
// It creates missing tables (in foreign-key order), columns, indexes and
// constraints, widens types, drops NOT NULL, and applies the changes the
// rows can take (SET NOT NULL on a column without NULLs, a unique
// constraint on distinct values). Destructive changes (dropping a
// column, narrowing a type) are refused with an error listing each of
// them, and then nothing is applied, unless an option among the models
// allows them (AllowDrops, AllowNarrowing, AllowDestructive). Tables no
// model maps are left alone unless AllTables is given.
//
// It runs under a cross-process lock, so that replicas starting together
// migrate once; in one transaction on PostgreSQL and SQLite (a failure
// changes nothing); on MySQL/MariaDB it stops at the first failing
// statement and a second run continues from there. When the schema is
// already current it issues no DDL and takes no lock. See
// migration.AutoMigrate for the details.
func AutoMigrate(db *DB, models ...any) error {
	return AutoMigrateContext(context.Background(), db, models...)
}

// AutoMigrateContext is AutoMigrate with a context.
func AutoMigrateContext(ctx context.Context, db *DB, models ...any) error {
	var (
		opts      []migration.Option
		structs   []any
		allTables bool
	)
	for _, m := range models {
		switch o := m.(type) {
		case MigrateOption:
			if o.opt != nil {
				opts = append(opts, o.opt)
			}
			allTables = allTables || o.allTables
		case migration.Option:
			opts = append(opts, o)
		default:
			structs = append(structs, m)
		}
	}
	md, err := db.MetaData(structs...)
	if err != nil {
		return err
	}
	if !allTables {
		opts = append(opts, migration.TargetTablesOnly())
	}
	if err := migration.AutoMigrate(ctx, db, md, opts...); err != nil {
		return fmt.Errorf("orm: automigrate: %w", err)
	}
	return nil
}

// CreateTablesSQL returns the statements that create every table of md on
// dialect d, ordered so that referenced tables come first. Foreign keys in
// a cycle between tables are added once all the tables exist (or inline,
// on dialects such as SQLite that accept forward references but cannot
// add a foreign key later).
func CreateTablesSQL(d dialects.Dialect, md *schema.MetaData) ([]string, error) {
	sorted, cyclic := md.SortByDependency()
	isCyclic := map[*schema.ForeignKey]bool{}
	var deferred []string
	for _, t := range sorted {
		for _, fk := range t.ForeignKeys {
			for _, c := range cyclic {
				if c == fk {
					if s, err := d.AddForeignKey(t, fk); err == nil {
						isCyclic[fk] = true
						deferred = append(deferred, s)
					}
				}
			}
		}
	}
	var out []string
	for _, t := range sorted {
		var inline []*schema.ForeignKey
		for _, fk := range t.ForeignKeys {
			if !isCyclic[fk] {
				inline = append(inline, fk)
			}
		}
		out = append(out, d.CreateTable(t, inline, false)...)
	}
	return append(out, deferred...), nil
}
