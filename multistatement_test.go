package orm_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm"
	"github.com/tagorm/orm/internal/dbtest"
)

// ScriptItem is a row the multi-statement tests try to change.
type ScriptItem struct {
	ID   int64
	Name string `orm:"size:20"`
	N    int
}

// scriptSetup opens db on tdb with opts, with one ScriptItem {a, 0} and
// a table script_victim that a second statement tries to drop.
func scriptSetup(t *testing.T, tdb *dbtest.DB, opts ...orm.Option) *orm.DB {
	t.Helper()
	ctx := context.Background()
	db := openTest(t, tdb, opts)
	for _, table := range []string{"script_item", "script_victim"} {
		_, err := db.DB().ExecContext(ctx, "DROP TABLE IF EXISTS "+table)
		require.NoError(t, err)
	}
	require.NoError(t, orm.AutoMigrate(db, &ScriptItem{}))
	require.NoError(t, db.Insert(ctx, &ScriptItem{Name: "a"}))
	_, err := db.Exec(ctx, "CREATE TABLE script_victim (id integer)")
	require.NoError(t, err)
	return db
}

// untouched checks that nothing of a refused text ran: the item is as it
// was and the victim table is there.
func untouched(t *testing.T, db *orm.DB, path string) {
	t.Helper()
	ctx := context.Background()
	var n int
	require.NoError(t, db.DB().QueryRowContext(ctx, "SELECT n FROM script_item WHERE name = 'a'").Scan(&n), path)
	require.Zero(t, n, "%s: the first statement ran", path)
	require.NoError(t, db.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM script_victim").Scan(&n), "%s: the second statement ran", path)
}

// TestMultipleStatementsRefused runs a text of two statements through
// every API that takes SQL, on every database, in and out of a
// transaction, with and without the statement cache and bound arguments:
// each refuses it with ErrMultipleStatements and nothing of it runs.
func TestMultipleStatementsRefused(t *testing.T) {
	const drop = "; DROP TABLE script_victim"
	paths := []struct {
		name string
		run  func(ctx context.Context, h orm.Handle) error
	}{
		{"Exec", func(ctx context.Context, h orm.Handle) error {
			_, err := h.Exec(ctx, "UPDATE script_item SET n = 1 WHERE name = 'a'"+drop)
			return err
		}},
		{"Exec with args", func(ctx context.Context, h orm.Handle) error {
			_, err := h.Exec(ctx, "UPDATE script_item SET n = ? WHERE name = ?"+drop, 1, "a")
			return err
		}},
		{"Exec with a list", func(ctx context.Context, h orm.Handle) error {
			_, err := h.Exec(ctx, "UPDATE script_item SET n = 1 WHERE name IN (?)"+drop, []string{"a", "b"})
			return err
		}},
		{"Exec, comment after", func(ctx context.Context, h orm.Handle) error {
			_, err := h.Exec(ctx, "UPDATE script_item SET n = 1 WHERE name = 'a'"+drop+"; -- done")
			return err
		}},
		{"Select", func(ctx context.Context, h orm.Handle) error {
			var n []int
			return h.Select(ctx, &n, "SELECT n FROM script_item WHERE name = ?"+drop, "a")
		}},
		{"Where", func(ctx context.Context, h orm.Handle) error {
			_, err := orm.Query[ScriptItem](h).Where("name = 'a'" + drop + " --").All(ctx)
			return err
		}},
		{"Or", func(ctx context.Context, h orm.Handle) error {
			_, err := orm.Query[ScriptItem](h).Where("n = ?", 5).Or("name = 'a')" + drop + "; SELECT (1").First(ctx)
			return err
		}},
		{"Having", func(ctx context.Context, h orm.Handle) error {
			_, err := orm.Query[ScriptItem](h).GroupBy("name").Having("COUNT(*) > 0" + drop).All(ctx)
			return err
		}},
		{"Join", func(ctx context.Context, h orm.Handle) error {
			_, err := orm.Query[ScriptItem](h).Join("JOIN script_victim v ON 1 = 1" + drop).All(ctx)
			return err
		}},
		{"Count", func(ctx context.Context, h orm.Handle) error {
			_, err := orm.Query[ScriptItem](h).Where("1 = 1" + drop).Count(ctx)
			return err
		}},
		{"Pluck", func(ctx context.Context, h orm.Handle) error {
			_, err := orm.Pluck[string](ctx, orm.Query[ScriptItem](h).Where("1 = 1"+drop), "name")
			return err
		}},
		{"Delete", func(ctx context.Context, h orm.Handle) error {
			_, err := orm.Query[ScriptItem](h).Where("name = 'x'" + drop).Delete(ctx)
			return err
		}},
		{"UpdateColumns Expr", func(ctx context.Context, h orm.Handle) error {
			_, err := orm.Query[ScriptItem](h).Where("name = ?", "a").UpdateColumns(ctx, map[string]any{"n": orm.Expr("1)" + drop + "; SELECT (1")})
			return err
		}},
	}
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		for _, cache := range []struct {
			name string
			opts []orm.Option
		}{{"cached", nil}, {"no stmt cache", []orm.Option{orm.WithStmtCache(0)}}} {
			db := scriptSetup(t, tdb, cache.opts...)
			ctx := context.Background()
			for _, p := range paths {
				for _, inTx := range []bool{false, true} {
					name := cache.name + ", " + p.name
					if inTx {
						name += ", in a transaction"
					}
					var err error
					if inTx {
						err = db.Transaction(ctx, func(tx *orm.Session) error {
							// Prepare the first statement in the cache, as
							// an earlier call would have.
							_, _ = tx.Exec(ctx, "UPDATE script_item SET n = 1 WHERE name = 'a'")
							return p.run(ctx, tx)
						})
					} else {
						// Twice: the second call would use a cached statement.
						_ = p.run(ctx, db)
						err = p.run(ctx, db)
					}
					require.ErrorIs(t, err, orm.ErrMultipleStatements, name)
					require.Contains(t, err.Error(), `"DROP TABLE script_victim`, name)
					require.Contains(t, err.Error(), "second starts at byte", name)
					untouched(t, db, name)
				}
			}
		}
	})
}

// TestSingleStatementWithSemicolon: a trailing ; or comment leaves one
// statement, which runs on every path; a further ; is an empty second
// statement (MySQL refuses it).
func TestSingleStatementWithSemicolon(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		db := scriptSetup(t, tdb)
		ctx := context.Background()
		for i, q := range []string{
			"UPDATE script_item SET n = n + 1 WHERE name = 'a';",
			"UPDATE script_item SET n = n + 1 WHERE name = ? ; -- done\n",
			"UPDATE script_item SET n = n + 1 WHERE name = ? /* ; */ ; /* done */",
			"UPDATE script_item SET n = n + 1 WHERE name = ? AND ';' <> 'x;y'",
		} {
			args := []any{"a"}
			if !strings.Contains(q, "?") {
				args = nil
			}
			res, err := db.Exec(ctx, q, args...)
			require.NoError(t, err, q)
			n, err := res.RowsAffected()
			require.NoError(t, err)
			require.EqualValues(t, 1, n, q)
			var got int
			require.NoError(t, db.Select(ctx, &got, "SELECT n FROM script_item WHERE name = ?;", "a"))
			require.Equal(t, i+1, got)
		}
		items, err := orm.Query[ScriptItem](db).Where("name = ';'").All(ctx)
		require.NoError(t, err)
		require.Empty(t, items)
		for _, q := range []string{"UPDATE script_item SET n = 0;;", ";UPDATE script_item SET n = 0"} {
			_, err = db.Exec(ctx, q)
			require.ErrorIs(t, err, orm.ErrMultipleStatements, q)
		}
	})
}

// TestWithMultiStatements: with the option, Exec runs every statement of
// a text, in and out of a transaction, with and without the statement
// cache, on every database; arguments and the other APIs are still
// refused.
func TestWithMultiStatements(t *testing.T) {
	const script = "UPDATE script_item SET n = n + 1 WHERE name = 'a'; " +
		"INSERT INTO script_item (name, n) VALUES ('b;c', 7); -- a comment; with a ;\n" +
		"DROP TABLE script_victim;"
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		for _, cache := range []struct {
			name string
			opts []orm.Option
		}{{"cached", nil}, {"no stmt cache", []orm.Option{orm.WithStmtCache(0)}}} {
			for _, inTx := range []bool{false, true} {
				name := cache.name
				if inTx {
					name += ", in a transaction"
				}
				db := scriptSetup(t, tdb, append(cache.opts, orm.WithMultiStatements())...)
				ctx := context.Background()
				run := func(h orm.Handle) error {
					// The first statement alone, cached as an earlier call
					// would have it.
					_, err := h.Exec(ctx, "UPDATE script_item SET n = n + 1 WHERE name = 'a'")
					require.NoError(t, err, name)
					_, err = h.Exec(ctx, script)
					return err
				}
				if inTx {
					require.NoError(t, db.Transaction(ctx, func(tx *orm.Session) error { return run(tx) }), name)
				} else {
					require.NoError(t, run(db), name)
				}
				var n int
				require.NoError(t, db.Select(ctx, &n, "SELECT n FROM script_item WHERE name = 'a'"), name)
				require.Equal(t, 2, n, name)
				require.NoError(t, db.Select(ctx, &n, "SELECT n FROM script_item WHERE name = 'b;c'"), name)
				require.Equal(t, 7, n, name)
				err := db.Select(ctx, &n, "SELECT COUNT(*) FROM script_victim")
				require.Error(t, err, "%s: the last statement did not run", name)

				// Bound arguments and the other APIs still refuse it.
				_, err = db.Exec(ctx, "UPDATE script_item SET n = ?; DELETE FROM script_item", 5)
				require.ErrorIs(t, err, orm.ErrMultipleStatements, name)
				var ns []int
				err = db.Select(ctx, &ns, "SELECT n FROM script_item; DELETE FROM script_item")
				require.ErrorIs(t, err, orm.ErrMultipleStatements, name)
				_, err = orm.Query[ScriptItem](db).Where("1 = 1; DELETE FROM script_item").All(ctx)
				require.ErrorIs(t, err, orm.ErrMultipleStatements, name)
				c, err := orm.Query[ScriptItem](db).Count(ctx)
				require.NoError(t, err)
				require.EqualValues(t, 2, c, name)
			}
		}
	})
}

// TestWithMultiStatementsStopsAtError: a failing statement stops the
// script with its error; the statements before it ran (outside a
// transaction, SQLite and MySQL) or none did (PostgreSQL's implicit
// transaction).
func TestWithMultiStatementsStopsAtError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		db := scriptSetup(t, tdb, orm.WithMultiStatements())
		ctx := context.Background()
		_, err := db.Exec(ctx, "UPDATE script_item SET n = 1; INSERT INTO no_such_table VALUES (1); UPDATE script_item SET n = 2")
		require.Error(t, err)
		require.False(t, errors.Is(err, orm.ErrMultipleStatements))
		var n int
		require.NoError(t, db.Select(ctx, &n, "SELECT n FROM script_item WHERE name = 'a'"))
		want := 1
		if tdb.Name == "postgres" {
			want = 0
		}
		require.Equal(t, want, n)
	})
}

// A *sql.DB given to New without multiStatements=true in its MySQL DSN:
// the error says what is missing.
func TestWithMultiStatementsNewMySQL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		if tdb.Name != "mysql" {
			return
		}
		sdb, err := sql.Open(tdb.DriverName, tdb.DSN)
		require.NoError(t, err)
		db, err := orm.New(sdb, tdb.DriverName, orm.WithMultiStatements())
		require.NoError(t, err)
		defer db.Close()
		_, err = db.Exec(context.Background(), "SELECT 1; SELECT 2")
		require.ErrorContains(t, err, "multiStatements=true")
	})
}

// TestCompoundStatementIsOne: a trigger or function whose body holds
// statements ending in ; is one statement, which Exec runs without
// WithMultiStatements.
func TestCompoundStatementIsOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		db := scriptSetup(t, tdb)
		ctx := context.Background()
		var create string
		switch tdb.Name {
		case "sqlite":
			create = `CREATE TRIGGER script_count AFTER INSERT ON script_item
				BEGIN
					UPDATE script_item SET n = CASE WHEN NEW.n = 0 THEN 10 ELSE NEW.n END WHERE id = NEW.id;
					INSERT INTO script_victim (id) VALUES (NEW.id);
				END;`
		case "postgres":
			create = `CREATE FUNCTION script_count() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN
					UPDATE script_item SET n = CASE WHEN NEW.n = 0 THEN 10 ELSE NEW.n END WHERE id = NEW.id;
					INSERT INTO script_victim (id) VALUES (NEW.id);
					RETURN NULL;
				END $$;`
		case "mysql":
			create = "CREATE TRIGGER script_count BEFORE INSERT ON script_item FOR EACH ROW\n" +
				"BEGIN\n" +
				"  IF NEW.n = 0 THEN SET NEW.n = 10; END IF;\n" +
				"  INSERT INTO script_victim (id) VALUES (1);\n" +
				"END"
		}
		_, err := db.Exec(ctx, create)
		require.NoError(t, err)
		if tdb.Name == "postgres" {
			_, err = db.Exec(ctx, "CREATE TRIGGER script_count AFTER INSERT ON script_item FOR EACH ROW EXECUTE FUNCTION script_count()")
			require.NoError(t, err)
			// A SQL-standard body: BEGIN ATOMIC ... END.
			_, err = db.Exec(ctx, `CREATE FUNCTION script_two() RETURNS int LANGUAGE sql
				BEGIN ATOMIC
					SELECT 1;
					SELECT CASE WHEN true THEN 2 END;
				END;`)
			require.NoError(t, err)
			var two int
			require.NoError(t, db.Select(ctx, &two, "SELECT script_two()"))
			require.Equal(t, 2, two)
		}
		require.NoError(t, db.Insert(ctx, &ScriptItem{Name: "t"}))
		var n int
		require.NoError(t, db.Select(ctx, &n, "SELECT n FROM script_item WHERE name = 't'"))
		require.Equal(t, 10, n)
		require.NoError(t, db.Select(ctx, &n, "SELECT COUNT(*) FROM script_victim"))
		require.Equal(t, 1, n)
	})
}
