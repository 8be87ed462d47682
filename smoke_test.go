package orm_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/tagorm/orm"
	"github.com/tagorm/orm/mixins"
)

type SmokeUser struct {
	mixins.Model
	Name     string `orm:"size:50;index"`
	Email    string `orm:"size:255;unique"`
	Nickname *string
}

func TestSmoke(t *testing.T) {
	eachDB(t, []any{&SmokeUser{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		u := SmokeUser{Name: "ann", Email: "ann@x"}
		require.NoError(t, db.Insert(ctx, &u))
		require.NotZero(t, u.ID)
		var got SmokeUser
		require.NoError(t, db.Get(ctx, &got, u.ID))
		require.Equal(t, "ann", got.Name)
		require.True(t, u.CreatedAt.Equal(got.CreatedAt), "%v %v", u.CreatedAt, got.CreatedAt)
		all, err := orm.Query[SmokeUser](db).Where("name LIKE ?", "a%").All(ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
	})
}
