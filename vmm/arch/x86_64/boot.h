/* SPDX-License-Identifier: GPL-2.0 */
/* x86_64 boot structures: the Linux zero page and its e820 map. */
#ifndef TESSERA_X86_BOOT_H
#define TESSERA_X86_BOOT_H

#include <asm/bootparam.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

/*
 * Builds the e820 map of guest RAM: low memory up to the EBDA, the EBDA and
 * BIOS area reserved up to 1 MiB, then each RAM region, and, when
 * ecam_size is not 0, the PCI ECAM window [ecam_base, + ecam_size)
 * reserved in address order (Linux checks MCFG's window against it).
 * Returns the number of entries (at most max). Pure; unit-tested.
 */
size_t x86_e820_build(const struct guest_mem *m, uint64_t ecam_base,
		      uint64_t ecam_size, struct boot_e820_entry *e, size_t max);

/*
 * Fills a flat 4 GiB segment: 64-bit code (L=1) when code, else data or
 * 32-bit code (D/B=1). For the boot vCPU and the gdb stub's probe VMs.
 */
void x86_flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type,
		      bool code);

#endif
