package migration

import (
	"fmt"
	"slices"

	"github.com/tagorm/orm/schema"
)

// Simulate returns the schema md becomes when ops are applied to it,
// without a database: what a run of several revisions renders each one
// against, and what `migrate upgrade --sql` shows. md is not changed.
func Simulate(md *schema.MetaData, ops []Op) (*schema.MetaData, error) {
	out := md.Clone()
	for _, op := range ops {
		if err := simulateOp(out, op); err != nil {
			return nil, fmt.Errorf("migration: simulate %s: %w", op, err)
		}
	}
	return out, nil
}

func simulateOp(md *schema.MetaData, op Op) error {
	table := func(name string) (*schema.Table, error) {
		if t := md.Table(name); t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("no table %q", name)
	}
	switch o := op.(type) {
	case *CreateTable:
		if md.Table(o.Table.Name) != nil {
			return fmt.Errorf("table %q exists", o.Table.Name)
		}
		t := o.Table.Clone()
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool {
			return slices.ContainsFunc(o.DeferredFKs, func(d *schema.ForeignKey) bool { return sameFK(d, fk) })
		})
		md.Tables = append(md.Tables, t)
	case *DropTable:
		if md.Table(o.Table.Name) == nil {
			return fmt.Errorf("no table %q", o.Table.Name)
		}
		md.Tables = slices.DeleteFunc(md.Tables, func(t *schema.Table) bool { return t.Name == o.Table.Name })
	case *RenameTable:
		t, err := table(o.From)
		if err != nil {
			return err
		}
		t.Name = o.To
		for _, other := range md.Tables {
			for _, fk := range other.ForeignKeys {
				if fk.RefTable == o.From {
					fk.RefTable = o.To
				}
			}
		}
	case *AddColumn:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		if t.Column(o.Column.Name) != nil {
			return fmt.Errorf("column %s.%s exists", o.Table, o.Column.Name)
		}
		t.Columns = append(t.Columns, o.Column.Clone())
	case *DropColumn:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		name := o.Column.Name
		if t.Column(name) == nil {
			return fmt.Errorf("no column %s.%s", o.Table, name)
		}
		t.Columns = slices.DeleteFunc(t.Columns, func(c *schema.Column) bool { return c.Name == name })
		// The database drops what is built on the column.
		t.Indexes = slices.DeleteFunc(t.Indexes, func(ix *schema.Index) bool { return slices.Contains(ix.ColumnNames(), name) })
		t.Uniques = slices.DeleteFunc(t.Uniques, func(u *schema.Unique) bool { return slices.Contains(u.Columns, name) })
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool { return slices.Contains(fk.Columns, name) })
	case *RenameColumn:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		c := t.Column(o.From)
		if c == nil {
			return fmt.Errorf("no column %s.%s", o.Table, o.From)
		}
		c.Name = o.To
		rename := func(cols []string) {
			for i, n := range cols {
				if n == o.From {
					cols[i] = o.To
				}
			}
		}
		if t.PrimaryKey != nil {
			rename(t.PrimaryKey.Columns)
		}
		for _, u := range t.Uniques {
			rename(u.Columns)
		}
		for _, ix := range t.Indexes {
			for i := range ix.Columns {
				if ix.Columns[i].Name == o.From {
					ix.Columns[i].Name = o.To
				}
			}
		}
		for _, fk := range t.ForeignKeys {
			rename(fk.Columns)
		}
		for _, other := range md.Tables {
			for _, fk := range other.ForeignKeys {
				if fk.RefTable == t.Name {
					rename(fk.RefColumns)
				}
			}
		}
	case *AlterColumn:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(t.Columns, func(c *schema.Column) bool { return c.Name == o.From.Name })
		if i < 0 {
			return fmt.Errorf("no column %s.%s", o.Table, o.From.Name)
		}
		t.Columns[i] = o.To.Clone()
	case *AddEnumValues:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		c := t.Column(o.Column.Name)
		if c == nil {
			return fmt.Errorf("no column %s.%s", o.Table, o.Column.Name)
		}
		c.Type.Values = slices.Clone(o.Column.Type.Values)
	case *CreateIndex:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		ix := *o.Index
		ix.Columns = slices.Clone(o.Index.Columns)
		t.Indexes = append(t.Indexes, &ix)
	case *DropIndex:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		t.Indexes = slices.DeleteFunc(t.Indexes, func(ix *schema.Index) bool {
			return ix.Name == o.Index.Name || o.Index.Name == "" && slices.Equal(ix.Columns, o.Index.Columns)
		})
	case *AddUnique:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		u := *o.Unique
		u.Columns = slices.Clone(o.Unique.Columns)
		t.Uniques = append(t.Uniques, &u)
	case *DropUnique:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		t.Uniques = slices.DeleteFunc(t.Uniques, func(u *schema.Unique) bool {
			return u.Name == o.Unique.Name || o.Unique.Name == "" && slices.Equal(u.Columns, o.Unique.Columns)
		})
		// A unique constraint read back as a unique index (MySQL).
		t.Indexes = slices.DeleteFunc(t.Indexes, func(ix *schema.Index) bool {
			return ix.Unique && (ix.Name == o.Unique.Name || o.Unique.Name == "" && slices.Equal(ix.ColumnNames(), o.Unique.Columns))
		})
	case *AddForeignKey:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		fk := *o.ForeignKey
		fk.Columns, fk.RefColumns = slices.Clone(fk.Columns), slices.Clone(fk.RefColumns)
		t.ForeignKeys = append(t.ForeignKeys, &fk)
	case *DropForeignKey:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		t.ForeignKeys = slices.DeleteFunc(t.ForeignKeys, func(fk *schema.ForeignKey) bool {
			return fk.Name == o.ForeignKey.Name || o.ForeignKey.Name == "" && slices.Equal(fk.Columns, o.ForeignKey.Columns)
		})
	case *AddCheck:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		ck := *o.Check
		t.Checks = append(t.Checks, &ck)
	case *DropCheck:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		t.Checks = slices.DeleteFunc(t.Checks, func(ck *schema.Check) bool { return ck.Name == o.Check.Name })
	case *AlterPrimaryKey:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		if o.To == nil {
			t.PrimaryKey = nil
		} else {
			pk := *o.To
			pk.Columns = slices.Clone(o.To.Columns)
			t.PrimaryKey = &pk
		}
	case *SetTableComment:
		t, err := table(o.Table)
		if err != nil {
			return err
		}
		t.Comment = o.To
	case *Exec:
		// Opaque: the schema is assumed unchanged.
	default:
		return fmt.Errorf("unknown op %T", op)
	}
	return nil
}
