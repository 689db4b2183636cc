#!/usr/bin/env bash
# Fuzzes each target for a while (default 60 s each; `bash scripts/fuzz.sh 600`
# for ten minutes). A crash is written to the package's testdata/fuzz/ and
# from then on runs as a test (`go test` runs every corpus entry), so fix the
# code and keep the entry. The corpora in testdata/ run in CI with the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
# Go 1.27.3 (from the module proxy, as an approved toolchain): 1.26.8's standard
# library has known vulnerabilities in net/http, crypto/tls, crypto/x509 and
# html/template (scripts/vulncheck.sh).
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
time=${1:-60}
for target in \
  "./plan FuzzParse" \
  "./register FuzzRegisterCSV" \
  "./register FuzzRegisterXLSX" \
  "./register FuzzEnterpriseList" \
  "./wordcount FuzzCount" \
  "./richtext FuzzSanitize" \
  "./domain FuzzCreditCode"; do
  set -- $target
  echo "== $1 $2 (${time}s)"
  go test "$1" -run '^$' -fuzz "^$2\$" -fuzztime "${time}s"
done
