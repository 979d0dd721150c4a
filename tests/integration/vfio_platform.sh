#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# vfio-platform passthrough (devices/vfio/platform.c) with the arm64 lab's
# PL031 RTC (scripts/lab/run.sh binds it to vfio-platform in L1; LAB.md):
#  - bad inputs, one by one: one line, exit status 2, and nothing left
#    behind (the good run afterwards opens the same device and group);
#  - guests/arm64/pl031.c reads the PL031's ID registers through the
#    mapping (the vCPUs' mmio_exit_user counts, --stats, stay below the
#    number of reads; with TESSERA_VFIO_NO_MMAP=1 every read exits), and
#    takes three alarm interrupts through the level irqfd + VFIO unmask;
#  - the group's IOMMU mode decides --vfio-noiommu: a noiommu-N group
#    (vfio enable_unsafe_noiommu_mode=1) needs it, an SMMU group refuses it.
# Skips only where no device is bound (LAB_PLATFORM_DEV unset: outside the
# arm64 lab); in the lab a missing device fails. Plain sh (busybox).
# shellcheck disable=SC2086 # $guest and $flag are split on purpose
[ -n "${LAB_PLATFORM_DEV:-}" ] || { echo "SKIP: no vfio-platform device (LAB_PLATFORM_DEV; the arm64 lab binds one)"; exit 77; }
T=${TESSERA:-/lab/bin/tessera}
G=${GUESTS:-/lab/guests}
D=$LAB_PLATFORM_DEV
fail() { echo "FAIL: $*"; exit 1; }
[ -c /dev/kvm ] || fail "no /dev/kvm in the lab"
[ -x "$T" ] || fail "$T missing (make ARCH=arm64)"
[ -f "$G/pl031.elf" ] || fail "$G/pl031.elf missing (make arm64-guests)"
drv=$(basename "$(readlink "/sys/bus/platform/devices/$D/driver")")
[ "$drv" = vfio-platform ] || fail "$D is bound to '$drv', not vfio-platform"
case ${LAB_PLATFORM_GROUP:-} in
noiommu-*) mode=noiommu; flag=--vfio-noiommu ;;
'') fail "$D has no VFIO group" ;;
*) mode=iommu; flag= ;;
esac
echo "device $D, group ${LAB_PLATFORM_GROUP}, mode $mode"
out=${TMPDIR:-/tmp}/vfio_platform.out # the guest's console; $err: the monitor's
err=$out.err
# A PL031 is a PrimeCell: Linux wants its clock; the guest here does not care.
spec="platform:$D"

# run STATUS TEXT ARGS...: tessera run ARGS must exit STATUS and print TEXT.
run() {
	want=$1 text=$2
	shift 2
	timeout -s KILL 120 "$T" run $sec "$@" >"$out" 2>"$err"
	st=$?
	[ "$st" = "$want" ] || { tail -n 20 "$out" "$err"; fail "tessera run $*: status $st, want $want"; }
	[ -z "$text" ] || cat "$out" "$err" | grep -q -- "$text" || { tail -n 20 "$out" "$err"; fail "tessera run $*: no '$text'"; }
	if [ "$want" = 2 ]; then
		n=$(cat "$out" "$err" | grep -c .)
		[ "$n" = 1 ] || { cat "$out" "$err"; fail "tessera run $*: $n lines for a user error, want 1"; }
	fi
}
guest="--kernel $G/pl031.elf --memory 64M"
# The default seccomp filters, where this build has the VFIO rules (the
# vfiopci branch's SANDBOX_IF_VFIO rules cover vfio-platform too).
sec=
if "$T" run $guest --vfio platform:nosuch.dev 2>&1 | grep -q "no VFIO rules yet"; then
	sec="--seccomp off"
fi
echo "seccomp: ${sec:-the default filters}"

# --- bad inputs ------------------------------------------------------------
run 2 "no platform or AMBA device" $guest --vfio platform:nosuch.dev $flag
pl011=
for d in /sys/bus/amba/devices/*.pl011; do
	[ -e "$d" ] && pl011=$(basename "$d") && break
done
if [ -n "$pl011" ]; then
	run 2 "bound to uart-pl011, not vfio-platform or vfio-amba" $guest --vfio "platform:$pl011" $flag
fi
run 2 "reg is tessera's to write" $guest --vfio "$spec,reg=<0 1>" $flag
run 2 "given twice" $guest --vfio "$spec" --vfio "$spec" $flag
if [ "$mode" = noiommu ]; then
	run 2 "no-IOMMU group.*--vfio-noiommu" $guest --vfio "$spec"
else
	run 2 "has an IOMMU" $guest --vfio "$spec" --vfio-noiommu
fi
echo "bad inputs: one line and status 2 each"

# --- the freestanding guest: mapped ------------------------------------------
run 0 "alarm interrupts 3" $guest --vfio "$spec" $flag --stats -v
grep -h -e "^pl031:" -e "vfio platform" -e "no-IOMMU mode" "$out" "$err"
grep -q "region 0 (4096 bytes) at 0x[0-9a-f]*, mapped" "$err" || fail "region 0 not mapped"
grep -q "interrupt 0 on line [0-9]*, level" "$err" || fail "interrupt 0 not wired level"
if [ "$mode" = noiommu ]; then
	[ "$(grep -c "NOT isolated" "$err")" = 1 ] || fail "no single warning naming the loss of isolation"
else
	! grep -q "NOT isolated" "$err" || fail "an IOMMU group reported as no-IOMMU"
fi
mapped_exits=$(cat "$out" "$err" | awk '/mmio_exit_user/ { s += $NF } END { print s + 0 }')
mapped_us=$(sed -n 's/^pl031: 1000 register reads in \([0-9]*\) us/\1/p' "$out")

# --- the same, trapped ---------------------------------------------------------
TESSERA_VFIO_NO_MMAP=1 run 0 "alarm interrupts 3" $guest --vfio "$spec" $flag --stats -v
grep -q "region 0 (4096 bytes) at 0x[0-9a-f]*, trapped" "$err" || fail "TESSERA_VFIO_NO_MMAP: region 0 not trapped"
grep -h "^pl031:" "$out"
trapped_exits=$(cat "$out" "$err" | awk '/mmio_exit_user/ { s += $NF } END { print s + 0 }')
trapped_us=$(sed -n 's/^pl031: 1000 register reads in \([0-9]*\) us/\1/p' "$out")
echo "1000 ID register reads: mapped ${mapped_us} us (${mapped_exits} MMIO exits in the whole run), trapped ${trapped_us} us (${trapped_exits} exits)"
[ "$trapped_exits" -ge 1000 ] || fail "trapped: only $trapped_exits MMIO exits for 1000+ reads"
[ "$mapped_exits" -lt 1000 ] || fail "mapped: $mapped_exits MMIO exits: the reads exited"
[ $((trapped_exits - mapped_exits)) -ge 1000 ] || fail "the mapping saved fewer than 1000 exits"
echo "PASS vfio_platform ($mode)"
