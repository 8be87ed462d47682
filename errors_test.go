package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

type ErrParent struct {
	ID    int64   `orm:"pk"`
	Code  string  `orm:"size:20;unique"`
	Qty   int     `orm:"check:err_parent_qty_pos:qty >= 0"`
	Label *string `orm:"size:20;not null"`
}

type ErrChild struct {
	ID       int64 `orm:"pk"`
	ParentID int64 `orm:"fk:err_parent.id;fk_name:fk_err_child_parent"`
}

func TestConstraintErrors(t *testing.T) {
	eachDB(t, []any{&ErrParent{}, &ErrChild{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		label := "l"
		p := ErrParent{Code: "a", Label: &label}
		require.NoError(t, db.Insert(ctx, &p))
		dialect := db.Dialect().Name()

		type want struct {
			constraint string   // "" when the database does not report it
			columns    []string // nil when the database does not report them
		}
		cases := []struct {
			name     string
			op       string // the message prefix
			run      func() error
			sentinel error
			want     map[string]want
		}{
			{
				name: "unique", op: "orm: insert err_parent: ",
				run:      func() error { return db.Insert(ctx, &ErrParent{Code: "a", Label: &label}) },
				sentinel: orm.ErrUniqueViolation,
				want: map[string]want{
					"sqlite":   {columns: []string{"code"}},
					"postgres": {constraint: "uq_err_parent_code", columns: []string{"code"}},
					"mysql":    {constraint: "uq_err_parent_code"},
				},
			},
			{
				name: "unique on update", op: "orm: update err_parent: ",
				run: func() error {
					q := ErrParent{Code: "b", Label: &label}
					require.NoError(t, db.Insert(ctx, &q))
					q.Code = "a"
					return db.Update(ctx, &q, "code")
				},
				sentinel: orm.ErrUniqueViolation,
				want: map[string]want{
					"sqlite":   {columns: []string{"code"}},
					"postgres": {constraint: "uq_err_parent_code", columns: []string{"code"}},
					"mysql":    {constraint: "uq_err_parent_code"},
				},
			},
			{
				name: "foreign key", op: "orm: insert err_child: ",
				run:      func() error { return db.Insert(ctx, &ErrChild{ParentID: 999}) },
				sentinel: orm.ErrForeignKeyViolation,
				want: map[string]want{
					"sqlite":   {},
					"postgres": {constraint: "fk_err_child_parent", columns: []string{"parent_id"}},
					"mysql":    {constraint: "fk_err_child_parent", columns: []string{"parent_id"}},
				},
			},
			{
				name: "foreign key on delete", op: "orm: delete err_parent: ",
				run: func() error {
					require.NoError(t, db.Insert(ctx, &ErrChild{ParentID: p.ID}))
					return db.Delete(ctx, &p)
				},
				sentinel: orm.ErrForeignKeyViolation,
				want: map[string]want{
					"sqlite":   {},
					"postgres": {constraint: "fk_err_child_parent"}, // the detail names err_parent's key only
					"mysql":    {constraint: "fk_err_child_parent", columns: []string{"parent_id"}},
				},
			},
			{
				name: "not null", op: "orm: insert err_parent: ",
				run:      func() error { return db.Insert(ctx, &ErrParent{Code: "n"}) },
				sentinel: orm.ErrNotNullViolation,
				want: map[string]want{
					"sqlite":   {columns: []string{"label"}},
					"postgres": {columns: []string{"label"}},
					"mysql":    {columns: []string{"label"}},
				},
			},
			{
				name: "not null raw", op: "orm: exec: ",
				run: func() error {
					_, err := db.Exec(ctx, "INSERT INTO err_parent (code, qty, label) VALUES (?, ?, ?)", "r", 1, nil)
					return err
				},
				sentinel: orm.ErrNotNullViolation,
				want: map[string]want{
					"sqlite":   {columns: []string{"label"}},
					"postgres": {columns: []string{"label"}},
					"mysql":    {columns: []string{"label"}},
				},
			},
			{
				name: "check", op: "orm: insert err_parent: ",
				run:      func() error { return db.Insert(ctx, &ErrParent{Code: "c", Qty: -1, Label: &label}) },
				sentinel: orm.ErrCheckViolation,
				want: map[string]want{
					"sqlite":   {constraint: "err_parent_qty_pos"},
					"postgres": {constraint: "err_parent_qty_pos"},
					"mysql":    {constraint: "err_parent_qty_pos"},
				},
			},
			{
				name: "check in a query update", op: "orm: update err_parent: ",
				run: func() error {
					_, err := orm.Query[ErrParent](db).UpdateColumns(ctx, map[string]any{"qty": -5})
					return err
				},
				sentinel: orm.ErrCheckViolation,
				want: map[string]want{
					"sqlite":   {constraint: "err_parent_qty_pos"},
					"postgres": {constraint: "err_parent_qty_pos"},
					"mysql":    {constraint: "err_parent_qty_pos"},
				},
			},
		}
		all := []error{orm.ErrUniqueViolation, orm.ErrForeignKeyViolation, orm.ErrNotNullViolation, orm.ErrCheckViolation}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := c.run()
				require.Error(t, err)
				t.Log(err)
				require.True(t, strings.HasPrefix(err.Error(), c.op), "%q does not start with %q", err, c.op)
				var ce *orm.ConstraintError
				require.ErrorAs(t, err, &ce)
				require.ErrorIs(t, err, orm.ErrConstraint)
				for _, s := range all {
					require.Equal(t, s == c.sentinel, errors.Is(err, s), "errors.Is(err, %v)", s)
				}
				require.False(t, errors.Is(err, orm.ErrNotFound))
				require.NotNil(t, errors.Unwrap(ce), "unwraps to the driver's error")
				w := c.want[dialect]
				require.Equal(t, w.constraint, ce.Constraint, "constraint")
				if w.columns != nil {
					require.Equal(t, w.columns, ce.Columns, "columns")
				}
				if ce.Table != "" {
					require.True(t, strings.HasPrefix(ce.Table, "err_"), "table %q", ce.Table)
				}
			})
		}
	})
}

func TestErrorMessages(t *testing.T) {
	eachDB(t, []any{&CrudItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		cases := []struct {
			prefix string
			err    error
		}{
			{"orm: get crud_item: ", db.Get(ctx, &CrudItem{}, 1)},
			{"orm: update crud_item: ", db.Update(ctx, &CrudItem{Name: "x"})},
			{"orm: delete crud_item: ", db.Delete(ctx, &CrudItem{})},
			{"orm: select: ", db.Select(ctx, &[]CrudItem{}, "SELECT id, 1 AS nope FROM crud_item")},
			{"orm: select: ", db.Select(ctx, &CrudItem{}, "SELECT * FROM crud_item")},
			{"orm: exec: ", func() error { _, err := db.Exec(ctx, "NOT SQL"); return err }()},
			{"orm: insert: ", db.Insert(ctx, CrudItem{})},
			{"orm: get ", db.Get(ctx, &CrudItem{})},
		}
		for i, c := range cases {
			require.Error(t, c.err, "case %d", i)
			require.True(t, strings.HasPrefix(c.err.Error(), c.prefix), "case %d: %q does not start with %q", i, c.err, c.prefix)
		}
		require.ErrorIs(t, cases[0].err, sql.ErrNoRows)
		require.ErrorIs(t, cases[4].err, orm.ErrNotFound)
		require.Equal(t, fmt.Sprint(orm.ErrNotFound), "record not found")
	})
}
