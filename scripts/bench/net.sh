#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# virtio-net benchmark (not a test), in the nested lab: our partition
# kernel moves a BENCH_MB (32) MiB file over HTTP (busybox httpd and wget,
# no iperf3: Debian's is dynamic and not in our initramfs) between the
# guest and L1 across a tap, both ways, under tessera (--net) and under
# QEMU 7.2 microvm (virtio-net-device, vhost off), alternating for
# BENCH_ROUNDS (2) rounds (scripts/bench/lab-net-inner.sh). Everything in
# the lab runs under TCG: only the tessera/QEMU ratios mean anything.
#
# usage: scripts/bench/net.sh      (BUILD: the build directory)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
BUILD=${BUILD:-$top/build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-netbench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
command -v qemu-system-x86_64 >/dev/null || { echo "net bench: needs qemu-system-x86_64" >&2; exit 2; }

kernel=$("$here/build-guest-kernel.sh" | tail -n 1)
"$here/mkinitramfs.sh" "$tmp/initrd.cpio.gz" --exit reboot \
	--add "$here/bench/net-guest.sh:/tessera/net-bench.sh" \
	--cmd "sh /tessera/net-bench.sh" >&2
mkdir -p "$tmp/tests"
cp "$here/bench/lab-net-inner.sh" "$tmp/tests/bench_net.sh"
cd "$top"
LAB_MODULES=${LAB_MODULES:-irqbypass kvm kvm-amd tun} LAB_DEVICE= LAB_IOMMU= \
LAB_TESTS_DIR=$tmp/tests LAB_APPEND=lab.verbose=1 LAB_TEST_TIMEOUT=1500 LAB_TIMEOUT=1800 \
LAB_LOG=${LAB_LOG:-$tmp/console.log} BUILD=$BUILD \
LAB_EXTRA="$kernel:/linux/bzImage-partition $tmp/initrd.cpio.gz:/linux/initrd-netbench.cpio.gz $(command -v qemu-system-x86_64):/usr/bin/qemu-system-x86_64 /usr/share/qemu/bios-microvm.bin:/usr/share/qemu/bios-microvm.bin /usr/share/qemu/qboot.rom:/usr/share/qemu/qboot.rom" \
	"$here/lab/run.sh" bench_net >"$tmp/lab.log" 2>&1 || true
grep -ao 'NETBENCH [a-z]* [rt]x .*' "$tmp/lab.log" >"$tmp/bench.txt" || { tail -n 60 "$tmp/lab.log"; exit 1; }
grep -a 'NETBENCH-FAIL' -A 20 "$tmp/lab.log" >&2 || true
grep -ao 'NETBENCH-STATS .*' "$tmp/lab.log" | sed 's/^NETBENCH-STATS tessera: /tessera: /' || true
echo "== HTTP over virtio-net in the nested lab (L1 under TCG; our partition kernel as L2), means of the rounds =="
awk '$1 == "NETBENCH" && NF == 5 && $5 > 0 {
	k = $2 " " $3; n[k]++; mbs[k] += $4 / 1048576 / $5
} END {
	split("rx tx", order)
	for (i = 1; i in order; i++) {
		d = order[i]
		for (m in n) {}
		t = "tessera " d; q = "qemu " d
		if (n[t]) printf "tessera %s %8.1f MiB/s (%d runs)\n", d, mbs[t] / n[t], n[t]
		if (n[q]) printf "qemu    %s %8.1f MiB/s (%d runs)\n", d, mbs[q] / n[q], n[q]
		if (n[t] && n[q]) printf "   ratio tessera/qemu %.2f\n", (mbs[t] / n[t]) / (mbs[q] / n[q])
	}
}' "$tmp/bench.txt"
