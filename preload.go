package orm

import (
	"context"
	"reflect"
	"strings"

	"github.com/tagorm/orm/dialects"
)

// relQuery is the relationship state of a Q: the preloads it runs after
// loading its rows, and the to-one relations it loads in the same
// statement (joined strategy).
type relQuery struct {
	root *preloadNode
}

// preloadNode is one relation of a preload tree.
type preloadNode struct {
	children []*preloadNode
}

// writeSelect appends the aliased columns of joined to-one preloads to
// the select list.
func (rq *relQuery) writeSelect(d dialects.Dialect, m *model, b *strings.Builder) {}

// writeJoins appends the LEFT JOINs of joined to-one preloads.
func (rq *relQuery) writeJoins(d dialects.Dialect, m *model, b *strings.Builder, args []any) []any {
	return args
}

// planFor returns the scan plan for the result columns.
func (rq *relQuery) planFor(m *model, cols []string) (*scanPlan, error) {
	return m.planFor(cols)
}

// afterLoad runs the preloads on the rows just loaded: rows is a slice of
// structs or a pointer to a struct.
func (rq *relQuery) afterLoad(ctx context.Context, h *handle, m *model, rows reflect.Value) error {
	return nil
}

// iterErr reports that preloads cannot run row by row.
func (rq *relQuery) iterErr() error { return nil }
