/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-platform: a host platform (or AMBA) device, bound to vfio-platform
 * or vfio-amba, passed through to the partition with a device-tree node
 * (docs/vfio-platform.md; QEMU's hw/vfio/platform.c and kvmtool's
 * vfio/platform support were read for the details, nothing is copied).
 *
 * - Each region VFIO reports gets a page-aligned place in the arch's MMIO
 *   window (the allocator's, never the host's address). A region VFIO can
 *   mmap becomes a KVM memory slot (no exit per access); the others are
 *   trapped on the MMIO bus and forwarded with pread/pwrite.
 * - Each interrupt gets a line of its own from the allocator (arm64: a
 *   vGIC SPI). A level one (VFIO: AUTOMASKED) goes through an irqfd with a
 *   resample fd wired to VFIO's unmask eventfd: VFIO masks the host line
 *   when it fires, the guest's EOI unmasks it. An edge one is a plain irqfd.
 * - The node: the host of_node's name and compatible (or the user's),
 *   reg at the guest addresses, interrupts with their real trigger type
 *   (a level line must be described level: KVM's vGIC resets SPIs to
 *   edge), plus what the user adds (clock=NAME:HZ: a fixed-clock child
 *   node; PROP=VALUE).
 */
#ifndef TESSERA_VFIO_PLATFORM_H
#define TESSERA_VFIO_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "fdt.h"
#include "types.h"

#define VFIO_PLATFORM_MAX_REGIONS 8
#define VFIO_PLATFORM_MAX_IRQS 8
#define VFIO_PLATFORM_COMPAT_LEN 256
/* Phandles of the fixed clocks: 0x10000 + 16 * device + clock. */
#define VFIO_PLATFORM_PHANDLE_BASE 0x10000u

struct vm;

/* What the device's DT node says; the emitter's opaque. */
struct vfio_platform_node {
	char name[32];                 /* node name before '@' */
	uint8_t compatible[VFIO_PLATFORM_COMPAT_LEN]; /* the host's, NUL-separated */
	unsigned int compatible_len;
	const struct vfio_platform_config *cfg; /* the user's extras */
	unsigned int nregs;
	struct {
		gpa_t base;
		uint64_t size;
	} reg[VFIO_PLATFORM_MAX_REGIONS];
	unsigned int nirqs;
	struct {
		uint32_t line;
		bool level;
	} irq[VFIO_PLATFORM_MAX_IRQS];
	uint32_t phandle; /* of cfg's first clock; the next ones follow */
};

/*
 * The DT emitter (fdt_node_fn) of a device whose fdt_device.opaque is a
 * struct vfio_platform_node. Pure.
 */
int vfio_platform_fdt_node(struct fdt_writer *w, const struct fdt_device *dev);

enum vfio_region_use {
	VFIO_REGION_MAP,  /* a memory slot */
	VFIO_REGION_TRAP, /* MMIO exits, pread/pwrite */
};

/*
 * Decides how region index (size bytes, VFIO_REGION_INFO_FLAG_* flags) is
 * given to the guest with host pages of page bytes: mapped, trapped, or
 * refused (-EINVAL and a one-line reason in err: empty, neither readable
 * nor writable, too large for the window, or mmap-able but not a whole
 * number of pages: mapping it would expose the page's other registers).
 * no_mmap (TESSERA_VFIO_NO_MMAP) traps a mappable one. Pure.
 */
int vfio_platform_region_use(unsigned int index, uint64_t size, uint32_t flags,
			     uint64_t page, bool no_mmap,
			     enum vfio_region_use *use, char *err, size_t errlen);

/*
 * Checks interrupt index as VFIO describes it (count, VFIO_IRQ_INFO_*
 * flags): one eventfd-capable line; *level for an automasked (level) one.
 * 0 or -EINVAL with a one-line reason. Pure.
 */
int vfio_platform_irq_check(unsigned int index, uint32_t count, uint32_t flags,
			    bool *level, char *err, size_t errlen);

/*
 * Opens the platform device cfg names (bound to vfio-platform or
 * vfio-amba), places its regions and interrupts, wires them to KVM and adds
 * it to the device list with its DT node. The VFIO container comes with the
 * first --vfio device. 0, or -errno (logged; mistakes in the user's choice
 * through vm_user_error, exit status 2); on failure nothing of the device
 * is left. Main thread, after guest RAM and the board.
 */
int vfio_platform_create(struct vm *vm, const struct vfio_platform_config *cfg);

#endif
