#!/usr/bin/env bash
# lab: boot-test (its kernel, initramfs and System.map come with make ARCH=arm64 boot-test)
# The gdb stub on a stock Linux: Debian's arm64 cloud kernel runs under
# tessera until it panics for want of an init (rdinit names none; panic=0
# keeps it there; nokaslr keeps System.map's addresses true), then the
# stub, spoken to from bash over TCP (no gdb in the arm64 L1), reads
# linux_banner at its kernel virtual address from System.map: a walk of
# the kernel's own TTBR1 tables (48-bit, 4K pages, four levels) through
# vmm/arch/arm64/mmu.c. It must read "Linux version "; the old stub, which
# took virtual addresses for physical ones, answered E0e.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
. "$(dirname "$0")/lib/gdb.bash" || fail "cannot load lib/gdb.bash"
on_arm64 || { echo "SKIP: arm64 only (x86 translates with KVM_TRANSLATE)"; exit 77; }
need_kvm
L=${LINUX_DIR:-/linux}
TARGET=$(ls "$L"/Image-* 2>/dev/null | head -n 1)
[ -n "$TARGET" ] && [ -f "$L/initrd.cpio.gz" ] && [ -f "$L/System.map" ] ||
	{ echo "SKIP: no Image-*, initrd.cpio.gz and System.map in $L (make ARCH=arm64 boot-test)"; exit 77; }
(exec 9<>/dev/tcp/127.0.0.1/9) 2>&1 | grep -q "No such file or directory" &&
	{ echo "SKIP: this bash has no /dev/tcp"; exit 77; }
if [ "${LAB:-}" = 1 ] && [ $(($(cat /sys/class/net/lo/flags) & 1)) = 0 ]; then
	ip link set lo up || fail "cannot bring up lo"
fi
banner=$(awk '$3 == "linux_banner" { print $1; exit }' "$L/System.map")
[ -n "$banner" ] || fail "no linux_banner in $L/System.map"

TEST_TIMEOUT=400 start_tessera --gdb tcp:127.0.0.1:0 -v --initrd "$L/initrd.cpio.gz" \
	--memory 256M --cpus 1 --cmdline "nokaslr panic=0 rdinit=/no-such-init"
port=$(tcp_port)
for _ in $(seq 3000); do # up to 300 s under TCG
	grep -q "Kernel panic" "$TMP/out" "$TMP/err" 2>/dev/null && break
	kill -0 "$TPID" 2>/dev/null || fail "tessera ended: $(tail -c 2000 "$TMP/out") $(tail -c 1000 "$TMP/err")"
	sleep 0.1
done
grep -q "Kernel panic" "$TMP/out" "$TMP/err" || fail "no panic: $(tail -c 2000 "$TMP/out")"

RSP_TIMEOUT=30 # the emulated arm64 lab
rsp_connect "$port"

rsp "qSupported:swbreak+;hwbreak+" ".*PacketSize.*"
rsp QStartNoAckMode OK
ACK=0
rsp '?' 'T0[0-9a-f]thread:1;'
# "Linux version " in hex, then the rest of the banner
rsp "m$banner,40" '4c696e75782076657273696f6e20[0-9a-f]{100}'
text=$(printf '%s' "$PKT" | sed 's/../\\x&/g')
printf 'linux_banner at 0x%s: %b\n' "$banner" "$text" | tr -d '\n' | head -c 120
echo
# the same bytes at the byte after: the walk is per address, not per page
rsp "m$(printf '%x' $((0x$banner + 6))),8" '76657273696f6e20'
rsp "mffff800000000000,8" '([0-9a-f]{16}|E0e)' # may or may not map: no crash
rsp "m0000800000000000,8" E0e # between the halves
rsp "vKill;1" OK
exec 3<&-
wait_tessera
echo "PASS: linux_banner read by its kernel virtual address"
