package orm

import (
	"database/sql"
	"errors"
	"fmt"
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
	Err        error    // the driver's error
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
// driver's constraint violation into a *ConstraintError.
func (db *DB) wrapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("orm: %s: %w", op, ErrNotFound)
	}
	var ce *ConstraintError
	if !errors.As(err, &ce) {
		if info := db.dialect.ClassifyError(err); info != nil {
			err = &ConstraintError{Kind: info.Kind, Table: info.Table, Constraint: info.Constraint, Columns: info.Columns, Err: err}
		}
	}
	if strings.HasPrefix(err.Error(), "orm: ") {
		return err
	}
	return fmt.Errorf("orm: %s: %w", op, err)
}
