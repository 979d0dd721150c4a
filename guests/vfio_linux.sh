# SPDX-License-Identifier: GPL-2.0
# The guest side of tests/integration/vfio_pci_linux.sh, run by the test
# initramfs's /init (scripts/mkinitramfs.sh --cmd): what `lspci -n` would
# show, from sysfs, then the passed-through device named by
# tessera.pci=VVVV:DDDD on the command line: memory decode on (sysfs
# `enable`, as a driver's pci_enable_device() would), its BAR0 from the
# `resource` file and the first dword there read from user space through
# /dev/mem (busybox devmem). The kernel's PCI and ACPI lines follow.
want=
for a in $(cat /proc/cmdline); do
	case $a in
	tessera.pci=*) want=${a#*=} ;;
	esac
done
found=
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/vendor" ] || continue
	v=$(cat "$d/vendor") dv=$(cat "$d/device")
	echo "TESSERA-PCI $(basename "$d") class=$(cat "$d/class") id=${v#0x}:${dv#0x} irq=$(cat "$d/irq")"
	[ "${v#0x}:${dv#0x}" = "$want" ] && found=$d
done
[ -n "$found" ] || { echo "TESSERA-PCI-MISSING $want"; exit 21; }
echo 1 >"$found/enable" || exit 22
echo "TESSERA-PCI-IRQ $(cat "$found/irq")"
set -- $(head -n 1 "$found/resource")
echo "TESSERA-PCI-BAR0 $1 $2 $3"
[ "$1" != 0x0000000000000000 ] || exit 23
echo "TESSERA-PCI-READ $(devmem "$1" 32)" || exit 24
dmesg | grep -E 'PCI Root Bridge|root bus resource|MMCONFIG|PCI INT|host bridge|pci 0000:00:0[0-9]' |
	sed 's/^/TESSERA-PCI-LOG /'
exit 0
