package dialects_test

import "github.com/tagorm/orm/schema"

// fixtureTables returns the representative tables of the golden and
// database tests, in dependency order. prefix is prepended to table,
// constraint, index and enum names, so database tests can isolate them.
func fixtureTables() []*schema.Table {
	col := func(name string, k schema.Kind, mods ...func(*schema.Column)) *schema.Column {
		c := &schema.Column{Name: name, Type: schema.Type{Kind: k}}
		for _, m := range mods {
			m(c)
		}
		return c
	}
	null := func(c *schema.Column) { c.Nullable = true }
	def := func(s string) func(*schema.Column) { return func(c *schema.Column) { c.Default = &s } }
	size := func(n int) func(*schema.Column) { return func(c *schema.Column) { c.Type.Size = n } }
	auto := func(c *schema.Column) { c.AutoIncrement = true }
	comment := func(s string) func(*schema.Column) { return func(c *schema.Column) { c.Comment = s } }

	allTypes := &schema.Table{
		Name:    "all_types",
		Comment: "every kind; it's \"here\" \\ too",
		Columns: []*schema.Column{
			col("id", schema.BigInt, auto, comment("surrogate key")),
			col("b", schema.Bool, def("false")),
			col("si", schema.SmallInt, null),
			col("i", schema.Integer, def("0")),
			col("u", schema.Integer, null, func(c *schema.Column) { c.Type.Unsigned = true }),
			col("bi", schema.BigInt, null),
			col("f", schema.Float, null),
			col("d", schema.Double, null),
			col("dec", schema.Decimal, func(c *schema.Column) { c.Type.Precision, c.Type.Scale = 10, 2 }, def("0")),
			col("dec_any", schema.Decimal, null),
			col("s", schema.String, size(50), def("'it''s'"), comment("O'Brien's \"name\"")),
			col("s_default", schema.String),
			col("t", schema.Text, null),
			col("t_def", schema.Text, def("'x'")),
			col("bin", schema.Binary, null),
			col("vbin", schema.Binary, size(16), null),
			col("dt", schema.Date, null),
			col("ts", schema.DateTime, def("CURRENT_TIMESTAMP")),
			col("ts3", schema.DateTime, null, func(c *schema.Column) { c.Type.Precision = 3 }),
			col("j", schema.JSON, null),
			col("uid", schema.UUID, null),
			col("status", schema.Enum, def("'new'"), func(c *schema.Column) {
				c.Type.Values = []string{"new", "in progress", "it's done"}
			}),
			col("raw", schema.Custom, null, func(c *schema.Column) { c.Type.Raw = "varchar(7)" }),
			col("over", schema.String, null, func(c *schema.Column) {
				c.DialectTypes = map[string]string{"sqlite": "text", "postgres": "character varying(100)", "mysql": "varchar(100) COLLATE utf8mb4_bin"}
			}),
		},
		PrimaryKey: &schema.PrimaryKey{Name: "all_types_pkey", Columns: []string{"id"}},
	}
	parent := &schema.Table{
		Name: "parent",
		Columns: []*schema.Column{
			col("tenant", schema.Integer),
			col("code", schema.String, size(20)),
			col("name", schema.String, size(100)),
			col("email", schema.String, size(200), null),
		},
		PrimaryKey: &schema.PrimaryKey{Name: "parent_pkey", Columns: []string{"tenant", "code"}},
		Uniques: []*schema.Unique{
			{Name: "parent_tenant_name_key", Columns: []string{"tenant", "name"}},
			{Columns: []string{"email"}},
		},
		Indexes: []*schema.Index{
			{Name: "parent_name_desc", Columns: []schema.IndexColumn{{Name: "name", Desc: true}, {Name: "tenant"}}},
			{Name: "parent_email_uq", Unique: true, Columns: []schema.IndexColumn{{Name: "tenant"}, {Name: "email"}}},
			{Columns: []schema.IndexColumn{{Name: "code"}}},
		},
		Options: map[string]string{"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_unicode_ci", "mysql_row_format": "DYNAMIC"},
	}
	child := &schema.Table{
		Name:    "child",
		Comment: "children",
		Columns: []*schema.Column{
			col("id", schema.Integer, auto),
			col("tenant", schema.Integer),
			col("parent_code", schema.String, size(20), null),
			col("qty", schema.Integer, def("1")),
			col("price", schema.Decimal, func(c *schema.Column) { c.Type.Precision, c.Type.Scale = 8, 2 }),
			col("note", schema.String, size(30), null, comment(`back\slash`)),
		},
		PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}},
		ForeignKeys: []*schema.ForeignKey{{
			Name: "child_parent_fk", Columns: []string{"tenant", "parent_code"},
			RefTable: "parent", RefColumns: []string{"tenant", "code"},
			OnDelete: schema.Cascade, OnUpdate: schema.Restrict,
		}},
		Checks: []*schema.Check{
			{Name: "child_qty_positive", Expr: "qty > 0"},
			{Expr: "price >= 0"},
		},
		// Foreign key columns must share the parent's collation on MySQL.
		Options: map[string]string{"mysql_collate": "utf8mb4_unicode_ci"},
		Indexes: []*schema.Index{{Name: "child_parent_idx", Columns: []schema.IndexColumn{{Name: "tenant"}, {Name: "parent_code"}}}},
	}
	selfRef := &schema.Table{
		Name: "node",
		Columns: []*schema.Column{
			col("id", schema.BigInt, auto),
			col("parent_id", schema.BigInt, null),
			col("label", schema.String, size(40), def("'a \"quoted\" label'")),
		},
		PrimaryKey:  &schema.PrimaryKey{Columns: []string{"id"}},
		ForeignKeys: []*schema.ForeignKey{{Name: "node_parent_fk", Columns: []string{"parent_id"}, RefTable: "node", RefColumns: []string{"id"}, OnDelete: schema.SetNull}},
	}
	return []*schema.Table{allTypes, parent, child, selfRef}
}
