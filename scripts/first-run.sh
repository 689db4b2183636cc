#!/usr/bin/env bash
# The newcomer's first command, timed as on a fresh machine: a clean clone,
# an empty module cache and build cache (so the Go toolchain and every module
# are fetched from the proxy and everything is compiled), the README's first
# line run as written, until a signed-in page answers. Beside it, the same
# with warm caches. Prints both times in seconds.
#   bash scripts/first-run.sh [REPO]   (default: this checkout)
set -euo pipefail
repo=$(cd "${1:-$(dirname "$0")/..}" && pwd)
export PATH="$PATH:/usr/local/go/bin"
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait 2>/dev/null || true; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
git clone -q "$repo" "$work/kexuan"
cd "$work/kexuan"
cmd=$(sed -n '/^```sh$/{n;p;q}' README.md | sed 's/ *#.*//')
port=$((20000 + RANDOM % 20000))

run() { # $1: label; the environment gives the caches
  rm -f kexuan.db kexuan.db.key
  local start=$SECONDS
  bash -c "$cmd --addr 127.0.0.1:$port" > "$work/out" 2>&1 &
  pid=$!
  until grep -q '在浏览器打开' "$work/out" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/out"; exit 1; }
    sleep 0.2
  done
  local pw
  pw=$(awk '$1 == "office" {print $2; exit}' "$work/out")
  local jar="$work/jar"
  rm -f "$jar"
  curl -fsS -c "$jar" -H 'Content-Type: application/json' -d "{\"username\":\"office\",\"password\":\"$pw\"}" "http://127.0.0.1:$port/api/v1/login" > /dev/null
  curl -fsS -b "$jar" "http://127.0.0.1:$port/" | grep -q 'id="whoami"'
  echo "$1: $((SECONDS - start)) s to a signed-in page"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  # the go run child may outlive the shell
  pkill -f "kexuan serve --demo --addr 127.0.0.1:$port" 2>/dev/null || true
  sleep 1
}

GOMODCACHE="$work/mod" GOCACHE="$work/cache" GOPATH="$work/gopath" GOFLAGS=-modcacherw run "cold (empty caches: toolchain and modules fetched, all compiled)"
GOMODCACHE="$work/mod" GOCACHE="$work/cache" GOPATH="$work/gopath" GOFLAGS=-modcacherw run "warm (the same caches again)"
