/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM. One anonymous host mapping backs all of it; the arch code
 * splits it into guest-physical regions around its MMIO holes. Every guest
 * address the monitor dereferences goes through guest_mem_ptr().
 */
#ifndef TESSERA_MEM_H
#define TESSERA_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "types.h"

#define GUEST_MEM_MAX_REGIONS 4

struct guest_region {
	gpa_t gpa;
	uint64_t size;
	uint8_t *hva;
};

struct guest_mem {
	struct guest_region region[GUEST_MEM_MAX_REGIONS];
	unsigned int nregions;
	uint8_t *base;    /* host mapping of all RAM */
	uint64_t size;    /* bytes of RAM */
	uint64_t placed;  /* bytes of the mapping given to regions so far */
	bool owned;       /* base was mmapped by guest_mem_alloc */
};

/*
 * Maps size bytes of zeroed anonymous memory (MAP_NORESERVE; pages are
 * touched on demand). Returns 0 or -errno. Main thread, before vCPUs run.
 */
int guest_mem_alloc(struct guest_mem *m, uint64_t size);

/*
 * Like guest_mem_alloc(), backed by pages of the given kind:
 * MEM_PAGES_HUGETLB maps from the reserved huge page pool (MAP_HUGETLB;
 * size must be a multiple of CONFIG_HUGE_PAGE_SIZE) and returns -ENOMEM
 * when too few huge pages are free; MEM_PAGES_THP asks for transparent
 * huge pages (madvise(MADV_HUGEPAGE); -errno if THP is unavailable).
 * Main thread, before vCPUs run.
 */
int guest_mem_alloc_pages(struct guest_mem *m, uint64_t size,
			  enum mem_pages pages);

/*
 * Locks all of the monitor's memory, present and future
 * (mlockall(MCL_CURRENT | MCL_FUTURE)), then touches every page of guest
 * RAM so no page fault is left for the vCPUs to take on the host side.
 * 0 or -errno (EPERM/ENOMEM: no CAP_IPC_LOCK and RLIMIT_MEMLOCK too low).
 * Main thread, after the machine is built and before any vCPU starts.
 */
int guest_mem_lock(struct guest_mem *m);

/*
 * Uses caller-owned memory instead (unit tests, fuzzers): no mmap, and
 * guest_mem_free() leaves the buffer alone.
 */
void guest_mem_init_buffer(struct guest_mem *m, void *buf, uint64_t size);

/*
 * Hands the next len bytes of the mapping to guest-physical address gpa.
 * Regions are added in ascending gpa order and must not overlap.
 * Returns 0, -EINVAL (overlap, misordered, wraps) or -ENOSPC.
 */
int guest_mem_add_region(struct guest_mem *m, gpa_t gpa, uint64_t len);

/* Unmaps what guest_mem_alloc() mapped. */
void guest_mem_free(struct guest_mem *m);

/*
 * The one checked translation: returns the host pointer for [gpa, gpa+len)
 * if the whole range lies inside one RAM region, else NULL. len 0 is
 * treated as 1. Overflow-safe for any gpa and len. Any thread.
 */
void *guest_mem_ptr(const struct guest_mem *m, gpa_t gpa, uint64_t len);

/* Copies into / out of guest RAM through guest_mem_ptr(). 0 or -EFAULT. */
int guest_mem_write(const struct guest_mem *m, gpa_t gpa, const void *src,
		    uint64_t len);
int guest_mem_read(const struct guest_mem *m, gpa_t gpa, void *dst,
		   uint64_t len);

#endif
