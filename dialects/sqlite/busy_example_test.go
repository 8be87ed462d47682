package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/dialects/sqlite"
)

// A pool opened with the dialect's connector (orm.Open and orm.OpenURL use
// it) waits for a lock no longer than the context allows: here another
// connection holds the write lock, and the insert returns when its
// deadline passes, not after the 5 s busy timeout.
func ExampleDialect_Connector() {
	ctx := context.Background()
	dsn := sqlite.DSN("file:/example_connector?vfs=memdb")
	c, err := sqlite.Dialect{}.Connector(dsn)
	if err != nil {
		panic(err)
	}
	db, err := orm.New(sql.OpenDB(c), "sqlite3")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	if err := orm.AutoMigrate(db, &BusyRow{}); err != nil {
		panic(err)
	}

	holder, err := db.Begin(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		panic(err)
	}
	defer holder.Rollback()

	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	err = db.Insert(tctx, &BusyRow{ID: 1, Name: "waits"})
	fmt.Println(errors.Is(err, context.DeadlineExceeded), errors.Is(err, orm.ErrBusy))
	fmt.Println(time.Since(start) < time.Second)
	// Output:
	// true true
	// true
}
