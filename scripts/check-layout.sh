#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The layout's promises (ARCHITECTURE.md, issue "Platform seams"), checked.
# Each rule prints the offending lines and the script exits 1 if any broke.
#   scripts/check-layout.sh            the text rules
#   scripts/check-layout.sh --stub     also: `make ARCH=stub` links, the
#                                      generic unit suites pass on it, and
#                                      (with aarch64-linux-gnu-gcc) the generic
#                                      code compiles for a host that is not x86
set -u
cd "$(dirname "$0")/.."
fail=0
broke() { echo "check-layout: $1"; fail=1; }

# Generic code names no board device.
hits=$(grep -nE 'COM1|I8042|\bi8042|ACPI_PM|\bacpi_pm|DEBUG_EXIT|\bdebug_exit|\bISA\b|serial8250' vmm/*.c vmm/*.h)
[ -z "$hits" ] || broke "PC device named in generic vmm/ code:
$hits"

# The device tree, the gdb stub and virtio know no x86 interrupt controller
# and no x86 instruction.
hits=$(grep -niE 'ioapic|lapic|apic_id|\bint3\b' fdt/*.[ch] vmm/gdb/*.[ch] devices/virtio/*.[ch])
[ -z "$hits" ] || broke "x86 detail in fdt/, vmm/gdb/ or devices/virtio/:
$hits"

# One vCPU run loop: KVM_RUN only in vcpu.c and the arch's capability probe.
hits=$(grep -rnE 'ioctl\(.*KVM_RUN\b' vmm devices fdt --include=*.c --include=*.h |
	grep -vE '^vmm/vcpu\.c:|^vmm/arch/[^/]+/(probe|gdb)\.c:')
[ -z "$hits" ] || broke "ioctl KVM_RUN outside vmm/vcpu.c and the arch's probe (vmm/arch/*/probe.c or gdb.c):
$hits"

# Virtio devices do not know where they live.
hits=$(grep -nE '^\s*[a-z_0-9 ]+\b(base|gsi)\s*;' devices/virtio/*.h | grep -v '^devices/virtio/mmio\.h:')
[ -z "$hits" ] || broke "placement field (base, gsi) in a virtio device header:
$hits"

# Files a reader can take in at once.
for f in vmm/*.c vmm/gdb/*.c; do
	n=$(wc -l <"$f")
	[ "$n" -le 750 ] || broke "$f has $n lines (at most about 700)"
done

# The vCPU loop does not know the debugger.
hits=$(grep -nE '#include\s+"(gdb/|stub\.h|packet\.h)' vmm/vcpu.c)
[ -z "$hits" ] || broke "vmm/vcpu.c includes from vmm/gdb/:
$hits"

# The build names no arch's file: each arch adds its own through
# vmm/arch/<arch>/arch.mk, beside its include/arch_vm.h (and the pure parts
# every host unit-tests through vmm/arch/<arch>/pure.mk, found by wildcard).
hits=$(grep -nE '^[^#]*(vmm/arch/|tests/(unit|fuzz)/[a-z0-9_$()]+/)' Makefile |
	grep -vE 'vmm/arch/\*/pure\.mk|vmm/arch/\$\(ARCH\)/(include|arch\.mk)|tests/(unit|fuzz)/(\$\(ARCH\)|corpus)/')
[ -z "$hits" ] || broke "the Makefile names an arch's file (it belongs in vmm/arch/<arch>/arch.mk):
$hits"
for d in vmm/arch/*/; do
	[ -f "$d/arch.mk" ] && [ -f "$d/include/arch_vm.h" ] ||
		broke "${d%/} lacks arch.mk or include/arch_vm.h"
done

# Arch headers by path ("arch/x86_64/boot.h"), from the arch's own code,
# unit suites and fuzz targets only; generic code includes "arch.h" and "arch_vm.h".
hits=$(grep -rnE '#include\s+"arch/' vmm devices fdt tests --include=*.c --include=*.h |
	grep -vE '^(vmm/arch/|tests/(unit|fuzz)/[a-z0-9_]+/)')
[ -z "$hits" ] || broke "generic code includes an arch's header:
$hits"

if [ "${1:-}" = --stub ]; then
	tmp=$(mktemp -d)
	if ! "${MAKE:-make}" -s O="$tmp" ARCH=stub "$tmp/tessera" >"$tmp/log" 2>&1; then
		cat "$tmp/log"
		broke "make ARCH=stub does not link"
	# Generic suites test generic code: none may need a real arch.
	elif ! "${MAKE:-make}" -s O="$tmp" ARCH=stub "$tmp/check_unit" >"$tmp/log" 2>&1 ||
		! "$tmp/check_unit" >"$tmp/log" 2>&1; then
		grep -vE ':P:|^Running|^ ' "$tmp/log"
		broke "the generic unit suites do not build or pass with ARCH=stub"
	fi
	# The stub builds on this x86 host, so the host's own ISA could still
	# hide in generic code (a ucontext register, an x86-only ioctl type):
	# compile every generic file for aarch64 against the stub arch.
	xcc=aarch64-linux-gnu-gcc
	if command -v "$xcc" >/dev/null; then
		for f in vmm/*.c vmm/gdb/*.c devices/*.c devices/*/*.c fdt/*.c; do
			"$xcc" -std=gnu11 -Wall -Wextra -D_GNU_SOURCE -DTESSERA_VERSION='""' \
				-fsyntax-only -Ivmm -Ivmm/arch/stub/include -Idevices \
				-iquote fdt -idirafter /usr/include "$f" >"$tmp/log" 2>&1 ||
				{ cat "$tmp/log"; broke "$f does not compile for aarch64 with ARCH=stub"; }
		done
	else
		echo "check-layout: no $xcc (scripts/cross-deps.sh): generic code not compiled for aarch64"
	fi
	rm -rf "$tmp"
fi

[ "$fail" = 0 ] && echo "check-layout: ok"
exit "$fail"
