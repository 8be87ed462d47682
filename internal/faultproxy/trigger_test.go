package faultproxy

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tagorm/orm/internal/dbtest"
)

// serverDBs runs fn on each server database (PostgreSQL, MySQL/MariaDB)
// with a pool reaching it through a proxy.
func serverDBs(t *testing.T, fn func(t *testing.T, db *dbtest.DB, p *Proxy, through *sql.DB, ph func(int) string)) {
	for _, name := range dbtest.Servers {
		t.Run(name, func(t *testing.T) {
			db := dbtest.Open(t, name)
			p, dsn := ForDB(t, db)
			through, err := sql.Open(db.DriverName, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = through.Close() })
			through.SetMaxOpenConns(4)
			ph := func(int) string { return "?" }
			if name == "postgres" {
				ph = func(i int) string { return fmt.Sprintf("$%d", i) }
			}
			if _, err := db.SQL.Exec("CREATE TABLE proxied_items (id INT PRIMARY KEY, note VARCHAR(50))"); err != nil {
				t.Fatal(err)
			}
			fn(t, db, p, through, ph)
		})
	}
}

func countItems(t *testing.T, db *dbtest.DB, id int) int {
	t.Helper()
	var n int
	q := "SELECT COUNT(*) FROM proxied_items WHERE id = " + fmt.Sprint(id)
	if err := db.SQL.QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func insertInTx(through *sql.DB, ph func(int) string, id int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	tx, err := through.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO proxied_items (id, note) VALUES ("+ph(1)+", "+ph(2)+")", id, "n"); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func TestTriggerCutBeforeAndAfterCommit(t *testing.T) {
	serverDBs(t, func(t *testing.T, db *dbtest.DB, p *Proxy, through *sql.DB, ph func(int) string) {
		tr := p.On(SQLHasPrefix("COMMIT"), CutBefore)
		if err := insertInTx(through, ph, 1); err == nil {
			t.Fatal("commit cut before it reached the server: no error")
		}
		<-tr.Fired()
		if n := countItems(t, db, 1); n != 0 {
			t.Fatalf("commit cut before it reached the server: %d rows kept", n)
		}

		tr = p.On(SQLHasPrefix("COMMIT"), CutAfter)
		if err := insertInTx(through, ph, 2); err == nil {
			t.Fatal("commit whose reply was cut: no error")
		}
		if m := tr.Message(); m.Kind != Query && m.Kind != Execute {
			t.Fatalf("trigger matched %+v", m)
		}
		if n := countItems(t, db, 2); n != 1 {
			t.Fatalf("commit cut after it reached the server: %d rows, want 1", n)
		}

		// The pool recovers.
		if err := insertInTx(through, ph, 3); err != nil {
			t.Fatalf("after the cuts: %v", err)
		}
	})
}

func TestTriggerOnPreparedExecute(t *testing.T) {
	serverDBs(t, func(t *testing.T, db *dbtest.DB, p *Proxy, through *sql.DB, ph func(int) string) {
		ctx := context.Background()
		conn, err := through.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = conn.Close() }()
		stmt, err := conn.PrepareContext(ctx, "INSERT INTO proxied_items (id, note) VALUES ("+ph(1)+", "+ph(2)+")")
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = stmt.Close() }()
		tr := p.On(SQLContains("insert into proxied_items"), StallMessage(0))
		done := make(chan error, 1)
		go func() { _, err := stmt.ExecContext(ctx, 10, "held"); done <- err }()
		select {
		case <-tr.Fired():
		case <-time.After(5 * time.Second):
			t.Fatal("the execute of a prepared statement did not fire the trigger")
		}
		if m := tr.Message(); m.Kind != Execute {
			t.Fatalf("matched %+v, want an Execute", m)
		}
		time.Sleep(200 * time.Millisecond)
		if n := countItems(t, db, 10); n != 0 {
			t.Fatal("the held execute reached the server")
		}
		p.Resume()
		if err := <-done; err != nil {
			t.Fatalf("after Resume: %v", err)
		}
		if n := countItems(t, db, 10); n != 1 {
			t.Fatalf("after Resume: %d rows, want 1", n)
		}
	})
}

func TestStatementsRecorded(t *testing.T) {
	serverDBs(t, func(t *testing.T, db *dbtest.DB, p *Proxy, through *sql.DB, ph func(int) string) {
		p.ResetStatements()
		if _, err := through.Exec("INSERT INTO proxied_items (id, note) VALUES ("+ph(1)+", "+ph(2)+")", 424242, "o'marker"); err != nil {
			t.Fatal(err)
		}
		var note string
		if err := through.QueryRow("SELECT note FROM proxied_items WHERE id = 424242").Scan(&note); err != nil {
			t.Fatal(err)
		}
		st := strings.Join(p.Statements(), "\n")
		if !strings.Contains(st, "INSERT INTO proxied_items") || !strings.Contains(st, "WHERE id = 424242") {
			t.Fatalf("statements recorded: %q", st)
		}
		if strings.Contains(st, "o'marker") {
			t.Fatalf("a bound value appears in the recorded SQL: %q", st)
		}
	})
}

func TestStallPastDeadline(t *testing.T) {
	serverDBs(t, func(t *testing.T, db *dbtest.DB, p *Proxy, through *sql.DB, ph func(int) string) {
		if err := through.Ping(); err != nil {
			t.Fatal(err)
		}
		p.Stall(ServerToClient)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		var one int
		err := through.QueryRowContext(ctx, "SELECT 1").Scan(&one)
		if err == nil {
			t.Fatal("a query with its replies stalled succeeded")
		}
		if e := time.Since(start); e > 3*time.Second {
			t.Fatalf("the stalled query returned after %v", e)
		}
		p.Resume()
		if err := through.QueryRow("SELECT 1").Scan(&one); err != nil {
			t.Fatalf("after Resume: %v", err)
		}
	})
}
