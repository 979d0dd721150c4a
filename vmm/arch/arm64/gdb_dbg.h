/* SPDX-License-Identifier: GPL-2.0 */
/*
 * AArch64 self-hosted debug, the pure part of the gdb stub's arm64 hooks
 * (vmm/arch/arm64/gdb.c): the DBGBCR/DBGWCR control values KVM_SET_GUEST_DEBUG
 * takes, and the decoding of a KVM_EXIT_DEBUG's syndrome (ESR_ELx). Header
 * only, so the unit suites test it on every host (test_arm64_pure.c).
 * References: ARM ARM D13.3.2 (DBGBCR), D13.3.11 (DBGWCR), D17.2.37 (ESR EC).
 */
#ifndef TESSERA_ARM64_GDB_DBG_H
#define TESSERA_ARM64_GDB_DBG_H

#include <stdint.h>
#include <string.h>

#include "gdb/arch_gdb.h"

#define ARM64_DBG_MAX 16 /* KVM_ARM_MAX_DBG_REGS */

/* ESR_ELx.EC of the debug exceptions (from a lower EL: the guest). */
#define ARM64_EC_BKPT_LOW 0x30u
#define ARM64_EC_BKPT_CUR 0x31u
#define ARM64_EC_SSTEP_LOW 0x32u
#define ARM64_EC_SSTEP_CUR 0x33u
#define ARM64_EC_WATCH_LOW 0x34u
#define ARM64_EC_WATCH_CUR 0x35u
#define ARM64_EC_BRK64 0x3cu

/* DBGBCR: E (bit 0), PMC = 0b11 (EL1 and EL0, bits 2:1), BAS = 0b1111
 * (bits 8:5: the whole A64 instruction), address match (BT = 0). */
static inline uint64_t arm64_dbg_bcr(void)
{
	return 1u | (3u << 1) | (0xfu << 5);
}

/*
 * DBGWCR for a watchpoint of len bytes at addr, all in one aligned
 * doubleword (BAS, bits 12:5, selects its bytes; the value register
 * *wvr holds the doubleword's address): E, PAC = 0b11 (EL1 and EL0),
 * LSC (bits 4:3) = 0b01 load, 0b10 store, 0b11 both. 0 when one
 * register pair cannot hold it (len 0 or over 8, crosses a doubleword,
 * not a watchpoint type).
 */
static inline uint64_t arm64_dbg_wcr(enum gdb_bp_type type, uint64_t addr,
				     uint64_t len, uint64_t *wvr)
{
	uint64_t lsc, off = addr & 7;

	switch (type) {
	case GDB_WP_READ: lsc = 1; break;
	case GDB_WP_WRITE: lsc = 2; break;
	case GDB_WP_ACCESS: lsc = 3; break;
	default: return 0;
	}
	if (len == 0 || len > 8 || off + len > 8)
		return 0;
	*wvr = addr & ~7ULL;
	return 1u | (3u << 1) | (lsc << 3) | ((((1u << len) - 1) << off) << 5);
}

/*
 * A KVM_EXIT_DEBUG's syndrome and fault address, decoded: a step, a BRK,
 * a hardware breakpoint or a watchpoint on far. arm64's exit carries no
 * pc: need_pc asks the stub to read it.
 */
static inline void arm64_dbg_decode(uint32_t esr, uint64_t far,
				    struct gdb_debug_exit *e)
{
	memset(e, 0, sizeof(*e));
	e->need_pc = true;
	switch (esr >> 26) {
	case ARM64_EC_SSTEP_LOW:
	case ARM64_EC_SSTEP_CUR:
		e->step = true;
		break;
	case ARM64_EC_BRK64:
		e->sw_bp = true;
		break;
	case ARM64_EC_BKPT_LOW:
	case ARM64_EC_BKPT_CUR:
		e->hw_bp = true;
		break;
	case ARM64_EC_WATCH_LOW:
	case ARM64_EC_WATCH_CUR:
		e->hw_watch = true;
		e->data_addr = far;
		break;
	default:
		break;
	}
}

/*
 * gdb's register regno (x0-x30, sp, pc, cpsr, v0-v31, fpsr, fpcr) as
 * KVM_GET/SET_ONE_REG names it and its size in gdb's 'g' block. 0, or
 * -ENOENT. In gdb.c (it needs arm64's struct kvm_regs).
 */
int arm64_gdb_reg(unsigned int regno, uint64_t *id, unsigned int *size);

#endif
