/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure parts of the arm64 port: Image header parsing and placement,
 * vCPU numbering (MPIDR), the KVM_IRQ_LINE encoding and the device-tree
 * model of the vGICv3, the timer and PSCI. No KVM, no globals: they build
 * and are unit-tested on any host (tests/unit/arm64/, run on x86 too).
 */
#ifndef TESSERA_ARM64_H
#define TESSERA_ARM64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fdt_arch;

/* Documentation/arch/arm64/booting.rst, "Call the kernel image". */
#define ARM64_IMAGE_HDR_SIZE 64
#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64" at offset 56 */
#define ARM64_IMAGE_FLAG_BE (1ULL << 0)
#define ARM64_IMAGE_FLAG_ANYWHERE (1ULL << 3)
#define ARM64_IMAGE_LEGACY_TEXT_OFFSET 0x80000ULL

struct arm64_image {
	uint64_t text_offset; /* from a 2 MiB-aligned base */
	uint64_t image_size;  /* bytes the kernel occupies, bss included */
	uint64_t flags;
	bool legacy;          /* image_size was 0: a pre-3.17 kernel */
};

/*
 * Whether img starts like an arm64 Image (the magic at offset 56). Pure.
 */
bool arm64_image_is(const uint8_t *img, size_t len);

/*
 * Parses an arm64 Image header. 0; -ENOENT if img is no Image (with a
 * hint in err for a gzip-compressed one); -EINVAL with a one-line reason
 * for a big-endian kernel or sizes that do not add up. Pure.
 */
int arm64_image_parse(const uint8_t *img, size_t len, struct arm64_image *out,
		      char *err, size_t errlen);

/*
 * Where the kernel goes: the 2 MiB-aligned RAM base + text_offset, with
 * image_size bytes below limit. 0 with *load, or -EINVAL (reason in err)
 * when it does not fit. Pure.
 */
int arm64_image_place(const struct arm64_image *im, uint64_t ram_base,
		      uint64_t limit, uint64_t *load, char *err, size_t errlen);

/*
 * Where the DTB goes: the last 2 MiB-aligned 2 MiB block of RAM
 * [ram_base, ram_base + ram_size). 0 with *addr, -EINVAL if RAM holds
 * no such block beside a 2 MiB block for the kernel. Pure.
 */
int arm64_dtb_addr(uint64_t ram_base, uint64_t ram_size, uint64_t *addr);

/*
 * The MPIDR_EL1 affinity KVM gives vCPU id (reset_mpidr(): Aff0 = id bits
 * 0-3, Aff1 = bits 4-11, Aff2 = bits 12-19): a CPU node's reg. Pure.
 */
uint64_t arm64_mpidr(unsigned int vcpu_id);

/* The affinity fields of an MPIDR_EL1 value (Aff3..Aff0). */
#define ARM64_MPIDR_AFF_MASK 0xff00ffffffULL

/*
 * KVM_IRQ_LINE's irq field for SPI line (0-based, as the DT and irqfd
 * number it): type SPI, vCPU 0, INTID 32 + line. Pure.
 */
uint32_t arm64_irq_line_encode(uint32_t line);

/* The device-tree model: GICv3, timer, PSCI, CPUs with enable-method. */
const struct fdt_arch *arm64_fdt_model(void);

#endif
