#!/usr/bin/env bash
# --dump-dtb describes the partition and starts nothing: no device I/O
# thread or worker, no vCPU thread; and the main thread writes the tree
# and tears down under its seccomp filter, as after a run.
# TESSERA_TEST_STALL=teardown holds the monitor after the tree is written
# and before any device is torn down, and /proc lists its threads and the
# main thread's filters; the same hold after a run has started
# (TESSERA_TEST_STALL=run) shows the threads and the filter, so the check
# can tell.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
truncate -s 1M "$TMP/disk"

# threads PHASE ARGS...: starts tessera (echo guest) held in PHASE and
# prints the names of its threads, one a line, sorted; the main thread's
# seccomp filter count goes to $TMP/filters. Kills it.
threads() {
	local phase=$1 pid
	shift
	: >"$TMP/err"
	TESSERA_TEST_STALL=$phase "$TESSERA" run --kernel "$GUESTS/echo.elf" -v "$@" \
		</dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 1200); do # 60 s: a loaded host
		grep -qF "stalling in $phase" "$TMP/err" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	grep -qF "stalling in $phase" "$TMP/err" ||
		fail "never held in $phase: $(head -c 2000 "$TMP/err")"
	cat /proc/"$pid"/task/*/comm | sort
	sed -n 's/^Seccomp_filters:[[:space:]]*//p' /proc/"$pid"/status >"$TMP/filters"
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
}

run=$(threads run --disk path="$TMP/disk")
run_filters=$(cat "$TMP/filters")
case $run in
*vblk-io*) ;;
*) fail "a run's threads lack vblk-io (the check would prove nothing): $(echo $run)" ;;
esac
bare=$(threads teardown --dump-dtb "$TMP/bare.dtb")
dump=$(threads teardown --dump-dtb "$TMP/disk.dtb" --disk path="$TMP/disk")
dump_filters=$(cat "$TMP/filters")
[ -s "$TMP/disk.dtb" ] || fail "--dump-dtb wrote no tree: $(head -c 2000 "$TMP/err")"
case $dump in
*vblk*|*vnet*|*vcpu*) fail "--dump-dtb started threads: $(echo $dump)" ;;
esac
# Unnamed threads too: a disk adds none to a dump without one.
[ "$dump" = "$bare" ] ||
	fail "--dump-dtb with a disk has threads '$(echo $dump)', without one '$(echo $bare)'"
# Seccomp_filters (Linux 5.9): the main thread's filter is on in both.
if [ -n "$run_filters" ]; then
	[ "$run_filters" -gt 0 ] || fail "a run's main thread has no seccomp filter (the check would prove nothing)"
	[ "$dump_filters" = "$run_filters" ] ||
		fail "--dump-dtb: the main thread has $dump_filters seccomp filter(s), after a run $run_filters"
else
	echo "no Seccomp_filters in /proc (Linux < 5.9): the filter is not checked"
fi
echo "dump threads: $(echo $dump); run threads: $(echo $run); main thread filters: $dump_filters"
echo "PASS dump_dtb_idle"
