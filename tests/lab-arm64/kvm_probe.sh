#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The arm64 lab's KVM probe (kvm_probe.c): a VM, a vCPU (PSCI 0.2), the
# in-kernel vGICv3 and a DTB; the freestanding hello guest prints through a
# 16550 and then a PL011 (both MMIO) and powers off through PSCI
# SYSTEM_OFF; a single-step run; the undef guest's exception is caught by
# the runtime's vectors and reported through the debug-exit register; the
# irq guest takes the virtual timer's PPI and, twice, an SPI the probe
# raises with KVM_IRQ_LINE, through the in-kernel vGICv3.
# Runs in the arm64 lab (LAB_ARCH=arm64 scripts/lab/run.sh); skips
# elsewhere. Plain sh: the arm64 L1 has busybox and no bash.
[ -c /dev/kvm ] || { echo "no /dev/kvm"; exit 77; }
[ "$(uname -m)" = aarch64 ] || { echo "not an arm64 host"; exit 77; }
probe=$(command -v kvm_probe) || { echo "kvm_probe not in PATH (make arm64-guests)"; exit 1; }
G=${GUESTS:-/lab/guests}
for f in "$G/hello.elf" "$G/undef.elf" "$G/irq.elf"; do
	[ -f "$f" ] || { echo "$f missing (make arm64-guests)"; exit 1; }
done
hello="Hello from a Tessera partition!"
set -e
"$probe" --uart ns16550a --expect "$hello" "$G/hello.elf"
"$probe" --uart pl011 --expect "$hello" "$G/hello.elf"
"$probe" --step 4 --expect "$hello" "$G/hello.elf"
"$probe" --status 125 --expect "unexpected exception 4 ESR 0x0000000002000000" "$G/undef.elf"
"$probe" --timeout 20 --expect "from the monitor 2 times" "$G/irq.elf"
echo "PASS kvm_probe"
