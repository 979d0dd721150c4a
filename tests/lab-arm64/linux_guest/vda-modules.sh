# SPDX-License-Identifier: GPL-2.0
# Sourced (busybox sh) inside an arm64 Linux guest by the disk scripts of
# make ARCH=arm64 boot-test (guests/linux/arm64-vda-test.sh, and
# ext4-root.sh beside this file), at /tessera/vda-modules.sh: Debian's cloud
# kernel has virtio-mmio and virtio-blk as modules, so this loads them from
# /tessera (modules.dep order) and waits up to 10 s for /dev/vda (found
# through the device tree, its interrupt a GIC SPI). Leaves in vda_err what
# went wrong, empty when /dev/vda is there.
vda_err=
for m in virtio_ring virtio virtio_mmio virtio_blk; do
	insmod "/tessera/$m.ko" || vda_err="${vda_err}insmod $m failed; "
done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -b /dev/vda ] || vda_err="${vda_err}no /dev/vda"
