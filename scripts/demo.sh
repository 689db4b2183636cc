#!/usr/bin/env bash
# The kexuan walk-through on an embedded SQLite database: init (the built-in
# 2017 plan) → import the sample register in examples/ → the year's
# assessment as a table, and the year-end table as .xlsx.
set -euo pipefail
cd "$(dirname "$0")/.."
# Go 1.27.3 (from the module proxy, as an approved toolchain): 1.26.8's standard
# library has known vulnerabilities in net/http, crypto/tls, crypto/x509 and
# html/template (scripts/vulncheck.sh).
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
dir=${KEXUAN_DEMO_DIR:-walkthrough}
mkdir -p "$dir"
go build -o "$dir/kexuan" ./cmd/kexuan
db="$dir/kexuan.db"
echo "\$ kexuan init --db $db"
"$dir/kexuan" init --db "$db"
echo "\$ kexuan import --db $db publications examples/register-2017.csv"
"$dir/kexuan" import --db "$db" publications examples/register-2017.csv
echo "\$ kexuan report --db $db --year 2017 --format table"
"$dir/kexuan" report --db "$db" --year 2017 --format table
"$dir/kexuan" report --db "$db" --year 2017 --format xlsx --out "$dir/考核表-2017.xlsx"
echo
echo "年终考核表（A4 打印版式）：$dir/考核表-2017.xlsx"
echo "逐条台账：$dir/kexuan report --db $db --year 2017 --department hightech --detail --format table|json"
echo "数据库：$db（再次运行会跳过已导入的记录）"
