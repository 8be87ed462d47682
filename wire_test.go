package orm_test

// The wire-level check that tagorm never inlines a value into SQL text:
// every write and read API runs with distinctive marker values through a
// proxy (internal/faultproxy) that records every SQL text the client
// sends — PostgreSQL Query and Parse messages, MySQL COM_QUERY and
// COM_STMT_PREPARE commands — and no marker may appear in any of them;
// the markers must also read back exactly as written.
//
// SQLite is absent by design: it has no network protocol to observe (the
// driver calls the library in-process), so there is no wire to check.

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/internal/faultproxy"
)

// WireAuthor writes notes.
type WireAuthor struct {
	ID    int64
	Name  string     `orm:"size:100"`
	Notes []WireNote `orm:"has_many;foreign_key:AuthorID"`
}

// WireNote carries a value of each kind: text, bytes, integer, float,
// time; PostgreSQL inserts many of them at once with array parameters.
type WireNote struct {
	ID       int64
	Title    string `orm:"size:100;unique"`
	Body     []byte
	Amount   int64
	Ratio    float64
	At       time.Time
	AuthorID int64
	Author   *WireAuthor  `orm:"belongs_to"`
	Labels   []*WireLabel `orm:"many_to_many:wire_note_labels"`
}

// WireLabel's column has a PostgreSQL type of its own, so PostgreSQL
// inserts many labels with a multi-row VALUES list, not arrays.
type WireLabel struct {
	ID    int64
	Label string `orm:"size:100;unique;postgres_type:varchar(100)"`
}

// wireMarkers hands out values that cannot appear in SQL text unless a
// value was inlined, and remembers how each would look there.
type wireMarkers struct {
	n     int
	texts []string // what must never appear in SQL text
}

// str returns a string marker with quotes, a backslash and a comment
// opener in it.
func (w *wireMarkers) str() string {
	w.n++
	core := fmt.Sprintf("qzWire%03d", w.n)
	w.texts = append(w.texts, core)
	return core + `'; --"\ ` + "é"
}

// num returns an integer marker.
func (w *wireMarkers) num() int64 {
	w.n++
	v := int64(7_300_000_000_000) + int64(w.n)*7919
	w.texts = append(w.texts, fmt.Sprint(v))
	return v
}

// float returns a float marker.
func (w *wireMarkers) float() float64 {
	w.n++
	v := 917_000.0 + float64(w.n) + 0.5
	w.texts = append(w.texts, strings.TrimSuffix(fmt.Sprint(v), ".5"))
	return v
}

// bytes returns a bytes marker, with a NUL and invalid UTF-8.
func (w *wireMarkers) bytes() []byte {
	w.n++
	core := fmt.Sprintf("qzBytes%03d", w.n)
	w.texts = append(w.texts, core, hex.EncodeToString([]byte(core)))
	return append(append([]byte{0, 0xff}, core...), 0xfe)
}

// time returns a time marker (microsecond precision, UTC).
func (w *wireMarkers) time() time.Time {
	w.n++
	v := time.Date(2031, 7, 1+w.n%27, 13, 37, w.n%60, 123456000, time.UTC)
	w.texts = append(w.texts, v.Format("2006-01-02"))
	return v
}

func (w *wireMarkers) note() WireNote {
	return WireNote{Title: w.str(), Body: w.bytes(), Amount: w.num(), Ratio: w.float(), At: w.time()}
}

// requireNoteEqual checks that a note read back holds what was written.
func requireNoteEqual(t *testing.T, want, got WireNote) {
	t.Helper()
	require.Equal(t, want.Title, got.Title)
	require.True(t, bytes.Equal(want.Body, got.Body), "body %x, want %x", got.Body, want.Body)
	require.Equal(t, want.Amount, got.Amount)
	require.Equal(t, want.Ratio, got.Ratio)
	require.True(t, want.At.Equal(got.At), "at %v, want %v", got.At, want.At)
}

// inlined returns, for each marker that appears in a statement, a line
// naming both.
func inlined(stmts []string, w *wireMarkers) []string {
	var out []string
	for _, s := range stmts {
		for _, m := range w.texts {
			if strings.Contains(s, m) {
				out = append(out, fmt.Sprintf("%q in %q", m, s))
			}
		}
	}
	return out
}

func TestWireNoValueInlined(t *testing.T) {
	for _, name := range dbtest.Servers {
		t.Run(name, func(t *testing.T) {
			tdb := dbtest.Open(t, name)
			p, dsn := faultproxy.ForDB(t, tdb)
			db := openDSN(t, tdb.DriverName, dsn)
			require.NoError(t, orm.AutoMigrate(db, &WireAuthor{}, &WireNote{}, &WireLabel{}))
			p.ResetStatements()
			w := &wireMarkers{}
			wireAPIs(t, db, w)
			stmts := p.Statements()
			require.NotEmpty(t, stmts)
			require.Empty(t, inlined(stmts, w), "values inlined into SQL text")
			if name == "postgres" {
				joined := strings.Join(stmts, "\n")
				require.Contains(t, joined, "unnest(", "the array insert ran")
				require.Contains(t, joined, "), (", "a multi-row VALUES insert ran")
			}

			// The check can fail: a value written into the SQL text is
			// caught.
			p.ResetStatements()
			control := &wireMarkers{n: 900}
			lit := control.str()
			lit = "'" + strings.ReplaceAll(lit, "'", "''") + "'"
			if name == "mysql" {
				lit = strings.ReplaceAll(lit, `\`, `\\`)
			}
			var got []string
			require.NoError(t, db.Select(context.Background(), &got, "SELECT title FROM wire_note WHERE title = "+lit))
			require.NotEmpty(t, inlined(p.Statements(), control), "an inlined value went unnoticed")
		})
	}
}

// wireAPIs runs every write and read API with marker values from w and
// checks that what was written reads back exactly.
func wireAPIs(t *testing.T, db *orm.DB, w *wireMarkers) {
	ctx := context.Background()
	get := func(id int64) WireNote {
		t.Helper()
		var got WireNote
		require.NoError(t, db.Get(ctx, &got, id))
		return got
	}

	// Insert: one row, with a new related row (the author) inserted first.
	author := &WireAuthor{Name: w.str()}
	one := w.note()
	one.Author = author
	require.NoError(t, db.Insert(ctx, &one))
	requireNoteEqual(t, one, get(one.ID))
	var gotAuthor WireAuthor
	require.NoError(t, db.Get(ctx, &gotAuthor, author.ID))
	require.Equal(t, author.Name, gotAuthor.Name)

	// Bulk insert: many notes (PostgreSQL: array parameters), many labels
	// (multi-row VALUES everywhere).
	many := make([]WireNote, 5)
	for i := range many {
		many[i] = w.note()
		many[i].AuthorID = author.ID
	}
	require.NoError(t, db.Insert(ctx, &many))
	for _, n := range many {
		requireNoteEqual(t, n, get(n.ID))
	}
	labels := []*WireLabel{{Label: w.str()}, {Label: w.str()}, {Label: w.str()}}
	require.NoError(t, db.Insert(ctx, labels))
	for _, l := range labels {
		var got WireLabel
		require.NoError(t, db.Get(ctx, &got, l.ID))
		require.Equal(t, l.Label, got.Label)
	}

	// Upsert, DoUpdate: the conflicting row takes the new values.
	up := w.note()
	up.Title, up.AuthorID = many[0].Title, author.ID
	require.NoError(t, db.Upsert(ctx, &up, orm.OnConflict("title").DoUpdate("body", "amount", "ratio", "at")))
	got := get(many[0].ID)
	up.ID = many[0].ID
	requireNoteEqual(t, up, got)
	// Upsert, DoNothing: the row is left alone; a new one is inserted.
	skip := w.note()
	skip.Title, skip.AuthorID = many[1].Title, author.ID
	require.NoError(t, db.Upsert(ctx, &skip, orm.OnConflict("title").DoNothing()))
	requireNoteEqual(t, many[1], get(many[1].ID))
	fresh := w.note()
	fresh.AuthorID = author.ID
	require.NoError(t, db.Upsert(ctx, &fresh, orm.OnConflict("title").DoNothing()))
	n, err := orm.Query[WireNote](db).Where("title = ?", fresh.Title).Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	// Upsert of many rows at once.
	ups := []WireNote{many[2], many[3]}
	for i := range ups {
		ups[i].Amount, ups[i].Body = w.num(), w.bytes()
	}
	require.NoError(t, db.Upsert(ctx, &ups, orm.OnConflict("title").DoUpdate("amount", "body")))
	requireNoteEqual(t, ups[0], get(many[2].ID))
	requireNoteEqual(t, ups[1], get(many[3].ID))

	// Update: some columns, then every column.
	one.Amount = w.num()
	require.NoError(t, db.Update(ctx, &one, "amount"))
	requireNoteEqual(t, one, get(one.ID))
	one.Title, one.Body, one.Ratio, one.At = w.str(), w.bytes(), w.float(), w.time()
	require.NoError(t, db.Update(ctx, &one))
	requireNoteEqual(t, one, get(one.ID))

	// UpdateColumns with a Where argument.
	newRatio, newTitle := w.float(), w.str()
	rows, err := orm.Query[WireNote](db).Where("amount = ?", many[4].Amount).
		UpdateColumns(ctx, map[string]any{"ratio": newRatio, "title": newTitle})
	require.NoError(t, err)
	require.EqualValues(t, 1, rows)
	many[4].Ratio, many[4].Title = newRatio, newTitle
	requireNoteEqual(t, many[4], get(many[4].ID))

	// Reads: Where with arguments, First, One, Exists, Count.
	found, err := orm.Query[WireNote](db).Where("title = ? AND amount = ? AND at = ?", one.Title, one.Amount, one.At).All(ctx)
	require.NoError(t, err)
	require.Len(t, found, 1)
	requireNoteEqual(t, one, found[0])
	first, err := orm.Query[WireNote](db).Where("body = ?", one.Body).First(ctx)
	require.NoError(t, err)
	requireNoteEqual(t, one, *first)
	only, err := orm.Query[WireNote](db).Where("ratio = ?", one.Ratio).One(ctx)
	require.NoError(t, err)
	requireNoteEqual(t, one, *only)
	ok, err := orm.Query[WireNote](db).Where("title = ?", w.str()).Exists(ctx)
	require.NoError(t, err)
	require.False(t, ok)

	// IN lists from slices: WhereIn, "IN ?", NOT IN; tuple IN.
	titles := []string{many[1].Title, many[4].Title, w.str()}
	in, err := orm.Query[WireNote](db).WhereIn("title", titles).OrderBy("id").All(ctx)
	require.NoError(t, err)
	require.Len(t, in, 2)
	requireNoteEqual(t, many[1], in[0])
	amounts := []int64{many[1].Amount, many[4].Amount, w.num()}
	in, err = orm.Query[WireNote](db).Where("amount IN ?", amounts).All(ctx)
	require.NoError(t, err)
	require.Len(t, in, 2)
	cnt, err := orm.Query[WireNote](db).WhereNotIn("title", titles).Where("author_id = ?", author.ID).Count(ctx)
	require.NoError(t, err)
	require.Positive(t, cnt)
	in, err = orm.Query[WireNote](db).Where("(title, amount) IN ?", [][]any{{many[1].Title, many[1].Amount}, {w.str(), w.num()}}).All(ctx)
	require.NoError(t, err)
	require.Len(t, in, 1)
	requireNoteEqual(t, many[1], in[0])

	// Pluck with a Where argument.
	plucked, err := orm.Pluck[string](ctx, orm.Query[WireNote](db).Where("amount = ?", one.Amount), "title")
	require.NoError(t, err)
	require.Equal(t, []string{one.Title}, plucked)

	// Preload (belongs_to, has_many with a Where argument), Load, WhereHas.
	withAuthor, err := orm.Query[WireNote](db).Where("id = ?", one.ID).Preload("Author").One(ctx)
	require.NoError(t, err)
	require.Equal(t, author.Name, withAuthor.Author.Name)
	authors, err := orm.Query[WireAuthor](db).Where("name = ?", author.Name).
		Preload("Notes", func(q *orm.PreloadQuery) { q.Where("amount <> ?", w.num()) }).All(ctx)
	require.NoError(t, err)
	require.Len(t, authors, 1)
	require.NotEmpty(t, authors[0].Notes)
	has, err := orm.Query[WireAuthor](db).WhereHas("Notes", "title = ?", one.Title).Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, has)

	// Association writes: Append (a new label inserted, an existing one
	// linked), Count, Remove, Replace, Clear.
	assoc := db.Association(&one, "Labels")
	newLabel := &WireLabel{Label: w.str()}
	require.NoError(t, assoc.Append(ctx, labels[0], newLabel))
	var gotLabel WireLabel
	require.NoError(t, db.Get(ctx, &gotLabel, newLabel.ID))
	require.Equal(t, newLabel.Label, gotLabel.Label)
	c, err := assoc.Count(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 2, c)
	require.NoError(t, assoc.Remove(ctx, labels[0]))
	require.NoError(t, assoc.Replace(ctx, labels[1], labels[2]))
	var linked WireNote
	require.NoError(t, db.Get(ctx, &linked, one.ID))
	require.NoError(t, db.Load(ctx, &linked, "Labels"))
	require.Len(t, linked.Labels, 2)
	require.ElementsMatch(t, []string{labels[1].Label, labels[2].Label}, []string{linked.Labels[0].Label, linked.Labels[1].Label})
	require.NoError(t, assoc.Clear(ctx))

	// Raw Select and Exec with arguments (a slice expands to a list).
	var rawTitles []string
	require.NoError(t, db.Select(ctx, &rawTitles, "SELECT title FROM wire_note WHERE title IN ? AND amount <> ? ORDER BY id", titles, w.num()))
	require.Equal(t, []string{many[1].Title, many[4].Title}, rawTitles)
	rawBody := w.bytes()
	res, err := db.Exec(ctx, "UPDATE wire_note SET body = ? WHERE title = ?", rawBody, many[1].Title)
	require.NoError(t, err)
	affected, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, 1, affected)
	many[1].Body = rawBody
	requireNoteEqual(t, many[1], get(many[1].ID))

	// In a transaction.
	inTx := w.note()
	inTx.AuthorID = author.ID
	require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error {
		if err := tx.Insert(ctx, &inTx); err != nil {
			return err
		}
		_, err := orm.Query[WireNote](tx).Where("title = ?", inTx.Title).UpdateColumns(ctx, map[string]any{"amount": w.num()})
		return err
	}))

	// Deletes: a struct, then by query with an argument.
	require.NoError(t, db.Delete(ctx, &many[3]))
	var gone WireNote
	require.ErrorIs(t, db.Get(ctx, &gone, many[3].ID), orm.ErrNotFound)
	deleted, err := orm.Query[WireNote](db).Where("title = ?", fresh.Title).Delete(ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, deleted)
}
