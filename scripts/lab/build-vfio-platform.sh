#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-vfio-platform.sh: the vfio modules the arm64 lab needs for
# vfio-platform passthrough, built once per machine and kernel and cached
# (see README.md and /work/shared/docs/LAB.md, "vfio-platform in the arm64 lab").
#
# Debian's arm64 kernels lack CONFIG_VFIO_PLATFORM and CONFIG_VFIO_NOIOMMU.
# This builds drivers/vfio out of tree from linux-source-6.1, against the
# lab kernel's linux-headers-<abi>-cloud-arm64:arm64 with the amd64
# linux-kbuild-6.1 host tools, with ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
# and the patches in patches/vfio-platform-*.patch (the upstream fix
# 168a9c91fe0a: without it every probe of a device without a reset function
# fails with -ENOENT). Nothing is installed: the four .debs are fetched with
# `apt-get download` and unpacked with `dpkg -x`.
#
# Output, the only line on stdout (VFIO_KO=$(build-vfio-platform.sh)):
#   $LAB_CACHE/vfio-platform/<kernel package>_<version>/ with
#   vfio.ko (no-IOMMU mode built in: enable_unsafe_noiommu_mode=1),
#   vfio-platform-base.ko, vfio-platform.ko, vfio-amba.ko.
# Load them instead of Debian's vfio.ko (vfio_iommu_type1 and vfio_virqfd
# stay Debian's: the CRCs match). Idempotent: a second run only looks the
# kernel up (fetch.sh) and finds the cache.
#
# Environment: LAB_CACHE, LAB_KERNEL_PKG, LAB_NO_INSTALL as for fetch.sh;
# LAB_KDIR, a kernel directory fetch.sh printed (run.sh passes it).

set -eu

log() { printf 'vfio-platform: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/lab}
export LAB_ARCH=arm64

# LAB_KDIR: the kernel run.sh already fetched (saves fetch.sh's look-ups).
KDIR=${LAB_KDIR:-}
[ -n "$KDIR" ] || KDIR=$("$HERE/fetch.sh") || die "fetch.sh could not provide the arm64 kernel"
kpkgver=$(basename "$KDIR")                 # linux-image-6.1.0-57-cloud-arm64_6.1.192-3
ver=${kpkgver#*_}                           # 6.1.192-3 (':' kept as '%')
ver=${ver//%/:}
kpkg=${kpkgver%%_*}                         # linux-image-6.1.0-57-cloud-arm64
krel=${kpkg#linux-image-}                   # 6.1.0-57-cloud-arm64
abi=${krel%-cloud-arm64}                    # 6.1.0-57
case $abi in 6.1.*) ;; *) die "unexpected kernel package $kpkg" ;; esac
out=$CACHE/vfio-platform/$kpkgver
patches=("$HERE"/patches/vfio-platform-*.patch)

# The cache is keyed by the kernel and by the patches' content.
sum=$(cat "${patches[@]}" | sha256sum | cut -c1-16)
if [ -e "$out/.complete-$sum" ]; then
	log "cached: $out"
	printf '%s\n' "$out"
	exit 0
fi

command -v aarch64-linux-gnu-gcc-12 >/dev/null || die "no aarch64-linux-gnu-gcc-12 (scripts/cross-deps.sh)"
for t in make patch xz; do
	command -v "$t" >/dev/null || die "$t missing"
done

# download PKG=VER...: into $CACHE/debs, once.
download() {
	local spec p v a dl f
	mkdir -p "$CACHE/debs"
	for spec in "$@"; do
		p=${spec%%=*}
		v=${spec#*=}
		a='*'
		[ "${p%:*}" = "$p" ] || a=${p##*:}
		if [ -n "$(find "$CACHE/debs" -maxdepth 1 -name "${p%:*}_${v#*:}_$a.deb" | head -n 1)" ]; then
			continue
		fi
		log "downloading $p $v"
		dl=$(mktemp -d "${TMPDIR:-/tmp}/vfio-dl.XXXXXX")
		chmod 0777 "$dl" # apt-get download runs as _apt
		(cd "$dl" && apt-get download -qq "$p=$v" >&2) || { rm -rf "$dl"; die "apt-get download $p=$v failed"; }
		for f in "$dl"/*.deb; do
			mv "$f" "$CACHE/debs/$(basename "$f").part"
			mv "$CACHE/debs/$(basename "$f").part" "$CACHE/debs/$(basename "$f")"
		done
		rm -rf "$dl"
	done
}

deb() { find "$CACHE/debs" -maxdepth 1 -name "$1" | head -n 1; }

t0=$EPOCHREALTIME
download "linux-source-6.1=$ver" "linux-headers-$abi-common=$ver" \
	"linux-headers-$krel:arm64=$ver" "linux-kbuild-6.1=$ver"

work=$(mktemp -d "${TMPDIR:-/tmp}/vfio-platform.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
for d in "linux-source-6.1_${ver#*:}_all.deb" "linux-headers-${abi}-common_${ver#*:}_all.deb" \
	"linux-headers-${krel}_${ver#*:}_arm64.deb" "linux-kbuild-6.1_${ver#*:}_amd64.deb"; do
	f=$(deb "$d")
	[ -n "$f" ] || die "$d not in $CACHE/debs"
	dpkg -x "$f" "$root"
done
hdr=$root/usr/src/linux-headers-$krel
[ -f "$hdr/Makefile" ] || die "no $hdr/Makefile"
# The headers' Makefile includes the common one by its installed path.
sed -i "s|^include /usr/src/|include $root/usr/src/|" "$hdr/Makefile"

log "unpacking drivers/vfio from linux-source-6.1"
tar -xJf "$root/usr/src/linux-source-6.1.tar.xz" -C "$work" linux-source-6.1/drivers/vfio
src=$work/linux-source-6.1
for p in "${patches[@]}"; do
	log "applying $(basename "$p")"
	patch -d "$src" -p1 --quiet --forward <"$p" || die "$(basename "$p") does not apply"
done

# Only vfio (with no-IOMMU) and the platform/AMBA drivers; the rest of
# drivers/vfio stays Debian's.
log "building (ARCH=arm64, $(aarch64-linux-gnu-gcc-12 -dumpfullversion))"
make -C "$hdr" M="$src/drivers/vfio" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	CONFIG_VFIO_PLATFORM=m CONFIG_VFIO_AMBA=m CONFIG_VFIO_PCI= CONFIG_VFIO_MDEV= \
	CONFIG_VFIO_IOMMU_TYPE1= CONFIG_VFIO_VIRQFD= KCFLAGS=-DCONFIG_VFIO_NOIOMMU=1 \
	-j"$(nproc)" modules >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log" >&2; die "module build failed"; }

rm -rf "$out.new"
mkdir -p "$out.new"
for m in vfio platform/vfio-platform-base platform/vfio-platform platform/vfio-amba; do
	[ -f "$src/drivers/vfio/$m.ko" ] || die "$m.ko was not built"
	# Debian strips its modules' debug information too: a smaller initramfs.
	aarch64-linux-gnu-strip --strip-debug -o "$out.new/$(basename "$m").ko" "$src/drivers/vfio/$m.ko"
done
grep -q "vermagic=$krel " <(strings "$out.new/vfio.ko") || die "vfio.ko's vermagic is not $krel"
cp "${patches[@]}" "$out.new/"
touch "$out.new/.complete-$sum"
rm -rf "$out"
mv "$out.new" "$out"
log "built in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s: $out"
printf '%s\n' "$out"
