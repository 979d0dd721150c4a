// SPDX-License-Identifier: GPL-2.0
/* Table layouts from the ACPI 6.4 specification, chapter 5.2. */
#include "arch/x86_64/acpi.h"

#include <string.h>

struct rsdp {
	char signature[8]; /* "RSD PTR " */
	uint8_t checksum;  /* over the first 20 bytes */
	char oem_id[6];
	uint8_t revision;  /* 2: ACPI 2.0+ */
	uint32_t rsdt_addr;
	uint32_t length;
	uint64_t xsdt_addr;
	uint8_t ext_checksum; /* over all 36 bytes */
	uint8_t reserved[3];
} __attribute__((packed));

struct sdt {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct gas { /* generic address structure */
	uint8_t space_id, bit_width, bit_offset, access_size;
	uint64_t address;
} __attribute__((packed));

struct fadt {
	struct sdt h;
	uint32_t firmware_ctrl, dsdt;
	uint8_t reserved0, preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl, x_dsdt;
	struct gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk;
	struct gas x_pm1b_cnt_blk, x_pm2_cnt_blk, x_pm_tmr_blk;
	struct gas x_gpe0_blk, x_gpe1_blk;
	struct gas sleep_control_reg, sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} __attribute__((packed));

struct madt {
	struct sdt h;
	uint32_t lapic_addr;
	uint32_t flags;
} __attribute__((packed));

struct madt_lapic {
	uint8_t type, length, processor_id, apic_id;
	uint32_t flags;
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type, length, ioapic_id, reserved;
	uint32_t address, gsi_base;
} __attribute__((packed));

struct madt_lapic_nmi {
	uint8_t type, length, processor_id;
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

_Static_assert(sizeof(struct rsdp) == 36, "RSDP is 36 bytes");
_Static_assert(sizeof(struct fadt) == 276, "FADT (rev 6) is 276 bytes");

#define FADT_WBINVD (1u << 0)
#define FADT_RESET_REG_SUP (1u << 10)
#define IAPC_LEGACY_DEVICES (1u << 0) /* but no 8042 keyboard controller */
#define MADT_PCAT_COMPAT 1u
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1

/*
 * DSDT body: Name (_S5, Package (4) { 5, 5, 0, 0 }). The S5 sleep type 5
 * is what the guest writes, with SLP_EN, to PM1a_CNT.
 */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', /* NameOp "_S5_" */
	0x12, 0x08, 0x04,         /* PackageOp, PkgLength 8, 4 elements */
	0x0a, 0x05, 0x0a, 0x05,   /* BytePrefix 5, BytePrefix 5 */
	0x00, 0x00,               /* Zero, Zero */
};

static uint8_t checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n--)
		sum += *b++;
	return (uint8_t)-sum;
}

static void header(struct sdt *h, const char *sig, uint32_t len, uint8_t rev)
{
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, "TESSRA", 6);
	memcpy(h->oem_table_id, "PARTITIO", 8);
	h->oem_revision = 1;
	memcpy(h->creator_id, "TSRA", 4);
	h->creator_revision = 1;
}

static void finish(void *table)
{
	struct sdt *h = table;

	h->checksum = 0;
	h->checksum = checksum(table, h->length);
}

static struct gas io_port(uint16_t port, uint8_t bits)
{
	return (struct gas){ GAS_SYSTEM_IO, bits, 0, GAS_ACCESS_BYTE, port };
}

static size_t build_madt(uint8_t *p, unsigned int ncpus, uint32_t ioapic_addr)
{
	struct madt *m = (struct madt *)p;
	uint8_t *e = p + sizeof(*m);

	for (unsigned int i = 0; i < ncpus; i++, e += sizeof(struct madt_lapic))
		*(struct madt_lapic *)e = (struct madt_lapic){
			0, sizeof(struct madt_lapic), (uint8_t)i, (uint8_t)i, 1
		};
	*(struct madt_ioapic *)e = (struct madt_ioapic){
		1, sizeof(struct madt_ioapic), (uint8_t)ncpus, 0, ioapic_addr, 0
	};
	/*
	 * No interrupt source override: KVM's default GSI routing wires ISA
	 * IRQ n, the in-kernel PIT's IRQ 0 included, to IOAPIC pin n. (QEMU
	 * declares IRQ 0 -> GSI 2 because it reprograms the routing to match.)
	 */
	e += sizeof(struct madt_ioapic);
	*(struct madt_lapic_nmi *)e = (struct madt_lapic_nmi){
		4, sizeof(struct madt_lapic_nmi), 0xff, 0, 1
	};
	e += sizeof(struct madt_lapic_nmi);
	header(&m->h, "APIC", (uint32_t)(e - p), 5);
	m->lapic_addr = 0xfee00000u;
	m->flags = MADT_PCAT_COMPAT;
	finish(m);
	return (size_t)(e - p);
}

size_t acpi_build(uint8_t *buf, size_t len, uint64_t base, unsigned int ncpus,
		  uint32_t ioapic_addr)
{
	size_t off_xsdt = 64, off_fadt = 128, off_dsdt = 416, off_madt = 512;
	size_t madt_len = sizeof(struct madt) + ncpus * sizeof(struct madt_lapic) +
			  sizeof(struct madt_ioapic) + sizeof(struct madt_lapic_nmi);
	size_t total = off_madt + madt_len;
	struct rsdp *rsdp = (struct rsdp *)buf;
	struct sdt *xsdt = (struct sdt *)(buf + off_xsdt);
	struct fadt *fadt = (struct fadt *)(buf + off_fadt);
	struct sdt *dsdt = (struct sdt *)(buf + off_dsdt);
	uint64_t ptrs[2] = { base + off_fadt, base + off_madt };

	if (ncpus == 0 || ncpus > 254 || len < total || base > UINT32_MAX - total)
		return 0;
	memset(buf, 0, total);

	memcpy(xsdt + 1, ptrs, sizeof(ptrs));
	header(xsdt, "XSDT", sizeof(*xsdt) + sizeof(ptrs), 1);
	finish(xsdt);

	memcpy(dsdt + 1, dsdt_aml, sizeof(dsdt_aml));
	header(dsdt, "DSDT", sizeof(*dsdt) + sizeof(dsdt_aml), 2);
	finish(dsdt);

	header(&fadt->h, "FACP", sizeof(*fadt), 6);
	fadt->minor_version = 4;
	fadt->flags = FADT_WBINVD | FADT_RESET_REG_SUP;
	fadt->iapc_boot_arch = IAPC_LEGACY_DEVICES;
	fadt->x_dsdt = base + off_dsdt;
	fadt->dsdt = (uint32_t)(base + off_dsdt);
	fadt->sci_int = ACPI_SCI_IRQ; /* no SMI_CMD: always in ACPI mode */
	fadt->pm1a_evt_blk = ACPI_PM_PORT;
	fadt->pm1_evt_len = ACPI_PM1_EVT_LEN;
	fadt->x_pm1a_evt_blk = io_port(ACPI_PM_PORT, 32);
	fadt->pm1a_cnt_blk = ACPI_PM_PORT + ACPI_PM1_CNT_OFFSET;
	fadt->pm1_cnt_len = ACPI_PM1_CNT_LEN;
	fadt->x_pm1a_cnt_blk = io_port(ACPI_PM_PORT + ACPI_PM1_CNT_OFFSET, 16);
	/* Reset through the i8042 command port, as reboot=k does. */
	fadt->reset_reg = io_port(0x64, 8);
	fadt->reset_value = 0xfe;
	memcpy(&fadt->hypervisor_vendor_id, "TESSERA\0", 8);
	finish(fadt);

	build_madt(buf + off_madt, ncpus, ioapic_addr);

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "TESSRA", 6);
	rsdp->revision = 2;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_addr = base + off_xsdt;
	rsdp->checksum = checksum(rsdp, 20);
	rsdp->ext_checksum = checksum(rsdp, sizeof(*rsdp));
	return total;
}
