package mysql

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Inspector = Dialect{}

// The inspection queries read information_schema for the tables of
// DATABASE(): two queries whatever the number of tables, one for tables
// and columns (and the server version), one for indexes, foreign keys
// and checks. Every information_schema table of a join is filtered on
// DATABASE() itself: MariaDB does not carry the condition across a join
// condition, and would otherwise open every table of every database on
// the server (EXPLAIN: "Scanned all databases").
const (
	columnsQuery = `SELECT c.TABLE_NAME, COALESCE(t.TABLE_COMMENT, ''), c.COLUMN_NAME, c.COLUMN_TYPE,
	c.IS_NULLABLE, c.COLUMN_DEFAULT, c.EXTRA, c.COLUMN_COMMENT, VERSION()
FROM information_schema.COLUMNS c
JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = DATABASE() AND t.TABLE_NAME = c.TABLE_NAME
WHERE c.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE TABLE'
ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`

	// Rows of kind i (index columns), f (foreign key columns) and c
	// (checks), then checksQuery. MariaDB names check constraints per
	// table and lists the table in CHECK_CONSTRAINTS; MySQL 8 names them
	// per schema and does not.
	constraintsQuery = `SELECT 'i', TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME,
	CAST(NON_UNIQUE AS CHAR), COALESCE(COLLATION, 'A'), NULL, NULL
FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = DATABASE()
UNION ALL
SELECT 'f', k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION, k.COLUMN_NAME,
	k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE
FROM information_schema.KEY_COLUMN_USAGE k
JOIN information_schema.REFERENTIAL_CONSTRAINTS r
	ON r.CONSTRAINT_SCHEMA = DATABASE() AND r.TABLE_NAME = k.TABLE_NAME
	AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME
WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL
UNION ALL
`
	mariaChecks = `SELECT 'c', TABLE_NAME, CONSTRAINT_NAME, 0, NULL, CHECK_CLAUSE, NULL, NULL, NULL
FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = DATABASE()
ORDER BY 1, 2, 3, 4`

	mysqlChecks = `SELECT 'c', tc.TABLE_NAME, tc.CONSTRAINT_NAME, 0, NULL, cc.CHECK_CLAUSE, NULL, NULL, NULL
FROM information_schema.TABLE_CONSTRAINTS tc
JOIN information_schema.CHECK_CONSTRAINTS cc
	ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME
WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'
ORDER BY 1, 2, 3, 4`
)

// Inspect implements dialects.Inspector with two information_schema
// queries on the tables of DATABASE() (one when there are no tables). It
// is tested on MariaDB 10.11; MySQL 8's different default and check
// reporting is handled but untested.
//
// Conventions particular to MySQL and MariaDB:
//   - tinyint(1) is Bool, char(36) is UUID (how the dialect stores
//     UUIDs), MariaDB's native uuid is UUID; other tinyint, mediumint,
//     year, time, bit, set and char(n) are Custom. The display width of
//     int(11) is ignored; unsigned sets Type.Unsigned.
//   - MariaDB's JSON is longtext with an automatic CHECK (json_valid(col))
//     named after the column: such a column is JSON and the check is not
//     listed.
//   - The primary key has Name "" (MySQL always calls it PRIMARY).
//   - Unique constraints are unique indexes in MySQL: they are reported as
//     Index{Unique: true} in Indexes, never in Uniques.
//   - The index InnoDB creates for a foreign key is reported like any
//     other index. Index prefix lengths are not reported; indexes on
//     expressions (MySQL 8) are skipped.
//   - MariaDB reports an FK declared without actions as RESTRICT (which
//     InnoDB treats as NO ACTION): it is reported as RESTRICT.
//   - Column-level checks are named after their column by MariaDB.
//   - Defaults: MariaDB's quoted literals (with backslash escapes) are
//     re-quoted in standard SQL; current_timestamp(6) and friends become
//     CURRENT_TIMESTAMP; 0/1 on a Bool column become FALSE/TRUE; numbers
//     are kept as printed (a decimal(10,2) DEFAULT 0 reads back 0.00).
func (Dialect) Inspect(ctx context.Context, q dialects.Querier, opts dialects.InspectOptions) (*schema.MetaData, error) {
	set := dialects.NewTableSet(opts)
	maria, found := false, false
	err := dialects.ScanEach(ctx, q, columnsQuery, func(rows *sql.Rows) error {
		var tname, tcomment, cname, typ, nullable, extra, comment, version string
		var dflt sql.NullString
		if err := rows.Scan(&tname, &tcomment, &cname, &typ, &nullable, &dflt, &extra, &comment, &version); err != nil {
			return err
		}
		found = true
		maria = strings.Contains(strings.ToLower(version), "mariadb")
		t := set.Add(tname)
		if t == nil {
			return nil
		}
		t.Comment = tcomment
		c := &schema.Column{
			Name:     cname,
			Type:     columnType(typ),
			Nullable: nullable == "YES",
			Comment:  comment,
		}
		lextra := strings.ToLower(extra)
		if strings.Contains(lextra, "auto_increment") {
			c.AutoIncrement = true
		} else if dflt.Valid {
			c.Default = columnDefault(dflt.String, c.Type, maria, strings.Contains(lextra, "default_generated"))
		}
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mysql: inspect columns: %w", err)
	}
	if !found { // no tables: nothing else to read
		return set.MetaData(), nil
	}

	var ix *schema.Index
	var ixTable string
	flushIndex := func() {
		if ix == nil {
			return
		}
		t := set.Get(ixTable)
		if ix.Name == "PRIMARY" {
			t.PrimaryKey = &schema.PrimaryKey{Columns: ix.ColumnNames()}
		} else {
			t.Indexes = append(t.Indexes, ix)
		}
		ix = nil
	}
	skip := ""
	var fk *schema.ForeignKey
	var fkTable string
	query := constraintsQuery + mysqlChecks
	if maria {
		query = constraintsQuery + mariaChecks
	}
	err = dialects.ScanEach(ctx, q, query, func(rows *sql.Rows) error {
		var kind, tname, name string
		var pos int
		var col, a, b, c, d sql.NullString
		if err := rows.Scan(&kind, &tname, &name, &pos, &col, &a, &b, &c, &d); err != nil {
			return err
		}
		t := set.Get(tname)
		if t == nil {
			return nil
		}
		switch kind {
		case "i": // a: NON_UNIQUE, b: COLLATION
			if tname+"\x00"+name == skip {
				return nil
			}
			if ix == nil || ix.Name != name || ixTable != tname {
				flushIndex()
				ix, ixTable = &schema.Index{Name: name, Unique: a.String == "0"}, tname
			}
			if !col.Valid { // a functional index (MySQL 8): schema cannot describe it
				ix, skip = nil, tname+"\x00"+name
				return nil
			}
			ix.Columns = append(ix.Columns, schema.IndexColumn{Name: col.String, Desc: b.String == "D"})
		case "f": // a: referenced table, b: referenced column, c: ON UPDATE, d: ON DELETE
			if fk == nil || fk.Name != name || fkTable != tname {
				fk, fkTable = &schema.ForeignKey{
					Name: name, RefTable: a.String,
					OnUpdate: dialects.ReferentialAction(c.String),
					OnDelete: dialects.ReferentialAction(d.String),
				}, tname
				t.ForeignKeys = append(t.ForeignKeys, fk)
			}
			fk.Columns = append(fk.Columns, col.String)
			fk.RefColumns = append(fk.RefColumns, b.String)
		case "c": // a: CHECK_CLAUSE
			expr := dialects.StripParens(a.String)
			if c := t.Column(name); c != nil && isJSONCheck(expr, name) && c.Type.Kind == schema.Text {
				c.Type.Kind = schema.JSON
				return nil
			}
			t.Checks = append(t.Checks, &schema.Check{Name: name, Expr: expr})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mysql: inspect indexes and constraints: %w", err)
	}
	flushIndex()
	return set.MetaData(), nil
}

// isJSONCheck recognises MariaDB's automatic check of a JSON column:
// json_valid(`col`).
func isJSONCheck(expr, col string) bool {
	return strings.EqualFold(expr, "json_valid("+dialects.QuoteIdent(col, '`')+")")
}

// columnType normalises a COLUMN_TYPE such as "int(11) unsigned",
// "tinyint(1)", "enum('a','b')" or "datetime(6)".
func columnType(typ string) schema.Type {
	ts, err := dialects.ParseType(typ, dialects.ParseTypeOptions{BackslashEscapes: true})
	if err != nil {
		return schema.Type{Kind: schema.Custom, Raw: typ}
	}
	switch {
	case ts.Name == "tinyint" && len(ts.Args) == 1 && ts.Args[0] == "1" && !ts.Unsigned:
		return schema.Type{Kind: schema.Bool, Raw: typ}
	case (ts.Name == "char" || ts.Name == "character") && len(ts.Args) == 1 && ts.Args[0] == "36":
		return schema.Type{Kind: schema.UUID, Raw: typ}
	}
	return dialects.TypeOf(ts, typ)
}

// columnDefault normalises COLUMN_DEFAULT. MariaDB quotes literals and
// prints expressions as they are; MySQL 8 prints literals bare and flags
// expressions with DEFAULT_GENERATED in EXTRA.
func columnDefault(def string, t schema.Type, maria, generated bool) *string {
	if maria || generated {
		return dialects.NormalizeDefault(def, t, true)
	}
	switch t.Kind {
	case schema.Bool, schema.SmallInt, schema.Integer, schema.BigInt, schema.Float, schema.Double, schema.Decimal:
		return dialects.NormalizeDefault(def, t, false)
	case schema.DateTime:
		if dialects.IsCurrentTimestamp(def) {
			return dialects.NormalizeDefault(def, t, false)
		}
	}
	s := dialects.QuoteString(def, false)
	return &s
}
