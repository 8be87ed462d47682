#!/usr/bin/env bash
# The full test suite: starts PostgreSQL and MariaDB on loopback (installing
# them from Debian packages when needed), then runs the gofmt check, go vet,
# staticcheck and `go test -race` on every package, on all three databases.
#
#   scripts/test.sh              # everything
#   scripts/test.sh -run TestX   # extra flags go to `go test`
set -euo pipefail
cd "$(dirname "$0")/.."

eval "$(scripts/dbservers.sh)"
echo "postgres: $ORM_TEST_POSTGRES_DSN"
echo "mysql:    $ORM_TEST_MYSQL_DSN"

echo "== gofmt"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go') benchmarks)
if [ -n "$bad" ]; then echo "gofmt needed on:"; echo "$bad"; exit 1; fi

echo "== go vet"
go vet ./...

echo "== staticcheck"
SC=$(go env GOPATH)/bin/staticcheck
if ! [ -x "$SC" ]; then go install honnef.co/go/tools/cmd/staticcheck@v0.8.2; fi
"$SC" ./...

echo "== go test -race"
# -json is summarised by internal/testsummary: package results, failures
# with their output, subtests per dialect, skips, and a closing count.
go build -o /tmp/tagorm-testsummary ./internal/testsummary
set +e
go test -race -count=1 -timeout 20m -json "$@" ./... > /tmp/tagorm-test.json
status=$?
set -e
/tmp/tagorm-testsummary < /tmp/tagorm-test.json || status=1
[ "$status" -eq 0 ] || { echo "tests failed (full log: /tmp/tagorm-test.json)"; exit 1; }

echo "== benchmarks module: vet, and every benchmark once"
(cd benchmarks && go vet ./... && go test -run '^$' -bench . -benchtime=1x -timeout 10m ./...)
