#!/usr/bin/env bash
# lab: boot-test (its kernels come with make boot-test; not in the lab's "all")
# Linux on virtio-net: our partition kernel, with an initramfs that runs
# guests/linux/net-test.sh, configures eth0 and pings the host side of a
# tap (10.77.0.1/24) the monitor creates (--net tap=...), small and
# full-MTU packets. Runs in a private network namespace (unshare -n), so
# nothing touches the host's network. Inputs (make boot-test puts them in
# the lab): LINUX_DIR with bzImage-partition and initrd-net.cpio.gz.
# Skipped without them, without root or /dev/net/tun, and on kvm_pvm hosts
# (docs/linux.md).
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
LINUX_DIR=${LINUX_DIR:-/linux}
kernel=$LINUX_DIR/bzImage-partition
[ -f "$kernel" ] && [ -f "$LINUX_DIR/initrd-net.cpio.gz" ] ||
	skip "no partition kernel or net initramfs in $LINUX_DIR (make boot-test provides them)"
[ -e /sys/module/kvm_pvm ] && { echo "SKIP: kvm_pvm cannot run Linux to user space"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (tap)"
[ -c /dev/net/tun ] || modprobe tun 2>/dev/null
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
need_tools unshare
MAC=02:00:5e:10:00:02

start=$(cut -d' ' -f1 /proc/uptime)
TESSERA=$TESSERA KERNEL=$kernel INITRD=$LINUX_DIR/initrd-net.cpio.gz MAC=$MAC DIR=$TMP \
	CMDLINE="quiet tessera.exit=reboot tessera.net.addr=10.77.0.2/24 tessera.net.peer=10.77.0.1" \
	unshare -n sh "$(dirname "$0")/lib/tap_ping.sh" --cpu-template host || fail "unshare -n failed"
secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
[ ! -s "$TMP/inner.err" ] || fail "$(cat "$TMP/inner.err"); console: $(tail -c 3000 "$TMP/out"); stderr: $(cat "$TMP/err")"
RC=$(cat "$TMP/rc")
[ "$RC" -eq 0 ] || fail "exit status $RC; console: $(tail -c 3000 "$TMP/out"); stderr: $(cat "$TMP/err")"
expect_out "TESSERA-NET-MAC $MAC"
expect_out "TESSERA-NET-PING ok 10.77.0.1 3 2"
expect_out "TESSERA-CMD-RC 0"
echo "ping over virtio-net: ${secs}s; $(grep -o 'virtio-net@[^ ]* ([^)]*): rx [0-9]* frames[^;]*; tx [0-9]* frames[^;]*' "$TMP/err")"
echo "PASS linux_net"
