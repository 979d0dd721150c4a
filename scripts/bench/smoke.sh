#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# make bench-smoke (and make check): every benchmark once, briefly, so that
# none can go silent again (core.py printed nothing and exited 0 for weeks).
#   - host-side ones (core.py, blk.sh host, rt.sh) run in smoke mode
#     (BENCH_SMOKE=1: a few seconds each) and their output must hold every
#     figure line, with numbers;
#   - lab-side ones (boot.sh, net.sh, blk.sh lab and the lab-*-inner.sh they
#     ship) are syntax-checked, and their summaries (lib.sh) run on recorded
#     samples (samples/): each must print its figures, and a sample with a
#     round lost must fail.
# Prints PASS/FAIL/SKIP per check and "bench smoke: N passed, N failed, N
# skipped"; exit 1 if any failed. SKIP only where the host lacks what the
# check needs (/dev/kvm, root for rt.sh's tools), with the reason.
# Environment: as make bench sets it (TESSERA, GUESTS, BENCH, BUILD, PIO_COUNT).
set -u
here=$(cd "$(dirname "$0")" && pwd)
export BENCH_SMOKE=1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-smoke.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0 skip=0

# result NAME RC SECS OUTFILE: one summary line; a failure shows the output.
result() {
	case $2 in
	0) pass=$((pass + 1)); echo "PASS bench-$1 ($3s)" ;;
	77) skip=$((skip + 1)); echo "SKIP bench-$1: $(tail -n 1 "$4")" ;;
	*) failed=$((failed + 1)); echo "FAIL bench-$1 (status $2, $3s)"; sed 's/^/    /' "$4" | tail -n 60 ;;
	esac
}

# expect FILE REGEX...: every regex matches a line of FILE (else one line, status 1).
expect() {
	local f=$1 re
	shift
	for re in "$@"; do
		grep -Eq -- "$re" "$f" || { echo "missing figure line /$re/"; return 1; }
	done
}

# check NAME FUNCTION: runs FUNCTION with its output in $tmp/NAME.out.
check() {
	local name=$1 rc start
	start=$(date +%s.%N)
	"$2" "$tmp/$name" >"$tmp/$name.log" 2>&1
	rc=$?
	result "$name" "$rc" "$(printf '%.1f' "$(echo "$(date +%s.%N) - $start" | bc)")" "$tmp/$name.log"
}

num='[0-9]+(\.[0-9]+)?'

smoke_core() {
	[ -w /dev/kvm ] || { echo "no /dev/kvm"; return 77; }
	python3 "$here/core.py" >"$1.out" 2>&1 || { cat "$1.out"; return 1; }
	cat "$1.out"
	expect "$1.out" \
		"^exec to hello exit, .*tessera wall $num .*ms, CPU $num " \
		"^  floor, pio_raw running the same hello guest: wall $num .*CPU $num " \
		"^  per-pair ratio tessera/floor, wall: $num " \
		"^peak RSS of tessera .*monitor $num MiB beyond guest RAM" \
		"^PIO exit by CPU time, .*tessera $num .*raw KVM_RUN loop $num " \
		"^  per-round overhead of the dispatcher, CPU: -?$num " \
		"^core.py: 3 figures$"
}

smoke_blk_host() {
	[ -w /dev/kvm ] || { echo "no /dev/kvm"; return 77; }
	"$here/blk.sh" host >"$1.out" 2>&1 || { cat "$1.out"; return 1; }
	cat "$1.out"
	local c
	for c in "read 64 KiB, 16 in flight" "write 64 KiB, 16 in flight" "read 4 KiB, 1 in flight" \
		"write 4 KiB, 1 in flight" "read 4 KiB, 1, no ioeventfd/irqfd" "read 64 KiB  " "write 4 KiB  "; do
		expect "$1.out" "^$c +[0-9]+ req +$num s +$num MiB/s" || return 1
	done
}

smoke_rt() {
	local rc=0 key load row
	RT_OUT=$1.rt "$here/rt.sh" >"$1.out" 2>&1 || rc=$?
	cat "$1.out"
	[ "$rc" -eq 0 ] || return "$rc" # 77: what it needs is missing here
	for row in "(a) unpinned SCHED_OTHER" "(b) pinned" "(c) pinned+FIFO+mlock+no-exits"; do
		for load in idle loaded; do
			expect "$1.out" "^${row//[()+]/.} +$load +$num +$num +(>=)?[0-9]+ +$num +[0-9]+ +[0-9]+ +[0-9]+ +$num " || return 1
		done
	done
	for load in idle loaded; do
		expect "$1.out" "^.h. host cyclictest, pinned.FIFO.mlock +$load +$num +$num +[0-9]+ +$num +- " \
			"^.l. host loop, probe's work, as .c. +$load +$num +$num +(>=)?[0-9]+ +$num +[0-9]+ " || return 1
	done
	expect "$1.out" "^goal 1: .c. loaded max latency $num us vs the host's .* $num us: $num""x" \
		"^goal 2: .c. loaded counter max deviation $num % vs the host loop's $num %" || return 1
	file "$1.rt/rt-latency.png" | grep -q "PNG image data" || { echo "no PNG plot"; return 1; }
	cmp -s "$1.rt/rt.txt" "$1.out" || { echo "rt.txt is not the table printed"; return 1; }
	# A report cut short (no histogram, or no ok) must not pass as figures.
	. "$here/lib.sh"
	for key in c-loaded l-loaded h-loaded; do
		case $key in c-*) kind=probe ;; l-*) kind=host ;; *) kind=cyclictest ;; esac
		head -n 3 "$1.rt/data/$key.out" >"$1.cut"
		if rt_parse "$kind" "$1.cut" "$1.hist" >/dev/null 2>&1; then
			echo "rt_parse took a cut $kind report for figures"
			return 1
		fi
	done
}

# The lab-side scripts cannot run here (the lab is the lead's, and slow):
# their syntax, and their summaries on recorded-format samples.
smoke_lab() {
	local f sh kind s cut
	for f in "$here"/*.sh; do
		sh='sh' # the guest-side ones run under busybox sh
		head -n 1 "$f" | grep -q bash && sh=bash
		[ "${f##*/}" = lib.sh ] && sh=bash
		"$sh" -n "$f" || { echo "syntax error in $f"; return 1; }
	done
	. "$here/lib.sh"
	for kind in boot net blk; do
		s=$here/samples/$kind-lab.log
		"${kind}_summary" "$s" >"$1.$kind" 2>&1 || { cat "$1.$kind"; echo "$kind summary failed on its sample"; return 1; }
		cat "$1.$kind"
		# A round lost (its first figure line gone) and a cut log must fail, loudly.
		cut=$(grep -n 'BENCH [a-z]' "$s" | sed -n 's/:.*//; 3p')
		sed "${cut}d" "$s" >"$1.lost"
		if "${kind}_summary" "$1.lost" >"$1.out" 2>&1 || ! grep -q "$kind bench: FAIL: .*round(s) [0-9]* lost" "$1.out"; then
			cat "$1.out"; echo "$kind summary took a sample with a round lost"; return 1
		fi
		sed '/BENCH-DONE/,$d' "$s" >"$1.cut"
		if "${kind}_summary" "$1.cut" >"$1.out" 2>&1 || ! grep -q "$kind bench: FAIL: no .*DONE line" "$1.out"; then
			cat "$1.out"; echo "$kind summary took a cut sample"; return 1
		fi
		grep -Eq "echo \"(NET|BLK)?BENCH-PLAN " "$here/lab-$kind-inner.sh" &&
			grep -Eq "echo \"(NET|BLK)?BENCH-ROUND " "$here/lab-$kind-inner.sh" &&
			grep -Eq "echo \"(NET|BLK)?BENCH-DONE\"" "$here/lab-$kind-inner.sh" ||
			{ echo "lab-$kind-inner.sh does not print the markers its summary needs"; return 1; }
	done
	expect "$1.boot" "^partition kernel, 5 of 5 rounds: to the init marker, tessera $num .* QEMU $num " \
		"^  per-round ratio tessera/QEMU to the init marker: $num \(min $num, max $num\)" \
		"^debian kernel, 5 of 5 rounds" "^hello guest inside L1, exec to exit, 10 runs: $num " || return 1
	expect "$1.net" "^HTTP rx .L1 -> guest., 2 of 2 rounds: tessera $num .*QEMU $num " "^HTTP tx .guest -> L1., 2 of 2 rounds" \
		"^iperf3 rx .L1 -> guest., 2 of 2 rounds: tessera $num .*QEMU $num " "^iperf3 tx .guest -> L1., 2 of 2 rounds" \
		"^goals met in every round: [0-9] of 4 figures" \
		"^  per-round ratio tessera/QEMU: $num \(min $num, max $num\) \(goal >= 1.2 in every round" || return 1
	for f in seqread seqwrite randread randwrite; do
		for d in 1 16 64; do
			expect "$1.blk" "^$f-d$d, 2 of 2 rounds, IOPS: tessera $num .*QEMU io_uring $num .*QEMU threads $num .*fio in L1 $num " || return 1
		done
	done
	expect "$1.blk" "^  per-round ratio tessera/QEMU io_uring $num \(min $num, max $num\), tessera/QEMU threads $num .*, tessera/fio in L1 $num .*>= 0.8x L1: (not )?met" \
		"^goals: >= 1.2x both QEMUs in every round at [0-9]+ of 12 points; >= 0.8x fio in L1 at depth 16 at [0-9]+ of 4" || return 1
	command -v gnuplot >/dev/null || { echo "no gnuplot: the boot plot is not checked (scripts/install-deps.sh gnuplot-nox)"; return 77; }
	mkdir -p "$1.plot"
	boot_plot "$here/samples/boot-lab.log" "$1.plot/boot-init.png" || return 1
	file "$1.plot/boot-init.png" | grep -q "PNG image data" || { echo "boot plot: no PNG"; return 1; }
}

check core smoke_core
check blk-host smoke_blk_host
check rt smoke_rt
check lab smoke_lab
echo "bench smoke: $pass passed, $failed failed, $skip skipped"
[ "$failed" -eq 0 ]
