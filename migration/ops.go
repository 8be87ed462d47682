package migration

import (
	"fmt"
	"strings"

	"github.com/tagorm/orm/schema"
)

// Op is one dialect-neutral schema change, as produced by Compare and
// rendered to SQL by a dialect. The concrete types are the exported
// structs in this file.
type Op interface {
	// String describes the change for people: "add column user.email".
	String() string
	// Destructive reports whether the change can lose data or fail on
	// existing data (drops, narrowing type changes, NOT NULL on a column,
	// a unique constraint on existing rows). AutoMigrate refuses such ops
	// unless told otherwise.
	Destructive() bool
	// TableName is the table the op changes.
	TableName() string
}

// CreateTable creates a table with its columns, keys, constraints and
// indexes. ForeignKeys whose referenced table is created later (a cycle)
// are left to separate AddForeignKey ops.
type CreateTable struct {
	Table *schema.Table
	// DeferredFKs are the foreign keys of Table created by later
	// AddForeignKey ops rather than inline.
	DeferredFKs []*schema.ForeignKey
}

// DropTable drops a table. Table is the live table (for the reverse op).
type DropTable struct{ Table *schema.Table }

// RenameTable renames a table (from a renamed_from declaration).
type RenameTable struct{ From, To string }

// AddColumn adds a column to a table.
type AddColumn struct {
	Table  string
	Column *schema.Column
}

// DropColumn drops a column. Column is the live column.
type DropColumn struct {
	Table  string
	Column *schema.Column
}

// RenameColumn renames a column (from a renamed_from declaration).
type RenameColumn struct{ Table, From, To string }

// AlterColumn changes a column's type, nullability, default or comment.
// From is the live column, To the target; the flags say what differs.
type AlterColumn struct {
	Table          string
	From, To       *schema.Column
	TypeChanged    bool
	NullChanged    bool
	DefaultChanged bool
	CommentChanged bool
	// Narrowing is set when the new type may not hold every existing value
	// (shorter string, smaller integer, fewer decimal digits, a different
	// kind).
	Narrowing bool
}

// AddEnumValues adds values to an enum column's type (PostgreSQL ALTER
// TYPE ... ADD VALUE; MySQL re-declares the ENUM; SQLite rewrites the CHECK).
type AddEnumValues struct {
	Table  string
	Column *schema.Column // the target column, with every value
	Values []string       // the new values, in order
}

// CreateIndex creates an index.
type CreateIndex struct {
	Table string
	Index *schema.Index
}

// DropIndex drops an index. Index is the live index.
type DropIndex struct {
	Table string
	Index *schema.Index
}

// AddUnique adds a unique constraint.
type AddUnique struct {
	Table  string
	Unique *schema.Unique
}

// DropUnique drops a unique constraint. Unique is the live constraint.
type DropUnique struct {
	Table  string
	Unique *schema.Unique
}

// AddForeignKey adds a foreign key.
type AddForeignKey struct {
	Table      string
	ForeignKey *schema.ForeignKey
}

// DropForeignKey drops a foreign key. ForeignKey is the live constraint.
type DropForeignKey struct {
	Table      string
	ForeignKey *schema.ForeignKey
}

// AddCheck adds a check constraint.
type AddCheck struct {
	Table string
	Check *schema.Check
}

// DropCheck drops a check constraint. Check is the live constraint.
type DropCheck struct {
	Table string
	Check *schema.Check
}

// AlterPrimaryKey replaces a table's primary key. From (live) or To
// (target) may be nil.
type AlterPrimaryKey struct {
	Table    string
	From, To *schema.PrimaryKey
}

// SetTableComment sets (or, when empty, removes) a table's comment.
type SetTableComment struct {
	Table    string
	From, To string
}

// Exec runs an SQL statement verbatim (hand-written revisions).
type Exec struct {
	SQL string
	// OnTable names the table the statement changes, if any.
	OnTable string
}

func cols(c []string) string { return "(" + strings.Join(c, ", ") + ")" }

// String implements Op.
func (o *CreateTable) String() string { return "create table " + o.Table.Name }

// String implements Op.
func (o *DropTable) String() string { return "drop table " + o.Table.Name }

// String implements Op.
func (o *RenameTable) String() string { return "rename table " + o.From + " to " + o.To }

// String implements Op.
func (o *AddColumn) String() string {
	return fmt.Sprintf("add column %s.%s %s", o.Table, o.Column.Name, o.Column.Type)
}

// String implements Op.
func (o *DropColumn) String() string { return "drop column " + o.Table + "." + o.Column.Name }

// String implements Op.
func (o *RenameColumn) String() string {
	return "rename column " + o.Table + "." + o.From + " to " + o.To
}

// String implements Op.
func (o *AlterColumn) String() string {
	var what []string
	if o.TypeChanged {
		from, to := o.From.Type.String(), o.To.Type.String()
		if from == to && o.From.Type.Kind == schema.DateTime && o.To.Type.Kind == schema.DateTime {
			from, to = fmt.Sprintf("%s(%d)", from, o.From.Type.Precision), fmt.Sprintf("%s(%d)", to, o.To.Type.Precision)
		}
		if o.From.Type.Unsigned != o.To.Type.Unsigned {
			if o.From.Type.Unsigned {
				from += " unsigned"
			} else {
				to += " unsigned"
			}
		}
		what = append(what, fmt.Sprintf("type %s → %s", from, to))
	}
	if o.NullChanged {
		if o.To.Nullable {
			what = append(what, "drop NOT NULL")
		} else {
			what = append(what, "set NOT NULL")
		}
	}
	if o.DefaultChanged {
		what = append(what, fmt.Sprintf("default %s → %s", defaultText(o.From.Default), defaultText(o.To.Default)))
	}
	if o.CommentChanged {
		what = append(what, "comment")
	}
	return "alter column " + o.Table + "." + o.To.Name + ": " + strings.Join(what, ", ")
}

// String implements Op.
func (o *AddEnumValues) String() string {
	return "add enum values " + strings.Join(o.Values, ", ") + " to " + o.Table + "." + o.Column.Name
}

// String implements Op.
func (o *CreateIndex) String() string {
	u := ""
	if o.Index.Unique {
		u = "unique "
	}
	return "create " + u + "index " + o.Index.Name + " on " + o.Table + cols(o.Index.ColumnNames())
}

// String implements Op.
func (o *DropIndex) String() string { return "drop index " + o.Index.Name + " on " + o.Table }

// String implements Op.
func (o *AddUnique) String() string {
	return "add unique " + o.Unique.Name + " on " + o.Table + cols(o.Unique.Columns)
}

// String implements Op.
func (o *DropUnique) String() string { return "drop unique " + o.Unique.Name + " on " + o.Table }

// String implements Op.
func (o *AddForeignKey) String() string {
	return fmt.Sprintf("add foreign key %s on %s%s → %s%s", o.ForeignKey.Name, o.Table, cols(o.ForeignKey.Columns), o.ForeignKey.RefTable, cols(o.ForeignKey.RefColumns))
}

// String implements Op.
func (o *DropForeignKey) String() string {
	return "drop foreign key " + o.ForeignKey.Name + " on " + o.Table
}

// String implements Op.
func (o *AddCheck) String() string { return "add check " + o.Check.Name + " on " + o.Table }

// String implements Op.
func (o *DropCheck) String() string { return "drop check " + o.Check.Name + " on " + o.Table }

// String implements Op.
func (o *AlterPrimaryKey) String() string {
	return "alter primary key of " + o.Table
}

// String implements Op.
func (o *SetTableComment) String() string { return "set comment on table " + o.Table }

// String implements Op.
func (o *Exec) String() string { return "exec " + o.SQL }

func defaultText(d *string) string {
	if d == nil {
		return "none"
	}
	return *d
}

// Destructive implementations: see Op.
func (o *CreateTable) Destructive() bool { return false }

// Destructive implements Op.
func (o *DropTable) Destructive() bool { return true }

// Destructive implements Op.
func (o *RenameTable) Destructive() bool { return false }

// Destructive implements Op.
func (o *AddColumn) Destructive() bool {
	return !o.Column.Nullable && o.Column.Default == nil && !o.Column.AutoIncrement
}

// Destructive implements Op.
func (o *DropColumn) Destructive() bool { return true }

// Destructive implements Op.
func (o *RenameColumn) Destructive() bool { return false }

// Destructive implements Op.
func (o *AlterColumn) Destructive() bool { return o.Narrowing || (o.NullChanged && !o.To.Nullable) }

// Destructive implements Op.
func (o *AddEnumValues) Destructive() bool { return false }

// Destructive implements Op.
func (o *CreateIndex) Destructive() bool { return o.Index.Unique }

// Destructive implements Op.
func (o *DropIndex) Destructive() bool { return false }

// Destructive implements Op.
func (o *AddUnique) Destructive() bool { return true }

// Destructive implements Op.
func (o *DropUnique) Destructive() bool { return false }

// Destructive implements Op.
func (o *AddForeignKey) Destructive() bool { return false }

// Destructive implements Op.
func (o *DropForeignKey) Destructive() bool { return false }

// Destructive implements Op.
func (o *AddCheck) Destructive() bool { return true }

// Destructive implements Op.
func (o *DropCheck) Destructive() bool { return false }

// Destructive implements Op.
func (o *AlterPrimaryKey) Destructive() bool { return true }

// Destructive implements Op.
func (o *SetTableComment) Destructive() bool { return false }

// Destructive implements Op.
func (o *Exec) Destructive() bool { return true }

// TableName implementations: see Op.
func (o *CreateTable) TableName() string { return o.Table.Name }

// TableName implements Op.
func (o *DropTable) TableName() string { return o.Table.Name }

// TableName implements Op.
func (o *RenameTable) TableName() string { return o.To }

// TableName implements Op.
func (o *AddColumn) TableName() string { return o.Table }

// TableName implements Op.
func (o *DropColumn) TableName() string { return o.Table }

// TableName implements Op.
func (o *RenameColumn) TableName() string { return o.Table }

// TableName implements Op.
func (o *AlterColumn) TableName() string { return o.Table }

// TableName implements Op.
func (o *AddEnumValues) TableName() string { return o.Table }

// TableName implements Op.
func (o *CreateIndex) TableName() string { return o.Table }

// TableName implements Op.
func (o *DropIndex) TableName() string { return o.Table }

// TableName implements Op.
func (o *AddUnique) TableName() string { return o.Table }

// TableName implements Op.
func (o *DropUnique) TableName() string { return o.Table }

// TableName implements Op.
func (o *AddForeignKey) TableName() string { return o.Table }

// TableName implements Op.
func (o *DropForeignKey) TableName() string { return o.Table }

// TableName implements Op.
func (o *AddCheck) TableName() string { return o.Table }

// TableName implements Op.
func (o *DropCheck) TableName() string { return o.Table }

// TableName implements Op.
func (o *AlterPrimaryKey) TableName() string { return o.Table }

// TableName implements Op.
func (o *SetTableComment) TableName() string { return o.Table }

// TableName implements Op.
func (o *Exec) TableName() string { return o.OnTable }
