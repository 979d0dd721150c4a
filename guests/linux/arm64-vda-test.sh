#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run inside an arm64 Linux guest (scripts/boot-test-arm64.sh's disk
# initramfs): loads Debian's virtio-mmio and virtio-blk modules (the stock
# cloud kernel has them as modules), waits for /dev/vda (found through
# the device tree, its interrupt a GIC SPI), prints its first bytes and
# writes a line into its second sector for the host to find.
for m in virtio_ring virtio virtio_mmio virtio_blk; do # modules.dep order
	insmod "/tessera/$m.ko" || echo "TESSERA-VDA insmod $m failed"
done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -b /dev/vda ] || { echo "TESSERA-VDA none"; exit 1; }
echo "TESSERA-VDA $(head -c 18 /dev/vda)"
echo "written-by-the-arm64-guest" | dd of=/dev/vda bs=512 seek=1 conv=notrunc,fsync 2>/dev/null
echo "TESSERA-VDA-WRITE $?"
