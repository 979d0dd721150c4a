#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make boot-test: boots Linux under tessera inside the nested-KVM lab, with
# our partition kernel (scripts/build-guest-kernel.sh, cached) and Debian's
# stock cloud kernel (the lab's own), on 1 and 2 vCPUs, to the initramfs
# marker, and our kernel once more as a vmlinux through the PVH entry
# (scripts/mkinitramfs.sh); then our kernel on a virtio-blk ext4 disk
# (tests/integration/linux_disk.sh), and on virtio-net pinging the host
# side of a tap (tests/integration/linux_net.sh; L1 gets the tun module);
# then both kernels with the lab's edu passed through (vfio_pci_linux.sh).
# Arguments name the tests to run (default: linux_boot linux_disk
# linux_net vfio_pci_linux) and go to scripts/lab/run.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# make ARCH=arm64 boot-test: the arm64 lab's boots.
[ "${LAB_ARCH:-x86_64}" != arm64 ] || exec "$here/boot-test-arm64.sh" "$@"
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
# linux_disk: an initramfs that acts on tessera.disk=, and an ext4 image of
# the same tree, used as a data disk and as the root filesystem.
"$here/mkinitramfs.sh" "$tmp/initrd-disk.cpio.gz" --exit reboot \
	--add "$top/guests/linux/disk-test.sh:/tessera/disk-test.sh" \
	--cmd ". /tessera/disk-test.sh" >&2
"$here/mkdiskimage.sh" "$tmp/disk.img" 32M --from-initramfs "$tmp/initrd-disk.cpio.gz"
# linux_net: an initramfs that configures eth0 and pings the tap's host side.
"$here/mkinitramfs.sh" "$tmp/initrd-net.cpio.gz" --exit reboot \
	--add "$top/guests/linux/net-test.sh:/tessera/net-test.sh" \
	--cmd ". /tessera/net-test.sh" >&2

# vfio_pci_linux: an initramfs that lists the PCI devices and reads the
# passed-through one's BAR0 (guests/vfio_linux.sh).
"$here/mkinitramfs.sh" "$tmp/initrd-vfio.cpio.gz" --exit reboot \
	--add "$top/guests/vfio_linux.sh:/tessera/vfio_linux.sh" \
	--cmd ". /tessera/vfio_linux.sh" >&2

[ $# -gt 0 ] || set -- linux_boot linux_disk linux_net vfio_pci_linux
cd "$top"
extra="$small:/linux/bzImage-partition $tmp/vmlinux:/linux/vmlinux-partition $stock:/linux/bzImage-debian-cloud $tmp/initrd.cpio.gz:/linux/initrd.cpio.gz"
extra="$extra $tmp/initrd-disk.cpio.gz:/linux/initrd-disk.cpio.gz $tmp/disk.img:/linux/disk.img"
extra="$extra $tmp/initrd-net.cpio.gz:/linux/initrd-net.cpio.gz"
extra="$extra $tmp/initrd-vfio.cpio.gz:/linux/initrd-vfio.cpio.gz"
# The lab's default modules (scripts/lab/mkinitramfs.sh) and tun for the tap.
LAB_MODULES=${LAB_MODULES:-irqbypass kvm kvm-amd vfio vfio_iommu_type1 vfio_virqfd vfio-pci-core vfio-pci tun}
export LAB_MODULES
LAB_EXTRA="$extra" \
LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-600} \
	"$here/lab/run.sh" "$@"
