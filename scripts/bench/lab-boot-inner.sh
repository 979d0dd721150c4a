#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the nested lab (as a lab "test"; see scripts/bench/boot.sh):
# boots the same kernel and initramfs under tessera and under QEMU microvm,
# alternating, and prints one BENCH line per run:
#   BENCH <monitor>/<kernel> <round> marker=<s> exit=<s> guest_uptime=<s>
# marker: launch to the init's TESSERA-INIT-OK line; exit: launch to the
# monitor's exit; guest_uptime: the guest kernel's own clock at init, so
# (marker - guest_uptime) is what the monitor and firmware cost. Around
# them BENCH-PLAN, BENCH-ROUND r and BENCH-DONE, so that the summary
# (lib.sh boot_summary) knows when a round or the end was lost. Rounds
# are the outer loop: each round boots every kernel under both monitors.
#
# Arch switch (uname -m): x86_64 boots /linux/bzImage-* under QEMU microvm;
# aarch64 (the arm64 lab; boot.sh with LAB_ARCH=arm64 makes the copy a sh
# script: busybox ash has EPOCHREALTIME and <(...) too) boots
# /linux/Image-* under QEMU virt (-M virt,gic-version=3 -cpu host: the
# same in-kernel vGICv3 as tessera's) from /lab/qemu (arm64-qemu.sh), and
# times the hello guest under tessera against the bare KVM_RUN program
# kvm_probe in alternate runs (HELLO-BARE r <s> beside HELLO r <s>).
set -u
I=${BENCH_INITRD:-/linux/initrd.cpio.gz}
ROUNDS=${BENCH_ROUNDS:-5}
CMD="quiet tessera.exit=reboot"
now() { echo "$EPOCHREALTIME"; } # bash 5 and busybox ash: microseconds
case $(uname -m) in
aarch64)
	KERNELS=/linux/Image-
	QEMU=${BENCH_QEMU:-/lab/qemu/run}
	;;
*)
	KERNELS=/linux/bzImage-
	QEMU=${BENCH_QEMU:-qemu-system-x86_64}
	;;
esac

# boot_tessera NAME ROUND KERNEL, boot_qemu NAME ROUND KERNEL: one timed
# boot (256 MiB, 1 vCPU, the same kernel, initramfs and command line).
boot_tessera() {
	case $KERNELS in
	*/Image-) time_boot "$1" "$2" "$TESSERA" run --kernel "$3" --initrd "$I" \
		--memory 256M --cpus 1 --cmdline "$CMD" ;;
	*) time_boot "$1" "$2" "$TESSERA" run --kernel "$3" --initrd "$I" \
		--memory 256M --cpus 1 --cpu-template host --cmdline "$CMD" ;;
	esac
}
boot_qemu() {
	case $KERNELS in
	*/Image-) time_boot "$1" "$2" "$QEMU" -accel kvm -M virt,gic-version=3 -cpu host \
		-m 256M -smp 1 -nodefaults -no-user-config -nographic -serial stdio -no-reboot \
		-kernel "$3" -initrd "$I" -append "console=ttyAMA0 $CMD" ;;
	*) time_boot "$1" "$2" "$QEMU" -L /usr/share/qemu -accel kvm \
		-cpu host -M microvm,x-option-roms=off,rtc=off -m 256M -smp 1 \
		-nodefaults -no-user-config -nographic -serial stdio -no-reboot \
		-kernel "$3" -initrd "$I" -append "console=ttyS0 reboot=t $CMD" ;;
	esac
}

# time_boot NAME COMMAND...: runs it, reading its console line by line.
time_boot() {
	local name=$1 round=$2 start marker= up= line
	shift 2
	start=$(now)
	while IFS= read -r line; do
		case $line in
		*TESSERA-INIT-OK*) [ -n "$marker" ] || marker=$(now) ;;
		*TESSERA-GUEST-UPTIME*) up=${line##* } ;;
		esac
	done < <(timeout 120 "$@" </dev/null 2>&1)
	[ -n "$marker" ] || rc=1
	awk -v n="$name" -v r="$round" -v s="$start" -v m="$marker" -v e="$(now)" -v u="$up" \
		'BEGIN { printf "BENCH %s %d marker=%.2f exit=%.2f guest_uptime=%s\n", n, r, (m == "" ? -1 : m - s), e - s, (u == "" ? "?" : u) }'
}

[ -x "$TESSERA" ] && [ -f "$I" ] && ls "$KERNELS"* >/dev/null 2>&1 ||
	{ echo "BENCH-FAIL missing inputs"; exit 1; }
rc=0 # 1 once a run failed: the lab reports the test as FAIL
kernels=$(for K in "$KERNELS"*; do printf '%s,' "${K#"$KERNELS"}"; done)
echo "BENCH-PLAN rounds=$ROUNDS kernels=${kernels%,}"
# The hello guest, exec to exit, inside L1 (arm64: and kvm_probe's, alternating).
bare=$(command -v kvm_probe || true)
[ "$KERNELS" != /linux/Image- ] || [ -n "$bare" ] || { echo "BENCH-FAIL no kvm_probe"; rc=1; }
for r in $(seq 10); do
	start=$(now)
	if [ "$KERNELS" = /linux/Image- ]; then
		"$TESSERA" run --kernel "$GUESTS/hello.elf" --memory 64M >/dev/null 2>&1
	else
		"$TESSERA" run --kernel "$GUESTS/hello.elf" >/dev/null 2>&1
	fi || { echo "BENCH-FAIL hello run $r"; rc=1; continue; }
	awk -v s="$start" -v e="$(now)" -v r="$r" 'BEGIN { printf "HELLO %d %.4f\n", r, e - s }'
	[ "$KERNELS" = /linux/Image- ] && [ -n "$bare" ] || continue
	start=$(now)
	"$bare" --memory 64 "$GUESTS/hello.elf" >/dev/null 2>&1 || { echo "BENCH-FAIL kvm_probe run $r"; rc=1; continue; }
	awk -v s="$start" -v e="$(now)" -v r="$r" 'BEGIN { printf "HELLO-BARE %d %.4f\n", r, e - s }'
done
for r in $(seq "$ROUNDS"); do
	echo "BENCH-ROUND $r"
	for K in "$KERNELS"*; do
		k=${K#"$KERNELS"}
		boot_tessera "tessera/$k" "$r" "$K"
		boot_qemu "qemu/$k" "$r" "$K"
	done
	echo "BENCH-LOAD $r $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "BENCH-DONE"
exit $rc
