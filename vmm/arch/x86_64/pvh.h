/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PVH boot ABI (xen/include/public/arch-x86/hvm/start_info.h, which
 * Linux implements in arch/x86/platform/pvh): a vmlinux carrying the ELF
 * note XEN_ELFNOTE_PHYS32_ENTRY is entered in 32-bit protected mode,
 * paging off, at that address, with EBX pointing to an hvm_start_info.
 */
#ifndef TESSERA_X86_PVH_H
#define TESSERA_X86_PVH_H

#include <stdint.h>

#define PVH_NOTE_NAME "Xen"
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC 0x336ec578
#define HVM_START_INFO_ADDR 0x6000ULL /* start_info, modules, memory map */

struct hvm_start_info {
	uint32_t magic;
	uint32_t version; /* 1: memmap fields valid */
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
} __attribute__((packed));

struct hvm_modlist_entry {
	uint64_t paddr, size, cmdline_paddr, reserved;
} __attribute__((packed));

struct hvm_memmap_entry {
	uint64_t addr, size;
	uint32_t type, reserved;
} __attribute__((packed));

#endif
