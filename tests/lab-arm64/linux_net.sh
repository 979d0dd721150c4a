#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lab: boot-test (its kernel and images come with make ARCH=arm64 boot-test; not in the lab's "all")
# Debian's stock arm64 kernel under tessera on virtio-net (virtio-mmio, its
# node and GIC SPI in the device tree, ioeventfd and irqfd into the vGIC),
# as tests/integration/linux_net.sh does on x86: the guest loads Debian's
# virtio and virtio_net modules, configures eth0 and pings the host side of
# the tap tessera makes (10.77.0.1/24), small and full-MTU packets
# (guests/linux/net-test.sh). In a private network namespace (unshare -n).
# Inputs in LINUX_DIR (make ARCH=arm64 boot-test); skipped without them,
# without /dev/net/tun (L1 loads tun.ko) or unshare. Plain sh: busybox.
[ -c /dev/kvm ] || { echo "no /dev/kvm"; exit 77; }
[ "$(uname -m)" = aarch64 ] || { echo "not an arm64 host"; exit 77; }
T=${TESSERA:-/lab/bin/tessera}
L=${LINUX_DIR:-/linux}
k=$(ls "$L"/Image-* 2>/dev/null | head -n 1)
[ -n "$k" ] && [ -f "$L/initrd-net.cpio.gz" ] ||
	{ echo "SKIP: no Image-* and initrd-net.cpio.gz in $L (make ARCH=arm64 boot-test)"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (tap)"; exit 77; }
[ -c /dev/net/tun ] || modprobe tun 2>/dev/null
[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
command -v unshare >/dev/null || { echo "SKIP: needs unshare"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
D=${TMPDIR:-/tmp}
MAC=02:00:5e:10:00:02
rm -f "$D/inner.err" "$D/rc"

# The host side (tap, address, wait): lib/tap_ping.sh, shared with x86's.
start=$(cut -d' ' -f1 /proc/uptime)
TESSERA=$T KERNEL=$k INITRD=$L/initrd-net.cpio.gz MAC=$MAC DIR=$D \
	CMDLINE="quiet tessera.net.addr=10.77.0.2/24 tessera.net.peer=10.77.0.1" \
	unshare -n sh "$(dirname "$0")/lib/tap_ping.sh" --cpus 2 || fail "unshare -n failed"
secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
show() { echo "console:"; tail -c 3000 "$D/out"; echo "stderr:"; tail -c 2000 "$D/err"; }
[ ! -s "$D/inner.err" ] || { show; fail "$(cat "$D/inner.err")"; }
rc=$(cat "$D/rc" 2>/dev/null)
[ "$rc" = 0 ] || { show; fail "exit status ${rc:-?}"; }
for m in TESSERA-INIT-OK "TESSERA-NET-MAC $MAC" "TESSERA-NET-PING ok 10.77.0.1 3 2" "TESSERA-CMD-RC 0"; do
	grep -q "$m" "$D/out" || { show; fail "no '$m'"; }
done
# The default --seccomp kill: nothing refused, teardown included.
! grep -q 'seccomp:' "$D/err" || fail "$(grep 'seccomp:' "$D/err" | head -n 3)"
echo "ping over virtio-net in ${secs}s; $(grep -o 'virtio-net@[^ ]* ([^)]*): rx [0-9]* frames[^;]*; tx [0-9]* frames[^;]*' "$D/err")"
echo "PASS linux_net"
