package orm

import (
	"context"
	"fmt"
	"time"

	"github.com/tagorm/orm/dialects"
)

// defaultOpenTimeout bounds Open and OpenURL, which take no context.
const defaultOpenTimeout = 30 * time.Second

// OpenContext is Open within ctx: it returns once ctx is done at the
// latest, with an error wrapping ctx's error when the database did not
// answer in time (connecting and the check that it answers both count).
// ctx bounds only the opening; the returned DB is not tied to it.
func OpenContext(ctx context.Context, driverName, dsn string, opts ...Option) (*DB, error) {
	d, err := dialects.ForDriver(driverName)
	if err != nil {
		return nil, fmt.Errorf("orm: open: %w", err)
	}
	return open(ctx, d, dsn, opts)
}

// OpenURLContext is OpenURL within ctx (see OpenContext).
func OpenURLContext(ctx context.Context, url string, opts ...Option) (*DB, error) {
	d, dsn, err := dialects.ForURL(url)
	if err != nil {
		return nil, fmt.Errorf("orm: open: %w", err)
	}
	return open(ctx, d, dsn, opts)
}
