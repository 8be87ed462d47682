// Package schema holds the dialect-neutral description of a database schema:
// tables, columns, keys, indexes and constraints.
//
// It is the language the rest of tagorm speaks. The orm package builds a
// MetaData from Go models, migration.Inspect builds one from a live database,
// and migration.Compare diffs two of them. The package is a leaf: it imports
// nothing else from tagorm.
package schema

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is the dialect-neutral family of a column type.
type Kind int

// The column type families. Each dialect maps a Kind (with the size,
// precision and scale in Type) to its own SQL type.
const (
	Invalid  Kind = iota
	Bool          // boolean
	SmallInt      // 16-bit integer
	Integer       // 32-bit integer
	BigInt        // 64-bit integer
	Float         // 32-bit floating point
	Double        // 64-bit floating point
	Decimal       // exact numeric with Precision and Scale
	String        // variable-length string with a maximum Size
	Text          // unbounded string
	Binary        // byte string; Size > 0 means a bounded varbinary
	Date          // calendar date
	DateTime      // instant, stored in UTC with Precision fractional digits
	JSON          // JSON document
	UUID          // 128-bit UUID
	Enum          // one of Values
	Custom        // the SQL type in Type.Raw, used verbatim
)

var kindNames = [...]string{
	Invalid: "invalid", Bool: "bool", SmallInt: "smallint", Integer: "integer",
	BigInt: "bigint", Float: "float", Double: "double", Decimal: "decimal",
	String: "string", Text: "text", Binary: "binary", Date: "date",
	DateTime: "datetime", JSON: "json", UUID: "uuid", Enum: "enum", Custom: "custom",
}

// String returns the lower-case name of the kind.
func (k Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// ParseKind returns the Kind named s (as printed by Kind.String), or false.
func ParseKind(s string) (Kind, bool) {
	for k, n := range kindNames {
		if n == s && Kind(k) != Invalid {
			return Kind(k), true
		}
	}
	return Invalid, false
}

// Type is a column type.
type Type struct {
	Kind Kind
	// Size is the maximum length of a String or Binary column (0: the
	// dialect's default for String, unbounded for Binary).
	Size int
	// Precision and Scale describe a Decimal. For DateTime, Precision is
	// the number of fractional second digits (tagorm uses 6 by default).
	Precision, Scale int
	// Values lists the allowed values of an Enum, in order.
	Values []string
	// EnumName names the enum type on databases that have named enum types
	// (PostgreSQL). Empty means "<table>_<column>".
	EnumName string
	// Raw is the SQL type of a Custom column, or the type as a live
	// database reported it (informational for other kinds).
	Raw string
	// Unsigned marks an unsigned integer (honoured by MySQL only).
	Unsigned bool
}

// String renders the type for messages, e.g. "string(50)" or "decimal(10,2)".
func (t Type) String() string {
	switch t.Kind {
	case String, Binary:
		if t.Size > 0 {
			return fmt.Sprintf("%s(%d)", t.Kind, t.Size)
		}
	case Decimal:
		if t.Precision > 0 {
			return fmt.Sprintf("decimal(%d,%d)", t.Precision, t.Scale)
		}
	case Enum:
		return "enum(" + strings.Join(t.Values, ",") + ")"
	case Custom:
		return t.Raw
	}
	return t.Kind.String()
}

// Column is one column of a table.
type Column struct {
	Name string
	Type Type
	// DialectTypes overrides Type for the named dialects ("sqlite",
	// "postgres", "mysql"): the SQL type is used verbatim.
	DialectTypes map[string]string
	Nullable     bool
	// Default is the server default as an SQL expression (a quoted
	// literal, a number, or an expression such as CURRENT_TIMESTAMP);
	// nil means no DEFAULT clause.
	Default *string
	// AutoIncrement makes the database generate the value (SERIAL /
	// IDENTITY / AUTO_INCREMENT / INTEGER PRIMARY KEY).
	AutoIncrement bool
	Comment       string
	// RenamedFrom names the column this one was called before; migration
	// turns a drop+add into a rename when it is set.
	RenamedFrom string
}

// HasDefault reports whether the column has a server default.
func (c *Column) HasDefault() bool { return c.Default != nil }

// Clone returns a deep copy of c.
func (c *Column) Clone() *Column {
	n := *c
	n.Type.Values = slices.Clone(c.Type.Values)
	if c.DialectTypes != nil {
		n.DialectTypes = make(map[string]string, len(c.DialectTypes))
		for k, v := range c.DialectTypes {
			n.DialectTypes[k] = v
		}
	}
	if c.Default != nil {
		d := *c.Default
		n.Default = &d
	}
	return &n
}

// PrimaryKey is a table's primary key.
type PrimaryKey struct {
	Name    string // may be empty: the database names it
	Columns []string
}

// Unique is a unique constraint.
type Unique struct {
	Name    string
	Columns []string
}

// IndexColumn is one column of an index.
type IndexColumn struct {
	Name string
	Desc bool
}

// Index is an index on a table.
type Index struct {
	Name    string
	Columns []IndexColumn
	Unique  bool
}

// ColumnNames returns the names of the indexed columns in order.
func (ix *Index) ColumnNames() []string {
	out := make([]string, len(ix.Columns))
	for i, c := range ix.Columns {
		out[i] = c.Name
	}
	return out
}

// Referential actions for ForeignKey.OnDelete and OnUpdate.
const (
	NoAction   = "NO ACTION"
	Restrict   = "RESTRICT"
	Cascade    = "CASCADE"
	SetNull    = "SET NULL"
	SetDefault = "SET DEFAULT"
)

// ForeignKey is a foreign key constraint.
type ForeignKey struct {
	Name       string
	Columns    []string
	RefTable   string
	RefColumns []string
	OnDelete   string // "" means the database default (NO ACTION)
	OnUpdate   string
}

// Check is a check constraint.
type Check struct {
	Name string
	Expr string
}

// Table is one table.
type Table struct {
	Name       string
	Comment    string
	Columns    []*Column
	PrimaryKey *PrimaryKey
	Uniques    []*Unique
	Indexes    []*Index
	// ForeignKeys lists the table's foreign keys.
	ForeignKeys []*ForeignKey
	Checks      []*Check
	// Options holds per-dialect table options, keyed "<dialect>_<option>",
	// e.g. "mysql_engine": "InnoDB", "mysql_charset": "utf8mb4".
	Options map[string]string
	// RenamedFrom names the table this one was called before.
	RenamedFrom string
}

// Column returns the column named name, or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// ColumnNames returns the table's column names in order.
func (t *Table) ColumnNames() []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Name
	}
	return out
}

// IsPrimaryKey reports whether column is part of the primary key.
func (t *Table) IsPrimaryKey(column string) bool {
	return t.PrimaryKey != nil && slices.Contains(t.PrimaryKey.Columns, column)
}

// Clone returns a deep copy of t.
func (t *Table) Clone() *Table {
	n := *t
	n.Columns = make([]*Column, len(t.Columns))
	for i, c := range t.Columns {
		n.Columns[i] = c.Clone()
	}
	if t.PrimaryKey != nil {
		pk := *t.PrimaryKey
		pk.Columns = slices.Clone(pk.Columns)
		n.PrimaryKey = &pk
	}
	n.Uniques = cloneAll(t.Uniques, func(u *Unique) *Unique {
		c := *u
		c.Columns = slices.Clone(u.Columns)
		return &c
	})
	n.Indexes = cloneAll(t.Indexes, func(ix *Index) *Index {
		c := *ix
		c.Columns = slices.Clone(ix.Columns)
		return &c
	})
	n.ForeignKeys = cloneAll(t.ForeignKeys, func(fk *ForeignKey) *ForeignKey {
		c := *fk
		c.Columns = slices.Clone(fk.Columns)
		c.RefColumns = slices.Clone(fk.RefColumns)
		return &c
	})
	n.Checks = cloneAll(t.Checks, func(ck *Check) *Check { c := *ck; return &c })
	if t.Options != nil {
		n.Options = make(map[string]string, len(t.Options))
		for k, v := range t.Options {
			n.Options[k] = v
		}
	}
	return &n
}

func cloneAll[T any](in []*T, f func(*T) *T) []*T {
	if in == nil {
		return nil
	}
	out := make([]*T, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// MetaData is a set of tables: the whole schema of an application or of a
// live database.
type MetaData struct {
	Tables []*Table
}

// Table returns the table named name, or nil.
func (m *MetaData) Table(name string) *Table {
	for _, t := range m.Tables {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Add appends t, replacing a table of the same name.
func (m *MetaData) Add(t *Table) {
	for i, old := range m.Tables {
		if old.Name == t.Name {
			m.Tables[i] = t
			return
		}
	}
	m.Tables = append(m.Tables, t)
}

// Clone returns a deep copy of m.
func (m *MetaData) Clone() *MetaData {
	return &MetaData{Tables: cloneAll(m.Tables, (*Table).Clone)}
}

// SortByDependency returns the tables ordered so that every table comes
// after the tables its foreign keys reference, where that is possible.
// Ties keep the input order. cyclic lists the foreign keys that close a
// cycle between different tables: they cannot be created inline and must
// be added after all tables exist. A self-reference is not a cycle.
func (m *MetaData) SortByDependency() (sorted []*Table, cyclic []*ForeignKey) {
	index := make(map[string]int, len(m.Tables))
	for i, t := range m.Tables {
		index[t.Name] = i
	}
	const (
		unvisited = iota
		visiting
		done
	)
	state := make([]int, len(m.Tables))
	var visit func(i int)
	visit = func(i int) {
		state[i] = visiting
		t := m.Tables[i]
		for _, fk := range t.ForeignKeys {
			j, ok := index[fk.RefTable]
			if !ok || j == i {
				continue
			}
			switch state[j] {
			case unvisited:
				visit(j)
			case visiting:
				cyclic = append(cyclic, fk)
			}
		}
		state[i] = done
		sorted = append(sorted, t)
	}
	for i := range m.Tables {
		if state[i] == unvisited {
			visit(i)
		}
	}
	return sorted, cyclic
}
