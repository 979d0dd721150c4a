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
# Environment: BUILD (build dir), BENCH_OUT (BUILD/bench-boot: the lab log,
# the figures, the plot), BENCH_ROUNDS (5).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$here/bench/lib.sh"
BUILD=${BUILD:-$top/build}
out=${BENCH_OUT:-$BUILD/bench-boot}
mkdir -p "$out"
rm -f "$out"/boot-*

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
