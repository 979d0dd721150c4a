#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# PID 1 of the arm64 disk initramfs when booted with
# rdinit=/tessera/ext4-root.sh (tests/lab-arm64/linux_disk.sh, its ext4
# root boot): Debian's cloud kernel has virtio_blk as a module, so
# root=/dev/vda cannot work; this loads the virtio modules (vda-modules.sh,
# shared with guests/linux/arm64-vda-test.sh), mounts the
# ext4 disk /dev/vda read-write and switch_roots to it, whose /init (the
# test initramfs's, scripts/mkinitramfs.sh) then runs
# guests/linux/disk-test.sh with tessera.disk=root. Prints
# TESSERA-EXT4-ROOT ok, or a reason and powers off.
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
stop() { echo "TESSERA-EXT4-ROOT $*"; poweroff -f; sleep 10; }
. /tessera/vda-modules.sh
[ -z "$vda_err" ] || stop "$vda_err"
mkdir -p /newroot
mount -t ext4 -o rw /dev/vda /newroot || stop "cannot mount /dev/vda"
[ -x /newroot/init ] || stop "no /init on /dev/vda"
echo "TESSERA-EXT4-ROOT ok"
umount /dev /sys /proc
exec switch_root /newroot /init
