package orm

import (
	"context"
	"fmt"
	"reflect"
)

// Model hooks are optional interfaces a model implements, as
// database/sql's drivers implement optional interfaces: a method on the
// model's pointer type (or a value method) with the context of the
// operation and the Handle it runs on. A hook may change the row, run
// queries through h (inside the operation's transaction when there is
// one), or fail the operation by returning an error.
//
// Which hooks run:
//
//	Insert, Upsert  BeforeSave, BeforeInsert, [INSERT], AfterInsert, AfterSave
//	Update          BeforeSave, BeforeUpdate, [UPDATE], AfterUpdate, AfterSave
//	Delete          BeforeDelete, [DELETE or soft-delete UPDATE], AfterDelete
//	HardDelete      BeforeDelete, [DELETE], AfterDelete
//	Get, First, One, Last, All, Iter, Each, Preload, Load
//	                AfterFind, for every row loaded
//
// Slices run the hooks row by row: every row's Before hooks first, in
// slice order, then the statements, then every row's After hooks.
// A Before hook's error stops the operation before its statements are
// sent: nothing is written. When a model has an After hook for the
// operation, the Before hooks, the statements and the After hooks run in
// one transaction (a savepoint inside a Session), so an After hook's
// error rolls back the operation along with what the hooks wrote through
// h. Without After hooks no transaction is added: a Before hook's own
// writes through h are then atomic with the operation only when the
// caller runs it in a Session. Errors come back wrapped, naming the
// operation and the hook: errors.Is and errors.As see the hook's error.
//
// Hooks are found once per model, when it is mapped; a model without
// hooks pays nothing for them. Methods promoted from an embedded struct
// count, so a mixin that implements a hook gives it to every model that
// embeds it (unless the model declares the method itself, shadowing the
// mixin's: call the mixin's from it, as with any embedded method).
//
// Not hooked: query-level bulk writes (Q.Delete, Q.UpdateColumns), which
// load no rows; raw SQL (Exec, Select); the rows an ORM-side
// cascade:delete removes, and the foreign keys the association API writes
// by key (existing children Append attaches, those Remove, Clear and
// Replace detach). Rows saved by Insert with
// relations (the graph) and new targets an Association adds are inserted
// with their hooks. An Upsert runs the insert hooks whether the row was
// inserted or updated, as GORM runs its create hooks.

// BeforeInsertHook is implemented by models that act before each row is
// inserted (Insert, Upsert), after BeforeSave and before the default_fn
// columns are filled (a hook that sets one keeps its value).
type BeforeInsertHook interface {
	BeforeInsert(ctx context.Context, h Handle) error
}

// AfterInsertHook is implemented by models that act after their rows are
// inserted: generated keys and read-back defaults are set.
type AfterInsertHook interface {
	AfterInsert(ctx context.Context, h Handle) error
}

// BeforeUpdateHook is implemented by models that act before each row is
// updated by Update. Only the columns Update writes reach the database:
// a field the hook sets is written when Update writes every column or
// names it (or when it has an onupdate_fn).
type BeforeUpdateHook interface {
	BeforeUpdate(ctx context.Context, h Handle) error
}

// AfterUpdateHook is implemented by models that act after their rows are
// updated by Update.
type AfterUpdateHook interface {
	AfterUpdate(ctx context.Context, h Handle) error
}

// BeforeSaveHook is implemented by models that act before each row is
// inserted or updated (Insert, Upsert, Update), before BeforeInsert or
// BeforeUpdate.
type BeforeSaveHook interface {
	BeforeSave(ctx context.Context, h Handle) error
}

// AfterSaveHook is implemented by models that act after their rows are
// inserted or updated, after AfterInsert or AfterUpdate.
type AfterSaveHook interface {
	AfterSave(ctx context.Context, h Handle) error
}

// BeforeDeleteHook is implemented by models that act before each row is
// deleted by Delete (soft deletion included) or HardDelete.
type BeforeDeleteHook interface {
	BeforeDelete(ctx context.Context, h Handle) error
}

// AfterDeleteHook is implemented by models that act after their rows are
// deleted by Delete (soft deletion included) or HardDelete.
type AfterDeleteHook interface {
	AfterDelete(ctx context.Context, h Handle) error
}

// AfterFindHook is implemented by models that act on each row loaded by
// Get, First, One, Last, All, Iter, Each, Preload and Load, once the row
// and its preloaded relations are filled. In Iter and Each the hook runs
// while the result set is still open: inside a transaction, a query from
// the hook through h then needs a second result set on the same
// connection, which PostgreSQL and MySQL refuse; use All there.
type AfterFindHook interface {
	AfterFind(ctx context.Context, h Handle) error
}

// hookMask records which hooks a model implements (model.hooks).
type hookMask uint16

const (
	hookBeforeSave hookMask = 1 << iota
	hookBeforeInsert
	hookAfterInsert
	hookBeforeUpdate
	hookAfterUpdate
	hookAfterSave
	hookBeforeDelete
	hookAfterDelete
	hookAfterFind
)

// hookTypes are the interface types behind the bits of a hookMask, in
// bit order.
var hookTypes = [...]reflect.Type{
	reflect.TypeFor[BeforeSaveHook](),
	reflect.TypeFor[BeforeInsertHook](),
	reflect.TypeFor[AfterInsertHook](),
	reflect.TypeFor[BeforeUpdateHook](),
	reflect.TypeFor[AfterUpdateHook](),
	reflect.TypeFor[AfterSaveHook](),
	reflect.TypeFor[BeforeDeleteHook](),
	reflect.TypeFor[AfterDeleteHook](),
	reflect.TypeFor[AfterFindHook](),
}

// hooksOf returns the hooks struct type t implements (through *t).
func hooksOf(t reflect.Type) hookMask {
	var mask hookMask
	pt := reflect.PointerTo(t)
	for i, it := range hookTypes {
		if pt.Implements(it) {
			mask |= 1 << i
		}
	}
	return mask
}

// hookOp is the kind of write a set of hooks wraps.
type hookOp struct {
	before, after []hookMask // run in this order, row by row
	all           hookMask   // every hook of before and after
	afters        hookMask   // the after hooks
}

func newHookOp(before, after []hookMask) *hookOp {
	op := &hookOp{before: before, after: after}
	for _, b := range before {
		op.all |= b
	}
	for _, a := range after {
		op.all |= a
		op.afters |= a
	}
	return op
}

var (
	insertHooks = newHookOp([]hookMask{hookBeforeSave, hookBeforeInsert}, []hookMask{hookAfterInsert, hookAfterSave})
	updateHooks = newHookOp([]hookMask{hookBeforeSave, hookBeforeUpdate}, []hookMask{hookAfterUpdate, hookAfterSave})
	deleteHooks = newHookOp([]hookMask{hookBeforeDelete}, []hookMask{hookAfterDelete})
)

// public returns the *DB or *Session that h is, for a hook.
func (h *handle) public() Handle {
	if h.sess != nil {
		return h.sess
	}
	return h.db
}

// callHook calls hook k of row r (an addressable struct value).
func callHook(ctx context.Context, hh Handle, k hookMask, r reflect.Value) (string, error) {
	var v any
	if r.CanAddr() {
		v = r.Addr().Interface()
	} else {
		v = r.Interface()
	}
	switch k {
	case hookBeforeSave:
		if x, ok := v.(BeforeSaveHook); ok {
			return "BeforeSave", x.BeforeSave(ctx, hh)
		}
	case hookBeforeInsert:
		if x, ok := v.(BeforeInsertHook); ok {
			return "BeforeInsert", x.BeforeInsert(ctx, hh)
		}
	case hookAfterInsert:
		if x, ok := v.(AfterInsertHook); ok {
			return "AfterInsert", x.AfterInsert(ctx, hh)
		}
	case hookBeforeUpdate:
		if x, ok := v.(BeforeUpdateHook); ok {
			return "BeforeUpdate", x.BeforeUpdate(ctx, hh)
		}
	case hookAfterUpdate:
		if x, ok := v.(AfterUpdateHook); ok {
			return "AfterUpdate", x.AfterUpdate(ctx, hh)
		}
	case hookAfterSave:
		if x, ok := v.(AfterSaveHook); ok {
			return "AfterSave", x.AfterSave(ctx, hh)
		}
	case hookBeforeDelete:
		if x, ok := v.(BeforeDeleteHook); ok {
			return "BeforeDelete", x.BeforeDelete(ctx, hh)
		}
	case hookAfterDelete:
		if x, ok := v.(AfterDeleteHook); ok {
			return "AfterDelete", x.AfterDelete(ctx, hh)
		}
	case hookAfterFind:
		if x, ok := v.(AfterFindHook); ok {
			return "AfterFind", x.AfterFind(ctx, hh)
		}
	}
	return "", nil
}

// runHooks calls, row by row, the hooks of kinds that m implements.
func (h *handle) runHooks(ctx context.Context, op string, m *model, rows []reflect.Value, kinds []hookMask) error {
	hh := h.public()
	for _, r := range rows {
		for _, k := range kinds {
			if m.hooks&k == 0 {
				continue
			}
			if name, err := callHook(ctx, hh, k, r); err != nil {
				return fmt.Errorf("orm: %s: %s: %w", op, name, err)
			}
		}
	}
	return nil
}

// withHooks runs write (the statements of an operation on rows of m)
// between the rows' Before and After hooks of kind. With After hooks,
// everything runs in a transaction or savepoint, and write is told so
// (atomic: it need not open its own).
func (h *handle) withHooks(ctx context.Context, op string, m *model, rows []reflect.Value, kind *hookOp, write func(h *handle, atomic bool) error) error {
	if m.hooks&kind.afters == 0 {
		if err := h.runHooks(ctx, op, m, rows, kind.before); err != nil {
			return err
		}
		return write(h, false)
	}
	return h.atomically(ctx, func(h *handle) error {
		if err := h.runHooks(ctx, op, m, rows, kind.before); err != nil {
			return err
		}
		if err := write(h, true); err != nil {
			return err
		}
		return h.runHooks(ctx, op, m, rows, kind.after)
	})
}

var afterFindKinds = []hookMask{hookAfterFind}

// afterFind runs the AfterFind hook of rows of m, when m has one.
func (h *handle) afterFind(ctx context.Context, op string, m *model, rows []reflect.Value) error {
	if m.hooks&hookAfterFind == 0 {
		return nil
	}
	return h.runHooks(ctx, op, m, rows, afterFindKinds)
}

// afterFindSlice runs the AfterFind hook of the rows of slice (a slice
// of m's structs), when m has one.
func (h *handle) afterFindSlice(ctx context.Context, op string, m *model, slice reflect.Value) error {
	if m.hooks&hookAfterFind == 0 {
		return nil
	}
	hh := h.public()
	for i := range slice.Len() {
		if name, err := callHook(ctx, hh, hookAfterFind, slice.Index(i)); err != nil {
			return fmt.Errorf("orm: %s: %s: %w", op, name, err)
		}
	}
	return nil
}
