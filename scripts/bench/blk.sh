#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# virtio-blk benchmark (not a test). Two parts:
#
#   host  (default) On this machine's /dev/kvm: the freestanding vblk guest
#         (vblk.mode=bench) streams requests at a 64 MiB image; the time of
#         a run with N requests minus a run with none is the device's. The
#         same transfers with dd on the host are the reference, and the
#         4 KiB case runs again without ioeventfd/irqfd
#         (TESSERA_NO_IOEVENTFD=1) to show what a kick through the monitor
#         costs. Medians of BENCH_ROUNDS (5) runs.
#   lab   In the nested lab: fio (a static build of Debian's fio source
#         package, scripts/bench/build-fio.sh, or FIO=path) inside our
#         partition kernel on /dev/vda, under tessera and under QEMU's
#         microvm (virtio-blk-device, aio=io_uring and aio=threads), and
#         in L1 itself on the backing device: a 256 MiB RAM disk (brd),
#         opened with O_DIRECT at every layer. Sequential 128 KiB and
#         random 4 KiB reads and writes at iodepth 1, 16 and 64 (libaio;
#         blk-fio-jobs.sh). Slow (everything in the lab runs under TCG):
#         only the ratios mean anything: each is given per round, paired
#         (median, min, max of the rounds' ratios; lib.sh blk_summary),
#         BENCH_ROUNDS (2) rounds, each monitor booted once per depth (the
#         five runs of a job close together); the whole lab log stays in BENCH_OUT
#         (BUILD/bench-blk). 60 fio runs and 12 guest boots a round: three
#         rounds took 16 minutes of lab on a 2-CPU build machine at load
#         8 (its lab bounds are 2400 s per test, 2700 s in all).
#         BENCH_DEPTHS (1,16,64): the iodepths to run, comma-separated, to
#         split a run over lab slots (BENCH_DEPTHS=16, then 1,64).
#
# Both fail (status 1, one "blk bench: FAIL" line) when they measured
# nothing, or (lab) a run failed or a round is missing.
#
# usage: scripts/bench/blk.sh [host|lab|all]     (BUILD: the build directory)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
ROUNDS=${BENCH_ROUNDS:-5}
# BENCH_SMOKE=1 (make check): one round of a quarter of the requests; the
# figures mean little, but every line must come out.
SCALE=1
if [ -n "${BENCH_SMOKE:-}" ] && [ "${BENCH_SMOKE:-}" != 0 ]; then
	ROUNDS=${BENCH_ROUNDS:-1} SCALE=4
fi
what=${1:-host}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-blkbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$here/bench/lib.sh"

fail() { echo "blk bench: FAIL: $*" >&2; exit 1; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
now() { date +%s.%N; }

# guest_secs ARGS: seconds of one tessera run of the bench guest.
guest_secs() {
	local s e
	s=$(now)
	"$BUILD/tessera" run --kernel "$BUILD/guests/vblk.elf" --disk "path=$tmp/bench.img" \
		--cmdline "vblk.mode=bench $*" >"$tmp/out" 2>"$tmp/err" ||
		{ cat "$tmp/out" "$tmp/err" >&2; fail "the vblk guest failed ($*)"; }
	e=$(now)
	grep -q "vblk: ok" "$tmp/out" || { cat "$tmp/out" >&2; fail "the vblk guest did not say ok ($*)"; }
	echo "$e - $s" | bc -l
}

# case NAME COUNT SIZE DEPTH OP: median device time and throughput.
bench_case() {
	local name=$1 count=$2 size=$3 depth=$4 op=$5 base t secs mb
	if [ "$SCALE" = 1 ]; then
		base=$(for _ in $(seq "$ROUNDS"); do guest_secs vblk.count=0; done | median)
	else # smoke: the fastest of 3 empty runs, taken once, so one slow start cannot turn a figure negative
		[ -n "${smoke_base:-}" ] ||
			smoke_base=$(for _ in 1 2 3; do guest_secs vblk.count=0; done | sort -g | head -n 1)
		base=$smoke_base
	fi
	t=$(for _ in $(seq "$ROUNDS"); do
		guest_secs "vblk.count=$count vblk.size=$size vblk.depth=$depth vblk.op=$op"
	done | median)
	secs=$(echo "$t - $base" | bc -l)
	# A device time at or below zero means the runs measured nothing.
	[ "$(echo "$secs > 0" | bc -l)" = 1 ] ||
		fail "$name: device time $secs s ($t s with requests, $base s without): measured nothing"
	mb=$(echo "$count * $size / 1048576" | bc -l)
	awk -v n="$name" -v c="$count" -v s="$secs" -v mb="$mb" 'BEGIN {
		printf "%-34s %6d req  %8.3f s  %8.1f MiB/s  %8.0f req/s  %7.1f us/req\n",
			n, c, s, mb / s, c / s, 1e6 * s / c }'
}

host_dd() { # host_dd NAME dd-args...: the same transfer by dd on the host
	local name=$1 t
	shift
	t=$(for _ in $(seq "$ROUNDS"); do
		s=$(now); dd "$@" status=none; e=$(now); echo "$e - $s" | bc -l
	done | median)
	echo "$name $t"
}

host_part() {
	[ -r /dev/kvm ] || { echo "blk bench: no /dev/kvm" >&2; exit 77; }
	dd if=/dev/urandom of="$tmp/bench.img" bs=1M count=64 status=none
	echo "== virtio-blk, freestanding guest on this host's KVM ($(uname -r)$([ -e /sys/module/kvm_pvm ] && echo ", kvm_pvm")) =="
	echo "   image: 64 MiB file in $(df -T "$tmp" | awk 'NR == 2 { print $2 }'), page cache warm; medians of $ROUNDS"
	bench_case "read 64 KiB, 16 in flight" $((2000 / SCALE)) 65536 16 read
	bench_case "write 64 KiB, 16 in flight" $((2000 / SCALE)) 65536 16 write
	bench_case "read 4 KiB, 1 in flight" $((5000 / SCALE)) 4096 1 read
	bench_case "write 4 KiB, 1 in flight" $((5000 / SCALE)) 4096 1 write
	TESSERA_NO_IOEVENTFD=1 bench_case "read 4 KiB, 1, no ioeventfd/irqfd" $((5000 / SCALE)) 4096 1 read
	echo "== the same transfers by dd on the host (buffered) =="
	local big=$((2000 / SCALE)) small=$((5000 / SCALE))
	{
		host_dd "read 64 KiB $big" if="$tmp/bench.img" of=/dev/null bs=64k count=$big
		host_dd "write 64 KiB $big" if=/dev/zero of="$tmp/bench.img" bs=64k count=$big conv=notrunc
		host_dd "read 4 KiB $small" if="$tmp/bench.img" of=/dev/null bs=4k count=$small
		host_dd "write 4 KiB $small" if=/dev/zero of="$tmp/bench.img" bs=4k count=$small conv=notrunc
	} | awk '{ t = $NF; n = $4; sz = $2 * 1024; name = $1 " " $2 " " $3
		if (t <= 0) { print "blk bench: FAIL: dd " name " took no time: measured nothing" > "/dev/stderr"; exit 1 }
		printf "%-34s %6d req  %8.3f s  %8.1f MiB/s  %8.0f req/s  %7.1f us/req\n",
			name, n, t, n * sz / 1048576 / t, n / t, 1e6 * t / n }' || fail "the dd reference measured nothing"
}

lab_part() {
	local kernel fio=${FIO:-} depths=${BENCH_DEPTHS:-1,16,64}
	echo "$depths" | grep -qE '^[0-9]+(,[0-9]+)*$' || { echo "blk bench lab: BENCH_DEPTHS '$depths' is not a comma-separated list of numbers" >&2; exit 2; }
	[ -n "$fio" ] || fio=$("$here/bench/build-fio.sh" | tail -n 1)
	[ -x "$fio" ] || { echo "blk bench lab: no fio at '$fio'" >&2; exit 2; }
	file -L "$fio" | grep -q 'statically linked' || { echo "blk bench lab: $fio is not static" >&2; exit 2; }
	kernel=$("$here/build-guest-kernel.sh" | tail -n 1)
	"$here/mkinitramfs.sh" "$tmp/initrd.cpio.gz" --exit reboot \
		--add "$fio:/bin/fio" --add "$here/bench/blk-fio-jobs.sh:/tessera/fio-jobs.sh" \
		--cmd "sh /tessera/fio-jobs.sh /dev/vda 1 3 libaio $depths" >&2
	mkdir -p "$tmp/tests"
	# The rounds are set in the copy: L1 does not inherit this environment.
	sed -e "s/^ROUNDS=.*/ROUNDS=${BENCH_ROUNDS:-2}/" -e "s/^DEPTHS=.*/DEPTHS=$depths/" "$here/bench/lab-blk-inner.sh" >"$tmp/tests/bench_blk.sh"
	out=${BENCH_OUT:-$BUILD/bench-blk}
	mkdir -p "$out"
	cd "$top"
	echo "blk bench lab: host load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2
	# lab.tail: every line of the test's output reaches the console (the
	# default keeps the last 80, and a round was once lost past them).
	# brd: one 256 MiB RAM disk in L1 (/dev/ram0), the backing device;
	# no edu device nor IOMMU: this run needs neither.
	LAB_MODULES=${LAB_MODULES:-irqbypass kvm kvm-amd brd} LAB_DEVICE= LAB_IOMMU= \
	LAB_TESTS_DIR=$tmp/tests LAB_APPEND="lab.verbose=1 lab.tail=1000000 brd.rd_nr=1 brd.rd_size=262144" \
	LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-2400} LAB_TIMEOUT=${LAB_TIMEOUT:-2700} \
	LAB_LOG=${LAB_LOG:-$out/lab-console.log} BUILD=$BUILD \
	LAB_EXTRA="$kernel:/linux/bzImage-partition $tmp/initrd.cpio.gz:/linux/initrd-fio.cpio.gz $fio:/usr/bin/fio $here/bench/blk-fio-jobs.sh:/usr/bin/fio-jobs.sh $(command -v qemu-system-x86_64):/usr/bin/qemu-system-x86_64 /usr/share/qemu/bios-microvm.bin:/usr/share/qemu/bios-microvm.bin /usr/share/qemu/qboot.rom:/usr/share/qemu/qboot.rom" \
		"$here/lab/run.sh" bench_blk >"$out/lab.log" 2>&1 || echo "blk bench: the lab run ended with status $? (see $out/lab.log)" >&2
	echo "blk bench lab: host load average $(cut -d' ' -f1-3 /proc/loadavg) at the end" >&2
	tr -d '\r' <"$out/lab.log" | grep -a 'BLKBENCH-FAIL' -A 20 >&2 || true
	tr -d '\r' <"$out/lab.log" | grep -aoE 'BLKBENCH-(INFO|STATS|LOAD) .*' || true
	echo "== fio in the nested lab (L1 under TCG; our partition kernel as L2), per-round paired ratios =="
	blk_summary "$out/lab.log" | tee "$out/blk.txt" || fail "see the lines above and $out/lab.log"
}

case $what in
host) host_part ;;
lab) lab_part ;;
all) host_part; lab_part ;;
*) echo "usage: $0 [host|lab|all]" >&2; exit 2 ;;
esac
