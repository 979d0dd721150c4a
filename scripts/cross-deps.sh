#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# cross-deps.sh: what cross-building and testing Tessera for arm64 needs on a
# Debian 12 x86_64 machine, from Debian's packages only. Idempotent: when all
# is in place it only checks (well under a second) and prints the sysroot.
#
# usage: scripts/cross-deps.sh [arm64]
#
# Installs (apt-get, only what is missing):
#   gcc-aarch64-linux-gnu libc6-dev-arm64-cross  the cross compiler, its libc
#   qemu-user-static                             runs arm64 unit binaries
#   qemu-system-arm                              qemu-system-aarch64, the arm64 lab
#   libseccomp-dev:arm64 check:arm64 libfdt1:arm64  the monitor's libraries
#                                                (after dpkg --add-architecture arm64)
# libfdt-dev is Multi-Arch: no in Debian 12: libfdt-dev:arm64 would remove
# the native libfdt-dev the x86 build needs. So its .deb is fetched with
# `apt-get download` and unpacked (dpkg -x) into a private sysroot:
#   ${CROSS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/cross}/arm64/
# with usr/include/{libfdt,fdt,libfdt_env}.h and
# usr/lib/aarch64-linux-gnu/libfdt.{a,so}. On success that directory is the
# only line on stdout (CROSS_SYSROOT=$(scripts/cross-deps.sh)); progress on
# stderr. The Makefile's arm64 block adds -I/-L for it.
#
# Environment: CROSS_CACHE (above), CROSS_NO_INSTALL=1 (fail instead of
# installing).
set -eu

log() { printf 'cross-deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

arch=${1:-arm64}
[ "$arch" = arm64 ] || die "only arm64 is known, not '$arch'"
triplet=aarch64-linux-gnu
CACHE=${CROSS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/cross}
SYSROOT=$CACHE/$arch

pkgs="gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static qemu-system-arm
libseccomp-dev:arm64 check:arm64 libfdt1:arm64"

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'
}

apt_get() {
	# Other engineers share this machine: wait for dpkg's lock, do not fail.
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"
}

need_root() {
	[ "$(id -u)" = 0 ] || die "need root to $1"
	[ "${CROSS_NO_INSTALL:-0}" != 1 ] || die "would have to $1 (CROSS_NO_INSTALL=1)"
}

updated=0
if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
	need_root "dpkg --add-architecture $arch"
	log "dpkg --add-architecture $arch"
	dpkg --add-architecture "$arch"
	apt_get update -qq >&2
	updated=1
fi

missing=
for p in $pkgs; do
	installed "$p" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	need_root "install$missing"
	log "installing$missing"
	# --no-remove: an :arm64 package must never replace a native one.
	# shellcheck disable=SC2086
	if ! apt_get install -y -qq --no-install-recommends --no-remove $missing >&2; then
		[ "$updated" = 1 ] && die "apt-get install$missing failed"
		log "install failed; refreshing package lists and retrying"
		apt_get update -qq >&2
		# shellcheck disable=SC2086
		apt_get install -y -qq --no-install-recommends --no-remove $missing >&2 ||
			die "apt-get install$missing failed"
	fi
fi

# libfdt-dev:arm64 into the private sysroot, keyed by the native version (an
# arm64 libfdt.a must match the headers the code is checked against).
ver=$(dpkg-query -W -f='${Version}' "libfdt1:$arch")
stamp=$SYSROOT/.libfdt-dev_$ver
if [ ! -e "$stamp" ]; then
	mkdir -p "$CACHE"
	dl=$(mktemp -d "${TMPDIR:-/tmp}/cross-dl.XXXXXX")
	trap 'rm -rf "$dl"' EXIT
	# apt-get download drops privileges to _apt: a world-writable dir.
	chmod 0777 "$dl"
	log "downloading libfdt-dev:$arch $ver"
	(cd "$dl" && apt_get download -qq "libfdt-dev:$arch=$ver" >&2) ||
		die "apt-get download libfdt-dev:$arch=$ver failed"
	mkdir "$dl/x"
	dpkg -x "$dl"/libfdt-dev_*.deb "$dl/x"
	[ -f "$dl/x/usr/lib/$triplet/libfdt.a" ] || die "libfdt-dev:$arch has no libfdt.a"
	rm -rf "$SYSROOT.new"
	mkdir -p "$SYSROOT.new"
	cp -a "$dl/x/usr" "$SYSROOT.new/"
	# libfdt.so points to libfdt.so.1 beside it, which libfdt1:arm64 put in
	# the multiarch directory: a dynamic link finds the real one.
	ln -sfn "/usr/lib/$triplet/libfdt.so.1" "$SYSROOT.new/usr/lib/$triplet/libfdt.so"
	touch "$SYSROOT.new/.libfdt-dev_$ver"
	rm -rf "$SYSROOT"
	mv "$SYSROOT.new" "$SYSROOT"
	log "libfdt-dev:$arch $ver unpacked in $SYSROOT"
fi

command -v "$triplet-gcc" >/dev/null || die "$triplet-gcc missing after install"
command -v qemu-aarch64-static >/dev/null || die "qemu-aarch64-static missing after install"
command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 missing after install"
printf '%s\n' "$SYSROOT"
