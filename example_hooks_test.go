package orm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/tagorm/orm"
)

// Post normalises its slug before every insert and update, refuses an
// empty title, and records each insert in post_log in the same
// transaction.
type Post struct {
	ID    int64
	Title string `orm:"size:100"`
	Slug  string `orm:"size:100;unique"`
}

type PostLog struct {
	ID     int64
	PostID int64
	Event  string `orm:"size:20"`
}

var errNoTitle = errors.New("a post needs a title")

func (p *Post) BeforeSave(ctx context.Context, h orm.Handle) error {
	if p.Title == "" {
		return errNoTitle
	}
	p.Slug = strings.ToLower(strings.ReplaceAll(p.Title, " ", "-"))
	return nil
}

// AfterInsert runs in the insert's transaction: if it fails, the post is
// not kept either.
func (p *Post) AfterInsert(ctx context.Context, h orm.Handle) error {
	return h.Insert(ctx, &PostLog{PostID: p.ID, Event: "created"})
}

func ExampleBeforeSaveHook() {
	ctx := context.Background()
	db, err := orm.OpenURL("sqlite://")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if err := orm.AutoMigrate(db, &Post{}, &PostLog{}); err != nil {
		log.Fatal(err)
	}

	p := Post{Title: "Hello World"}
	if err := db.Insert(ctx, &p); err != nil {
		log.Fatal(err)
	}
	fmt.Println(p.ID, p.Slug)

	err = db.Insert(ctx, &Post{})
	fmt.Println(errors.Is(err, errNoTitle), err)

	events, err := orm.Pluck[string](ctx, orm.Query[PostLog](db), "event")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(events)
	// Output:
	// 1 hello-world
	// true orm: insert post: BeforeSave: a post needs a title
	// [created]
}
