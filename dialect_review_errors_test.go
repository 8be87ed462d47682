package orm_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

type DrKeyed struct {
	ID    int64  `orm:"autoincrement:false"`
	Email string `orm:"unique"`
}

// A duplicate primary key is a unique violation marked PrimaryKey, with
// the key's columns, on every dialect (MySQL reports only "PRIMARY").
func TestDialectReviewDuplicatePrimaryKey(t *testing.T) {
	eachDB(t, []any{&DrKeyed{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		require.NoError(t, db.Insert(ctx, &DrKeyed{ID: 1, Email: "a"}))
		err := db.Insert(ctx, &DrKeyed{ID: 1, Email: "b"})
		var ce *orm.ConstraintError
		require.True(t, errors.As(err, &ce), "%v", err)
		require.ErrorIs(t, err, orm.ErrUniqueViolation)
		require.True(t, ce.PrimaryKey, "%v", err)
		require.Equal(t, "dr_keyed", ce.Table)
		require.Equal(t, []string{"id"}, ce.Columns)

		err = db.Insert(ctx, &DrKeyed{ID: 2, Email: "a"})
		require.True(t, errors.As(err, &ce), "%v", err)
		require.False(t, ce.PrimaryKey, "%v", err)
		require.Equal(t, []string{"email"}, ce.Columns)
	})
}
