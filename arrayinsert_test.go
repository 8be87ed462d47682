package orm_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

// TestBulkInsertTypes inserts rows of every type case at once (every
// field set, every nullable field NULL, set again) and reads them back.
// On PostgreSQL the rows go through one array parameter per column
// (INSERT ... SELECT * FROM unnest(...)).
func TestBulkInsertTypes(t *testing.T) {
	eachLogged(t, typeCases(), func(t *testing.T, db *orm.DB, l *stmtLog) {
		ctx := context.Background()
		for _, c := range typeCases() {
			in := reflect.ValueOf(c).Elem()
			t.Run(in.Type().Name(), func(t *testing.T) {
				rows := reflect.MakeSlice(reflect.SliceOf(in.Type()), 3, 3)
				rows.Index(0).Set(in)
				rows.Index(1).Set(in)
				rows.Index(2).Set(in)
				for i := 0; i < in.NumField(); i++ {
					if strings.HasPrefix(in.Type().Field(i).Name, "P") {
						rows.Index(1).Field(i).SetZero()
					}
				}
				l.Statements()
				require.NoError(t, db.Insert(ctx, rows.Interface()))
				stmts := l.Statements()
				if db.Dialect().Name() == "postgres" {
					require.Len(t, stmts, 1)
					assert.Contains(t, stmts[0], "unnest(")
				}
				for i := 0; i < 3; i++ {
					want := rows.Index(i)
					id := want.FieldByName("ID").Int()
					require.NotZero(t, id)
					out := reflect.New(in.Type())
					require.NoError(t, db.Get(ctx, out.Interface(), id))
					assertSameRow(t, want, out.Elem())
				}
				assert.Less(t, rows.Index(0).FieldByName("ID").Int(), rows.Index(2).FieldByName("ID").Int())
			})
		}
	})
}
