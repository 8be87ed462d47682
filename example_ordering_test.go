package orm_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/tagorm/orm"
)

// OrderBy takes names, checked against the model; OrderByExpr takes SQL.
func ExampleQ_OrderByExpr() {
	ctx := context.Background()
	db := openExample()
	defer db.Close()
	for _, n := range []string{"bob", "Alice", "carol"} {
		if err := db.Insert(ctx, &Author{Name: n, Born: 1950}); err != nil {
			log.Fatal(err)
		}
	}
	byName, err := orm.Pluck[string](ctx, orm.Query[Author](db).OrderBy("name DESC"), "name")
	fmt.Println(byName, err)
	folded, err := orm.Pluck[string](ctx, orm.Query[Author](db).OrderByExpr("LOWER(name)"), "name")
	fmt.Println(folded, err)
	_, err = orm.Query[Author](db).OrderBy("(SELECT 1)").All(ctx)
	fmt.Println(err != nil)
	// Output:
	// [carol bob Alice] <nil>
	// [Alice bob carol] <nil>
	// true
}

// A value its column cannot store as it is is refused before anything is
// sent.
func ExampleErrValueOutOfRange() {
	type Price struct {
		ID     int64
		Amount float64 `orm:"precision:8;scale:2"`
	}
	db, err := orm.OpenURL("sqlite://")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := orm.AutoMigrate(db, &Price{}); err != nil {
		log.Fatal(err)
	}
	err = db.Insert(context.Background(), &Price{Amount: 9.999})
	fmt.Println(errors.Is(err, orm.ErrValueOutOfRange))
	// Output: true
}
