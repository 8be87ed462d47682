package revtest

import (
	"github.com/tagorm/orm/migration"
	"github.com/tagorm/orm/schema"
)

func col(name string, k schema.Kind, size int, nullable bool) *schema.Column {
	return &schema.Column{Name: name, Type: schema.Type{Kind: k, Size: size}, Nullable: nullable}
}

func id() *schema.Column {
	return &schema.Column{Name: "id", Type: schema.Type{Kind: schema.BigInt}, AutoIncrement: true}
}

func pk(table string, cols ...string) *schema.PrimaryKey {
	return &schema.PrimaryKey{Name: "pk_" + table, Columns: cols}
}

// MixedHistory returns the revisions the generated_mixed_*.go files were
// generated from: m1 creates tables (a foreign key cycle included), m2
// changes them with every kind of op; each Downgrade is Reverse(Upgrade).
func MixedHistory() []*migration.Revision {
	// The enum type is named: PostgreSQL's default name follows the
	// table, which m2 renames.
	status := &schema.Column{Name: "status", Type: schema.Type{Kind: schema.Enum, Values: []string{"new", "done"}, EnumName: "m_status"}, Default: migration.Expr("'new'")}
	parent := &schema.Table{Name: "m_parent", Columns: []*schema.Column{id(), col("name", schema.String, 50, false), status}, PrimaryKey: pk("m_parent", "id")}
	fkParent := &schema.ForeignKey{Name: "fk_m_child_parent", Columns: []string{"parent_id"}, RefTable: "m_parent", RefColumns: []string{"id"}, OnDelete: schema.Cascade}
	child := &schema.Table{
		Name:        "m_child",
		Columns:     []*schema.Column{id(), {Name: "parent_id", Type: schema.Type{Kind: schema.BigInt}, Nullable: true}, col("label", schema.String, 20, false), col("note", schema.String, 100, true)},
		PrimaryKey:  pk("m_child", "id"),
		Indexes:     []*schema.Index{{Name: "ix_m_child_label", Columns: []schema.IndexColumn{{Name: "label"}}}},
		ForeignKeys: []*schema.ForeignKey{fkParent},
		Checks:      []*schema.Check{{Name: "ck_m_child_label", Expr: "label <> ''"}},
	}
	old := &schema.Table{Name: "m_old", Columns: []*schema.Column{{Name: "id", Type: schema.Type{Kind: schema.BigInt}}, col("v", schema.Integer, 0, false)}, PrimaryKey: pk("m_old", "id")}
	fkAB := &schema.ForeignKey{Name: "fk_m_a_b", Columns: []string{"b_id"}, RefTable: "m_b", RefColumns: []string{"id"}}
	a := &schema.Table{Name: "m_a", Columns: []*schema.Column{id(), {Name: "b_id", Type: schema.Type{Kind: schema.BigInt}, Nullable: true}}, PrimaryKey: pk("m_a", "id"), ForeignKeys: []*schema.ForeignKey{fkAB}}
	b := &schema.Table{Name: "m_b", Columns: []*schema.Column{id(), {Name: "a_id", Type: schema.Type{Kind: schema.BigInt}, Nullable: true}}, PrimaryKey: pk("m_b", "id"),
		ForeignKeys: []*schema.ForeignKey{{Name: "fk_m_b_a", Columns: []string{"a_id"}, RefTable: "m_a", RefColumns: []string{"id"}}}}
	up1 := []migration.Op{
		&migration.CreateTable{Table: parent},
		&migration.CreateTable{Table: child},
		&migration.CreateTable{Table: old},
		&migration.CreateTable{Table: a, DeferredFKs: []*schema.ForeignKey{fkAB}},
		&migration.CreateTable{Table: b},
		&migration.AddForeignKey{Table: "m_a", ForeignKey: fkAB},
	}

	newStatus := status.Clone()
	newStatus.Type.Values = []string{"new", "done", "archived"}
	title := col("title", schema.String, 20, false)
	title40 := col("title", schema.String, 40, false)
	title40.Default = migration.Expr("'untitled'")
	fresh := &schema.Table{Name: "m_new", Columns: []*schema.Column{id(), col("owner_id", schema.BigInt, 0, false)}, PrimaryKey: pk("m_new", "id"),
		ForeignKeys: []*schema.ForeignKey{{Name: "fk_m_new_owner", Columns: []string{"owner_id"}, RefTable: "m_owner", RefColumns: []string{"id"}}}}
	up2 := []migration.Op{
		&migration.DropForeignKey{Table: "m_child", ForeignKey: fkParent},
		&migration.DropForeignKey{Table: "m_a", ForeignKey: fkAB},
		&migration.DropIndex{Table: "m_child", Index: child.Indexes[0]},
		&migration.DropCheck{Table: "m_child", Check: child.Checks[0]},
		&migration.RenameTable{From: "m_parent", To: "m_owner"},
		&migration.RenameColumn{Table: "m_child", From: "label", To: "title"},
		&migration.CreateTable{Table: fresh},
		&migration.AddColumn{Table: "m_child", Column: &schema.Column{Name: "rank_n", Type: schema.Type{Kind: schema.Integer}, Default: migration.Expr("1")}},
		&migration.AlterColumn{Table: "m_child", From: title, To: title40, TypeChanged: true, DefaultChanged: true},
		&migration.AddEnumValues{Table: "m_owner", Column: newStatus, Values: []string{"archived"}},
		&migration.AlterPrimaryKey{Table: "m_old", From: old.PrimaryKey, To: pk("m_old", "id", "v")},
		&migration.CreateIndex{Table: "m_child", Index: &schema.Index{Name: "ix_m_child_title", Columns: []schema.IndexColumn{{Name: "title", Desc: true}, {Name: "rank_n"}}}},
		&migration.AddUnique{Table: "m_child", Unique: &schema.Unique{Name: "uq_m_child_title_parent", Columns: []string{"title", "parent_id"}}},
		&migration.AddCheck{Table: "m_child", Check: &schema.Check{Name: "ck_m_child_rank", Expr: "rank_n > 0"}},
		&migration.AddForeignKey{Table: "m_child", ForeignKey: &schema.ForeignKey{Name: "fk_m_child_owner", Columns: []string{"parent_id"}, RefTable: "m_owner", RefColumns: []string{"id"}, OnDelete: schema.SetNull}},
		&migration.DropColumn{Table: "m_child", Column: child.Columns[3]},
		&migration.DropTable{Table: b},
		&migration.SetTableComment{Table: "m_owner", From: "", To: "owners; it's \"them\""},
	}
	down1, _ := migration.Reverse(up1)
	down2, _ := migration.Reverse(up2)
	return []*migration.Revision{
		{ID: "m1", Message: "create tables", Upgrade: up1, Downgrade: down1},
		{ID: "m2", Parent: "m1", Message: "every kind of change", Upgrade: up2, Downgrade: down2},
	}
}
