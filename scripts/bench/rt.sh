#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Real-time benchmark (issues 9 and 17 item 5; docs/realtime.md): the probe
# guest (guests/rt/) against the platform's own floor, in one run. Each
# configuration runs alone and beside a noisy neighbour (stress-ng on every
# host CPU, the measured one included, bounded in time):
#
#   (a) probe unpinned, SCHED_OTHER
#   (b) probe's vCPU pinned (--pin), main thread on another CPU (--io-cpus)
#   (c) as (b) + --rt fifo (SCHED_FIFO, HLT/PAUSE exits disabled) + --mlock
#   (h) cyclictest (Debian's rt-tests) on the host: pinned to the vCPU's
#       CPU, SCHED_FIFO at the same priority, mlockall, the same period and
#       number of periods: the host's own wake-up latency
#   (l) the host loop (rt_host): the probe's work, from the same source
#       (guests/rt/work.h), in a host thread pinned, FIFO and locked as (c):
#       the host's own counter deviation
#
# Prints one row per run: wake-up latency min/avg/p99/max (the guest's as
# ring 3 sees it: deadline to its work loop resuming; the p99 of each from
# its 1 us histogram), and the work counter's spread (largest deviation
# from the mean, periods more than 3 % off). Then the goals, never asserted:
#   1. (c) under load: max latency <= 1.2 x cyclictest's max under load;
#   2. (c) under load: counter max deviation <= 1.2 x the host loop's.
# Writes the table (rt.txt), the latency histograms (data/*.hist) and a
# plot of them (rt-latency.png, one curve per configuration, alone and
# under load, log-scale counts against latency) into RT_OUT.
# Fails (status 1, one "rt bench: FAIL" line) if any run measured nothing.
#
# Environment: TESSERA, GUESTS, BENCH (make's build dirs), RT_DURATION
# (seconds per configuration, 60), PERIOD_US (1000), PERIODS (from
# RT_DURATION), VCPU_CPU (last CPU), IO_CPU (CPU 0), RT_PRIO (50), NOISE
# ("stress-ng --cpu N --taskset all"), RT_OUT (BUILD/bench-rt),
# KEEP_RT_THROTTLE (unset: as root, lift the kernel's RT throttling during
# the run and restore it), BENCH_SMOKE=1 (make check: 0.1 s per
# configuration; figures meaningless, every line must come out).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
. "$here/lib.sh"
BUILD=${BUILD:-$top/build}
TESSERA=${TESSERA:-$BUILD/tessera}
GUESTS=${GUESTS:-$BUILD/guests}
BENCH=${BENCH:-$BUILD/bench}
smoke=
[ -n "${BENCH_SMOKE:-}" ] && [ "${BENCH_SMOKE:-}" != 0 ] && smoke=1
PERIOD_US=${PERIOD_US:-1000}
RT_DURATION=${RT_DURATION:-$([ -n "$smoke" ] && echo 0.1 || echo 60)}
PERIODS=${PERIODS:-$(awk -v d="$RT_DURATION" -v p="$PERIOD_US" 'BEGIN { printf "%d", d * 1e6 / p }')}
WARMUP=$([ -n "$smoke" ] && echo 20 || echo 50)
SETTLE=$([ -n "$smoke" ] && echo 0.2 || echo 1)
ncpu=$(nproc)
VCPU_CPU=${VCPU_CPU:-$((ncpu - 1))}
IO_CPU=${IO_CPU:-0}
RT_PRIO=${RT_PRIO:-50}
RT_OUT=${RT_OUT:-$BUILD/bench-rt}
probe=$GUESTS/rtprobe.elf
host_loop=$BENCH/rt_host
# The neighbour is stopped when each run ends; its own timeout is only a
# bound should this script die. It is generous because a late probe skips
# the periods it missed and counts wake-ups, not periods: an unpinned one
# under load runs several times RT_DURATION.
secs=$(awk -v n="$PERIODS" -v w="$WARMUP" -v p="$PERIOD_US" 'BEGIN { printf "%d", 8 * (n + w) * p / 1e6 + 60 }')
NOISE=${NOISE:-stress-ng --cpu $ncpu --cpu-method all --timeout ${secs}s --quiet}

# What a run needs; a missing tool is installed (as root) or one line.
need() { # need CODE WHAT: CODE 77 in smoke mode (skip), else 2
	echo "rt bench: $2" >&2
	exit "$([ -n "$smoke" ] && echo 77 || echo 2)"
}
[ -f "$probe" ] || need 2 "no $probe (make first)"
[ -x "$host_loop" ] || need 2 "no $host_loop (make bench-rt builds it)"
[ -r /dev/kvm ] || need 77 "needs /dev/kvm"
[ "$ncpu" -ge 2 ] || need 77 "needs two host CPUs"
[ "$(id -u)" -eq 0 ] || need 77 "needs root (SCHED_FIFO, mlock, cyclictest)"
if ! command -v cyclictest >/dev/null || ! command -v gnuplot >/dev/null || ! command -v stress-ng >/dev/null; then
	"$top/scripts/install-deps.sh" rt-tests gnuplot-nox stress-ng >&2 ||
		need 77 "needs cyclictest, gnuplot and stress-ng (scripts/install-deps.sh rt-tests gnuplot-nox stress-ng)"
fi

mkdir -p "$RT_OUT/data"
rm -f "$RT_OUT"/data/* "$RT_OUT/rt.txt" "$RT_OUT/rt-latency.png"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-rt.XXXXXX")
rt_runtime=/proc/sys/kernel/sched_rt_runtime_us
old_runtime=$(cat "$rt_runtime" 2>/dev/null || echo)
noise_pid=
# Only in the main shell: a noise job killed before its exec would run
# this trap in the child (tests/integration/lib/common.bash, main_shell).
restore() {
	[ "$BASHPID" = "$$" ] || return 0
	[ -z "$noise_pid" ] || kill "$noise_pid" 2>/dev/null || true
	[ -z "${KEEP_RT_THROTTLE:-}" ] && [ -n "$old_runtime" ] && [ -w "$rt_runtime" ] &&
		echo "$old_runtime" >"$rt_runtime" 2>/dev/null || true
	rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 130' INT TERM

# RT throttling (or, since Linux 6.12, the fair deadline server) hands
# SCHED_OTHER tasks 50 ms of every second on a CPU that a SCHED_FIFO
# thread keeps busy: the textbook setting for a dedicated real-time core
# is to lift it. Done only for this run, and said in the header.
throttle="kept ($old_runtime us/s)"
if [ -z "${KEEP_RT_THROTTLE:-}" ] && [ -w "$rt_runtime" ] && echo -1 >"$rt_runtime" 2>/dev/null; then
	throttle="lifted for the run (sched_rt_runtime_us -1, was $old_runtime)"
fi

txt=$RT_OUT/rt.txt # the table, as printed
{
	echo "host: $(uname -r), $ncpu CPUs, kvm_pvm: $([ -e /sys/module/kvm_pvm ] && echo yes || echo no)," \
		"isolated: '$(cat /sys/devices/system/cpu/isolated 2>/dev/null)', RT throttling: $throttle"
	echo "every run: period ${PERIOD_US} us, $PERIODS periods (~${RT_DURATION} s, after $WARMUP warm-up), work window 40 %;" \
		"measured CPU $VCPU_CPU, other threads on CPU $IO_CPU in (b) and (c); FIFO priority $RT_PRIO${smoke:+; SMOKE MODE (BENCH_SMOKE): figures meaningless}"
	echo "noise: $NOISE (started ${SETTLE} s before each loaded run, stopped when it ends)"
	echo "latency: deadline -> the task runs again (guest: its ring-3 work loop; host: after clock_nanosleep), us; p99 from 1 us histograms"
	echo
	printf '%-38s %-6s %8s %8s %8s %9s   %8s %8s %8s %7s %6s %5s\n' configuration load \
		"min" "avg" "p99" "max" "cnt min" "cnt avg" "cnt max" maxdev ">3%" overr
} | tee -a "$txt"

declare -A ROW
failed=0
# run KEY LABEL LOAD KIND COMMAND...: one run, its row, its histogram.
run() {
	local key=$1 label=$2 load=$3 kind=$4 out row
	shift 4
	out=$RT_OUT/data/$key-$load.out
	if [ "$load" = loaded ]; then
		$NOISE >/dev/null 2>&1 &
		noise_pid=$!
		sleep "$SETTLE" # let the neighbour get going
	fi
	"$@" </dev/null >"$out" 2>"$tmp/err" || true
	if [ -n "$noise_pid" ]; then
		kill "$noise_pid" 2>/dev/null || true
		wait "$noise_pid" 2>/dev/null || true
		noise_pid=
	fi
	if ! row=$(rt_parse "$kind" "$out" "$RT_OUT/data/$key-$load.hist" 2>"$tmp/perr"); then
		printf '%-38s %-6s FAILED: %s %s\n' "$label" "$load" "$(tr '\n' ' ' <"$tmp/perr")" \
			"$(grep -v 'not isolated' "$tmp/err" | head -c 300 | tr '\n' ' ')" | tee -a "$txt"
		failed=$((failed + 1))
		return 0
	fi
	ROW[$key-$load]=$row
	# shellcheck disable=SC2086 # the row is space-separated on purpose
	printf '%-38s %-6s %8s %8s %8s %9s   %8s %8s %8s %7s %6s %5s\n' "$label" "$load" $row | tee -a "$txt"
}

ct_hist=20000 # cyclictest -h: 1 us buckets up to 20 ms, as the probe's (PROBE_FINE_US)
for load in idle loaded; do
	run a "(a) unpinned SCHED_OTHER" $load probe \
		"$TESSERA" run --kernel "$probe" --serial stdio \
		--cmdline "rtprobe.period_us=$PERIOD_US rtprobe.periods=$PERIODS rtprobe.warmup=$WARMUP"
	run b "(b) pinned" $load probe \
		"$TESSERA" run --kernel "$probe" --serial stdio --pin "0=$VCPU_CPU" --io-cpus "$IO_CPU" \
		--cmdline "rtprobe.period_us=$PERIOD_US rtprobe.periods=$PERIODS rtprobe.warmup=$WARMUP"
	run c "(c) pinned+FIFO+mlock+no-exits" $load probe \
		"$TESSERA" run --kernel "$probe" --serial stdio --pin "0=$VCPU_CPU" --io-cpus "$IO_CPU" \
		--rt "fifo:$RT_PRIO" --mlock \
		--cmdline "rtprobe.period_us=$PERIOD_US rtprobe.periods=$PERIODS rtprobe.warmup=$WARMUP"
	run h "(h) host cyclictest, pinned+FIFO+mlock" $load cyclictest \
		cyclictest -q -m -t 1 -a "$VCPU_CPU" --mainaffinity="$IO_CPU" -p "$RT_PRIO" --policy=fifo \
		-i "$PERIOD_US" -l "$((PERIODS + WARMUP))" -h "$ct_hist"
	run l "(l) host loop, probe's work, as (c)" $load host \
		"$host_loop" -c "$VCPU_CPU" -f "$RT_PRIO" -m "$PERIOD_US" "$PERIODS" "$WARMUP"
done

# field KEY-LOAD N: field N of that run's row (1 min, 2 avg, 3 p99, 4 max, 8 maxdev).
field() { local r=${ROW[$1]:-}; [ -n "$r" ] && echo "$r" | awk -v n="$2" '{ print $n }'; }
{
	echo
	c=$(field c-loaded 4) h=$(field h-loaded 4)
	if [ -n "$c" ] && [ -n "$h" ]; then
		awk -v c="$c" -v h="$h" 'BEGIN { printf "goal 1: (c) loaded max latency %.1f us vs the host'"'"'s (cyclictest, same CPU, priority, load) %.1f us: %.2fx (goal: at most 1.2x) -> %s\n",
			c, h, (h > 0 ? c / h : 0), (c <= 1.2 * h) ? "met" : "not met" }'
	fi
	c=$(field c-loaded 8) l=$(field l-loaded 8)
	if [ -n "$c" ] && [ -n "$l" ]; then
		awk -v c="$c" -v l="$l" 'BEGIN { printf "goal 2: (c) loaded counter max deviation %.2f %% vs the host loop'"'"'s %.2f %%: %.2fx (goal: at most 1.2x) -> %s\n",
			c, l, (l > 0 ? c / l : 0), (c <= 1.2 * l) ? "met" : "not met" }'
	fi
	for load in idle loaded; do
		c=$(field c-$load 3) h=$(field h-$load 3)
		[ -n "$c" ] && [ -n "$h" ] && echo "p99 $load: (c) $c us vs host cyclictest $h us"
	done
} | tee -a "$txt"

title="Tessera rt probe vs host, ${PERIOD_US} us period, $PERIODS periods, $(uname -r)$([ -e /sys/module/kvm_pvm ] && echo ' (kvm_pvm)')${smoke:+ SMOKE}"
if rt_plot "$RT_OUT/rt-latency.png" "$title" "$RT_OUT/data" \
	"a:(a) unpinned" "b:(b) pinned" "c:(c) pinned+FIFO+mlock" \
	"h:(h) host cyclictest" "l:(l) host loop" 2>"$tmp/plot"; then
	echo "plot: $RT_OUT/rt-latency.png; table: $RT_OUT/rt.txt" | tee -a "$txt"
else
	cat "$tmp/plot" >&2
	failed=$((failed + 1))
fi
if [ "$failed" -gt 0 ]; then
	echo "rt bench: FAIL: $failed runs measured nothing (see the rows above)" >&2
	exit 1
fi
