package ormtest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/ormtest"
)

type Team struct {
	ID   int64
	Name string `orm:"size:40;unique"`
}

type Player struct {
	ID     int64
	TeamID int64  `orm:"fk:team.id;on_delete:cascade"`
	Name   string `json:"name"`
}

func TestNewIsFreshAndIsolated(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := ormtest.New(t, &Team{}, &Player{})
			n, err := orm.Query[Team](db).Count(ctx)
			if err != nil || n != 0 {
				t.Fatalf("fresh database has %d teams (err %v)", n, err)
			}
			ormtest.Load(t, db, &Team{Name: "red"}, &[]Player{{TeamID: 1, Name: "a"}, {TeamID: 1, Name: "b"}})
			n, err = orm.Query[Player](db).Count(ctx)
			if err != nil || n != 2 {
				t.Fatalf("got %d players (err %v), want 2", n, err)
			}
		})
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	db := ormtest.New(t, &Team{}, &Player{})
	err := db.Insert(context.Background(), &Player{TeamID: 99, Name: "orphan"})
	if !errors.Is(err, orm.ErrForeignKeyViolation) {
		t.Fatalf("insert of an orphan: got %v, want a foreign key violation", err)
	}
}

func TestLoadJSON(t *testing.T) {
	db := ormtest.New(t, &Team{}, &Player{})
	ormtest.Load(t, db, &Team{Name: "blue"})
	path := filepath.Join(t.TempDir(), "players.json")
	if err := os.WriteFile(path, []byte(`[{"TeamID":1,"name":"x"},{"TeamID":1,"name":"y"}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	var players []Player
	ormtest.LoadJSON(t, db, path, &players)
	if len(players) != 2 || players[0].ID == 0 || players[1].Name != "y" {
		t.Fatalf("loaded %+v", players)
	}
	got, err := orm.Query[Player](db).OrderBy("id").All(context.Background())
	if err != nil || len(got) != 2 || got[1].Name != "y" {
		t.Fatalf("read back %+v (err %v)", got, err)
	}
}

func TestClosedAtCleanup(t *testing.T) {
	var db *orm.DB
	t.Run("inner", func(t *testing.T) { db = ormtest.New(t, &Team{}) })
	if err := db.Ping(context.Background()); err == nil {
		t.Fatal("database still open after the test ended")
	}
}

func TestConcurrentTransactions(t *testing.T) {
	// The code under test may serve requests in parallel: concurrent
	// read-then-write transactions take turns instead of failing with
	// "database table is locked".
	db := ormtest.New(t, &Team{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 8*20)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				errs <- db.Transaction(ctx, func(tx *orm.Session) error {
					n, err := orm.Query[Team](tx).Count(ctx)
					if err != nil {
						return err
					}
					return tx.Insert(ctx, &Team{Name: fmt.Sprint(g, "-", i, "-", n)})
				})
				_, err := orm.Query[Team](db).All(ctx)
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n, err := orm.Query[Team](db).Count(ctx); err != nil || n != 80 {
		t.Fatalf("%d teams (err %v), want 80", n, err)
	}
}
