package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Inspector = Dialect{}

// The inspection queries join sqlite_master with the table-valued pragma
// functions (SQLite 3.16 and later; pragma_table_xinfo needs 3.26), so
// their number does not depend on the number of tables: one for tables
// and columns, one for indexes and foreign keys. Virtual tables are left
// out (their shadow tables are ordinary tables and are listed).
const (
	tablesFilter = `m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
	AND COALESCE(m.sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%'`

	columnsQuery = `SELECT m.name, CASE WHEN c.cid = 0 THEN m.sql END,
	c.name, COALESCE(c.type, ''), c."notnull", c.dflt_value, c.pk, c.hidden
FROM sqlite_master m JOIN pragma_table_xinfo(m.name) c
WHERE ` + tablesFilter + `
ORDER BY m.name, c.cid`

	// Rows of kind f (foreign key columns) and i (index columns).
	constraintsQuery = `SELECT 'f', m.name, f.id, f.seq, f."from", f."table", f."to", f.on_update, f.on_delete
FROM sqlite_master m JOIN pragma_foreign_key_list(m.name) f
WHERE ` + tablesFilter + `
UNION ALL
SELECT 'i', m.name, il.name, ix.seqno, ix.name, il."unique", il.origin, ix."desc", NULL
FROM sqlite_master m JOIN pragma_index_list(m.name) il JOIN pragma_index_xinfo(il.name) ix
WHERE ` + tablesFilter + ` AND ix.key = 1 AND il.partial = 0
ORDER BY 1, 2, 3, 4`
)

// Inspect implements dialects.Inspector with two queries. Partial
// indexes and indexes on expressions are not reported (schema cannot
// describe them).
//
// SQLite keeps the declared type text: Type.Raw is that text (SQLite
// upper-cases the five affinity names INTEGER, TEXT, REAL, BLOB and
// NUMERIC) and the kind is parsed from it (see dialects.TypeOf); char(36)
// is UUID. SQLite has no enum type: a CHECK ("col" IN ('a', 'b')) on a
// varchar column, as CreateTable renders for an Enum, makes the column an
// Enum with those Values (and Size from the varchar) and is not listed in
// Checks. A rowid alias (a single INTEGER PRIMARY KEY column, with or
// without AUTOINCREMENT) is AutoIncrement and not nullable. Constraint
// names and check expressions are read from the CREATE TABLE text in
// sqlite_master; a primary key, unique constraint, check or foreign key
// declared without a name has Name "". A REFERENCES clause without
// columns references the primary key, whose columns are reported. There
// are no comments.
func (Dialect) Inspect(ctx context.Context, q dialects.Querier, opts dialects.InspectOptions) (*schema.MetaData, error) {
	set := dialects.NewTableSet(opts)
	defs := map[string]*tableDef{}
	pks := map[string][]pkCol{}
	err := dialects.ScanEach(ctx, q, columnsQuery, func(rows *sql.Rows) error {
		var tname, cname, typ string
		var ddl, dflt sql.NullString
		var notNull bool
		var pk, hidden int
		if err := rows.Scan(&tname, &ddl, &cname, &typ, &notNull, &dflt, &pk, &hidden); err != nil {
			return err
		}
		t := set.Add(tname)
		if t == nil {
			return nil
		}
		if ddl.Valid {
			def, err := parseCreateTable(ddl.String)
			if err != nil {
				return fmt.Errorf("table %q: %w", tname, err)
			}
			defs[tname] = def
		}
		if hidden == 1 {
			return nil
		}
		c := &schema.Column{Name: cname, Type: columnType(typ), Nullable: !notNull}
		if dflt.Valid {
			c.Default = dialects.NormalizeDefault(dflt.String, c.Type, false)
		}
		if pk > 0 {
			pks[tname] = append(pks[tname], pkCol{pk, cname})
		}
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect columns: %w", err)
	}
	for name, cols := range pks {
		t := set.Get(name)
		slices.SortFunc(cols, func(a, b pkCol) int { return a.pos - b.pos })
		pk := &schema.PrimaryKey{Name: defs[name].primaryKeyName()}
		for _, c := range cols {
			pk.Columns = append(pk.Columns, c.name)
		}
		t.PrimaryKey = pk
	}

	var ix *schema.Index
	var ixTable, ixOrigin, skip string
	flushIndex := func() {
		if ix == nil {
			return
		}
		t, def := set.Get(ixTable), defs[ixTable]
		switch ixOrigin {
		case "pk":
		case "u":
			u := &schema.Unique{Columns: ix.ColumnNames()}
			u.Name = def.uniqueName(u.Columns)
			t.Uniques = append(t.Uniques, u)
		default:
			t.Indexes = append(t.Indexes, ix)
		}
		ix = nil
	}
	var fk *schema.ForeignKey
	var fkTable, fkID string
	flushFK := func() {
		if fk == nil {
			return
		}
		if slices.Contains(fk.RefColumns, "") { // REFERENCES t: its primary key
			fk.RefColumns = nil
			if rt := set.Get(fk.RefTable); rt != nil && rt.PrimaryKey != nil {
				fk.RefColumns = slices.Clone(rt.PrimaryKey.Columns)
			}
		}
		fk.Name = defs[fkTable].foreignKeyName(fk)
		t := set.Get(fkTable)
		t.ForeignKeys = append(t.ForeignKeys, fk)
		fk = nil
	}
	err = dialects.ScanEach(ctx, q, constraintsQuery, func(rows *sql.Rows) error {
		var kind, tname, name string
		var pos int
		var col, a, b, c, d sql.NullString
		if err := rows.Scan(&kind, &tname, &name, &pos, &col, &a, &b, &c, &d); err != nil {
			return err
		}
		if set.Get(tname) == nil {
			return nil
		}
		switch kind {
		case "f": // name: id, a: referenced table, b: referenced column, c: ON UPDATE, d: ON DELETE
			if fk == nil || fkTable != tname || fkID != name {
				flushFK()
				fk, fkTable, fkID = &schema.ForeignKey{
					RefTable: a.String,
					OnUpdate: dialects.ReferentialAction(c.String),
					OnDelete: dialects.ReferentialAction(d.String),
				}, tname, name
			}
			fk.Columns = append(fk.Columns, col.String)
			fk.RefColumns = append(fk.RefColumns, b.String)
		case "i": // a: unique, b: origin (c, u, pk), c: desc
			if tname+"\x00"+name == skip {
				return nil
			}
			if ix == nil || ix.Name != name || ixTable != tname {
				flushIndex()
				ix, ixTable, ixOrigin = &schema.Index{Name: name, Unique: a.String == "1"}, tname, b.String
			}
			if !col.Valid { // an expression: schema cannot describe the index
				ix, skip = nil, tname+"\x00"+name
				return nil
			}
			ix.Columns = append(ix.Columns, schema.IndexColumn{Name: col.String, Desc: c.String == "1"})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: inspect indexes and foreign keys: %w", err)
	}
	flushFK()
	flushIndex()

	md := set.MetaData()
	for _, t := range md.Tables {
		if def := defs[t.Name]; def != nil {
			def.apply(t)
		}
		dialects.SortTable(t)
	}
	return md, nil
}

type pkCol struct {
	pos  int
	name string
}

// columnType parses a declared SQLite type. Anything unparsed, including
// an empty declared type, is Custom with Raw set to the declared text.
func columnType(decl string) schema.Type {
	ts, err := dialects.ParseType(decl, dialects.ParseTypeOptions{})
	if err != nil {
		return schema.Type{Kind: schema.Custom, Raw: decl}
	}
	t := dialects.TypeOf(ts, decl)
	if t.Kind == schema.Custom && len(ts.Args) == 1 && ts.Args[0] == "36" && (ts.Name == "char" || ts.Name == "character") {
		t.Kind = schema.UUID // char(36): a UUID in text form
	}
	return t
}

// apply completes t with what only the CREATE TABLE text tells:
// auto-increment, checks, and enums encoded as checks.
func (d *tableDef) apply(t *schema.Table) {
	if pk := t.PrimaryKey; pk != nil && len(pk.Columns) == 1 && !d.withoutRowid {
		c := t.Column(pk.Columns[0])
		if strings.EqualFold(strings.TrimSpace(c.Type.Raw), "integer") && !d.pkDesc {
			// A rowid alias: generated, never NULL.
			c.AutoIncrement, c.Nullable, c.Default = true, false, nil
		}
	}
	for _, ck := range d.checks {
		if col, values, ok := enumCheck(ck.Expr); ok {
			if c := t.Column(col); c != nil && c.Type.Kind == schema.String && c.Type.Values == nil {
				c.Type.Kind, c.Type.Values = schema.Enum, values
				continue
			}
		}
		t.Checks = append(t.Checks, &schema.Check{Name: ck.Name, Expr: ck.Expr})
	}
}

// enumCheck recognises `col IN ('a', 'b', ...)`.
func enumCheck(expr string) (col string, values []string, ok bool) {
	toks, err := tokenize(expr)
	if err != nil || len(toks) < 5 || (toks[0].kind != tokIdent && toks[0].kind != tokWord) || !toks[1].is("in") || !toks[2].isPunct('(') || !toks[len(toks)-1].isPunct(')') {
		return "", nil, false
	}
	for i := 3; i < len(toks)-1; i += 2 {
		if toks[i].kind != tokString {
			return "", nil, false
		}
		values = append(values, toks[i].text)
		if sep := toks[i+1]; !(sep.isPunct(',') && i+2 < len(toks)-1 || i+1 == len(toks)-1) {
			return "", nil, false
		}
	}
	return toks[0].text, values, true
}

// tableDef is what inspection needs from a CREATE TABLE statement.
type tableDef struct {
	pkName       string
	pkDesc       bool // column-level PRIMARY KEY DESC: not a rowid alias
	withoutRowid bool
	uniques      []schema.Unique
	checks       []schema.Check
	fks          []schema.ForeignKey // names, columns and referenced table
}

func (d *tableDef) primaryKeyName() string {
	if d == nil {
		return ""
	}
	return d.pkName
}

func (d *tableDef) uniqueName(cols []string) string {
	if d == nil {
		return ""
	}
	for _, u := range d.uniques {
		if slices.Equal(u.Columns, cols) {
			return u.Name
		}
	}
	return ""
}

func (d *tableDef) foreignKeyName(fk *schema.ForeignKey) string {
	if d == nil {
		return ""
	}
	for _, f := range d.fks {
		if slices.Equal(f.Columns, fk.Columns) && f.RefTable == fk.RefTable &&
			(len(f.RefColumns) == 0 || slices.Equal(f.RefColumns, fk.RefColumns)) {
			return f.Name
		}
	}
	return ""
}

// Tokens of the CREATE TABLE parser.
type tokKind int

const (
	tokWord   tokKind = iota // bare word or number
	tokIdent                 // quoted identifier ("x", `x`, [x]); also words, see is
	tokString                // 'string'
	tokPunct                 // one character of punctuation
)

type token struct {
	kind       tokKind
	text       string // identifier and string tokens: unquoted value
	start, end int    // byte span in the source
}

// is reports whether t is the bare keyword kw (case-insensitive).
func (t token) is(kw string) bool { return t.kind == tokWord && strings.EqualFold(t.text, kw) }

func (t token) isPunct(c byte) bool { return t.kind == tokPunct && t.text[0] == c }

// name reports whether t can be a name: a word or a quoted identifier.
func (t token) name() (string, bool) {
	switch t.kind {
	case tokWord, tokIdent:
		return t.text, true
	case tokString: // SQLite accepts 'name' where a name is expected
		return t.text, true
	}
	return "", false
}

// tokenize splits SQLite SQL into tokens, skipping comments. Quoted
// strings and identifiers may contain their quote doubled.
func tokenize(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '-' && strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return out, nil
			}
			i += j + 1
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return out, nil // SQLite accepts an unterminated final comment
			}
			i += j + 4
		case c == '\'' || c == '"' || c == '`' || c == '[':
			closer := c
			if c == '[' {
				closer = ']'
			}
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(s) {
					return nil, fmt.Errorf("unterminated %c at offset %d", c, i)
				}
				if s[j] == closer {
					if closer != ']' && j+1 < len(s) && s[j+1] == closer {
						b.WriteByte(closer)
						j += 2
						continue
					}
					break
				}
				b.WriteByte(s[j])
				j++
			}
			kind := tokIdent
			if c == '\'' {
				kind = tokString
			}
			out = append(out, token{kind: kind, text: b.String(), start: i, end: j + 1})
			i = j + 1
		case isWord(c):
			j := i
			for j < len(s) && isWord(s[j]) {
				j++
			}
			out = append(out, token{kind: tokWord, text: s[i:j], start: i, end: j})
			i = j
		default:
			out = append(out, token{kind: tokPunct, text: s[i : i+1], start: i, end: i + 1})
			i++
		}
	}
	return out, nil
}

func isWord(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

// parser walks the tokens of one CREATE TABLE statement.
type parser struct {
	src  string
	toks []token
	pos  int
}

func (p *parser) peek() (token, bool) {
	if p.pos < len(p.toks) {
		return p.toks[p.pos], true
	}
	return token{}, false
}

func (p *parser) next() (token, bool) {
	t, ok := p.peek()
	if ok {
		p.pos++
	}
	return t, ok
}

// accept consumes the keyword kw if it comes next.
func (p *parser) accept(kw string) bool {
	if t, ok := p.peek(); ok && t.is(kw) {
		p.pos++
		return true
	}
	return false
}

func (p *parser) acceptPunct(c byte) bool {
	if t, ok := p.peek(); ok && t.isPunct(c) {
		p.pos++
		return true
	}
	return false
}

// group consumes a parenthesised group starting at the current '(' and
// returns the source text inside it (trimmed) and the tokens inside.
func (p *parser) group() (string, []token, error) {
	open, ok := p.next()
	if !ok || !open.isPunct('(') {
		return "", nil, fmt.Errorf("expected '(' at offset %d", open.start)
	}
	first, depth := p.pos, 1
	for {
		t, ok := p.next()
		if !ok {
			return "", nil, fmt.Errorf("unbalanced '(' at offset %d", open.start)
		}
		switch {
		case t.isPunct('('):
			depth++
		case t.isPunct(')'):
			depth--
			if depth == 0 {
				inner := p.toks[first : p.pos-1]
				return strings.TrimSpace(p.src[open.end:t.start]), inner, nil
			}
		}
	}
}

// nameList parses "(a, b COLLATE x DESC, ...)" and returns the first name
// of each item, and whether any item was DESC.
func (p *parser) nameList() ([]string, bool, error) {
	_, inner, err := p.group()
	if err != nil {
		return nil, false, err
	}
	var names []string
	desc := false
	for item := range splitTop(inner) {
		if len(item) == 0 {
			return nil, false, fmt.Errorf("empty item in column list")
		}
		n, ok := item[0].name()
		if !ok {
			return nil, false, fmt.Errorf("expected a column name at offset %d", item[0].start)
		}
		names = append(names, n)
		desc = desc || item[len(item)-1].is("desc")
	}
	if len(names) == 0 {
		// SQLite rejects "()" as a column list: so must the parser, since
		// every caller relies on at least one name.
		return nil, false, fmt.Errorf("empty column list at offset %d", p.toks[p.pos-1].start)
	}
	return names, desc, nil
}

// splitTop yields the comma-separated items of toks at depth 0.
func splitTop(toks []token) func(func([]token) bool) {
	return func(yield func([]token) bool) {
		depth, start := 0, 0
		for i, t := range toks {
			switch {
			case t.isPunct('('):
				depth++
			case t.isPunct(')'):
				depth--
			case t.isPunct(',') && depth == 0:
				if !yield(toks[start:i]) {
					return
				}
				start = i + 1
			}
		}
		if start < len(toks) || len(toks) > 0 {
			yield(toks[start:])
		}
	}
}

// parseCreateTable extracts constraint names, checks, foreign key names
// and table options from a CREATE TABLE statement as sqlite_master keeps
// it. It understands the statements SQLite accepts; it ignores what it
// does not need (types, defaults, collations, conflict clauses).
func parseCreateTable(src string) (*tableDef, error) {
	toks, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	if !p.accept("create") {
		return nil, fmt.Errorf("not a CREATE TABLE statement")
	}
	_ = p.accept("temp") || p.accept("temporary")
	if !p.accept("table") {
		return nil, fmt.Errorf("not a CREATE TABLE statement")
	}
	if p.accept("if") && !(p.accept("not") && p.accept("exists")) {
		return nil, fmt.Errorf("bad IF NOT EXISTS")
	}
	if _, ok := p.next(); !ok { // table (or schema) name
		return nil, fmt.Errorf("missing table name")
	}
	if p.acceptPunct('.') {
		if _, ok := p.next(); !ok {
			return nil, fmt.Errorf("missing table name")
		}
	}
	if t, ok := p.peek(); !ok || !t.isPunct('(') {
		return nil, fmt.Errorf("CREATE TABLE without a column list")
	}
	_, inner, err := p.group()
	if err != nil {
		return nil, err
	}
	d := &tableDef{}
	for item := range splitTop(inner) {
		if len(item) == 0 {
			return nil, fmt.Errorf("empty table element")
		}
		ip := &parser{src: src, toks: item}
		if isTableConstraint(item[0]) {
			err = d.tableConstraint(ip)
		} else {
			err = d.column(ip)
		}
		if err != nil {
			return nil, err
		}
	}
	for { // table options
		t, ok := p.next()
		if !ok {
			break
		}
		if t.is("without") && p.accept("rowid") {
			d.withoutRowid = true
		}
	}
	return d, nil
}

func isTableConstraint(t token) bool {
	for _, kw := range []string{"constraint", "primary", "unique", "check", "foreign"} {
		if t.is(kw) {
			return true
		}
	}
	return false
}

// tableConstraint parses [CONSTRAINT name] PRIMARY KEY | UNIQUE | CHECK |
// FOREIGN KEY ...
func (d *tableDef) tableConstraint(p *parser) error {
	name := ""
	if p.accept("constraint") {
		t, ok := p.next()
		if ok {
			name, ok = t.name()
		}
		if !ok {
			return fmt.Errorf("CONSTRAINT without a name")
		}
	}
	switch {
	case p.accept("primary"):
		if !p.accept("key") {
			return fmt.Errorf("PRIMARY without KEY")
		}
		if _, _, err := p.nameList(); err != nil {
			return err
		}
		d.pkName = name
	case p.accept("unique"):
		cols, _, err := p.nameList()
		if err != nil {
			return err
		}
		d.uniques = append(d.uniques, schema.Unique{Name: name, Columns: cols})
	case p.accept("check"):
		expr, _, err := p.group()
		if err != nil {
			return err
		}
		d.checks = append(d.checks, schema.Check{Name: name, Expr: expr})
	case p.accept("foreign"):
		if !p.accept("key") {
			return fmt.Errorf("FOREIGN without KEY")
		}
		cols, _, err := p.nameList()
		if err != nil {
			return err
		}
		if !p.accept("references") {
			return fmt.Errorf("FOREIGN KEY without REFERENCES")
		}
		return d.references(p, name, cols)
	default:
		return fmt.Errorf("unknown table constraint")
	}
	return nil
}

// references parses "t [(cols)] ..." after REFERENCES.
func (d *tableDef) references(p *parser, name string, cols []string) error {
	t, ok := p.next()
	var ref string
	if ok {
		ref, ok = t.name()
	}
	if !ok {
		return fmt.Errorf("REFERENCES without a table")
	}
	fk := schema.ForeignKey{Name: name, Columns: cols, RefTable: ref}
	if t, ok := p.peek(); ok && t.isPunct('(') {
		refCols, _, err := p.nameList()
		if err != nil {
			return err
		}
		fk.RefColumns = refCols
	}
	d.fks = append(d.fks, fk)
	// ON DELETE/UPDATE actions, MATCH and DEFERRABLE clauses: the pragma
	// reports the actions; consume them so that SET DEFAULT is not read
	// as a DEFAULT clause.
	for {
		switch {
		case p.accept("on"):
			if !p.accept("delete") && !p.accept("update") {
				return fmt.Errorf("bad ON clause in REFERENCES")
			}
			switch {
			case p.accept("set"):
				if !p.accept("null") && !p.accept("default") {
					return fmt.Errorf("bad SET action in REFERENCES")
				}
			case p.accept("no"):
				if !p.accept("action") {
					return fmt.Errorf("bad NO ACTION in REFERENCES")
				}
			case p.accept("cascade"), p.accept("restrict"):
			default:
				return fmt.Errorf("bad action in REFERENCES")
			}
		case p.accept("match"):
			p.next()
		case p.accept("not"):
			if !p.accept("deferrable") {
				p.pos-- // NOT NULL after the clause: the caller's
				return nil
			}
		case p.accept("deferrable"):
			if p.accept("initially") {
				_ = p.accept("deferred") || p.accept("immediate")
			}
		default:
			return nil
		}
	}
}

// column parses a column definition: name, type, column constraints.
func (d *tableDef) column(p *parser) error {
	t, _ := p.next()
	col, ok := t.name()
	if !ok {
		return fmt.Errorf("expected a column name at offset %d", t.start)
	}
	name := ""
	for {
		t, ok := p.peek()
		if !ok {
			return nil
		}
		switch {
		case p.accept("constraint"):
			n, ok := p.next()
			if ok {
				name, ok = n.name()
			}
			if !ok {
				return fmt.Errorf("CONSTRAINT without a name")
			}
			continue
		case p.accept("primary"):
			if !p.accept("key") {
				return fmt.Errorf("PRIMARY without KEY")
			}
			d.pkName = name
			if p.accept("desc") {
				d.pkDesc = true
			}
		case p.accept("unique"):
			d.uniques = append(d.uniques, schema.Unique{Name: name, Columns: []string{col}})
		case p.accept("check"):
			expr, _, err := p.group()
			if err != nil {
				return err
			}
			d.checks = append(d.checks, schema.Check{Name: name, Expr: expr})
		case p.accept("references"):
			if err := d.references(p, name, []string{col}); err != nil {
				return err
			}
		case p.accept("default"):
			if !p.acceptPunct('-') {
				_ = p.acceptPunct('+')
			}
			if n, ok := p.peek(); ok && n.isPunct('(') {
				if _, _, err := p.group(); err != nil {
					return err
				}
			} else {
				p.next()
			}
		case t.isPunct('('): // type arguments, GENERATED ... AS (expr)
			if _, _, err := p.group(); err != nil {
				return err
			}
			continue
		default:
			p.next()
			continue
		}
		name = ""
	}
}
