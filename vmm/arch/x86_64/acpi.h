/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal ACPI 6 tables for an x86 partition without firmware: RSDP ->
 * XSDT -> FADT (PM1a event and control blocks, pointing to a DSDT that only
 * defines _S5) and MADT (local APICs, the IOAPIC, LINT1 NMI). This is how a
 * kernel built without MP-table support (Debian's) finds its CPUs, and how
 * any kernel powers off: SLP_TYP|SLP_EN into PM1a_CNT (devices/acpi_pm.c).
 *
 * Not hardware-reduced ACPI: that makes Linux drop the PIT and the legacy
 * PIC, and with them the ISA IRQ 4 the 8250 driver uses.
 */
#ifndef TESSERA_X86_ACPI_H
#define TESSERA_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "acpi_pm.h"

#define ACPI_TABLES_ADDR 0xe0000ULL  /* inside the reserved BIOS area */
#define ACPI_TABLES_MAX 0x10000
#define ACPI_SCI_IRQ 9 /* declared, never raised: no ACPI event fires */

/*
 * Writes the tables for CPUs with APIC ids 0..ncpus-1 into buf, as they
 * will sit at guest-physical base (the RSDP first). Returns the bytes
 * written, or 0 if buf is too small. Pure; unit-tested.
 */
size_t acpi_build(uint8_t *buf, size_t len, uint64_t base, unsigned int ncpus,
		  uint32_t ioapic_addr);

/*
 * The same, plus an MCFG table naming the ECAM window of PCI segment 0,
 * bus 0 at ecam_base (0: no PCI, no MCFG). Pure; unit-tested.
 */
size_t acpi_build_pci(uint8_t *buf, size_t len, uint64_t base,
		      unsigned int ncpus, uint32_t ioapic_addr,
		      uint64_t ecam_base);

#endif
