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
truncate -s 1M "$TMP/disk"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

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
stop_within() {
	local t0 sig=$1
	t0=$(now_ms)
	kill -"$sig" "$pid" 2>/dev/null # it may have just ended by itself
	for _ in $(seq 400); do kill -0 "$pid" 2>/dev/null || break; sleep 0.01; done
	took=$(($(now_ms) - t0))
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid"
		fail "SIG$sig did not end tessera within 4 s; stderr: $(head -c 2000 "$TMP/err")"
	fi
	RC=0
	wait "$pid" || RC=$?
	[ "$took" -le "$BOUND_MS" ] || fail "SIG$sig took $took ms (bound $BOUND_MS)"
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
