#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# soak.sh: boot the lab again and again, with a CPU-heavy job beside it, and
# count the boots in which L1 stopped answering (issue "a monitor a supervisor
# can trust", item 9).
#
# usage: scripts/lab/soak.sh [BOOTS [TEST...]]     (default: 30 boots of lab-kvm)
#
# Each boot is one scripts/lab/run.sh (LAB_TIMEOUT bounds it, LAB_SILENCE
# detects a silent L1 and the watchdog's single reboot is turned off here:
# LAB_REBOOT=0, so a stall is counted, not hidden). A stress-ng CPU hog runs
# on one CPU for the whole soak (SOAK_HOG=0: none). Prints one line per boot
# and a last line "soak: N boots, S stalled, F failed"; exits 1 if any boot
# stalled or failed. Bounded: BOOTS x LAB_TIMEOUT at most.
#
# SOAK_PAUSE=1 adds what a crowded host does to L1 (several labs on two
# cores): every 1 to 3 s the soak's QEMU is stopped for 0.1 to 1.5 s
# (SIGSTOP, SIGCONT), so L1 misses stretches of time its TCG clocks (host
# time) do not miss. Each boot's L1 prints its clock setup (LAB-INFO clock);
# a stalled boot leaves QEMU's view of L1 in console-N.log.stall.
#
# Tests marked "# lab: smp" (partitions, rt_partition) in the list make each
# boot two L1 boots, as in CI: the one-CPU L1 for the others, then a -smp 2
# L1 for them; the boot's line names which one stalled. SOAK_BUDGET=SECONDS
# starts no boot after that many seconds (the lab lock is shared: a soak in
# slots), and the last line says how many boots ran. SOAK_LOCK=FILE takes
# that lock (flock) around each boot instead, so that other lab users get the
# lab between boots: the hog is stopped while the soak does not hold it, and
# the soak waits SOAK_GAP (5) seconds after each boot before asking again.
# Run it without an outer flock then. The first boot's kernel and initramfs
# are reused by the others (run.sh's LAB_REUSE; SOAK_REUSE=0: rebuilt each
# boot), which saves 30 to 50 s a boot on a loaded machine.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
boots=${1:-30}
shift || true
tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(lab-kvm)
# LAB_SILENCE: run.sh's default (the per-test bound + 90 s), as CI runs it; a
# shorter one counts a slow test (partitions under load) as a stall.
export LAB_TIMEOUT=${LAB_TIMEOUT:-300} LAB_REBOOT=0
log=${SOAK_LOG:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-soak.XXXXXX")}
mkdir -p "$log"
[ "${SOAK_REUSE:-1}" = 0 ] || export LAB_REUSE=$log/reuse
hog=
if [ "${SOAK_HOG:-1}" = 1 ] && command -v stress-ng >/dev/null; then
	# In a process group of its own (setsid), so that its worker can be
	# stopped and continued with it.
	setsid stress-ng --cpu 1 --timeout $((boots * LAB_TIMEOUT * 3))s >/dev/null 2>&1 &
	hog=$!
fi
# The soak's own QEMUs: run.sh's temp dirs are under $log/tmp.
mkdir -p "$log/tmp"
export TMPDIR=$log/tmp
soak_qemus() {
	local p comm
	for p in $(pgrep -f -- "$log/tmp/tessera-lab"); do
		read -r comm <"/proc/$p/comm" 2>/dev/null || continue
		case $comm in qemu-system*) echo "$p" ;; esac
	done
}
rnd() { awk -v r="$RANDOM" -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a + (b - a) * r / 32767 }'; }
pauser=
if [ "${SOAK_PAUSE:-0}" = 1 ]; then
	(
		trap 'kill -CONT $(soak_qemus) 2>/dev/null; exit 0' TERM
		while :; do
			sleep "$(rnd 1 3)"
			for p in $(soak_qemus); do
				kill -STOP "$p" 2>/dev/null || continue
				sleep "$(rnd 0.1 1.5)"
				kill -CONT "$p" 2>/dev/null
			done
		done
	) &
	pauser=$!
fi
hog_sig() { [ -z "$hog" ] || kill "-$1" -- "-$hog" 2>/dev/null; }
trap 'hog_sig CONT; hog_sig TERM; [ -n "$pauser" ] && kill "$pauser" 2>/dev/null' EXIT
if [ -n "${SOAK_LOCK:-}" ]; then
	exec {lockfd}>>"$SOAK_LOCK"
	hog_sig STOP
else
	# A descriptor for run.sh's {lockfd}>&- to close all the same.
	exec {lockfd}</dev/null
fi
stalled=0 failed=0 ran=0 soak_t0=$EPOCHREALTIME
for i in $(seq "$boots"); do
	if [ -n "${SOAK_BUDGET:-}" ] &&
		awk -v a="$soak_t0" -v b="$EPOCHREALTIME" -v m="$SOAK_BUDGET" 'BEGIN { exit !(b - a >= m) }'; then
		echo "soak: budget of ${SOAK_BUDGET}s spent: stopping before boot $i"
		break
	fi
	ran=$i
	if [ -n "${SOAK_LOCK:-}" ]; then
		tw=$EPOCHREALTIME
		flock "$lockfd"
		hog_sig CONT
		waited=$(awk -v a="$tw" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
	fi
	t0=$EPOCHREALTIME
	LAB_LOG=$log/console-$i.log "$HERE/run.sh" "${tests[@]}" >"$log/run-$i.log" 2>&1 {lockfd}>&-
	rc=$?
	if [ -n "${SOAK_LOCK:-}" ]; then
		hog_sig STOP
		flock -u "$lockfd"
		[ "$i" = "$boots" ] || sleep "${SOAK_GAP:-5}"
	fi
	dt=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0) verdict=ok ;;
	4) verdict=STALLED; stalled=$((stalled + 1)) ;;
	*) verdict="FAILED ($rc)"; failed=$((failed + 1)) ;;
	esac
	# Which L1 went silent: the one-CPU pass, or the smp pass after
	# run.sh's "L1 with N CPUs for" line.
	where=$(awk '/L1 with [0-9]+ CPUs for/ { n = $4 " CPUs" }
		/L1 silent for [0-9]+s during/ { sub(/.*during /, ""); sub(/: stopping it.*/, "");
			printf " [silent during %s, L1 with %s]", $0, n ? n : "1 CPU" }' "$log/run-$i.log")
	echo "soak: boot $i/$boots: $(date -u +%H:%M:%S) $verdict in ${dt}s (load $(cut -d' ' -f1 /proc/loadavg)${waited:+, waited ${waited}s for the lock})$where$([ "$rc" = 0 ] || echo " (see $log/run-$i.log)")"
done
echo "soak: $ran boots, $stalled stalled, $failed failed (logs in $log)"
# L1's clocks over the soak: one line per distinct setup, with its count.
grep -ah '^LAB-INFO clock end:' "$log"/console-*.log 2>/dev/null | sort | uniq -c | sed 's/^/soak: /'
grep -ahi '^LAB-INFO clock: ' "$log"/console-*.log 2>/dev/null | sort | uniq -c | sed 's/^/soak: /' | head -n 10
[ "$stalled" = 0 ] && [ "$failed" = 0 ]
