#!/usr/bin/env bash
# Tests a release as a bureau's IT person would use it: builds it
# (scripts/release.sh), checks SHA256SUMS and SM3SUMS, installs the amd64
# .deb with dpkg -i (the kexuan user, /var/lib/kexuan 0750, the
# configuration, the unit — which systemd-analyze verify must pass), runs
# `kexuan init`, an import and `kexuan report` from the installed binary as
# the kexuan user, then runs the arm64 and loong64 binaries under qemu-user:
# `kexuan version`, and the same report, which must equal amd64's byte for
# byte. Run as root (it installs and removes the package).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "release-test: run as root (dpkg -i)" >&2; exit 1; }
need=()
command -v qemu-aarch64-static >/dev/null || need+=(qemu-user-static)
command -v systemd-analyze >/dev/null || need+=(systemd)
if ((${#need[@]})); then
  echo "installing: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

bash scripts/release.sh
v=$(ls dist/kexuan-*-linux-amd64 | sed 's#dist/kexuan-\(.*\)-linux-amd64#\1#')
(cd dist && sha256sum -c --quiet SHA256SUMS)
go run ./scripts/sm3sum -c dist/SM3SUMS >/dev/null
echo "sums: SHA256SUMS and SM3SUMS check"

work=$(mktemp -d)
chmod 0755 "$work"
cleanup() {
  dpkg --purge kexuan >/dev/null 2>&1 || true
  rm -rf "$work" /var/lib/kexuan
}
trap cleanup EXIT
cp examples/register-2017.csv "$work/register.csv"
chmod 0644 "$work/register.csv"

dpkg -i "dist/kexuan_${v}_amd64.deb" >/dev/null
getent passwd kexuan >/dev/null || { echo "the package made no kexuan user" >&2; exit 1; }
[ "$(stat -c '%a %U' /var/lib/kexuan)" = "750 kexuan" ] || { echo "/var/lib/kexuan: $(stat -c '%a %U' /var/lib/kexuan), want 750 kexuan" >&2; exit 1; }
[ "$(stat -c '%a %G' /etc/kexuan/kexuan.toml)" = "640 kexuan" ] || { echo "/etc/kexuan/kexuan.toml: $(stat -c '%a %G' /etc/kexuan/kexuan.toml)" >&2; exit 1; }
systemd-analyze verify /lib/systemd/system/kexuan.service
echo "unit: systemd-analyze verify passes"
kexuan version | grep -q "kexuan $v" || { echo "kexuan version: $(kexuan version)" >&2; exit 1; }
as=(runuser -u kexuan --)
"${as[@]}" kexuan config check --config /etc/kexuan/kexuan.toml >/dev/null
"${as[@]}" kexuan init --db /var/lib/kexuan/kexuan.db >/dev/null
"${as[@]}" kexuan import --db /var/lib/kexuan/kexuan.db publications "$work/register.csv" >/dev/null
"${as[@]}" kexuan report --db /var/lib/kexuan/kexuan.db --year 2017 --as-of 2017-12-31 --format json > "$work/amd64.json"
[ "$(stat -c '%a' /var/lib/kexuan/kexuan.db.key)" = 600 ] || { echo "the key file is not the owner's only" >&2; exit 1; }
grep -q '"departments"' "$work/amd64.json" || { echo "the installed report: $(head -c 300 "$work/amd64.json")" >&2; exit 1; }
echo "installed: init, import and report as the kexuan user"

for arch in arm64 loong64; do
  case $arch in arm64) qemu=qemu-aarch64-static ;; loong64) qemu=qemu-loongarch64-static ;; esac
  bin="dist/kexuan-$v-linux-$arch"
  "$qemu" "$bin" version | grep -q "linux/$arch" || { echo "$arch: $("$qemu" "$bin" version)" >&2; exit 1; }
  db="$work/$arch.db"
  "$qemu" "$bin" init --db "$db" >/dev/null
  "$qemu" "$bin" import --db "$db" publications "$work/register.csv" >/dev/null
  "$qemu" "$bin" report --db "$db" --year 2017 --as-of 2017-12-31 --format json > "$work/$arch.json"
  cmp -s "$work/amd64.json" "$work/$arch.json" || { echo "$arch's report differs from amd64's" >&2; diff <(head -c 2000 "$work/amd64.json") <(head -c 2000 "$work/$arch.json") >&2 || true; exit 1; }
  echo "$arch under $qemu: version, and the same report as amd64"
done
echo "release-test: ok ($v)"
