#!/usr/bin/env bash
# lab: smp (two host CPUs: the lab runs it in an L1 with -smp 2)
# scripts/partitions.sh: two partitions from two files (tessera run
# --config) run side by side on their own host CPUs and both report;
# overlapping CPU sets are refused before anything starts; SIGTERM stops
# every partition and leaves no monitor behind.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
launcher=$HERE/scripts/partitions.sh
[ -x "$launcher" ] || skip "no scripts/partitions.sh here"
[ "$(nproc)" -ge 2 ] || skip "needs two host CPUs"
export TESSERA

part() { # part NAME CPU PERIODS [more lines]
	local name=$1 cpu=$2 periods=$3
	shift 3
	{
		echo "# partition $name"
		echo "kernel = $GUESTS/rtprobe.elf"
		echo "name = $name"
		echo "pin = 0=$cpu"
		echo "cmdline = rtprobe.periods=$periods rtprobe.warmup=10"
		printf '%s\n' "$@"
	} >"$TMP/$name.conf"
}

# --- two partitions, disjoint CPUs, both finish -------------------------------
part p0 0 300
part p1 1 300 "memory = 32M"
RC=0
timeout -k 5 100 "$launcher" "$TMP/p0.conf" "$TMP/p1.conf" >"$TMP/out" 2>"$TMP/err" || RC=$?
expect_rc 0
expect_out "[p0] rtprobe: ok"
expect_out "[p1] rtprobe: ok"
expect_err "p0 exited 0"
expect_err "p1 exited 0"

# --- flags on the command line override the file ------------------------------
run_guest "" --config "$TMP/p1.conf" --cmdline "rtprobe.periods=20 rtprobe.warmup=1" --pin 0=0
expect_rc 0
expect_out "periods=20 "

# --- overlapping CPU sets are refused -------------------------------------------
part q0 1 300
RC=0
"$launcher" "$TMP/p1.conf" "$TMP/q0.conf" >"$TMP/out" 2>"$TMP/err" || RC=$?
expect_rc 2
expect_err "both pin a vCPU to host CPU 1"
[ ! -s "$TMP/out" ] || fail "a partition started: $(cat "$TMP/out")"
part q1 0 300 "io-cpus = 1"
RC=0
"$launcher" "$TMP/p1.conf" "$TMP/q1.conf" >"$TMP/out" 2>"$TMP/err" || RC=$?
expect_rc 2
expect_err "where $TMP/p1.conf pins a vCPU"

# --- SIGTERM stops them all -------------------------------------------------------
part l0 0 1000000
part l1 1 1000000
"$launcher" -l "$TMP/logs" "$TMP/l0.conf" "$TMP/l1.conf" 2>"$TMP/err" &
lpid=$!
for _ in $(seq 200); do
	[ "$(grep -l "rtprobe: tsc_khz" "$TMP"/logs/*.log 2>/dev/null | wc -l)" -eq 2 ] && break
	sleep 0.05
done
[ "$(grep -l "rtprobe: tsc_khz" "$TMP"/logs/*.log 2>/dev/null | wc -l)" -eq 2 ] || fail "partitions did not start: $(cat "$TMP/err")"
mons=$(pgrep -P "$lpid" -d ' ' -f "tessera run") || fail "no monitors under the launcher"
kill -TERM "$lpid"
RC=0
for _ in $(seq 100); do kill -0 "$lpid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$lpid" 2>/dev/null && fail "launcher still running 5 s after SIGTERM"
wait "$lpid" || RC=$?
expect_rc 143
for m in $mons; do
	kill -0 "$m" 2>/dev/null && fail "monitor $m survived"
done
expect_err "SIGTERM: stopping 2 partition(s)"
echo "PASS partitions"
