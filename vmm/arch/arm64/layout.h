/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arm64 guest-physical map: QEMU virt's low layout below RAM (so that
 * people who know that board find the GIC and the UART where they expect
 * them), RAM from 2 GiB (where kvmtool and Firecracker start it, and where
 * the freestanding guests are linked: guests/common/arm64/guest.ld).
 *
 *   0x0800_0000  GICv3 distributor (64 KiB)
 *   0x080a_0000  GICv3 redistributors, 128 KiB (RD + SGI frame) per vCPU
 *   0x0900_0000  16550A UART (8 byte-wide registers), SPI 1, level
 *   0x0901_0000  debug-exit register (32 bits; "tessera,debug-exit")
 *   0x0a00_0000  MMIO window for virtio-mmio (1 MiB), SPIs 16-47, edge
 *   0x8000_0000  RAM; a Linux Image at RAM + text_offset; the DTB in the
 *                last 2 MiB-aligned 2 MiB of RAM, the initrd below it
 */
#ifndef TESSERA_ARM64_LAYOUT_H
#define TESSERA_ARM64_LAYOUT_H

#define ARM64_GIC_DIST_BASE 0x08000000ULL
#define ARM64_GIC_DIST_SIZE 0x10000ULL      /* KVM_VGIC_V3_DIST_SIZE */
#define ARM64_GIC_REDIST_BASE 0x080a0000ULL
#define ARM64_GIC_REDIST_FRAME 0x20000ULL   /* KVM_VGIC_V3_REDIST_SIZE */
#define ARM64_GIC_REDIST_END 0x09000000ULL  /* room for 120 vCPUs */
/* 32 private interrupts (SGIs, PPIs) and 96 SPIs: a multiple of 32. */
#define ARM64_GIC_NR_IRQS 128u
#define ARM64_GIC_NR_SPIS (ARM64_GIC_NR_IRQS - 32u)

#define ARM64_UART_BASE 0x09000000ULL
#define ARM64_UART_SPI 1u
#define ARM64_DEBUG_EXIT_BASE 0x09010000ULL
#define ARM64_DEBUG_EXIT_SIZE 4ULL
#define ARM64_VIRTIO_MMIO_BASE 0x0a000000ULL
#define ARM64_VIRTIO_MMIO_SIZE 0x100000ULL
#define ARM64_DEVICE_SPI_FIRST 16u
#define ARM64_DEVICE_SPI_COUNT 32u

#define ARM64_RAM_BASE 0x80000000ULL
#define ARM64_SZ_2M 0x200000ULL
/* Linux (booting.rst): the DTB is at most 2 MiB, 8-byte aligned, in RAM. */
#define ARM64_DTB_AREA ARM64_SZ_2M
/* COMMAND_LINE_SIZE in arch/arm64/include/uapi/asm/setup.h */
#define ARM64_CMDLINE_MAX 2048u

/* The architected timer's PPIs as the DT numbers them (PPI n = INTID 16 + n). */
#define ARM64_PPI_TIMER_SEC 13u
#define ARM64_PPI_TIMER_PHYS 14u
#define ARM64_PPI_TIMER_VIRT 11u
#define ARM64_PPI_TIMER_HYP 10u

#endif
