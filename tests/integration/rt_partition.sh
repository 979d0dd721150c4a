#!/usr/bin/env bash
# lab: smp (two host CPUs: the lab runs it in an L1 with -smp 2)
# Real-time partitions, seen from the host while the probe guest runs: one
# thread per vCPU named vcpuN; --pin, --rt fifo and --io-cpus land on the
# right threads (affinity and policy from /proc/PID/task/*/stat and
# chrt/taskset), the main thread stays SCHED_OTHER; the probe reports;
# and the refusals (no CAP_SYS_NICE, a CPU that does not exist, no huge
# pages) are one clear line and exit status 2, a user error. Needs root for the policy checks and two host
# CPUs for the pinning ones.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
probe=$GUESTS/rtprobe.elf
[ -f "$probe" ] || fail "no $probe"

# start_probe PERIODS FLAGS...: the probe in the background, pid in $pid.
start_probe() {
	local periods=$1
	shift
	: >"$TMP/out"
	"$TESSERA" run --kernel "$probe" --cmdline "rtprobe.periods=$periods" "$@" \
		</dev/null >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 200); do
		grep -q "rtprobe: tsc_khz" "$TMP/out" 2>/dev/null && return
		sleep 0.05
	done
	fail "probe never started: $(cat "$TMP/err")"
}

# tid NAME: the thread of $pid called NAME.
tid() {
	local t
	for t in /proc/"$pid"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = "$1" ] && { basename "$t"; return; }
	done
	fail "no thread named $1 in $pid: $(cat /proc/"$pid"/task/*/comm | tr '\n' ' ')"
}

# stat_field TID N: field N of /proc/PID/task/TID/stat (after the comm).
stat_field() {
	sed 's/^.*) //' /proc/"$pid"/task/"$1"/stat | awk -v n=$(($2 - 2)) '{ print $n }'
}

# finish_probe: waits for the probe, at most TEST_TIMEOUT (60) s; a probe
# still running then is a failure that says what each of its threads was
# doing (state, kernel wait channel, CPU time) and what it had printed.
finish_probe() {
	local waited=0 t
	RC=0
	while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt $((${TEST_TIMEOUT:-60} * 10)) ]; do
		sleep 0.1
		waited=$((waited + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		for t in /proc/"$pid"/task/*; do
			echo "  thread $(cat "$t/comm" 2>/dev/null): state $(sed 's/^.*) //' "$t/stat" 2>/dev/null |
				awk '{ print $1 ", utime " $12 ", stime " $13 ", last CPU " $37 }'), wchan $(cat "$t/wchan" 2>/dev/null)"
		done >"$TMP/threads"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		fail "the probe still ran after ${TEST_TIMEOUT:-60} s; its threads:
$(cat "$TMP/threads")
its output (last lines): $(tail -n 5 "$TMP/out")
stderr: $(head -c 1000 "$TMP/err")"
	fi
	wait "$pid" || RC=$?
	expect_rc 0
	expect_out "rtprobe: ok"
	expect_out "rtprobe: latency cpl3 min_ns="
	expect_out "rtprobe: counter cpl3 min="
}

# --- the probe runs and reports on its own ---------------------------------
run_guest rtprobe --cmdline "rtprobe.periods=200 rtprobe.warmup=10"
expect_rc 0
for line in "latency cpl0" "latency cpl3" "hist cpl3" "counter cpl3" "overruns=" "ok"; do
	expect_out "rtprobe: $line"
done
run_guest rtprobe --cmdline "rtprobe.periods=100 rtprobe.idle=spin"
expect_rc 0
expect_out "idle=spin"
expect_out "rtprobe: ok"

# --- one thread per vCPU, each named vcpuN ----------------------------------
start_probe 1500 --cpus 3
for n in 0 1 2; do tid "vcpu$n" >/dev/null; done
[ "$(cat /proc/"$pid"/task/*/comm | grep -c '^vcpu')" -eq 3 ] || fail "expected 3 vCPU threads"
finish_probe

[ "$(nproc)" -ge 2 ] || skip "pinning checks need two host CPUs"
[ "$(id -u)" -eq 0 ] || skip "SCHED_FIFO checks need root"

# --- pinned, SCHED_FIFO vCPU, main thread elsewhere and SCHED_OTHER -------
start_probe 1500 --pin 0=1 --io-cpus 0 --rt fifo:12 --mlock
v=$(tid vcpu0)
[ "$(stat_field "$v" 41)" -eq 1 ] || fail "vcpu0 policy $(stat_field "$v" 41), expected 1 (SCHED_FIFO)"
[ "$(stat_field "$v" 40)" -eq 12 ] || fail "vcpu0 rt_priority $(stat_field "$v" 40), expected 12"
[ "$(stat_field "$v" 39)" -eq 1 ] || fail "vcpu0 last ran on CPU $(stat_field "$v" 39), expected 1"
chrt -p "$v" | grep -q "SCHED_FIFO" || fail "chrt: $(chrt -p "$v")"
chrt -p "$v" | grep -q "priority: 12" || fail "chrt: $(chrt -p "$v")"
taskset -pc "$v" | grep -q "list: 1$" || fail "vcpu0 affinity: $(taskset -pc "$v")"
[ "$(stat_field "$pid" 41)" -eq 0 ] || fail "main thread policy $(stat_field "$pid" 41), expected 0 (SCHED_OTHER)"
taskset -pc "$pid" | grep -q "list: 0$" || fail "main thread affinity: $(taskset -pc "$pid")"
grep -q "VmLck:.*[1-9]" /proc/"$pid"/status || fail "--mlock: nothing locked: $(grep VmLck /proc/"$pid"/status)"
finish_probe

# --- two vCPUs on two CPUs, SCHED_OTHER; the AP waits for SIPI ----------------
start_probe 1000 --cpus 2 --pin 0=1,1=0
for n in 0 1; do
	v=$(tid "vcpu$n")
	want=$((1 - n))
	taskset -pc "$v" | grep -q "list: $want$" || fail "vcpu$n affinity: $(taskset -pc "$v")"
	[ "$(stat_field "$v" 41)" -eq 0 ] || fail "vcpu$n is not SCHED_OTHER"
done
finish_probe

# --- the pinned host CPU is in the device tree --------------------------------
if command -v fdtget >/dev/null; then
	run_guest rtprobe --cpus 2 --pin 0=1,1=0 --dump-dtb "$TMP/p.dtb"
	expect_rc 0
	[ "$(fdtget "$TMP/p.dtb" /cpus/cpu@0 tessera,host-cpu)" = 1 ] || fail "cpu@0 host-cpu"
	[ "$(fdtget "$TMP/p.dtb" /cpus/cpu@1 tessera,host-cpu)" = 0 ] || fail "cpu@1 host-cpu"
fi

# --- refusals: one line each, nothing run -------------------------------------
one_line() { # one_line "what stderr says" tessera-args...
	local want=$1
	shift
	RC=0
	timeout -k 5 "${TEST_TIMEOUT:-60}" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" || RC=$?
	[ "$RC" -eq 2 ] || fail "'$*': exit $RC, expected 2 (a user error)"
	grep -v "not isolated" "$TMP/err" >"$TMP/err1" || true
	[ "$(wc -l <"$TMP/err1")" -eq 1 ] || fail "'$*': expected one error line: $(cat "$TMP/err")"
	grep -qF -- "$want" "$TMP/err1" || fail "'$*': stderr lacks '$want': $(cat "$TMP/err")"
	[ ! -s "$TMP/out" ] || fail "'$*': the guest ran"
}
one_line "needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least 30 (it is 0" \
	setpriv --inh-caps=-sys_nice --bounding-set=-sys_nice prlimit --rtprio=0 \
	"$TESSERA" run --kernel "$probe" --pin 0=1 --rt fifo:30
one_line "host CPU $(nproc) (vCPU 0) does not exist" "$TESSERA" run --kernel "$probe" --pin "0=$(nproc)"
one_line "not in this process's allowed CPUs (0)" taskset -c 0 "$TESSERA" run --kernel "$probe" --pin 0=1
one_line "--io-cpus: host CPU 1 is vCPU 0's" "$TESSERA" run --kernel "$probe" --pin 0=1 --io-cpus 0-1
if [ "$(awk '/HugePages_Free/ { print $2 }' /proc/meminfo)" -lt 32 ]; then
	one_line "--hugepages: cannot map 64 MiB of huge pages" "$TESSERA" run --kernel "$probe" --hugepages
fi

# --- cgroup v1 cpuset or v2: the monitor moves in -------------------------------
cg=""
if [ -w /sys/fs/cgroup/cpuset/cgroup.procs ]; then
	cg=/sys/fs/cgroup/cpuset/tessera-test.$$
	mkdir "$cg" && cat /sys/fs/cgroup/cpuset/cpuset.cpus >"$cg/cpuset.cpus" &&
		cat /sys/fs/cgroup/cpuset/cpuset.mems >"$cg/cpuset.mems" || fail "cannot set up $cg"
	trap 'main_shell && { cleanup; rmdir "$cg" 2>/dev/null; }' EXIT
	start_probe 500 --cgroup "$cg"
	grep -q "cpuset:/tessera-test.$$" /proc/"$pid"/cgroup || fail "not in $cg: $(cat /proc/"$pid"/cgroup)"
	finish_probe
	mkdir "$cg/empty"
	one_line "cpuset.cpus or cpuset.mems is empty" "$TESSERA" run --kernel "$probe" --cgroup "$cg/empty"
	rmdir "$cg/empty"
fi
one_line "no/such/group" "$TESSERA" run --kernel "$probe" --cgroup no/such/group
echo "PASS rt_partition"
