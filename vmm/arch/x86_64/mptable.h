/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel MultiProcessor Specification 1.4 tables: how a Linux guest without
 * ACPI finds its CPUs, the IOAPIC, the ISA and PCI interrupt routing.
 */
#ifndef TESSERA_X86_MPTABLE_H
#define TESSERA_X86_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_IOAPIC_ID_OFFSET 1 /* IOAPIC id = ncpus + this - 1 */
#define MPTABLE_ISA_IRQS 16
#define MPTABLE_IOAPIC_PINS 24 /* KVM's IOAPIC */
#define MPTABLE_MAX_INTX 32

/*
 * The PCI bus (bus 0) and each slot's INTx as the MP table gives them to a
 * guest without ACPI (the DSDT's _PRT says the same to one with ACPI).
 */
struct mptable_pci {
	unsigned int nintx;
	struct {
		uint8_t slot;       /* device number, 0-31 */
		uint8_t pin;        /* 1-4: INTA-INTD */
		uint8_t ioapic_pin; /* the IOAPIC input (GSI) it is wired to */
	} intx[MPTABLE_MAX_INTX];
};

/* Bytes mptable_build() writes for ncpus and pci (NULL: no PCI bus). */
size_t mptable_size(unsigned int ncpus, const struct mptable_pci *pci);

/*
 * Writes the floating pointer and the configuration table for CPUs with
 * APIC ids 0..ncpus-1 into buf, as they will sit at guest-physical base:
 * the ISA bus with IRQ n on IOAPIC pin n and, with pci, the PCI bus 0 (the
 * ISA bus is then bus 1) and one level-triggered, active-low entry per
 * INTx (an ISA IRQ whose pin a PCI INTx takes is left out). Returns the
 * bytes written, or 0 if buf is too small or pci is invalid (a slot, pin
 * or IOAPIC pin out of range). Pure; unit-tested.
 */
size_t mptable_build(uint8_t *buf, size_t len, uint64_t base,
		     unsigned int ncpus, uint32_t ioapic_addr,
		     const struct mptable_pci *pci);

#endif
