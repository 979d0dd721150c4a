#!/usr/bin/env bash
# lab: boot-test (its kernels come with make boot-test; not in the lab's "all")
# Boots Linux kernels to a user-space init (scripts/mkinitramfs.sh) on 1 and
# 2 vCPUs: marker seen, all CPUs online, exit status 0 through the guest's
# reboot (reboot=k: the i8042 reset line). Kernels with ACPI (Debian's,
# named bzImage-debian-*) also power off: ACPI S5 through PM1a_CNT. A
# vmlinux-* (ELF with the PVH note) boots through the PVH entry.
# Inputs: LINUX_DIR holding bzImage-*/vmlinux-* kernels and initrd.cpio.gz (make
# boot-test puts them in the lab at /linux). Skipped without them, and on
# kvm_pvm hosts, whose emulator cannot run Linux to user space (docs/linux.md).
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
LINUX_DIR=${LINUX_DIR:-/linux}
kernels=$(ls "$LINUX_DIR"/bzImage-* "$LINUX_DIR"/vmlinux-* 2>/dev/null || true)
[ -n "$kernels" ] && [ -f "$LINUX_DIR/initrd.cpio.gz" ] ||
	skip "no kernels in $LINUX_DIR (make boot-test provides them)"
[ -e /sys/module/kvm_pvm ] && { echo "SKIP: kvm_pvm cannot run Linux to user space"; exit 77; }

boot() { # boot KERNEL CPUS EXIT
	local k=$1 cpus=$2 how=$3 start secs
	start=$(cut -d' ' -f1 /proc/uptime) # busybox date has no padded %N
	TEST_TIMEOUT=300 run_guest "" --kernel "$k" --initrd "$LINUX_DIR/initrd.cpio.gz" \
		--memory 256M --cpus "$cpus" --cpu-template host \
		--cmdline "quiet tessera.exit=$how"
	secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
	[ "$RC" -eq 0 ] || fail "$(basename "$k") on $cpus vCPU(s), $how: exit status $RC; console: $(tail -c 3000 "$TMP/out"); stderr: $(cat "$TMP/err")"
	expect_out "TESSERA-INIT-OK"
	expect_out "TESSERA-CPUS $cpus"
	expect_out "TESSERA-EXIT $how"
	echo "booted $(basename "$k") on $cpus vCPU(s) to init and $how in ${secs}s"
}

for k in $kernels; do
	for cpus in 1 2; do
		boot "$k" "$cpus" reboot
	done
	case $(basename "$k") in
	bzImage-debian-*) boot "$k" 2 poweroff ;;
	esac
done
echo "PASS linux_boot"
