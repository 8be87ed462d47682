package orm_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// silentServer accepts connections and never answers, as a stalled
// database server does; it returns its address.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// OpenContext and OpenURLContext return at their context's deadline when
// the server accepts the connection and never answers.
func TestOpenContextStalledServer(t *testing.T) {
	addr := silentServer(t)
	for _, tc := range []struct {
		name string
		open func(ctx context.Context) (*orm.DB, error)
	}{
		{"postgres/OpenContext", func(ctx context.Context) (*orm.DB, error) {
			return orm.OpenContext(ctx, "pgx", "postgres://u:secret@"+addr+"/db?sslmode=disable")
		}},
		{"postgres/OpenURLContext", func(ctx context.Context) (*orm.DB, error) {
			return orm.OpenURLContext(ctx, "postgresql://u:secret@"+addr+"/db?sslmode=disable")
		}},
		{"mysql/OpenContext", func(ctx context.Context) (*orm.DB, error) {
			return orm.OpenContext(ctx, "mysql", "u:secret@tcp("+addr+")/db")
		}},
		{"mysql/OpenURLContext", func(ctx context.Context) (*orm.DB, error) {
			return orm.OpenURLContext(ctx, "mysql://u:secret@"+addr+"/db")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const deadline = 500 * time.Millisecond
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			err := callWithin(t, deadline, nil, func() error {
				db, err := tc.open(ctx)
				if db != nil {
					_ = db.Close()
				}
				return err
			})
			require.Error(t, err)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			require.NotContains(t, err.Error(), "secret")
		})
	}
}

// OpenContext opens every dialect within a live context, and refuses at
// once with a context that has ended.
func TestOpenContext(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db, err := orm.OpenContext(ctx, tdb.DriverName, tdb.DSN)
		require.NoError(t, err)
		require.NoError(t, db.Ping(ctx))
		require.NoError(t, db.Close())

		ended, cancel2 := context.WithCancel(context.Background())
		cancel2()
		db, err = orm.OpenContext(ended, tdb.DriverName, tdb.DSN)
		require.ErrorIs(t, err, context.Canceled)
		require.Nil(t, db)
	})
}
