#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# virtio-net benchmark (not a test), in the nested lab: our partition
# kernel moves a BENCH_MB (32) MiB file over HTTP (busybox httpd and wget)
# and runs iperf3 for 5 s each way (Debian's iperf3, copied with its
# shared libraries into the guest's initramfs and into L1) between the
# guest and L1 across a tap, both ways, under tessera (--net) and under
# QEMU 7.2 microvm (virtio-net-device, vhost off), alternating for
# BENCH_ROUNDS (2) rounds (scripts/bench/lab-net-inner.sh). Everything in
# the lab runs under TCG: only the tessera/QEMU ratios mean anything, and
# they are given per round, paired (median, min, max of the rounds'
# ratios; lib.sh net_summary). Keeps the whole lab log in BENCH_OUT
# (BUILD/bench-net). Fails (status 1, one "net bench: FAIL" line) when a
# run failed, a round or the end of the output is missing.
#
# usage: scripts/bench/net.sh      (BUILD: the build directory)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-netbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$here/bench/lib.sh"
out=${BENCH_OUT:-$BUILD/bench-net}
mkdir -p "$out"
command -v qemu-system-x86_64 >/dev/null || { echo "net bench: needs qemu-system-x86_64" >&2; exit 2; }

"$here/install-deps.sh" iperf3 >&2 || { echo "net bench: needs iperf3 (apt-get install iperf3)" >&2; exit 2; }
iperf3=$(command -v iperf3)
# iperf3 and every shared library it loads (libiperf0, libcrypto, libsctp,
# libc, the loader), at the same paths in the guest's initramfs.
libs=()
for l in $(ldd "$iperf3" | awk '/=> \// { print $3 } /^[ \t]*\// { print $1 }'); do
	libs+=(--add "$l:$l")
done
[ ${#libs[@]} -ge 4 ] || { echo "net bench: ldd found no libraries for $iperf3" >&2; exit 2; }
kernel=$("$here/build-guest-kernel.sh" | tail -n 1)
"$here/mkinitramfs.sh" "$tmp/initrd.cpio.gz" --exit reboot \
	--add "$iperf3:/usr/bin/iperf3" "${libs[@]}" \
	--add "$here/bench/net-guest.sh:/tessera/net-bench.sh" \
	--cmd "sh /tessera/net-bench.sh" >&2
mkdir -p "$tmp/tests"
# The rounds are set in the copy: L1 does not inherit this environment.
sed "s/^ROUNDS=.*/ROUNDS=${BENCH_ROUNDS:-2}/; s/^PERF=0/PERF=${NET_PERF:-0}/" "$here/bench/lab-net-inner.sh" >"$tmp/tests/bench_net.sh"
# NET_PERF=1: Debian's perf (linux-perf) in L1 too, for one more run of each
# monitor sampled by perf (NETBENCH-PERF lines: L1's time by thread and symbol).
perf_extra=
if [ "${NET_PERF:-0}" = 1 ]; then
	"$here/install-deps.sh" linux-perf >&2 || { echo "net bench: NET_PERF=1 needs linux-perf" >&2; exit 2; }
	perf_extra="$(command -v perf):/usr/bin/perf"
fi
cd "$top"
echo "net bench: host load average $(cut -d' ' -f1-3 /proc/loadavg) at the start" >&2
# lab.tail: every line of the test's output reaches the console (the
# default keeps the last 80, and a round was once lost past them).
LAB_MODULES=${LAB_MODULES:-irqbypass kvm kvm-amd tun} LAB_DEVICE= LAB_IOMMU= \
LAB_TESTS_DIR=$tmp/tests LAB_APPEND="lab.verbose=1 lab.tail=1000000" LAB_TEST_TIMEOUT=1500 LAB_TIMEOUT=1800 \
LAB_LOG=${LAB_LOG:-$out/lab-console.log} BUILD=$BUILD \
LAB_EXTRA="$perf_extra $iperf3:/usr/bin/iperf3 $kernel:/linux/bzImage-partition $tmp/initrd.cpio.gz:/linux/initrd-netbench.cpio.gz $(command -v qemu-system-x86_64):/usr/bin/qemu-system-x86_64 /usr/share/qemu/bios-microvm.bin:/usr/share/qemu/bios-microvm.bin /usr/share/qemu/qboot.rom:/usr/share/qemu/qboot.rom" \
	"$here/lab/run.sh" bench_net >"$out/lab.log" 2>&1 || echo "net bench: the lab run ended with status $? (see $out/lab.log)" >&2
echo "net bench: host load average $(cut -d' ' -f1-3 /proc/loadavg) at the end" >&2
tr -d '\r' <"$out/lab.log" | grep -a 'NETBENCH-FAIL' -A 20 >&2 || true
tr -d '\r' <"$out/lab.log" | grep -ao 'NETBENCH-LOAD .*' || true
tr -d '\r' <"$out/lab.log" | grep -ao 'NETBENCH-PERF .*' || true
tr -d '\r' <"$out/lab.log" | grep -ao 'NETBENCH-STATS .*' | sed 's/^NETBENCH-STATS tessera: /tessera: /' || true
echo "== HTTP and iperf3 over virtio-net in the nested lab (L1 under TCG; our partition kernel as L2), per-round paired ratios =="
net_summary "$out/lab.log" | tee "$out/net.txt" || { echo "net bench: FAIL: see the lines above and $out/lab.log" >&2; exit 1; }
