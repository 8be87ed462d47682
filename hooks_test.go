package orm_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/mixins"
)

var errHook = errors.New("hook refused")

// hookRec records the hooks called with a context carrying it, and makes
// the hooks named in fail return errHook for the row named there.
type hookRec struct {
	mu      sync.Mutex
	calls   []string
	handles []orm.Handle
	fail    map[string]string // hook name → row name
	probe   bool              // AfterInsert counts its row through its handle
	visible []int64           // what the probes counted
}

type hookRecKey struct{}

func withRec(r *hookRec) context.Context {
	return context.WithValue(context.Background(), hookRecKey{}, r)
}

func recOf(ctx context.Context) *hookRec {
	r, _ := ctx.Value(hookRecKey{}).(*hookRec)
	return r
}

func (r *hookRec) hook(hook, row string, h orm.Handle) error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, hook+":"+row)
	r.handles = append(r.handles, h)
	if r.fail[hook] == row {
		return fmt.Errorf("%w: %s of %s", errHook, hook, row)
	}
	return nil
}

// take returns the calls so far and forgets them.
func (r *hookRec) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls, r.handles = nil, nil
	return out
}

// HookItem implements every hook.
type HookItem struct {
	ID           int64
	Name         string `orm:"size:50"`
	Stamp        string `orm:"size:50"`
	HookParentID *int64
	Parent       *HookParent `orm:"belongs_to;foreign_key:HookParentID"`
	Found        int         `orm:"-"` // AfterFind calls
}

func (i *HookItem) BeforeSave(ctx context.Context, h orm.Handle) error {
	return recOf(ctx).hook("BeforeSave", i.Name, h)
}

func (i *HookItem) BeforeInsert(ctx context.Context, h orm.Handle) error {
	if i.Stamp == "" {
		i.Stamp = "inserted"
	}
	return recOf(ctx).hook("BeforeInsert", i.Name, h)
}

func (i *HookItem) AfterInsert(ctx context.Context, h orm.Handle) error {
	if i.ID == 0 {
		return fmt.Errorf("AfterInsert of %s: no key yet", i.Name)
	}
	r := recOf(ctx)
	if r != nil && r.probe {
		n, err := orm.Query[HookItem](h).Where("id = ?", i.ID).Count(ctx)
		if err != nil {
			return err
		}
		r.mu.Lock()
		r.visible = append(r.visible, n)
		r.mu.Unlock()
	}
	return r.hook("AfterInsert", i.Name, h)
}

func (i *HookItem) BeforeUpdate(ctx context.Context, h orm.Handle) error {
	i.Stamp = "updated"
	return recOf(ctx).hook("BeforeUpdate", i.Name, h)
}

func (i *HookItem) AfterUpdate(ctx context.Context, h orm.Handle) error {
	return recOf(ctx).hook("AfterUpdate", i.Name, h)
}

func (i *HookItem) AfterSave(ctx context.Context, h orm.Handle) error {
	return recOf(ctx).hook("AfterSave", i.Name, h)
}

func (i *HookItem) BeforeDelete(ctx context.Context, h orm.Handle) error {
	return recOf(ctx).hook("BeforeDelete", i.Name, h)
}

func (i *HookItem) AfterDelete(ctx context.Context, h orm.Handle) error {
	return recOf(ctx).hook("AfterDelete", i.Name, h)
}

func (i *HookItem) AfterFind(ctx context.Context, h orm.Handle) error {
	i.Found++
	return recOf(ctx).hook("AfterFind", i.Name, h)
}

// HookParent has children with hooks, and an AfterFind of its own
// (a value method).
type HookParent struct {
	ID    int64
	Name  string     `orm:"size:50"`
	Items []HookItem `orm:"has_many"`
}

func (p HookParent) AfterFind(ctx context.Context, h orm.Handle) error {
	return recOf(ctx).hook("AfterFind", "parent "+p.Name, h)
}

// HookBefore has Before hooks only: no transaction is added for it.
type HookBefore struct {
	ID   int64
	Name string `orm:"size:50"`
	Slug string `orm:"size:50"`
}

func (b *HookBefore) BeforeInsert(ctx context.Context, h orm.Handle) error {
	b.Slug = strings.ToLower(b.Name)
	return recOf(ctx).hook("BeforeInsert", b.Name, h)
}

func (b *HookBefore) BeforeUpdate(ctx context.Context, h orm.Handle) error {
	b.Slug = strings.ToLower(b.Name)
	return recOf(ctx).hook("BeforeUpdate", b.Name, h)
}

// HookAudit is a mixin with a hook: every model embedding it gets it.
type HookAudit struct {
	CreatedBy string `orm:"size:50"`
}

type hookUserKey struct{}

func (a *HookAudit) BeforeInsert(ctx context.Context, h orm.Handle) error {
	if a.CreatedBy == "" {
		a.CreatedBy, _ = ctx.Value(hookUserKey{}).(string)
	}
	return nil
}

type HookAudited struct {
	mixins.PK
	HookAudit
	Name string `orm:"size:50"`
}

// HookSoft is soft-deleted: Delete runs the delete hooks, not the update
// hooks, although it writes with an UPDATE.
type HookSoft struct {
	ID   int64
	Name string `orm:"size:50"`
	mixins.SoftDelete
}

func (s *HookSoft) BeforeUpdate(ctx context.Context, h orm.Handle) error {
	return recOf(ctx).hook("BeforeUpdate", s.Name, h)
}

func (s *HookSoft) BeforeDelete(ctx context.Context, h orm.Handle) error {
	return recOf(ctx).hook("BeforeDelete", s.Name, h)
}

func (s *HookSoft) AfterDelete(ctx context.Context, h orm.Handle) error {
	if s.DeletedAt == nil {
		return errors.New("AfterDelete: DeletedAt not set")
	}
	return recOf(ctx).hook("AfterDelete", s.Name, h)
}

var hookModels = []any{&HookParent{}, &HookItem{}, &HookBefore{}, &HookAudited{}, &HookSoft{}}

func hookNames(t *testing.T, db orm.Handle) []string {
	t.Helper()
	var out []string
	require.NoError(t, db.Select(context.Background(), &out, "SELECT name FROM hook_item ORDER BY name"))
	return out
}

func hookStamp(t *testing.T, db orm.Handle, id int64) string {
	t.Helper()
	var out []string
	require.NoError(t, db.Select(context.Background(), &out, "SELECT stamp FROM hook_item WHERE id = ?", id))
	require.Len(t, out, 1)
	return out[0]
}

// hasStmt reports whether one of stmts starts with prefix.
func hasStmt(stmts []string, prefix string) bool {
	return slices.ContainsFunc(stmts, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

func TestHooksOrder(t *testing.T) {
	eachLogged(t, hookModels, func(t *testing.T, db *orm.DB, l *stmtLog) {
		rec := &hookRec{}
		ctx := withRec(rec)

		a := HookItem{Name: "a"}
		require.NoError(t, db.Insert(ctx, &a))
		require.Equal(t, []string{"BeforeSave:a", "BeforeInsert:a", "AfterInsert:a", "AfterSave:a"}, rec.take())
		stmts := l.Statements()
		require.Equal(t, "BEGIN", stmts[0], "After hooks: the insert and the hooks run in a transaction")
		require.Equal(t, "COMMIT", stmts[len(stmts)-1])
		require.Equal(t, "inserted", a.Stamp)
		require.Equal(t, "inserted", hookStamp(t, db, a.ID), "a field set by BeforeInsert is written")
		l.Statements()

		// A slice: every Before hook, one statement, every After hook.
		rows := []*HookItem{{Name: "b"}, {Name: "c"}}
		require.NoError(t, db.Insert(ctx, rows))
		require.Equal(t, []string{
			"BeforeSave:b", "BeforeInsert:b", "BeforeSave:c", "BeforeInsert:c",
			"AfterInsert:b", "AfterSave:b", "AfterInsert:c", "AfterSave:c",
		}, rec.take())
		inserts := 0
		for _, s := range l.Statements() {
			if strings.HasPrefix(s, "INSERT") {
				inserts++
			}
		}
		require.Equal(t, 1, inserts)

		a.Name = "a2"
		require.NoError(t, db.Update(ctx, &a))
		require.Equal(t, []string{"BeforeSave:a2", "BeforeUpdate:a2", "AfterUpdate:a2", "AfterSave:a2"}, rec.take())
		require.Equal(t, "updated", hookStamp(t, db, a.ID), "a field set by BeforeUpdate is written")

		require.NoError(t, db.Update(ctx, rows, "Name", "Stamp"))
		require.Equal(t, []string{
			"BeforeSave:b", "BeforeUpdate:b", "BeforeSave:c", "BeforeUpdate:c",
			"AfterUpdate:b", "AfterSave:b", "AfterUpdate:c", "AfterSave:c",
		}, rec.take())

		// Upsert runs the insert hooks, whether it inserts or updates.
		a.Name = "a3"
		require.NoError(t, db.Upsert(ctx, &a, nil))
		require.Equal(t, []string{"BeforeSave:a3", "BeforeInsert:a3", "AfterInsert:a3", "AfterSave:a3"}, rec.take())
		require.Equal(t, []string{"a3", "b", "c"}, hookNames(t, db))

		require.NoError(t, db.Delete(ctx, rows))
		require.Equal(t, []string{"BeforeDelete:b", "BeforeDelete:c", "AfterDelete:b", "AfterDelete:c"}, rec.take())
		require.NoError(t, db.HardDelete(ctx, &a))
		require.Equal(t, []string{"BeforeDelete:a3", "AfterDelete:a3"}, rec.take())
		require.Empty(t, hookNames(t, db))

		// A graph: the children's hooks run when they are inserted, with
		// their foreign key set.
		p := HookParent{Name: "p", Items: []HookItem{{Name: "x"}, {Name: "y"}}}
		require.NoError(t, db.Insert(ctx, &p))
		require.Equal(t, []string{
			"BeforeSave:x", "BeforeInsert:x", "BeforeSave:y", "BeforeInsert:y",
			"AfterInsert:x", "AfterSave:x", "AfterInsert:y", "AfterSave:y",
		}, rec.take())
		require.Equal(t, p.ID, *p.Items[1].HookParentID)
		require.Equal(t, "inserted", hookStamp(t, db, p.Items[1].ID))
	})
}

func TestHooksBeforeErrorAborts(t *testing.T) {
	eachLogged(t, hookModels, func(t *testing.T, db *orm.DB, l *stmtLog) {
		rec := &hookRec{fail: map[string]string{"BeforeInsert": "bad", "BeforeUpdate": "bad", "BeforeDelete": "keep"}}
		ctx := withRec(rec)

		err := db.Insert(ctx, []HookItem{{Name: "ok"}, {Name: "bad"}, {Name: "later"}})
		require.ErrorIs(t, err, errHook)
		require.Contains(t, err.Error(), "orm: insert hook_item: BeforeInsert: hook refused")
		require.Equal(t, []string{"BeforeSave:ok", "BeforeInsert:ok", "BeforeSave:bad", "BeforeInsert:bad"}, rec.take(),
			"no later row's hooks, no After hook")
		require.False(t, hasStmt(l.Statements(), "INSERT"), "nothing is sent")
		require.Empty(t, hookNames(t, db))

		// Update: the row keeps its values; no UPDATE is sent.
		it := HookItem{Name: "ok"}
		require.NoError(t, db.Insert(ctx, &it))
		rec.take()
		l.Statements()
		it.Name = "bad"
		require.ErrorIs(t, db.Update(ctx, &it), errHook)
		require.False(t, hasStmt(l.Statements(), "UPDATE"))
		require.Equal(t, []string{"ok"}, hookNames(t, db))
		require.Equal(t, "inserted", hookStamp(t, db, it.ID))

		// Delete: the row stays.
		it.Name = "keep"
		require.ErrorIs(t, db.Delete(ctx, &it), errHook)
		require.False(t, hasStmt(l.Statements(), "DELETE"))
		require.Equal(t, []string{"ok"}, hookNames(t, db))

		// Before hooks without After hooks: the same, with no transaction.
		rec.fail = map[string]string{"BeforeInsert": "Bad"}
		err = db.Insert(ctx, []*HookBefore{{Name: "Fine"}, {Name: "Bad"}})
		require.ErrorIs(t, err, errHook)
		stmts := l.Statements()
		require.False(t, hasStmt(stmts, "INSERT"))
		require.False(t, hasStmt(stmts, "BEGIN"))
	})
}

func TestHooksAfterErrorRollsBack(t *testing.T) {
	eachLogged(t, hookModels, func(t *testing.T, db *orm.DB, l *stmtLog) {
		rec := &hookRec{fail: map[string]string{"AfterInsert": "bad", "AfterSave": "bad2", "AfterUpdate": "bad", "AfterDelete": "keep"}}
		ctx := withRec(rec)

		err := db.Insert(ctx, []HookItem{{Name: "ok"}, {Name: "bad"}})
		require.ErrorIs(t, err, errHook)
		require.Contains(t, err.Error(), "orm: insert hook_item: AfterInsert: hook refused")
		stmts := l.Statements()
		require.True(t, hasStmt(stmts, "INSERT"))
		require.Equal(t, "ROLLBACK", stmts[len(stmts)-1])
		require.Empty(t, hookNames(t, db), "both rows are rolled back")

		bad2 := HookItem{Name: "bad2"}
		err = db.Insert(ctx, &bad2)
		require.ErrorIs(t, err, errHook, "AfterSave too")
		require.Empty(t, hookNames(t, db))
		require.Zero(t, bad2.ID, "the key of the rolled-back row is cleared")
		rec.fail = map[string]string{"AfterUpdate": "bad", "AfterDelete": "keep"}
		require.NoError(t, db.Insert(ctx, &bad2), "inserted again, with a new key")
		require.NotZero(t, bad2.ID)
		require.NoError(t, db.HardDelete(ctx, &bad2))

		it := HookItem{Name: "ok"}
		require.NoError(t, db.Insert(ctx, &it))
		it.Name = "bad"
		require.ErrorIs(t, db.Update(ctx, &it), errHook)
		require.Equal(t, []string{"ok"}, hookNames(t, db), "the update is rolled back")
		require.Equal(t, "inserted", hookStamp(t, db, it.ID))

		it.Name = "keep"
		require.ErrorIs(t, db.HardDelete(ctx, &it), errHook)
		require.Equal(t, []string{"ok"}, hookNames(t, db), "the delete is rolled back")

		// Inside a Session the operation gets a savepoint: the failed
		// insert is undone, the transaction goes on.
		rec.fail = map[string]string{"AfterInsert": "bad"}
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			require.ErrorIs(t, tx.Insert(ctx, &HookItem{Name: "bad"}), errHook)
			return tx.Insert(ctx, &HookItem{Name: "more"})
		}))
		require.Equal(t, []string{"more", "ok"}, hookNames(t, db))
		require.True(t, hasStmt(l.Statements(), "ROLLBACK TO SAVEPOINT"))
	})
}

func TestHooksHandle(t *testing.T) {
	eachLogged(t, hookModels, func(t *testing.T, db *orm.DB, l *stmtLog) {
		rec := &hookRec{probe: true}
		ctx := withRec(rec)

		// In a Session, the hooks get it, and a query through it sees
		// the row not committed yet.
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			require.NoError(t, tx.Insert(ctx, &HookItem{Name: "in tx"}))
			require.Len(t, rec.handles, 4)
			for _, h := range rec.handles {
				require.Same(t, tx, h)
			}
			return nil
		}))
		require.Equal(t, []int64{1}, rec.visible)
		rec.take()

		// On a DB, a model with After hooks gets the operation's own
		// transaction.
		require.NoError(t, db.Insert(ctx, &HookItem{Name: "own tx"}))
		require.Len(t, rec.handles, 4)
		tx, ok := rec.handles[0].(*orm.Session)
		require.True(t, ok, "got %T", rec.handles[0])
		for _, h := range rec.handles {
			require.Same(t, tx, h)
		}
		require.Equal(t, []int64{1, 1}, rec.visible)
		rec.take()

		// Without After hooks, the hook gets the DB and no transaction
		// is added.
		l.Statements()
		b := HookBefore{Name: "Hello"}
		require.NoError(t, db.Insert(ctx, &b))
		require.Equal(t, []string{"BeforeInsert:Hello"}, rec.calls)
		require.Same(t, db, rec.handles[0])
		stmts := l.Statements()
		require.Len(t, stmts, 1)
		require.True(t, strings.HasPrefix(stmts[0], "INSERT"))
		var got HookBefore
		require.NoError(t, db.Get(ctx, &got, b.ID))
		require.Equal(t, "hello", got.Slug)
		rec.take()
		b.Name = "World"
		require.NoError(t, db.Update(ctx, &b))
		require.Equal(t, []string{"BeforeUpdate:World"}, rec.take())
		require.NoError(t, db.Get(ctx, &got, b.ID))
		require.Equal(t, "world", got.Slug)
	})
}

func TestHooksAfterFind(t *testing.T) {
	eachDB(t, hookModels, func(t *testing.T, db *orm.DB) {
		rec := &hookRec{}
		ctx := withRec(rec)
		p := HookParent{Name: "p", Items: []HookItem{{Name: "x"}, {Name: "y"}}}
		require.NoError(t, db.Insert(ctx, &p))
		rec.take()

		var got HookItem
		require.NoError(t, db.Get(ctx, &got, p.Items[0].ID))
		require.Equal(t, 1, got.Found)
		require.Same(t, db, rec.handles[0])
		require.Equal(t, []string{"AfterFind:x"}, rec.take())

		all, err := orm.Query[HookItem](db).OrderBy("name").All(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"AfterFind:x", "AfterFind:y"}, rec.take())
		require.Equal(t, 1, all[0].Found)
		require.Equal(t, 1, all[1].Found)

		first, err := orm.Query[HookItem](db).First(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, first.Found)
		last, err := orm.Query[HookItem](db).Last(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, last.Found)
		one, err := orm.Query[HookItem](db).Where("name = ?", "y").One(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, one.Found)
		require.Equal(t, []string{"AfterFind:x", "AfterFind:y", "AfterFind:y"}, rec.take())

		n := 0
		require.NoError(t, orm.Query[HookItem](db).OrderBy("name").Each(ctx, func(it *HookItem) error {
			require.Equal(t, 1, it.Found, "before the row is yielded")
			n++
			return nil
		}))
		require.Equal(t, 2, n)
		require.Equal(t, []string{"AfterFind:x", "AfterFind:y"}, rec.take())

		// Preload: the related rows' hooks (after their own relations
		// are loaded), then the parents'.
		parents, err := orm.Query[HookParent](db).Preload("Items", func(q *orm.PreloadQuery) { q.OrderBy("name") }).All(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"AfterFind:x", "AfterFind:y", "AfterFind:parent p"}, rec.take())
		require.Len(t, parents[0].Items, 2)
		require.Equal(t, 1, parents[0].Items[0].Found, "the copy in the parent's slice ran the hook once")
		require.Equal(t, 1, parents[0].Items[1].Found)

		// Belongs-to, by a second query and by a join; nested.
		for _, joined := range []bool{false, true} {
			items, err := orm.Query[HookItem](db).OrderBy("name").Preload("Parent", func(q *orm.PreloadQuery) {
				if joined {
					q.Joined()
				}
			}).All(ctx)
			require.NoError(t, err)
			calls := rec.take()
			require.Equal(t, "AfterFind:x", calls[len(calls)-2], "joined=%v: %v", joined, calls)
			require.Equal(t, "AfterFind:y", calls[len(calls)-1])
			require.Contains(t, calls[:len(calls)-2], "AfterFind:parent p")
			require.Equal(t, "p", items[1].Parent.Name)
		}
		nested, err := orm.Query[HookItem](db).Where("name = ?", "x").Preload("Parent.Items").One(ctx)
		require.NoError(t, err)
		require.Equal(t, []string{"AfterFind:x", "AfterFind:y", "AfterFind:parent p", "AfterFind:x"}, rec.take())
		require.Len(t, nested.Parent.Items, 2)

		// Load.
		var lp HookParent
		require.NoError(t, db.Get(ctx, &lp, p.ID))
		require.NoError(t, db.Load(ctx, &lp, "Items"))
		require.Equal(t, []string{"AfterFind:parent p", "AfterFind:x", "AfterFind:y"}, sortedTail(rec.take(), 1))
		require.Equal(t, 1, lp.Items[0].Found)

		// In a Session, the hook gets it.
		require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
			_, err := orm.Query[HookItem](tx).All(ctx)
			require.NoError(t, err)
			require.Len(t, rec.handles, 2)
			require.Same(t, tx, rec.handles[0])
			return nil
		}))
		rec.take()

		// An error stops the load and comes back wrapped.
		rec.fail = map[string]string{"AfterFind": "y"}
		_, err = orm.Query[HookItem](db).All(ctx)
		require.ErrorIs(t, err, errHook)
		require.Contains(t, err.Error(), "orm: query hook_item: AfterFind: hook refused")
		require.ErrorIs(t, db.Get(ctx, &got, p.Items[1].ID), errHook)
		_, err = orm.Query[HookParent](db).Preload("Items").All(ctx)
		require.ErrorIs(t, err, errHook)
		err = orm.Query[HookItem](db).OrderBy("name").Each(ctx, func(*HookItem) error { return nil })
		require.ErrorIs(t, err, errHook)
	})
}

// sortedTail sorts s after its first n elements (rows of one level come
// in the database's order).
func sortedTail(s []string, n int) []string {
	slices.Sort(s[n:])
	return s
}

func TestHooksMixin(t *testing.T) {
	eachDB(t, hookModels, func(t *testing.T, db *orm.DB) {
		ctx := context.WithValue(context.Background(), hookUserKey{}, "ann")
		a := HookAudited{Name: "doc"}
		require.NoError(t, db.Insert(ctx, &a))
		require.Equal(t, "ann", a.CreatedBy)
		var got HookAudited
		require.NoError(t, db.Get(ctx, &got, a.ID))
		require.Equal(t, "ann", got.CreatedBy)

		rows := []HookAudited{{Name: "x"}, {Name: "y", HookAudit: HookAudit{CreatedBy: "bob"}}}
		require.NoError(t, db.Insert(ctx, rows))
		var by []string
		require.NoError(t, db.Select(ctx, &by, "SELECT created_by FROM hook_audited ORDER BY id"))
		require.Equal(t, []string{"ann", "ann", "bob"}, by)
	})
}

func TestHooksSoftDelete(t *testing.T) {
	eachDB(t, hookModels, func(t *testing.T, db *orm.DB) {
		rec := &hookRec{}
		ctx := withRec(rec)
		s := HookSoft{Name: "s"}
		require.NoError(t, db.Insert(ctx, &s))
		require.NoError(t, db.Delete(ctx, &s))
		require.Equal(t, []string{"BeforeDelete:s", "AfterDelete:s"}, rec.take(), "the delete hooks, not the update hooks")
		n, err := orm.Query[HookSoft](db).OnlyDeleted().Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)

		// A failed AfterDelete undoes the soft delete.
		s2 := HookSoft{Name: "s2"}
		require.NoError(t, db.Insert(ctx, &s2))
		rec.fail = map[string]string{"AfterDelete": "s2"}
		require.ErrorIs(t, db.Delete(ctx, &s2), errHook)
		require.Nil(t, s2.DeletedAt, "the field is restored")
		n, err = orm.Query[HookSoft](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
	})
}

func TestHooksNotOnBulkQueries(t *testing.T) {
	eachDB(t, hookModels, func(t *testing.T, db *orm.DB) {
		rec := &hookRec{}
		ctx := withRec(rec)
		require.NoError(t, db.Insert(ctx, []HookItem{{Name: "a"}, {Name: "b"}}))
		require.NoError(t, db.Insert(ctx, &HookSoft{Name: "s"}))
		rec.take()

		n, err := orm.Query[HookItem](db).Where("name = ?", "a").UpdateColumns(ctx, map[string]any{"stamp": "bulk"})
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		n, err = orm.Query[HookItem](db).Where("name = ?", "b").Delete(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		n, err = orm.Query[HookSoft](db).Delete(ctx) // a soft delete
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		c, err := orm.Query[HookItem](db).Count(ctx)
		require.NoError(t, err)
		require.EqualValues(t, 1, c)
		require.Empty(t, rec.take())
	})
}
