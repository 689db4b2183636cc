#!/usr/bin/env bash
# Builds a kexuan release into dist/: static binaries (CGO_ENABLED=0) for
# linux/amd64, linux/arm64 (鲲鹏、飞腾) and linux/loong64 (龙芯), a .deb for
# amd64 and arm64 (the binary, /etc/kexuan/kexuan.toml, the kexuan system
# user, /var/lib/kexuan 0750 and the systemd unit), and SHA256SUMS and
# SM3SUMS over all of them. VERSION=1.2.3 names the release (default: 0.N,
# N the commit count). scripts/release-test.sh installs and runs what it makes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"

version="${VERSION:-0.$(git rev-list --count HEAD 2>/dev/null || echo 0)}"
case "$version" in [0-9]*) ;; *) echo "VERSION must start with a digit (a Debian version): $version" >&2; exit 1 ;; esac
commit="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
out=dist
rm -rf "$out"
mkdir -p "$out"

for arch in amd64 arm64 loong64; do
  bin="$out/kexuan-$version-linux-$arch"
  CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath \
    -ldflags "-s -w -X kexuan/cli.Version=$version -X kexuan/cli.Commit=$commit" -o "$bin" ./cmd/kexuan
  echo "built $bin ($(stat -c %s "$bin") bytes)"
done

for arch in amd64 arm64; do
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  install -D -m 0755 "$out/kexuan-$version-linux-$arch" "$root/usr/bin/kexuan"
  install -D -m 0640 deploy/kexuan.toml "$root/etc/kexuan/kexuan.toml"
  install -D -m 0644 deploy/kexuan.service "$root/lib/systemd/system/kexuan.service"
  install -D -m 0644 README.md "$root/usr/share/doc/kexuan/README.md"
  install -D -m 0644 deploy/nginx.conf "$root/usr/share/doc/kexuan/nginx.conf"
  mkdir -p "$root/DEBIAN"
  cat > "$root/DEBIAN/control" <<CONTROL
Package: kexuan
Version: $version
Architecture: $arch
Maintainer: kexuan <kexuan@localhost>
Section: web
Priority: optional
Description: 科技宣传计划与考核（kexuan）
 The system that runs a science-and-technology bureau's yearly publicity
 plan: submission and review, adoption records, live scores, monthly and
 year-end assessment, documents. One static binary; SQLite or PostgreSQL.
CONTROL
  echo /etc/kexuan/kexuan.toml > "$root/DEBIAN/conffiles"
  cat > "$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ "$1" = configure ]; then
  if ! getent passwd kexuan >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/kexuan --no-create-home \
      --shell /usr/sbin/nologin --comment "kexuan service" kexuan
  fi
  install -d -o kexuan -g kexuan -m 0750 /var/lib/kexuan
  chown root:kexuan /etc/kexuan/kexuan.toml
  chmod 0640 /etc/kexuan/kexuan.toml
  if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
  fi
  echo "kexuan 已安装。设置在 /etc/kexuan/kexuan.toml；以 kexuan 用户初始化数据库："
  echo "  sudo -u kexuan kexuan init --db /var/lib/kexuan/kexuan.db"
  echo "然后：systemctl enable --now kexuan"
fi
POSTINST
  cat > "$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl stop kexuan >/dev/null 2>&1 || true
fi
PRERM
  chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm"
  dpkg-deb --root-owner-group -Zxz --build "$root" "$out/kexuan_${version}_$arch.deb" >/dev/null
  echo "built $out/kexuan_${version}_$arch.deb"
  rm -rf "$root"
  trap - EXIT
done

(cd "$out" && sha256sum kexuan* > SHA256SUMS)
go build -o "$out/.sm3sum" ./scripts/sm3sum
(cd "$out" && ./.sm3sum kexuan* > SM3SUMS)
rm -f "$out/.sm3sum"
echo "sums: $out/SHA256SUMS $out/SM3SUMS"
