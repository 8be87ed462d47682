package dialects_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/dialects/postgres"
	"github.com/tagorm/orm/dialects/sqlite"
)

var splitDialects = map[string]dialects.Dialect{
	"sqlite": sqlite.Dialect{}, "postgres": postgres.Dialect{}, "mysql": mysql.Dialect{},
}

// second marks where the second statement starts: "⏵" in a test query
// is removed and its byte offset is the expected result.
const second = "⏵"

func TestSecondStatement(t *testing.T) {
	all := "sqlite postgres mysql"
	tests := []struct {
		on, query string // on: the dialects the case holds for
	}{
		// One statement.
		{all, ""},
		{all, "SELECT 1"},
		{all, "SELECT 1;"},
		{all, "SELECT 1 ;  \n\t"},
		{all, ";"},
		{all, " ; -- nothing"},
		{all, "SELECT 1; -- done\n"},
		{all, "SELECT 1; /* done */"},
		{all, "SELECT 1; /* unclosed ; SELECT 2"},
		{all, "SELECT 1 -- ; SELECT 2"},
		{all, "SELECT ';'"},
		{all, "SELECT 'a'';b'"},
		{all, "SELECT 'unclosed ; SELECT 2"},
		{all, `SELECT "a;b" FROM t`},
		{all, `SELECT "a"";b" FROM t`},
		{all, "SELECT (1; 2)"},
		{all, "SELECT f(';', (';'))"},
		{"sqlite mysql", "SELECT `a;b` FROM t"},
		{"sqlite mysql", "SELECT `a``;b` FROM t"},
		{"sqlite", "SELECT [a;b] FROM t"},
		{"sqlite", "SELECT $a(;x) FROM t"},
		{"sqlite", "SELECT :a::b FROM t"},
		{"mysql", "SELECT 'a\\';b'"},
		{"mysql", `SELECT "a\";b"`},
		{"mysql", "SELECT 1 # ; SELECT 2"},
		{"mysql", "SELECT 1; # trailing"},
		{"mysql", "SELECT 1; --"},
		{"mysql", "SELECT 1; -- trailing"},
		{"mysql", "SELECT 1; --\ttrailing"},
		{"postgres", "SELECT $$;$$"},
		{"postgres", "SELECT $fn$ ; $x$ ; $fn$"},
		{"postgres", "SELECT E'a\\';b'"},
		{"postgres", "SELECT e'a\\';b'"},
		{"postgres", "SELECT 1 /* a /* nested ; */ still ; */"},
		{"postgres", "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;"},
		{"postgres", "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;"},
		{"postgres", "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))"},
		{"sqlite", "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE c SET n = n + 1; DELETE FROM d; END;"},
		{"sqlite", "CREATE TEMP TRIGGER IF NOT EXISTS tr AFTER INSERT ON t BEGIN SELECT CASE WHEN 1 THEN RAISE(ABORT, 'x') END; END"},
		{"mysql", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN IF NEW.a < 0 THEN SET NEW.a = 0; END IF; SET NEW.b = 1; END"},
		{"mysql", "CREATE DEFINER=`root`@`%` PROCEDURE p(IN n INT) BEGIN l: LOOP SET n = n - 1; IF n = 0 THEN LEAVE l; END IF; END LOOP l; CASE n WHEN 0 THEN SELECT 1; END CASE; END"},
		{"mysql", "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN WHILE 0 DO SELECT 1; END WHILE; END;"},

		// Two statements or more.
		{all, "UPDATE t SET a = 1; ⏵DROP TABLE x"},
		{all, "UPDATE t SET a = 1;⏵DROP TABLE x;"},
		{all, "SELECT 1; -- c\n⏵SELECT 2"},
		{all, "SELECT 1; /* c */ ⏵SELECT 2"},
		{all, "SELECT 1;⏵;"},
		{all, "SELECT 1; /* c */ ⏵;"},
		{all, ";⏵SELECT 1"},
		{all, " ; ⏵;SELECT 1;"},
		{all, "SELECT ';'; ⏵SELECT 2"},
		{all, "SELECT 1; ⏵'x'"},
		{all, "SELECT 1; ⏵(SELECT 2)"},
		{all, "SELECT 1 FROM t WHERE a = 1) ; ⏵DROP TABLE x; SELECT (1"},
		{all, "SELECT 1;⏵\v"},
		{all, "CREATE TABLE t (event int, begin int); ⏵DROP TABLE x"},
		{all, "CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW SET x = 1; ⏵DROP TABLE x"},
		{all, "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; ⏵DROP TABLE x"},
		{all, "CREATE FUNCTION f(begin int) RETURNS int RETURN 1; ⏵DROP TABLE x"},
		{all, "BEGIN; ⏵UPDATE t SET a = 1; COMMIT"},
		{all, "SELECT 1 AS \"x\"; ⏵SELECT 2"},
		{"sqlite postgres", "SELECT '\\'; ⏵DROP TABLE x; --'"},
		{"sqlite postgres", `SELECT "\"; ⏵DROP TABLE x; --"`},
		{"postgres", "SELECT 1 `; ⏵DROP TABLE x; `"},
		{"postgres", "SELECT 1 [; ⏵DROP TABLE x; ]"},
		{"postgres", "SELECT 1 # ; ⏵DROP TABLE x"},
		{"postgres", "SELECT $$;$$; ⏵SELECT 2"},
		{"postgres", "SELECT a$b$; ⏵DROP TABLE x; $b$"},
		{"postgres", "SELECT E'\\''; ⏵DROP TABLE x; --'"},
		{"postgres", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; ⏵DROP TABLE x"},
		{"sqlite mysql", "SELECT 1 /* a /* nested ; */ ; ⏵DROP TABLE x; */"},
		{"mysql", "SELECT 1 --1; ⏵DROP TABLE x"},
		{"mysql", "SELECT 1; ⏵--x"},
		{"mysql", "SELECT 1 /*! ; ⏵DROP TABLE x */"},
		{"mysql", "SELECT 1 /*M!100000 ; ⏵DROP TABLE x */"},
		{"mysql", "SELECT 1; ⏵/*!40101 SET @a = 1 */"},
		{"mysql", "SELECT 'a\\''; ⏵DROP TABLE x; --'"},
		{"mysql", "SELECT 1 $$; ⏵DROP TABLE x; $$"},
		{"mysql", "CREATE PROCEDURE p() BEGIN SELECT 1; END; ⏵DROP TABLE x"},
		{"sqlite", "SELECT E'\\'; ⏵DROP TABLE x; --'"},
		{"mysql", "SELECT E'\\'; DROP TABLE x; --'"},
		{"sqlite", "SELECT 1 # ; ⏵DROP TABLE x"},
		{"sqlite", "SELECT $a(') ; ⏵DROP TABLE x; --'"},
		{"sqlite", "SELECT a$b(';'); ⏵DROP TABLE x; --')"},
		{"sqlite", "SELECT $$; ⏵DROP TABLE x; $$"},
		{"sqlite", "CREATE TRIGGER tr AFTER UPDATE ON t BEGIN UPDATE c SET n = CASE WHEN 1 THEN 2 END; END; ⏵DROP TABLE x"},
	}
	for _, tc := range tests {
		want := strings.Index(tc.query, second)
		q := strings.ReplaceAll(tc.query, second, "")
		for _, name := range strings.Fields(tc.on) {
			got := dialects.SecondStatement(splitDialects[name], q)
			assert.Equal(t, want, got, "%s: SecondStatement(%q)", name, q)
		}
	}
}

func TestSecondStatementNoAlloc(t *testing.T) {
	for _, q := range []string{
		"SELECT * FROM t WHERE a = ? AND b IN (?, ?)",
		"UPDATE t SET a = ';' WHERE b = $$x$$; -- done",
	} {
		for name, d := range splitDialects {
			n := testing.AllocsPerRun(100, func() { dialects.SecondStatement(d, q) })
			require.Zero(t, n, "%s: %q", name, q)
		}
	}
}

func BenchmarkSecondStatement(b *testing.B) {
	d := mysql.Dialect{}
	for name, q := range map[string]string{
		"no-semicolon": `SELECT "id", "name", "email", "created_at" FROM "users" WHERE "name" LIKE ? AND "id" > ? ORDER BY "id" LIMIT 100`,
		"trailing":     `UPDATE "users" SET "name" = ?, "note" = 'a;b' WHERE "id" = ? AND "email" LIKE '%;%'; -- done`,
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				dialects.SecondStatement(d, q)
			}
		})
	}
}

// FuzzSecondStatement checks SecondStatement on any text, on every
// dialect: it never panics; a second statement starts at a byte that is
// not white space, after the first statement's ;; the text
// before it holds one statement; and anything put in its place is a
// second statement.
func FuzzSecondStatement(f *testing.F) {
	for _, s := range []string{
		"SELECT 1", "SELECT 1; SELECT 2", "UPDATE t SET a = ';'; DROP TABLE x", "SELECT $$;$$; SELECT 1",
		"SELECT E'\\';'; x", "SELECT 1 -- ;\n; x", "/* /* ; */ ; */ ; x", "SELECT `;`; x", "SELECT [;]; x",
		"SELECT $a(;); x", "SELECT 1 --1; x", "SELECT /*! ; */ 1", "CREATE TRIGGER t BEGIN x; END; y",
		"CREATE DEFINER=a@b PROCEDURE p() BEGIN IF 1 THEN x; END IF; CASE 1 WHEN 1 THEN y; END CASE; END; z",
		"SELECT 'a\\''; x", "SELECT \"a\"\";\"; x", "SELECT (;); x", "SELECT 1)); x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for name, d := range splitDialects {
			k := dialects.SecondStatement(d, q)
			if k < 0 {
				continue
			}
			require.Less(t, k, len(q), "%s: %q", name, q)
			require.NotContains(t, " \t\n\r\f", string(q[k]), "%s: %q at %d", name, q, k)
			require.Contains(t, q[:k], ";", "%s: %q at %d", name, q, k)
			require.Equal(t, -1, dialects.SecondStatement(d, q[:k]), "%s: text before the second statement of %q", name, q)
			require.Equal(t, k, dialects.SecondStatement(d, q[:k]+"x"), "%s: %q", name, q[:k]+"x")
		}
	})
}
