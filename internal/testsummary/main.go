// Command testsummary reads `go test -json` output on stdin and prints a
// readable log: each package's result, the output of failed tests, the
// number of subtests run on each dialect (sqlite, postgres, mysql), the
// names of skipped tests, and a closing line "N passed, N failed, N
// skipped". It exits 1 when a test or a package failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 16<<20)
	output := map[string][]string{} // package/test → output lines
	var passed, failed, skipped int
	var failures, skips []string
	perDialect := map[string][3]int{}
	pkgFailed := false
	for in.Scan() {
		line := in.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil {
			fmt.Println(string(line)) // build errors and the like
			continue
		}
		key := e.Package + " " + e.Test
		switch e.Action {
		case "output":
			if e.Test == "" {
				if strings.HasPrefix(e.Output, "ok ") || strings.HasPrefix(e.Output, "FAIL") || strings.HasPrefix(e.Output, "?") || strings.HasPrefix(e.Output, "---") || strings.Contains(e.Output, "[build failed]") || strings.HasPrefix(e.Output, "panic") {
					fmt.Print(e.Output)
				}
				output[key] = append(output[key], e.Output)
				continue
			}
			output[key] = append(output[key], e.Output)
		case "pass", "fail", "skip":
			if e.Test == "" {
				if e.Action == "fail" {
					pkgFailed = true
					for _, l := range output[key] {
						fmt.Print(l)
					}
				}
				continue
			}
			leaf := e.Test[strings.LastIndexByte(e.Test, '/')+1:]
			counts := perDialect[leaf]
			switch e.Action {
			case "pass":
				passed++
				counts[0]++
			case "fail":
				failed++
				counts[1]++
				failures = append(failures, key)
				fmt.Printf("--- FAIL %s\n%s", key, strings.Join(output[key], ""))
			case "skip":
				skipped++
				counts[2]++
				skips = append(skips, key)
			}
			if leaf == "sqlite" || leaf == "postgres" || leaf == "mysql" {
				perDialect[leaf] = counts
			}
			delete(output, key)
		}
	}
	fmt.Println()
	fmt.Println("subtests per dialect (passed / failed / skipped):")
	for _, d := range []string{"sqlite", "postgres", "mysql"} {
		c := perDialect[d]
		fmt.Printf("  %-9s %5d / %d / %d\n", d, c[0], c[1], c[2])
	}
	if len(skips) > 0 {
		sort.Strings(skips)
		fmt.Println("skipped:")
		for _, s := range skips {
			fmt.Println("  " + s)
		}
	}
	if len(failures) > 0 {
		fmt.Println("failed:")
		for _, f := range failures {
			fmt.Println("  " + f)
		}
	}
	fmt.Printf("%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 || pkgFailed {
		os.Exit(1)
	}
}
