#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# arm64-qemu.sh: Debian's arm64 QEMU (qemu-system-aarch64 from the
# qemu-system-arm:arm64 .deb) with every library it needs, for the arm64
# lab's L1, which has no C library: the boot benchmark's reference monitor
# (scripts/bench/boot.sh with LAB_ARCH=arm64). Prints a directory holding
#   qemu-system-aarch64         the binary
#   ld-linux-aarch64.so.1       Debian's arm64 dynamic loader
#   lib/                        the shared libraries it needs (closure)
#   run                         a sh wrapper: run [QEMU ARGS...]
# which boot.sh carries into L1 (mkinitramfs.sh EXTRA) as /lab/qemu.
#
# Nothing is installed: the .debs are fetched with `apt-get download` and
# unpacked with `dpkg -x` into a private tree. The packages behind the
# libraries are found through the host's own qemu-system-arm (amd64, same
# version): `dpkg -S` names the package of each soname and its :arm64
# twin is fetched (the libraries are Multi-Arch: same). Cached per QEMU
# version in $LAB_CACHE/qemu-arm64/ (a second run only asks apt-cache).
# Needs dpkg's arm64 architecture (scripts/cross-deps.sh adds it) and,
# to check the result, qemu-aarch64-static.
#
# Environment: LAB_CACHE (${XDG_CACHE_HOME:-~/.cache}/tessera/lab).
set -euo pipefail

log() { printf 'arm64-qemu: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/lab}
PKG=qemu-system-arm
BIN=usr/bin/qemu-system-aarch64
LIBDIRS="lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu"

ver=$(apt-cache policy "$PKG:arm64" 2>/dev/null | awk '/Candidate:/ {print $2}')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	out=$(find "$CACHE/qemu-arm64" -maxdepth 2 -name .complete 2>/dev/null | sort -V | tail -n 1)
	[ -n "$out" ] || die "apt knows no $PKG:arm64 (dpkg --add-architecture arm64; apt-get update) and none is cached"
	log "apt knows no $PKG:arm64; using the cached $(dirname "$out")"
	dirname "$out"
	exit 0
fi
out=$CACHE/qemu-arm64/${PKG}_${ver//:/%}_arm64
if [ -e "$out/.complete" ]; then
	log "cached: $PKG:arm64 $ver"
	printf '%s\n' "$out"
	exit 0
fi
command -v "$PKG" >/dev/null 2>&1 || dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q 'ok installed' ||
	die "the host's $PKG (amd64) names the library packages: apt-get install $PKG"

mkdir -p "$CACHE/qemu-arm64"
work=$(mktemp -d "$CACHE/qemu-arm64/.work.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root" "$work/debs"

# fetch PKG[:arm64][=VER]: downloads and unpacks into $root. apt-get
# download runs as _apt, which may not enter $HOME: a world-writable dir.
fetch() {
	local dl
	dl=$(mktemp -d "${TMPDIR:-/tmp}/arm64-qemu-dl.XXXXXX")
	chmod 0777 "$dl"
	(cd "$dl" && apt-get download "$1" >/dev/null 2>"$dl/err") ||
		{ log "apt-get download $1: $(tail -n 1 "$dl/err")"; rm -rf "$dl"; return 1; }
	for f in "$dl"/*.deb; do
		dpkg -x "$f" "$root"
		mv "$f" "$work/debs/"
	done
	rm -rf "$dl"
}

# find_lib SONAME: its path under $root, empty if absent.
find_lib() {
	local d
	for d in $LIBDIRS; do
		[ -e "$root/$d/$1" ] && { printf '%s\n' "$root/$d/$1"; return 0; }
	done
	return 0
}

needed() { readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

log "fetching $PKG:arm64 $ver"
fetch "$PKG:arm64=$ver" || die "cannot download $PKG:arm64=$ver"
[ -x "$root/$BIN" ] || die "$PKG:arm64 has no /$BIN"
fetch libc6:arm64 || die "cannot download libc6:arm64"

# The closure of NEEDED, fetching the package of each soname not yet there.
declare -A seen=() tried=()
todo=("$root/$BIN")
libs=()
while [ ${#todo[@]} -gt 0 ]; do
	f=${todo[0]}
	todo=("${todo[@]:1}")
	for so in $(needed "$f"); do
		[ -n "${seen[$so]:-}" ] && continue
		p=$(find_lib "$so")
		if [ -z "$p" ]; then
			pkg=$(dpkg -S "*/x86_64-linux-gnu/$so" 2>/dev/null | head -n 1 | cut -d: -f1)
			[ -n "$pkg" ] || die "no package for $so (the host's $PKG needs none: an arm64-only library?)"
			[ -z "${tried[$pkg]:-}" ] || die "$pkg:arm64 does not provide $so"
			tried[$pkg]=1
			fetch "$pkg:arm64" || die "cannot download $pkg:arm64 (for $so)"
			p=$(find_lib "$so")
			[ -n "$p" ] || die "$pkg:arm64 does not provide $so"
		fi
		seen[$so]=1
		libs+=("$p")
		todo+=("$p")
	done
done

stage=$work/stage
mkdir -p "$stage/lib"
cp -L "$root/$BIN" "$stage/qemu-system-aarch64"
cp -L "$(find_lib ld-linux-aarch64.so.1)" "$stage/ld-linux-aarch64.so.1"
for p in "${libs[@]}"; do
	cp -L "$p" "$stage/lib/"
done
# Debug symbols are not needed inside L1; a smaller initramfs unpacks faster.
aarch64-linux-gnu-strip --strip-unneeded "$stage/qemu-system-aarch64" "$stage"/lib/* 2>/dev/null ||
	log "note: aarch64-linux-gnu-strip failed; kept as shipped"
cat >"$stage/run" <<'SH'
#!/bin/sh
# Debian's arm64 QEMU with its own loader and libraries (scripts/bench/arm64-qemu.sh).
d=$(dirname "$0")
exec "$d/ld-linux-aarch64.so.1" --library-path "$d/lib" "$d/qemu-system-aarch64" "$@"
SH
chmod 0755 "$stage/run" "$stage/qemu-system-aarch64" "$stage/ld-linux-aarch64.so.1"
if command -v qemu-aarch64-static >/dev/null; then
	v=$(qemu-aarch64-static "$stage/ld-linux-aarch64.so.1" --library-path "$stage/lib" \
		"$stage/qemu-system-aarch64" --version 2>&1 | head -n 1) ||
		die "the staged QEMU does not start under qemu-aarch64-static: $v"
	log "$v (${#libs[@]} libraries, $(du -sk "$stage" | cut -f1) KiB)"
fi
printf '%s %s\n' "$PKG:arm64" "$ver" >"$stage/VERSION"
touch "$stage/.complete"
rm -rf "$out"
mv "$stage" "$out"
printf '%s\n' "$out"
