# SPDX-License-Identifier: GPL-2.0
# The guest side of tests/integration/linux_disk.sh, run by the test
# initramfs's /init (scripts/mkinitramfs.sh --cmd) and, from the ext4 image
# made of the same tree, by the same /init on a disk root. Acts on
# tessera.disk= from the kernel command line:
#   write  mount /dev/vda, write tessera.stamp= to /stamp, unmount
#   root   (root=/dev/vda) report the root filesystem and /stamp, write
#          /root-stamp, remount read-only so the next boot finds it clean
#   read   mount /dev/vda read-only, report /root-stamp
disk= stamp=
for a in $(cat /proc/cmdline); do
	case $a in
	tessera.disk=*) disk=${a#*=} ;;
	tessera.stamp=*) stamp=${a#*=} ;;
	esac
done
case $disk in
write)
	mount -t ext4 /dev/vda /mnt || exit 11
	echo "$stamp" >/mnt/stamp || exit 12
	umount /mnt || exit 13
	echo "TESSERA-DISK-WRITTEN $stamp serial=$(cat /sys/block/vda/serial 2>/dev/null)"
	# Probed once, from the command line (the device-tree node is disabled).
	echo "TESSERA-DISK-PLATFORM $(ls /sys/bus/platform/devices | grep virtio | tr '\n' ' ')end"
	;;
root)
	set -- $(awk '$2 == "/" && $1 != "rootfs" { print $3, substr($4, 1, 2) }' /proc/mounts)
	echo "TESSERA-DISK-ROOT $1 $2 stamp=$(cat /stamp)"
	echo "root-$(cat /stamp)" >/root-stamp || exit 14
	sync
	mount -o remount,ro / || exit 15
	;;
read)
	mount -t ext4 -o ro /dev/vda /mnt || exit 16
	echo "TESSERA-DISK-READ $(cat /mnt/root-stamp)"
	umount /mnt
	;;
esac
