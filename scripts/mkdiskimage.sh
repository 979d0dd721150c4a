#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Make an ext4 disk image for a Tessera partition (a --disk), without loop
# mounts or root: `mkfs.ext4 -d` fills the new filesystem from a directory.
#
# usage: scripts/mkdiskimage.sh OUT.img SIZE [--from-initramfs CPIO.gz]
#            [--add SRC:DST]... [--label LABEL]
#
#   SIZE                 image size for truncate(1), e.g. 64M
#   --from-initramfs F   start from the tree of an initramfs made by
#                        scripts/mkinitramfs.sh (busybox, /init and the
#                        test markers): the image then boots as a root
#                        filesystem (root=/dev/vda rw init=/init)
#   --add SRC:DST        copy a file or directory to DST inside the image
#   --label LABEL        filesystem label (default tessera)
#
# Files are owned by root (mkfs.ext4 -E root_owner, and the archive's
# owners when extracting the initramfs as root). Without --from-initramfs
# and --add the filesystem is empty but for lost+found.
set -euo pipefail

log() { printf 'mkdiskimage: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() { sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; }

out= size= from= label=tessera
adds=()
while [ $# -gt 0 ]; do
	case $1 in
	--from-initramfs) [ $# -ge 2 ] || die "--from-initramfs needs a file"; from=$2; shift ;;
	--add) [ $# -ge 2 ] || die "--add needs SRC:DST"; adds+=("$2"); shift ;;
	--label) [ $# -ge 2 ] || die "--label needs a value"; label=$2; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) die "unknown option $1 (try --help)" ;;
	*)
		if [ -z "$out" ]; then out=$1
		elif [ -z "$size" ]; then size=$1
		else die "too many arguments"; fi ;;
	esac
	shift
done
[ -n "$out" ] && [ -n "$size" ] || { usage >&2; exit 2; }
mkfs=$(command -v mkfs.ext4 || echo /sbin/mkfs.ext4)
[ -x "$mkfs" ] || die "mkfs.ext4 missing (apt-get install e2fsprogs; -d needs 1.43 or later)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-disk.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"
if [ -n "$from" ]; then
	[ -f "$from" ] || die "$from does not exist"
	command -v cpio >/dev/null || die "cpio missing"
	(cd "$root" && gzip -dc <"$(readlink -f "$from")" | cpio -idm --quiet --no-absolute-filenames) ||
		die "cannot unpack $from"
fi
for spec in ${adds[@]+"${adds[@]}"}; do
	src=${spec%%:*} dst=${spec#*:}
	[ "$src" != "$spec" ] || dst=/$(basename "$spec")
	[ -e "$src" ] || die "--add $spec: $src does not exist"
	case $dst in /*) ;; *) dst=/$dst ;; esac
	mkdir -p "$(dirname "$root$dst")"
	cp -a "$src" "$root$dst"
done

rm -f "$out"
truncate -s "$size" "$out"
# Small images get 1 KiB blocks by default; 4 KiB blocks suit every
# logical block size a disk may report. No journal tuning: the defaults.
"$mkfs" -q -F -b 4096 -L "$label" -E root_owner=0:0 -d "$root" "$out" ||
	die "mkfs.ext4 failed"
log "$out: $(stat -c %s "$out") bytes, ext4 '$label'$([ -n "$from" ] && echo ", tree of $(basename "$from")")"
