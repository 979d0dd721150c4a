/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A pure AArch64 stage-1 translation table walker (EL1&0 regime, VMSAv8-64,
 * ARM ARM D8): what the gdb stub needs to turn a guest virtual address into
 * a guest physical one, since arm64 KVM has no KVM_TRANSLATE. No KVM in
 * here: the caller reads SCTLR_EL1, TCR_EL1, TTBR0_EL1 and TTBR1_EL1
 * (vmm/arch/arm64/gdb.c) and every descriptor is read through
 * guest_mem_ptr(). Unit-tested on every host (tests/unit/arm64/test_arm64_mmu.c).
 */
#ifndef TESSERA_ARM64_MMU_H
#define TESSERA_ARM64_MMU_H

#include <stdint.h>

#include "mem.h"

/* The registers that decide a stage-1 EL1&0 translation. */
struct arm64_mmu_regs {
	uint64_t sctlr; /* SCTLR_EL1: M (bit 0) on or off */
	uint64_t tcr;   /* TCR_EL1 */
	uint64_t ttbr0; /* TTBR0_EL1: the low half of the address space */
	uint64_t ttbr1; /* TTBR1_EL1: the high half */
};

/* SCTLR_EL1 and TCR_EL1 fields the walker reads (ARM ARM D17.2). */
#define ARM64_SCTLR_M (1ull << 0)
#define ARM64_TCR_T0SZ(x) ((uint64_t)(x) << 0)
#define ARM64_TCR_EPD0 (1ull << 7)
#define ARM64_TCR_TG0_4K (0ull << 14)
#define ARM64_TCR_TG0_64K (1ull << 14)
#define ARM64_TCR_TG0_16K (2ull << 14)
#define ARM64_TCR_T1SZ(x) ((uint64_t)(x) << 16)
#define ARM64_TCR_EPD1 (1ull << 23)
#define ARM64_TCR_TG1_16K (1ull << 30)
#define ARM64_TCR_TG1_4K (2ull << 30)
#define ARM64_TCR_TG1_64K (3ull << 30)
#define ARM64_TCR_IPS(x) ((uint64_t)(x) << 32) /* 0: 32 bits ... 5: 48, 6: 52 */
#define ARM64_TCR_TBI0 (1ull << 37)
#define ARM64_TCR_TBI1 (1ull << 38)
#define ARM64_TCR_DS (1ull << 59) /* FEAT_LPA2: 52 bits with 4K/16K */

/* Descriptor bits [1:0] (D8.3): invalid, block, table or page. */
#define ARM64_PTE_VALID 1ull
#define ARM64_PTE_TABLE 3ull /* a table below level 3, a page at level 3 */
#define ARM64_PTE_BLOCK 1ull

/*
 * Translates va with the given registers: with SCTLR_EL1.M clear, va
 * itself (physical = virtual); else a walk of the tables TTBR0_EL1 or
 * TTBR1_EL1 names (bit 55 chooses; the bits above the region's size must
 * all equal it, but for the top byte when TBI0/TBI1 says it is ignored),
 * with that half's granule (TG0/TG1: 4K, 16K, 64K), size (T0SZ/T1SZ, 16 to
 * 48: 1 to 4 levels), walk disable (EPD0/EPD1) and output size (IPS; 52
 * bits with 64K pages, FEAT_LPA, whose descriptors hold bits 51:48 in
 * 15:12). Block and page descriptors; access permissions, attributes and
 * the contiguous hint do not change the address and are not checked. At
 * most four descriptor reads, each through guest_mem_ptr(m, ...), read
 * once. Returns 0 with *pa set; -EFAULT for what the MMU would fault on
 * (no mapping, a descriptor outside RAM, a walk disabled, an address out
 * of range or above the output size); -EOPNOTSUPP for a configuration
 * the walker does not model (FEAT_LPA2, TCR_EL1.DS). Any thread.
 */
int arm64_mmu_translate(const struct guest_mem *m,
			const struct arm64_mmu_regs *r, uint64_t va, gpa_t *pa);

#endif
