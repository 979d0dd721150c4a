#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh: build the initramfs of the lab machine L1 (see README.md).
#
# usage: mkinitramfs.sh KDIR OUTPUT [EXTRA[:DEST]...]
#
#   KDIR    a kernel package unpacked by fetch.sh (has boot/ and lib/modules/)
#   OUTPUT  the cpio archive to write (newc, gzip unless LAB_INITRD_COMPRESS=none)
#   EXTRA   more files or directories to carry; they land in /lab/extra/<name>
#           unless a DEST path inside L1 is given (EXTRA:/abs/dest). Dynamic
#           ELF executables among them carry their shared libraries.
#
# Layout inside L1:
#   /init                 scripts/lab/init.sh, the test runner
#   /bin/busybox + links  busybox-static and its applet links
#   /lab/modules/NN-*.ko  kernel modules, inserted in name order
#   /lab/bin/tessera      the monitor (if $BUILD/tessera exists), libraries
#                         and dynamic loader at their host paths
#   /lab/guests/          copy of $BUILD/guests/ (if it exists)
#   /lab/tests/NAME.sh    copy of $LAB_TESTS_DIR/*.sh (if any) and its
#                         subdirectories (the tests' shared library)
#   /lab/extra/           EXTRA files
#   /lab/info             what went in, for the record
#
# Environment:
#   BUILD                build directory (default: build, relative to the repo root)
#   LAB_TESTS_DIR        directory of integration tests (default: tests/integration)
#   LAB_MODULES          space-separated module list, in insertion order
#   LAB_INITRD_COMPRESS  gzip (default) or none

set -eu

log() { printf 'lab-initramfs: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

[ $# -ge 2 ] || die "usage: $0 KDIR OUTPUT [EXTRA[:DEST]...]"
KDIR=$1
OUT=$2
shift 2

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
TESTS_DIR=${LAB_TESTS_DIR:-tests/integration}
case $TESTS_DIR in /*) ;; *) TESTS_DIR=$ROOT/$TESTS_DIR ;; esac
MODULES=${LAB_MODULES:-irqbypass kvm kvm-amd vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci}
COMPRESS=${LAB_INITRD_COMPRESS:-gzip}
BUSYBOX=${LAB_BUSYBOX:-/bin/busybox}

moddirs=("$KDIR"/lib/modules/*/)
[ -d "${moddirs[0]}" ] || die "$KDIR has no lib/modules/<version>/ (run fetch.sh)"
MODDIR=${moddirs[0]%/}
KVER=$(basename "$MODDIR")
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (apt-get install busybox-static)"
"$BUSYBOX" --list-full >/dev/null 2>&1 || die "$BUSYBOX has no --list-full"
command -v cpio >/dev/null || die "cpio missing (apt-get install cpio)"
[ -f "$HERE/init.sh" ] || die "$HERE/init.sh missing"

STAGE=$(mktemp -d "${TMPDIR:-/tmp}/lab-initramfs.XXXXXX")
trap 'rm -rf "$STAGE"' EXIT
R=$STAGE/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,lab/modules,lab/bin,lab/extra}
chmod 1777 "$R/tmp"
INFO=$R/lab/info
{
	printf 'kernel %s\n' "$KVER"
	printf 'built %s on %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(uname -n)"
} >"$INFO"

# --- busybox ---------------------------------------------------------------
cp "$BUSYBOX" "$R/bin/busybox"
"$BUSYBOX" --list-full | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$R/$(dirname "$applet")"
	ln -sf /bin/busybox "$R/$applet"
done
cp "$HERE/init.sh" "$R/init"
chmod 0755 "$R/init"

# --- shared libraries ------------------------------------------------------
# Copy the libraries and the dynamic loader of a dynamic ELF file to their
# host paths under $R. Static files and non-ELF files need nothing.
copy_libs() {
	local f=$1 lib
	[ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
	ldd "$f" >/dev/null 2>&1 || return 0 # static or not an executable
	ldd "$f" | awk '
		/=> \// { print $3; next }
		/^[ \t]*\// { print $1 }' | while read -r lib; do
		[ -e "$R$lib" ] && continue
		mkdir -p "$R$(dirname "$lib")"
		cp -L "$lib" "$R$lib"
		printf 'lib %s\n' "$lib" >>"$INFO"
	done
}

# --- kernel modules ----------------------------------------------------------
# Find NAME.ko[.xz|.zst|.gz] under the kernel's module tree; '-' and '_' are
# interchangeable in module names, not in file names.
find_module() {
	local n=$1 alt
	alt=$(printf '%s' "$n" | tr '_-' '-_')
	find "$MODDIR/kernel" \( -name "$n.ko" -o -name "$n.ko.*" -o -name "$alt.ko" \
		-o -name "$alt.ko.*" \) | sort | head -n 1
}

# Write module file $1 to $2, decompressing it if need be.
put_module() {
	case $1 in
	*.ko) cp "$1" "$2" ;;
	*.ko.xz) xz -dc "$1" >"$2" ;;
	*.ko.zst) zstd -qdc "$1" >"$2" ;;
	*.ko.gz) gzip -dc "$1" >"$2" ;;
	*) die "unknown module format: $1" ;;
	esac
}

declare -A ADDED=()
i=0
add_module() {
	local name=$1 path dep key
	path=$(find_module "$name")
	if [ -z "$path" ]; then
		log "note: module $name not in kernel $KVER, skipped (built in or folded into another)"
		printf 'module %s absent\n' "$name" >>"$INFO"
		return 0
	fi
	key=${path#"$MODDIR"/}
	key=${key%.ko*}
	[ -n "${ADDED[$key]:-}" ] && return 0
	# Dependencies first, if modules.dep knows them (fetch.sh runs depmod).
	# The list is in the right order already; this only catches a kernel
	# whose modules grew a dependency the list does not name.
	if [ -f "$MODDIR/modules.dep" ]; then
		local deps
		deps=$(awk -v k="$key" -F': *' '{m=$1; sub(/\.ko.*$/, "", m)} m == k {print $2}' \
			"$MODDIR/modules.dep")
		for dep in $deps; do
			dep=$(basename "$dep")
			dep=${dep%%.ko*}
			[ "$dep" = "$name" ] && continue
			local dkey
			dkey=$(find_module "$dep")
			dkey=${dkey#"$MODDIR"/}
			dkey=${dkey%.ko*}
			if [ -n "$dkey" ] && [ -z "${ADDED[$dkey]:-}" ]; then
				log "note: adding $dep, a dependency of $name"
				add_module "$dep"
			fi
		done
	fi
	i=$((i + 1))
	put_module "$path" "$R/lab/modules/$(printf '%02d' "$i")-$(basename "${path%.ko*}").ko"
	ADDED[$key]=1
	printf 'module %s %s\n' "$name" "${path#"$MODDIR"/}" >>"$INFO"
}
for m in $MODULES; do
	add_module "$m"
done
[ "$i" -gt 0 ] || die "no modules found in $MODDIR"

# --- payload -----------------------------------------------------------------
if [ -f "$BUILD/tessera" ]; then
	cp -L "$BUILD/tessera" "$R/lab/bin/tessera"
	chmod 0755 "$R/lab/bin/tessera"
	copy_libs "$BUILD/tessera"
	printf 'tessera %s\n' "$BUILD/tessera" >>"$INFO"
else
	log "note: $BUILD/tessera not built; the lab runs without it"
fi
if [ -d "$BUILD/guests" ]; then
	mkdir -p "$R/lab/guests"
	cp -rL "$BUILD/guests/." "$R/lab/guests/"
	printf 'guests %s (%s files)\n' "$BUILD/guests" \
		"$(find "$R/lab/guests" -type f | wc -l)" >>"$INFO"
fi

need_bash=0
if [ -d "$TESTS_DIR" ]; then
	mkdir -p "$R/lab/tests"
	for t in "$TESTS_DIR"/*.sh; do
		[ -f "$t" ] || continue
		cp -L "$t" "$R/lab/tests/"
		chmod 0755 "$R/lab/tests/$(basename "$t")"
		printf 'test %s\n' "$(basename "$t" .sh)" >>"$INFO"
		head -n 1 "$t" | grep -q '^#!.*bash' && need_bash=1
	done
	# What the tests source (lib/common.bash): without it every test
	# would run blind.
	for d in "$TESTS_DIR"/*/; do
		[ -d "$d" ] && cp -rL "$d" "$R/lab/tests/"
	done
fi
# Tests are run through their #! line; busybox has no bash, so bring it.
if [ "$need_bash" = 1 ]; then
	bash_bin=$(command -v bash)
	rm -f "$R/bin/bash"
	cp -L "$bash_bin" "$R/bin/bash"
	copy_libs "$bash_bin"
	printf 'bash %s\n' "$bash_bin" >>"$INFO"
fi

for e in "$@"; do
	src=${e%%:*}
	dest=
	[ "$src" != "$e" ] && dest=${e#*:}
	[ -e "$src" ] || die "extra file $src does not exist"
	[ -n "$dest" ] || dest=/lab/extra/$(basename "$src")
	case $dest in /*) ;; *) die "extra destination must be absolute: $dest" ;; esac
	mkdir -p "$R$(dirname "$dest")"
	rm -rf "${R:?}$dest"
	cp -rL "$src" "$R$dest"
	if [ -f "$src" ]; then copy_libs "$src"; fi
	printf 'extra %s -> %s\n' "$src" "$dest" >>"$INFO"
done

# --- archive -----------------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
(cd "$R" && find . -print0 | LC_ALL=C sort -z |
	cpio --null --create --format=newc --owner=0:0 --quiet) >"$STAGE/initramfs.cpio"
case $COMPRESS in
gzip) gzip -1 -n <"$STAGE/initramfs.cpio" >"$OUT.tmp" ;;
none) cp "$STAGE/initramfs.cpio" "$OUT.tmp" ;;
*) die "LAB_INITRD_COMPRESS must be gzip or none, not $COMPRESS" ;;
esac
mv "$OUT.tmp" "$OUT"
log "wrote $OUT ($(du -k "$OUT" | cut -f1) KiB, $i modules, kernel $KVER)"
