// SPDX-License-Identifier: GPL-2.0
/*
 * The AArch64 stage-1 walker (vmm/arch/arm64/mmu.c) on synthetic tables
 * in a fake guest RAM: every granule, blocks at each level that allows
 * them, both halves of the address space, walks that must fault, and
 * tables that loop or hold garbage. Runs on every host.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/mmu.h"
#include "../suites.h"

#define RAM 0x80000000ull
#define RAM_SIZE (16ull << 20)
#define TBL(n) (RAM + (uint64_t)(n) * 0x10000) /* 64K-aligned table n */
#define DATA (RAM + (8ull << 20))             /* where mappings point */
#define PAGE 3ull                              /* page or table */
#define BLOCK 1ull

static uint8_t *ram;
static struct guest_mem mem;

static void setup(void)
{
	ram = calloc(1, RAM_SIZE);
	ck_assert_ptr_nonnull(ram);
	guest_mem_init_buffer(&mem, ram, RAM_SIZE);
	ck_assert_int_eq(guest_mem_add_region(&mem, RAM, RAM_SIZE), 0);
}

static void teardown(void)
{
	free(ram);
	ram = NULL;
}

/* Writes descriptor index idx of the table at gpa, little-endian. */
static void put(uint64_t table, unsigned int idx, uint64_t d)
{
	uint8_t *p = ram + (table - RAM) + idx * 8ull;

	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(d >> (8 * i));
}

/* Translates va, expecting pa; the message names va. */
static void want(const struct arm64_mmu_regs *r, uint64_t va, uint64_t pa)
{
	gpa_t got = 0;
	int e = arm64_mmu_translate(&mem, r, va, &got);

	ck_assert_msg(e == 0 && got == pa, "va 0x%llx: %d, pa 0x%llx, want 0x%llx",
		      (unsigned long long)va, e, (unsigned long long)got,
		      (unsigned long long)pa);
}

static void want_err(const struct arm64_mmu_regs *r, uint64_t va, int err)
{
	gpa_t got = 0x1234;
	int e = arm64_mmu_translate(&mem, r, va, &got);

	ck_assert_msg(e == err, "va 0x%llx: %d (pa 0x%llx), want %d",
		      (unsigned long long)va, e, (unsigned long long)got, err);
	ck_assert_uint_eq(got, 0x1234); /* untouched on error */
}

START_TEST(mmu_off_is_identity)
{
	struct arm64_mmu_regs r = { .sctlr = 0, .tcr = ~0ull, .ttbr0 = 1 };

	want(&r, 0x80001234, 0x80001234);
	want(&r, 0xffff000012345678ull, 0xffff000012345678ull);
}
END_TEST

/* 4K granule, 39-bit (T0SZ 25): walk starts at level 1. */
START_TEST(granule_4k_three_levels)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M,
		.tcr = ARM64_TCR_T0SZ(25) | ARM64_TCR_TG0_4K | ARM64_TCR_IPS(5) |
		       ARM64_TCR_EPD1,
		.ttbr0 = TBL(0) | (5ull << 48), /* an ASID: not an address */
	};

	put(TBL(0), 2, TBL(1) | PAGE);      /* 2 GiB.. -> L2 */
	put(TBL(1), 0, TBL(2) | PAGE);      /* -> L3 */
	put(TBL(2), 1, (DATA + 0x5000) | PAGE | (1ull << 10) | (3ull << 53));
	put(TBL(1), 3, (DATA & ~0x1fffffull) | BLOCK | (1ull << 52)); /* 2M */
	put(TBL(0), 0, 0x40000000ull | BLOCK); /* 1G at 0 -> 1G */
	want(&r, 0x80001abc, DATA + 0x5abc);
	want(&r, 0x80001fff, DATA + 0x5fff);
	want(&r, 0x80600000 + 0x12345, (DATA & ~0x1fffffull) + 0x12345);
	want(&r, 0x3fffffff, 0x7fffffff);
	want_err(&r, 0x80002000, -EFAULT);  /* L3 entry 2 invalid */
	want_err(&r, 0x80200000, -EFAULT);  /* L2 entry 1 invalid */
	want_err(&r, 0xc0000000, -EFAULT);  /* L1 entry 3 invalid */
	want_err(&r, 1ull << 39, -EFAULT);  /* beyond 39 bits */
	/* a block descriptor type (01) at level 3 is invalid */
	put(TBL(2), 4, DATA | BLOCK);
	want_err(&r, 0x80004000, -EFAULT);
}
END_TEST

/* 4K granule, 48-bit: four levels; level 0 holds no blocks. */
START_TEST(granule_4k_four_levels)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M,
		.tcr = ARM64_TCR_T0SZ(16) | ARM64_TCR_TG0_4K | ARM64_TCR_IPS(5),
		.ttbr0 = TBL(0),
	};
	uint64_t va = 0x0000123456789abcull;

	put(TBL(0), (va >> 39) & 511, TBL(1) | PAGE);
	put(TBL(1), (va >> 30) & 511, TBL(2) | PAGE);
	put(TBL(2), (va >> 21) & 511, TBL(3) | PAGE);
	put(TBL(3), (va >> 12) & 511, DATA | PAGE);
	want(&r, va, DATA + 0xabc);
	put(TBL(0), 0, DATA | BLOCK);
	want_err(&r, 0x1000, -EFAULT);
}
END_TEST

/* 16K granule, 48-bit: level 0 resolves one bit; 32M blocks at level 2. */
START_TEST(granule_16k)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M,
		.tcr = ARM64_TCR_T0SZ(16) | ARM64_TCR_TG0_16K | ARM64_TCR_IPS(5),
		.ttbr0 = TBL(0),
	};
	uint64_t va = 0x0000876543217654ull;

	put(TBL(0), 1, TBL(1) | PAGE);
	put(TBL(1), (va >> 36) & 2047, TBL(2) | PAGE);
	put(TBL(2), (va >> 25) & 2047, TBL(3) | PAGE);
	put(TBL(3), (va >> 14) & 2047, DATA | PAGE);
	want(&r, va, DATA + (va & 0x3fff));
	put(TBL(2), 5, 0x42000000ull | BLOCK);
	want(&r, (va & ~((1ull << 36) - 1)) | (5ull << 25) | 0x1234567,
	     0x42000000ull + 0x1234567);
	/* no blocks at level 1 with 16K pages (without FEAT_LPA2) */
	put(TBL(1), 7, 0x1000000000ull | BLOCK);
	want_err(&r, 0x0000800000000000ull | (7ull << 36), -EFAULT);
}
END_TEST

/* 64K granule, 42-bit (two levels), 512M blocks; 52-bit addresses. */
START_TEST(granule_64k)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M,
		.tcr = ARM64_TCR_T0SZ(22) | ARM64_TCR_TG0_64K | ARM64_TCR_IPS(5),
		.ttbr0 = TBL(0),
	};

	put(TBL(0), 3, TBL(1) | PAGE);
	put(TBL(1), 7, DATA | PAGE);
	want(&r, (3ull << 29) | (7ull << 16) | 0xfedc, DATA + 0xfedc);
	put(TBL(0), 4, 0x60000000ull | BLOCK);
	want(&r, (4ull << 29) | 0x1abcdef0, 0x60000000ull + 0x1abcdef0);
	/* IPS 52: bits 51:48 of a page's address in descriptor bits 15:12 */
	r.tcr = (r.tcr & ~ARM64_TCR_IPS(7)) | ARM64_TCR_IPS(6);
	put(TBL(1), 8, DATA | (0xaull << 12) | PAGE);
	want(&r, (3ull << 29) | (8ull << 16) | 0x10, 0xa000000000000ull | DATA | 0x10);
	/* ...and the same descriptor with a 48-bit IPS is above the output size */
	r.tcr = (r.tcr & ~ARM64_TCR_IPS(7)) | ARM64_TCR_IPS(5);
	want(&r, (3ull << 29) | (8ull << 16) | 0x10, DATA | 0x10);
	/* 52-bit VA (T0SZ 12, FEAT_LVA): three levels from level 1 */
	r.tcr = ARM64_TCR_T0SZ(12) | ARM64_TCR_TG0_64K | ARM64_TCR_IPS(6);
	memset(ram, 0, 0x30000);
	put(TBL(0), 0x3ff, TBL(1) | PAGE);
	put(TBL(1), 0, TBL(2) | PAGE);
	put(TBL(2), 1, DATA | PAGE);
	want(&r, (0x3ffull << 42) | 0x10042, DATA | 0x42);
	/* T0SZ 12 with 4K pages is LPA2's: out of range here */
	r.tcr = ARM64_TCR_T0SZ(12) | ARM64_TCR_TG0_4K | ARM64_TCR_IPS(6);
	want_err(&r, 0x1000, -EFAULT);
}
END_TEST

/* TTBR1: its own size and granule; the gap between the halves faults. */
START_TEST(both_halves)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M,
		.tcr = ARM64_TCR_T0SZ(25) | ARM64_TCR_TG0_4K |
		       ARM64_TCR_T1SZ(16) | ARM64_TCR_TG1_64K | ARM64_TCR_IPS(5),
		.ttbr0 = TBL(0),
		.ttbr1 = TBL(4),
	};
	uint64_t hi = 0xffff800000000000ull | (0x1full << 29) | (0x22ull << 16);

	put(TBL(0), 2, 0x80000000ull | BLOCK);
	put(TBL(4), (hi >> 42) & 63, TBL(5) | PAGE); /* level 1: 6 bits */
	put(TBL(5), (hi >> 29) & 8191, TBL(6) | PAGE);
	put(TBL(6), (hi >> 16) & 8191, DATA | PAGE);
	want(&r, 0x80000010, 0x80000010);
	want(&r, hi | 0x123, DATA + 0x123);
	want_err(&r, 0x0000800000000000ull, -EFAULT); /* neither half */
	want_err(&r, 0xff00800000000000ull, -EFAULT);
	want_err(&r, hi ^ (1ull << 60), -EFAULT);     /* tag without TBI1 */
	r.tcr |= ARM64_TCR_TBI1;
	want(&r, (hi ^ (0x5aull << 56)) | 0x123, DATA + 0x123);
	want_err(&r, (hi & ~(1ull << 50)) | 0x123, -EFAULT); /* not a top-byte bit */
	r.tcr |= ARM64_TCR_EPD1;
	want_err(&r, hi, -EFAULT);
	want(&r, 0x80000010, 0x80000010);
	r.tcr |= ARM64_TCR_EPD0;
	want_err(&r, 0x80000010, -EFAULT);
}
END_TEST

/* TTBR1 with 4K pages and 16K ones (TG1 numbers them unlike TG0). */
START_TEST(high_half_4k_16k)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M,
		.tcr = ARM64_TCR_T1SZ(25) | ARM64_TCR_TG1_4K | ARM64_TCR_IPS(5) |
		       ARM64_TCR_EPD0,
		.ttbr1 = TBL(0),
	};
	uint64_t va = 0xffffffffc0201000ull; /* the guests' alias: L1 511, L2 1, L3 1 */

	put(TBL(0), 511, TBL(1) | PAGE);
	put(TBL(1), 1, TBL(2) | PAGE);
	put(TBL(2), 1, DATA | PAGE);
	want(&r, va + 0x24, DATA + 0x24);
	want_err(&r, va + 0x1000, -EFAULT);
	want_err(&r, 0xffffff7fc0201000ull, -EFAULT); /* below 2^64 - 2^39 */
	want_err(&r, 0x80000000, -EFAULT);            /* EPD0 */
	/* 16K, 36 bits (T1SZ 28): two levels, 11 bits each below 14 */
	r.tcr = ARM64_TCR_T1SZ(28) | ARM64_TCR_TG1_16K | ARM64_TCR_IPS(5);
	memset(ram, 0, 0x30000);
	put(TBL(0), 0x7ff, TBL(1) | PAGE);
	put(TBL(1), 0x7fe, DATA | PAGE);
	want(&r, 0xffffffffffff8123ull, DATA + 0x0123);
}
END_TEST

/* Tables outside RAM, addresses above IPS, unmodelled configurations. */
START_TEST(faults)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M,
		.tcr = ARM64_TCR_T0SZ(25) | ARM64_TCR_TG0_4K | ARM64_TCR_IPS(5),
		.ttbr0 = 0x1000, /* no RAM there */
	};

	want_err(&r, 0x1000, -EFAULT);
	r.ttbr0 = RAM + RAM_SIZE - 4096;    /* the last page: its entries are RAM */
	put(r.ttbr0, 511, 0x7ffff000ull | PAGE); /* a table outside RAM */
	want_err(&r, 511ull << 30, -EFAULT);
	r.ttbr0 = TBL(0);
	put(TBL(0), 1, (1ull << 40) | BLOCK); /* a block above a 32-bit IPS */
	want(&r, 1ull << 30, 1ull << 40);
	r.tcr = (r.tcr & ~ARM64_TCR_IPS(7)) | ARM64_TCR_IPS(0);
	want_err(&r, 1ull << 30, -EFAULT);
	r.tcr = ARM64_TCR_T0SZ(25) | (3ull << 14); /* TG0 reserved */
	want_err(&r, 0, -EOPNOTSUPP);
	r.tcr = ARM64_TCR_T0SZ(25) | ARM64_TCR_DS;
	want_err(&r, 0, -EOPNOTSUPP);
	r.tcr = ARM64_TCR_T0SZ(49) | ARM64_TCR_TG0_4K; /* size out of range */
	want_err(&r, 0, -EFAULT);
	r.tcr = ARM64_TCR_T0SZ(15) | ARM64_TCR_TG0_4K;
	want_err(&r, 0, -EFAULT);
}
END_TEST

/* SCTLR_EL1.EE: descriptors are big-endian. */
START_TEST(big_endian_walk)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M | (1ull << 25),
		.tcr = ARM64_TCR_T0SZ(25) | ARM64_TCR_TG0_4K | ARM64_TCR_IPS(5),
		.ttbr0 = TBL(0),
	};
	uint64_t d = 0x40000000ull | BLOCK;

	for (int i = 0; i < 8; i++)
		ram[8 + i] = (uint8_t)(d >> (8 * (7 - i)));
	want(&r, 0x40000123, 0x40000123);
	r.sctlr &= ~(1ull << 25);
	want_err(&r, 0x40000123, -EFAULT); /* read little-endian: garbage */
}
END_TEST

/* A table that names itself at every level, and tables of random bytes:
 * every walk ends (at most one descriptor per level) without a crash. */
START_TEST(loop_and_garbage)
{
	struct arm64_mmu_regs r = {
		.sctlr = ARM64_SCTLR_M,
		.tcr = ARM64_TCR_T0SZ(16) | ARM64_TCR_TG0_4K | ARM64_TCR_IPS(5),
		.ttbr0 = TBL(0),
	};
	unsigned int ok = 0;
	gpa_t pa;

	for (unsigned int i = 0; i < 512; i++)
		put(TBL(0), i, TBL(0) | PAGE);
	/* the recursive mapping: four steps through the table, then a page */
	want(&r, 0x0000123456789abcull, TBL(0) + 0xabc);
	srandom(13);
	for (size_t i = 0; i < 4 * 0x10000; i++)
		ram[i] = (uint8_t)random();
	for (unsigned int n = 0; n < 20000; n++) {
		uint64_t va = (((uint64_t)random() << 17) ^ (uint64_t)random()) >>
			      (random() % 32);
		int e;

		if (random() & 1)
			va = ~va; /* the high half */

		r.tcr = (uint64_t)random() << 32 | (uint64_t)random();
		r.tcr &= ~ARM64_TCR_DS;
		r.ttbr0 = TBL(random() % 4) + ((uint64_t)random() & 0xff8);
		r.ttbr1 = r.ttbr0;
		e = arm64_mmu_translate(&mem, &r, va, &pa);
		ck_assert(e == 0 || e == -EFAULT || e == -EOPNOTSUPP);
		ok += e == 0;
	}
	ck_assert_uint_gt(ok, 0); /* some random walks do end in a mapping */
}
END_TEST

Suite *arm64_mmu_suite(void)
{
	Suite *s = suite_create("arm64_mmu");
	TCase *tc = tcase_create("walk");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mmu_off_is_identity);
	tcase_add_test(tc, granule_4k_three_levels);
	tcase_add_test(tc, granule_4k_four_levels);
	tcase_add_test(tc, granule_16k);
	tcase_add_test(tc, granule_64k);
	tcase_add_test(tc, both_halves);
	tcase_add_test(tc, high_half_4k_16k);
	tcase_add_test(tc, faults);
	tcase_add_test(tc, big_endian_walk);
	tcase_add_test(tc, loop_and_garbage);
	suite_add_tcase(s, tc);
	return s;
}
