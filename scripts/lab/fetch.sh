#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch.sh: get everything the nested-KVM lab needs (see README.md).
#
#  - installs the Debian packages qemu-system-x86, busybox-static and cpio
#    with apt-get, only if they are missing;
#  - downloads a stock Debian cloud kernel package with `apt-get download`
#    and unpacks it with `dpkg -x` (nothing is installed) into
#    ${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/lab}/kernel/<package>_<version>/
#
# On success the unpacked kernel directory is the only thing printed on
# stdout, so callers can do  KDIR=$(scripts/lab/fetch.sh).  Progress goes to
# stderr. Idempotent: a second run only asks apt-cache which kernel is newest.
#
# With LAB_ARCH=arm64 (the arm64 lab) the same, for arm64: the packages are
# scripts/cross-deps.sh's (qemu-system-arm, the cross compiler, dpkg's arm64
# architecture) plus cpio, the kernel is linux-image-6.1.0-*-cloud-arm64:arm64,
# and `fetch.sh busybox` prints the path of an arm64 busybox-static, fetched
# with `apt-get download busybox-static:arm64` and unpacked into
# $LAB_CACHE/busybox/ (busybox-static:arm64 cannot be installed beside the
# native one). For x86_64, `fetch.sh busybox` prints /bin/busybox.
#
# `fetch.sh gdb` (x86_64) prints the path of the gdb that goes into L1:
# Debian's gdb-minimal (gdb without Python, so no Python runtime to carry),
# fetched with `apt-get download gdb-minimal` and unpacked into
# $LAB_CACHE/gdb/ (it conflicts with the gdb package, so it is not installed).
#
# Environment:
#   LAB_ARCH         x86_64 (default) or arm64
#   LAB_KERNEL_PKG   kernel package to use (default: the newest
#                    linux-image-6.1.0-*-cloud-amd64 (arm64: -cloud-arm64)
#                    apt-cache offers, or the newest one already cached when
#                    apt knows none)
#   LAB_CACHE        cache directory (see above)
#   LAB_NO_INSTALL=1 never run apt-get install; fail if a package is missing

set -eu

log() { printf 'lab-fetch: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/lab}
LAB_ARCH=${LAB_ARCH:-x86_64}
case $LAB_ARCH in
x86_64) flavour=cloud-amd64 apt_arch= ;;
arm64 | aarch64) LAB_ARCH=arm64 flavour=cloud-arm64 apt_arch=:arm64 ;;
*) die "LAB_ARCH must be x86_64 or arm64, not $LAB_ARCH" ;;
esac
what=${1:-kernel}
case $what in kernel | busybox | gdb) ;; *) die "usage: fetch.sh [kernel|busybox|gdb]" ;; esac

pkg_installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

install_missing() {
	local missing=() p
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "${LAB_NO_INSTALL:-0}" = 1 ] && die "missing packages: ${missing[*]} (LAB_NO_INSTALL=1)"
	[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}; run as root or: apt-get install -y ${missing[*]}"
	log "installing ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"${missing[@]}" >&2; then
		log "install failed; refreshing package lists and retrying"
		apt-get update >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			"${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
	fi
}

# The newest linux-image-6.1.0-N-<flavour> apt knows about (by ABI number).
newest_kernel_pkg() {
	apt-cache search --names-only "^linux-image-6\\.1\\.0-[0-9]+-$flavour\$" 2>/dev/null |
		awk '{print $1}' | sort -V | tail -n 1
}

# The newest kernel already unpacked in the cache (offline fallback).
newest_cached_pkg() {
	local d
	for d in "$CACHE"/kernel/*-"$flavour"_*/.complete; do
		[ -e "$d" ] || continue
		d=${d%/.complete}
		basename "$d"
	done | sort -V | tail -n 1 | sed 's/_.*//'
}

# download_deb PKG VER: the .deb of PKG=VER in $CACHE/debs (downloaded once);
# sets deb.
download_deb() {
	local p=$1 v=$2 dl f a='*'
	[ "${p%:*}" = "$p" ] || a=${p##*:}
	mkdir -p "$CACHE/debs"
	deb=$(find "$CACHE/debs" -maxdepth 1 -name "${p%:*}_${v#*:}_$a.deb" | head -n 1)
	[ -n "$deb" ] && return 0
	log "downloading $p $v"
	# apt-get download drops privileges to _apt, which may not enter $HOME:
	# download in a world-writable temp dir, then move the file.
	dl=$(mktemp -d "${TMPDIR:-/tmp}/lab-dl.XXXXXX")
	chmod 0777 "$dl"
	if ! (cd "$dl" && apt-get download "$p=$v" >&2); then
		rm -rf "$dl"
		die "apt-get download $p=$v failed"
	fi
	for f in "$dl"/*.deb; do
		[ -e "$f" ] || { rm -rf "$dl"; die "apt-get download left no .deb"; }
		deb=$CACHE/debs/$(basename "$f")
		mv "$f" "$deb.part"
		mv "$deb.part" "$deb"
	done
	rm -rf "$dl"
}

# The arm64 busybox-static, unpacked once per version; prints its path.
fetch_arm64_busybox() {
	local p=busybox-static:arm64 v dir tmp
	v=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		dir=$(find "$CACHE/busybox" -maxdepth 1 -name 'busybox-static_*_arm64' 2>/dev/null | sort -V | tail -n 1)
		if [ -z "$dir" ] || [ ! -x "$dir/bin/busybox" ]; then
			die "apt knows no version of $p and none is cached"
		fi
		printf '%s\n' "$dir/bin/busybox"
		return 0
	fi
	dir=$CACHE/busybox/busybox-static_${v//:/%}_arm64
	if [ ! -x "$dir/bin/busybox" ]; then
		download_deb "$p" "$v"
		mkdir -p "$CACHE/busybox"
		tmp=$(mktemp -d "$CACHE/busybox/.unpack.XXXXXX")
		dpkg -x "$deb" "$tmp"
		[ -x "$tmp/bin/busybox" ] || { rm -rf "$tmp"; die "$deb has no /bin/busybox"; }
		rm -rf "$dir"
		mv "$tmp" "$dir"
		log "busybox-static:arm64 $v ready in $dir"
	fi
	printf '%s\n' "$dir/bin/busybox"
}

# x86_64's gdb-minimal, unpacked once per version; prints its gdb's path.
fetch_gdb_minimal() {
	local p=gdb-minimal v dir tmp
	v=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -z "$v" ] || [ "$v" = "(none)" ]; then
		dir=$(find "$CACHE/gdb" -maxdepth 1 -name 'gdb-minimal_*' 2>/dev/null | sort -V | tail -n 1)
		if [ -z "$dir" ] || [ ! -x "$dir/usr/bin/gdb" ]; then
			die "apt knows no version of $p and none is cached"
		fi
		printf '%s\n' "$dir/usr/bin/gdb"
		return 0
	fi
	dir=$CACHE/gdb/gdb-minimal_${v//:/%}
	if [ ! -x "$dir/usr/bin/gdb" ]; then
		download_deb "$p" "$v"
		mkdir -p "$CACHE/gdb"
		tmp=$(mktemp -d "$CACHE/gdb/.unpack.XXXXXX")
		dpkg -x "$deb" "$tmp"
		[ -x "$tmp/usr/bin/gdb" ] || { rm -rf "$tmp"; die "$deb has no /usr/bin/gdb"; }
		rm -rf "$dir"
		mv "$tmp" "$dir"
		log "gdb-minimal $v ready in $dir"
	fi
	printf '%s\n' "$dir/usr/bin/gdb"
}

if [ "$what" = gdb ]; then
	[ "$LAB_ARCH" = x86_64 ] || die "fetch.sh gdb: x86_64 only"
	fetch_gdb_minimal
	exit 0
fi

if [ "$LAB_ARCH" = arm64 ]; then
	# The cross compiler builds the lab's probes; qemu-system-arm, the
	# arm64 architecture (for apt-get download of :arm64 packages).
	if [ "${LAB_NO_INSTALL:-0}" = 1 ]; then
		CROSS_NO_INSTALL=1 "$(dirname "$0")/../cross-deps.sh" >/dev/null ||
			die "scripts/cross-deps.sh: something is missing (LAB_NO_INSTALL=1)"
	else
		"$(dirname "$0")/../cross-deps.sh" >/dev/null || die "scripts/cross-deps.sh failed"
	fi
	install_missing cpio
	command -v qemu-system-aarch64 >/dev/null || die "qemu-system-aarch64 not found after install"
	if [ "$what" = busybox ]; then
		fetch_arm64_busybox
		exit 0
	fi
else
	install_missing qemu-system-x86 busybox-static cpio
	command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found after install"
	[ -x /bin/busybox ] || die "/bin/busybox not found after installing busybox-static"
	if [ "$what" = busybox ]; then
		printf '%s\n' /bin/busybox
		exit 0
	fi
fi

pkg=${LAB_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	pkg=$(newest_kernel_pkg)
	[ -n "$pkg" ] || pkg=$(newest_cached_pkg)
	[ -n "$pkg" ] || die "apt-cache offers no linux-image-6.1.0-*-$flavour (try apt-get update) and none is cached"
fi

# The candidate version makes the cache key, so a new upload of the same ABI
# is fetched again. Offline, fall back to whatever is cached for the package.
ver=$(apt-cache policy "$pkg$apt_arch" 2>/dev/null | awk '/Candidate:/ {print $2}')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	kdir=$(find "$CACHE/kernel" -maxdepth 1 -name "${pkg}_*" 2>/dev/null | sort -V | tail -n 1)
	if [ -z "$kdir" ] || [ ! -e "$kdir/.complete" ]; then
		die "apt knows no version of $pkg and it is not cached"
	fi
	log "apt knows no version of $pkg; using cached $(basename "$kdir")"
	printf '%s\n' "$kdir"
	exit 0
fi

kdir=$CACHE/kernel/${pkg}_${ver//:/%}
if [ -e "$kdir/.complete" ]; then
	log "cached: $pkg $ver"
	printf '%s\n' "$kdir"
	exit 0
fi

mkdir -p "$CACHE/debs" "$CACHE/kernel"
download_deb "$pkg$apt_arch" "$ver"

log "unpacking $(basename "$deb")"
tmp=$(mktemp -d "$CACHE/kernel/.unpack.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dpkg -x "$deb" "$tmp"
ls "$tmp"/boot/vmlinuz-* >/dev/null 2>&1 || die "$deb has no /boot/vmlinuz-*"
# The package ships no modules.dep; generate one when depmod is at hand so
# mkinitramfs.sh can check module dependencies (optional).
kver=$(basename "$(ls -d "$tmp"/lib/modules/*/)")
if command -v depmod >/dev/null 2>&1 || [ -x /usr/sbin/depmod ]; then
	PATH=$PATH:/usr/sbin:/sbin depmod -b "$tmp" "$kver" 2>/dev/null || log "depmod failed (ignored)"
fi
touch "$tmp/.complete"
rm -rf "$kdir"
mv "$tmp" "$kdir"
trap - EXIT
log "kernel $kver ready in $kdir"
printf '%s\n' "$kdir"
