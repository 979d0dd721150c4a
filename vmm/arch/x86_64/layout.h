/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The x86_64 guest-physical map. Low memory holds the monitor's boot data;
 * guests load at 1 MiB or above. RAM beyond 3 GiB is moved above 4 GiB so
 * the 32-bit MMIO hole (IOAPIC, LAPIC, virtio-mmio) stays free.
 *
 *   0x0000_0500  GDT (null, code64, __BOOT_CS code64, __BOOT_DS data, TSS,
 *                code32 for PVH)
 *   0x0000_6000  PVH hvm_start_info, module list and memory map
 *   0x0000_7000  zero page (Linux boot_params); RSI points here at entry
 *   0x0000_9000  PML4, 0xa000 PDPT, 0xb000-0xefff four page directories
 *   0x0002_0000  kernel command line (up to 64 KiB)
 *   0x0003_0000  setup_data chain (the device tree), up to 0x9fc00
 *   0x0009_fc00  MP table (e820-reserved up to 1 MiB)
 *   0x0010_0000  first address a guest image may use; bzImage load address
 *   0xc000_0000  start of the MMIO hole (up to 4 GiB)
 *   0xd000_0000  virtio-mmio slots, 0x200 bytes each
 *   0xfec0_0000  IOAPIC          0xfee0_0000  LAPIC
 *   0xfffb_c000  KVM identity map page, 0xfffb_d000 KVM TSS (3 pages)
 */
#ifndef TESSERA_X86_LAYOUT_H
#define TESSERA_X86_LAYOUT_H

#define X86_GDT_ADDR 0x500ULL
#define X86_ZERO_PAGE_ADDR 0x7000ULL
#define X86_PML4_ADDR 0x9000ULL
#define X86_PDPT_ADDR 0xa000ULL
#define X86_PD_ADDR 0xb000ULL /* four pages: 4 GiB in 2 MiB pages */
#define X86_BOOT_RESERVED_END 0x100000ULL
#define X86_BOOT_STACK_TOP 0x8ff0ULL

#define X86_MMIO_HOLE_START 0xc0000000ULL
#define X86_VIRTIO_MMIO_BASE 0xd0000000ULL /* 0x200-byte virtio-mmio slots */
#define X86_MMIO_HOLE_END 0x100000000ULL
#define X86_IOAPIC_ADDR 0xfec00000ULL
#define X86_LAPIC_ADDR 0xfee00000ULL
#define X86_IDENTITY_MAP_ADDR 0xfffbc000ULL
#define X86_TSS_ADDR 0xfffbd000ULL

#define X86_CMDLINE_ADDR 0x20000ULL
#define X86_CMDLINE_MAX 0x10000ULL
#define X86_SETUP_DATA_ADDR 0x30000ULL
#define X86_EBDA_START 0x9fc00ULL
#define X86_MPTABLE_ADDR X86_EBDA_START

/* GDT selectors: Linux's 64-bit boot protocol wants CS 0x10 and DS 0x18. */
#define X86_SEL_CODE64_ALT 0x08
#define X86_SEL_CODE64 0x10
#define X86_SEL_DATA 0x18
#define X86_SEL_TSS 0x20
#define X86_SEL_CODE32 0x30 /* PVH entry */

#endif
