#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the arm64 disk initramfs when booted with
# rdinit=/tessera/ext4-root.sh (tests/lab-arm64/linux_disk.sh, its ext4
# root boot): Debian's cloud kernel has virtio_blk as a module, so
# root=/dev/vda cannot work; this loads the virtio modules, mounts the
# ext4 disk /dev/vda read-write and switch_roots to it, whose /init (the
# test initramfs's, scripts/mkinitramfs.sh) then runs
# guests/linux/disk-test.sh with tessera.disk=root. Prints
# TESSERA-EXT4-ROOT ok, or a reason and powers off.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
stop() { echo "TESSERA-EXT4-ROOT $*"; poweroff -f; sleep 10; }
for m in virtio_ring virtio virtio_mmio virtio_blk; do # modules.dep order
	insmod "/tessera/$m.ko" || stop "insmod $m failed"
done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -b /dev/vda ] || stop "no /dev/vda"
mkdir -p /newroot
mount -t ext4 -o rw /dev/vda /newroot || stop "cannot mount /dev/vda"
[ -x /newroot/init ] || stop "no /init on /dev/vda"
echo "TESSERA-EXT4-ROOT ok"
umount /dev /sys /proc
exec switch_root /newroot /init
