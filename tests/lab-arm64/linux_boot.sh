#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# lab: boot-test (its kernel and images come with make ARCH=arm64 boot-test; not in the lab's "all")
# Boots an arm64 Linux Image (Debian's stock cloud kernel: the arm64 boot
# protocol, the DT as the whole description, GICv3, PSCI) under tessera to
# the initramfs's marker (scripts/mkinitramfs.sh) on 1 and 2 vCPUs: all
# CPUs online (PSCI CPU_ON), exit status 0 through PSCI SYSTEM_OFF
# (poweroff -f) and SYSTEM_RESET (reboot -f). Inputs in LINUX_DIR (/linux:
# scripts/boot-test-arm64.sh, `make ARCH=arm64 boot-test`, puts them there);
# skipped without them. Plain sh: the arm64 L1 has busybox.
[ -c /dev/kvm ] || { echo "no /dev/kvm"; exit 77; }
[ "$(uname -m)" = aarch64 ] || { echo "not an arm64 host"; exit 77; }
T=${TESSERA:-/lab/bin/tessera}
L=${LINUX_DIR:-/linux}
kernels=$(ls "$L"/Image-* 2>/dev/null)
[ -n "$kernels" ] && [ -f "$L/initrd.cpio.gz" ] ||
	{ echo "SKIP: no Image-* and initrd.cpio.gz in $L (make ARCH=arm64 boot-test)"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
out=${TMPDIR:-/tmp}/linux.out

boot() { # boot KERNEL CPUS EXIT
	start=$(cut -d' ' -f1 /proc/uptime)
	timeout -s KILL 400 "$T" run --kernel "$1" --initrd "$L/initrd.cpio.gz" \
		--memory 256M --cpus "$2" --cmdline "quiet tessera.exit=$3" >"$out" 2>&1
	rc=$?
	secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
	[ "$rc" = 0 ] || { tail -c 3000 "$out"; fail "$(basename "$1") on $2 vCPU(s), $3: status $rc"; }
	for m in TESSERA-INIT-OK "TESSERA-CPUS $2" "TESSERA-EXIT $3"; do
		grep -q "$m" "$out" || { tail -c 3000 "$out"; fail "$(basename "$1") on $2 vCPU(s): no '$m'"; }
	done
	# The default --seccomp kill: nothing refused.
	! grep -q 'seccomp:' "$out" || fail "$(grep 'seccomp:' "$out" | head -n 3)"
	echo "booted $(basename "$1") on $2 vCPU(s) to init and $3 in ${secs}s"
}

for k in $kernels; do
	boot "$k" 1 poweroff
	boot "$k" 2 poweroff
	boot "$k" 2 reboot
done
echo "PASS linux_boot"
