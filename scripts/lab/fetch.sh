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
# and `fetch.sh busybox` prints the path of an arm64 busybox-static
# (busybox-static:arm64 cannot be installed beside the native one: it is
# unpacked, as below). For x86_64, `fetch.sh busybox` prints /bin/busybox.
#
# `fetch.sh gdb` (x86_64) prints the path of the gdb that goes into L1:
# Debian's gdb-minimal (gdb without Python, so no Python runtime to carry;
# it conflicts with the gdb package, so it is unpacked, not installed).
#
# `fetch.sh deb [--libs] PKG[:ARCH]...` is the one way all of these come:
# each package's candidate version downloaded once into $LAB_CACHE/debs
# (`apt-get download`) and unpacked once (`dpkg -x`, nothing installed)
# into $LAB_CACHE/deb/NAME_VERSION_ARCH/, whose paths it prints, one a line.
# --libs adds, recursively, the library packages (lib*, zlib1g) their
# Depends and Pre-Depends name: the arm64 L1's tools run from those trees
# (mkinitramfs.sh). Offline, the newest unpacked version is used.
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
case $what in kernel | busybox | gdb | deb) ;; *) die "usage: fetch.sh [kernel|busybox|gdb|deb [--libs] PKG...]" ;; esac

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

# candidates PKG...: "PKG VERSION" per package apt knows a candidate of
# (one apt-cache call for all).
candidates() {
	apt-cache policy "$@" 2>/dev/null | awk '
		/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
		/^  Candidate:/ && $2 != "(none)" { print p, $2 }'
}

# debfile NAME VERSION ARCH: the cached .deb of NAME=VERSION (for ARCH or
# all; apt-get download writes an epoch's ':' as %3a), printed; 1 if none.
debfile() {
	local f
	for f in "$CACHE/debs/${1}_${2//:/%3a}_$3.deb" "$CACHE/debs/${1}_${2//:/%3a}_all.deb"; do
		[ -f "$f" ] && printf '%s\n' "$f" && return 0
	done
	return 1
}

# download_debs PKG[:ARCH]=VERSION...: the .debs into $CACHE/debs, those
# not there yet with one apt-get download (which drops privileges to _apt,
# who may not enter $HOME: into a world-writable temp dir, then moved).
download_debs() {
	local p n a v get=() dl f
	for p in "$@"; do
		v=${p#*=} n=${p%%=*}
		a=$(dpkg --print-architecture)
		[ "${n%%:*}" = "$n" ] || a=${n#*:}
		n=${n%%:*}
		debfile "$n" "$v" "$a" >/dev/null || get+=("$p")
	done
	[ ${#get[@]} -gt 0 ] || return 0
	mkdir -p "$CACHE/debs"
	log "downloading ${get[*]}"
	dl=$(mktemp -d "${TMPDIR:-/tmp}/lab-dl.XXXXXX")
	chmod 0777 "$dl"
	if ! (cd "$dl" && apt-get download "${get[@]}" >&2); then
		rm -rf "$dl"
		die "apt-get download ${get[*]} failed"
	fi
	for f in "$dl"/*.deb; do
		[ -e "$f" ] || continue
		mv "$f" "$CACHE/debs/$(basename "$f").part"
		mv "$CACHE/debs/$(basename "$f").part" "$CACHE/debs/$(basename "$f")"
	done
	rm -rf "$dl"
}

# unpack_debs PKG[:ARCH]...: each package's candidate version downloaded
# once (download_debs) and unpacked once (dpkg -x, nothing
# installed) into $CACHE/deb/NAME_VERSION_ARCH/; sets dirs to those
# directories, in the order given. Offline (apt knows no candidate), the
# newest one already unpacked.
unpack_debs() {
	local p n a v f d tmp want=() get=() cand
	declare -A ver=()
	cand=$(candidates "$@")
	# An Architecture: all package has no candidate as NAME:ARCH.
	for p in "$@"; do
		[ "${p%%:*}" != "$p" ] && ! grep -q "^$p " <<<"$cand" && cand="$cand
$(candidates "${p%%:*}" | sed 's/^/all:/')"
	done
	while read -r p v; do
		[ -n "$p" ] && ver[$p]=$v
	done <<<"$cand"
	dirs=()
	mkdir -p "$CACHE/deb" "$CACHE/debs"
	for p in "$@"; do
		n=${p%%:*} a=$(dpkg --print-architecture)
		[ "$n" = "$p" ] || a=${p#*:}
		v=${ver[$p]:-${ver[$n]:-}}
		[ -n "$v" ] || [ -z "${ver[all:$n]:-}" ] || { v=${ver[all:$n]} p=$n a=all; }
		if [ -z "$v" ]; then
			d=$(find "$CACHE/deb" -maxdepth 1 -name "${n}_*_$a" 2>/dev/null | sort -V | tail -n 1)
			[ -n "$d" ] && [ -e "$d/.complete" ] || die "apt knows no version of $p and none is cached"
			dirs+=("$d")
			continue
		fi
		d=$CACHE/deb/${n}_${v//:/%}_$a
		dirs+=("$d")
		[ -e "$d/.complete" ] && continue
		want+=("$p|$n|$v|$a|$d")
		get+=("$p=$v")
	done
	[ ${#get[@]} -eq 0 ] || download_debs "${get[@]}"
	for f in "${want[@]}"; do
		IFS='|' read -r p n v a d <<<"$f"
		deb=$(debfile "$n" "$v" "$a") || die "apt-get download $p=$v left no .deb"
		tmp=$(mktemp -d "$CACHE/deb/.unpack.XXXXXX")
		dpkg -x "$deb" "$tmp" || { rm -rf "$tmp"; die "dpkg -x $deb failed"; }
		dpkg-deb -f "$deb" Pre-Depends Depends >"$tmp/.depends"
		touch "$tmp/.complete"
		rm -rf "$d"
		mv "$tmp" "$d"
		log "$p $v unpacked in $d"
	done
}

# lib_closure PKG[:ARCH]...: unpack_debs of the packages and, recursively,
# of the library packages (lib*, zlib1g) their Depends and Pre-Depends name
# (the first of alternatives; the architecture of the package that names
# them): what their executables need to run from their unpacked trees.
# libc6 and libgcc-s1 are left out: scripts/cross-deps.sh installs them.
lib_closure() {
	local todo=("$@") all=() p n a d dep
	declare -A seen=([libc6]=1 [libgcc-s1]=1)
	for p in "$@"; do seen[${p%%:*}]=1; done
	while [ ${#todo[@]} -gt 0 ]; do
		unpack_debs "${todo[@]}"
		all+=("${dirs[@]}")
		local next=()
		for d in "${dirs[@]}"; do
			a=${d##*_}
			for dep in $(sed 's/([^)]*)//g; s/|[^,]*//g; s/,/ /g; s/:any//g' "$d/.depends" 2>/dev/null); do
				case $dep in lib* | zlib1g) ;; *) continue ;; esac
				[ -n "${seen[$dep]:-}" ] && continue
				seen[$dep]=1
				next+=("$dep:$a")
			done
		done
		todo=("${next[@]}")
	done
	dirs=("${all[@]}")
}

# fetch_one PKG FILE: the path of FILE in PKG's unpacked tree, printed.
fetch_one() {
	unpack_debs "$1"
	[ -x "${dirs[0]}$2" ] || die "$1 has no $2"
	printf '%s\n' "${dirs[0]}$2"
}

case $what in
gdb)
	[ "$LAB_ARCH" = x86_64 ] || die "fetch.sh gdb: x86_64 only (the arm64 L1's gdb: fetch.sh deb --libs gdb-minimal:arm64)"
	fetch_one gdb-minimal /usr/bin/gdb
	exit 0
	;;
deb)
	shift
	[ $# -gt 0 ] || die "usage: fetch.sh deb [--libs] PKG[:ARCH]..."
	if [ "$1" = --libs ]; then
		shift
		# The closure once per set of packages and their candidate
		# versions (a library's new upload alone does not renew it):
		# one apt-cache call instead of one per level.
		key=$CACHE/deb/.closure-$(printf '%s\n' "$@" | md5sum | cut -c1-16)
		cand=$(candidates "$@" | tr '\n' ' ')
		if [ -f "$key" ] && [ "$(head -n 1 "$key")" = "$cand" ]; then
			mapfile -t dirs < <(tail -n +2 "$key")
			ok=1
			for d in "${dirs[@]}"; do [ -e "$d/.complete" ] || ok=0; done
			[ "$ok" = 1 ] && [ ${#dirs[@]} -gt 0 ] && { printf '%s\n' "${dirs[@]}"; exit 0; }
		fi
		lib_closure "$@"
		[ -z "$cand" ] || { printf '%s\n' "$cand" "${dirs[@]}" >"$key.tmp" && mv "$key.tmp" "$key"; }
	else
		unpack_debs "$@"
	fi
	printf '%s\n' "${dirs[@]}"
	exit 0
	;;
esac

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
		fetch_one busybox-static:arm64 /bin/busybox
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
download_debs "$pkg$apt_arch=$ver"
deb=$(debfile "$pkg" "$ver" "$(dpkg --print-architecture)") || deb=$(debfile "$pkg" "$ver" arm64) ||
	die "apt-get download $pkg$apt_arch=$ver left no .deb"

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
