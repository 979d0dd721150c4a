#!/usr/bin/env bash
# Issue 19 item 2: a stop signal ends the monitor within 2 s in every phase
# (parsing, preflight, building, the run, the teardown), with one line
# saying what was stuck, even when the phase is stuck for good (the
# test-only TESSERA_TEST_STALL and TESSERA_TEST_IOTHREAD_STALL hooks hold
# the thread there the way an open of a hung file would); then SIGTERM at
# random moments of short runs.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
BOUND_MS=2000
# The monitor's own budget (vmm/stop.h STOP_BOUND_MS: a clean stop is given
# 1000 ms, then it ends anyway) plus 200 ms for its signal thread to be
# woken on a loaded machine.
OWN_MS=1200
truncate -s 1M "$TMP/disk"

# Milliseconds, without a fork (bash 5's EPOCHREALTIME; date(1) before it).
now_ms() {
	if [ -n "${EPOCHREALTIME:-}" ]; then
		local t=${EPOCHREALTIME/[.,]/}
		echo $((10#$t / 1000))
	else
		echo $(($(date +%s%N) / 1000000))
	fi
}

# start_wait PATTERN ENV... -- ARGS: starts tessera in the background with
# ENV, waits (5 s at most) for PATTERN in its stderr; sets $pid.
start_wait() {
	local pattern=$1 envs=()
	shift
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	: >"$TMP/err"
	env "${envs[@]}" "$TESSERA" run "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 100); do
		grep -qF -- "$pattern" "$TMP/err" && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	fail "never saw '$pattern': $(head -c 2000 "$TMP/err")"
}

# stop_within SIG: sends SIG to $pid, fails unless it ends within
# BOUND_MS; leaves the status in $RC and the time taken in $took.
# The end is taken by wait (woken by SIGCHLD), not by polling with a fork
# of sleep(1) per 10 ms, which a loaded 2-CPU machine runs late: the
# measure is the monitor's, not the poll's.
# A miss of BOUND_MS is the machine's, not the monitor's, when the monitor's
# own part, from its signal to its decision to end (the "after N ms" of its
# last line; a stop without that line ended cleanly within its 1000 ms), is
# within OWN_MS: then the rest was spent waiting for a CPU (the exit of its
# threads, the wake-up of this shell). Measured at load 10 (stress-ng --cpu
# 10 beside): monitor's part 1000-1111 ms, its CPU time 10-18 ms, wall
# 1100-1390 ms. A hard 4 s bound holds either way.
stop_within() {
	local t0 sig=$1 dog own
	t0=$(now_ms)
	kill -"$sig" "$pid" 2>/dev/null # it may have just ended by itself
	(
		s=
		trap '[ -z "$s" ] || kill "$s" 2>/dev/null; exit 0' TERM
		sleep 4 &
		s=$!
		wait "$s" && kill -9 "$pid" 2>/dev/null
	) &
	dog=$!
	RC=0
	wait "$pid" || RC=$?
	took=$(($(now_ms) - t0))
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	[ "$RC" != 137 ] ||
		fail "SIG$sig did not end tessera within 4 s; stderr: $(head -c 2000 "$TMP/err")"
	[ "$took" -gt "$BOUND_MS" ] || return 0
	own=$(sed -n "s/.*: still .* after \([0-9]*\) ms; exiting anyway$/\1/p" "$TMP/err" | tail -n 1)
	[ -n "$own" ] || own="<1000"
	if [ "${own#<}" -le "$OWN_MS" ]; then
		echo "note: SIG$sig took $took ms (bound $BOUND_MS) on a loaded machine" \
			"($(cut -d ' ' -f 1-3 /proc/loadavg)): the monitor's own part $own ms"
		return 0
	fi
	fail "SIG$sig took $took ms (bound $BOUND_MS), the monitor's own part $own ms (bound $OWN_MS)"
}

# Each phase, stuck for good: the signal ends it anyway, saying where.
for phase in parse preflight create run teardown; do
	start_wait "stalling in $phase" TESSERA_TEST_STALL=$phase -- \
		--kernel "$GUESTS/hello.elf" --disk path="$TMP/disk" -v
	stop_within TERM
	expect_rc 143
	case $phase in
	parse) expect_err "stopped by SIGTERM while parsing the command line" ;;
	preflight) expect_err "stopped by SIGTERM while checking the files" ;;
	create) expect_err "stopped by SIGTERM while building the partition" ;;
	run) expect_err "SIGTERM: still running the partition after" ;;
	teardown) expect_err "SIGTERM: still tearing the partition down after" ;;
	esac
	echo "phase $phase: stopped in $took ms"
done

# SIGINT and SIGHUP too (the run phase: a clean stop is asked first).
for sig in INT HUP; do
	start_wait "stalling in run" TESSERA_TEST_STALL=run -- \
		--kernel "$GUESTS/hello.elf" -v
	stop_within "$sig"
	expect_rc $((128 + $(kill -l "$sig")))
	expect_err "SIG$sig: still running the partition after"
done

# An I/O thread that never comes back: the guest is done (status 0
# asked), the teardown waits on the thread; SIGTERM ends it in time and
# names the thread.
start_wait ": TESSERA_TEST_IOTHREAD_STALL: the I/O thread stalls" TESSERA_TEST_IOTHREAD_STALL=1 -- \
	--kernel "$GUESTS/hello.elf" --disk path="$TMP/disk" -v
# The guest has said hello and exited: the teardown waits 10 s on the thread.
for _ in $(seq 100); do grep -qF "Hello" "$TMP/out" && break; sleep 0.05; done
expect_out "Hello from a Tessera partition"
sleep 0.3
stop_within TERM
expect_rc 143
blk_at=0xd0000000
on_arm64 && blk_at=0xa000000 # the board's virtio-mmio window (layout.h)
expect_err "SIGTERM: still waiting for the I/O thread of virtio-blk@$blk_at to stop after"
echo "stuck I/O thread: stopped in $took ms"

# A disk on a FIFO was opened blocking with the signals blocked (the
# monitor could only be SIGKILLed): now it is refused at once, a user error.
mkfifo "$TMP/fifo"
run_guest hello --disk path="$TMP/fifo",ro
expect_rc 2
expect_err "is a FIFO, not a regular file or a block device"

# SIGTERM at random moments (0-80 ms after the start) of short runs, with a
# disk (an I/O thread), of hello (exits at once) and echo (idles): each ends within the bound with the guest's status or the signal's.
RANDOM=19
n=${STOP_ROUNDS:-30}
t_start=$(now_ms)
signalled=0
for i in $(seq "$n"); do
	guest=hello
	[ $((i % 2)) -eq 0 ] || guest=echo # idles until stopped
	"$TESSERA" run --kernel "$GUESTS/$guest.elf" --disk path="$TMP/disk" \
		</dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	sleep "$(printf '0.%03d' $((RANDOM % 80)))"
	if kill -0 "$pid" 2>/dev/null; then
		stop_within TERM
	else
		RC=0
		wait "$pid" || RC=$?
	fi
	case $RC in
	0) ;;
	143) signalled=$((signalled + 1)) ;;
	*) fail "round $i: status $RC; stderr: $(head -c 2000 "$TMP/err")" ;;
	esac
done
total=$(($(now_ms) - t_start))
echo "random SIGTERM: $n rounds ($signalled ended by the signal) in $total ms"
[ "$total" -le $((n * 2500)) ] || fail "$n rounds took $total ms"
echo "PASS stop_bounded"
