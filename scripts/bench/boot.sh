#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boot-time benchmark (not a test): our partition kernel and Debian's stock
# cloud kernel with a busybox initramfs, booted to the init marker under
# tessera and under QEMU's microvm inside the nested lab, same kernel,
# initramfs, 256 MiB, 1 vCPU, -cpu host, alternating runs. Prints medians
# and the ratios, and the hello guest's exec-to-exit time inside L1.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
top=$(cd "$here/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tessera-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

kernel=$("$here/build-guest-kernel.sh" | tail -n 1)
"$here/mkinitramfs.sh" "$tmp/initrd.cpio.gz" --exit reboot \
	--cmd 'echo TESSERA-GUEST-UPTIME $(cut -d" " -f1 /proc/uptime)' >&2
mkdir -p "$tmp/tests"
cp "$here/bench/lab-boot-inner.sh" "$tmp/tests/bench_boot.sh"
qemu=$(command -v qemu-system-x86_64)
stock=$(ls "$("$here/lab/fetch.sh")"/boot/vmlinuz-* | head -n 1)
cd "$top"
LAB_TESTS_DIR=$tmp/tests LAB_APPEND=lab.verbose=1 LAB_TEST_TIMEOUT=900 \
LAB_EXTRA="$kernel:/linux/bzImage-partition $stock:/linux/bzImage-debian $tmp/initrd.cpio.gz:/linux/initrd.cpio.gz $qemu:/usr/bin/qemu-system-x86_64 /usr/share/qemu/bios-microvm.bin:/usr/share/qemu/bios-microvm.bin" \
	"$here/lab/run.sh" bench_boot >"$tmp/lab.log" 2>&1 || true
grep -o 'BENCH .*' "$tmp/lab.log" >"$tmp/bench.txt" || { tail -n 40 "$tmp/lab.log"; exit 1; }
cat "$tmp/bench.txt"
grep -o 'LAB-UP .*' "$tmp/lab.log" | head -n 1
grep -o 'L1 boot .*' "$tmp/lab.log" | head -n 1
grep -o 'HELLO .*' "$tmp/lab.log" | awk '{ t[NR] = $3 } END {
	n = NR; for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
	if (n) printf "hello guest inside L1, exec to exit, median of %d: %.1f ms\n", n, 1000 * (n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2) }'
awk '
function median(a, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
$1 == "BENCH" && NF == 6 {
	split($4, m, "="); split($5, e, "="); split($6, u, "=")
	k = $2; n[k]++; mk[k, n[k]] = m[2]; ex[k, n[k]] = e[2]; up[k, n[k]] = u[2]
}
END {
	for (k in n) {
		for (i = 1; i <= n[k]; i++) { a[i] = mk[k, i]; b[i] = ex[k, i]; c[i] = up[k, i] }
		M[k] = median(a, n[k]); E[k] = median(b, n[k]); U[k] = median(c, n[k])
		printf "%-18s median of %d: to init marker %.2f s, to exit %.2f s, guest kernel uptime at init %.2f s, monitor+firmware %.2f s\n", k, n[k], M[k], E[k], U[k], M[k] - U[k]
	}
	for (k in n) {
		split(k, p, "/")
		if (p[1] != "tessera" || M["qemu/" p[2]] <= 0) continue
		q = "qemu/" p[2]
		printf "%s kernel: ratio tessera/qemu to the init marker %.2f (goal <= 0.5); outside the guest kernel %.2f s vs %.2f s\n", p[2], M[k] / M[q], M[k] - U[k], M[q] - U[q]
	}
}' "$tmp/bench.txt"
