#!/usr/bin/env bash
# A hundred crashes: kexuan serve is SIGKILLed under three concurrent
# writers (submit, approve, record) and restarted, KEXUAN_CRASH_CYCLES times
# (100 by default), on SQLite and on PostgreSQL. After every kill: every
# acknowledged change is there (losses, goal 0), the database passes its
# integrity check, the keyed audit chain holds against its checkpoints, and
# every department's score equals a recomputation from its records.
#
#   bash scripts/crash.sh            # 100 cycles on each database
#   KEXUAN_CRASH_CYCLES=10 bash scripts/crash.sh
#
# CI runs the same test with 4 cycles (scripts/test.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# Go 1.27.3 (from the module proxy, as an approved toolchain): 1.26.8's standard
# library has known vulnerabilities in net/http, crypto/tls, crypto/x509 and
# html/template (scripts/vulncheck.sh).
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
export KEXUAN_CRASH_CYCLES="${KEXUAN_CRASH_CYCLES:-100}"
if [ -z "${KEXUAN_TEST_POSTGRES:-}" ]; then
	# shellcheck source=lib-pg.sh
	source scripts/lib-pg.sh
	export KEXUAN_TEST_POSTGRES="$PG_URL"
fi
export KEXUAN_REQUIRE_POSTGRES=1
log=$(mktemp)
go test ./cli -run '^TestCrashRecovery$' -count=1 -v -timeout 3h | tee "$log" | grep -E '^(CRASH|--- |FAIL|ok|PASS)' || true
echo
echo "kexuan: $KEXUAN_CRASH_CYCLES SIGKILL cycles under concurrent writers"
grep '^CRASH' "$log" | sed 's/^CRASH /  /'
if grep -q '^--- FAIL' "$log" || ! grep -q '^ok' "$log"; then
	echo "FAILED: see $log"
	exit 1
fi
rm -f "$log"
