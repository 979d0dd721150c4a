#!/usr/bin/env bash
# lab: boot-test (its kernels come with make boot-test; not in the lab's "all")
# A Linux guest sees and drives a passed-through PCI device (issue 14): the
# x86 lab's edu (bound to vfio-pci, LAB_PCI_BDF) given with --vfio to
#   1. our partition kernel (no ACPI: it finds the host bridge through the
#      type-1 ports and scans bus 0 itself), and
#   2. Debian's stock cloud kernel (ACPI: the DSDT's \_SB.PCI0 root bridge
#      with its _CRS windows and _PRT, MCFG's ECAM window reserved in e820),
# each listing the device under /sys/bus/pci/devices with its IDs and
# reading edu's identification register (BAR0 offset 0: 0x010000ed) from
# user space through /dev/mem (guests/vfio_linux.sh), under the default
# seccomp filters.
# Inputs (make boot-test puts them in the lab): LINUX_DIR with
# bzImage-partition, bzImage-debian-cloud and initrd-vfio.cpio.gz. Skipped
# without them, on kvm_pvm hosts (docs/linux.md), and outside the lab when
# no device is bound to vfio-pci; in the lab a missing device fails.
. "$(dirname "$0")/lib/common.bash" || { echo "FAIL: cannot load lib/common.bash"; exit 1; }
need_kvm
LINUX_DIR=${LINUX_DIR:-/linux}
initrd=$LINUX_DIR/initrd-vfio.cpio.gz
kernels=
for k in "$LINUX_DIR/bzImage-partition" "$LINUX_DIR"/bzImage-debian-*; do
	[ -f "$k" ] && kernels="$kernels $k"
done
[ -n "$kernels" ] && [ -f "$initrd" ] ||
	{ echo "SKIP: no kernels or initrd-vfio.cpio.gz in $LINUX_DIR (make boot-test provides them)"; exit 77; }
[ -e /sys/module/kvm_pvm ] && { echo "SKIP: kvm_pvm cannot run Linux to user space"; exit 77; }
bdf=${LAB_PCI_BDF:-}
if [ -z "$bdf" ]; then
	for d in /sys/bus/pci/drivers/vfio-pci/*:*; do
		[ -e "$d" ] && bdf=$(basename "$d") && break
	done
fi
if [ -z "$bdf" ]; then
	[ "${LAB:-0}" = 1 ] && fail "in the lab, but no device is bound to vfio-pci (lab.pci)"
	echo "SKIP: no device bound to vfio-pci here"
	exit 77
fi
id=$(cat "/sys/bus/pci/devices/$bdf/vendor"):$(cat "/sys/bus/pci/devices/$bdf/device")
id=${id//0x/}

for k in $kernels; do
	name=$(basename "$k")
	start=$(cut -d' ' -f1 /proc/uptime)
	TEST_TIMEOUT=300 run_guest "" --kernel "$k" --initrd "$initrd" --memory 256M \
		--cpu-template host --vfio "$bdf" \
		--cmdline "quiet tessera.pci=$id tessera.exit=reboot"
	secs=$(awk -v s="$start" '{ printf "%.2f", $1 - s }' /proc/uptime)
	[ "$RC" -eq 0 ] || fail "$name: exit status $RC; console: $(tail -c 3000 "$TMP/out"); stderr: $(cat "$TMP/err")"
	grep -q "TESSERA-CMD-RC 0" "$TMP/out" ||
		fail "$name: the guest's PCI checks failed: $(grep -a TESSERA "$TMP/out" | tail -n 30)"
	grep -a '^TESSERA-PCI' "$TMP/out" | sed "s/^/$name: /"
	# The bridge (a host bridge class) and the device, with its IDs.
	grep -aq "^TESSERA-PCI 0000:00:00.0 class=0x060000 " "$TMP/out" || fail "$name: no host bridge at 00:00.0"
	grep -aq "^TESSERA-PCI 0000:00:[0-9a-f][0-9a-f].0 class=0x[0-9a-f]* id=$id " "$TMP/out" ||
		fail "$name: $id not listed under /sys/bus/pci/devices"
	read_id=$(sed -n 's/^TESSERA-PCI-READ \(0x[0-9A-Fa-f]*\).*/\1/p' "$TMP/out" | tr 'A-F' 'a-f')
	case $id in
	1234:11e8) [ "$read_id" = 0x010000ed ] ||
		fail "$name: edu's identification register read '$read_id', expected 0x010000ed" ;;
	*) [ -n "$read_id" ] || fail "$name: BAR0 not read" ;;
	esac
	case $name in
	bzImage-debian-*)
		# ACPI: the DSDT's root bridge, its windows, its _PRT, and MCFG.
		for want in "ACPI: PCI Root Bridge [PCI0]" "root bus resource [mem 0xc0000000-0xcfffffff window]" \
			"root bus resource [io  0x0d00-0xffff window]" "MMCONFIG for domain 0000 [bus 00-00] at [mem 0xe0000000-0xe00fffff]"; do
			grep -aqF "$want" "$TMP/out" || fail "$name: the kernel's log lacks '$want'"
		done
		! grep -aqE "no GSI|not reserved in|BAR [0-9]+: can't|no compatible bridge window" "$TMP/out" ||
			fail "$name: $(grep -aE "no GSI|not reserved in|can't|no compatible" "$TMP/out" | head -n 3)"
		;;
	esac
	echo "$name: $id listed, BAR0 read $read_id from user space (${secs}s)"
done
echo "PASS vfio_pci_linux ($bdf)"
