#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make ARCH=arm64 boot-test: boots Debian's stock arm64 cloud kernel (the
# arm64 lab's own, a plain Image) under tessera inside the arm64 lab, on 1
# and 2 vCPUs, to the initramfs marker (scripts/mkinitramfs.sh with the
# arm64 busybox), ending with PSCI SYSTEM_OFF and SYSTEM_RESET
# (tests/lab-arm64/linux_boot.sh); and with a virtio-blk disk, raw and as
# its ext4 root filesystem (tests/lab-arm64/linux_disk.sh); and on virtio-net, pinging the host side
# of a tap (tests/lab-arm64/linux_net.sh; L1 loads tun.ko). Arguments name
# the tests to run (default: linux_boot linux_disk linux_net gdb_va_linux) and go to
# scripts/lab/run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
export LAB_ARCH=arm64
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-boot-arm64.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

kdir=$("$here/lab/fetch.sh")
stock=$(ls "$kdir"/boot/vmlinuz-* | head -n 1)
bb=$("$here/lab/fetch.sh" busybox)
command -v qemu-aarch64-static >/dev/null ||
	{ echo "boot-test-arm64: no qemu-aarch64-static (scripts/cross-deps.sh)" >&2; exit 2; }
BUSYBOX=$bb BUSYBOX_RUN=qemu-aarch64-static \
	"$here/mkinitramfs.sh" "$tmp/initrd.cpio.gz" --exit poweroff >&2
# linux_disk: the same with Debian's virtio modules and a script that
# finds /dev/vda (guests/linux/arm64-vda-test.sh).
mods=$(ls -d "$kdir"/lib/modules/*/kernel | head -n 1)
adds=
for m in drivers/virtio/virtio drivers/virtio/virtio_ring drivers/virtio/virtio_mmio \
	drivers/block/virtio_blk; do
	adds="$adds --add $mods/$m.ko:/tessera/$(basename "$m").ko"
done
# shellcheck disable=SC2086
BUSYBOX=$bb BUSYBOX_RUN=qemu-aarch64-static \
	"$here/mkinitramfs.sh" "$tmp/initrd-disk.cpio.gz" --exit poweroff $adds \
	--add "$top/guests/linux/arm64-vda-test.sh:/tessera/vda-test.sh" \
	--add "$top/tests/lab-arm64/linux_guest/ext4-root.sh:/tessera/ext4-root.sh" \
	--add "$top/tests/lab-arm64/linux_guest/vda-modules.sh:/tessera/vda-modules.sh" \
	--cmd "sh /tessera/vda-test.sh" >&2
# ...and an ext4 root filesystem for it (rdinit=/tessera/ext4-root.sh
# loads the modules and switch_roots to /dev/vda): the tree of a test
# initramfs that runs x86's guests/linux/disk-test.sh, with a stamp.
BUSYBOX=$bb BUSYBOX_RUN=qemu-aarch64-static \
	"$here/mkinitramfs.sh" "$tmp/rootfs.cpio.gz" --exit poweroff \
	--add "$top/guests/linux/disk-test.sh:/tessera/disk-test.sh" \
	--cmd ". /tessera/disk-test.sh" >&2
echo arm64-ext4-root >"$tmp/stamp"
"$here/mkdiskimage.sh" "$tmp/root.img" 16M --from-initramfs "$tmp/rootfs.cpio.gz" \
	--add "$tmp/stamp:/stamp" >&2
# linux_net: Debian's virtio-net modules (modules.dep order), then the x86
# test's guest side (guests/linux/net-test.sh: eth0 up, ping the tap's host
# side).
adds=
load=
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_mmio \
	net/core/failover drivers/net/net_failover drivers/net/virtio_net; do
	adds="$adds --add $mods/$m.ko:/tessera/$(basename "$m").ko"
	load="$load insmod /tessera/$(basename "$m").ko || echo TESSERA-NET-INSMOD-FAILED $(basename "$m");"
done
# shellcheck disable=SC2086
BUSYBOX=$bb BUSYBOX_RUN=qemu-aarch64-static \
	"$here/mkinitramfs.sh" "$tmp/initrd-net.cpio.gz" --exit poweroff $adds \
	--add "$top/guests/linux/net-test.sh:/tessera/net-test.sh" \
	--cmd "$load" --cmd ". /tessera/net-test.sh" >&2

[ $# -gt 0 ] || set -- linux_boot linux_disk linux_net gdb_va_linux
cd "$top"
# gdb_va_linux's symbols: Debian's System.map is a placeholder (the real
# one is in the -dbg package), so name linux_banner by its offset in the
# Image (the first "Linux version ", in .rodata) from _text, which 6.1
# links at KIMAGE_VADDR = 0xffff800008000000 (48-bit VA; nokaslr).
smap=$(ls "$kdir"/boot/System.map-* | head -n 1)
if ! grep -q ' linux_banner$' "$smap"; then
	off=$(grep -abo -m 1 'Linux version ' "$stock" | cut -d: -f1)
	printf 'ffff800008000000 T _text\n%x R linux_banner\n' \
		$((0xffff800008000000 + off)) >"$tmp/System.map"
	smap=$tmp/System.map
fi
LAB_EXTRA="$stock:/linux/Image-debian-cloud $smap:/linux/System.map $tmp/initrd.cpio.gz:/linux/initrd.cpio.gz $tmp/initrd-disk.cpio.gz:/linux/initrd-disk.cpio.gz $tmp/initrd-net.cpio.gz:/linux/initrd-net.cpio.gz $tmp/root.img:/linux/root.img" \
LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-600} \
	"$here/lab/run.sh" "$@"
