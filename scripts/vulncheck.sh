#!/usr/bin/env bash
# Known vulnerabilities: govulncheck over every package, against the Go
# vulnerability database. vuln.go.dev cannot be reached from this machine,
# so the database is built here from the golang.org/x/vulndb module (its
# data/osv reports, at a fixed snapshot served by the module proxy) with
# vulndb's own indexdb, then read from a file:// URL. Newer reports come
# with a newer snapshot: bump VULNDB.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
VULNDB=v0.0.0-20261105234957-e22db6528018 # 2026-11-05
GOVULNCHECK=v1.9.0
db="${XDG_CACHE_HOME:-$HOME/.cache}/kexuan/vulndb-$VULNDB"
if [ ! -f "$db/index/db.json" ]; then
	src=$(go mod download -json "golang.org/x/vulndb@$VULNDB" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
	rm -rf "$db.tmp"
	mkdir -p "$(dirname "$db")"
	(cd /tmp && go run "golang.org/x/vulndb/cmd/indexdb@$VULNDB" -vulns "$src/data/osv" -out "$db.tmp")
	mv "$db.tmp" "$db"
fi
echo "govulncheck $GOVULNCHECK, database golang.org/x/vulndb@$VULNDB ($(ls "$db/ID" | wc -l) reports), $(go version)"
go run "golang.org/x/vuln/cmd/govulncheck@$GOVULNCHECK" -db "file://$db" ./...
