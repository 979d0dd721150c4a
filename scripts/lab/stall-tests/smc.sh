#!/bin/sh
# lab: smp
# SPDX-License-Identifier: GPL-2.0
# Issue 19 item 9's reproducer (the two-CPU L1 hang; scripts/lab/README.md):
#   SOAK_LOCK=/tmp/tessera-lab-x86.lock LAB_TESTS_DIR=$PWD/scripts/lab/stall-tests \
#       LAB_SILENCE=150 LAB_TEST_TIMEOUT=130 scripts/lab/soak.sh 3 smc
# (LAB_ACCEL=tcg,thread=single for the other TCG). It patches kernel text in
# __schedule over and over while both CPUs schedule. Enabling and disabling
# the sched_switch tracepoint flips a jump label inside __schedule
# (text_poke_bp: int3, sync IPIs, final bytes), as KVM's preempt-notifier
# key does at every first VM create and last VM destroy; tessera runs
# hello.elf in a loop beside (that KVM path), and a one-byte pipe keeps
# both CPUs switching tasks. A stale translation of the patched bytes in
# the other vCPU would loop it in exc_int3 at the site with IRQs off.
secs=${SMC_SECS:-90}
T=/sys/kernel/tracing
[ -d $T/events ] || mount -t tracefs nodev $T 2>/dev/null
[ -d $T/events ] || { mount -t debugfs nodev /sys/kernel/debug 2>/dev/null; T=/sys/kernel/debug/tracing; }
ev=$T/events/sched/sched_switch/enable
[ -w $ev ] || { echo "no $ev"; exit 1; }
end=$(($(date +%s) + secs))
dd if=/dev/zero bs=1 count=2000000000 2>/dev/null | dd of=/dev/null bs=1 2>/dev/null &
(
	r=0
	while [ "$(date +%s)" -lt $end ]; do
		"$TESSERA" run --kernel "$GUESTS/hello.elf" >/dev/null 2>&1
		r=$((r + 1))
	done
	echo "vm runs: $r"
) &
vm=$!
n=0
while [ "$(date +%s)" -lt $end ]; do
	echo 1 >$ev
	echo 0 >$ev
	n=$((n + 1))
done
wait $vm
pkill -x dd
echo "tracepoint toggles: $n"
