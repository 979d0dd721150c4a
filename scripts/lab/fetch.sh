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
# Environment:
#   LAB_KERNEL_PKG   kernel package to use (default: the newest
#                    linux-image-6.1.0-*-cloud-amd64 apt-cache offers, or the
#                    newest one already cached when apt knows none)
#   LAB_CACHE        cache directory (see above)
#   LAB_NO_INSTALL=1 never run apt-get install; fail if a package is missing

set -eu

log() { printf 'lab-fetch: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/lab}

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

# The newest linux-image-6.1.0-N-cloud-amd64 apt knows about (by ABI number).
newest_kernel_pkg() {
	apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' 2>/dev/null |
		awk '{print $1}' | sort -V | tail -n 1
}

# The newest kernel already unpacked in the cache (offline fallback).
newest_cached_pkg() {
	local d
	for d in "$CACHE"/kernel/*/.complete; do
		[ -e "$d" ] || continue
		d=${d%/.complete}
		basename "$d"
	done | sort -V | tail -n 1 | sed 's/_.*//'
}

install_missing qemu-system-x86 busybox-static cpio
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 not found after install"
[ -x /bin/busybox ] || die "/bin/busybox not found after installing busybox-static"

pkg=${LAB_KERNEL_PKG:-}
if [ -z "$pkg" ]; then
	pkg=$(newest_kernel_pkg)
	[ -n "$pkg" ] || pkg=$(newest_cached_pkg)
	[ -n "$pkg" ] || die "apt-cache offers no linux-image-6.1.0-*-cloud-amd64 (try apt-get update) and none is cached"
fi

# The candidate version makes the cache key, so a new upload of the same ABI
# is fetched again. Offline, fall back to whatever is cached for the package.
ver=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
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
deb=$(find "$CACHE/debs" -maxdepth 1 -name "${pkg}_${ver#*:}_*.deb" | head -n 1)
if [ -z "$deb" ]; then
	log "downloading $pkg $ver"
	# apt-get download drops privileges to _apt, which may not enter $HOME:
	# download in a world-writable temp dir, then move the file.
	dl=$(mktemp -d "${TMPDIR:-/tmp}/lab-dl.XXXXXX")
	chmod 0777 "$dl"
	if ! (cd "$dl" && apt-get download "$pkg=$ver" >&2); then
		rm -rf "$dl"
		die "apt-get download $pkg=$ver failed"
	fi
	for f in "$dl"/*.deb; do
		[ -e "$f" ] || { rm -rf "$dl"; die "apt-get download left no .deb"; }
		deb=$CACHE/debs/$(basename "$f")
		mv "$f" "$deb.part"
		mv "$deb.part" "$deb"
	done
	rm -rf "$dl"
fi

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
