package orm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/tagorm/orm"
)

// OpenURLContext bounds opening (connecting and the first round trip) by
// the context, where OpenURL allows 30 seconds.
func ExampleOpenURLContext() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := orm.OpenURLContext(ctx, "sqlite://")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	fmt.Println(db.Dialect().Name())
	// Output: sqlite
}

// A transaction's context bounds its COMMIT too. The error of a COMMIT
// that got no answer says so: the transaction may or may not have been
// committed, and the caller must find out (read the row back) before
// running it again. Any other error means the transaction was rolled
// back.
func ExampleErrCommitOutcomeUnknown() {
	db := openExample()
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := db.Transaction(ctx, func(tx *orm.Session) error {
		return tx.Insert(ctx, &Author{Name: "Octavia", Born: 1947})
	})
	switch {
	case errors.Is(err, orm.ErrCommitOutcomeUnknown):
		n, qerr := orm.Query[Author](db).Where("name = ?", "Octavia").Count(context.Background())
		fmt.Println("outcome unknown; committed:", qerr == nil && n == 1)
	case err != nil:
		fmt.Println("rolled back:", err)
	default:
		fmt.Println("committed")
	}
	// Output: committed
}
