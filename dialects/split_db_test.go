package dialects_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/internal/dbtest"
)

// TestSecondStatementAgreesWithServers sends hostile texts whole to each
// server, on a connection that runs several statements per call, and
// checks SecondStatement against what the server did: where it finds one
// statement, the server never runs a second one (here an INSERT into a
// probe table); where it finds two, the second one runs.
func TestSecondStatementAgreesWithServers(t *testing.T) {
	const ins = "INSERT INTO lex_probe VALUES (1)"
	type probe struct {
		text  string
		multi bool // SecondStatement finds a second statement
		// invalid: the first statement is a syntax error, so the server
		// runs nothing whatever the split.
		invalid bool
	}
	common := []probe{
		{"SELECT 1; " + ins, true, false},
		{"SELECT 1;" + ins + ";", true, false},
		{"SELECT ';'; " + ins, true, false},
		{"SELECT 1 /* ; */; " + ins, true, false},
		{"SELECT 1 -- ;\n; " + ins, true, false},
		{"SELECT 'a;" + ins + "'", false, false},
		{"SELECT 'it''s;" + ins + "'", false, false},
		{`SELECT 1 AS "a;` + ins + `"`, false, false},
		{"SELECT 1 /* ; " + ins + " */", false, false},
		{"SELECT 1 /* ; " + ins, false, false},
		{"SELECT 1 -- ; " + ins, false, false},
		{"SELECT (1; " + ins + ")", false, false},
		{"SELECT 1); " + ins + "; SELECT (1", true, true},
	}
	per := map[string][]probe{
		"sqlite": {
			{"SELECT 1 AS [a;" + ins + "]", false, false},
			{"SELECT 1 AS `a;" + ins + "`", false, false},
			{"SELECT 'a\\'; " + ins + "; --'", true, false},
			{"SELECT $$; " + ins + "; $$", true, true},
			{"SELECT 1 # ; " + ins, true, true},
			// One parameter token: SQLite runs nothing (it wants an argument).
			{"SELECT $a(;INSERT/**/INTO/**/lex_probe/**/SELECT/**/1;)", false, false},
			{"SELECT $a(') ; " + ins + "; --'", true, true}, // a parameter without its argument
			{"SELECT 1 /* /* */ ; " + ins + "; */", true, false},
		},
		"postgres": {
			{"SELECT $$;" + ins + "$$", false, false},
			{"SELECT $t$ $$ ;" + ins + "; $t$", false, false},
			{"SELECT E'\\';" + ins + "; --'", false, false},
			{"SELECT 'a\\'; " + ins + "; --'", true, false},
			{`SELECT 1 AS "a\"; ` + ins + `; --"`, true, false},
			{"SELECT 1 /* /* */ ; " + ins + "; */", false, false},
			{"SELECT 2 # 3; " + ins, true, false},
			{"SELECT 1 `; " + ins + "; SELECT `", true, true},
		},
		"mysql": {
			{"SELECT 'a\\'; " + ins + "; --'", false, false},
			{`SELECT "a\"; ` + ins + `; --"`, false, false},
			{"SELECT 1 AS `a;" + ins + "`", false, false},
			{"SELECT 1 # ; " + ins, false, false},
			{"SELECT 1 --1; " + ins, true, false},
			{"SELECT 1 /*! ; " + ins + " */", true, true},
			{"SELECT 1 /*M! ; " + ins + " */", true, true},
			{"SELECT 1; /*! " + ins + " */", true, false},
			{"SELECT 1 AS $$; " + ins + "; SELECT 1 AS $$", true, false},
			{"SELECT 1 /* /* */ ; " + ins + "; */", true, false},
		},
	}
	dbtest.Each(t, func(t *testing.T, tdb *dbtest.DB) {
		ctx := context.Background()
		conn := tdb.SQL
		if tdb.Name == "mysql" {
			dsn, err := mysql.Dialect{}.MultiStatementDSN(tdb.DSN)
			require.NoError(t, err)
			conn, err = sql.Open(tdb.DriverName, dsn)
			require.NoError(t, err)
			defer conn.Close()
		}
		_, err := conn.ExecContext(ctx, "CREATE TABLE lex_probe (n integer)")
		require.NoError(t, err)
		for _, p := range append(common, per[tdb.Name]...) {
			got := dialects.SecondStatement(tdb.Dialect, p.text) >= 0
			require.Equal(t, p.multi, got, "SecondStatement(%q)", p.text)
			_, execErr := conn.ExecContext(ctx, p.text)
			var n int
			require.NoError(t, conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM lex_probe").Scan(&n))
			switch {
			case p.invalid:
				require.Error(t, execErr, p.text)
				require.Zero(t, n, p.text)
			case p.multi:
				require.Equal(t, 1, n, "%q: the server did not run the second statement (%v)", p.text, execErr)
			default:
				require.Zero(t, n, "%q: one statement for SecondStatement, but the server ran the second", p.text)
			}
			_, err = conn.ExecContext(ctx, "DELETE FROM lex_probe")
			require.NoError(t, err)
		}
	})
}
