package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

var errBoom = errors.New("boom")

func TestTransaction(t *testing.T) {
	eachLogged(t, []any{&CrudItem{}}, func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		names := func() []string {
			t.Helper()
			var out []string
			require.NoError(t, db.Select(ctx, &out, "SELECT name FROM crud_item ORDER BY name"))
			return out
		}

		// Commit on nil.
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			return tx.Insert(ctx, &CrudItem{Name: "committed"})
		}))
		stmts := l.Statements()
		require.Equal(t, "BEGIN", stmts[0])
		require.Equal(t, "COMMIT", stmts[len(stmts)-1])
		require.Equal(t, []string{"committed"}, names())

		// Rollback on error, which is returned as it is.
		err := db.Transaction(ctx, func(tx *orm.Session) error {
			require.NoError(t, tx.Insert(ctx, &CrudItem{Name: "rolled back"}))
			return errBoom
		})
		require.Same(t, errBoom, err)
		require.Equal(t, []string{"committed"}, names())
		stmts = l.Statements()
		require.Contains(t, stmts, "ROLLBACK")

		// Rollback and re-panic on panic.
		require.PanicsWithValue(t, "oops", func() {
			_ = db.Transaction(ctx, func(tx *orm.Session) error {
				require.NoError(t, tx.Insert(ctx, &CrudItem{Name: "panicked"}))
				panic("oops")
			})
		})
		require.Equal(t, []string{"committed"}, names())
		require.Zero(t, db.DB().Stats().InUse, "the connection went back to the pool")

		// Nested: an inner failure rolls back to its savepoint; the outer
		// transaction commits what is left.
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			require.NoError(t, tx.Insert(ctx, &CrudItem{Name: "outer"}))
			err := tx.Transaction(ctx, func(tx *orm.Session) error {
				require.NoError(t, tx.Insert(ctx, &CrudItem{Name: "inner failed"}))
				return errBoom
			})
			require.ErrorIs(t, err, errBoom)
			require.NoError(t, tx.Transaction(ctx, func(tx *orm.Session) error {
				require.NoError(t, tx.Insert(ctx, &CrudItem{Name: "inner ok"}))
				// Two levels deep, failing with a database error.
				err := tx.Transaction(ctx, func(tx *orm.Session) error {
					return tx.Insert(ctx, &CrudItem{Name: "outer"}) // duplicate name
				})
				require.ErrorIs(t, err, orm.ErrUniqueViolation)
				return nil
			}))
			require.Panics(t, func() {
				_ = tx.Transaction(ctx, func(tx *orm.Session) error {
					require.NoError(t, tx.Insert(ctx, &CrudItem{Name: "inner panicked"}))
					panic("inner")
				})
			})
			return nil
		}))
		require.Equal(t, []string{"committed", "inner ok", "outer"}, names())
		var sp []string
		for _, s := range l.Statements() {
			if strings.Contains(s, "SAVEPOINT") {
				sp = append(sp, s)
			}
		}
		require.Equal(t, []string{
			"SAVEPOINT tagorm_sp1", "ROLLBACK TO SAVEPOINT tagorm_sp1",
			"SAVEPOINT tagorm_sp1", "SAVEPOINT tagorm_sp2", "ROLLBACK TO SAVEPOINT tagorm_sp2", "RELEASE SAVEPOINT tagorm_sp1",
			"SAVEPOINT tagorm_sp1", "ROLLBACK TO SAVEPOINT tagorm_sp1",
		}, sp)

		// The whole CRUD API inside a session.
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			it := CrudItem{Name: "crud"}
			require.NoError(t, tx.Insert(ctx, &it))
			var got CrudItem
			require.NoError(t, tx.Get(ctx, &got, it.ID))
			it.Score = 42
			require.NoError(t, tx.Update(ctx, &it, "score"))
			require.NoError(t, tx.Upsert(ctx, &CrudItem{Name: "crud", Score: 43}, orm.OnConflict("name")))
			n, err := orm.Query[CrudItem](tx).Where("name = ?", "crud").Count(ctx)
			require.NoError(t, err)
			require.EqualValues(t, 1, n)
			var score int
			require.NoError(t, tx.Select(ctx, &score, "SELECT score FROM crud_item WHERE id = ?", it.ID))
			require.Equal(t, 43, score)
			_, err = tx.Exec(ctx, "UPDATE crud_item SET score = score + 1 WHERE id = ?", it.ID)
			require.NoError(t, err)
			require.NoError(t, tx.Delete(ctx, &it))
			return nil
		}))
		require.Equal(t, []string{"committed", "inner ok", "outer"}, names())

		// Begin, Commit, Rollback by hand.
		tx, err := db.Begin(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, tx.Insert(ctx, &CrudItem{Name: "manual"}))
		require.NoError(t, tx.Commit())
		require.ErrorIs(t, tx.Commit(), sql.ErrTxDone)
		require.NoError(t, tx.Rollback(), "rollback after commit is a no-op")
		tx, err = db.Begin(ctx, nil)
		require.NoError(t, err)
		require.NoError(t, tx.Insert(ctx, &CrudItem{Name: "manual rolled back"}))
		require.NoError(t, tx.Rollback())
		require.ErrorIs(t, tx.Transaction(ctx, func(*orm.Session) error { return nil }), sql.ErrTxDone)
		require.Equal(t, []string{"committed", "inner ok", "manual", "outer"}, names())
	})
}

// TestBulkUpdateInSession checks that a failed multi-row update inside a
// transaction leaves the transaction usable and the rows untouched.
func TestBulkUpdateInSession(t *testing.T) {
	eachDB(t, []any{&CrudPair{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, []CrudPair{{A: 1, B: "a", V: "1"}, {A: 2, B: "b", V: "2"}}))
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			err := tx.Update(ctx, []CrudPair{{A: 1, B: "a", V: "changed"}, {A: 9, B: "z"}})
			require.ErrorIs(t, err, orm.ErrNotFound)
			// The first row's update was rolled back to the savepoint and
			// the transaction still works (PostgreSQL aborts a
			// transaction after an error unless a savepoint is used).
			var p CrudPair
			require.NoError(t, tx.Get(ctx, &p, 1, "a"))
			require.Equal(t, "1", p.V)
			return tx.Insert(ctx, &CrudPair{A: 4, B: "d"})
		}))
		n, err := orm.Query[CrudPair](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
	})
}
