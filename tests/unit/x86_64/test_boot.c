// SPDX-License-Identifier: GPL-2.0
/* x86 Linux boot pieces: bzImage header, MP table, e820, cmdline, initrd. */
#include <errno.h>
#include <string.h>

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/bzimage.h"
#include "arch/x86_64/mptable.h"
#include "cmdline.h"
#include "config.h"
#include "loader.h"
#include "suites.h"

static uint8_t img[64 * 1024];
static char err[256];

/* A minimal well-formed bzImage: 4 setup sectors, 2.15, 64-bit entry. */
static void make_bzimage(void)
{
	struct setup_header h;

	memset(img, 0, sizeof(img));
	memset(&h, 0, sizeof(h));
	h.setup_sects = 4;
	h.boot_flag = 0xaa55;
	h.header = 0x53726448;
	h.version = 0x020f;
	h.loadflags = LOADED_HIGH;
	h.xloadflags = XLF_KERNEL_64;
	h.syssize = (sizeof(img) - 5 * 512) / 16;
	h.initrd_addr_max = 0x7fffffff;
	h.cmdline_size = 2047;
	h.init_size = 0x200000;
	memcpy(img + BZIMAGE_HDR_OFFSET, &h, sizeof(h));
	img[0x200] = 0xeb; /* jmp over the header */
	img[0x201] = (uint8_t)(BZIMAGE_HDR_OFFSET + sizeof(h) - 0x202);
}

START_TEST(bzimage_good)
{
	struct bzimage bz;

	make_bzimage();
	ck_assert(bzimage_is(img, sizeof(img)));
	ck_assert_int_eq(bzimage_parse(img, sizeof(img), &bz, err, sizeof(err)), 0);
	ck_assert_uint_eq(bz.pm_offset, 5 * 512);
	ck_assert_uint_eq(bz.pm_len, sizeof(img) - 5 * 512);
	ck_assert_uint_eq(bz.load_addr, 0x100000);
	ck_assert_uint_eq(bz.init_size, 0x200000);
	ck_assert_uint_eq(bz.initrd_max, 0x7fffffff);
	ck_assert_uint_eq(bz.cmdline_max, 2047);
	ck_assert_uint_eq(bz.hdr.version, 0x020f);
}
END_TEST

#define BZ_FAIL(len, code, what)                                           \
	do {                                                               \
		struct bzimage bz_;                                        \
		ck_assert_int_eq(bzimage_parse(img, len, &bz_, err, sizeof(err)), \
				 code);                                    \
		ck_assert_msg(strstr(err, what), "'%s' lacks '%s'", err, what); \
	} while (0)

START_TEST(bzimage_bad)
{
	struct setup_header *h = (struct setup_header *)(img + BZIMAGE_HDR_OFFSET);

	make_bzimage();
	BZ_FAIL(0x100, -ENOEXEC, "not a Linux bzImage");
	BZ_FAIL(0x210, -EINVAL, "header is truncated");
	BZ_FAIL(5 * 512, -EINVAL, "no protected-mode kernel");
	BZ_FAIL(6 * 512, -EINVAL, "truncated");
	h->version = 0x0206;
	BZ_FAIL(sizeof(img), -ENOEXEC, "too old");
	make_bzimage();
	h->xloadflags = 0;
	BZ_FAIL(sizeof(img), -ENOEXEC, "64-bit entry");
	make_bzimage();
	h->loadflags = 0;
	BZ_FAIL(sizeof(img), -ENOEXEC, "zImage");
	make_bzimage();
	h->setup_sects = 200; /* setup larger than the file */
	BZ_FAIL(sizeof(img), -EINVAL, "truncated");
	make_bzimage();
	img[0x202] = 'X';
	BZ_FAIL(sizeof(img), -ENOEXEC, "not a Linux bzImage");
}
END_TEST

START_TEST(bzimage_every_prefix)
{
	struct bzimage bz;

	make_bzimage();
	for (size_t len = 0; len < sizeof(img); len += 97)
		ck_assert_int_ne(bzimage_parse(img, len, &bz, err, sizeof(err)), 0);
}
END_TEST

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s += *p++;
	return s;
}

START_TEST(mptable_checksums)
{
	uint8_t buf[4096];
	size_t n = mptable_build(buf, sizeof(buf), 0x9fc00, 4, 0xfec00000, NULL);
	uint16_t len, count;
	uint32_t physptr;

	ck_assert_uint_eq(n, mptable_size(4, NULL));
	ck_assert(!memcmp(buf, "_MP_", 4));
	ck_assert_uint_eq(sum(buf, 16), 0);
	memcpy(&physptr, buf + 4, 4);
	ck_assert_uint_eq(physptr, 0x9fc00 + 16);
	ck_assert(!memcmp(buf + 16, "PCMP", 4));
	memcpy(&len, buf + 16 + 4, 2);
	memcpy(&count, buf + 16 + 34, 2);
	ck_assert_uint_eq(sum(buf + 16, len), 0);
	ck_assert_uint_eq(count, 4 + 1 + 1 + 16 + 2);
	ck_assert_uint_eq(16 + len, n);
	/* The first processor entry is the enabled BSP with APIC id 0. */
	ck_assert_uint_eq(buf[16 + 44], 0);
	ck_assert_uint_eq(buf[16 + 44 + 1], 0);
	ck_assert_uint_eq(buf[16 + 44 + 3], 3);
	ck_assert_uint_eq(buf[16 + 44 + 20 + 3], 1); /* AP: enabled, not BSP */
	ck_assert_uint_eq(mptable_build(buf, 100, 0x9fc00, 4, 0xfec00000, NULL), 0);
	ck_assert_uint_eq(mptable_build(buf, sizeof(buf), 0x9fc00, 0, 0xfec00000, NULL), 0);
}
END_TEST

/* One MP table decoded: its buses and interrupt source entries. */
struct mp_decoded {
	unsigned int nbus, nsrc, entries;
	struct { uint8_t id; char type[7]; } bus[4];
	struct { uint8_t type, irqtype, srcbus, srcbusirq, dstapic, dstirq; uint16_t flag; } src[64];
};

/* Walks the configuration table's entries by their types' sizes. */
static void mp_decode(const uint8_t *buf, size_t n, struct mp_decoded *d)
{
	uint16_t len, count;
	const uint8_t *p, *end;

	memset(d, 0, sizeof(*d));
	ck_assert_uint_eq(sum(buf, 16), 0);
	memcpy(&len, buf + 16 + 4, 2);
	memcpy(&count, buf + 16 + 34, 2);
	ck_assert_uint_eq(16 + len, n);
	ck_assert_uint_eq(sum(buf + 16, len), 0);
	end = buf + 16 + len;
	for (p = buf + 16 + 44; p < end; d->entries++) {
		switch (p[0]) {
		case 0: /* processor */
			p += 20;
			break;
		case 1: /* bus */
			ck_assert_uint_lt(d->nbus, 4);
			d->bus[d->nbus].id = p[1];
			memcpy(d->bus[d->nbus].type, p + 2, 6);
			d->nbus++;
			p += 8;
			break;
		case 2: /* IOAPIC */
			p += 8;
			break;
		case 3: /* I/O interrupt */
		case 4: /* local interrupt */
			ck_assert_uint_lt(d->nsrc, 64);
			d->src[d->nsrc].type = p[0];
			d->src[d->nsrc].irqtype = p[1];
			memcpy(&d->src[d->nsrc].flag, p + 2, 2);
			d->src[d->nsrc].srcbus = p[4];
			d->src[d->nsrc].srcbusirq = p[5];
			d->src[d->nsrc].dstapic = p[6];
			d->src[d->nsrc].dstirq = p[7];
			d->nsrc++;
			p += 8;
			break;
		default:
			ck_abort_msg("entry type %u", p[0]);
		}
	}
	ck_assert_ptr_eq(p, end);
	ck_assert_uint_eq(count, d->entries);
}

/* The I/O interrupt entry from bus with source IRQ irq, or -1. */
static int mp_find(const struct mp_decoded *d, uint8_t bus, uint8_t irq)
{
	for (unsigned int i = 0; i < d->nsrc; i++)
		if (d->src[i].type == 3 && d->src[i].srcbus == bus &&
		    d->src[i].srcbusirq == irq)
			return (int)i;
	return -1;
}

/*
 * PCI INTx in the MP table (a guest without ACPI: "can't find IRQ for PCI
 * INT A" without them): bus 0 is PCI, ISA moves to bus 1, each INTx is a
 * level, active-low entry with IRQ = device << 2 | pin - 1 on its IOAPIC
 * pin, and the ISA IRQ on a pin an INTx takes is gone.
 */
START_TEST(mptable_pci_intx)
{
	struct mptable_pci pci = { .nintx = 3, .intx = {
		{ .slot = 1, .pin = 1, .ioapic_pin = 5 },
		{ .slot = 2, .pin = 2, .ioapic_pin = 16 },
		{ .slot = 31, .pin = 4, .ioapic_pin = 23 } } };
	struct mp_decoded d;
	uint8_t buf[4096];
	size_t n;
	int i;

	/* Without PCI: the ISA bus is bus 0 with all 16 IRQs, as before. */
	n = mptable_build(buf, sizeof(buf), 0x9fc00, 2, 0xfec00000, NULL);
	ck_assert_uint_ne(n, 0);
	mp_decode(buf, n, &d);
	ck_assert_uint_eq(d.nbus, 1);
	ck_assert_uint_eq(d.bus[0].id, 0);
	ck_assert_str_eq(d.bus[0].type, "ISA   ");
	ck_assert_uint_eq(d.nsrc, 16 + 2);
	ck_assert_int_ge(mp_find(&d, 0, 5), 0);

	n = mptable_build(buf, sizeof(buf), 0x9fc00, 2, 0xfec00000, &pci);
	ck_assert_uint_eq(n, mptable_size(2, &pci));
	mp_decode(buf, n, &d);
	ck_assert_uint_eq(d.nbus, 2);
	ck_assert_uint_eq(d.bus[0].id, 0);
	ck_assert_str_eq(d.bus[0].type, "PCI   ");
	ck_assert_uint_eq(d.bus[1].id, 1);
	ck_assert_str_eq(d.bus[1].type, "ISA   ");
	ck_assert_uint_eq(d.nsrc, 15 + 3 + 2);
	/* ISA IRQs on bus 1, edge (conforming); IRQ 5's pin went to INTA of 00:01. */
	i = mp_find(&d, 1, 4);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(d.src[i].dstirq, 4);
	ck_assert_uint_eq(d.src[i].flag, 0);
	ck_assert_int_eq(mp_find(&d, 1, 5), -1);
	ck_assert_int_ge(mp_find(&d, 1, 15), 0);
	/* INTx: 00:01 INTA -> pin 5, 00:02 INTB -> 16, 00:1f INTD -> 23. */
	i = mp_find(&d, 0, 1 << 2 | 0);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(d.src[i].dstirq, 5);
	ck_assert_uint_eq(d.src[i].flag, 0x0f); /* active low, level */
	ck_assert_uint_eq(d.src[i].irqtype, 0); /* INT */
	ck_assert_uint_eq(d.src[i].dstapic, 2); /* the IOAPIC's id: ncpus */
	i = mp_find(&d, 0, 2 << 2 | 1);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(d.src[i].dstirq, 16);
	i = mp_find(&d, 0, 31 << 2 | 3);
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(d.src[i].dstirq, 23);
	ck_assert_uint_eq(d.src[i].flag, 0x0f);
	/* A PCI bus with no INTx: the bus alone. */
	pci.nintx = 0;
	n = mptable_build(buf, sizeof(buf), 0x9fc00, 1, 0xfec00000, &pci);
	mp_decode(buf, n, &d);
	ck_assert_uint_eq(d.nbus, 2);
	ck_assert_uint_eq(d.nsrc, 16 + 2);

	/* Out of range: refused, not written wrong. */
	pci.nintx = 1;
	pci.intx[0] = (typeof(pci.intx[0])){ .slot = 1, .pin = 0, .ioapic_pin = 16 };
	ck_assert_uint_eq(mptable_build(buf, sizeof(buf), 0x9fc00, 1, 0xfec00000, &pci), 0);
	pci.intx[0].pin = 5;
	ck_assert_uint_eq(mptable_build(buf, sizeof(buf), 0x9fc00, 1, 0xfec00000, &pci), 0);
	pci.intx[0].pin = 1;
	pci.intx[0].slot = 32;
	ck_assert_uint_eq(mptable_build(buf, sizeof(buf), 0x9fc00, 1, 0xfec00000, &pci), 0);
	pci.intx[0].slot = 1;
	pci.intx[0].ioapic_pin = 24;
	ck_assert_uint_eq(mptable_build(buf, sizeof(buf), 0x9fc00, 1, 0xfec00000, &pci), 0);
	pci.intx[0].ioapic_pin = 16;
	pci.nintx = MPTABLE_MAX_INTX + 1;
	ck_assert_uint_eq(mptable_build(buf, sizeof(buf), 0x9fc00, 1, 0xfec00000, &pci), 0);
}
END_TEST

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

START_TEST(acpi_tables)
{
	static uint8_t buf[4096];
	const uint64_t base = 0xe0000;
	size_t n = acpi_build(buf, sizeof(buf), base, 3, 0xfec00000);
	uint64_t xsdt, ptr[2];
	const uint8_t *fadt, *madt, *dsdt;

	ck_assert_uint_gt(n, 0);
	ck_assert(!memcmp(buf, "RSD PTR ", 8));
	ck_assert_uint_eq(sum(buf, 20), 0);
	ck_assert_uint_eq(sum(buf, 36), 0);
	memcpy(&xsdt, buf + 24, 8);
	ck_assert_uint_ge(xsdt, base);
	ck_assert(!memcmp(buf + (xsdt - base), "XSDT", 4));
	ck_assert_uint_eq(sum(buf + (xsdt - base), le32(buf + (xsdt - base) + 4)), 0);
	memcpy(ptr, buf + (xsdt - base) + 36, 16);
	fadt = buf + (ptr[0] - base);
	madt = buf + (ptr[1] - base);
	ck_assert(!memcmp(fadt, "FACP", 4));
	ck_assert_uint_eq(le32(fadt + 4), 276);
	ck_assert_uint_eq(sum(fadt, 276), 0);
	ck_assert_uint_eq(le32(fadt + 112) & (1u << 20), 0); /* not HW_REDUCED */
	ck_assert_uint_eq(le32(fadt + 56), ACPI_PM_PORT);     /* PM1a_EVT_BLK */
	ck_assert_uint_eq(le32(fadt + 64), ACPI_PM_PORT + 4); /* PM1a_CNT_BLK */
	ck_assert_uint_eq(fadt[89], 2);                       /* PM1_CNT_LEN */
	ck_assert_uint_eq(le32(fadt + 48), 0);                /* no SMI_CMD */
	dsdt = buf + (le32(fadt + 40) - base);
	ck_assert(!memcmp(dsdt, "DSDT", 4));
	ck_assert_uint_eq(sum(dsdt, le32(dsdt + 4)), 0);
	ck_assert(!memcmp(dsdt + 36 + 1, "_S5_", 4));
	ck_assert(!memcmp(madt, "APIC", 4));
	ck_assert_uint_eq(sum(madt, le32(madt + 4)), 0);
	ck_assert_uint_eq(le32(madt + 36), 0xfee00000);
	/* Three local APICs (type 0) with ids 0..2, then the IOAPIC (type 1). */
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(madt[44 + 8 * i], 0);
		ck_assert_uint_eq(madt[44 + 8 * i + 3], i);
	}
	ck_assert_uint_eq(madt[44 + 24], 1);
	ck_assert_uint_eq(le32(madt + 44 + 24 + 4), 0xfec00000);
	ck_assert_uint_eq(acpi_build(buf, 100, base, 3, 0xfec00000), 0);
	ck_assert_uint_eq(acpi_build(buf, sizeof(buf), base, 0, 0xfec00000), 0);
}
END_TEST

static const struct acpi_pci test_pci = {
	.ecam_base = 0xe0000000, .mem32_base = 0xc0000000, .mem32_size = 0x10000000,
	.mem64_base = 0x100000000ull, .mem64_size = 64ull << 30, .nintx = 2,
	.intx = { { 1, 1, 16 }, { 3, 2, 23 } },
};

/* With a PCI host bridge: a third XSDT entry, an MCFG for bus 0. */
START_TEST(acpi_mcfg)
{
	static uint8_t buf[4096];
	const uint64_t base = 0xe0000;
	size_t n = acpi_build_pci(buf, sizeof(buf), base, 2, 0xfec00000,
				  &test_pci);
	const uint8_t *xsdt, *mcfg;
	uint64_t xsdt_addr, ptr[3], ecam;

	ck_assert_uint_gt(n, 0);
	memcpy(&xsdt_addr, buf + 24, 8);
	xsdt = buf + (xsdt_addr - base);
	ck_assert_uint_eq(le32(xsdt + 4), 36 + 3 * 8);
	ck_assert_uint_eq(sum(xsdt, le32(xsdt + 4)), 0);
	memcpy(ptr, xsdt + 36, sizeof(ptr));
	ck_assert_uint_lt(ptr[2] - base + 60, n + 1);
	mcfg = buf + (ptr[2] - base);
	ck_assert(!memcmp(mcfg, "MCFG", 4));
	ck_assert_uint_eq(le32(mcfg + 4), 60);
	ck_assert_uint_eq(sum(mcfg, 60), 0);
	memcpy(&ecam, mcfg + 44, 8);
	ck_assert_uint_eq(ecam, 0xe0000000);
	ck_assert_uint_eq(mcfg[52] | mcfg[53] << 8, 0); /* segment */
	ck_assert_uint_eq(mcfg[54], 0);                 /* buses 0-0 */
	ck_assert_uint_eq(mcfg[55], 0);
	/* Without PCI: no MCFG, two XSDT entries, as before. */
	n = acpi_build_pci(buf, sizeof(buf), base, 2, 0xfec00000, NULL);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_eq(le32(buf + (xsdt_addr - base) + 4), 36 + 2 * 8);
	ck_assert_uint_eq(acpi_build_pci(buf, 600, base, 2, 0xfec00000,
					 &test_pci), 0);
}
END_TEST

/* AML PkgLength: 1 byte below 64, then a lead byte and 1-3 more. */
START_TEST(aml_pkglen)
{
	uint8_t b[4];

	ck_assert_uint_eq(acpi_aml_pkglen(0, b), 1);
	ck_assert_uint_eq(b[0], 1);
	ck_assert_uint_eq(acpi_aml_pkglen(62, b), 1);
	ck_assert_uint_eq(b[0], 63);
	/* 63 bytes of content: length 65 in two bytes, 0x41 0x04. */
	ck_assert_uint_eq(acpi_aml_pkglen(63, b), 2);
	ck_assert_uint_eq(b[0], 0x41);
	ck_assert_uint_eq(b[1], 0x04);
	ck_assert_uint_eq(acpi_aml_pkglen(4093, b), 2); /* 4095: the largest */
	ck_assert_uint_eq(b[0], 0x4f);
	ck_assert_uint_eq(b[1], 0xff);
	ck_assert_uint_eq(acpi_aml_pkglen(4094, b), 3); /* 4097 */
	ck_assert_uint_eq(b[0], 0x81);
	ck_assert_uint_eq(b[1], 0x00);
	ck_assert_uint_eq(b[2], 0x01);
	ck_assert_uint_eq(acpi_aml_pkglen((1u << 20) - 4, b), 3); /* 2^20 - 1 */
	ck_assert_uint_eq(acpi_aml_pkglen((1u << 20) - 3, b), 4); /* 2^20 + 1 */
	ck_assert_uint_eq(b[0], 0xc1);
	ck_assert_uint_eq(b[1], 0x00);
	ck_assert_uint_eq(b[2], 0x00);
	ck_assert_uint_eq(b[3], 0x01);
	ck_assert_uint_eq(acpi_aml_pkglen(1u << 28, b), 0);
}
END_TEST

/* A PkgLength at p: its value, and its own size in *k. */
static size_t pkglen_at(const uint8_t *p, unsigned int *k)
{
	size_t len = p[0] & 0x3f;

	*k = 1 + (p[0] >> 6);
	if (*k > 1) {
		len = p[0] & 0x0f;
		for (unsigned int i = 1; i < *k; i++)
			len |= (size_t)p[i] << (4 + 8 * (i - 1));
	}
	return len;
}

static const uint8_t *find_bytes(const uint8_t *h, size_t n, const void *needle,
				 size_t m)
{
	for (size_t i = 0; i + m <= n; i++)
		if (!memcmp(h + i, needle, m))
			return h + i;
	return NULL;
}

static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/*
 * The DSDT's PCI root bridge, decoded: names and EISA ids, every _CRS
 * descriptor with its values, the _PRT entries, and PkgLengths that end
 * each object exactly where the next begins (the bytes were checked once
 * with `iasl -d`, which disassembles them to the ASL in acpi.c's comment).
 */
START_TEST(acpi_dsdt_pci)
{
	static uint8_t buf[4096];
	const uint64_t base = 0xe0000;
	size_t n = acpi_build_pci(buf, sizeof(buf), base, 2, 0xfec00000, &test_pci);
	const uint8_t *fadt, *dsdt, *end, *p, *q;
	size_t len, dlen;
	unsigned int k;
	uint64_t xsdt_addr, ptr0;

	ck_assert_uint_gt(n, 0);
	memcpy(&xsdt_addr, buf + 24, 8);
	memcpy(&ptr0, buf + (xsdt_addr - base) + 36, 8);
	fadt = buf + (ptr0 - base);
	dsdt = buf + (le32(fadt + 40) - base);
	ck_assert(!memcmp(dsdt, "DSDT", 4));
	dlen = le32(dsdt + 4);
	ck_assert_uint_le((size_t)(dsdt - buf) + dlen, n);
	ck_assert_uint_eq(sum(dsdt, dlen), 0);
	end = dsdt + dlen;
	ck_assert(!memcmp(dsdt + 37, "_S5_", 4));
	/* Scope (\_SB) spans the rest of the table. */
	p = dsdt + 36 + 14;
	ck_assert_uint_eq(p[0], 0x10);
	len = pkglen_at(p + 1, &k);
	ck_assert_ptr_eq(p + 1 + len, end);
	ck_assert(!memcmp(p + 1 + k, "\\_SB_", 5));
	/* Device (PCI0) ends where Device (MRES) begins. */
	p += 1 + k + 5;
	ck_assert_uint_eq(p[0], 0x5b);
	ck_assert_uint_eq(p[1], 0x82);
	len = pkglen_at(p + 2, &k);
	ck_assert(!memcmp(p + 2 + k, "PCI0", 4));
	q = p + 2 + len;
	ck_assert_uint_eq(q[0], 0x5b);
	ck_assert_uint_eq(q[1], 0x82);
	ck_assert(!memcmp(q + 2 + 1, "MRES", 4));
	ck_assert_ptr_eq(q + 2 + pkglen_at(q + 2, &k), end);
	/* _HID PNP0A08, _CID PNP0A03, _SEG, _BBN, _UID 0. */
	ck_assert_ptr_nonnull(find_bytes(p, (size_t)(q - p), "\x08_HID\x0c\x41\xd0\x0a\x08", 10));
	ck_assert_ptr_nonnull(find_bytes(p, (size_t)(q - p), "\x08_CID\x0c\x41\xd0\x0a\x03", 10));
	ck_assert_ptr_nonnull(find_bytes(p, (size_t)(q - p), "\x08_SEG\x00", 6));
	ck_assert_ptr_nonnull(find_bytes(p, (size_t)(q - p), "\x08_BBN\x00", 6));
	ck_assert_ptr_nonnull(find_bytes(q, (size_t)(end - q), "\x08_HID\x0c\x41\xd0\x0c\x02", 10));

	/* _CRS: Buffer (size) { descriptors, end tag }. */
	p = find_bytes(dsdt, dlen, "\x08_CRS", 5);
	ck_assert_ptr_nonnull(p);
	p += 5;
	ck_assert_uint_eq(p[0], 0x11);
	len = pkglen_at(p + 1, &k);
	q = p + 1 + len; /* the buffer's end */
	p += 1 + k;
	ck_assert_uint_eq(p[0], 0x0a); /* BytePrefix size */
	ck_assert_ptr_eq(p + 2 + p[1], q);
	p += 2;
	/* WordBusNumber 0-0, length 1, producer, fixed. */
	ck_assert_uint_eq(p[0], 0x88);
	ck_assert_uint_eq(le(p + 1, 2), 13);
	ck_assert_uint_eq(p[3], 2);
	ck_assert_uint_eq(p[4], 0x0c);
	ck_assert_uint_eq(le(p + 8, 2), 0);
	ck_assert_uint_eq(le(p + 10, 2), 0);
	ck_assert_uint_eq(le(p + 14, 2), 1);
	p += 16;
	/* IO (Decode16, 0xcf8, 0xcf8, 1, 8). */
	ck_assert(!memcmp(p, "\x47\x01\xf8\x0c\xf8\x0c\x01\x08", 8));
	p += 8;
	/* WordIO 0xd00-0xffff. */
	ck_assert_uint_eq(p[0], 0x88);
	ck_assert_uint_eq(p[3], 1);
	ck_assert_uint_eq(le(p + 8, 2), ACPI_PCI_IO_BASE);
	ck_assert_uint_eq(le(p + 10, 2), 0xffff);
	ck_assert_uint_eq(le(p + 14, 2), ACPI_PCI_IO_SIZE);
	p += 16;
	/* DWordMemory: the 32-bit window, non-prefetchable. */
	ck_assert_uint_eq(p[0], 0x87);
	ck_assert_uint_eq(le(p + 1, 2), 23);
	ck_assert_uint_eq(p[3], 0);
	ck_assert_uint_eq(p[5], 0x01);
	ck_assert_uint_eq(le(p + 10, 4), 0xc0000000);
	ck_assert_uint_eq(le(p + 14, 4), 0xcfffffff);
	ck_assert_uint_eq(le(p + 22, 4), 0x10000000);
	p += 26;
	/* QWordMemory: the 64-bit window, prefetchable. */
	ck_assert_uint_eq(p[0], 0x8a);
	ck_assert_uint_eq(le(p + 1, 2), 43);
	ck_assert_uint_eq(p[5], 0x07);
	ck_assert_uint_eq(le(p + 14, 8), 0x100000000ull);
	ck_assert_uint_eq(le(p + 22, 8), 0x100000000ull + (64ull << 30) - 1);
	ck_assert_uint_eq(le(p + 38, 8), 64ull << 30);
	p += 46;
	ck_assert_uint_eq(p[0], 0x79);
	ck_assert_ptr_eq(p + 2, q);

	/* _PRT: two entries, { slot << 16 | 0xffff, pin - 1, 0, GSI }. */
	p = find_bytes(dsdt, dlen, "\x08_PRT\x12", 6);
	ck_assert_ptr_nonnull(p);
	p += 6;
	len = pkglen_at(p, &k);
	q = p + len;
	p += k;
	ck_assert_uint_eq(*p++, 2);
	ck_assert_uint_eq(p[0], 0x12);
	ck_assert_uint_eq(pkglen_at(p + 1, &k), 1 + 1 + 5 + 1 + 1 + 2);
	ck_assert(!memcmp(p + 2, "\x04\x0c\xff\xff\x01\x00\x00\x00\x0a\x10", 10));
	p += 1 + pkglen_at(p + 1, &k);
	ck_assert(!memcmp(p + 2, "\x04\x0c\xff\xff\x03\x00\x01\x00\x0a\x17", 10));
	p += 1 + pkglen_at(p + 1, &k);
	ck_assert_ptr_eq(p, q);

	/* MRES reserves the ECAM window: Memory32Fixed (RW, base, 1 MiB). */
	ck_assert_ptr_nonnull(find_bytes(dsdt, dlen,
					 "\x0a\x0e\x86\x09\x00\x01\x00\x00\x00\xe0\x00\x00\x10\x00\x79\x00", 16));
	/* The body's length is the same whether or not it is written. */
	ck_assert_uint_eq(acpi_dsdt_aml(NULL, 0, &test_pci), dlen - 36);
	/* Without PCI the DSDT is _S5 alone. */
	ck_assert_uint_eq(acpi_dsdt_aml(NULL, 0, NULL), 14);
}
END_TEST

START_TEST(e820_map)
{
	static uint8_t ram[4096];
	struct boot_e820_entry e[8];
	struct guest_mem m;

	guest_mem_init_buffer(&m, ram, 5ULL << 30); /* never dereferenced */
	ck_assert_int_eq(guest_mem_add_region(&m, 0, 3ULL << 30), 0);
	ck_assert_int_eq(guest_mem_add_region(&m, 4ULL << 30, 2ULL << 30), 0);
	ck_assert_uint_eq(x86_e820_build(&m, 0, 0, e, 8), 4);
	ck_assert_uint_eq(e[0].addr, 0);
	ck_assert_uint_eq(e[0].size, 0x9fc00);
	ck_assert_uint_eq(e[0].type, 1);
	ck_assert_uint_eq(e[1].type, 2);
	ck_assert_uint_eq(e[1].addr + e[1].size, 0x100000);
	ck_assert_uint_eq(e[2].addr, 0x100000);
	ck_assert_uint_eq(e[2].addr + e[2].size, 3ULL << 30);
	ck_assert_uint_eq(e[3].addr, 4ULL << 30);
	ck_assert_uint_eq(e[3].size, 2ULL << 30);
	/* A PCI ECAM window in the hole: reserved, in address order. */
	ck_assert_uint_eq(x86_e820_build(&m, 0xe0000000, 1 << 20, e, 8), 5);
	ck_assert_uint_eq(e[3].addr, 0xe0000000);
	ck_assert_uint_eq(e[3].size, 1 << 20);
	ck_assert_uint_eq(e[3].type, 2);
	ck_assert_uint_eq(e[4].addr, 4ULL << 30);
	ck_assert_uint_eq(e[4].type, 1);
	/* Above all RAM: last. */
	ck_assert_uint_eq(x86_e820_build(&m, 8ULL << 30, 1 << 20, e, 8), 5);
	ck_assert_uint_eq(e[4].addr, 8ULL << 30);
	ck_assert_uint_eq(e[4].type, 2);
	/* No room: the map is cut at max. */
	ck_assert_uint_eq(x86_e820_build(&m, 0xe0000000, 1 << 20, e, 4), 4);
}
END_TEST

START_TEST(cmdline_merge)
{
	char out[64];

	ck_assert_int_eq(config_merge_cmdline("console=ttyS0 reboot=k", NULL, out, 63), 22);
	ck_assert_str_eq(out, "console=ttyS0 reboot=k");
	ck_assert_int_gt(config_merge_cmdline("console=ttyS0 reboot=k", "quiet", out, 63), 0);
	ck_assert_str_eq(out, "console=ttyS0 reboot=k quiet");
	ck_assert_int_gt(config_merge_cmdline("console=ttyS0 reboot=k",
					      "console=hvc0 root=/dev/vda", out, 63), 0);
	ck_assert_str_eq(out, "reboot=k console=hvc0 root=/dev/vda");
	/* "consoleblank" is not "console". */
	ck_assert_int_gt(config_merge_cmdline("console=ttyS0", "consoleblank=0", out, 63), 0);
	ck_assert_str_eq(out, "console=ttyS0 consoleblank=0");
	ck_assert_int_eq(config_merge_cmdline("console=ttyS0", "0123456789", out, 20), -E2BIG);
	ck_assert_int_eq(config_merge_cmdline("", "0123456789", out, 10), 10);
	ck_assert_int_eq(config_merge_cmdline("", "0123456789a", out, 10), -E2BIG);
}
END_TEST

START_TEST(initrd_placement)
{
	uint64_t a;

	ck_assert_int_eq(loader_place_initrd(0x1800, 0x200000, 0x4000000, &a), 0);
	ck_assert_uint_eq(a, 0x4000000 - 0x2000);
	ck_assert_uint_eq(a & 0xfff, 0);
	ck_assert_int_eq(loader_place_initrd(0x4000000, 0x200000, 0x4000000, &a), -ENOSPC);
	ck_assert_int_eq(loader_place_initrd(0x5000000, 0x200000, 0x4000000, &a), -ENOSPC);
	ck_assert_int_eq(loader_place_initrd(0, 0x200000, 0x4000000, &a), -ENOSPC);
	ck_assert_int_eq(loader_place_initrd(UINT64_MAX, 0, 0x4000000, &a), -ENOSPC);
}
END_TEST

Suite *boot_suite(void)
{
	Suite *s = suite_create("boot");
	TCase *tc = tcase_create("x86");

	tcase_add_test(tc, bzimage_good);
	tcase_add_test(tc, bzimage_bad);
	tcase_add_test(tc, bzimage_every_prefix);
	tcase_add_test(tc, mptable_checksums);
	tcase_add_test(tc, mptable_pci_intx);
	tcase_add_test(tc, acpi_tables);
	tcase_add_test(tc, acpi_mcfg);
	tcase_add_test(tc, aml_pkglen);
	tcase_add_test(tc, acpi_dsdt_pci);
	tcase_add_test(tc, e820_map);
	tcase_add_test(tc, cmdline_merge);
	tcase_add_test(tc, initrd_placement);
	suite_add_tcase(s, tc);
	return s;
}
