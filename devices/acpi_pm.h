/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ACPI fixed-hardware power management registers (ACPI 6.4, 4.8.3): the
 * PM1a event block (status, enable: 2 + 2 bytes) and the PM1a control
 * block (2 bytes). The guest powers off by writing SLP_TYP (bits 10-12) |
 * SLP_EN (bit 13) to PM1a_CNT: S5 ends the run with status 0; other sleep
 * states are ignored. SCI_EN reads as set (the machine is always in ACPI
 * mode: the FADT has no SMI command port). PM1 enable bits read back what
 * was written (Linux checks GBL_EN); no event ever fires.
 */
#ifndef TESSERA_ACPI_PM_H
#define TESSERA_ACPI_PM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define ACPI_PM_PORT 0x600 /* PM1a_EVT_BLK; PM1a_CNT_BLK at +4 */
#define ACPI_PM_NR_PORTS 6
#define ACPI_PM1_EVT_LEN 4
#define ACPI_PM1_CNT_OFFSET 4
#define ACPI_PM1_CNT_LEN 2
#define ACPI_SLEEP_S5 5

struct acpi_pm {
	void (*request_poweroff)(void *opaque);
	void *opaque;
	_Atomic uint16_t pm1_en; /* PM1 enable: kept, so writes read back */
};

/* Bus handler for the six ports. vCPU threads. */
void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		bool is_write);

#endif
