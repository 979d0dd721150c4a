#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Installs what building and testing Tessera needs on Debian 12, from
# Debian's packages only. Idempotent: does nothing when all are present.
set -eu
pkgs="gcc make pkg-config libc6-dev linux-libc-dev libfdt-dev libseccomp-dev
check device-tree-compiler bc python3 stress-ng gdb e2fsprogs $*"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install:$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
