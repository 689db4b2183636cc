# Sourced by scripts/test.sh and scripts/bench.sh: starts a throwaway
# PostgreSQL server on a Unix socket in a temp folder, exports PG_URL, and
# stops it on exit. Installs postgresql with apt-get when root and missing.
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed (run as root, or apt-get install postgresql)" >&2
    exit 1
  fi
  echo "installing postgresql"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
PGDIR=$(mktemp -d)
pg_cleanup() {
  if [ -f "$PGDIR/data/postmaster.pid" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGDIR"
}
trap pg_cleanup EXIT
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$PGDIR"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w start \
  -o "-c listen_addresses='' -k $PGDIR -c fsync=off -c max_connections=200 ${PG_EXTRA_OPTS:-}" >/dev/null
as_pg "$PGBIN/createdb" -h "$PGDIR" -U postgres kexuan
PG_URL="postgres://postgres@/kexuan?host=$PGDIR"
export PG_URL
