/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where devices live: an MMIO window that transports carve aligned ranges
 * from, and a pool of interrupt lines. The arch seeds both
 * (arch_resources(): x86 gives the 0xd0000000 window and the IOAPIC pins
 * nothing else claims); a transport's attach takes what it needs, so no
 * device and no generic code holds a table of slots.
 *
 * Lines are handed out one per device while free ones last; a caller that
 * can share a line (an edge-triggered virtio-mmio interrupt: Linux asks
 * for it with IRQF_SHARED and reads InterruptStatus) then gets the least
 * shared one, so "8 disks and 4 NICs" fit on the nine pins x86 has free.
 *
 * Pure (no KVM, no globals); main thread during setup.
 */
#ifndef TESSERA_RESOURCE_H
#define TESSERA_RESOURCE_H

#include <stdbool.h>
#include <stdint.h>

#include "types.h"

#define RESOURCE_MAX_LINES 64

struct resources {
	gpa_t mmio_base, mmio_size; /* the window */
	gpa_t mmio_next;            /* first unallocated byte */
	unsigned int nlines;
	uint32_t line[RESOURCE_MAX_LINES];   /* the pool, in hand-out order */
	unsigned int users[RESOURCE_MAX_LINES]; /* devices on each line */
};

/* An empty allocator: no window, no lines. */
void resource_init(struct resources *r);

/* Sets the MMIO window [base, base + size). 0 or -EINVAL (empty or wrapping). */
int resource_set_mmio_window(struct resources *r, gpa_t base, gpa_t size);

/* Adds a line to the pool. 0, -EEXIST, or -ENOSPC. */
int resource_add_line(struct resources *r, uint32_t line);

/*
 * Takes size bytes of the window aligned to align (a power of two; 0 or 1
 * for none). 0 with *base, -EINVAL for a bad size or alignment, -ENOSPC
 * when the window is full.
 */
int resource_alloc_mmio(struct resources *r, gpa_t size, gpa_t align,
			gpa_t *base);

/*
 * Takes an interrupt line: a free one if any; otherwise, if shared, the
 * line with the fewest users (the earliest on a tie). 0 with *line and
 * *is_shared (whether another device has it too), or -ENOSPC.
 */
int resource_alloc_line(struct resources *r, bool shared, uint32_t *line,
			bool *is_shared);

#endif
