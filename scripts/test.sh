#!/usr/bin/env bash
# Runs every test of kexuan: gofmt and go vet, then `go test -race ./...` with
# a real, throwaway PostgreSQL server (the PostgreSQL tests are required, not
# skipped). On a fresh Debian machine run as root: it installs what is
# missing (postgresql, chromium, fonts-noto-cjk) with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || need+=(postgresql)
command -v sqlite3 >/dev/null || need+=(sqlite3)
if ((${#need[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "missing packages: ${need[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...

# A throwaway PostgreSQL server on a Unix socket in a temp dir.
PGDIR=$(mktemp -d)
cleanup() {
  if [ -f "$PGDIR/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGDIR"
}
trap cleanup EXIT
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGDIR"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start \
  -o "-c listen_addresses='' -k $PGDIR -c fsync=off -c max_connections=200" >/dev/null
as_pg "$PGBIN/createdb" -h "$PGDIR" -U postgres kexuan
export KEXUAN_TEST_POSTGRES="postgres://postgres@/kexuan?host=$PGDIR"
export KEXUAN_REQUIRE_POSTGRES=1

go test -race -count=1 -timeout 40m "$@" ./...
