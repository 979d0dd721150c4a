/* SPDX-License-Identifier: GPL-2.0 */
/* x86 debug registers as the gdb code and the host probe program them. */
#ifndef TESSERA_X86_DEBUGREG_H
#define TESSERA_X86_DEBUGREG_H

#include <stdint.h>

#include "gdb/arch_gdb.h"

#define X86_DR7_GE (1u << 9)
#define X86_DR7_FIXED (1u << 10)
#define X86_DR6_BS (1u << 14)
#define X86_DB_VECTOR 1
#define X86_BP_VECTOR 3

/* DR7 R/W and LEN encodings (SDM vol. 3, 18.2.4). */
static inline uint32_t x86_dr7_bits(const struct gdb_hw_slot *s,
				    unsigned int n)
{
	uint32_t rw = s->type == GDB_WP_WRITE ? 1 : s->type == GDB_WP_ACCESS ? 3 : 0;
	uint32_t len = 0;

	if (rw) {
		switch (s->len) {
		case 2: len = 1; break;
		case 4: len = 3; break;
		case 8: len = 2; break;
		default: len = 0; break;
		}
	}
	return (2u << (n * 2)) | (rw << (16 + n * 4)) | (len << (18 + n * 4));
}

#endif
