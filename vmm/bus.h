/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Address-range maps for port I/O and MMIO. Devices register [base,
 * base+len) with a handler; the exit dispatcher looks addresses up and
 * calls the handler on the vCPU thread.
 *
 * Ranges may be registered and unregistered at any time, also while vCPUs
 * run and from inside a bus handler (PCI BARs move when the guest
 * reprograms them, from a vCPU's own config-space write). The guarantee
 * that makes this safe for the device: once bus_unregister() returns, no
 * thread is inside that range's handler any more, except the caller
 * itself when it unregisters from inside that very handler, and none will
 * enter it again; the device may then free what the handler touches.
 *
 * How (bus.c): lookups read an immutable sorted snapshot of the map; a
 * change publishes a new snapshot and frees the old one only after every
 * lookup that could still see it has finished (two epoch counters, as
 * SRCU does). Each range counts the handlers running in it; unregister
 * waits for that count to drain. The exit path takes no lock.
 */
#ifndef TESSERA_BUS_H
#define TESSERA_BUS_H

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One access: offset is relative to the range's base, data holds len bytes
 * (1, 2, 4 or 8), little-endian as the guest sees them. A read handler
 * fills data; a write handler consumes it. Called on the vCPU thread. A
 * handler may call bus_register() and bus_unregister() (on any bus); it
 * must not hold a lock that another range's handler takes while it does.
 */
typedef void (*bus_access_fn)(void *opaque, uint64_t offset, uint8_t *data,
			      uint32_t len, bool is_write);

/* A copy of one registered range (bus_lookup()). */
struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_access_fn fn;
	void *opaque;
	const char *name;
};

struct bus_map;

struct bus {
	const char *name; /* "pio" or "mmio", for messages */
	/* Read on every exit: kept apart from the counters that readers bump. */
	_Atomic(struct bus_map *) map; /* current snapshot; NULL: empty */
	atomic_uint epoch;             /* its low bit picks readers[] */
	pthread_mutex_t write_lock;    /* serialises changes to the map */
	alignas(64) atomic_ulong readers[2]; /* lookups in progress, per epoch */
};

/* Initialises an empty bus. Cannot fail. */
void bus_init(struct bus *b, const char *name);

/*
 * Frees every range and the map. No thread may use the bus any more (the
 * vCPUs have been joined). Safe on a zeroed or already destroyed bus.
 */
void bus_destroy(struct bus *b);

/*
 * Adds a range. Returns 0; -EINVAL for len 0, a range that wraps past the
 * top of the 64-bit space, or a NULL handler; -EEXIST if it overlaps a
 * registered range; -ENOMEM. name must outlive the range. Any thread,
 * also while vCPUs run and from inside a handler; it waits (briefly) for
 * lookups that started before it, never for a handler.
 */
int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_access_fn fn,
		 void *opaque, const char *name);

/*
 * Removes the range that starts at base. Returns 0 once no thread but the
 * caller is inside its handler (it waits for those that are: a handler
 * that never returns makes it wait for ever, and two handlers that
 * unregister each other's ranges deadlock); -ENOENT if no range starts at
 * base. Any thread, also while vCPUs run and from inside a handler,
 * including the range's own (the range is then freed when that handler
 * returns).
 */
int bus_unregister(struct bus *b, uint64_t base);

/*
 * Copies the range that contains addr into *out. Returns false if none.
 * The copy may be stale as soon as it is made if another thread changes
 * the bus. Any thread.
 */
bool bus_lookup(struct bus *b, uint64_t addr, struct bus_range *out);

/* The number of registered ranges (tests, messages). Any thread. */
size_t bus_count(struct bus *b);

/*
 * Performs one access. The whole access [addr, addr+len) must fall in one
 * range, else it is unclaimed. Unclaimed reads fill data with fill (0xff for
 * PIO, 0x00 for MMIO). Returns true if a device claimed the access. Any
 * thread (the vCPUs'); takes no lock.
 */
bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len,
		bool is_write, uint8_t fill);

#endif
