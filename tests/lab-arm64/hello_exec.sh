#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A measurement, run as a lab test: the hello guest from exec to exit under
# tessera against kvm_probe (tests/lab-arm64/kvm_probe.c), a bare KVM_RUN
# program that builds the same machine (VM, vCPU, vGICv3, DTB, 16550) by
# hand, and tessera with --seccomp off (the filters are built at start).
# Rounds alternate them, ROUNDS x RUNS runs each; prints the
# per-round ratio and the median ratio. Passes when both ran every time
# (the figures are for the report, not a verdict). /proc/uptime: 10 ms
# ticks, hence RUNS runs per timing; kept small (3 x 5 by default) so a
# loaded machine stays inside the lab's per-test bound. Plain sh.
[ -c /dev/kvm ] || { echo "no /dev/kvm"; exit 77; }
[ "$(uname -m)" = aarch64 ] || { echo "not an arm64 host"; exit 77; }
T=${TESSERA:-/lab/bin/tessera}
G=${GUESTS:-/lab/guests}
probe=$(command -v kvm_probe) || { echo "SKIP: no kvm_probe"; exit 77; }
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-5}
now() { cut -d' ' -f1 /proc/uptime; }
ms() { awk -v t="$1" -v n="$RUNS" 'BEGIN { printf "%.1f", t * 1000 / n }'; }
fail() { echo "FAIL: $*"; exit 1; }

time_runs() { # time_runs CMD...: seconds for RUNS runs
	s=$(now)
	i=0
	while [ $i -lt "$RUNS" ]; do
		"$@" >/dev/null 2>&1 || fail "$* failed"
		i=$((i + 1))
	done
	awk -v a="$s" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'
}

ratios=
r=0
while [ $r -lt "$ROUNDS" ]; do
	t=$(time_runs "$T" run --kernel "$G/hello.elf" --memory 64M)
	p=$(time_runs "$probe" --memory 64 "$G/hello.elf")
	o=$(time_runs "$T" run --seccomp off --kernel "$G/hello.elf" --memory 64M)
	ratio=$(awk -v t="$t" -v p="$p" 'BEGIN { printf "%.2f", (p > 0) ? t / p : 0 }')
	echo "round $r: per run: tessera $(ms "$t") ms, tessera --seccomp off $(ms "$o") ms, kvm_probe $(ms "$p") ms: ratio $ratio"
	ratios="$ratios $ratio"
	r=$((r + 1))
done
median=$(echo "$ratios" | tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
echo "hello exec to exit, tessera / bare KVM_RUN (kvm_probe), median of $ROUNDS rounds: $median"
echo "PASS hello_exec"
