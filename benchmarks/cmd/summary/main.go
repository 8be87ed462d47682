// Command summary writes the Markdown table at the top of BENCHMARKS.md
// from a benchmark results file: for every operation, tagorm's time and
// allocations against raw database/sql, GORM's and bun's times, and
// whether tagorm meets the targets of issue 6 (≤ 1.10× raw in time and
// allocations, faster than GORM and bun).
//
//	go run ./cmd/summary -benchstat $(go env GOPATH)/bin/benchstat results.txt
//
// It runs benchstat twice (CSV output): with raw as the base, for the
// ratios to raw, and with tagorm as the base, for the comparisons with
// GORM and bun. A time target counts as met when the ratio is ≤ 1.10 or
// benchstat finds no significant difference (p ≥ 0.05, shown "~"); tagorm
// is "slower than" GORM or bun only when benchstat finds that one
// significantly faster.
package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// cell is one implementation's value for one benchmark in one unit.
type cell struct {
	value float64
	delta string // benchstat's "vs base" (e.g. "+7.70%" or "~"); "" for the base
}

// table is one unit's results: benchmark → implementation → cell.
type table struct {
	unit  string
	rows  []string
	cells map[string]map[string]cell
}

func main() {
	bs := flag.String("benchstat", "benchstat", "the benchstat command")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: summary [-benchstat path] results.txt")
		os.Exit(2)
	}
	if err := run(*bs, flag.Arg(0), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "summary:", err)
		os.Exit(1)
	}
}

func run(bs, results string, w io.Writer) error {
	byRaw, err := benchstat(bs, "/impl@(raw tagorm gorm bun)", results)
	if err != nil {
		return err
	}
	byTagorm, err := benchstat(bs, "/impl@(tagorm gorm bun)", results)
	if err != nil {
		return err
	}
	return write(w, byRaw, byTagorm)
}

// benchstat runs benchstat -format csv with the given columns and parses
// its output.
func benchstat(bs, col, results string) (map[string]*table, error) {
	var out bytes.Buffer
	cmd := exec.Command(bs, "-format", "csv", "-col", col, results)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s -col %s: %w", bs, col, err)
	}
	return parse(&out)
}

// parse reads benchstat's CSV: blocks separated by blank lines, each with
// a header row of implementation names, a row of units, then benchmarks.
func parse(r io.Reader) (map[string]*table, error) {
	tables := map[string]*table{}
	sc := bufio.NewScanner(r)
	var block []string
	flush := func() error {
		defer func() { block = nil }()
		for len(block) > 0 && !strings.HasPrefix(block[0], ",") {
			block = block[1:] // the goos/goarch preamble
		}
		if len(block) < 3 {
			return nil
		}
		cr := csv.NewReader(strings.NewReader(strings.Join(block, "\n")))
		cr.FieldsPerRecord = -1
		recs, err := cr.ReadAll()
		if err != nil {
			return err
		}
		impls, units := recs[0], recs[1]
		t := &table{unit: units[1], cells: map[string]map[string]cell{}}
		for _, rec := range recs[2:] {
			name := rec[0]
			if name == "geomean" {
				continue
			}
			t.rows = append(t.rows, name)
			t.cells[name] = map[string]cell{}
			impl := ""
			for i := 1; i < len(rec) && i < len(units); i++ {
				if impls[i] != "" {
					impl = impls[i]
				}
				switch units[i] {
				case "CI", "P":
				case "vs base":
					c := t.cells[name][impl]
					c.delta = rec[i]
					t.cells[name][impl] = c
				default:
					if rec[i] == "" {
						continue
					}
					v, err := strconv.ParseFloat(rec[i], 64)
					if err != nil {
						return fmt.Errorf("%s %s: %w", name, impl, err)
					}
					t.cells[name][impl] = cell{value: v}
				}
			}
		}
		tables[t.unit] = t
		return nil
	}
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		block = append(block, line)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	for _, u := range []string{"sec/op", "allocs/op"} {
		if tables[u] == nil {
			return nil, fmt.Errorf("no %s table in the input", u)
		}
	}
	return tables, sc.Err()
}

func write(w io.Writer, byRaw, byTagorm map[string]*table) error {
	times, allocs, vs := byRaw["sec/op"], byRaw["allocs/op"], byTagorm["sec/op"]
	if vs == nil {
		return fmt.Errorf("no sec/op table with tagorm as the base")
	}
	fmt.Fprintln(w, "| op | raw time | tagorm time | tagorm/raw time | raw allocs | tagorm allocs | tagorm/raw allocs | GORM time | bun time | targets met |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|:---|")
	for _, name := range times.rows {
		tc, ac := times.cells[name], allocs.cells[name]
		raw, tg := tc["raw"], tc["tagorm"]
		if raw.value == 0 || tg.value == 0 {
			continue
		}
		ratio := tg.value / raw.value
		ar, at := ac["raw"].value, ac["tagorm"].value
		var missed []string
		if ratio > 1.10 && tg.delta != "~" {
			missed = append(missed, "time")
		}
		if ar > 0 && at/ar > 1.10 {
			missed = append(missed, "allocs")
		}
		for _, other := range []string{"gorm", "bun"} {
			// With tagorm as the base, a significant negative delta
			// means the other implementation is faster.
			if o, ok := vs.cells[name][other]; ok && strings.HasPrefix(o.delta, "-") {
				missed = append(missed, "slower than "+other)
			}
		}
		verdict := "yes"
		if !strings.Contains(name, "/db=") {
			verdict = "– (no database: the ORM's own cost)"
		} else if len(missed) > 0 {
			verdict = "**no**: " + strings.Join(missed, ", ")
		}
		allocRatio := "–"
		if ar > 0 {
			allocRatio = fmt.Sprintf("%.2f×", at/ar)
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.2f×%s | %s | %s | %s | %s | %s | %s |\n",
			strings.TrimSuffix(strings.TrimSuffix(name, "-2"), "-1"),
			dur(raw.value), dur(tg.value), ratio, sig(tg.delta),
			num(ar), num(at), allocRatio,
			dur(tc["gorm"].value), dur(tc["bun"].value), verdict)
	}
	return nil
}

// sig marks a ratio benchstat does not find significant.
func sig(delta string) string {
	if delta == "~" {
		return " (~)"
	}
	return ""
}

func dur(sec float64) string {
	switch {
	case sec == 0:
		return "–"
	case sec >= 1e-3:
		return fmt.Sprintf("%.2f ms", sec*1e3)
	case sec >= 1e-6:
		return fmt.Sprintf("%.1f µs", sec*1e6)
	default:
		return fmt.Sprintf("%.0f ns", sec*1e9)
	}
}

func num(x float64) string {
	if x == float64(int64(x)) {
		return strconv.FormatInt(int64(x), 10)
	}
	return fmt.Sprintf("%.1f", x)
}
