package postgres_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/postgres"
	"github.com/tagorm/orm/schema"
)

func TestBasics(t *testing.T) {
	d := postgres.Dialect{}
	assert.Equal(t, `"a""b"`, d.Quote(`a"b`))
	assert.Equal(t, "$12", d.Placeholder(12))
	assert.Equal(t, 65535, d.MaxParams())
	assert.True(t, d.Features().Has(dialects.NativeEnum|dialects.SeparateCommentStatements))

	tbl := &schema.Table{Name: "t", PrimaryKey: &schema.PrimaryKey{Columns: []string{"id"}}}
	var b strings.Builder
	d.Upsert(&b, tbl, []string{"a", "b"}, []string{"c", "d"})
	assert.Equal(t, ` ON CONFLICT ("a", "b") DO UPDATE SET "c" = EXCLUDED."c", "d" = EXCLUDED."d"`, b.String())
	b.Reset()
	d.Upsert(&b, &schema.Table{Name: "nopk"}, nil, nil)
	assert.Equal(t, ` ON CONFLICT DO NOTHING`, b.String())

	enum := &schema.Column{Name: "c", Type: schema.Type{Kind: schema.Enum, EnumName: "mood", Values: []string{"a"}}}
	assert.Equal(t, `"mood"`, d.ColumnType(tbl, enum))
	enum.Type.EnumName = ""
	assert.Equal(t, `"t_c"`, d.ColumnType(tbl, enum))
}

func TestParseURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgresql://u:p@h:5433/db?sslmode=disable": "postgres://u:p@h:5433/db?sslmode=disable",
		"postgres://u@h/db":                          "postgres://u@h/db",
		"postgresql+pgx://u:p%40x@h/db":              "postgres://u:p%40x@h/db",
		"pgx://h/db?search_path=s":                   "postgres://h/db?search_path=s",
	} {
		d, dsn, err := dialects.ForURL(in)
		require.NoError(t, err, in)
		assert.Equal(t, "postgres", d.Name())
		assert.Equal(t, want, dsn)
	}
	_, _, err := dialects.ForURL("postgres://h:99999/db")
	assert.ErrorContains(t, err, "port")
	_, _, err = dialects.ForURL("postgres://h/db/x")
	assert.ErrorContains(t, err, "database name")
}

func TestClassifyError(t *testing.T) {
	d := postgres.Dialect{}
	wrap := func(e *pgconn.PgError) error { return fmt.Errorf("query: %w", e) }
	assert.Equal(t, &dialects.ErrorInfo{Kind: dialects.UniqueViolation, Table: "t", Constraint: "t_a_b_key", Columns: []string{"a", "b"}},
		d.ClassifyError(wrap(&pgconn.PgError{Code: "23505", TableName: "t", ConstraintName: "t_a_b_key", Detail: "Key (a, b)=(1, 2) already exists."})))
	assert.Equal(t, &dialects.ErrorInfo{Kind: dialects.UniqueViolation, Columns: []string{`We"ird`}},
		d.ClassifyError(wrap(&pgconn.PgError{Code: "23505", Detail: `Key ("We""ird")=(1) already exists.`})))
	assert.Equal(t, &dialects.ErrorInfo{Kind: dialects.ForeignKeyViolation, Table: "c", Constraint: "fk", Columns: []string{"pid"}},
		d.ClassifyError(wrap(&pgconn.PgError{Code: "23503", TableName: "c", ConstraintName: "fk", Detail: `Key (pid)=(9) is not present in table "p".`})))
	assert.Equal(t, &dialects.ErrorInfo{Kind: dialects.NotNullViolation, Table: "t", Columns: []string{"a"}},
		d.ClassifyError(wrap(&pgconn.PgError{Code: "23502", TableName: "t", ColumnName: "a"})))
	assert.Equal(t, &dialects.ErrorInfo{Kind: dialects.CheckViolation, Table: "t", Constraint: "ck"},
		d.ClassifyError(wrap(&pgconn.PgError{Code: "23514", TableName: "t", ConstraintName: "ck"})))
	for code, kind := range map[string]dialects.ErrorKind{"40001": dialects.SerializationFailure, "40P01": dialects.Deadlock, "55P03": dialects.LockTimeout} {
		assert.Equal(t, &dialects.ErrorInfo{Kind: kind, Code: code}, d.ClassifyError(wrap(&pgconn.PgError{Code: code})))
		assert.True(t, kind.Conflict())
	}
	assert.Nil(t, d.ClassifyError(&pgconn.PgError{Code: "42P01"}))
	assert.Nil(t, d.ClassifyError(&pgconn.PgError{Code: "57014"}), "a cancelled statement is not a conflict")
	assert.Nil(t, d.ClassifyError(fmt.Errorf("plain")))
}
