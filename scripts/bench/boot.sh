#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot-time benchmark (not a test; runs the nested lab, so it is slow):
# our partition kernel and Debian's stock cloud kernel with a busybox
# initramfs, booted to the init marker under tessera and under QEMU's
# microvm inside the lab, same kernel, initramfs, 256 MiB, 1 vCPU, -cpu
# host, alternating in BENCH_ROUNDS (5) rounds (lab-boot-inner.sh). Prints
# per kernel the per-round paired ratio tessera/QEMU (median, min, max of
# the rounds' ratios), each monitor's times and the hello guest's exec-to-
# exit time inside L1 (lib.sh boot_summary), and plots the time-to-init
# distributions (boot-init.png). Keeps the whole lab log. Fails (status 1,
# one "boot bench: FAIL" line) when a round or the end of the output is
# missing, or nothing was measured.
#
# LAB_ARCH=arm64: the arm64 lab instead. Debian's stock arm64 cloud kernel
# (the lab's own Image) under tessera and under Debian's arm64 QEMU
# (scripts/bench/arm64-qemu.sh, carried into L1 with its libraries) with
# `-M virt,gic-version=3 -accel kvm -cpu host`, same kernel, initramfs
# (the arm64 busybox), 256 MiB and 1 vCPU; and the hello guest exec to
# exit under tessera against the bare KVM_RUN program kvm_probe
# (tests/lab-arm64/kvm_probe.c), alternating, as a per-run paired ratio.
# Needs `make ARCH=arm64` (BUILD defaults to build/arm64).
#
# Environment: BUILD (build dir), BENCH_OUT (BUILD/bench-boot: the lab log,
# the figures, the plot), BENCH_ROUNDS (5), LAB_ARCH (x86_64).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$here/bench/lib.sh"
arch=${LAB_ARCH:-x86_64}
[ "$arch" != aarch64 ] || arch=arm64
if [ "$arch" = arm64 ]; then
	BUILD=${BUILD:-$top/build/arm64}
else
	BUILD=${BUILD:-$top/build}
fi
out=${BENCH_OUT:-$BUILD/bench-boot}
mkdir -p "$out"
rm -f "$out"/boot-*

# arm64_hello_summary LOG: the HELLO r <s> (tessera) and HELLO-BARE r <s>
# (kvm_probe) lines as a per-run paired ratio; fails when no pair is there.
arm64_hello_summary() {
	bench_lines "$1" 'HELLO(-BARE)? [0-9]' | awk "$BENCH_AWK_LIB"'
	$1 == "HELLO" && NF == 3 { T[$2] = $3 * 1000 }
	$1 == "HELLO-BARE" && NF == 3 { B[$2] = $3 * 1000 }
	END {
		for (r in T) if ((r in B) && T[r] > 0 && B[r] > 0) { n++; t[n] = T[r]; b[n] = B[r]; ra[n] = T[r] / B[r] }
		if (!n) { print "boot bench: FAIL: no paired hello runs (HELLO and HELLO-BARE) from tessera and kvm_probe" > "/dev/stderr"; exit 1 }
		printf "hello guest exec to exit inside L1, %d paired runs: tessera %s ms, bare KVM_RUN (kvm_probe) %s ms\n", n, spread(t, n, "%.1f"), spread(b, n, "%.1f")
		printf "  per-run ratio tessera/kvm_probe: %s\n", spread(ra, n, "%.2f")
	}'
}

if [ "$arch" = arm64 ]; then
	export LAB_ARCH=arm64
	[ -x "$BUILD/tessera" ] && [ -x "$BUILD/lab-bin/kvm_probe" ] && [ -f "$BUILD/guests/hello.elf" ] ||
		{ echo "boot bench: FAIL: no arm64 tessera, kvm_probe or hello.elf in $BUILD (make ARCH=arm64)" >&2; exit 1; }
	command -v qemu-aarch64-static >/dev/null ||
		{ echo "boot bench: FAIL: no qemu-aarch64-static (scripts/cross-deps.sh)" >&2; exit 1; }
	kdir=$("$here/lab/fetch.sh")
	stock=$(ls "$kdir"/boot/vmlinuz-* | head -n 1)
	bb=$("$here/lab/fetch.sh" busybox)
	qdir=$("$here/bench/arm64-qemu.sh") || { echo "boot bench: FAIL: no arm64 QEMU (arm64-qemu.sh)" >&2; exit 1; }
	BUSYBOX=$bb BUSYBOX_RUN=qemu-aarch64-static "$here/mkinitramfs.sh" "$tmp/initrd.cpio.gz" --exit reboot \
		--cmd 'echo TESSERA-GUEST-UPTIME $(cut -d" " -f1 /proc/uptime)' >&2
	mkdir -p "$tmp/tests"
	# busybox sh runs the copy: L1 has no bash.
	sed -e "s/^ROUNDS=.*/ROUNDS=${BENCH_ROUNDS:-5}/" -e '1s|.*|#!/bin/sh|' \
		"$here/bench/lab-boot-inner.sh" >"$tmp/tests/bench_boot.sh"
	cd "$top"
	LAB_TESTS_DIR=$tmp/tests LAB_APPEND="lab.verbose=1 lab.tail=1000000" LAB_TEST_TIMEOUT=900 \
	LAB_LOG=${LAB_LOG:-$out/lab-console.log} BUILD=$BUILD \
	LAB_EXTRA="$stock:/linux/Image-debian $tmp/initrd.cpio.gz:/linux/initrd.cpio.gz $qdir:/lab/qemu" \
		"$here/lab/run.sh" bench_boot >"$out/lab.log" 2>&1 || echo "boot bench: the lab run ended with status $? (see $out/lab.log)" >&2
	grep -ao 'LAB-UP .*' "$out/lab.log" | head -n 1 || true
	grep -ao 'L1 boot .*' "$out/lab.log" | head -n 1 || true
	rc=0
	(
		r=0
		boot_summary "$out/lab.log" || r=1
		arm64_hello_summary "$out/lab.log" || r=1
		exit $r
	) | tee "$out/boot.txt" || rc=1
	BENCH_QEMU_NAME="QEMU virt" boot_plot "$out/lab.log" "$out/boot-init.png" && echo "plot: $out/boot-init.png" || rc=1
	[ "$rc" -eq 0 ] || { echo "boot bench: FAIL: see the lines above and $out/lab.log" >&2; exit 1; }
	exit 0
fi

kernel=$("$here/build-guest-kernel.sh" | tail -n 1)
"$here/mkinitramfs.sh" "$tmp/initrd.cpio.gz" --exit reboot \
	--cmd 'echo TESSERA-GUEST-UPTIME $(cut -d" " -f1 /proc/uptime)' >&2
mkdir -p "$tmp/tests"
# The rounds are set in the copy: L1 does not inherit this environment.
sed "s/^ROUNDS=.*/ROUNDS=${BENCH_ROUNDS:-5}/" "$here/bench/lab-boot-inner.sh" >"$tmp/tests/bench_boot.sh"
qemu=$(command -v qemu-system-x86_64)
stock=$(ls "$("$here/lab/fetch.sh")"/boot/vmlinuz-* | head -n 1)
cd "$top"
echo "boot bench: host load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2
# lab.tail: every line of the test's output reaches the console (the
# default keeps the last 80, and a round was once lost past them).
LAB_TESTS_DIR=$tmp/tests LAB_APPEND="lab.verbose=1 lab.tail=1000000" LAB_TEST_TIMEOUT=900 \
LAB_LOG=${LAB_LOG:-$out/lab-console.log} BUILD=$BUILD \
LAB_EXTRA="$kernel:/linux/bzImage-partition $stock:/linux/bzImage-debian $tmp/initrd.cpio.gz:/linux/initrd.cpio.gz $qemu:/usr/bin/qemu-system-x86_64 /usr/share/qemu/bios-microvm.bin:/usr/share/qemu/bios-microvm.bin /usr/share/qemu/qboot.rom:/usr/share/qemu/qboot.rom" \
	"$here/lab/run.sh" bench_boot >"$out/lab.log" 2>&1 || echo "boot bench: the lab run ended with status $? (see $out/lab.log)" >&2
echo "boot bench: host load average $(cut -d' ' -f1-3 /proc/loadavg) at the end" >&2
grep -ao 'LAB-UP .*' "$out/lab.log" | head -n 1 || true
tr -d '\r' <"$out/lab.log" | grep -ao 'BENCH-LOAD .*' || true
grep -ao 'L1 boot .*' "$out/lab.log" | head -n 1 || true
rc=0
boot_summary "$out/lab.log" | tee "$out/boot.txt" || rc=1
boot_plot "$out/lab.log" "$out/boot-init.png" && echo "plot: $out/boot-init.png" || rc=1
[ "$rc" -eq 0 ] || { echo "boot bench: FAIL: see the lines above and $out/lab.log" >&2; exit 1; }
