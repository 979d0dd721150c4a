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
	size_t n = mptable_build(buf, sizeof(buf), 0x9fc00, 4, 0xfec00000);
	uint16_t len, count;
	uint32_t physptr;

	ck_assert_uint_eq(n, mptable_size(4));
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
	ck_assert_uint_eq(mptable_build(buf, 100, 0x9fc00, 4, 0xfec00000), 0);
	ck_assert_uint_eq(mptable_build(buf, sizeof(buf), 0x9fc00, 0, 0xfec00000), 0);
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

START_TEST(e820_map)
{
	static uint8_t ram[4096];
	struct boot_e820_entry e[8];
	struct guest_mem m;

	guest_mem_init_buffer(&m, ram, 5ULL << 30); /* never dereferenced */
	ck_assert_int_eq(guest_mem_add_region(&m, 0, 3ULL << 30), 0);
	ck_assert_int_eq(guest_mem_add_region(&m, 4ULL << 30, 2ULL << 30), 0);
	ck_assert_uint_eq(x86_e820_build(&m, e, 8), 4);
	ck_assert_uint_eq(e[0].addr, 0);
	ck_assert_uint_eq(e[0].size, 0x9fc00);
	ck_assert_uint_eq(e[0].type, 1);
	ck_assert_uint_eq(e[1].type, 2);
	ck_assert_uint_eq(e[1].addr + e[1].size, 0x100000);
	ck_assert_uint_eq(e[2].addr, 0x100000);
	ck_assert_uint_eq(e[2].addr + e[2].size, 3ULL << 30);
	ck_assert_uint_eq(e[3].addr, 4ULL << 30);
	ck_assert_uint_eq(e[3].size, 2ULL << 30);
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
	tcase_add_test(tc, acpi_tables);
	tcase_add_test(tc, e820_map);
	tcase_add_test(tc, cmdline_merge);
	tcase_add_test(tc, initrd_placement);
	suite_add_tcase(s, tc);
	return s;
}
