package orm

import (
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tagorm/orm/dialects"
)

// Sentinel errors. Errors returned by tagorm wrap them, so test with
// errors.Is.
var (
	// ErrNotFound is returned when a row that was asked for does not
	// exist. errors.Is(err, sql.ErrNoRows) is true for it as well.
	ErrNotFound error = notFoundError{}
	// ErrMultipleRows is returned by One when more than one row matches
	// (SQLAlchemy's MultipleResultsFound); First takes the first of them.
	ErrMultipleRows = errors.New("more than one row")
	// ErrInvalidModel is matched by every *ModelError: a struct whose
	// tags or shape cannot be mapped.
	ErrInvalidModel = errors.New("invalid model")
	// ErrNoPrimaryKey is returned by operations that need a primary key
	// (Get, Update, Delete) on a model without one.
	ErrNoPrimaryKey = errors.New("model has no primary key")
	// ErrConstraint is matched by every *ConstraintError.
	ErrConstraint = errors.New("constraint violation")
	// ErrUniqueViolation, ErrForeignKeyViolation, ErrNotNullViolation and
	// ErrCheckViolation are matched by a *ConstraintError of that kind.
	ErrUniqueViolation     = errors.New("unique constraint violation")
	ErrForeignKeyViolation = errors.New("foreign key constraint violation")
	ErrNotNullViolation    = errors.New("not null constraint violation")
	ErrCheckViolation      = errors.New("check constraint violation")
)

type notFoundError struct{}

func (notFoundError) Error() string { return "record not found" }

// Is makes ErrNotFound match sql.ErrNoRows.
func (notFoundError) Is(target error) bool { return target == sql.ErrNoRows }

// ConstraintError is a constraint violation reported by the database,
// recognised from any of the three drivers. It matches ErrConstraint and
// the sentinel of its kind (ErrUniqueViolation, ...), and unwraps to the
// driver's error.
type ConstraintError struct {
	Kind       dialects.ErrorKind
	Table      string   // when the database reported it
	Constraint string   // when the database reported it
	Columns    []string // when the database reported them
	// PrimaryKey marks a unique violation of the table's primary key
	// (Columns are then its columns when the table's model is known).
	PrimaryKey bool
	Err        error // the driver's error
}

// Error implements error.
func (e *ConstraintError) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	b.WriteString(" constraint violation")
	if e.Constraint != "" {
		fmt.Fprintf(&b, " on %q", e.Constraint)
	}
	if e.Table != "" {
		fmt.Fprintf(&b, " (table %s", e.Table)
		if len(e.Columns) > 0 {
			fmt.Fprintf(&b, ", columns %s", strings.Join(e.Columns, ", "))
		}
		b.WriteString(")")
	} else if len(e.Columns) > 0 {
		fmt.Fprintf(&b, " (columns %s)", strings.Join(e.Columns, ", "))
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the driver's error.
func (e *ConstraintError) Unwrap() error { return e.Err }

// Is matches ErrConstraint and the sentinel of e's kind.
func (e *ConstraintError) Is(target error) bool {
	switch target {
	case ErrConstraint:
		return true
	case ErrUniqueViolation:
		return e.Kind == dialects.UniqueViolation
	case ErrForeignKeyViolation:
		return e.Kind == dialects.ForeignKeyViolation
	case ErrNotNullViolation:
		return e.Kind == dialects.NotNullViolation
	case ErrCheckViolation:
		return e.Kind == dialects.CheckViolation
	}
	return false
}

// wrapErr prefixes a database error with what was being done, turning a
// driver's constraint violation into a *ConstraintError and a transaction
// conflict into a *ConflictError.
func (db *DB) wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("orm: %s: %w", op, ErrNotFound)
	}
	var ce *ConstraintError
	var conflict *ConflictError
	if !errors.As(err, &ce) && !errors.As(err, &conflict) {
		if info := db.dialect.ClassifyError(err); info != nil && info.Kind.Conflict() {
			err = &ConflictError{Kind: info.Kind, Code: info.Code, Err: err}
		} else if info != nil {
			ce = &ConstraintError{Kind: info.Kind, Table: info.Table, Constraint: info.Constraint, Columns: info.Columns, PrimaryKey: info.PrimaryKey, Err: err}
			db.completeConstraint(op, ce)
			err = ce
		}
	}
	if strings.HasPrefix(err.Error(), "orm: ") {
		return err
	}
	return fmt.Errorf("orm: %s: %w", op, err)
}

// completeConstraint fills what the driver's message left out of ce (the
// table on SQLite and MySQL, the columns of a named constraint on MySQL)
// from the operation and the registered models: a violation by an
// insert, upsert or update of a model's row is on that model's table,
// except a foreign key a delete violates, which belongs to the child.
func (db *DB) completeConstraint(op string, ce *ConstraintError) {
	if ce.Table == "" {
		verb, table, ok := strings.Cut(op, " ")
		switch {
		case !ok || strings.ContainsAny(table, " ("):
		case verb == "insert" || verb == "upsert" || verb == "update" ||
			verb == "delete" && ce.Kind != dialects.ForeignKeyViolation:
			ce.Table = table
		}
	}
	if ce.Table == "" || len(ce.Columns) > 0 && !(ce.Kind == dialects.UniqueViolation && ce.Constraint != "") {
		return
	}
	m := db.modelByTable(ce.Table)
	if m == nil {
		return
	}
	t := m.table
	// The primary key: flagged by the dialect (MySQL's key PRIMARY names
	// no columns) or named by the database (PostgreSQL).
	if pk := t.PrimaryKey; pk != nil && ce.Kind == dialects.UniqueViolation && (ce.PrimaryKey || pk.Name != "" && pk.Name == ce.Constraint) {
		ce.PrimaryKey = true
		if len(ce.Columns) == 0 {
			ce.Columns = slices.Clone(pk.Columns)
		}
		return
	}
	if len(ce.Columns) > 0 || ce.Constraint == "" {
		return
	}
	for _, u := range t.Uniques {
		if u.Name == ce.Constraint {
			ce.Columns = slices.Clone(u.Columns)
		}
	}
	for _, ix := range t.Indexes {
		if ix.Name == ce.Constraint {
			ce.Columns = ix.ColumnNames()
		}
	}
	for _, fk := range t.ForeignKeys {
		if fk.Name == ce.Constraint {
			ce.Columns = slices.Clone(fk.Columns)
		}
	}
}
