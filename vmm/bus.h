/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address-range maps for port I/O and MMIO. Devices register [base,
 * base+len) with a handler; the exit dispatcher looks addresses up.
 * Registration happens on the main thread before vCPUs start; lookups are
 * then read-only and safe from any vCPU thread without a lock.
 */
#ifndef TESSERA_BUS_H
#define TESSERA_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One access: offset is relative to the range's base, data holds len bytes
 * (1, 2, 4 or 8), little-endian as the guest sees them. A read handler
 * fills data; a write handler consumes it. Called on the vCPU thread.
 */
typedef void (*bus_access_fn)(void *opaque, uint64_t offset, uint8_t *data,
			      uint32_t len, bool is_write);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_access_fn fn;
	void *opaque;
	const char *name;
};

struct bus {
	const char *name; /* "pio" or "mmio", for messages */
	struct bus_range *range; /* sorted by base, non-overlapping */
	size_t n, cap;
};

void bus_init(struct bus *b, const char *name);
void bus_destroy(struct bus *b);

/*
 * Adds a range. Returns 0; -EINVAL for len 0, a range that wraps past the
 * top of the 64-bit space, or a NULL handler; -EEXIST if it overlaps a
 * registered range; -ENOMEM.
 */
int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_access_fn fn,
		 void *opaque, const char *name);

/* The range that contains addr, or NULL. */
const struct bus_range *bus_find(const struct bus *b, uint64_t addr);

/*
 * Performs one access. The whole access [addr, addr+len) must fall in one
 * range, else it is unclaimed. Unclaimed reads fill data with fill (0xff for
 * PIO, 0x00 for MMIO). Returns true if a device claimed the access.
 */
bool bus_access(const struct bus *b, uint64_t addr, uint8_t *data,
		uint32_t len, bool is_write, uint8_t fill);

#endif
