/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Intel MultiProcessor Specification 1.4 tables: how a Linux guest without
 * ACPI finds its CPUs, the IOAPIC and the ISA interrupt routing.
 */
#ifndef TESSERA_X86_MPTABLE_H
#define TESSERA_X86_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_IOAPIC_ID_OFFSET 1 /* IOAPIC id = ncpus + this - 1 */
#define MPTABLE_ISA_IRQS 16

/* Bytes mptable_build() writes for ncpus. */
size_t mptable_size(unsigned int ncpus);

/*
 * Writes the floating pointer and the configuration table for CPUs with
 * APIC ids 0..ncpus-1 into buf, as they will sit at guest-physical base.
 * Returns the bytes written, or 0 if buf is too small. Pure; unit-tested.
 */
size_t mptable_build(uint8_t *buf, size_t len, uint64_t base,
		     unsigned int ncpus, uint32_t ioapic_addr);

#endif
