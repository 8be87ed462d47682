package orm_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
	"github.com/tagorm/orm/internal/faultproxy"
)

// Idle pooled connections cut by the network are discarded on checkout
// and the statement runs on a fresh connection: no query after the cut
// fails (database/sql's driver.ErrBadConn contract), on pools Open
// creates.
func TestPoolCutIdleConnections(t *testing.T) {
	dbtest.EachServer(t, func(t *testing.T, tdb *dbtest.DB) {
		p, dsn := faultproxy.ForDB(t, tdb)
		db := openDSN(t, tdb.DriverName, dsn, orm.WithMaxIdleConns(4), orm.WithMaxOpenConns(8))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for round := 0; round < 5; round++ {
			fillPool(t, ctx, db.DB(), 4)
			require.Positive(t, p.CutAll(), "round %d: no connection to cut", round)
			time.Sleep(20 * time.Millisecond) // the close reaches the client's sockets
			for i := 0; i < 10; i++ {
				var n []int
				require.NoError(t, db.Select(ctx, &n, "SELECT 1"), "round %d, query %d after the cut", round, i)
			}
		}
	})
}
