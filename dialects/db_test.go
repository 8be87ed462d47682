package dialects_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/internal/dbtest"
)

// createFixtures runs the DDL of the fixture tables, then runs it again
// with ifNotExists to check that a re-run is harmless.
func createFixtures(t *testing.T, ctx context.Context, db *dbtest.DB) {
	t.Helper()
	for _, ine := range []bool{false, true} {
		for _, tbl := range fixtureTables() {
			for _, stmt := range db.Dialect.CreateTable(tbl, tbl.ForeignKeys, ine) {
				_, err := db.SQL.ExecContext(ctx, stmt)
				require.NoError(t, err, "ifNotExists=%v:\n%s", ine, stmt)
			}
		}
	}
}

func exec(t *testing.T, ctx context.Context, db *dbtest.DB, query string, args ...any) (sql.Result, error) {
	t.Helper()
	return db.SQL.ExecContext(ctx, dialects.Rebind(db.Dialect, query), args...)
}

func TestDatabases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		d := db.Dialect
		createFixtures(t, ctx, db)

		schemaName, err := d.CurrentSchema(ctx, db.SQL)
		require.NoError(t, err)
		assert.Equal(t, db.Schema, schemaName)

		t.Run("comments round-trip", func(t *testing.T) {
			want := fixtureTables()[0].Comment
			var query string
			switch db.Name {
			case "postgres":
				query = "SELECT obj_description('all_types'::regclass, 'pg_class')"
			case "mysql":
				query = "SELECT table_comment FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'all_types'"
			default:
				// SQLite has no comments: the DDL must not try to set one
				// (the feature flag says so).
				require.False(t, d.Features().Has(dialects.ColumnComments))
				for _, s := range d.CreateTable(fixtureTables()[0], nil, false) {
					require.NotContains(t, strings.ToUpper(s), "COMMENT")
				}
				return
			}
			var got string
			require.NoError(t, db.SQL.QueryRowContext(ctx, query).Scan(&got))
			assert.Equal(t, want, got)
		})

		q := func(s string) string { return d.Quote(s) }
		insParent := fmt.Sprintf("INSERT INTO %s (%s, %s, %s, %s) VALUES (?, ?, ?, ?)",
			q("parent"), q("tenant"), q("code"), q("name"), q("email"))

		t.Run("insert and select", func(t *testing.T) {
			_, err := exec(t, ctx, db, insParent, 1, "a?", "it's ? here", nil)
			require.NoError(t, err)
			var name string
			err = db.SQL.QueryRowContext(ctx, dialects.Rebind(d,
				"SELECT "+q("name")+" FROM "+q("parent")+" WHERE "+q("tenant")+" = ? AND "+q("code")+" = ? AND '?' = '?' -- ?"),
				1, "a?").Scan(&name)
			require.NoError(t, err)
			assert.Equal(t, "it's ? here", name)

			// all_types accepts a row of defaults and reads its enum back.
			var b strings.Builder
			b.WriteString("INSERT INTO " + q("all_types") + " (" + q("status") + ", " + q("s_default") + ") VALUES (?, ?)")
			ret := d.InsertReturning(&b, []string{"id"})
			var id int64
			if ret {
				require.NoError(t, db.SQL.QueryRowContext(ctx, dialects.Rebind(d, b.String()), "it's done", "").Scan(&id))
			} else {
				res, err := exec(t, ctx, db, b.String(), "it's done", "")
				require.NoError(t, err)
				id, err = res.LastInsertId()
				require.NoError(t, err)
			}
			assert.Positive(t, id)
			var status, s string
			require.NoError(t, db.SQL.QueryRowContext(ctx, dialects.Rebind(d,
				"SELECT "+q("status")+", "+q("s")+" FROM "+q("all_types")+" WHERE "+q("id")+" = ?"), id).Scan(&status, &s))
			assert.Equal(t, "it's done", status)
			assert.Equal(t, "it's", s)
		})

		t.Run("upsert", func(t *testing.T) {
			tbl := fixtureTables()[1]
			upsert := func(name string, update []string) {
				var b strings.Builder
				b.WriteString(insParent)
				d.Upsert(&b, tbl, []string{"tenant", "code"}, update)
				_, err := exec(t, ctx, db, b.String(), 2, "u", name, nil)
				require.NoError(t, err, b.String())
			}
			get := func() string {
				var name string
				require.NoError(t, db.SQL.QueryRowContext(ctx, dialects.Rebind(d,
					"SELECT "+q("name")+" FROM "+q("parent")+" WHERE "+q("tenant")+" = ? AND "+q("code")+" = ?"), 2, "u").Scan(&name))
				return name
			}
			upsert("first", []string{"name"})
			assert.Equal(t, "first", get())
			upsert("second", []string{"name"})
			assert.Equal(t, "second", get())
			upsert("ignored", nil)
			assert.Equal(t, "second", get())
		})

		t.Run("classify errors", func(t *testing.T) {
			_, err := exec(t, ctx, db, insParent, 3, "x", "x", "x@example.com")
			require.NoError(t, err)
			assert.Nil(t, d.ClassifyError(nil))
			assert.Nil(t, d.ClassifyError(sql.ErrNoRows))

			classify := func(query string, args ...any) *dialects.ErrorInfo {
				t.Helper()
				_, err := exec(t, ctx, db, query, args...)
				require.Error(t, err)
				info := d.ClassifyError(fmt.Errorf("wrapped: %w", err))
				require.NotNil(t, info, "not classified: %v", err)
				return info
			}

			// Named composite unique constraint.
			info := classify(insParent, 3, "y", "x", nil)
			assert.Equal(t, dialects.UniqueViolation, info.Kind)
			switch db.Name {
			case "sqlite":
				assert.Equal(t, "parent", info.Table)
				assert.Equal(t, []string{"tenant", "name"}, info.Columns)
			default:
				assert.Equal(t, "parent_tenant_name_key", info.Constraint)
			}
			assert.False(t, info.PrimaryKey, "a unique key is not the primary key")
			// Primary key.
			info = classify(insParent, 3, "x", "other", nil)
			assert.Equal(t, dialects.UniqueViolation, info.Kind)
			switch db.Name {
			case "postgres":
				assert.Equal(t, "parent_pkey", info.Constraint)
				assert.Equal(t, []string{"tenant", "code"}, info.Columns)
				assert.Equal(t, "parent", info.Table)
			case "mysql":
				assert.Equal(t, "PRIMARY", info.Constraint)
				assert.True(t, info.PrimaryKey)
			case "sqlite":
				assert.Equal(t, []string{"tenant", "code"}, info.Columns)
				assert.True(t, info.PrimaryKey)
			}

			insChild := fmt.Sprintf("INSERT INTO %s (%s, %s, %s, %s) VALUES (?, ?, ?, ?)",
				q("child"), q("tenant"), q("parent_code"), q("qty"), q("price"))
			// Foreign key.
			info = classify(insChild, 3, "nope", 1, 1)
			assert.Equal(t, dialects.ForeignKeyViolation, info.Kind)
			if db.Name != "sqlite" {
				assert.Equal(t, "child_parent_fk", info.Constraint)
				assert.Equal(t, "child", info.Table)
				assert.Equal(t, []string{"tenant", "parent_code"}, info.Columns)
			}
			// Check.
			info = classify(insChild, 3, "x", 0, 1)
			assert.Equal(t, dialects.CheckViolation, info.Kind)
			assert.Equal(t, "child_qty_positive", info.Constraint)
			// Not null.
			info = classify(insParent, 4, "n", nil, nil)
			assert.Equal(t, dialects.NotNullViolation, info.Kind)
			assert.Equal(t, []string{"name"}, info.Columns)
			if db.Name != "mysql" {
				assert.Equal(t, "parent", info.Table)
			}
			// Deleting a referenced parent row.
			_, err = exec(t, ctx, db, insChild, 3, "x", 1, 1)
			require.NoError(t, err)
			var node strings.Builder
			node.WriteString("INSERT INTO " + q("node") + " (" + q("label") + ") VALUES (?)")
			_, err = exec(t, ctx, db, node.String(), "root")
			require.NoError(t, err)
			info = classify("UPDATE "+q("node")+" SET "+q("parent_id")+" = ?", 999)
			assert.Equal(t, dialects.ForeignKeyViolation, info.Kind)
		})

		if db.Name != "sqlite" {
			t.Run("add foreign key", func(t *testing.T) {
				tbls := fixtureTables()
				child := tbls[2]
				fk := *child.ForeignKeys[0]
				fk.Name = "child_parent_fk2"
				stmt, err := d.AddForeignKey(child, &fk)
				require.NoError(t, err)
				_, err = db.SQL.ExecContext(ctx, stmt)
				require.NoError(t, err, stmt)
			})
		}
	})
}
