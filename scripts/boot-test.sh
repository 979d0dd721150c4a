#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make boot-test: boots Linux under tessera inside the nested-KVM lab, with
# our partition kernel (scripts/build-guest-kernel.sh, cached) and Debian's
# stock cloud kernel (the lab's own), on 1 and 2 vCPUs, to the initramfs
# marker, and our kernel once more as a vmlinux through the PVH entry
# (scripts/mkinitramfs.sh). Extra arguments go to scripts/lab/run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-boot.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

small=$("$here/build-guest-kernel.sh" | tail -n 1)
[ -f "$small" ] || { echo "boot-test: kernel build gave no bzImage" >&2; exit 2; }
# The same kernel as an ELF vmlinux, booted through its PVH entry; without
# its DWARF it is a tenth of the size.
objcopy --strip-debug "$(dirname "$small")/vmlinux" "$tmp/vmlinux"
kdir=$("$here/lab/fetch.sh")
stock=$(ls "$kdir"/boot/vmlinuz-* | head -n 1)
"$here/mkinitramfs.sh" "$tmp/initrd.cpio.gz" --exit reboot >&2

cd "$top"
LAB_EXTRA="$small:/linux/bzImage-partition $tmp/vmlinux:/linux/vmlinux-partition $stock:/linux/bzImage-debian-cloud $tmp/initrd.cpio.gz:/linux/initrd.cpio.gz" \
LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-600} \
	"$here/lab/run.sh" "${@:-linux_boot}"
