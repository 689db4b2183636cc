#!/usr/bin/env bash
# The foundation's performance figures (bench/README.md): import and report
# over 1,000,000 publications on SQLite and on a throwaway PostgreSQL, each
# beside its baseline. Takes a few minutes. Args go to kexuanbench (-n ROWS).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
# Go 1.27.3 (from the module proxy, as an approved toolchain): 1.26.8's standard
# library has known vulnerabilities in net/http, crypto/tls, crypto/x509 and
# html/template (scripts/vulncheck.sh).
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
# Production-like durability for the timings (the test server runs fsync=off).
PG_EXTRA_OPTS="-c fsync=on -c shared_buffers=256MB -c work_mem=64MB" source scripts/lib-pg.sh
go run ./bench/kexuanbench -pg "$PG_URL" "$@"
# The second floor's figures: pages under 10 concurrent users at 10k and 1M
# publications, and the cost of one score change, on both databases.
go run ./bench/loadbench -pg "$PG_URL"
