package migration

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

// CompareOption tunes Compare.
type CompareOption func(*compareConfig)

type compareConfig struct {
	dialect  dialects.Dialect
	ignore   map[string]bool
	types    bool
	defaults bool
}

// WithDialect sets the dialect of the live database. It is required:
// types and defaults can only be compared the way that database reports
// them.
func WithDialect(d dialects.Dialect) CompareOption {
	return func(c *compareConfig) { c.dialect = d }
}

// IgnoreTables leaves the named tables out of the comparison, on both
// sides. VersionTable is always ignored.
func IgnoreTables(names ...string) CompareOption {
	return func(c *compareConfig) {
		for _, n := range names {
			c.ignore[n] = true
		}
	}
}

// CompareTypes turns the comparison of column types (and enum values) on
// or off. It is on by default.
func CompareTypes(on bool) CompareOption {
	return func(c *compareConfig) { c.types = on }
}

// CompareDefaults turns the comparison of server defaults on or off. It
// is on by default.
func CompareDefaults(on bool) CompareOption {
	return func(c *compareConfig) { c.defaults = on }
}

// Diff is the result of Compare.
type Diff struct {
	// Ops turn the live schema into the target, in an order in which they
	// can be applied. Compare reports every difference, drops included;
	// whether destructive ops are applied is AutoMigrate's decision (see
	// Op.Destructive).
	Ops []Op
	// Hints are remarks for people: possible renames, what could not be
	// compared.
	Hints []string
}

// Empty reports whether the schemas are the same (hints aside).
func (d *Diff) Empty() bool { return len(d.Ops) == 0 }

// String lists the ops and hints, one a line.
func (d *Diff) String() string {
	var b strings.Builder
	for _, op := range d.Ops {
		b.WriteString(op.String())
		b.WriteByte('\n')
	}
	for _, h := range d.Hints {
		b.WriteString("hint: ")
		b.WriteString(h)
		b.WriteByte('\n')
	}
	return b.String()
}

// The phases of the plan, in order.
const (
	phDropFK = iota
	phDropKey
	phRenameTable
	phRenameColumn
	phCreateTable
	phAddColumn
	phAlter
	phAddKey
	phDropKeyLate
	phAddFK
	phDropColumn
	phDropTable
	phComment
	numPhases
)

// Compare returns the ops that turn the live schema (as Inspect reads
// it) into the target schema (as the orm package builds it from models,
// see orm.DB.MetaData), and hints for people. It is a pure function: it
// reads no database and changes neither argument. It fails when no
// dialect is given (WithDialect), when either schema is nil, or when
// target names a table or a column twice. VersionTable and the tables
// named by IgnoreTables are left out on both sides.
//
// Normalisation. Each target column is first turned into what the
// database would report for it (dialects.Normalizer.NormalizeColumn: the
// type rendered with the dialect's ColumnType and parsed back by the
// dialect's Inspect parser, the default normalised as Inspect normalises
// it), then compared with the live column. So int4 and integer, varchar
// and character varying, tinyint(1) and boolean, now() and
// CURRENT_TIMESTAMP(6), 'x'::character varying and 'x', MariaDB's 0.00
// and 0 compare equal, and a difference the database cannot represent
// (SmallInt versus BigInt on SQLite, a bytea length on PostgreSQL) is no
// difference.
//
// Matching.
//   - Tables and columns match by name. A target table or column whose
//     RenamedFrom names a live one that has no target counterpart of its
//     own is matched to it and a RenameTable or RenameColumn op keeps the
//     data. Renames are never guessed: without RenamedFrom a drop and an
//     add are reported, and a hint names the likely rename.
//   - The primary key matches by columns (its name is ignored: MySQL calls
//     every primary key PRIMARY).
//   - Unique constraints and indexes match by name and definition
//     (unique or not, columns in order, DESC), as Alembic and Atlas
//     match them: a key whose name changes is dropped and created again
//     under its new name, so a name the target gives to another key is
//     free when that key is created. Whether it is a constraint or an
//     index does not matter: a target unique constraint matches a live
//     unique index of the same name and columns (MySQL reports unique
//     constraints as unique indexes). A live key without a name (SQLite's
//     inline UNIQUE) matches by definition. A live non-unique index on exactly the columns of a
//     target foreign key, named after that foreign key or after its first
//     column, is the index InnoDB creates for the foreign key and is never
//     dropped.
//   - Foreign keys match by columns, referenced table and columns (after
//     renames) and ON DELETE / ON UPDATE actions, compared with the
//     dialect's ReferentialActionsEqual (on MySQL "", NO ACTION and
//     RESTRICT are the same). A changed action is a drop and an add.
//   - Check constraints match by name only: their expressions are printed
//     back by each database in its own way and are not compared. Unnamed
//     target checks cannot be matched and are skipped with a hint;
//     unnamed live checks (SQLite) are left alone.
//   - On dialects whose foreign keys need an index led by their columns
//     (dialects.ForeignKeyIndexer: InnoDB refuses to drop the last one,
//     error 1553), an index or unique key the target drops while it is
//     the only one serving a foreign key that stays is handled as Atlas
//     does: dropped after the target's other index serving the key is
//     created; kept, with a hint, when it is a plain index and the target
//     declares no other (InnoDB would create the same one); otherwise
//     (a unique key, an index re-created under its own name) dropped
//     with the foreign key dropped before and re-created after.
//   - Comments are compared only on dialects with dialects.ColumnComments.
//   - Table options (ENGINE, charset) and auto-increment are not compared
//     (an auto-increment difference is reported as a hint).
//
// Enums. When the live values are a prefix of the target values, the
// added values become one AddEnumValues op. Any other change of the values
// (removal, reordering, insertion in the middle) is an AlterColumn type
// change, Narrowing when a value is removed.
//
// Order. The ops come in phases, so that every statement finds what it
// needs: (1) drop foreign keys — those removed or changed, those of
// dropped tables that close a cycle, and those that must be re-created
// around a type change of one of their columns (dialects with
// AlterConstraints); (2) drop indexes, unique constraints and checks;
// (3) rename tables, then columns; (4) create tables, referenced tables
// first (foreign keys closing a cycle, or referencing a column or key
// that this migration adds, are left to CreateTable.DeferredFKs and
// later AddForeignKey ops on dialects with AlterConstraints; SQLite
// accepts forward references and keeps them inline); (5) add columns;
// (6) alter columns, add enum values, alter primary keys; (7) add unique
// constraints, indexes and checks, then drop the indexes a foreign key
// needed until then (see below); (8) add foreign keys; (9) drop
// columns; (10) drop tables, referencing tables before referenced ones;
// (11) comments. Within a phase ops are sorted by table name, and within
// a table follow column order, then constraint names: the output is
// deterministic. The drops of phases 1 and 2 run before the renames and
// name the live table and live objects; every later op names the target
// table.
//
// Type changes. AlterColumn.TypeChanged compares normalised types (see
// dialects.TypesEqual); Narrowing is set unless the change only widens:
// a longer string or bounded binary, more decimal integer digits and at
// least as many fractional ones (or an unbounded numeric), more datetime
// precision, SmallInt → Integer → BigInt (not signed → unsigned), Float →
// Double, String or Enum → Text, Enum → a String long enough for its
// values, enum values added or reordered. Any other kind change, a Custom
// type change or an unsigned flip is Narrowing.
func Compare(target, live *schema.MetaData, opts ...CompareOption) (*Diff, error) {
	cfg := compareConfig{ignore: map[string]bool{VersionTable: true}, types: true, defaults: true}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.dialect == nil {
		return nil, errors.New("migration: compare: no dialect (pass WithDialect)")
	}
	if target == nil || live == nil {
		return nil, errors.New("migration: compare: nil schema")
	}
	c := &comparer{
		cfg:        cfg,
		norm:       dialects.NormalizerFor(cfg.dialect),
		features:   cfg.dialect.Features(),
		live:       map[string]*schema.Table{},
		target:     map[string]*schema.Table{},
		renamedT:   map[string]string{},
		colRen:     map[string]map[string]string{},
		changed:    map[string]map[string]bool{},
		droppedKey: map[string]bool{},
	}
	if err := c.index(target, live); err != nil {
		return nil, err
	}
	c.run()
	diff := &Diff{Hints: c.hints}
	for i, ph := range c.phases {
		if i != phCreateTable && i != phDropTable { // those are in dependency order
			slices.SortStableFunc(ph, func(a, b Op) int { return strings.Compare(a.TableName(), b.TableName()) })
		}
		diff.Ops = append(diff.Ops, ph...)
	}
	return diff, nil
}

// comparer holds the state of one Compare.
type comparer struct {
	cfg      compareConfig
	norm     dialects.Normalizer
	features dialects.Feature

	target, live map[string]*schema.Table // by name, ignored tables left out
	targets      []*schema.Table          // sorted by name
	pairs        []*tablePair             // sorted by target name
	added        []*schema.Table          // target tables to create, sorted by name
	drops        []*schema.Table          // live tables to drop, sorted by name
	renamedT     map[string]string        // live table name → target name
	// colRen maps a target table name to its column renames (live name →
	// target name).
	colRen map[string]map[string]string
	// changed holds, per target table, the columns whose type changes.
	changed map[string]map[string]bool
	// droppedKey holds "table\x00col\x00col..." (target names) for each
	// live unique key this migration drops.
	droppedKey map[string]bool

	phases [numPhases][]Op
	hints  []string
}

// tablePair is a target table and the live table it matches.
type tablePair struct {
	t, l *schema.Table
	// view is the live table in target names (table and column renames
	// applied, referenced tables and columns too).
	view  *schema.Table
	cols  []colPair
	addC  []*schema.Column // target columns to add
	dropC []*schema.Column // live columns to drop
}

type colPair struct {
	t *schema.Column // as declared
	n *schema.Column // normalised
	l *schema.Column // live, renamed to the target name
}

func (c *comparer) add(ph int, op Op) { c.phases[ph] = append(c.phases[ph], op) }

func (c *comparer) hint(format string, args ...any) {
	c.hints = append(c.hints, fmt.Sprintf(format, args...))
}

// index collects the tables of both sides and pairs them.
func (c *comparer) index(target, live *schema.MetaData) error {
	for _, t := range target.Tables {
		if c.cfg.ignore[t.Name] {
			continue
		}
		if _, dup := c.target[t.Name]; dup {
			return fmt.Errorf("migration: compare: target table %q declared twice", t.Name)
		}
		seen := map[string]bool{}
		for _, col := range t.Columns {
			if seen[col.Name] {
				return fmt.Errorf("migration: compare: target table %q declares column %q twice", t.Name, col.Name)
			}
			seen[col.Name] = true
		}
		c.target[t.Name] = t
		c.targets = append(c.targets, t)
	}
	for _, t := range live.Tables {
		if !c.cfg.ignore[t.Name] {
			c.live[t.Name] = t
		}
	}
	slices.SortFunc(c.targets, func(a, b *schema.Table) int { return strings.Compare(a.Name, b.Name) })

	claimed := map[string]bool{}
	for _, t := range c.targets {
		if l := c.live[t.Name]; l != nil {
			claimed[t.Name] = true
			c.pairs = append(c.pairs, &tablePair{t: t, l: l})
		}
	}
	for _, t := range c.targets {
		if c.live[t.Name] != nil {
			continue
		}
		from := t.RenamedFrom
		if l := c.live[from]; from != "" && l != nil && c.target[from] == nil && !claimed[from] {
			claimed[from] = true
			c.renamedT[from] = t.Name
			c.add(phRenameTable, &RenameTable{From: from, To: t.Name})
			c.pairs = append(c.pairs, &tablePair{t: t, l: l})
			continue
		}
		c.added = append(c.added, t)
	}
	slices.SortFunc(c.pairs, func(a, b *tablePair) int { return strings.Compare(a.t.Name, b.t.Name) })
	for _, l := range live.Tables {
		if c.live[l.Name] != nil && !claimed[l.Name] {
			c.drops = append(c.drops, l)
		}
	}
	slices.SortFunc(c.drops, func(a, b *schema.Table) int { return strings.Compare(a.Name, b.Name) })
	return nil
}

func (c *comparer) run() {
	for _, p := range c.pairs {
		c.pairColumns(p)
	}
	for _, p := range c.pairs {
		p.view = c.liveView(p)
	}
	for _, p := range c.pairs {
		c.compareColumns(p)
	}
	for _, p := range c.pairs {
		c.compareKeys(p)
		c.compareChecks(p)
		if c.features.Has(dialects.ColumnComments) && p.t.Comment != p.l.Comment {
			c.add(phComment, &SetTableComment{Table: p.t.Name, From: p.l.Comment, To: p.t.Comment})
		}
	}
	// Foreign keys last: they depend on column type changes and dropped
	// keys of every table.
	for _, p := range c.pairs {
		c.compareForeignKeys(p)
	}
	if fi, ok := c.cfg.dialect.(dialects.ForeignKeyIndexer); ok && fi.ForeignKeysNeedIndex() {
		for _, p := range c.pairs {
			c.keepForeignKeyIndexes(p)
		}
	}
	c.createTables()
	c.dropTables()
	c.renameHints()
}

// pairColumns matches the columns of a table pair by name, then by
// RenamedFrom.
func (c *comparer) pairColumns(p *tablePair) {
	claimed := map[string]bool{}
	ren := map[string]string{}
	for _, tc := range p.t.Columns {
		if lc := p.l.Column(tc.Name); lc != nil {
			claimed[lc.Name] = true
		}
	}
	for _, tc := range p.t.Columns {
		lc := p.l.Column(tc.Name)
		if lc == nil && tc.RenamedFrom != "" && p.t.Column(tc.RenamedFrom) == nil && !claimed[tc.RenamedFrom] {
			if lc = p.l.Column(tc.RenamedFrom); lc != nil {
				claimed[lc.Name] = true
				ren[lc.Name] = tc.Name
				c.add(phRenameColumn, &RenameColumn{Table: p.t.Name, From: lc.Name, To: tc.Name})
			}
		}
		if lc == nil {
			p.addC = append(p.addC, tc)
			continue
		}
		l := lc.Clone()
		l.Name = tc.Name
		p.cols = append(p.cols, colPair{t: tc, n: c.norm.NormalizeColumn(p.t, tc), l: l})
	}
	for _, lc := range p.l.Columns {
		if !claimed[lc.Name] {
			p.dropC = append(p.dropC, lc)
		}
	}
	c.colRen[p.t.Name] = ren
}

// liveName maps a live table name to its target name.
func (c *comparer) liveName(table string) string {
	if n, ok := c.renamedT[table]; ok {
		return n
	}
	return table
}

// liveCols maps live column names of the live table named table to
// target names.
func (c *comparer) liveCols(table string, cols []string) []string {
	ren := c.colRen[c.liveName(table)]
	if len(ren) == 0 {
		return slices.Clone(cols)
	}
	out := make([]string, len(cols))
	for i, n := range cols {
		if to, ok := ren[n]; ok {
			n = to
		}
		out[i] = n
	}
	return out
}

// liveView returns a copy of the live table of p with the renames of
// this migration applied, so that it can be compared with the target
// table by names.
func (c *comparer) liveView(p *tablePair) *schema.Table {
	v := p.l.Clone()
	ln := p.l.Name
	v.Name = p.t.Name
	for _, col := range v.Columns {
		col.Name = c.liveCols(ln, []string{col.Name})[0]
	}
	if v.PrimaryKey != nil {
		v.PrimaryKey.Columns = c.liveCols(ln, v.PrimaryKey.Columns)
	}
	for _, u := range v.Uniques {
		u.Columns = c.liveCols(ln, u.Columns)
	}
	for _, ix := range v.Indexes {
		for i := range ix.Columns {
			ix.Columns[i].Name = c.liveCols(ln, []string{ix.Columns[i].Name})[0]
		}
	}
	for _, fk := range v.ForeignKeys {
		fk.Columns = c.liveCols(ln, fk.Columns)
		fk.RefColumns = c.liveCols(fk.RefTable, fk.RefColumns)
		fk.RefTable = c.liveName(fk.RefTable)
	}
	return v
}

// compareColumns reports added, dropped and changed columns of p.
func (c *comparer) compareColumns(p *tablePair) {
	name := p.t.Name
	for _, tc := range p.addC {
		c.add(phAddColumn, &AddColumn{Table: name, Column: tc})
	}
	for _, cp := range p.cols {
		n, l := cp.n, cp.l
		op := &AlterColumn{Table: name, From: l, To: cp.t}
		if c.cfg.types && !c.norm.TypesEqual(n.Type, l.Type) {
			if vals, ok := appendedEnumValues(l.Type, n.Type); ok {
				c.add(phAlter, &AddEnumValues{Table: name, Column: cp.t, Values: vals})
			} else {
				op.TypeChanged = true
				op.Narrowing = narrowing(l.Type, n.Type)
				if c.changed[name] == nil {
					c.changed[name] = map[string]bool{}
				}
				c.changed[name][cp.t.Name] = true
			}
		}
		op.NullChanged = n.Nullable != l.Nullable
		op.DefaultChanged = c.cfg.defaults && !c.norm.DefaultsEqual(n.Default, l.Default, n.Type)
		op.CommentChanged = c.features.Has(dialects.ColumnComments) && n.Comment != l.Comment
		switch {
		case op.TypeChanged || op.NullChanged || op.DefaultChanged:
			c.add(phAlter, op)
		case op.CommentChanged:
			c.add(phComment, op)
		}
		if n.AutoIncrement != l.AutoIncrement {
			c.hint("column %s.%s: auto-increment differs (declared %t, live %t); auto-increment is not migrated", name, cp.t.Name, n.AutoIncrement, l.AutoIncrement)
		}
	}
	// Primary key, by columns.
	var tpk, lpk []string
	if p.t.PrimaryKey != nil {
		tpk = p.t.PrimaryKey.Columns
	}
	if p.view.PrimaryKey != nil {
		lpk = p.view.PrimaryKey.Columns
	}
	if !slices.Equal(tpk, lpk) {
		c.add(phAlter, &AlterPrimaryKey{Table: name, From: p.view.PrimaryKey, To: p.t.PrimaryKey})
	}
	for _, lc := range p.dropC {
		c.add(phDropColumn, &DropColumn{Table: name, Column: lc})
	}
}

// appendedEnumValues reports whether the target enum to only appends
// values to the live enum from, and returns the new values.
func appendedEnumValues(from, to schema.Type) ([]string, bool) {
	if from.Kind != schema.Enum || to.Kind != schema.Enum || from.EnumName != to.EnumName ||
		len(to.Values) <= len(from.Values) || !slices.Equal(from.Values, to.Values[:len(from.Values)]) {
		return nil, false
	}
	return slices.Clone(to.Values[len(from.Values):]), true
}

// narrowing reports whether changing a column from type from to type to
// (both normalised) may not keep every existing value.
func narrowing(from, to schema.Type) bool {
	if from.Kind == to.Kind {
		switch from.Kind {
		case schema.String:
			return to.Size > 0 && (from.Size == 0 || to.Size < from.Size)
		case schema.Binary:
			return to.Size > 0 && (from.Size == 0 || to.Size < from.Size)
		case schema.Decimal:
			switch {
			case to.Precision == 0:
				return false
			case from.Precision == 0:
				return true
			}
			return to.Precision-to.Scale < from.Precision-from.Scale || to.Scale < from.Scale
		case schema.DateTime:
			return to.Precision < from.Precision
		case schema.Enum:
			for _, v := range from.Values {
				if !slices.Contains(to.Values, v) {
					return true
				}
			}
			return false
		case schema.SmallInt, schema.Integer, schema.BigInt:
			return from.Unsigned != to.Unsigned
		case schema.Custom:
			return true
		}
		return false
	}
	intRank := map[schema.Kind]int{schema.SmallInt: 1, schema.Integer: 2, schema.BigInt: 3}
	if rf, rt := intRank[from.Kind], intRank[to.Kind]; rf > 0 && rt > 0 {
		return rt < rf || to.Unsigned && !from.Unsigned
	}
	switch {
	case from.Kind == schema.Float && to.Kind == schema.Double:
		return false
	case from.Kind == schema.String && to.Kind == schema.Text:
		return false
	case from.Kind == schema.Enum && to.Kind == schema.Text:
		return false
	case from.Kind == schema.Enum && to.Kind == schema.String:
		if to.Size == 0 {
			return false
		}
		for _, v := range from.Values {
			if len(v) > to.Size {
				return true
			}
		}
		return false
	}
	return true
}

// key is a unique constraint or an index, for matching by definition.
type key struct {
	name       string
	unique     bool
	constraint bool // a schema.Unique (else a schema.Index)
	cols       []schema.IndexColumn
	u          *schema.Unique
	ix         *schema.Index
}

// keysOf returns the unique constraints and indexes of t, sorted by name,
// with their column names mapped by rename (nil: unchanged).
func keysOf(t *schema.Table, rename func([]string) []string) []*key {
	if rename == nil {
		rename = slices.Clone[[]string]
	}
	var out []*key
	for _, u := range t.Uniques {
		k := &key{name: u.Name, unique: true, constraint: true, u: u}
		for _, col := range rename(u.Columns) {
			k.cols = append(k.cols, schema.IndexColumn{Name: col})
		}
		out = append(out, k)
	}
	for _, ix := range t.Indexes {
		k := &key{name: ix.Name, unique: ix.Unique, cols: slices.Clone(ix.Columns), ix: ix}
		for i, col := range rename(ix.ColumnNames()) {
			k.cols[i].Name = col
		}
		out = append(out, k)
	}
	slices.SortStableFunc(out, func(a, b *key) int { return strings.Compare(a.name, b.name) })
	return out
}

func (k *key) sameDef(o *key) bool { return k.unique == o.unique && slices.Equal(k.cols, o.cols) }

func (k *key) colNames() []string {
	out := make([]string, len(k.cols))
	for i, c := range k.cols {
		out[i] = c.Name
	}
	return out
}

// matchAll pairs targets with lives: first the same name and definition,
// then the same definition (preferring pairs pref accepts). It returns
// the unmatched elements of each side, in their order.
func matchAll[T any](targets, lives []T, name func(T) string, same func(a, b T) bool, pref func(a, b T) bool) (addT, dropL []T) {
	usedT := make([]bool, len(targets))
	usedL := make([]bool, len(lives))
	pass := func(ok func(a, b T) bool) {
		for i, t := range targets {
			if usedT[i] {
				continue
			}
			for j, l := range lives {
				if !usedL[j] && ok(t, l) {
					usedT[i], usedL[j] = true, true
					break
				}
			}
		}
	}
	pass(func(a, b T) bool { return name(a) == name(b) && same(a, b) })
	if pref != nil {
		pass(func(a, b T) bool { return pref(a, b) && same(a, b) })
	}
	pass(same)
	for i, t := range targets {
		if !usedT[i] {
			addT = append(addT, t)
		}
	}
	for j, l := range lives {
		if !usedL[j] {
			dropL = append(dropL, l)
		}
	}
	return addT, dropL
}

// compareKeys reports unique constraints and indexes to add and drop.
// Drops come before renames: they name the live table and live objects.
func (c *comparer) compareKeys(p *tablePair) {
	name := p.t.Name
	addK, dropK := matchAll(keysOf(p.t, nil), keysOf(p.l, func(cols []string) []string { return c.liveCols(p.l.Name, cols) }),
		func(k *key) string { return k.name },
		func(t, l *key) bool { return t.sameDef(l) && (t.name == l.name || l.name == "") },
		func(a, b *key) bool { return a.constraint == b.constraint })
	for _, k := range dropK {
		if !k.unique && c.backsForeignKey(p, k) {
			continue
		}
		if k.unique { // a foreign key may reference it
			c.droppedKey[name+"\x00"+strings.Join(k.colNames(), "\x00")] = true
		}
		if k.constraint {
			c.add(phDropKey, &DropUnique{Table: p.l.Name, Unique: k.u})
		} else {
			c.add(phDropKey, &DropIndex{Table: p.l.Name, Index: k.ix})
		}
	}
	for _, k := range addK {
		if k.constraint {
			c.add(phAddKey, &AddUnique{Table: name, Unique: k.u})
		} else {
			c.add(phAddKey, &CreateIndex{Table: name, Index: k.ix})
		}
	}
}

// backsForeignKey reports whether the live index k is the one InnoDB
// creates for a foreign key the target declares: not unique, ascending,
// on exactly the columns of a target foreign key, and named after that
// foreign key (its target or live name) or after its first column.
func (c *comparer) backsForeignKey(p *tablePair, k *key) bool {
	cols := k.colNames()
	for _, col := range k.cols {
		if col.Desc {
			return false
		}
	}
	if !slices.ContainsFunc(p.t.ForeignKeys, func(f *schema.ForeignKey) bool { return slices.Equal(f.Columns, cols) }) {
		return false
	}
	if k.name == cols[0] || k.name == k.ix.ColumnNames()[0] {
		return true
	}
	for _, fks := range [][]*schema.ForeignKey{p.t.ForeignKeys, p.view.ForeignKeys} {
		for _, fk := range fks {
			if k.name == fk.Name && slices.Equal(fk.Columns, cols) {
				return true
			}
		}
	}
	return false
}

// compareChecks reports check constraints to add and drop, by name.
func (c *comparer) compareChecks(p *tablePair) {
	name := p.t.Name
	live := map[string]*schema.Check{}
	for _, ck := range p.view.Checks {
		if ck.Name != "" {
			live[ck.Name] = ck
		}
	}
	want := map[string]bool{}
	for _, ck := range sortedChecks(p.t.Checks) {
		if ck.Name == "" {
			c.hint("check (%s) on %s has no name: unnamed checks are not compared", ck.Expr, name)
			continue
		}
		want[ck.Name] = true
		if live[ck.Name] == nil {
			c.add(phAddKey, &AddCheck{Table: name, Check: ck})
		}
	}
	for _, ck := range sortedChecks(p.view.Checks) {
		if ck.Name != "" && !want[ck.Name] {
			c.add(phDropKey, &DropCheck{Table: p.l.Name, Check: ck})
		}
	}
}

func sortedChecks(in []*schema.Check) []*schema.Check {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b *schema.Check) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// refColumns returns the referenced columns of fk, or when it has none
// the primary key of the referenced table in tables.
func refColumns(fk *schema.ForeignKey, ref *schema.Table) []string {
	if len(fk.RefColumns) > 0 || ref == nil || ref.PrimaryKey == nil {
		return fk.RefColumns
	}
	return ref.PrimaryKey.Columns
}

// compareForeignKeys reports foreign keys to add and drop. A foreign key
// that stays is still dropped and re-created when one of its columns or
// referenced columns changes type, or when the key it references is
// dropped (dialects with AlterConstraints).
func (c *comparer) compareForeignKeys(p *tablePair) {
	name := p.t.Name
	tref := func(fk *schema.ForeignKey) []string { return refColumns(fk, c.target[fk.RefTable]) }
	lref := func(fk *schema.ForeignKey) []string {
		var ref *schema.Table
		for _, q := range c.pairs {
			if q.t.Name == fk.RefTable {
				ref = q.view
			}
		}
		return refColumns(fk, ref)
	}
	same := func(a, b *schema.ForeignKey) bool {
		return slices.Equal(a.Columns, b.Columns) && a.RefTable == b.RefTable &&
			slices.Equal(tref(a), lref(b)) &&
			c.norm.ReferentialActionsEqual(a.OnDelete, b.OnDelete) &&
			c.norm.ReferentialActionsEqual(a.OnUpdate, b.OnUpdate)
	}
	tfks, lfks := sortedFKs(p.t.ForeignKeys), sortedFKs(p.view.ForeignKeys)
	addF, dropF := matchAll(tfks, lfks, func(fk *schema.ForeignKey) string { return fk.Name }, same, nil)
	if c.features.Has(dialects.AlterConstraints) {
		// Matched foreign keys whose columns change type, or whose
		// referenced key is dropped, are re-created.
		for _, tfk := range tfks {
			if slices.Contains(addF, tfk) || !c.mustRecreate(name, tfk) {
				continue
			}
			for _, lfk := range lfks {
				if !slices.Contains(dropF, lfk) && same(tfk, lfk) {
					addF = append(addF, tfk)
					dropF = append(dropF, lfk)
					break
				}
			}
		}
	}
	// Drops come before renames: report the live table and constraint.
	for _, fk := range sortedFKs(dropF) {
		i := slices.Index(p.view.ForeignKeys, fk)
		c.add(phDropFK, &DropForeignKey{Table: p.l.Name, ForeignKey: p.l.ForeignKeys[i]})
	}
	for _, fk := range sortedFKs(addF) {
		c.add(phAddFK, &AddForeignKey{Table: name, ForeignKey: fk})
	}
}

// mustRecreate reports whether the target foreign key fk of table must be
// dropped and re-created around this migration's other changes.
func (c *comparer) mustRecreate(table string, fk *schema.ForeignKey) bool {
	for _, col := range fk.Columns {
		if c.changed[table][col] {
			return true
		}
	}
	ref := refColumns(fk, c.target[fk.RefTable])
	for _, col := range ref {
		if c.changed[fk.RefTable][col] {
			return true
		}
	}
	return c.droppedKey[fk.RefTable+"\x00"+strings.Join(ref, "\x00")]
}

func sortedFKs(in []*schema.ForeignKey) []*schema.ForeignKey {
	out := slices.Clone(in)
	slices.SortStableFunc(out, func(a, b *schema.ForeignKey) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), slices.Compare(a.Columns, b.Columns))
	})
	return out
}

// createTables reports the new tables in dependency order.
func (c *comparer) createTables() {
	if len(c.added) == 0 {
		return
	}
	sorted, cyclic := (&schema.MetaData{Tables: c.added}).SortByDependency()
	alter := c.features.Has(dialects.AlterConstraints)
	for _, t := range sorted {
		op := &CreateTable{Table: t}
		for _, fk := range t.ForeignKeys {
			if alter && (slices.Contains(cyclic, fk) || !c.refReady(fk)) {
				op.DeferredFKs = append(op.DeferredFKs, fk)
			}
		}
		c.add(phCreateTable, op)
		for _, fk := range op.DeferredFKs {
			c.add(phAddFK, &AddForeignKey{Table: t.Name, ForeignKey: fk})
		}
	}
}

// refReady reports whether a foreign key of a new table can be created
// inline: it references a new table, or an existing table whose
// referenced columns exist, keep their type, and whose referenced key is
// not dropped by this migration.
func (c *comparer) refReady(fk *schema.ForeignKey) bool {
	var p *tablePair
	for _, q := range c.pairs {
		if q.t.Name == fk.RefTable {
			p = q
		}
	}
	if p == nil {
		return true
	}
	ref := refColumns(fk, p.t)
	for _, col := range ref {
		if p.view.Column(col) == nil || c.changed[p.t.Name][col] {
			return false
		}
	}
	if c.droppedKey[p.t.Name+"\x00"+strings.Join(ref, "\x00")] {
		return false
	}
	// The referenced key must exist in the live table already.
	if p.view.PrimaryKey != nil && slices.Equal(p.view.PrimaryKey.Columns, ref) {
		return true
	}
	for _, k := range keysOf(p.view, nil) {
		if k.unique && slices.Equal(k.colNames(), ref) {
			return true
		}
	}
	return false
}

// dropTables reports the live tables to drop: referencing tables before
// the tables they reference; foreign keys closing a cycle between dropped
// tables are dropped first.
func (c *comparer) dropTables() {
	if len(c.drops) == 0 {
		return
	}
	sorted, cyclic := (&schema.MetaData{Tables: c.drops}).SortByDependency()
	if c.features.Has(dialects.AlterConstraints) {
		for _, t := range sorted {
			for _, fk := range t.ForeignKeys {
				if slices.Contains(cyclic, fk) {
					c.add(phDropFK, &DropForeignKey{Table: t.Name, ForeignKey: fk})
				}
			}
		}
	}
	for i := len(sorted) - 1; i >= 0; i-- {
		c.add(phDropTable, &DropTable{Table: sorted[i]})
	}
}

// renameHints points at drops and adds that look like renames.
func (c *comparer) renameHints() {
	for _, p := range c.pairs {
		for _, d := range p.dropC {
			for _, a := range p.addC {
				if c.norm.TypesEqual(c.norm.NormalizeColumn(p.t, a).Type, d.Type) {
					c.hint("column %s.%s dropped and %s.%s added with the same type: if this is a rename, tag the field renamed_from:%s",
						p.t.Name, d.Name, p.t.Name, a.Name, d.Name)
				}
			}
		}
	}
	for _, d := range c.drops {
		for _, a := range c.added {
			if sameColumnNames(d, a) {
				c.hint("table %s dropped and %s added with the same columns: if this is a rename, tag the model renamed_from:%s",
					d.Name, a.Name, d.Name)
			}
		}
	}
}

func sameColumnNames(a, b *schema.Table) bool {
	x, y := a.ColumnNames(), b.ColumnNames()
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// keepForeignKeyIndexes makes the index drops of p safe on dialects whose
// foreign keys need an index led by their columns (InnoDB refuses to
// drop the last one). For each dropped index or unique key that is the
// only live key serving a foreign key that stays:
//   - when the target adds another key serving it under another name,
//     the drop waits until that key exists (after the keys are added);
//   - when the dropped key is a plain index, the target declares no key
//     serving the foreign key and none of that name, the index is kept (InnoDB would create
//     the same index for the foreign key) and a hint says so;
//   - otherwise (a unique key dropped, or an index re-created under the
//     same name) the foreign key is dropped before and re-created after,
//     and InnoDB creates the index it needs.
func (c *comparer) keepForeignKeyIndexes(p *tablePair) {
	droppedFK := map[*schema.ForeignKey]bool{}
	for _, op := range c.phases[phDropFK] {
		if d, ok := op.(*DropForeignKey); ok && d.Table == p.l.Name {
			droppedFK[d.ForeignKey] = true
		}
	}
	type stayFK struct{ live, view *schema.ForeignKey }
	var staying []stayFK
	for i, fk := range p.l.ForeignKeys {
		if !droppedFK[fk] {
			staying = append(staying, stayFK{fk, p.view.ForeignKeys[i]})
		}
	}
	if len(staying) == 0 {
		return
	}
	lkeys := keysOf(p.l, func(cols []string) []string { return c.liveCols(p.l.Name, cols) })
	byObj := map[any]*key{}
	for _, k := range lkeys {
		if k.u != nil {
			byObj[k.u] = k
		} else {
			byObj[k.ix] = k
		}
	}
	gone := map[*key]bool{}
	var drops []Op
	for _, op := range c.phases[phDropKey] {
		var k *key
		switch d := op.(type) {
		case *DropIndex:
			if d.Table == p.l.Name {
				k = byObj[d.Index]
			}
		case *DropUnique:
			if d.Table == p.l.Name {
				k = byObj[d.Unique]
			}
		}
		if k != nil {
			gone[k] = true
			drops = append(drops, op)
		}
	}
	if len(drops) == 0 {
		return
	}
	covered := func(fk *schema.ForeignKey) bool {
		if p.view.PrimaryKey != nil && dialects.CoversForeignKey(p.view.PrimaryKey.Columns, fk.Columns) {
			return true
		}
		for _, k := range lkeys {
			if !gone[k] && dialects.CoversForeignKey(k.colNames(), fk.Columns) {
				return true
			}
		}
		return false
	}
	added := map[any]bool{}
	for _, op := range c.phases[phAddKey] {
		switch a := op.(type) {
		case *CreateIndex:
			if a.Table == p.t.Name {
				added[a.Index] = true
			}
		case *AddUnique:
			if a.Table == p.t.Name {
				added[a.Unique] = true
			}
		}
	}
	tkeys := keysOf(p.t, nil)
	var late []Op
	keep := map[Op]bool{}
	for _, op := range drops {
		var k *key
		switch d := op.(type) {
		case *DropIndex:
			k = byObj[d.Index]
		case *DropUnique:
			k = byObj[d.Unique]
		}
		for i := 0; i < len(staying); i++ {
			fk := staying[i]
			if !dialects.CoversForeignKey(k.colNames(), fk.view.Columns) || !gone[k] {
				continue
			}
			if covered(fk.view) {
				continue
			}
			// k is the only key serving fk.
			var tcover []*key
			for _, tk := range tkeys {
				if dialects.CoversForeignKey(tk.colNames(), fk.view.Columns) {
					tcover = append(tcover, tk)
				}
			}
			if p.t.PrimaryKey != nil && dialects.CoversForeignKey(p.t.PrimaryKey.Columns, fk.view.Columns) {
				tcover = append(tcover, &key{name: "\x00pk"})
			}
			later := slices.ContainsFunc(tcover, func(tk *key) bool {
				obj := any(tk.ix)
				if tk.u != nil {
					obj = tk.u
				}
				return tk.name != k.name && added[obj]
			})
			switch {
			case later:
				gone[k] = false // still there while the other keys drop
				switch d := op.(type) {
				case *DropIndex:
					late = append(late, &DropIndex{Table: p.t.Name, Index: d.Index})
				case *DropUnique:
					late = append(late, &DropUnique{Table: p.t.Name, Unique: d.Unique})
				}
				keep[op] = true // removed from the early drops
			case !k.unique && len(tcover) == 0 && !slices.ContainsFunc(tkeys, func(tk *key) bool { return tk.name == k.name }):
				gone[k] = false
				keep[op] = true
				c.hint("index %s on %s kept: foreign key %s%s needs an index led by its columns on this database, and the target declares none",
					k.name, p.t.Name, fk.live.Name, cols(fk.view.Columns))
			default:
				var tfk *schema.ForeignKey
				for _, t := range p.t.ForeignKeys {
					if slices.Equal(t.Columns, fk.view.Columns) && t.RefTable == fk.view.RefTable {
						tfk = t
						break
					}
				}
				if tfk == nil {
					continue
				}
				c.add(phDropFK, &DropForeignKey{Table: p.l.Name, ForeignKey: fk.live})
				c.add(phAddFK, &AddForeignKey{Table: p.t.Name, ForeignKey: tfk})
				staying = slices.Delete(staying, i, i+1)
				i--
			}
		}
	}
	if len(keep) > 0 {
		c.phases[phDropKey] = slices.DeleteFunc(c.phases[phDropKey], func(op Op) bool { return keep[op] })
	}
	c.phases[phDropKeyLate] = append(c.phases[phDropKeyLate], late...)
}
