#!/usr/bin/env bash
# Runs every test of kexuan: gofmt and go vet, then `go test -race ./...` with
# a real, throwaway PostgreSQL server (the PostgreSQL tests are required, not
# skipped). On a fresh Debian machine run it as root: it installs what is
# missing (postgresql, sqlite3) with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

if ! command -v sqlite3 >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "sqlite3 is missing (apt-get install sqlite3)" >&2; exit 1; }
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sqlite3 >/dev/null
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

source scripts/lib-pg.sh
export KEXUAN_TEST_POSTGRES="$PG_URL"
export KEXUAN_REQUIRE_POSTGRES=1

go test -race -count=1 -timeout 40m "$@" ./...
