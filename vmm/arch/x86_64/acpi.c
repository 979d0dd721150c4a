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

/* MCFG (PCI Firmware 3.2, 4.1.2): one allocation, segment 0, bus 0. */
struct mcfg {
	struct sdt h;
	uint64_t reserved;
	uint64_t ecam_base;
	uint16_t segment;
	uint8_t start_bus, end_bus;
	uint32_t reserved2;
} __attribute__((packed));

_Static_assert(sizeof(struct mcfg) == 60, "MCFG with one allocation");
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
static const uint8_t s5_aml[] = {
	0x08, '_', 'S', '5', '_', /* NameOp "_S5_" */
	0x12, 0x08, 0x04,         /* PackageOp, PkgLength 8, 4 elements */
	0x0a, 0x05, 0x0a, 0x05,   /* BytePrefix 5, BytePrefix 5 */
	0x00, 0x00,               /* Zero, Zero */
};

/* ---- a small AML writer (ACPI 6.4, chapter 20) ---------------------------- */

#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME 0x08
#define AML_BYTE 0x0a
#define AML_WORD 0x0b
#define AML_DWORD 0x0c
#define AML_QWORD 0x0e
#define AML_SCOPE 0x10
#define AML_BUFFER 0x11
#define AML_PACKAGE 0x12
#define AML_EXT 0x5b
#define AML_DEVICE 0x82 /* after AML_EXT */
#define AML_ROOT '\\'

/* Resource descriptors (ACPI 6.4, 6.4). */
#define RES_IO 0x47            /* small: I/O port, 7 bytes after the tag */
#define RES_END 0x79           /* small: end tag, checksum byte follows */
#define RES_MEM32_FIXED 0x86   /* large: 32-bit fixed memory range */
#define RES_DWORD 0x87         /* large: DWord address space */
#define RES_WORD 0x88          /* large: Word address space */
#define RES_QWORD 0x8a         /* large: QWord address space */
#define RES_TYPE_MEM 0
#define RES_TYPE_IO 1
#define RES_TYPE_BUS 2
#define RES_PRODUCER_FIXED 0x0c /* MinFixed, MaxFixed, PosDecode, producer */
#define RES_CONSUMER_FIXED 0x0d /* the same, consumer */
#define RES_MEM_RW 0x01
#define RES_MEM_PREFETCH 0x06
#define RES_IO_ENTIRE 0x03

/*
 * The compressed EISA ids: three letters in 5 bits each, big-endian, then
 * the product number's four hex digits.
 */
#define EISA_PNP0A03 0x030ad041u
#define EISA_PNP0A08 0x080ad041u
#define EISA_PNP0C02 0x020cd041u

struct aml {
	uint8_t *b;
	size_t n, cap; /* n may pass cap: then full, and only n is counted */
};

static void aml_byte(struct aml *a, uint8_t v)
{
	if (a->n < a->cap)
		a->b[a->n] = v;
	a->n++;
}

static void aml_le(struct aml *a, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		aml_byte(a, (uint8_t)(v >> (8 * i)));
}

static void aml_seg(struct aml *a, const char *seg) /* a 4-char NameSeg */
{
	for (int i = 0; i < 4; i++)
		aml_byte(a, (uint8_t)seg[i]);
}

/* An Integer in its shortest encoding. */
static void aml_int(struct aml *a, uint64_t v)
{
	if (v <= 1) {
		aml_byte(a, v ? AML_ONE : AML_ZERO);
	} else if (v <= 0xff) {
		aml_byte(a, AML_BYTE);
		aml_le(a, v, 1);
	} else if (v <= 0xffff) {
		aml_byte(a, AML_WORD);
		aml_le(a, v, 2);
	} else if (v <= 0xffffffffu) {
		aml_byte(a, AML_DWORD);
		aml_le(a, v, 4);
	} else {
		aml_byte(a, AML_QWORD);
		aml_le(a, v, 8);
	}
}

unsigned int acpi_aml_pkglen(size_t content, uint8_t out[4])
{
	size_t len;

	if (content + 1 < 0x40) { /* one byte: bits 5-0 */
		out[0] = (uint8_t)(content + 1);
		return 1;
	}
	for (unsigned int k = 2; k <= 4; k++) {
		len = content + k;
		if (len >= 1ull << (4 + 8 * (k - 1)))
			continue;
		/* Lead byte: count of following bytes, low nibble of length. */
		out[0] = (uint8_t)((k - 1) << 6 | (len & 0xf));
		for (unsigned int i = 1; i < k; i++)
			out[i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
		return k;
	}
	return 0;
}

/* Opens a package: a placeholder for its PkgLength; returns its place. */
static size_t aml_open(struct aml *a)
{
	size_t pos = a->n;

	aml_byte(a, 0);
	return pos;
}

/* Closes the package opened at pos: its PkgLength, content moved after it. */
static void aml_close(struct aml *a, size_t pos)
{
	size_t content = a->n - pos - 1;
	uint8_t pl[4];
	unsigned int k = acpi_aml_pkglen(content, pl);

	if (!k) { /* cannot be: a DSDT is a few hundred bytes */
		a->n = a->cap + 1;
		return;
	}
	if (a->n + k - 1 <= a->cap) {
		memmove(a->b + pos + k, a->b + pos + 1, content);
		memcpy(a->b + pos, pl, k);
	}
	a->n += k - 1;
}

static void aml_name_int(struct aml *a, const char *seg, uint64_t v)
{
	aml_byte(a, AML_NAME);
	aml_seg(a, seg);
	aml_int(a, v);
}

static void aml_name_eisa(struct aml *a, const char *seg, uint32_t id)
{
	aml_byte(a, AML_NAME);
	aml_seg(a, seg);
	aml_byte(a, AML_DWORD); /* EisaId() is always a DWord constant */
	aml_le(a, id, 4);
}

/* Word/DWord/QWord address space descriptor: [min, min + len). */
static void res_addr(struct aml *a, uint8_t tag, unsigned int bytes,
		     uint8_t type, uint8_t flags, uint8_t type_flags,
		     uint64_t min, uint64_t len)
{
	aml_byte(a, tag);
	aml_le(a, 3 + 5 * bytes, 2); /* length after the 3-byte header */
	aml_byte(a, type);
	aml_byte(a, flags);
	aml_byte(a, type_flags);
	aml_le(a, 0, bytes);           /* granularity */
	aml_le(a, min, bytes);         /* minimum */
	aml_le(a, min + len - 1, bytes); /* maximum */
	aml_le(a, 0, bytes);           /* translation offset */
	aml_le(a, len, bytes);         /* length */
}

/* Name (_CRS, ResourceTemplate () {...}) of the root bridge. */
static void pci_crs(struct aml *a, const struct acpi_pci *p)
{
	size_t pkg, body;

	aml_byte(a, AML_NAME);
	aml_seg(a, "_CRS");
	aml_byte(a, AML_BUFFER);
	pkg = aml_open(a);
	aml_byte(a, AML_BYTE); /* BufferSize, patched below */
	aml_byte(a, 0);
	body = a->n;
	/* WordBusNumber: bus 0 only. */
	res_addr(a, RES_WORD, 2, RES_TYPE_BUS, RES_PRODUCER_FIXED, 0, 0, 1);
	/* IO (Decode16, 0xcf8, 0xcf8, 1, 8): the type-1 ports, consumed. */
	aml_byte(a, RES_IO);
	aml_byte(a, 1);
	aml_le(a, ACPI_PCI_TYPE1_PORT, 2);
	aml_le(a, ACPI_PCI_TYPE1_PORT, 2);
	aml_byte(a, 1);
	aml_byte(a, 8);
	res_addr(a, RES_WORD, 2, RES_TYPE_IO, RES_PRODUCER_FIXED, RES_IO_ENTIRE, ACPI_PCI_IO_BASE,
		 ACPI_PCI_IO_SIZE);
	res_addr(a, RES_DWORD, 4, RES_TYPE_MEM, RES_PRODUCER_FIXED, RES_MEM_RW, p->mem32_base,
		 p->mem32_size);
	if (p->mem64_size)
		res_addr(a, RES_QWORD, 8, RES_TYPE_MEM, RES_PRODUCER_FIXED,
			 RES_MEM_RW | RES_MEM_PREFETCH, p->mem64_base,
			 p->mem64_size);
	aml_byte(a, RES_END);
	aml_byte(a, 0); /* checksum 0: "treat as correct" */
	if (body - 1 < a->cap)
		a->b[body - 1] = (uint8_t)(a->n - body); /* < 256: checked by tests */
	aml_close(a, pkg);
}

/* Name (_PRT, Package () { Package () { slot.FFFF, pin, 0, GSI }, ... }). */
static void pci_prt(struct aml *a, const struct acpi_pci *p)
{
	size_t pkg;

	aml_byte(a, AML_NAME);
	aml_seg(a, "_PRT");
	aml_byte(a, AML_PACKAGE);
	pkg = aml_open(a);
	aml_byte(a, (uint8_t)p->nintx);
	for (unsigned int i = 0; i < p->nintx; i++) {
		size_t e;

		aml_byte(a, AML_PACKAGE);
		e = aml_open(a);
		aml_byte(a, 4);
		/* Address: device in the high word, any function (0xFFFF). */
		aml_byte(a, AML_DWORD);
		aml_le(a, (uint32_t)p->intx[i].slot << 16 | 0xffff, 4);
		aml_int(a, (uint64_t)(p->intx[i].pin - 1)); /* 0: INTA */
		aml_int(a, 0); /* Source 0: SourceIndex is a GSI */
		aml_int(a, p->intx[i].gsi);
		aml_close(a, e);
	}
	aml_close(a, pkg);
}

/* Device (NAME) { Name (_HID, hid) ... }: opens it; returns the place. */
static size_t aml_device(struct aml *a, const char *seg)
{
	size_t pkg;

	aml_byte(a, AML_EXT);
	aml_byte(a, AML_DEVICE);
	pkg = aml_open(a);
	aml_seg(a, seg);
	return pkg;
}

/*
 * The root bridge (QEMU's q35 uses the same names) and the ECAM window
 * as a motherboard resource, which is where Linux looks before it trusts
 * MCFG. `iasl -d` of the result, for one device in slot 1 on GSI 16:
 *
 *   Scope (\_SB) {
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A08"))  Name (_CID, EisaId ("PNP0A03"))
 *       Name (_SEG, Zero)  Name (_BBN, Zero)  Name (_UID, Zero)
 *       Name (_CRS, ResourceTemplate () {
 *         WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
 *                        0, 0, 0, 0, 1)
 *         IO (Decode16, 0x0CF8, 0x0CF8, 0x01, 0x08)
 *         WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode,
 *                 EntireRange, 0, 0x0D00, 0xFFFF, 0, 0xF300)
 *         DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
 *                      NonCacheable, ReadWrite, 0, mem32, ..., 0, size)
 *         QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
 *                      Prefetchable, ReadWrite, 0, mem64, ..., 0, size)
 *       })
 *       Name (_PRT, Package () { Package () { 0x0001FFFF, Zero, Zero, 0x10 } })
 *     }
 *     Device (MRES) {
 *       Name (_HID, EisaId ("PNP0C02"))  Name (_UID, One)
 *       Name (_CRS, ResourceTemplate () { Memory32Fixed (ReadWrite, ecam, 0x100000) })
 *     }
 *   }
 */
static void pci_devices(struct aml *a, const struct acpi_pci *p)
{
	size_t scope, dev, buf;

	aml_byte(a, AML_SCOPE);
	scope = aml_open(a);
	aml_byte(a, AML_ROOT);
	aml_seg(a, "_SB_");

	dev = aml_device(a, "PCI0");
	aml_name_eisa(a, "_HID", EISA_PNP0A08);
	aml_name_eisa(a, "_CID", EISA_PNP0A03);
	aml_name_int(a, "_SEG", 0);
	aml_name_int(a, "_BBN", 0);
	aml_name_int(a, "_UID", 0);
	pci_crs(a, p);
	pci_prt(a, p);
	aml_close(a, dev);

	dev = aml_device(a, "MRES");
	aml_name_eisa(a, "_HID", EISA_PNP0C02);
	aml_name_int(a, "_UID", 1);
	aml_byte(a, AML_NAME);
	aml_seg(a, "_CRS");
	aml_byte(a, AML_BUFFER);
	buf = aml_open(a);
	if (p->ecam_base + (1ull << 20) <= 1ull << 32) {
		aml_int(a, 14); /* BufferSize: Memory32Fixed + end tag */
		aml_byte(a, RES_MEM32_FIXED);
		aml_le(a, 9, 2);
		aml_byte(a, RES_MEM_RW);
		aml_le(a, p->ecam_base, 4);
		aml_le(a, 1u << 20, 4);
	} else {
		aml_int(a, 48); /* QWordMemory (consumer) + end tag */
		res_addr(a, RES_QWORD, 8, RES_TYPE_MEM, RES_CONSUMER_FIXED,
			 RES_MEM_RW, p->ecam_base, 1ull << 20);
	}
	aml_byte(a, RES_END);
	aml_byte(a, 0);
	aml_close(a, buf);
	aml_close(a, dev);

	aml_close(a, scope);
}

size_t acpi_dsdt_aml(uint8_t *buf, size_t len, const struct acpi_pci *pci)
{
	struct aml a = { buf, 0, len };

	for (size_t i = 0; i < sizeof(s5_aml); i++)
		aml_byte(&a, s5_aml[i]);
	if (pci)
		pci_devices(&a, pci);
	return a.n;
}

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
	return acpi_build_pci(buf, len, base, ncpus, ioapic_addr, NULL);
}

size_t acpi_build_pci(uint8_t *buf, size_t len, uint64_t base,
		      unsigned int ncpus, uint32_t ioapic_addr,
		      const struct acpi_pci *pci)
{
	size_t off_xsdt = 64, off_fadt = 128, off_madt = 512;
	size_t madt_len = sizeof(struct madt) + ncpus * sizeof(struct madt_lapic) +
			  sizeof(struct madt_ioapic) + sizeof(struct madt_lapic_nmi);
	size_t off_mcfg = (off_madt + madt_len + 7) & ~(size_t)7;
	size_t off_dsdt = pci ? off_mcfg + sizeof(struct mcfg) : off_mcfg;
	size_t aml_len, total;
	struct rsdp *rsdp = (struct rsdp *)buf;
	struct sdt *xsdt = (struct sdt *)(buf + off_xsdt);
	struct fadt *fadt = (struct fadt *)(buf + off_fadt);
	struct sdt *dsdt;
	uint64_t ptrs[3] = { base + off_fadt, base + off_madt, base + off_mcfg };
	size_t nptrs = pci ? 3 : 2;

	if (ncpus == 0 || ncpus > 254 || (pci && pci->nintx > ACPI_PCI_MAX_INTX))
		return 0;
	aml_len = acpi_dsdt_aml(NULL, 0, pci);
	total = off_dsdt + sizeof(struct sdt) + aml_len;
	if (len < total || base > UINT32_MAX - total)
		return 0;
	memset(buf, 0, total);
	dsdt = (struct sdt *)(buf + off_dsdt);

	memcpy(xsdt + 1, ptrs, nptrs * sizeof(ptrs[0]));
	header(xsdt, "XSDT", (uint32_t)(sizeof(*xsdt) + nptrs * sizeof(ptrs[0])), 1);
	finish(xsdt);

	acpi_dsdt_aml((uint8_t *)(dsdt + 1), aml_len, pci);
	header(dsdt, "DSDT", (uint32_t)(sizeof(*dsdt) + aml_len), 2);
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
	if (pci) {
		struct mcfg *m = (struct mcfg *)(buf + off_mcfg);

		header(&m->h, "MCFG", sizeof(*m), 1);
		m->ecam_base = pci->ecam_base;
		m->segment = 0;
		m->start_bus = 0;
		m->end_bus = 0;
		finish(m);
	}

	memcpy(rsdp->signature, "RSD PTR ", 8);
	memcpy(rsdp->oem_id, "TESSRA", 6);
	rsdp->revision = 2;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_addr = base + off_xsdt;
	rsdp->checksum = checksum(rsdp, 20);
	rsdp->ext_checksum = checksum(rsdp, sizeof(*rsdp));
	return total;
}
