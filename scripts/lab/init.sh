#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# init.sh: PID 1 of the lab machine L1 (busybox sh). Copied in as /init by
# mkinitramfs.sh; see README.md.
#
# It mounts /proc /sys /dev, inserts the kernel modules in /lab/modules in
# name order, binds the test PCI device to vfio-pci, runs the tests and
# powers off. Its console protocol, one line each, parsed by run.sh:
#
#   LAB-UP kernel=<release> uptime=<s>
#   LAB-INFO <free text>
#   LAB-TESTS <name>...  (the list about to run)
#   LAB-START <name>     (before each test)
#   LAB-RESULT <name> PASS|FAIL|SKIP <seconds>
#   LAB-DONE pass=N fail=N skip=N
#   LAB-ERROR <free text>
#
# A failing test's output follows its LAB-RESULT line, each line prefixed
# with "  <name>| ". Passing and skipped tests print nothing else: every
# console byte is slow under TCG.
#
# Kernel command line:
#   lab.tests=a,b,c     tests to run (default "all": lab-kvm, lab-vfio,
#                       lab-tessera, then every /lab/tests/*.sh by name but
#                       those marked "# lab: boot-test" or "# lab: smp")
#   lab.timeout=SECS    per-test timeout (default 120)
#   lab.pci=VVVV:DDDD   PCI vendor:device to bind to vfio-pci (default
#                       1234:11e8, QEMU's edu), or "none"
#   lab.platdev=NAME    a platform device to bind to vfio-platform (the
#                       arm64 lab: 9010000.pl031); none by default
#   lab.verbose=1       print every test's output, not only failures
#   lab.tail=N          print at most the last N lines of a failure (default 80)
#   <module>.<param>=V  passed to insmod of that module (as modprobe would)
#
# Project tests (/lab/tests/NAME.sh) get: TESSERA, GUESTS, LAB=1,
# LAB_PCI_BDF and LAB_VFIO_GROUP (empty if no device is bound),
# LAB_PLATFORM_DEV and LAB_PLATFORM_GROUP (the vfio-platform device and its
# group, e.g. noiommu-0; empty if none), TMPDIR (a
# fresh directory, also the working directory). Exit 0 = pass, 77 = skip,
# anything else = fail. A test runs through its #! line (bash is present when
# a test asks for it) or with sh. Processes a test leaves behind are killed.
#
# No "set -e" or "set -u" here: PID 1 must not exit before it has reported;
# main runs in a subshell with "set -u", and PID 1 powers off whatever happens.

PATH=/lab/bin:/bin:/sbin:/usr/bin:/usr/sbin
export PATH

TESTS=all
TIMEOUT=120
PCI_ID=1234:11e8
PLATDEV=
PLATGROUP=
VERBOSE=0
TAIL=80
BDF=
GROUP=
SETUP_LOG=/tmp/lab-setup.log
CMDLINE=

say() { echo "$*"; }

# NOW: seconds since boot, with hundredths, from /proc/uptime (no fork).
now() { read -r NOW _ </proc/uptime; }

elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

parse_cmdline() {
	read -r CMDLINE </proc/cmdline
	for w in $CMDLINE; do
		case $w in
		lab.tests=*) TESTS=${w#lab.tests=} ;;
		lab.timeout=*) TIMEOUT=${w#lab.timeout=} ;;
		lab.pci=*) PCI_ID=${w#lab.pci=} ;;
		lab.platdev=*) PLATDEV=${w#lab.platdev=} ;;
		lab.verbose=*) VERBOSE=${w#lab.verbose=} ;;
		lab.tail=*) TAIL=${w#lab.tail=} ;;
		esac
	done
}

# Module parameters from the command line: "kvm_amd.nested=1" -> "nested=1".
modparams() {
	_m=$(echo "$1" | tr - _)
	for w in $CMDLINE; do
		case $w in
		"$_m".*=*) echo "${w#"$_m".}" ;;
		esac
	done
}

load_modules() {
	for ko in /lab/modules/*.ko; do
		[ -e "$ko" ] || continue
		name=$(basename "$ko" .ko)
		name=${name#[0-9][0-9]-}
		# shellcheck disable=SC2046 # one word per parameter
		if ! insmod "$ko" $(modparams "$name") >>"$SETUP_LOG" 2>&1; then
			say "LAB-ERROR insmod $name failed: $(tail -n 1 "$SETUP_LOG")"
		fi
	done
}

# Find the device by vendor:device and hand it to vfio-pci.
bind_vfio() {
	[ "$PCI_ID" = none ] && return 0
	want_v=0x${PCI_ID%%:*}
	want_d=0x${PCI_ID#*:}
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/vendor" ] || continue
		read -r v <"$d/vendor"
		read -r dv <"$d/device"
		if [ "$v" = "$want_v" ] && [ "$dv" = "$want_d" ]; then
			BDF=$(basename "$d")
			break
		fi
	done
	if [ -z "$BDF" ]; then
		echo "no PCI device $PCI_ID found" >>"$SETUP_LOG"
		return 1
	fi
	dev=/sys/bus/pci/devices/$BDF
	echo vfio-pci >"$dev/driver_override" 2>>"$SETUP_LOG"
	if [ -e "$dev/driver" ]; then
		echo "$BDF" >"$dev/driver/unbind" 2>>"$SETUP_LOG"
	fi
	if [ -d /sys/bus/pci/drivers/vfio-pci ]; then
		echo "$BDF" >/sys/bus/pci/drivers/vfio-pci/bind 2>>"$SETUP_LOG"
	else
		echo "vfio-pci driver not registered" >>"$SETUP_LOG"
	fi
	if [ -e "$dev/iommu_group" ]; then
		GROUP=$(basename "$(readlink "$dev/iommu_group")")
	else
		echo "$BDF has no IOMMU group (IOMMU off?)" >>"$SETUP_LOG"
	fi
	return 0
}

# Hand the platform device lab.platdev names to vfio-platform (LAB.md):
# unbind it from a kernel driver, override, reprobe. Its group is
# /dev/vfio/noiommu-N in no-IOMMU mode, /dev/vfio/N behind an SMMU.
bind_vfio_platform() {
	[ -n "$PLATDEV" ] || return 0
	dev=/sys/bus/platform/devices/$PLATDEV
	if [ ! -e "$dev" ]; then
		echo "no platform device $PLATDEV" >>"$SETUP_LOG"
		return 1
	fi
	if [ -e "$dev/driver" ]; then
		echo "$PLATDEV" >"$dev/driver/unbind" 2>>"$SETUP_LOG"
	fi
	echo vfio-platform >"$dev/driver_override" 2>>"$SETUP_LOG"
	echo "$PLATDEV" >/sys/bus/platform/drivers_probe 2>>"$SETUP_LOG"
	if [ -e "$dev/iommu_group" ]; then
		PLATGROUP=$(basename "$(readlink "$dev/iommu_group")")
		[ -c "/dev/vfio/$PLATGROUP" ] || PLATGROUP=noiommu-$PLATGROUP
	fi
	return 0
}

param() { cat "/sys/module/$1/parameters/$2" 2>/dev/null || echo '?'; }

# One line on L1's time keeping (scripts/lab/README.md, "When L1 stops
# answering"): clocksource, clock event device, and how many kernel lines
# said the TSC was unstable or the local APIC timer was calibrated oddly.
clock_info() {
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)
	ce=$(cat /sys/devices/system/clockevents/clockevent0/current_device 2>/dev/null)
	bc=$(cat /sys/devices/system/clockevents/broadcast/current_device 2>/dev/null)
	unst=$(dmesg | grep -c -i -e 'unstable' -e 'watchdog.*skew')
	apic=$(dmesg | grep -c -i -e 'APIC calibration not consistent' -e 'APIC timer disabled' \
		-e 'APIC timer.*broken')
	say "LAB-INFO clock $1: clocksource=${cs:-?} clockevent=${ce:-?} broadcast=${bc:-none}" \
		"tsc-unstable-lines=$unst apic-calibration-lines=$apic"
	[ "$unst$apic" = 00 ] || dmesg | grep -i -e 'unstable' -e 'watchdog.*skew' -e 'APIC calibration' \
		-e 'APIC timer' | tail -n 4 | sed 's/^/LAB-INFO clock: /'
}

# --- built-in self-tests: output to stdout, status like project tests --------

# arm64 (the arm64 lab): KVM is built in; the kernel says which mode it
# took at EL2: VHE (what -cpu max gives), nVHE/hVHE, or none.
selftest_kvm_arm64() {
	rc=0
	if [ -c /dev/kvm ]; then echo "/dev/kvm present"; else echo "no /dev/kvm"; rc=1; fi
	mode=$(dmesg | grep -o -m 1 -e 'VHE mode initialized' -e 'Hyp mode initialized' \
		-e 'Protected nVHE mode initialized')
	echo "kvm: ${mode:-no 'mode initialized' line in dmesg}"
	[ -n "$mode" ] || rc=1
	dmesg | grep -i -e 'kvm' -e 'GIC' | tail -n 5
	return $rc
}

selftest_kvm() {
	[ "$(uname -m)" = aarch64 ] && { selftest_kvm_arm64; return; }
	rc=0
	if [ -c /dev/kvm ]; then echo "/dev/kvm present"; else echo "no /dev/kvm"; rc=1; fi
	if [ -d /sys/module/kvm_amd ]; then
		echo "kvm_amd loaded: nested=$(param kvm_amd nested) npt=$(param kvm_amd npt)" \
			"avic=$(param kvm_amd avic) nrips=$(param kvm_amd nrips)"
		case $(param kvm_amd npt) in
		Y | 1) ;;
		*) echo "nested paging (kvm_amd npt) is off"; rc=1 ;;
		esac
	else
		echo "kvm_amd not loaded"
		rc=1
	fi
	grep -m 1 -o -w svm /proc/cpuinfo >/dev/null || { echo "no svm flag in /proc/cpuinfo"; rc=1; }
	dmesg | grep -i -e 'kvm' -e 'svm' | tail -n 5
	return $rc
}

# The arm64 lab's vfio-platform device (lab.platdev).
selftest_vfio_platform() {
	cat "$SETUP_LOG"
	drv=$(basename "$(readlink /sys/bus/platform/devices/"$PLATDEV"/driver 2>/dev/null)" 2>/dev/null)
	echo "platform device $PLATDEV, driver ${drv:-none}, group ${PLATGROUP:-none}," \
		"noiommu mode $(param vfio enable_unsafe_noiommu_mode)"
	rc=0
	[ "$drv" = vfio-platform ] || { echo "not bound to vfio-platform"; rc=1; }
	if [ -z "$PLATGROUP" ] || [ ! -c "/dev/vfio/$PLATGROUP" ]; then
		echo "/dev/vfio/${PLATGROUP:-?} missing"
		rc=1
	fi
	ls -l /dev/vfio
	dmesg | grep -i vfio | tail -n 5
	return $rc
}

selftest_vfio() {
	[ -n "$PLATDEV" ] && { selftest_vfio_platform; return; }
	[ "$PCI_ID" = none ] && { echo "no device requested (lab.pci=none)"; return 77; }
	cat "$SETUP_LOG"
	[ -n "$BDF" ] || { echo "device $PCI_ID not found"; return 1; }
	rc=0
	drv=$(basename "$(readlink /sys/bus/pci/devices/"$BDF"/driver 2>/dev/null)" 2>/dev/null)
	echo "device $PCI_ID at $BDF, driver ${drv:-none}, iommu group ${GROUP:-none}"
	[ "$drv" = vfio-pci ] || { echo "not bound to vfio-pci"; rc=1; }
	if [ -z "$GROUP" ] || [ ! -c "/dev/vfio/$GROUP" ]; then
		echo "/dev/vfio/${GROUP:-?} missing"
		rc=1
	fi
	[ -c /dev/vfio/vfio ] || { echo "/dev/vfio/vfio missing"; rc=1; }
	ls -l /dev/vfio
	dmesg | grep -e DMAR -e vfio | tail -n 5
	return $rc
}

selftest_tessera() {
	[ -x /lab/bin/tessera ] || { echo "tessera not in this initramfs"; return 77; }
	timeout -s KILL "$TIMEOUT" /lab/bin/tessera --help
}

# Kill every process but PID 1 and this shell: what a test left behind.
# busybox timeout leaves a watcher that polls once a second and would exit
# by itself; it is killed too, silently.
reap_strays() {
	read -r self _ </proc/self/stat
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = 1 ] || [ "$pid" = "$self" ] && continue
		[ -e "$p/exe" ] || continue # kernel thread
		comm='?'
		read -r comm <"$p/comm" 2>/dev/null
		kill -9 "$pid" 2>/dev/null || continue
		[ "$comm" = timeout ] || echo "lab: killed leftover process $pid ($comm)"
	done
	return 0
}

# run_one NAME: runs a test, prints LAB-RESULT and, on failure, its output.
run_one() {
	name=${1%.sh}
	out=/tmp/lab-out/$name.log
	work=/tmp/lab-work/$name
	mkdir -p /tmp/lab-out "$work"
	note=
	now
	t0=$NOW
	case $name in
	lab-kvm) selftest_kvm >"$out" 2>&1 ;;
	lab-vfio) selftest_vfio >"$out" 2>&1 ;;
	lab-tessera) selftest_tessera >"$out" 2>&1 ;;
	*)
		t=/lab/tests/$name.sh
		if [ ! -f "$t" ]; then
			echo "no such test: $name (not built in, no /lab/tests/$name.sh)" >"$out"
			false
		else
			set -- sh "$t"
			head -n 1 "$t" | grep -q '^#!' && set -- "$t"
			(
				cd "$work" || exit 1
				export TESSERA=/lab/bin/tessera GUESTS=/lab/guests LAB=1 \
					LAB_PCI_BDF="$BDF" LAB_VFIO_GROUP="$GROUP" TMPDIR="$work" HOME="$work" \
					LAB_PLATFORM_DEV="$PLATDEV" LAB_PLATFORM_GROUP="$PLATGROUP"
				# Not "exec": ash would then report "Killed" on the
				# console instead of in the test's log.
				timeout -s KILL "$TIMEOUT" "$@" </dev/null
				exit $?
			) >"$out" 2>&1
		fi
		;;
	esac
	rc=$?
	now
	secs=$(elapsed "$t0" "$NOW")
	reap_strays >>"$out" 2>&1
	case $rc in
	0) status=PASS ;;
	77) status=SKIP ;;
	*)
		status=FAIL
		if [ "$rc" = 137 ] && awk -v s="$secs" -v t="$TIMEOUT" 'BEGIN { exit !(s >= t - 1) }'; then
			note=" (timed out after ${TIMEOUT}s)"
		fi
		;;
	esac
	say "LAB-RESULT $name $status $secs"
	if [ "$status" = FAIL ]; then
		say "  $name| exit status $rc$note"
	fi
	if [ "$status" = FAIL ] || [ "$VERBOSE" = 1 ]; then
		tail -n "$TAIL" "$out" | sed "s/^/  $name| /"
	fi
	case $status in
	PASS) PASS=$((PASS + 1)) ;;
	FAIL) FAIL=$((FAIL + 1)) ;;
	SKIP) SKIP=$((SKIP + 1)) ;;
	esac
}

# A test marked "# lab: boot-test" in its first lines needs what only make
# boot-test brings (Linux kernels and images); one marked "# lab: smp" needs
# two CPUs, which run.sh gives it in an L1 boot of its own. Both run when
# named, not in "all".
boot_test_only() { head -n 5 "$1" | grep -q '^# lab: boot-test'; }
smp_only() { head -n 5 "$1" | grep -q '^# lab: smp'; }

test_list() {
	if [ "$TESTS" = all ]; then
		echo lab-kvm lab-vfio lab-tessera
		for t in /lab/tests/*.sh; do
			[ -f "$t" ] && ! boot_test_only "$t" && ! smp_only "$t" && basename "$t" .sh
		done
	else
		echo "$TESTS" | tr ',' ' '
	fi
}

main() {
	mkdir -p /proc /sys /dev /tmp /run
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s
	# What udev would add: bash's process substitution needs /dev/fd.
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	[ -e /dev/stdin ] || ln -s /proc/self/fd/0 /dev/stdin
	[ -e /dev/stdout ] || ln -s /proc/self/fd/1 /dev/stdout
	[ -e /dev/stderr ] || ln -s /proc/self/fd/2 /dev/stderr
	# Pseudo-terminals (console_tty's pty) and the loopback interface (gdb
	# over TCP on 127.0.0.1), as a distribution's init would set them up.
	mkdir -p /dev/pts
	mount -t devpts -o mode=0620,ptmxmode=0666 devpts /dev/pts 2>/dev/null
	[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
	ip link set lo up 2>/dev/null
	now
	# A newline first: firmware and kernel leave the cursor mid-line.
	say ""
	say "LAB-UP kernel=$(uname -r) uptime=$NOW"
	parse_cmdline
	: >"$SETUP_LOG"
	load_modules
	bind_vfio
	bind_vfio_platform
	now
	say "LAB-INFO setup done at uptime=$NOW: modules $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
	if [ -d /sys/module/kvm_amd ]; then
		say "LAB-INFO kvm_amd nested=$(param kvm_amd nested) npt=$(param kvm_amd npt)" \
			"avic=$(param kvm_amd avic) nrips=$(param kvm_amd nrips)"
	fi
	if [ "$(uname -m)" = aarch64 ]; then
		say "LAB-INFO kvm: $(dmesg | grep -o -m 1 'kvm \[[0-9]*\]: .*mode initialized.*' || echo 'no mode line')"
	fi
	[ "$PCI_ID" = none ] || say "LAB-INFO pci $PCI_ID at ${BDF:-?} iommu group ${GROUP:-?}"
	[ -z "$PLATDEV" ] || say "LAB-INFO platform device $PLATDEV vfio group ${PLATGROUP:-?}"
	clock_info setup
	PASS=0 FAIL=0 SKIP=0
	# The host's watchdog (run.sh) learns from these which test was
	# running if L1 ever stops answering.
	say "LAB-TESTS $(test_list | tr ' ' '\n' | sed 's/\.sh$//' | tr '\n' ' ')"
	if [ "$TESTS" = all ]; then
		bt=$(for t in /lab/tests/*.sh; do
			[ -f "$t" ] && boot_test_only "$t" && basename "$t" .sh
		done | tr '\n' ' ')
		[ -z "$bt" ] || say "LAB-INFO for make boot-test only: $bt"
		bt=$(for t in /lab/tests/*.sh; do
			[ -f "$t" ] && smp_only "$t" && basename "$t" .sh
		done | tr '\n' ' ')
		[ -z "$bt" ] || say "LAB-INFO in an L1 with two CPUs: $bt"
	fi
	for t in $(test_list); do
		say "LAB-START ${t%.sh}"
		run_one "$t"
	done
	clock_info end
	say "LAB-DONE pass=$PASS fail=$FAIL skip=$SKIP"
}

(
	set -u
	main
) 2>&1
rc=$?
[ "$rc" = 0 ] || echo "LAB-ERROR init runner exited with status $rc"
poweroff -f
# poweroff -f does not return; if it somehow does, do not let PID 1 exit.
while :; do sleep 3600; done
