package orm

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/tagorm/orm/dialects"
)

// ErrCommitOutcomeUnknown is matched (errors.Is) by the error of a
// Commit, or of a Transaction, whose COMMIT may have reached the database
// without an answer coming back: the connection broke, or the
// transaction's context ended, while the COMMIT was on its way or being
// run. The transaction may have been committed or rolled back; only the
// database can tell (read the rows back, or make the transaction's
// writes idempotent before running it again). When the context ended
// first, the error also matches the context's error
// (context.DeadlineExceeded or context.Canceled).
//
// An error the database sent in reply to COMMIT (a serialization
// failure, a deferred constraint) is not an unknown outcome: the
// transaction was rolled back. A Commit called after the transaction's
// context ended sends nothing and reports a rollback, with the context's
// error.
var ErrCommitOutcomeUnknown = errors.New("commit outcome unknown: the transaction may or may not have been committed")

// commit commits s's transaction and tells a known outcome from an
// unknown one (see ErrCommitOutcomeUnknown).
func (s *Session) commit() error {
	ctx := s.ctx
	if err := ctx.Err(); err != nil {
		// database/sql rolled the transaction back when ctx ended;
		// nothing is sent.
		_ = s.tx.Rollback()
		return fmt.Errorf("transaction rolled back: %w", err)
	}
	err := dialects.CommitTx(ctx, s.db.dialect, s.db.x.DB, s.tx.Tx)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrTxDone):
		// database/sql ended it first: ctx ended meanwhile.
		if cerr := ctx.Err(); cerr != nil {
			return fmt.Errorf("transaction rolled back: %w", cerr)
		}
		return err
	case errors.Is(err, driver.ErrBadConn), dialects.IsServerError(s.db.dialect, err):
		// Never sent (driver.ErrBadConn's contract), or refused by
		// the database: rolled back.
		return err
	}
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w: %w", ErrCommitOutcomeUnknown, cerr, err)
	}
	return fmt.Errorf("%w: %w", ErrCommitOutcomeUnknown, err)
}
