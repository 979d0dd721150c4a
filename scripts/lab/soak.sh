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
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
boots=${1:-30}
shift || true
tests=("$@")
[ "${#tests[@]}" -gt 0 ] || tests=(lab-kvm)
export LAB_TIMEOUT=${LAB_TIMEOUT:-300} LAB_SILENCE=${LAB_SILENCE:-90} LAB_REBOOT=0
log=${SOAK_LOG:-$(mktemp -d "${TMPDIR:-/tmp}/tessera-soak.XXXXXX")}
mkdir -p "$log"
hog=
if [ "${SOAK_HOG:-1}" = 1 ] && command -v stress-ng >/dev/null; then
	stress-ng --cpu 1 --timeout $((boots * LAB_TIMEOUT))s >/dev/null 2>&1 &
	hog=$!
fi
trap '[ -n "$hog" ] && kill "$hog" 2>/dev/null' EXIT
stalled=0 failed=0
for i in $(seq "$boots"); do
	t0=$EPOCHREALTIME
	LAB_LOG=$log/console-$i.log "$HERE/run.sh" "${tests[@]}" >"$log/run-$i.log" 2>&1
	rc=$?
	dt=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0) verdict=ok ;;
	4) verdict=STALLED; stalled=$((stalled + 1)) ;;
	*) verdict="FAILED ($rc)"; failed=$((failed + 1)) ;;
	esac
	echo "soak: boot $i/$boots: $verdict in ${dt}s$([ "$rc" = 0 ] || echo " (see $log/run-$i.log)")"
done
echo "soak: $boots boots, $stalled stalled, $failed failed (logs in $log)"
[ "$stalled" = 0 ] && [ "$failed" = 0 ]
