#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Debian's stock arm64 kernel under tessera with a virtio-blk disk on
# virtio-mmio (its node and GIC SPI in the device tree, ioeventfd and
# irqfd into the vGIC): the guest loads the virtio modules, reads the
# disk's first bytes and writes its second sector (guests/linux/
# arm64-vda-test.sh), which we then find in the image. Inputs in LINUX_DIR
# (make ARCH=arm64 boot-test); skipped without them. Under the default
# --seccomp kill, nothing refused. Plain sh.
[ -c /dev/kvm ] || { echo "no /dev/kvm"; exit 77; }
[ "$(uname -m)" = aarch64 ] || { echo "not an arm64 host"; exit 77; }
T=${TESSERA:-/lab/bin/tessera}
L=${LINUX_DIR:-/linux}
k=$(ls "$L"/Image-* 2>/dev/null | head -n 1)
[ -n "$k" ] && [ -f "$L/initrd-disk.cpio.gz" ] ||
	{ echo "SKIP: no Image-* and initrd-disk.cpio.gz in $L (make ARCH=arm64 boot-test)"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
D=${TMPDIR:-/tmp}
out=$D/linux.out
dd if=/dev/zero of="$D/disk.img" bs=1024 count=1024 2>/dev/null
printf 'TESSERA-DISK-MAGIC' | dd of="$D/disk.img" conv=notrunc 2>/dev/null
start=$(cut -d' ' -f1 /proc/uptime)
timeout -s KILL 400 "$T" run --kernel "$k" --initrd "$L/initrd-disk.cpio.gz" \
	--memory 256M --cpus 2 --disk "path=$D/disk.img" --cmdline "quiet" >"$out" 2>&1
rc=$?
secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
[ "$rc" = 0 ] || { tail -c 3000 "$out"; fail "status $rc"; }
for m in TESSERA-INIT-OK "TESSERA-VDA TESSERA-DISK-MAGIC" "TESSERA-VDA-WRITE 0" "TESSERA-CMD-RC 0"; do
	grep -q "$m" "$out" || { tail -c 3000 "$out"; fail "no '$m'"; }
done
# The default --seccomp kill: nothing refused, teardown included.
! grep -q 'seccomp:' "$out" || fail "$(grep 'seccomp:' "$out" | head -n 3)"
dd if="$D/disk.img" bs=512 skip=1 count=1 2>/dev/null | grep -q written-by-the-arm64-guest ||
	fail "the guest's write is not in the image"
echo "booted $(basename "$k") with a virtio-blk disk, read and wrote it, in ${secs}s"
echo "PASS linux_disk"
