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
# 通报 and the year-end workbook rendered to PDF and PNG), postgresql (lib-pg.sh).
need=()
command -v sqlite3 >/dev/null || need+=(sqlite3)
command -v chromium >/dev/null || need+=(chromium)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v soffice >/dev/null || need+=(libreoffice-writer-nogui)
dpkg -s libreoffice-calc-nogui >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
command -v pdftoppm >/dev/null || need+=(poppler-utils)
if ((${#need[@]})); then
  [ "$(id -u)" = 0 ] || { echo "missing packages: ${need[*]} (apt-get install them, or run as root)" >&2; exit 1; }
  echo "installing: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export KEXUAN_REQUIRE_BROWSER=1 KEXUAN_REQUIRE_OFFICE=1

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change: $unformatted" >&2
  exit 1
fi
go vet ./...
go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...
bash scripts/vulncheck.sh

source scripts/lib-pg.sh
export KEXUAN_TEST_POSTGRES="$PG_URL"
export KEXUAN_REQUIRE_POSTGRES=1

go test -race -count=1 -timeout 40m "$@" ./...
