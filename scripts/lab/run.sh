#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: run integration tests in the nested-KVM lab (see README.md).
#
# usage: scripts/lab/run.sh [TEST...]
#
# TEST is a built-in self-test (lab-kvm, lab-vfio, lab-tessera) or the name
# of a $LAB_TESTS_DIR/NAME.sh; without any, every test runs. Fetches what is
# missing (fetch.sh), builds L1's initramfs (mkinitramfs.sh), boots L1 under
# QEMU TCG, streams its console to stdout and to $LAB_LOG, and sums up.
#
# LAB_ARCH=arm64 runs the arm64 lab instead: QEMU's virt board with EL2
# (-M virt,virtualization=on,gic-version=3 -cpu max,pauth-impdef=on), Debian's
# arm64 cloud kernel with KVM (VHE) built in, an arm64 busybox, the payload
# from $BUILD (default build/arm64: `make ARCH=arm64 guests`) and the tests
# in tests/lab-arm64/. Everything else (protocol, watchdog, timeouts, exit
# statuses) is the same. Unless LAB_VFIO_PLATFORM=0, the arm64 L1 also gets
# vfio-platform: build-vfio-platform.sh's modules (cached), vfio in no-IOMMU
# mode, and QEMU virt's PL031 RTC made a plain platform device (its DTB
# dumped and edited with fdtput) and bound to vfio-platform in L1.
#
# Exit status:
#   0  LAB-DONE seen, no test failed, at least one passed
#   1  a test failed, or none passed
#   2  setup failed (packages, kernel, qemu missing, initramfs)
#   3  L1 did not boot (no LAB-UP line)
#   4  timed out (LAB_TIMEOUT)
#   5  L1 booted but its runner never printed LAB-DONE
#
# Environment (defaults in brackets; {arm64 defaults} where they differ):
#   LAB_ARCH          x86_64 or arm64 [x86_64]
#   LAB_VFIO_PLATFORM arm64: 1 to bind LAB_PLATFORM_DEV to vfio-platform, 0 not [1]
#   LAB_PLATFORM_DEV  arm64: that platform device [9010000.pl031]
#   LAB_PLATFORM_IOMMU arm64: none (vfio's no-IOMMU mode) or smmuv3 (virt's
#                     emulated SMMUv3 with an iommus property on the device:
#                     a real IOMMU group) [none]
#   LAB_TIMEOUT       whole-run bound for QEMU, seconds [900]
#   LAB_TEST_TIMEOUT  per-test bound inside L1, seconds [120]
#   LAB_CPU           QEMU -cpu [EPYC,+svm,+npt] {max,pauth-impdef=on}
#   LAB_SMP, LAB_MEM  QEMU -smp and -m [1, 2048] {1, 1024}; tests marked
#                     "# lab: smp" run in a second boot with -smp 2 (at least)
#   LAB_MACHINE       QEMU -machine [q35,kernel-irqchip=split]
#                     {virt,virtualization=on,gic-version=3}
#   LAB_IOMMU         QEMU IOMMU -device, empty for none
#                     [intel-iommu,intremap=on,caching-mode=on] {none}
#   LAB_DEVICE        QEMU -device to pass through, empty for none [edu] {none}
#   LAB_PCI_ID        its vendor:device for vfio-pci [1234:11e8 for edu]
#   LAB_APPEND        extra kernel command line (e.g. kvm_amd.avic=1, lab.verbose=1)
#   LAB_L1_TICK       x86: L1's timer options [no_timer_check nohz=off]: skip the
#                     boot-time IO-APIC timer check that a loaded host fails
#                     under TCG (a panic, seen in a soak), and a periodic tick,
#                     so an idle L1 always has a timer armed in QEMU (soak.sh)
#   LAB_REBOOT        1: after a stall, boot L1 once more for the tests left;
#                     0: count the stall and stop (soak.sh) [1]
#   LAB_STALL_LOG     where the watchdog writes what a silent L1 was doing
#                     (QEMU monitor: registers, local APIC) [$LAB_LOG.stall]
#   LAB_QEMU          QEMU binary [qemu-system-x86_64] {qemu-system-aarch64}
#   LAB_QEMU_ARGS     extra QEMU arguments (split on spaces)
#   LAB_ACCEL         L1's QEMU -accel [tcg; tcg,thread=single for an x86 L1
#                     with 2 or more CPUs]: tcg alone is one host thread per
#                     vCPU (MTTCG), in which a vCPU can keep running kernel
#                     code another vCPU patched (README.md, item 9)
#   LAB_KERNEL_PKG    kernel package [newest linux-image-6.1.0-*-cloud-amd64]
#                     {newest linux-image-6.1.0-*-cloud-arm64}
#   LAB_TESTS_DIR     directory of NAME.sh tests [tests/integration]
#                     {tests/lab-arm64}
#   BUILD             build directory with tessera and guests/ [build]
#                     {build/arm64}
#   LAB_EXTRA         extra files for the initramfs, space-separated SRC[:DEST]
#   LAB_INITRD_COMPRESS  gzip or none [gzip]
#   LAB_CACHE         cache for packages and kernels
#                     [${XDG_CACHE_HOME:-$HOME/.cache}/tessera/lab]
#   LAB_LOG           console log [$LAB_CACHE/last-console.log]
#   LAB_KEEP=1        keep the temp dir (initramfs, console log)
#   LAB_REUSE         a directory: the first run keeps the kernel's path and
#                     its initramfs there, later runs reuse them without
#                     fetch.sh and mkinitramfs.sh (soak.sh: the same build
#                     booted again and again; x86 only)

set -eu
shopt -s lastpipe

HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${LAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tessera/lab}

log() { printf 'lab: %s\n' "$*" >&2; }
fail() {
	local code=$1
	shift
	log "FAILED: $*"
	exit "$code"
}

case ${1:-} in
-h | --help)
	sed -n '4,/^$/s/^# \{0,1\}//p' "$0"
	exit 0
	;;
esac

LAB_ARCH=${LAB_ARCH:-x86_64}
case $LAB_ARCH in
x86_64) ;;
arm64 | aarch64)
	# The arm64 lab (LAB.md): QEMU virt with EL2, so KVM runs in L1 (VHE);
	# pauth-impdef=on makes TCG about 3.5x faster. No IOMMU or PCI device
	# to pass through yet; the payload is build/arm64's and the tests
	# tests/lab-arm64's.
	LAB_ARCH=arm64
	LAB_CPU=${LAB_CPU:-max,pauth-impdef=on}
	LAB_MEM=${LAB_MEM:-1024}
	LAB_MACHINE=${LAB_MACHINE:-virt,virtualization=on,gic-version=3}
	LAB_IOMMU=${LAB_IOMMU-}
	LAB_DEVICE=${LAB_DEVICE-}
	LAB_QEMU=${LAB_QEMU:-qemu-system-aarch64}
	root=$(cd "$HERE/../.." && pwd)
	export BUILD=${BUILD:-$root/build/arm64}
	export LAB_TESTS_DIR=${LAB_TESTS_DIR:-$root/tests/lab-arm64}
	LAB_VFIO_PLATFORM=${LAB_VFIO_PLATFORM:-1}
	LAB_PLATFORM_DEV=${LAB_PLATFORM_DEV:-9010000.pl031}
	LAB_PLATFORM_IOMMU=${LAB_PLATFORM_IOMMU:-none}
	[ "$LAB_PLATFORM_IOMMU" = none ] || LAB_MACHINE="$LAB_MACHINE,iommu=$LAB_PLATFORM_IOMMU"
	;;
*) fail 2 "LAB_ARCH must be x86_64 or arm64, not $LAB_ARCH" ;;
esac
export LAB_ARCH
LAB_TIMEOUT=${LAB_TIMEOUT:-900}
LAB_TEST_TIMEOUT=${LAB_TEST_TIMEOUT:-120}
LAB_CPU=${LAB_CPU:-EPYC,+svm,+npt}
LAB_SMP=${LAB_SMP:-1}
LAB_MEM=${LAB_MEM:-2048}
LAB_MACHINE=${LAB_MACHINE:-q35,kernel-irqchip=split}
LAB_IOMMU=${LAB_IOMMU-intel-iommu,intremap=on,caching-mode=on}
LAB_DEVICE=${LAB_DEVICE-edu}
LAB_QEMU=${LAB_QEMU:-qemu-system-x86_64}
LAB_APPEND=${LAB_APPEND:-}
LAB_QEMU_ARGS=${LAB_QEMU_ARGS:-}
LAB_ACCEL=${LAB_ACCEL:-}
LAB_EXTRA=${LAB_EXTRA:-}
LAB_LOG=${LAB_LOG:-$CACHE/last-console.log}
if [ -z "${LAB_PCI_ID:-}" ]; then
	case $LAB_DEVICE in
	edu | edu,*) LAB_PCI_ID=1234:11e8 ;;
	*) LAB_PCI_ID=none ;;
	esac
fi

tests=all
if [ $# -gt 0 ]; then
	tests=$(IFS=,; echo "$*")
fi

t_start=$EPOCHREALTIME
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# --- 1. fetch ----------------------------------------------------------------
if [ -n "${LAB_REUSE:-}" ] && [ "$LAB_ARCH" = x86_64 ] && [ -s "$LAB_REUSE/kdir" ] &&
	[ -s "$LAB_REUSE/l1.cpio" ]; then
	KDIR=$(cat "$LAB_REUSE/kdir")
else
	KDIR=$("$HERE/fetch.sh") || fail 2 "fetch.sh could not provide packages or the kernel"
fi
if [ "$LAB_ARCH" = arm64 ]; then
	LAB_BUSYBOX=$("$HERE/fetch.sh" busybox) || fail 2 "fetch.sh could not provide an arm64 busybox"
	export LAB_BUSYBOX
	if [ "$LAB_VFIO_PLATFORM" = 1 ]; then
		vk=$(LAB_KDIR=$KDIR "$HERE/build-vfio-platform.sh") ||
			fail 2 "build-vfio-platform.sh could not build the vfio-platform modules"
		# Ours stand in for Debian's vfio.ko (no-IOMMU built in).
		# tun: /dev/net/tun for the virtio-net tests' taps; loop: loop-mounted images.
		export LAB_MODULES=${LAB_MODULES:-"$vk/vfio.ko vfio_iommu_type1 vfio_virqfd $vk/vfio-platform-base.ko $vk/vfio-platform.ko $vk/vfio-amba.ko tun loop"}
		command -v fdtput >/dev/null || fail 2 "fdtput not found (apt-get install device-tree-compiler)"
	fi
	command -v "$LAB_QEMU" >/dev/null || fail 2 "$LAB_QEMU not found (apt-get install qemu-system-arm)"
else
	command -v "$LAB_QEMU" >/dev/null || fail 2 "$LAB_QEMU not found (apt-get install qemu-system-x86)"
fi
vmlinuz=("$KDIR"/boot/vmlinuz-*)
VMLINUZ=${vmlinuz[0]}
[ -f "$VMLINUZ" ] || fail 2 "no vmlinuz in $KDIR"
t_fetch=$(secs_since "$t_start")

# --- 2. initramfs --------------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/tessera-lab.XXXXXX")
# L1's QEMU never outlives this script: it runs under its own timeout, in a
# process group of its own, so an outer timeout's or Ctrl-C's signal would
# not reach it; orphaned, it kept running for LAB_TIMEOUT and kept the lab
# lock its inherited descriptor holds (seen 2026-12-03: 25 minutes, idle).
stop_qemu() { pkill -TERM -f -- "$TMP/l1.cpio" 2>/dev/null || true; }
if [ "${LAB_KEEP:-0}" = 1 ]; then
	trap 'stop_qemu; log "kept $TMP"' EXIT
else
	trap 'stop_qemu; rm -rf "$TMP"' EXIT
fi
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
t1=$EPOCHREALTIME
# vfio_platform_linux (run by name or with all): the lab's own Image and a
# guest initramfs whose script checks rtc-pl031 (guests/arm64/pl031-linux.sh).
if [ "$LAB_ARCH" = arm64 ] && [ "$LAB_VFIO_PLATFORM" = 1 ] &&
	[[ ",$tests," == *,all,* || ",$tests," == *,vfio_platform_linux,* ]]; then
	BUSYBOX=$LAB_BUSYBOX BUSYBOX_RUN=qemu-aarch64-static "$root/scripts/mkinitramfs.sh" \
		"$TMP/initrd-pl031.cpio.gz" --exit poweroff \
		--add "$root/guests/arm64/pl031-linux.sh:/tessera/pl031-linux.sh" \
		--cmd "sh /tessera/pl031-linux.sh" >&2 || fail 2 "the PL031 guest initramfs failed"
	LAB_EXTRA="$LAB_EXTRA $VMLINUZ:/linux/Image-debian-cloud $TMP/initrd-pl031.cpio.gz:/linux/initrd-pl031.cpio.gz"
fi
# shellcheck disable=SC2086 # LAB_EXTRA is a space-separated list
if [ -n "${LAB_REUSE:-}" ] && [ "$LAB_ARCH" = x86_64 ] && [ -s "$LAB_REUSE/l1.cpio" ]; then
	cp "$LAB_REUSE/l1.cpio" "$TMP/l1.cpio"
else
	"$HERE/mkinitramfs.sh" "$KDIR" "$TMP/l1.cpio" $LAB_EXTRA ||
		fail 2 "mkinitramfs.sh failed"
	if [ -n "${LAB_REUSE:-}" ] && [ "$LAB_ARCH" = x86_64 ]; then
		mkdir -p "$LAB_REUSE"
		cp "$TMP/l1.cpio" "$LAB_REUSE/l1.cpio"
		printf '%s\n' "$KDIR" >"$LAB_REUSE/kdir"
	fi
fi

# The arm64 lab's vfio-platform device: QEMU virt's PL031 is an AMBA
# primecell ("arm,pl031", "arm,primecell"); with "arm,pl031" alone Linux
# makes it a platform device, which vfio-platform can take (LAB.md). The
# DTB is dumped with the very machine options L1 boots with.
# One DTB per CPU count (the smp pass boots L1 again with more CPUs, and a
# DTB names its CPUs): virt_dtb SMP writes $TMP/virt-SMP.dtb.
virt_dtb() {
	local smp=$1 dtb=$TMP/virt-$1.dtb node=/pl031@${LAB_PLATFORM_DEV%%.*} smmu ph
	# shellcheck disable=SC2086 # LAB_QEMU_ARGS is split on purpose
	timeout 60 "$LAB_QEMU" -accel tcg -cpu "$LAB_CPU" -smp "$smp" -m "$LAB_MEM" \
		-machine "$LAB_MACHINE,dumpdtb=$dtb" -nodefaults -nographic \
		$LAB_QEMU_ARGS >"$TMP/dumpdtb.log" 2>&1 || fail 2 "$LAB_QEMU could not dump its DTB: $(tail -n 1 "$TMP/dumpdtb.log")"
	fdtput -t s "$dtb" "$node" compatible arm,pl031 ||
		fail 2 "no $node in QEMU virt's DTB (LAB_PLATFORM_DEV=$LAB_PLATFORM_DEV)"
	if [ "$LAB_PLATFORM_IOMMU" = smmuv3 ]; then
		# The SMMU's phandle and a stream ID no PCI function uses.
		smmu=$(fdtget -l "$dtb" / | grep -m 1 '^smmuv3@') ||
			fail 2 "no smmuv3 node in QEMU virt's DTB"
		ph=$(fdtget -t u "$dtb" "/$smmu" phandle) ||
			fail 2 "/$smmu has no phandle"
		fdtput -t u "$dtb" "$node" iommus "$ph" 8192 ||
			fail 2 "cannot add iommus to $node"
	fi
}
if [ "$LAB_ARCH" = arm64 ] && [ "$LAB_VFIO_PLATFORM" = 1 ]; then
	virt_dtb "$LAB_SMP"
	LAB_APPEND="vfio.enable_unsafe_noiommu_mode=1 vfio_platform.reset_required=0 lab.platdev=$LAB_PLATFORM_DEV${LAB_APPEND:+ $LAB_APPEND}"
fi
t_initrd=$(secs_since "$t1")

# --- 3. boot L1 ------------------------------------------------------------------
# A watchdog on L1's console: each test is bounded inside L1 (timeout -s
# KILL), so silence much longer than that means L1 itself stopped answering
# (a process stuck in the kernel, a wedged nested KVM). Then QEMU is
# stopped, the test that was running is named, and L1 boots once more for
# the tests that had not reported; a second hang fails the run.
LAB_SILENCE=${LAB_SILENCE:-$((LAB_TEST_TIMEOUT + 90))}
mkdir -p "$(dirname "$LAB_LOG")"
: >"$LAB_LOG"
shopt -s extglob
esc=$'\e'
t_qemu=$EPOCHREALTIME
t_up=
tcg_warnings=0

# qemu_cpu: the CPU time (clock ticks, user + system) of L1's QEMU so far.
qemu_cpu() {
	local p comm
	for p in $(pgrep -f -- "$TMP/l1.cpio"); do
		read -r comm <"/proc/$p/comm" 2>/dev/null || continue
		case $comm in
		qemu-system*) awk '{ print $14 + $15 }' "/proc/$p/stat" && return 0 ;;
		esac
	done
	echo '?'
}

# stall_report WHAT: before a silent L1 is stopped, what it was doing, into
# $LAB_STALL_LOG: QEMU's CPU time over 5 s, then twice (5 s apart) the vCPU
# registers, the local APIC (timer mode, counts, IRR/ISR), the IO-APIC, the
# CPU state and the console UART's registers from QEMU's monitor.
stall_report() {
	local out=${LAB_STALL_LOG:-$LAB_LOG.stall} c0 c1 round
	{
		echo "== L1 silent during $1 ($(date -u +%H:%M:%S), load: $(cut -d' ' -f1-3 /proc/loadavg))"
		timeout 1 cat "$TMP/mon.out" >/dev/null 2>&1 # the banner, old prompts
		c0=$(qemu_cpu)
		sleep 5
		c1=$(qemu_cpu)
		echo "QEMU CPU time over 5 s: $c0 -> $c1 clock ticks"
		for round in 1 2; do
			# info pic: the IO-APIC's redirection entries (remote IRR);
			# the console UART's IER, LSR, then IIR (read last: reading
			# it acknowledges a THRE interrupt).
			# Every CPU's registers and local APIC ("cpu N" picks it).
			for ((c = 0; c < ${smp:-1}; c++)); do
				printf '%s\n' "cpu $c" 'info registers' 'info lapic'
			done >"$TMP/mon.in"
			sleep 1
			printf '%s\n' 'info pic' 'info cpus' 'info irq' \
				'i /b 0x3f9' 'i /b 0x3fd' 'i /b 0x3fa' >"$TMP/mon.in"
			sleep 2
			# Without the monitor's own echo of the commands (escape codes).
			timeout 2 cat "$TMP/mon.out" | tr -d '\r' | grep -av $'\e'
			[ "$round" = 2 ] || sleep 5
		done
	} >>"$out" 2>&1
	log "stall report: $out"
}

# boot_l1 TESTS SMP: one L1 boot with SMP CPUs running TESTS (comma list or
# "all"); sets qemu_rc, hung (the test L1 stopped answering in, if any), run_log.
boot_l1() {
	local append line rc started='' t0=$EPOCHREALTIME smp=$2 accel lab_seen
	append="console=ttyS0 panic=-1 loglevel=4 lab.tests=$1 lab.timeout=$LAB_TEST_TIMEOUT lab.pci=$LAB_PCI_ID"
	[ "$LAB_ARCH" = arm64 ] && append="console=ttyAMA0 ${append#console=ttyS0 }"
	# An x86 L1 with two CPUs under MTTCG hung once with a CPU looping on
	# an int3 Linux had already patched out of __schedule (a stale
	# translation; README.md, item 9): one TCG thread for every vCPU then.
	accel=${LAB_ACCEL:-tcg}
	[ -n "$LAB_ACCEL" ] || [ "$smp" -lt 2 ] || [ "$LAB_ARCH" != x86_64 ] || accel=tcg,thread=single
	qemu=("$LAB_QEMU" -accel "$accel" -cpu "$LAB_CPU" -smp "$smp" -m "$LAB_MEM"
		-machine "$LAB_MACHINE" -nodefaults -nographic -serial stdio -no-reboot)
	if [ -n "$LAB_IOMMU" ]; then
		qemu+=(-device "$LAB_IOMMU")
		case $LAB_IOMMU in
		intel-iommu*) append="$append intel_iommu=on iommu=pt" ;;
		amd-iommu*) append="$append amd_iommu=on iommu=pt" ;;
		esac
	fi
	[ -n "$LAB_DEVICE" ] && qemu+=(-device "$LAB_DEVICE")
	# QEMU's human monitor on two FIFOs ($TMP/mon.in, mon.out; QEMU opens
	# them read-write, so nothing blocks): the watchdog looks through it at
	# a silent L1 before stopping it (stall_report).
	rm -f "$TMP/mon.in" "$TMP/mon.out"
	mkfifo "$TMP/mon.in" "$TMP/mon.out"
	# shellcheck disable=SC2054 # QEMU's option syntax
	qemu+=(-chardev "pipe,id=labmon,path=$TMP/mon" -mon chardev=labmon,mode=readline)
	# shellcheck disable=SC2206 # LAB_QEMU_ARGS is split on purpose
	[ -n "$LAB_QEMU_ARGS" ] && qemu+=($LAB_QEMU_ARGS)
	if [ "$LAB_ARCH" = arm64 ] && [ "$LAB_VFIO_PLATFORM" = 1 ]; then
		[ -f "$TMP/virt-$smp.dtb" ] || virt_dtb "$smp"
		qemu+=(-dtb "$TMP/virt-$smp.dtb")
	fi
	[ "$LAB_ARCH" = arm64 ] || append="$append ${LAB_L1_TICK-no_timer_check nohz=off}"
	[ -n "$LAB_APPEND" ] && append="$append $LAB_APPEND"
	qemu+=(-kernel "$VMLINUZ" -initrd "$TMP/l1.cpio" -append "$append")
	printf '%q ' "${qemu[@]}" | sed 's/ $//' >"$TMP/qemu-cmdline"
	log "$(cat "$TMP/qemu-cmdline")"
	hung=
	run_log=$TMP/run-$RANDOM.log
	: >"$run_log"
	set +e
	lab_seen=$SECONDS
	timeout -k 10 "$LAB_TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
		while true; do
			IFS= read -r -t "$LAB_SILENCE" line
			rc=$?
			# Silence, or no LAB- line for as long while only the kernel
			# talks: a hung two-CPU L1 prints RCU stall and soft lockup
			# warnings every 20 to 30 s (seen in item 9's reproduction).
			if [ "$rc" -gt 128 ] || [ $((SECONDS - lab_seen)) -ge "$LAB_SILENCE" ]; then
				hung=${started:-L1 boot}
				log "L1 silent for ${LAB_SILENCE}s during $hung: stopping it$([ "$rc" -gt 128 ] || echo " (no LAB- line, the kernel still printing)")"
				stall_report "$hung"
				pkill -TERM -f -- "$TMP/l1.cpio"
				break
			fi
			[ "$rc" = 0 ] || [ -n "$line" ] || break
			line=${line//$'\r'/}
			line=${line//$esc\[*([0-9;?])[A-Za-z]/}
			line=${line//${esc}c/}
			printf '%s\n' "$line" >>"$LAB_LOG"
			printf '%s\n' "$line" >>"$run_log"
			[[ $line != LAB-* ]] || lab_seen=$SECONDS
			case $line in
			LAB-START\ *) started=${line#LAB-START } ;;
			LAB-RESULT\ *) started= ;;
			esac
			# QEMU lists each CPU feature TCG lacks (nrip-save, xsavec, ...):
			# keep them in the log only.
			if [[ $line == *"TCG doesn't support requested feature"* ]]; then
				tcg_warnings=$((tcg_warnings + 1))
				continue
			fi
			printf '%s\n' "$line"
			if [ -z "$t_up" ] && [[ $line == *LAB-UP* ]]; then
				t_up=$(secs_since "$t0")
			fi
		done
	qemu_rc=${PIPESTATUS[0]}
	set -e
}

# lab_pass TESTS SMP: L1 boots with SMP CPUs for TESTS, and once more for
# the tests left if it stops answering. Adds to stall_notes (a stall the
# reboot got past), stall_fatal (a second one, or any with LAB_REBOOT=0),
# timed_out (QEMU hit LAB_TIMEOUT) and no_done (no LAB-DONE at the end).
stall_notes='' stall_fatal='' timed_out='' no_done=''
lab_pass() {
	local first_hung listed remaining t why
	boot_l1 "$1" "$2"
	first_hung=$hung
	if [ -n "$hung" ] && [ "$hung" != "L1 boot" ] && [ "${LAB_REBOOT:-1}" = 1 ]; then
		# What had not reported: the listed tests without a LAB-RESULT.
		listed=$(grep -ao 'LAB-TESTS .*' "$run_log" | head -n 1 | cut -d' ' -f2-)
		remaining=
		for t in $listed; do
			grep -aq "^LAB-RESULT $t " "$run_log" || remaining="$remaining,$t"
		done
		remaining=${remaining#,}
		log "rebooting L1 once for: $remaining"
		boot_l1 "$remaining" "$2"
	fi
	if [ -n "$hung" ]; then
		# Not one assignment with $(... && echo): its status would be the
		# last test's, and set -e ended run.sh there with status 1
		# (LAB_REBOOT=0, soak.sh: a stall counted as a failure).
		why=$hung
		[ "$hung" = "$first_hung" ] || why="$why (first boot: $first_hung)"
		[ "${LAB_REBOOT:-1}" != 1 ] || why="$why, on both boots"
		stall_fatal="$stall_fatal${stall_fatal:+; }$why"
	elif [ -n "$first_hung" ]; then
		stall_notes="$stall_notes${stall_notes:+; }$first_hung"
	fi
	if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then timed_out=1; fi
	grep -aq '^LAB-DONE ' "$run_log" || no_done="$no_done${no_done:+, }qemu exit status $qemu_rc"
}

# Tests marked "# lab: smp" need two CPUs in L1: a second L1 boot with
# -smp 2 (at least) runs them alone, so every other test keeps the faster,
# steadier one-CPU L1 (README.md, "Two CPUs"). init.sh leaves them out of
# "all".
smp_marked=
tests_dir=${LAB_TESTS_DIR:-tests/integration} # as mkinitramfs.sh finds it
case $tests_dir in /*) ;; *) tests_dir=$(cd "$HERE/../.." && pwd)/$tests_dir ;; esac
for t in "$tests_dir"/*.sh; do
	[ -f "$t" ] && head -n 5 "$t" | grep -q '^# lab: smp' && smp_marked="$smp_marked $(basename "$t" .sh)"
done
main_tests=$tests smp_tests=
if [ "$tests" = all ]; then
	smp_tests=${smp_marked# }
	smp_tests=${smp_tests// /,}
else
	main_tests=
	for t in ${tests//,/ }; do
		case " $smp_marked " in
		*" $t "*) smp_tests="$smp_tests${smp_tests:+,}$t" ;;
		*) main_tests="$main_tests${main_tests:+,}$t" ;;
		esac
	done
fi
smp2=$((LAB_SMP > 2 ? LAB_SMP : 2))

log "kernel $(basename "$KDIR"), tests: $tests, timeout ${LAB_TIMEOUT}s"
log "console log: $LAB_LOG"
[ -z "$main_tests" ] || lab_pass "$main_tests" "$LAB_SMP"
if [ -n "$smp_tests" ]; then
	log "L1 with $smp2 CPUs for: $smp_tests"
	lab_pass "$smp_tests" "$smp2"
fi
[ "$tcg_warnings" = 0 ] || log "($tcg_warnings 'TCG doesn't support requested feature' warnings in $LAB_LOG)"
t_l1=$(secs_since "$t_qemu")
cp "$LAB_LOG" "$TMP/console.log"

# --- 4. sum up ---------------------------------------------------------------------
results=$(grep -a '^LAB-RESULT ' "$LAB_LOG" || true)
guest_up=$(grep -ao 'LAB-UP .*' "$LAB_LOG" | head -n 1 | sed -n 's/.*uptime=\([0-9.]*\).*/\1/p' || true)

echo
log "---- summary ----"
log "kernel: $(basename "$KDIR")"
if [ -n "$t_up" ]; then
	log "L1 boot (qemu start -> LAB-UP): ${t_up} s (L1 uptime then: ${guest_up:-?} s)"
fi
if [ -n "$results" ]; then
	printf '%s\n' "$results" | awk '{ printf "lab:   %-28s %-4s %8s s\n", $2, $3, $4 }' >&2
fi
log "time: fetch ${t_fetch} s, initramfs ${t_initrd} s, L1 ${t_l1} s, whole run $(secs_since "$t_start") s"

[ -z "$stall_notes" ] || log "note: L1 stopped answering during $stall_notes (rebooted past it)"
[ -z "$stall_fatal" ] || fail 4 "L1 stopped answering during $stall_fatal; see $LAB_LOG and $LAB_LOG.stall"
[ -z "$timed_out" ] || fail 4 "timed out after ${LAB_TIMEOUT}s (LAB_TIMEOUT)"
if [ -z "$t_up" ]; then
	panic=$(grep -ao 'Kernel panic.*' "$LAB_LOG" | head -n 1 || true)
	fail 3 "L1 did not boot: no LAB-UP line (qemu exit status $qemu_rc${panic:+; $panic}); see $LAB_LOG"
fi
[ -z "$no_done" ] || fail 5 "L1 booted but LAB-DONE never appeared ($no_done); see $LAB_LOG"
# Counted from the LAB-RESULT lines of every boot.
pass=$(printf '%s\n' "$results" | awk '$3 == "PASS"' | grep -c . || true)
nfail=$(printf '%s\n' "$results" | awk '$3 == "FAIL"' | grep -c . || true)
skip=$(printf '%s\n' "$results" | awk '$3 == "SKIP"' | grep -c . || true)
[ "${nfail:-1}" = 0 ] || fail 1 "$nfail test(s) failed: $(printf '%s\n' "$results" | awk '$3 == "FAIL" { printf "%s ", $2 }')"
[ "${pass:-0}" -gt 0 ] || fail 1 "no test passed (skipped: ${skip:-?})"
log "PASS: $pass passed, $nfail failed, $skip skipped"
