#!/usr/bin/env bash
# lab: boot-test (its kernels come with make boot-test; not in the lab's "all")
# Linux on a virtio-blk disk (virtio_mmio.device= on its command line):
#   1. our partition kernel with an initramfs mounts the ext4 image
#      (scripts/mkdiskimage.sh) as a data disk, writes a stamp, syncs;
#   2. it boots again with the same image as its root filesystem
#      (root=/dev/vda), sees the stamp, writes a second one;
#   3. a third boot reads the second stamp from the data disk.
# Inputs (make boot-test puts them in the lab): LINUX_DIR with
# bzImage-partition, initrd-disk.cpio.gz (its /tessera/cmd.sh acts on
# tessera.disk=) and disk.img, the ext4 image made from the same tree.
# Skipped without them and on kvm_pvm hosts (docs/linux.md).
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
LINUX_DIR=${LINUX_DIR:-/linux}
kernel=$LINUX_DIR/bzImage-partition
[ -f "$kernel" ] && [ -f "$LINUX_DIR/initrd-disk.cpio.gz" ] && [ -f "$LINUX_DIR/disk.img" ] ||
	skip "no partition kernel, disk initramfs or image in $LINUX_DIR (make boot-test provides them)"
[ -e /sys/module/kvm_pvm ] && { echo "SKIP: kvm_pvm cannot run Linux to user space"; exit 77; }

img=$TMP/disk.img
cp "$LINUX_DIR/disk.img" "$img"
stamp=s$$-$RANDOM

boot() { # boot WHAT ARGS...: one Linux run, status 0 required
	local what=$1 start secs
	shift
	start=$(cut -d' ' -f1 /proc/uptime)
	TEST_TIMEOUT=300 run_guest "" --kernel "$kernel" --memory 256M --cpu-template host "$@"
	secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
	[ "$RC" -eq 0 ] || fail "$what: exit status $RC; console: $(tail -c 3000 "$TMP/out"); stderr: $(cat "$TMP/err")"
	expect_out "TESSERA-CMD-RC 0"
	echo "$what: ${secs}s"
}

boot "data disk, write" --initrd "$LINUX_DIR/initrd-disk.cpio.gz" --disk "path=$img,serial=tessera-disk" \
	--cmdline "quiet tessera.disk=write tessera.stamp=$stamp tessera.exit=reboot"
expect_out "TESSERA-DISK-WRITTEN $stamp serial=tessera-disk"
expect_out "TESSERA-DISK-PLATFORM virtio-mmio.0 end"

boot "root disk" --disk "path=$img" \
	--cmdline "quiet root=/dev/vda rw rootwait init=/init tessera.disk=root tessera.stamp=$stamp tessera.exit=reboot"
expect_out "TESSERA-DISK-ROOT ext4 rw stamp=$stamp"

boot "data disk, read" --initrd "$LINUX_DIR/initrd-disk.cpio.gz" --disk "path=$img,ro" \
	--cmdline "quiet tessera.disk=read tessera.exit=reboot"
expect_out "TESSERA-DISK-READ root-$stamp"
echo "PASS linux_disk"
