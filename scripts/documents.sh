#!/usr/bin/env bash
# A gallery of every document of the demo year, to look at them all in a
# minute: each month's 通报, the quarters' and the year's, the policy
# booklet, the journal's issues, the year-end workbook and a department's
# ledger — as issued (.docx, .xlsx), as LibreOffice prints them (PDF) and as
# pictures of their pages (PNG, png/). The geometry is checked by the tests
# (report: TestBulletinGeometry, TestContentsPages); this is for the eye.
#
#   bash scripts/documents.sh [DIR]     (default: documents-gallery/)
#
# Needs soffice and pdftoppm (libreoffice-writer-nogui, libreoffice-calc-nogui,
# poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
out=$(realpath -m "${1:-documents-gallery}")
for c in soffice pdftoppm; do
  command -v "$c" >/dev/null || { echo "$c is missing (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$out/png"

go build -o "$tmp/kexuan" ./cmd/kexuan
db="$tmp/demo.db"
kx() { "$tmp/kexuan" "$@" --db "$db"; }

# The demo loads when the server starts on an empty database; it is stopped
# once it says where to log in.
"$tmp/kexuan" serve --db "$db" --demo --addr 127.0.0.1:0 > "$tmp/serve.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  grep -q "login 登录" "$tmp/serve.log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; exit 1; }
  sleep 0.5
done
kill "$pid"; wait "$pid" 2>/dev/null || true
year=$(sed -n 's/^ *"year": *\([0-9]*\),*$/\1/p' demo/year-*.json | head -n 1)

for m in $(seq -w 1 12); do
  kx bulletin --month "$year-$m" --out "$out/通报-$year-$m.docx" >/dev/null
done
for q in 1 2 3 4; do
  kx bulletin --quarter "${year}Q$q" --out "$out/通报-${year}Q$q.docx" >/dev/null
done
kx bulletin --year "$year" --out "$out/通报-$year.docx" >/dev/null
kx documents --year "$year" > "$out/发文登记.txt"
kx booklet --year "$year" --out "$out/政策汇编-$year.docx" >/dev/null
for n in 1 2 3 4; do
  kx journal --issue "$year-$n" --out "$out/内刊-$year-$n.docx" >/dev/null 2>&1 || true
done
kx report --year "$year" --format xlsx --out "$out/年度考核-$year.xlsx" >/dev/null
dept=$(kx report --year "$year" --format json | grep -o '"code": *"[^"]*"' | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/')
kx report --year "$year" --department "$dept" --detail --format xlsx --out "$out/台账-$dept-$year.xlsx" >/dev/null

soffice --headless "-env:UserInstallation=file://$tmp/lo" --convert-to pdf --outdir "$out" "$out"/*.docx "$out"/*.xlsx >/dev/null 2>&1
for pdf in "$out"/*.pdf; do
  pdftoppm -r 60 -png "$pdf" "$out/png/$(basename "$pdf" .pdf)"
done
echo "$(ls "$out"/*.pdf | wc -l) documents, $(ls "$out"/png | wc -l) pages: $out (PDF) and $out/png"
