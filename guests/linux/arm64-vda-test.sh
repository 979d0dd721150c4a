#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run inside an arm64 Linux guest (scripts/boot-test-arm64.sh's disk
# initramfs): loads Debian's virtio-mmio and virtio-blk modules (the stock
# cloud kernel has them as modules), waits for /dev/vda (found through
# the device tree, its interrupt a GIC SPI), prints its first bytes and
# writes a line into its second sector for the host to find.
# The modules and the wait: tests/lab-arm64/linux_guest/vda-modules.sh,
# shared with the ext4 root boot.
. /tessera/vda-modules.sh
[ -b /dev/vda ] || { echo "TESSERA-VDA none ($vda_err)"; exit 1; }
[ -z "$vda_err" ] || echo "TESSERA-VDA $vda_err"
echo "TESSERA-VDA $(head -c 18 /dev/vda)"
echo "written-by-the-arm64-guest" | dd of=/dev/vda bs=512 seek=1 conv=notrunc,fsync 2>/dev/null
echo "TESSERA-VDA-WRITE $?"
