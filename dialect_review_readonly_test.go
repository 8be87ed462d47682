package orm_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

type DrNote struct {
	ID   int64
	Text string
}

// A read-only transaction refuses writes on every dialect (SQLite's
// driver ignores TxOptions.ReadOnly: the dialect enforces it), and the
// pool writes again after it, committed or rolled back.
func TestDialectReviewReadOnlyTransaction(t *testing.T) {
	eachDB(t, []any{&DrNote{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		db.DB().SetMaxOpenConns(1) // the read-only connection is the next writer's
		require.NoError(t, db.Insert(ctx, &DrNote{Text: "a"}))
		for i, commit := range []bool{true, false} {
			tx, err := db.Begin(ctx, &sql.TxOptions{ReadOnly: true})
			require.NoError(t, err)
			defer tx.Rollback() //nolint:errcheck // a no-op once ended
			n, err := orm.Query[DrNote](tx).Count(ctx)
			require.NoError(t, err)
			require.EqualValues(t, 1+i, n)
			require.Error(t, tx.Insert(ctx, &DrNote{Text: "b"}), "a write in a read-only transaction")
			if commit {
				_ = tx.Commit() // PostgreSQL: the failed statement made it a rollback
			} else {
				require.NoError(t, tx.Rollback())
			}
			require.NoError(t, db.Insert(ctx, &DrNote{Text: "c"}), "commit=%v", commit)
		}
		n, err := orm.Query[DrNote](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
	})
}
