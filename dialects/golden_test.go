package dialects_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tagorm/orm/dialects"
	"github.com/tagorm/orm/dialects/mysql"
	"github.com/tagorm/orm/dialects/postgres"
	"github.com/tagorm/orm/dialects/sqlite"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

var all = []dialects.Dialect{sqlite.Dialect{}, postgres.Dialect{}, mysql.Dialect{}}

func TestGoldenDDL(t *testing.T) {
	for _, d := range all {
		for _, tbl := range fixtureTables() {
			t.Run(d.Name()+"/"+tbl.Name, func(t *testing.T) {
				var b strings.Builder
				for _, ine := range []bool{false, true} {
					if ine {
						b.WriteString("\n-- ifNotExists\n")
					}
					for _, s := range d.CreateTable(tbl, tbl.ForeignKeys, ine) {
						b.WriteString(s)
						b.WriteString(";\n")
					}
				}
				for _, fk := range tbl.ForeignKeys {
					b.WriteString("\n-- AddForeignKey\n")
					s, err := d.AddForeignKey(tbl, fk)
					if err != nil {
						b.WriteString("-- error: " + err.Error() + "\n")
					} else {
						b.WriteString(s + ";\n")
					}
				}
				got := b.String()
				path := filepath.Join("testdata", d.Name(), tbl.Name+".sql")
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
					require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
					return
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "run go test ./dialects -run TestGoldenDDL -update")
				assert.Equal(t, string(want), got)
			})
		}
	}
}
