package orm_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
)

// requireCommitOutcomeUnknown checks that err, from a Commit or
// Transaction whose COMMIT was sent but whose reply never came back, says
// that the outcome is unknown.
func requireCommitOutcomeUnknown(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, orm.ErrCommitOutcomeUnknown)
}
