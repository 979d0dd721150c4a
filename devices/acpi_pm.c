// SPDX-License-Identifier: GPL-2.0
#include "acpi_pm.h"

#include <stdatomic.h>
#include <string.h>

#define PM1_EN_OFFSET 2
#define PM1_CNT_SCI_EN 0x0001
#define PM1_CNT_SLP_EN 0x2000
#define PM1_CNT_SLP_TYP(v) (((v) >> 10) & 0x7)

void acpi_pm_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		bool is_write)
{
	struct acpi_pm *pm = opaque;
	uint16_t v = 0;

	if (!is_write) {
		memset(data, 0, len);
		if (offset == ACPI_PM1_CNT_OFFSET) {
			data[0] = PM1_CNT_SCI_EN;
		} else if (offset == PM1_EN_OFFSET) {
			v = atomic_load(&pm->pm1_en);
			memcpy(data, &v, len < 2 ? len : 2);
		}
		return;
	}
	if (offset == PM1_EN_OFFSET) {
		memcpy(&v, data, len < 2 ? len : 2);
		atomic_store(&pm->pm1_en, v);
		return;
	}
	/* PM1a_CNT is 16 bits; a byte write to its high half carries SLP_EN. */
	if (offset == ACPI_PM1_CNT_OFFSET)
		memcpy(&v, data, len < 2 ? len : 2);
	else if (offset == ACPI_PM1_CNT_OFFSET + 1)
		v = (uint16_t)(data[0] << 8);
	if ((v & PM1_CNT_SLP_EN) && PM1_CNT_SLP_TYP(v) == ACPI_SLEEP_S5)
		pm->request_poweroff(pm->opaque);
}
