/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal ACPI 6 tables for an x86 partition without firmware: RSDP ->
 * XSDT -> FADT (PM1a event and control blocks, pointing to a DSDT that
 * defines _S5 and, with a PCI bus, the root bridge) and MADT (local APICs,
 * the IOAPIC, LINT1 NMI), plus MCFG with a PCI bus. This is how a
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
 * The I/O window of the PCI root bridge (for I/O BARs a guest assigns):
 * from 0xd00 (past the type-1 ports) to the top of the port space, as on
 * PC firmware; the board's own ports (COM1, i8042, ACPI PM, debug exit)
 * all sit below it.
 */
#define ACPI_PCI_IO_BASE 0x0d00
#define ACPI_PCI_IO_SIZE 0xf300
#define ACPI_PCI_TYPE1_PORT 0xcf8
#define ACPI_PCI_MAX_INTX 32

/* The partition's PCI host bridge as the ACPI tables describe it. */
struct acpi_pci {
	uint64_t ecam_base;              /* bus 0's 1 MiB ECAM window */
	uint64_t mem32_base, mem32_size; /* non-prefetchable BAR window */
	uint64_t mem64_base, mem64_size; /* prefetchable 64-bit window, 0: none */
	unsigned int nintx;
	struct {
		uint8_t slot; /* device number, 1-31 */
		uint8_t pin;  /* 1-4: INTA-INTD */
		uint32_t gsi; /* the IOAPIC input it is wired to */
	} intx[ACPI_PCI_MAX_INTX];
};

/*
 * The same, plus, when pci is not NULL, the PCI host bridge: an MCFG
 * table naming the ECAM window of segment 0, bus 0, and in the DSDT a
 * root bridge \_SB.PCI0 (_HID PNP0A08, _CID PNP0A03, _SEG, _BBN, _UID,
 * a _CRS with bus 0, the type-1 ports, the I/O window and the memory
 * windows, and a _PRT wiring each INTx to its GSI) and a motherboard
 * resource \_SB.MRES (PNP0C02) reserving the ECAM window. Pure;
 * unit-tested.
 */
size_t acpi_build_pci(uint8_t *buf, size_t len, uint64_t base,
		      unsigned int ncpus, uint32_t ioapic_addr,
		      const struct acpi_pci *pci);

/*
 * The DSDT's AML body (what follows its header): _S5 and, with pci, the
 * devices above. Returns its length (which may exceed len: then nothing
 * useful was written). Pure.
 */
size_t acpi_dsdt_aml(uint8_t *buf, size_t len, const struct acpi_pci *pci);

/*
 * AML PkgLength (ACPI 6.4, 20.2.4) of a package whose content after the
 * PkgLength is content bytes: writes 1 to 4 bytes into out[4] and returns
 * how many, or 0 when content is too long (2^28). Pure.
 */
unsigned int acpi_aml_pkglen(size_t content, uint8_t out[4]);

#endif
