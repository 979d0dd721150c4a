#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tessera itself on arm64 (vmm/arch/arm64/): the freestanding guests under
# the monitor, on the arm64 lab's KVM (VHE). hello prints through the
# board's 16550A (found through the DT's stdout-path) and powers off with
# PSCI SYSTEM_OFF: exit 0, on 1 and on 2 vCPUs (the second stays powered
# off); undef's exception is reported through the debug-exit register (its
# 125 is not a guest's to give: status 122); an x86-only option is a user
# error (2); the real-time probe reports; the device tree can be dumped.
# Plain sh: L1 has busybox.
[ -c /dev/kvm ] || { echo "no /dev/kvm"; exit 77; }
[ "$(uname -m)" = aarch64 ] || { echo "not an arm64 host"; exit 77; }
T=${TESSERA:-/lab/bin/tessera}
G=${GUESTS:-/lab/guests}
[ -x "$T" ] || { echo "$T missing (make ARCH=arm64)"; exit 1; }
hello="Hello from a Tessera partition!"
fail() { echo "FAIL: $*"; exit 1; }

# run EXPECTED_STATUS TEXT ARGS...: the status and the console text must match.
run() {
	want=$1 text=$2
	shift 2
	out=$(timeout -s KILL 60 "$T" run "$@" 2>&1)
	st=$?
	[ "$st" = "$want" ] || { echo "$out"; fail "tessera run $*: status $st, want $want"; }
	[ -z "$text" ] || case $out in
		*"$text"*) ;;
		*) echo "$out"; fail "tessera run $*: no '$text'" ;;
	esac
}

run 0 "$hello" --kernel "$G/hello.elf" --memory 64M
run 0 "$hello" --kernel "$G/hello.elf" --memory 64M --cpus 2
run 122 "unexpected exception 4 ESR 0x0000000002000000" --kernel "$G/undef.elf" --memory 64M
run 2 "x86 only" --kernel "$G/hello.elf" --memory 64M --cpu-template host
# The real-time probe (EL0 task, virtual timer through the vGIC): it
# reports (rt_partition.sh, linked here, skips its pinning half on L1's one CPU).
run 0 "rtprobe: latency cpl3 min_ns=" --kernel "$G/rtprobe.elf" --memory 64M \
	--cmdline "rtprobe.periods=100 rtprobe.warmup=10"
case $out in *"rtprobe: ok"*) ;; *) echo "$out"; fail "rtprobe: no ok" ;; esac
echo "$out" | grep "^rtprobe: \(tsc_khz\|latency\|counter\)"
run 0 "" --kernel "$G/hello.elf" --memory 64M --cpus 2 --dump-dtb "$TMPDIR/t.dtb"
[ -s "$TMPDIR/t.dtb" ] || fail "--dump-dtb wrote nothing"
echo "PASS tessera_guests"
