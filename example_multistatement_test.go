package orm_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/tagorm/orm"
)

// Several statements in one string are refused before anything is sent,
// on every API and database.
func ExampleErrMultipleStatements() {
	ctx := context.Background()
	db := openExample()
	defer db.Close()
	_, err := db.Exec(ctx, "UPDATE author SET born = 1900; DROP TABLE author")
	fmt.Println(errors.Is(err, orm.ErrMultipleStatements))
	fmt.Println(err)
	// Output:
	// true
	// orm: SQL text holds more than one statement: the second starts at byte 31: "DROP TABLE author" (send one statement per call, or open the DB with orm.WithMultiStatements to let Exec run several)
}

// With WithMultiStatements, Exec runs a script: every statement of it, in
// order.
func ExampleWithMultiStatements() {
	ctx := context.Background()
	db, err := orm.OpenURL("sqlite://", orm.WithMultiStatements())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(ctx, `
		CREATE TABLE tag (name varchar(20) PRIMARY KEY);
		INSERT INTO tag (name) VALUES ('go'), ('sql;ite'); -- a ; in a string or comment ends nothing
		DELETE FROM tag WHERE name = 'go';`)
	if err != nil {
		log.Fatal(err)
	}
	var names []string
	if err := db.Select(ctx, &names, "SELECT name FROM tag"); err != nil {
		log.Fatal(err)
	}
	fmt.Println(names)
	// Output: [sql;ite]
}
