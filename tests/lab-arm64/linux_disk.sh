#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lab: boot-test (its kernel and images come with make ARCH=arm64 boot-test; not in the lab's "all")
# Debian's stock arm64 kernel under tessera with a virtio-blk disk on
# virtio-mmio (its node and GIC SPI in the device tree, ioeventfd and
# irqfd into the vGIC): the guest loads the virtio modules, reads the
# disk's first bytes and writes its second sector (guests/linux/
# arm64-vda-test.sh), which we then find in the image; then the same
# kernel mounts an ext4 image on virtio-blk as its root filesystem
# (linux_guest/ext4-root.sh as rdinit, switch_root) and writes a file
# there, which we find in the image too. Inputs in LINUX_DIR
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

# The ext4 root: the initramfs's rdinit loads the virtio modules, mounts
# /dev/vda (root.img, made from a test initramfs with /stamp) and
# switch_roots to it; its /init runs disk-test.sh, which reports the root
# filesystem and writes /root-stamp, then remounts / read-only.
[ -f "$L/root.img" ] || fail "no root.img in $L (make ARCH=arm64 boot-test)"
cp "$L/root.img" "$D/root.img"
! grep -aq root-arm64-ext4-root "$D/root.img" || fail "root.img already holds the root stamp"
start=$(cut -d' ' -f1 /proc/uptime)
timeout -s KILL 400 "$T" run --kernel "$k" --initrd "$L/initrd-disk.cpio.gz" \
	--memory 256M --cpus 2 --disk "path=$D/root.img" \
	--cmdline "quiet rdinit=/tessera/ext4-root.sh tessera.disk=root" >"$out" 2>&1
rc=$?
secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
[ "$rc" = 0 ] || { tail -c 3000 "$out"; fail "ext4 root: status $rc"; }
for m in "TESSERA-EXT4-ROOT ok" TESSERA-INIT-OK "TESSERA-DISK-ROOT ext4 rw stamp=arm64-ext4-root" "TESSERA-CMD-RC 0"; do
	grep -q "$m" "$out" || { tail -c 3000 "$out"; fail "ext4 root: no '$m'"; }
done
! grep -q 'seccomp:' "$out" || fail "$(grep 'seccomp:' "$out" | head -n 3)"
grep -aq root-arm64-ext4-root "$D/root.img" || fail "the guest's /root-stamp is not in root.img"
echo "booted $(basename "$k") on an ext4 root on virtio-blk, wrote a file there, in ${secs}s"
echo "PASS linux_disk"
