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
#   /lab/bin/*            $BUILD/lab-bin/* (helper programs of lab tests, such
#                         as the arm64 lab's kvm_probe), if any
#   /lab/guests/          copy of $BUILD/guests/ (if it exists)
#   /lab/tests/NAME.sh    copy of $LAB_TESTS_DIR/*.sh (if any) and its
#                         subdirectories (the tests' shared library)
#   /lab/extra/           EXTRA files
#   /usr/bin/gdb, python3, ip, ...  the tests' tools (x86_64; see "the tests'
#                         tools" below and README.md, "Tools in L1")
#   /scripts/NAME         repository scripts the tests run as $HERE/scripts/NAME
#   /lab/info             what went in, for the record
#
# Environment:
#   LAB_ARCH             x86_64 (default) or arm64: the architecture of L1.
#                        Executables for L1 must be of that architecture;
#                        others are left out with a note. arm64 ones are
#                        best static: dynamic ones carry the libraries of
#                        Debian's :arm64 packages (/usr/lib/aarch64-linux-gnu)
#   BUILD                build directory (default: build, relative to the repo root)
#   LAB_TESTS_DIR        directory of integration tests (default: tests/integration)
#   LAB_MODULES          space-separated module list, in insertion order; an
#                        absolute path of a .ko file takes that file instead
#                        of the kernel's module of the same name
#                        (arm64: KVM is built in; vfio vfio_iommu_type1 vfio_virqfd tun loop)
#   LAB_BUSYBOX          the busybox to carry (/bin/busybox; for arm64, run.sh
#                        passes the one fetch.sh unpacked)
#   LAB_INITRD_COMPRESS  gzip (default) or none
#   LAB_TOOLS            x86_64: host commands the tests need beyond busybox
#                        (default: ip ss setpriv prlimit chrt pgrep flock timeout env
#                        sed nsenter unshare fsfreeze dtc
#                        fdtget fdtput mkfs.ext4), or "none" for no tools at
#                        all (no gdb and python3 either)

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
LAB_ARCH=${LAB_ARCH:-x86_64}
case $LAB_ARCH in
x86_64)
	# tun: /dev/net/tun for the taps; loop: the tests' loop-mounted images.
	MODULES=${LAB_MODULES:-irqbypass kvm kvm-amd vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci tun loop}
	ELF_MACHINE=62 # EM_X86_64
	# What the tests run beyond busybox (see "the tests' tools" below).
	DEFAULT_TOOLS="ip ss setpriv prlimit chrt pgrep flock timeout env sed nsenter unshare fsfreeze dtc fdtget fdtput mkfs.ext4"
	;;
arm64 | aarch64)
	LAB_ARCH=arm64
	# KVM and the IRQ bypass manager are built into Debian's arm64 kernel;
	# tun (a module there) gives the virtio-net tests /dev/net/tun; loop the
	# loop-mounted images (virtio_blk_frozen).
	MODULES=${LAB_MODULES:-vfio vfio_iommu_type1 vfio_virqfd tun loop}
	ELF_MACHINE=183 # EM_AARCH64
	# The same tools as on x86_64, from these :arm64 packages (fetch.sh
	# unpacks them and the libraries they need; python3 comes from the
	# host's python3.X version's python3.X-minimal:arm64 and stdlib).
	DEFAULT_TOOLS="ip ss setpriv prlimit chrt pgrep flock timeout env sed nsenter unshare fsfreeze dtc fdtget fdtput mkfs.ext4"
	A64_TOOL_PKGS="gdb-minimal:arm64 iproute2:arm64 util-linux:arm64 procps:arm64 coreutils:arm64 sed:arm64 device-tree-compiler:arm64 e2fsprogs:arm64"
	;;
*) die "LAB_ARCH must be x86_64 or arm64, not $LAB_ARCH" ;;
esac
COMPRESS=${LAB_INITRD_COMPRESS:-gzip}
BUSYBOX=${LAB_BUSYBOX:-/bin/busybox}

moddirs=("$KDIR"/lib/modules/*/)
[ -d "${moddirs[0]}" ] || die "$KDIR has no lib/modules/<version>/ (run fetch.sh)"
MODDIR=${moddirs[0]%/}
KVER=$(basename "$MODDIR")
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (apt-get install busybox-static)"
if [ "$LAB_ARCH" = arm64 ]; then
	# A foreign busybox: its applet list comes through qemu-user
	# (scripts/cross-deps.sh installs it).
	bb_list() {
		"$BUSYBOX" --list-full 2>/dev/null || qemu-aarch64-static "$BUSYBOX" --list-full
	}
else
	bb_list() { "$BUSYBOX" --list-full; }
fi
bb_list >/dev/null 2>&1 || die "$BUSYBOX has no --list-full"
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
bb_list | while read -r applet; do
	[ "$applet" = bin/busybox ] && continue
	mkdir -p "$R/$(dirname "$applet")"
	ln -sf /bin/busybox "$R/$applet"
done
cp "$HERE/init.sh" "$R/init"
chmod 0755 "$R/init"

# --- shared libraries ------------------------------------------------------
# elf_machine FILE: its e_machine (62 x86_64, 183 aarch64), empty if not ELF.
elf_machine() {
	[ "$(head -c 4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
	od -An -t u2 -j 18 -N 2 "$1" | tr -d ' '
}

# arm64_libs FILE: the arm64 libraries FILE needs, its loader first, found in
# Debian's multiarch directories, then in the :arm64 packages fetch.sh
# unpacked ($A64_ROOTS) (recursively; printed once each).
A64_ROOTS=()
arm64_libs() {
	local todo=$1 seen=' ' f n lib
	readelf -l "$1" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]/\1/p'
	while [ -n "$todo" ]; do
		f=${todo%% *}
		todo=${todo#"$f"}
		todo=${todo# }
		for n in $(readelf -d "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			case $seen in *" $n "*) continue ;; esac
			seen="$seen$n "
			lib=
			for d in /lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu "${A64_ROOTS[@]/%//usr/lib/aarch64-linux-gnu}" \
				"${A64_ROOTS[@]/%//lib/aarch64-linux-gnu}"; do
				[ -e "$d/$n" ] && lib=$d/$n && break
			done
			[ -n "$lib" ] || die "$1 needs $n: no arm64 $n in /usr/lib/aarch64-linux-gnu or the unpacked packages (fetch.sh deb --libs)"
			echo "$lib"
			todo="$todo $lib"
		done
	done
}

# Copy the libraries and the dynamic loader of a dynamic ELF file to their
# host paths under $R. Static files and non-ELF files need nothing.
copy_libs() {
	local f=$1 lib dest
	[ "$(head -c 4 "$f" 2>/dev/null | od -An -c | tr -d ' ')" = '177ELF' ] || return 0
	if [ "$LAB_ARCH" = arm64 ]; then
		# Libraries from an unpacked package land in the loader's
		# default directory.
		arm64_libs "$f" | while read -r lib; do
			case $lib in
			/lib/* | /usr/lib/*) dest=$lib ;;
			*) dest=/usr/lib/aarch64-linux-gnu/${lib##*/} ;;
			esac
			[ -e "$R$dest" ] && continue
			mkdir -p "$R$(dirname "$dest")"
			cp -L "$lib" "$R$dest"
			printf 'lib %s\n' "$lib" >>"$INFO"
		done
		return 0
	fi
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

declare -A ADDED=() NAMES=()
i=0
# A module name found in the kernel's tree, or the path of a .ko built
# elsewhere (build-vfio-platform.sh's), which then stands in for the
# kernel's module of the same name.
add_module() {
	local name=$1 path dep key
	case $name in
	/*.ko)
		[ -f "$name" ] || die "module $name does not exist"
		key=${name%.ko}
		[ -n "${ADDED[$key]:-}" ] && return 0
		i=$((i + 1))
		cp "$name" "$R/lab/modules/$(printf '%02d' "$i")-$(basename "$name")"
		ADDED[$key]=1
		NAMES[$(basename "$key" | tr - _)]=1
		printf 'module %s (built outside the kernel)\n' "$name" >>"$INFO"
		return 0
		;;
	esac
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
			# A module built elsewhere already stands in for it.
			[ -n "${NAMES[$(printf '%s' "$dep" | tr - _)]:-}" ] && continue
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
	NAMES[$(basename "$key" | tr - _)]=1
	printf 'module %s %s\n' "$name" "${path#"$MODDIR"/}" >>"$INFO"
}
for m in $MODULES; do
	add_module "$m"
done
[ "$i" -gt 0 ] || die "no modules found in $MODDIR"

# --- payload -----------------------------------------------------------------
# An executable of another architecture than L1's is left out (the x86
# build's tessera must not land in the arm64 lab).
if [ -f "$BUILD/tessera" ] && [ "$(elf_machine "$BUILD/tessera")" != "$ELF_MACHINE" ]; then
	log "note: $BUILD/tessera is not an $LAB_ARCH executable; the lab runs without it"
elif [ -f "$BUILD/tessera" ]; then
	cp -L "$BUILD/tessera" "$R/lab/bin/tessera"
	chmod 0755 "$R/lab/bin/tessera"
	copy_libs "$BUILD/tessera"
	printf 'tessera %s\n' "$BUILD/tessera" >>"$INFO"
else
	log "note: $BUILD/tessera not built; the lab runs without it"
fi
for f in "$BUILD"/lab-bin/*; do
	[ -f "$f" ] || continue
	m=$(elf_machine "$f")
	if [ -n "$m" ] && [ "$m" != "$ELF_MACHINE" ]; then
		log "note: $f is not an $LAB_ARCH executable; left out"
		continue
	fi
	cp -L "$f" "$R/lab/bin/"
	chmod 0755 "$R/lab/bin/$(basename "$f")"
	copy_libs "$f"
	printf 'lab-bin %s\n' "$f" >>"$INFO"
done
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
# arm64: Debian's bash-static:arm64 (no libraries to carry), unpacked by
# fetch.sh: the integration tests that the arm64 lab runs
# (tests/lab-arm64/*.sh links to tests/integration) are bash.
if [ "$need_bash" = 1 ] && [ "$LAB_ARCH" = arm64 ]; then
	abash=${LAB_ARM64_BASH:-$("$HERE/fetch.sh" deb bash-static:arm64)/bin/bash-static}
	[ -x "$abash" ] || die "no arm64 bash for the tests: fetch.sh deb bash-static:arm64 failed"
	rm -f "$R/bin/bash"
	cp -L "$abash" "$R/bin/bash"
	printf 'bash %s\n' "$abash" >>"$INFO"
elif [ "$need_bash" = 1 ]; then
	bash_bin=$(command -v bash)
	rm -f "$R/bin/bash"
	cp -L "$bash_bin" "$R/bin/bash"
	copy_libs "$bash_bin"
	printf 'bash %s\n' "$bash_bin" >>"$INFO"
fi

# --- the tests' tools ------------------------------------------------------------
# A test skips only where its platform is absent, never inside the lab meant
# for it: what the integration tests run beyond busybox comes along, with its
# shared libraries, at its host path (a busybox applet of the same name is
# removed, so the real tool is found first): LAB_TOOLS from the host; gdb
# from Debian's gdb-minimal (no Python inside; `fetch.sh gdb`); python3
# with only the standard-library modules the tests import (their "import"
# and "from" lines, resolved by the host's python3 with L1's startup, so
# encodings and site come too), their .pyc kept valid (mtimes preserved);
# the repository's scripts a test calls as $HERE/scripts/NAME, at
# /scripts/NAME (the tests' $HERE is / in L1).
# rm_applet NAME: drop busybox's links for NAME.
rm_applet() {
	local d
	for d in bin sbin usr/bin usr/sbin; do
		[ -L "$R/$d/$1" ] && rm -f "$R/$d/$1"
	done
	return 0
}
# put_tool SRC [DEST]: copy an executable (and its libraries) into L1.
put_tool() {
	local src=$1 dest=${2:-$1}
	mkdir -p "$R$(dirname "$dest")"
	rm_applet "$(basename "$dest")"
	cp -L "$src" "$R$dest"
	chmod 0755 "$R$dest"
	copy_libs "$src"
	printf 'tool %s -> %s\n' "$src" "$dest" >>"$INFO"
}
# The host's python3 lists the modules (the .py and .pyc files are the same
# for every architecture); L1's interpreter and its compiled modules
# (lib-dynload) are L1's architecture's.
hpy=$(readlink -f /usr/bin/python3) || true
if [ "$LAB_ARCH" = x86_64 ] && [ -d "$TESTS_DIR" ] && [ "${LAB_TOOLS:-}" != none ]; then
	for t in ${LAB_TOOLS:-$DEFAULT_TOOLS}; do
		p=$(PATH=/usr/sbin:/usr/bin:/sbin:/bin command -v "$t") ||
			die "$t missing on this host (scripts/install-deps.sh installs it)"
		put_tool "$p"
	done
	[ ! -f /etc/mke2fs.conf ] || { mkdir -p "$R/etc" && cp /etc/mke2fs.conf "$R/etc/"; }
	gdb=$("$HERE/fetch.sh" gdb) || die "fetch.sh gdb could not provide gdb-minimal"
	put_tool "$gdb" /usr/bin/gdb
	py=$hpy
elif [ "$LAB_ARCH" = arm64 ] && [ -d "$TESTS_DIR" ] && [ "${LAB_TOOLS:-}" != none ]; then
	# The same tools from Debian's :arm64 packages and the library
	# packages they depend on, unpacked by fetch.sh (nothing installed),
	# each tool at its path in its package.
	[ -x "$hpy" ] || die "/usr/bin/python3 missing (scripts/install-deps.sh installs python3)"
	pyv=${hpy##*/}
	# shellcheck disable=SC2086 # one word per package
	"$HERE/fetch.sh" deb --libs $A64_TOOL_PKGS "$pyv-minimal:arm64" "lib$pyv-stdlib:arm64" >"$STAGE/a64.roots" ||
		die "fetch.sh could not provide the arm64 tools ($A64_TOOL_PKGS)"
	mapfile -t A64_ROOTS <"$STAGE/a64.roots"
	[ ${#A64_ROOTS[@]} -gt 0 ] || die "fetch.sh deb --libs printed nothing"
	# a64_find PATH...: the first unpacked package with one of these paths;
	# prints "ROOT PATH".
	a64_find() {
		local r q
		for r in "${A64_ROOTS[@]}"; do
			for q in "$@"; do
				[ -e "$r$q" ] && printf '%s %s\n' "$r" "$q" && return 0
			done
		done
		return 1
	}
	for t in ${LAB_TOOLS:-$DEFAULT_TOOLS}; do
		read -r r q < <(a64_find {/usr,}/{bin,sbin}/"$t") || die "$t is in none of $A64_TOOL_PKGS (arm64)"
		put_tool "$r$q" "$q"
	done
	if read -r r q < <(a64_find /etc/mke2fs.conf); then
		mkdir -p "$R/etc" && cp "$r$q" "$R/etc/"
	fi
	read -r r q < <(a64_find /usr/bin/gdb) || die "no gdb in gdb-minimal:arm64"
	put_tool "$r$q" /usr/bin/gdb
	read -r r q < <(a64_find "/usr/bin/$pyv") || die "no /usr/bin/$pyv in $pyv-minimal:arm64"
	py=$r$q
	put_tool "$py" "$q"
	ln -sf "$pyv" "$R/usr/bin/python3"
fi
if [ -n "${py:-}" ]; then
	# Debian's python3, not whatever python3 the host's PATH finds first.
	[ -x "$hpy" ] || die "/usr/bin/python3 missing (scripts/install-deps.sh installs python3)"
	mods=$(grep -hE '^[[:space:]]*(import|from)[[:space:]]+[A-Za-z_]' \
		"$TESTS_DIR"/*.sh "$TESTS_DIR"/*/* 2>/dev/null |
		sed -E 's/^[[:space:]]*(import|from)[[:space:]]+//; s/[[:space:]]+import[[:space:]].*//; s/#.*//' |
		tr ',' '\n' | sed -E 's/[[:space:]]+as[[:space:]].*//; s/[[:space:]]//g' |
		grep -E '^[A-Za-z_][A-Za-z0-9_.]*$' | sort -u)
	# shellcheck disable=SC2086 # one argument per module
	env -i HOME=/nonexistent "$hpy" - $mods >"$STAGE/py.files" <<'PY' ||
import importlib, importlib.util, os, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except ImportError as e:
        print("lab-initramfs: note: python module %s: %s" % (name, e), file=sys.stderr)
import encodings.ascii, encodings.latin_1, encodings.utf_8
lib = "%s/lib/python%d.%d/" % (sys.base_prefix, *sys.version_info[:2])
print(lib + "os.py")
for m in list(sys.modules.values()):
    f = getattr(m, "__file__", None)
    if not f or not f.startswith(lib):
        continue
    print(f)
    if f.endswith(".py"):
        c = importlib.util.cache_from_source(f)
        if os.path.exists(c):
            print(c)
PY
		die "$hpy could not list the modules the tests import"
	if [ "$LAB_ARCH" = x86_64 ]; then
		put_tool "$py"
		ln -sf "$(basename "$py")" "$R/usr/bin/python3"
	fi
	mkdir -p "$R$(sed -n 's|\(.*/lib/python[0-9.]*/\)os.py$|\1|p' "$STAGE/py.files" | head -n 1)lib-dynload"
	sort -u "$STAGE/py.files" | while read -r f; do
		mkdir -p "$R$(dirname "$f")"
		src=$f dest=$f
		# arm64: the host's x86_64 compiled modules (and sysconfig data)
		# are named for their architecture; L1 gets the arm64 ones.
		if [ "$LAB_ARCH" = arm64 ] && [ "${f//x86_64-linux-gnu/}" != "$f" ]; then
			dest=${f//x86_64-linux-gnu/aarch64-linux-gnu}
			read -r r q < <(a64_find "$dest") || die "no arm64 $dest in lib$pyv-stdlib:arm64"
			src=$r$q
		fi
		cp -p "$src" "$R$dest"
		case $f in *.so) copy_libs "$src" ;; esac
	done
	# shellcheck disable=SC2086 # one word per module
	printf 'python3 %s: %s (%s files)\n' "$py" "$(printf '%s ' $mods)" "$(sort -u "$STAGE/py.files" | wc -l)" >>"$INFO"
	# shellcheck disable=SC2016 # $HERE is the text the tests hold
	for s in $(grep -ho '\$HERE/scripts/[A-Za-z0-9_.-]*' "$TESTS_DIR"/*.sh "$TESTS_DIR"/*/* 2>/dev/null | sort -u); do
		s=${s#\$HERE/}
		[ -f "$ROOT/$s" ] || die "a test calls $s, which does not exist"
		mkdir -p "$R/scripts"
		cp -L "$ROOT/$s" "$R/$s"
		printf 'script %s\n' "$s" >>"$INFO"
	done
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
