package orm_test

import (
	"context"
	"log/slog"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/internal/dbtest"
)

// eachWriteDB is eachDB, and once more on MariaDB with the statements
// written for MySQL 8 (no RETURNING: what an INSERT generated is read
// back by key).
func eachWriteDB(t *testing.T, models []any, fn func(t *testing.T, db *orm.DB)) {
	t.Helper()
	eachDB(t, models, fn)
	t.Run("mysql-without-returning", func(t *testing.T) {
		db := openTest(t, dbtest.Open(t, "mysql"), nil)
		orm.SetInsertDialect(db, mysql.Dialect{})
		require.NoError(t, orm.AutoMigrate(db, models...))
		fn(t, db)
	})
}

// InsertDefaulted has server defaults and a generated key.
type InsertDefaulted struct {
	ID     int64  `orm:"pk"`
	Name   string `orm:"size:20"`
	Status string `orm:"size:10;default:'new'"`
	Level  int    `orm:"default:1"`
}

// InsertDefaultedPair has server defaults and a key the caller gives.
type InsertDefaultedPair struct {
	A      int64  `orm:"pk"`
	B      string `orm:"pk;size:10"`
	Status string `orm:"size:10;default:'new'"`
}

// After Insert the struct holds the row: generated key and the server
// defaults of zero fields, one row or several, in a transaction or not,
// on every database.
func TestInsertReadsBackServerDefaults(t *testing.T) {
	eachWriteDB(t, []any{&InsertDefaulted{}, &InsertDefaultedPair{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		check := func(t *testing.T, h orm.Handle, v InsertDefaulted) {
			t.Helper()
			var got InsertDefaulted
			require.NoError(t, h.Get(ctx, &got, v.ID))
			require.Equal(t, got, v)
		}
		for _, inTx := range []bool{false, true} {
			run := func(fn func(h orm.Handle)) {
				if !inTx {
					fn(db)
					return
				}
				require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error { fn(tx); return nil }))
			}
			run(func(h orm.Handle) {
				one := InsertDefaulted{Name: "one"}
				require.NoError(t, h.Insert(ctx, &one))
				require.NotZero(t, one.ID)
				require.Equal(t, "new", one.Status, "in tx: %v", inTx)
				require.Equal(t, 1, one.Level)
				check(t, h, one)

				set := InsertDefaulted{Name: "set", Status: "mine", Level: 5}
				require.NoError(t, h.Insert(ctx, &set))
				check(t, h, set)

				rows := []InsertDefaulted{{Name: "a"}, {Name: "b", Status: "x"}, {Name: "c", Level: 3}, {Name: "d"}, {Name: "e"}}
				require.NoError(t, h.Insert(ctx, rows))
				for _, r := range rows {
					check(t, h, r)
				}
				require.Equal(t, "new", rows[0].Status)
				require.Equal(t, 1, rows[2+1].Level)

				pairs := []InsertDefaultedPair{{A: 1, B: "x"}, {A: 1, B: "y", Status: "s"}, {A: 2, B: "x"}}
				require.NoError(t, h.Insert(ctx, &pairs[0]))
				require.NoError(t, h.Insert(ctx, pairs[1:]))
				for _, p := range pairs {
					var got InsertDefaultedPair
					require.NoError(t, h.Get(ctx, &got, p.A, p.B))
					require.Equal(t, got, p)
				}
				_, err := h.Exec(ctx, "DELETE FROM insert_defaulted_pair")
				require.NoError(t, err)
			})
		}
	})
}

// The server's version is asked once per DB (by Open; by the first
// INSERT of a DB from New); then an Insert is one statement, RETURNING
// what it generated where the server has it.
func TestInsertOneStatement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		for _, o := range openers {
			t.Run(o.name, func(t *testing.T) {
				l := &stmtLog{}
				db := o.open(t, tdb.DriverName, tdb.DSN, orm.WithLogger(slog.New(l)))
				require.NoError(t, orm.AutoMigrate(db, &InsertDefaulted{}))
				probe := slices.Contains(l.Statements(), "SELECT VERSION()")
				require.Equal(t, o.name == "Open" && tdb.Name == "mysql", probe, "version asked by Open")
				for i := range 3 {
					v := InsertDefaulted{Name: "n"}
					require.NoError(t, db.Insert(ctx, &v))
					require.Equal(t, "new", v.Status)
					stmts := l.Statements()
					if i == 0 && o.name == "New" && tdb.Name == "mysql" {
						require.Equal(t, "SELECT VERSION()", stmts[0])
						stmts = stmts[1:]
					}
					require.Len(t, stmts, 1, "%q", stmts)
					require.Contains(t, stmts[0], "RETURNING")
				}
			})
		}
	})
}
