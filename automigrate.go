package orm

import (
	"context"
	"fmt"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

// AutoMigrate creates the tables of the given models that do not exist
// yet, with every column, key, constraint and index, in foreign-key order.
// It is idempotent: when the tables exist it issues no DDL. Call it at
// startup:
//
//	err := orm.AutoMigrate(db, &User{}, &Address{})
//
// On dialects with transactional DDL (PostgreSQL, SQLite) everything runs
// in one transaction: a failure leaves the schema as it was.
func AutoMigrate(db *DB, models ...any) error {
	return AutoMigrateContext(context.Background(), db, models...)
}

// AutoMigrateContext is AutoMigrate with a context.
func AutoMigrateContext(ctx context.Context, db *DB, models ...any) error {
	md, err := db.MetaData(models...)
	if err != nil {
		return err
	}
	stmts, err := db.createStatements(ctx, md)
	if err != nil {
		return err
	}
	if len(stmts) == 0 {
		return nil
	}
	run := func(h *handle) error {
		for _, s := range stmts {
			if _, err := h.exec(ctx, s, nil); err != nil {
				return fmt.Errorf("orm: automigrate: %w\nstatement: %s", db.wrapErr("exec", err), s)
			}
		}
		return nil
	}
	if db.dialect.Features().Has(dialects.TransactionalDDL) {
		return db.Transaction(ctx, func(s *Session) error { return run(&s.handle) })
	}
	return run(&db.handle)
}

// createStatements returns the DDL that creates the tables of md missing
// from the database.
func (db *DB) createStatements(ctx context.Context, md *schema.MetaData) ([]string, error) {
	names := make([]string, len(md.Tables))
	for i, t := range md.Tables {
		names[i] = t.Name
	}
	live, err := migration.Inspect(ctx, db, migration.OnlyTables(names...))
	if err != nil {
		return nil, fmt.Errorf("orm: automigrate: %w", err)
	}
	missing := &schema.MetaData{}
	for _, t := range md.Tables {
		if live.Table(t.Name) == nil {
			missing.Tables = append(missing.Tables, t)
		}
	}
	return CreateTablesSQL(db.dialect, missing)
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
