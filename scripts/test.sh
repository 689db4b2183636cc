#!/usr/bin/env bash
# Runs every test of kexuan: gofmt and go vet, then `go test -race ./...` with
# a real, throwaway PostgreSQL server (the PostgreSQL tests are required, not
# skipped), and a real headless Chromium for the pages. On a fresh Debian
# machine run it as root: it installs what is missing (postgresql, sqlite3,
# chromium, fonts-noto-cjk, libreoffice-writer-nogui, libreoffice-calc-nogui,
# poppler-utils) with apt-get.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
# Go 1.27.3 (from the module proxy, as an approved toolchain): 1.26.8's standard
# library has known vulnerabilities in net/http, crypto/tls, crypto/x509 and
# html/template (scripts/vulncheck.sh).
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"

# Debian packages the tests use: sqlite3 (the import baseline), chromium and
# CJK fonts (the browser tests), LibreOffice Writer and Calc and poppler (the
# 通报 and the year-end workbook rendered to PDF and PNG), postgresql (lib-pg.sh),
# nginx (deploy/nginx.conf run in front of kexuan, web/proxy_test.go).
need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v chromium >/dev/null || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
if ((${#need[@]})); then
  [ "$(id -u)" = 0 ] || { echo "missing packages: ${need[*]} (apt-get install them, or run as root)" >&2; exit 1; }
  echo "installing: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export KEXUAN_REQUIRE_BROWSER=1 KEXUAN_REQUIRE_OFFICE=1 KEXUAN_REQUIRE_NGINX=1

# The repository holds source, not build outputs: no tracked file over 1 MiB
# (the largest vendored script, ECharts, is 1.0 MB).
large=$(git ls-files -z 2>/dev/null | xargs -0 -r stat -c '%s %n' 2>/dev/null | awk '$1 > 1048576 {print $2 " (" $1 " bytes)"}')
if [ -n "$large" ]; then
  echo "tracked files over 1 MiB (build outputs belong in .gitignore): $large" >&2
  exit 1
fi

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
# Every module the build and the tests need, fetched (and checked against
# go.sum) before anything runs: go vet then reports only what it finds.
go mod download
go vet ./...
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
bash scripts/vulncheck.sh

source scripts/lib-pg.sh
export KEXUAN_TEST_POSTGRES="$PG_URL"
export KEXUAN_REQUIRE_POSTGRES=1

# Tests run in parallel (t.Parallel, and storetest.Each runs SQLite and
# PostgreSQL side by side): most of a test's time is spent waiting on a
# server, a database or Chromium, so four at a time on two cores.
par=4
if [ $# -gt 0 ]; then
  go test -race -count=1 -parallel $par -timeout 40m "$@"
  exit 0
fi

# The suite at any hour and in any TZ: every run below sets the tests' clock
# (kexuan/testclock) just before or just after midnight in the plan's zone,
# and the machine's TZ far from it. A test, or code under test, that reads
# the wall clock where it was given a clock disagrees with the rest and fails.
today=$(TZ=Asia/Shanghai date +%F)
tomorrow=$(TZ=Asia/Shanghai date -d "$today 12:00 +1 day" +%F)
before="${today}T23:30:00+08:00" after="${tomorrow}T00:30:00+08:00"
export TZ=America/Los_Angeles

echo "== every package with -race, the tests' clock at $before (TZ=$TZ)"
KEXUAN_TEST_NOW="$before" go test -race -count=1 -parallel $par -timeout 40m ./...

# No code goes back to the pool inside a transaction: the packages that
# write run again with a pool of one connection (storetest), where a
# re-entry waits for itself until -timeout fails it; the other packages
# whose tests touch dates run again as they are. Both at the other side of
# midnight.
echo "== app, cli and web with a pool of one connection, the tests' clock at $after"
KEXUAN_TEST_NOW="$after" KEXUAN_TEST_ONE_CONNECTION=1 go test -count=1 -parallel $par -timeout 20m ./app ./cli ./web
echo "== the other date-sensitive packages at $after"
KEXUAN_TEST_NOW="$after" go test -count=1 -parallel $par -timeout 20m ./demo ./report ./scoring ./store/...

# The release as it is installed: static builds for amd64, arm64 and loong64,
# their sums, the .deb installed with dpkg -i and run as its service user,
# and the other two architectures under qemu-user (scripts/release-test.sh).
if [ "$(id -u)" = 0 ]; then
  echo "== the release: build, install, run (scripts/release-test.sh)"
  bash scripts/release-test.sh
else
  echo "== the release test needs root (dpkg -i): run scripts/release-test.sh as root" >&2
fi
