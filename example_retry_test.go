package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/tagorm/orm"
)

// Wallet is the model of the retry example.
type Wallet struct {
	ID      int64 `orm:"pk;autoincrement:false"`
	Balance int64
}

var errInsufficientFunds = errors.New("insufficient funds")

// A transfer at SERIALIZABLE, run again from the start when the database
// reports a serialization failure, a deadlock or a busy database. The
// function is re-runnable: it loads what it changes inside the
// transaction and has no effect outside it.
func ExampleDB_Transaction_retry() {
	ctx := context.Background()
	db, err := orm.OpenURL("sqlite://")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := orm.AutoMigrate(db, &Wallet{}); err != nil {
		log.Fatal(err)
	}
	if err := db.Insert(ctx, &[]Wallet{{ID: 1, Balance: 100}, {ID: 2, Balance: 0}}); err != nil {
		log.Fatal(err)
	}

	transfer := func(ctx context.Context, from, to, amount int64) error {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second) // bounds all attempts and waits
		defer cancel()
		return db.Transaction(ctx, func(tx *orm.Session) error {
			var a, b Wallet
			if err := tx.Get(ctx, &a, from); err != nil {
				return err
			}
			if err := tx.Get(ctx, &b, to); err != nil {
				return err
			}
			if a.Balance < amount {
				return errInsufficientFunds // not a conflict: returned at once
			}
			a.Balance -= amount
			b.Balance += amount
			if err := tx.Update(ctx, &a, "balance"); err != nil {
				return err
			}
			return tx.Update(ctx, &b, "balance")
		},
			orm.WithIsolation(sql.LevelSerializable),
			orm.WithRetry(orm.Retry{
				MaxAttempts: 5,
				BaseDelay:   10 * time.Millisecond,
				MaxDelay:    200 * time.Millisecond,
				OnRetry: func(attempt int, err error, wait time.Duration) {
					log.Printf("transfer: attempt %d: %v; again in %v", attempt, err, wait)
				},
			}))
	}

	fmt.Println(transfer(ctx, 1, 2, 30))
	err = transfer(ctx, 1, 2, 500)
	fmt.Println(errors.Is(err, errInsufficientFunds))
	var w []Wallet
	if err := db.Select(ctx, &w, "SELECT * FROM wallet ORDER BY id"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(w[0].Balance, w[1].Balance)
	// Output:
	// <nil>
	// true
	// 70 30
}
