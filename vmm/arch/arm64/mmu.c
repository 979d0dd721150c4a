// SPDX-License-Identifier: GPL-2.0
/*
 * The AArch64 stage-1 table walker (mmu.h). The arithmetic follows ARM ARM
 * D8.2 (translation granule, initial lookup level, input address size)
 * and D8.3 (descriptor formats): with a granule of 2^g bytes a table holds
 * 2^(g-3) descriptors, so each level resolves g-3 bits of the address and
 * the walk starts at the level whose index takes what is left over.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "arch/arm64/mmu.h"

#define SCTLR_EE (1ull << 25) /* EL1&0 table walks are big-endian */

/* Bits hi..lo of x set in a mask (hi < 64). */
static uint64_t bits(unsigned int hi, unsigned int lo)
{
	return (~0ull >> (63 - hi)) & ~((1ull << lo) - 1);
}

/* log2 of the granule TG0 (hi: TG1) names; 0 for a reserved encoding. */
static unsigned int granule_shift(uint64_t tcr, bool hi)
{
	static const unsigned int tg0[4] = { 12, 16, 14, 0 };
	static const unsigned int tg1[4] = { 0, 14, 12, 16 };

	return hi ? tg1[(tcr >> 30) & 3] : tg0[(tcr >> 14) & 3];
}

/* The output address size TCR_EL1.IPS gives (D8.2.7); 52 only with 64K. */
static unsigned int pa_size(uint64_t tcr, unsigned int g)
{
	static const unsigned int ips[8] = { 32, 36, 40, 42, 44, 48, 52, 48 };
	unsigned int n = ips[(tcr >> 32) & 7];

	return n == 52 && g != 16 ? 48 : n;
}

/* Whether a block descriptor is allowed at this level (D8.3.1). */
static bool block_ok(unsigned int g, int level, unsigned int pa_bits)
{
	if (level == 2)
		return true;
	if (level == 1)
		return g == 12 || (g == 16 && pa_bits == 52);
	return false;
}

/* A descriptor's output address: bits 47:g, and 51:48 from 15:12 with
 * 64K pages and 52-bit addresses (FEAT_LPA). */
static uint64_t desc_addr(uint64_t d, unsigned int g, unsigned int pa_bits)
{
	uint64_t oa = d & bits(47, g);

	if (g == 16 && pa_bits == 52)
		oa |= ((d >> 12) & 0xf) << 48;
	return oa;
}

/* Whether va lies in its half: the bits above the region's size all
 * equal bit 55 (the top byte skipped when TBI says it is ignored). */
static bool va_in_range(uint64_t va, unsigned int ia, bool hi, bool tbi)
{
	unsigned int top = tbi ? 56 : 64;
	uint64_t upper, ones;

	if (ia >= top)
		return true;
	ones = (1ull << (top - ia)) - 1;
	upper = (va >> ia) & ones;
	return upper == (hi ? ones : 0);
}

/* The first table's address from a TTBR: BADDR, aligned down to the size
 * of a table of 2^nbits descriptors (at least 64 bytes). */
static uint64_t ttbr_base(uint64_t ttbr, unsigned int g, unsigned int pa_bits,
			  unsigned int nbits)
{
	uint64_t align = (8ull << nbits) < 64 ? 64 : 8ull << nbits;
	uint64_t base = ttbr & bits(47, 1);

	if (g == 16 && pa_bits == 52) /* BADDR[51:48] in TTBR bits 5:2 */
		base = (ttbr & bits(47, 6)) | ((ttbr >> 2) & 0xf) << 48;
	return base & ~(align - 1);
}

/* Reads the descriptor at gpa once, in the walk's byte order. */
static int read_desc(const struct guest_mem *m, gpa_t gpa, bool big,
		     uint64_t *d)
{
	const uint8_t *p = guest_mem_ptr(m, gpa, 8);
	uint64_t v = 0;

	if (!p)
		return -EFAULT;
	for (int i = 0; i < 8; i++)
		v |= (uint64_t)p[big ? i : 7 - i] << (8 * (7 - i));
	*d = v;
	return 0;
}

int arm64_mmu_translate(const struct guest_mem *m,
			const struct arm64_mmu_regs *r, uint64_t va, gpa_t *pa)
{
	bool hi = (va >> 55) & 1, big = r->sctlr & SCTLR_EE;
	uint64_t tcr = r->tcr, base, d, out;
	unsigned int g, s, tsz, ia, pa_bits, levels, nbits;
	int level, start;

	if (!(r->sctlr & ARM64_SCTLR_M)) {
		*pa = va;
		return 0;
	}
	if (tcr & ARM64_TCR_DS)
		return -EOPNOTSUPP;
	g = granule_shift(tcr, hi);
	if (!g)
		return -EOPNOTSUPP;
	tsz = hi ? (tcr >> 16) & 63 : tcr & 63;
	/* 16..48 (FEAT_TTST at the top); 12 only with 64K pages (FEAT_LVA) */
	if (tsz > 48 || tsz < (g == 16 ? 12u : 16u))
		return -EFAULT;
	ia = 64 - tsz;
	if (!va_in_range(va, ia, hi, tcr & (hi ? ARM64_TCR_TBI1 : ARM64_TCR_TBI0)))
		return -EFAULT;
	if (tcr & (hi ? ARM64_TCR_EPD1 : ARM64_TCR_EPD0))
		return -EFAULT;
	pa_bits = pa_size(tcr, g);
	s = g - 3;
	levels = (ia - g + s - 1) / s; /* 1 to 4 with the sizes above */
	start = 4 - (int)levels;
	nbits = ia - (g + s * (unsigned int)(3 - start));
	base = ttbr_base(hi ? r->ttbr1 : r->ttbr0, g, pa_bits, nbits);
	/* One descriptor per level, at most four: the walk cannot loop. */
	for (level = start; level <= 3; level++) {
		unsigned int shift = g + s * (unsigned int)(3 - level);
		uint64_t idx;

		if (base >> pa_bits)
			return -EFAULT;
		idx = (va >> shift) & ((1ull << (level == start ? nbits : s)) - 1);
		if (read_desc(m, base + idx * 8, big, &d))
			return -EFAULT;
		if (!(d & ARM64_PTE_VALID))
			return -EFAULT;
		if ((d & 3) == ARM64_PTE_TABLE && level < 3) {
			base = desc_addr(d, g, pa_bits);
			continue;
		}
		if (level == 3 ? (d & 3) != ARM64_PTE_TABLE
			       : !block_ok(g, level, pa_bits))
			return -EFAULT;
		out = (desc_addr(d, g, pa_bits) & ~((1ull << shift) - 1)) |
		      (va & ((1ull << shift) - 1));
		if (out >> pa_bits)
			return -EFAULT;
		*pa = out;
		return 0;
	}
	return -EFAULT; /* not reached: level 3 returns */
}
