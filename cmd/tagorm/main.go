// Command tagorm sets up tagorm migrations in a Go module, as `alembic
// init` does:
//
//	go run github.com/tagorm/orm/cmd/tagorm init [-dialect postgres] [dir]
//
// It writes the revision directory (default migrations/) and
// cmd/migrate/main.go, the program that runs the other commands; list
// your models in it, then:
//
//	go run ./cmd/migrate revision --autogenerate -m "initial"
//	go run ./cmd/migrate upgrade head
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tagorm/orm/migration/cli"
)

func main() {
	if len(os.Args) < 2 || os.Args[1] != "init" {
		fmt.Fprintln(os.Stderr, "usage: tagorm init [-dialect sqlite|postgres|mysql] [-module path] [dir]")
		os.Exit(2)
	}
	fs := flag.NewFlagSet("init", flag.ExitOnError)
	dialect := fs.String("dialect", "sqlite", "dialect package to import in cmd/migrate")
	module := fs.String("module", "", "module path (default: read from go.mod)")
	_ = fs.Parse(os.Args[2:])
	dir := fs.Arg(0)
	written, err := cli.Init(dir, *module, *dialect)
	for _, w := range written {
		fmt.Printf("Generating %s ... done\n", w)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tagorm:", err)
		os.Exit(1)
	}
	fmt.Println("Now list your models in cmd/migrate/main.go and run:\n  DATABASE_URL=sqlite:///app.db go run ./cmd/migrate revision --autogenerate -m \"initial\"")
}
