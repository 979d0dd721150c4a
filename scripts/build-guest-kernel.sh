#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Tessera's partition guest kernel from Debian's linux-source-6.1:
# tinyconfig + guests/linux/partition.config (+ guests/linux/patches/*.patch).
#
# Output goes to ${XDG_CACHE_HOME:-$HOME/.cache}/tessera/kernel/<hash>/, where
# <hash> covers the fragment, the patches, the linux-source package version,
# the compiler version and this script's recipe version; `current` links to
# the last one built. A build that already exists is reused at once.
#
# Progress goes to stderr; the last line on stdout is the bzImage path.
#
# usage: scripts/build-guest-kernel.sh [-f|--force] [-j N] [-q|--quiet]
#   -f, --force   rebuild even if the outputs for this hash exist
#   -j N          parallel jobs (default: nproc)
#   -q, --quiet   do not stream make's output (it is always in build.log)
# environment: TESSERA_KERNEL_CACHE (default <cache>/tessera/kernel),
#              TESSERA_NICE (niceness of the build, default 10)
set -euo pipefail

# Bump when a change here changes what gets built.
RECIPE_VERSION=1
PKG=linux-source-6.1
TARBALL=/usr/src/linux-source-6.1.tar.xz

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
fragment=$top/guests/linux/partition.config
patchdir=$top/guests/linux/patches
cache=${TESSERA_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/kernel}
niceness=${TESSERA_NICE:-10}
jobs=$(nproc)
force=0
quiet=0

log() { printf 'build-guest-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	-f|--force) force=1 ;;
	-q|--quiet) quiet=1 ;;
	-j) [ $# -ge 2 ] || die "-j needs a number"; jobs=$2; shift ;;
	-j*) jobs=${1#-j} ;;
	-h|--help) sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument: $1 (try --help)" ;;
	esac
	shift
done
case $jobs in ''|*[!0-9]*|0) die "bad job count: $jobs" ;; esac
[ -f "$fragment" ] || die "missing $fragment"

# --- Dependencies --------------------------------------------------------------
# Debian package -> a file or command that shows it is installed.
need_pkgs() {
	local missing=() p
	dpkg-query -W -f='${Status}\n' "$PKG" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$PKG")
	for p in build-essential:gcc build-essential:make bc:bc bison:bison flex:flex \
		 libelf-dev:/usr/include/libelf.h libssl-dev:/usr/include/openssl/ssl.h \
		 cpio:cpio xz-utils:xz lz4:lz4 patch:patch; do
		local pkg=${p%%:*} what=${p#*:}
		if [ "${what#/}" != "$what" ]; then
			[ -e "$what" ] || missing+=("$pkg")
		else
			command -v "$what" >/dev/null 2>&1 || missing+=("$pkg")
		fi
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	# De-duplicate (build-essential may appear twice).
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	log "installing: ${missing[*]}"
	local sudo=
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null 2>&1 || die "need root or sudo to install ${missing[*]}"
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get install -y -q "${missing[@]}" >&2 ||
		{ $sudo apt-get update -q >&2 && $sudo apt-get install -y -q "${missing[@]}" >&2; } ||
		die "apt-get install ${missing[*]} failed"
}
need_pkgs
[ -f "$TARBALL" ] || die "$TARBALL not found (is $PKG installed?)"

# --- Cache key ---------------------------------------------------------------------
pkgver=$(dpkg-query -W -f='${Version}' "$PKG")
ccver=$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)
shopt -s nullglob
patches=("$patchdir"/*.patch)
shopt -u nullglob
hash=$({
	printf 'recipe %s\npkg %s %s\ngcc %s\n' "$RECIPE_VERSION" "$PKG" "$pkgver" "$ccver"
	printf '== fragment\n'; cat "$fragment"
	for p in "${patches[@]}"; do printf '== patch %s\n' "$(basename "$p")"; cat "$p"; done
} | sha256sum | cut -c1-16)

out=$cache/$hash
src=$out/src
mkdir -p "$cache"

publish() {
	ln -sfn "$hash" "$cache/current.tmp"
	mv -Tf "$cache/current.tmp" "$cache/current"
	log "kernel $hash ($PKG $pkgver)"
	log "  bzImage: $out/bzImage ($(stat -c %s "$out/bzImage") bytes)"
	log "  vmlinux: $out/vmlinux (with DWARF; gdb scripts: $src/vmlinux-gdb.py)"
	log "  config:  $out/config"
	log "  stable:  $cache/current/{bzImage,vmlinux,config}"
	printf '%s\n' "$out/bzImage"
}

# Serialise builds of the same hash (two test jobs starting together).
exec 9>"$cache/$hash.lock"
flock 9

if [ "$force" = 0 ] && [ -f "$out/DONE" ] && [ -f "$out/bzImage" ] && [ -f "$out/vmlinux" ]; then
	publish
	exit 0
fi

# --- Unpack and patch --------------------------------------------------------------
start=$(date +%s)
log "building $hash in $out (jobs $jobs, nice $niceness)"
rm -rf "$out"
mkdir -p "$out"
log "unpacking $TARBALL"
tar -C "$out" -xf "$TARBALL"
mv "$out/linux-source-6.1" "$src"
for p in "${patches[@]}"; do
	log "applying $(basename "$p")"
	patch -d "$src" -p1 -N --fuzz=0 --no-backup-if-mismatch -s <"$p" ||
		die "patch $(basename "$p") does not apply"
done

# --- Configure -------------------------------------------------------------------
# ARCH=x86_64, not the default ARCH=x86: with ARCH=x86, tinyconfig
# (allnoconfig underneath) turns 64BIT off and builds an i386 kernel.
# Fixed build user, host and date (the tarball's): uname -v does not change
# between rebuilds of the same hash.
kmake=(nice -n "$niceness" make -C "$src" ARCH=x86_64
       KBUILD_BUILD_USER=tessera KBUILD_BUILD_HOST=tessera
       "KBUILD_BUILD_TIMESTAMP=$(date -u -R -d "@$(stat -c %Y "$TARBALL")")")
blog=$out/build.log
: >"$blog"
run() {
	if [ "$quiet" = 1 ]; then
		"$@" >>"$blog" 2>&1 || { tail -n 40 "$blog" >&2; die "failed: $*"; }
	else
		"$@" 2>&1 | tee -a "$blog" >&2 || { die "failed: $*"; }
	fi
}
log "configuring: tinyconfig + $(basename "$fragment")"
run "${kmake[@]}" tinyconfig
(cd "$src" && ARCH=x86_64 ./scripts/kconfig/merge_config.sh -m .config "$fragment") >>"$blog" 2>&1 ||
	{ tail -n 40 "$blog" >&2; die "merge_config.sh failed"; }
run "${kmake[@]}" olddefconfig

# Every line of the fragment must have survived olddefconfig: a dropped =y means
# a missing dependency, and a "not set" that came back on means something
# selects it; either way the kernel is not the one the fragment describes.
verify_config() {
	local cfg=$1 bad=0 line sym want got
	while IFS= read -r line; do
		if [[ $line =~ ^(CONFIG_[A-Za-z0-9_]+)=(.*)$ ]]; then
			sym=${BASH_REMATCH[1]}
			want=${BASH_REMATCH[2]}
		elif [[ $line =~ ^#\ (CONFIG_[A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			sym=${BASH_REMATCH[1]}
			want=n
		else
			continue
		fi
		got=$(grep -E "^$sym=" "$cfg" | tail -n 1 | cut -d= -f2- || true)
		[ -n "$got" ] || got=n
		if [ "$got" != "$want" ]; then
			log "config mismatch: $sym: wanted $want, got $got"
			bad=$((bad + 1))
		fi
	done <"$fragment"
	return $bad
}
verify_config "$src/.config" || die "the merged .config does not match $(basename "$fragment") (see above)"
log "config verified: all $(grep -cE '^(CONFIG_|# CONFIG_.* is not set)' "$fragment") fragment lines hold"

# --- Build -------------------------------------------------------------------------
log "building bzImage and vmlinux (log: $blog)"
run "${kmake[@]}" -j"$jobs" bzImage vmlinux
if [ ! -f "$src/arch/x86/boot/bzImage" ] || [ ! -f "$src/vmlinux" ]; then
	die "build produced no bzImage/vmlinux"
fi
verify_config "$src/.config" || die ".config changed during the build"

cp "$src/arch/x86/boot/bzImage" "$out/bzImage"
cp "$src/.config" "$out/config"
cp "$src/System.map" "$out/System.map"
ln -f "$src/vmlinux" "$out/vmlinux" 2>/dev/null || cp "$src/vmlinux" "$out/vmlinux"
end=$(date +%s)
printf 'hash %s\npackage %s %s\ngcc %s\njobs %s\nseconds %s\nbuilt %s\n' \
	"$hash" "$PKG" "$pkgver" "$ccver" "$jobs" "$((end - start))" "$(date -u +%FT%TZ)" >"$out/DONE"
log "built in $((end - start)) s"
publish
