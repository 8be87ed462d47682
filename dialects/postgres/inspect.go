package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/schema"
)

var _ dialects.Inspector = Dialect{}

// The inspection queries read pg_catalog for the tables of
// current_schema(): two queries whatever the number of tables, one for
// tables and columns (with enum labels), one for constraints and indexes.
// Column lists come back as JSON arrays so that any identifier survives.
const (
	tablesFilter = `n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition`

	columnsQuery = `SELECT c.relname, COALESCE(obj_description(c.oid, 'pg_class'), ''),
	a.attname, format_type(a.atttypid, a.atttypmod), t.typtype::text, t.typname,
	CASE WHEN t.typtype = 'e' THEN (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder)
		FROM pg_enum e WHERE e.enumtypid = a.atttypid)::text END,
	a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity::text,
	COALESCE(col_description(c.oid, a.attnum), '')
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE ` + tablesFilter + `
ORDER BY c.relname, a.attnum`

	// Constraints (kind p, u, f, c) and then indexes (kind i). Indexes
	// that back a primary key, unique or exclusion constraint are left
	// out (they are reported as those constraints), and so are partial
	// indexes. Index columns are [name, desc] pairs, name "" for an
	// expression.
	constraintsQuery = `SELECT c.relname, con.conname, con.contype::text,
	COALESCE((SELECT json_agg(a.attname ORDER BY k.i)
		FROM unnest(con.conkey) WITH ORDINALITY k(n, i)
		JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n)::text, '[]'),
	COALESCE(fc.relname, ''),
	COALESCE((SELECT json_agg(a.attname ORDER BY k.i)
		FROM unnest(con.confkey) WITH ORDINALITY k(n, i)
		JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.n)::text, '[]'),
	con.confupdtype::text, con.confdeltype::text,
	COALESCE(pg_get_expr(con.conbin, con.conrelid), '')
FROM pg_constraint con
JOIN pg_class c ON c.oid = con.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class fc ON fc.oid = con.confrelid
WHERE ` + tablesFilter + ` AND con.contype IN ('p', 'u', 'f', 'c')
UNION ALL
SELECT c.relname, i.relname, CASE WHEN ix.indisunique THEN 'iu' ELSE 'i' END,
	COALESCE((SELECT json_agg(json_build_array(COALESCE(a.attname, ''),
			pg_index_column_has_property(ix.indexrelid, k.i::int, 'desc')) ORDER BY k.i)
		FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(n, i)
		LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n
		WHERE k.i <= ix.indnkeyatts)::text, '[]'),
	'', '[]', '', '', ''
FROM pg_index ix
JOIN pg_class i ON i.oid = ix.indexrelid
JOIN pg_class c ON c.oid = ix.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE ` + tablesFilter + ` AND ix.indpred IS NULL
	AND NOT EXISTS (SELECT 1 FROM pg_constraint con
		WHERE con.conindid = ix.indexrelid AND con.conrelid = ix.indrelid AND con.contype IN ('p', 'u', 'x'))
ORDER BY 1, 2`
)

// Inspect implements dialects.Inspector with two catalog queries on the
// tables of current_schema() (partitions are not listed; their parent
// is).
//
// Types are read with format_type and normalised (int4 → Integer,
// character varying(n) → String, timestamp[(p)] with[out] time zone →
// DateTime with Precision p, or 6 when the type has no precision, which is
// what PostgreSQL stores; jsonb and json → JSON; character(n) stays
// Custom). A column of a user enum type is an Enum with the type's name in
// EnumName and its labels in Values. Identity columns and serial columns
// (a nextval(...) default) are AutoIncrement with a nil Default. Defaults
// lose their casts ('x'::character varying → 'x'; '-1'::integer → -1).
// Check expressions are pg_get_expr's text without the outer parentheses.
// Indexes on expressions and partial indexes are not reported.
func (Dialect) Inspect(ctx context.Context, q dialects.Querier, opts dialects.InspectOptions) (*schema.MetaData, error) {
	set := dialects.NewTableSet(opts)
	err := dialects.ScanEach(ctx, q, columnsQuery, func(rows *sql.Rows) error {
		var tname, tcomment string
		var cname, typ, typtype, typname, labels, identity, comment sql.NullString
		var notNull sql.NullBool
		var dflt sql.NullString
		if err := rows.Scan(&tname, &tcomment, &cname, &typ, &typtype, &typname, &labels, &notNull, &dflt, &identity, &comment); err != nil {
			return err
		}
		t := set.Add(tname)
		if t == nil {
			return nil
		}
		t.Comment = tcomment
		if !cname.Valid { // a table without columns
			return nil
		}
		c := &schema.Column{
			Name:     cname.String,
			Type:     columnType(typ.String, typtype.String, typname.String),
			Nullable: !notNull.Bool,
			Comment:  comment.String,
		}
		if c.Type.Kind == schema.Enum && labels.Valid {
			if err := json.Unmarshal([]byte(labels.String), &c.Type.Values); err != nil {
				return fmt.Errorf("enum labels of %s.%s: %w", tname, c.Name, err)
			}
		}
		switch {
		case identity.String == "a" || identity.String == "d":
			c.AutoIncrement = true
		case dflt.Valid && isSerialDefault(dflt.String):
			c.AutoIncrement = true
		case dflt.Valid:
			c.Default = dialects.NormalizeDefault(stripCast(dflt.String), c.Type, false)
		}
		t.Columns = append(t.Columns, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: inspect columns: %w", err)
	}

	err = dialects.ScanEach(ctx, q, constraintsQuery, func(rows *sql.Rows) error {
		var tname, name, kind, colsJSON, ref, refColsJSON, onUpdate, onDelete, expr string
		if err := rows.Scan(&tname, &name, &kind, &colsJSON, &ref, &refColsJSON, &onUpdate, &onDelete, &expr); err != nil {
			return err
		}
		t := set.Get(tname)
		if t == nil {
			return nil
		}
		if kind == "i" || kind == "iu" {
			return addIndex(t, name, kind == "iu", colsJSON)
		}
		var cols, refCols []string
		if err := json.Unmarshal([]byte(colsJSON), &cols); err != nil {
			return fmt.Errorf("constraint %q columns: %w", name, err)
		}
		if err := json.Unmarshal([]byte(refColsJSON), &refCols); err != nil {
			return fmt.Errorf("constraint %q referenced columns: %w", name, err)
		}
		switch kind {
		case "p":
			t.PrimaryKey = &schema.PrimaryKey{Name: name, Columns: cols}
		case "u":
			t.Uniques = append(t.Uniques, &schema.Unique{Name: name, Columns: cols})
		case "f":
			t.ForeignKeys = append(t.ForeignKeys, &schema.ForeignKey{
				Name: name, Columns: cols, RefTable: ref, RefColumns: refCols,
				OnDelete: fkAction(onDelete), OnUpdate: fkAction(onUpdate),
			})
		case "c":
			t.Checks = append(t.Checks, &schema.Check{Name: name, Expr: dialects.StripParens(expr)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: inspect constraints and indexes: %w", err)
	}
	return set.MetaData(), nil
}

// addIndex adds the index described by colsJSON ([[name, desc], ...]) to
// t, unless it has an expression column.
func addIndex(t *schema.Table, name string, unique bool, colsJSON string) error {
	var cols [][2]any
	if err := json.Unmarshal([]byte(colsJSON), &cols); err != nil {
		return fmt.Errorf("index %q columns: %w", name, err)
	}
	ix := &schema.Index{Name: name, Unique: unique}
	for _, c := range cols {
		col, _ := c[0].(string)
		desc, _ := c[1].(bool)
		if col == "" { // an expression: schema cannot describe the index
			return nil
		}
		ix.Columns = append(ix.Columns, schema.IndexColumn{Name: col, Desc: desc})
	}
	t.Indexes = append(t.Indexes, ix)
	return nil
}

// columnType normalises a type as format_type prints it.
func columnType(typ, typtype, typname string) schema.Type {
	if typtype == "e" {
		return schema.Type{Kind: schema.Enum, EnumName: typname, Raw: typ}
	}
	ts, err := dialects.ParseType(typ, dialects.ParseTypeOptions{})
	if err != nil {
		return schema.Type{Kind: schema.Custom, Raw: typ}
	}
	t := dialects.TypeOf(ts, typ)
	if t.Kind == schema.DateTime && !ts.HasArgs {
		t.Precision = 6 // PostgreSQL's timestamp keeps microseconds
	}
	return t
}

// isSerialDefault recognises the default of a serial column:
// nextval('seq'::regclass).
func isSerialDefault(expr string) bool {
	return strings.HasPrefix(expr, "nextval(") && strings.HasSuffix(expr, "::regclass)")
}

// fkAction maps pg_constraint's confupdtype/confdeltype codes.
func fkAction(code string) string {
	switch code {
	case "r":
		return schema.Restrict
	case "c":
		return schema.Cascade
	case "n":
		return schema.SetNull
	case "d":
		return schema.SetDefault
	}
	return "" // "a": NO ACTION
}

// numericTypes are the casts after which a quoted literal is a number:
// PostgreSQL prints DEFAULT -1 as '-1'::integer.
var numericTypes = map[string]bool{
	"smallint": true, "integer": true, "bigint": true, "numeric": true,
	"real": true, "double precision": true,
}

// stripCast removes the casts PostgreSQL appends to a default:
// 'x'::character varying → 'x', '-1'::integer → -1, (0)::numeric → (0),
// '{}'::jsonb → '{}', 'a'::text::character varying → 'a'. Only a whole
// default made of one operand (a string, a number or a parenthesised
// expression) followed by casts is changed: casts inside a larger
// expression stay.
func stripCast(expr string) string {
	e := strings.TrimSpace(expr)
	parts := splitCasts(e)
	if len(parts) < 2 {
		return e
	}
	left := strings.TrimSpace(parts[0])
	if !isOperand(left) {
		return e
	}
	for _, typ := range parts[1:] {
		if !isTypeName(strings.TrimSpace(typ)) {
			return e
		}
	}
	last := strings.TrimSpace(parts[len(parts)-1])
	if v, ok := dialects.UnquoteString(left, false); ok && numericTypes[baseType(last)] {
		if _, err := strconv.ParseFloat(v, 64); err == nil && strings.TrimSpace(v) == v {
			return v
		}
	}
	return left
}

// splitCasts splits s at every "::" outside quotes and parentheses. It
// returns nil when quotes or parentheses are unbalanced.
func splitCasts(s string) []string {
	var parts []string
	start, depth := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil
			}
			i += j + 1
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return nil
			}
		case ':':
			if depth == 0 && i+1 < len(s) && s[i+1] == ':' {
				parts = append(parts, s[start:i])
				start = i + 2
				i++
			}
		}
	}
	if depth != 0 {
		return nil
	}
	return append(parts, s[start:])
}

// isOperand reports whether s is one string literal, one number or one
// parenthesised expression: something a cast applies to as a whole.
func isOperand(s string) bool {
	if _, ok := dialects.UnquoteString(s, false); ok {
		return true
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return true
	}
	return s != "" && dialects.StripParens(s) != s
}

// isTypeName reports whether s looks like a type name as PostgreSQL
// prints it in a cast: words separated by spaces or dots, double-quoted
// identifiers, one optional argument list of numbers, and [] suffixes.
func isTypeName(s string) bool {
	if s == "" {
		return false
	}
	args := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case c == '(':
			j := strings.IndexByte(s[i:], ')')
			if args || j < 0 {
				return false
			}
			for _, a := range strings.Split(s[i+1:i+j], ",") {
				if _, err := strconv.Atoi(strings.TrimSpace(a)); err != nil {
					return false
				}
			}
			args = true
			i += j
		case c == '[':
			if !strings.HasPrefix(s[i:], "[]") {
				return false
			}
			i++
		case c == ' ' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
		default:
			return false
		}
	}
	return true
}

// baseType returns a cast's type name without its arguments.
func baseType(typ string) string {
	if i := strings.IndexByte(typ, '('); i >= 0 {
		typ = typ[:i]
	}
	return strings.TrimSpace(typ)
}
