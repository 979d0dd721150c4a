/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest RAM and KVM memory slots. The arch code splits RAM into
 * guest-physical regions around its MMIO holes; each region gets its own
 * anonymous host mapping, aligned to the largest page size in use (so
 * that KVM can map it with huge pages), and a memory slot taken from the
 * slot allocator, which later users (VFIO BAR mappings) share at run time.
 * KVM_SET_USER_MEMORY_REGION is issued in one place, mem.c. Every guest
 * address the monitor dereferences goes through guest_mem_ptr().
 */
#ifndef TESSERA_MEM_H
#define TESSERA_MEM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "types.h"

#define GUEST_MEM_MAX_REGIONS 4
#define GUEST_MEM_MAX_SLOTS 512 /* our bound; KVM's may be lower */

struct guest_region {
	gpa_t gpa;
	uint64_t size;
	uint8_t *hva;
	bool mapped; /* hva is our own mapping of size bytes */
	int slot;    /* its KVM memory slot, -1: none */
};

/* Memory slot numbers, 0..max-1, lowest free first. */
struct mem_slots {
	pthread_mutex_t lock;
	unsigned int max;
	uint64_t used[GUEST_MEM_MAX_SLOTS / 64];
};

struct guest_mem {
	struct guest_region region[GUEST_MEM_MAX_REGIONS];
	unsigned int nregions;
	uint64_t size;    /* bytes of RAM */
	uint64_t placed;  /* bytes given to regions so far */
	uint8_t *base;    /* the caller's buffer (guest_mem_init_buffer), or NULL */
	uint64_t align;   /* alignment of each region's mapping */
	int vm_fd;        /* the VM the slots belong to, -1: none */
	struct mem_slots slots;
};

/* Lays out RAM (arch_mem_layout()): guest_mem_add_region() per region. */
typedef int (*guest_mem_layout_fn)(struct guest_mem *m);

/*
 * Builds guest RAM for a VM: size bytes of it of the given page kind,
 * split into regions by layout, each region mapped (guest_mem_map()) and
 * given a memory slot of vm_fd. Logs one line on failure and returns its
 * -errno. Main thread, before vCPUs run.
 */
int guest_mem_create(struct guest_mem *m, int vm_fd, uint64_t size,
		     enum mem_pages pages, guest_mem_layout_fn layout);

/*
 * The mapping part of guest_mem_create(), without KVM: lays out RAM and
 * maps each region, zeroed, at an address aligned to
 * guest_mem_page_align(pages) (the mapping is reserved with that much to
 * spare, aligned, and the spare unmapped). MEM_PAGES_HUGETLB maps from the
 * reserved huge page pool (MAP_HUGETLB; every region a multiple of
 * CONFIG_HUGE_PAGE_SIZE, else -EINVAL; -ENOMEM when too few huge pages
 * are free); MEM_PAGES_THP asks for transparent huge pages
 * (madvise(MADV_HUGEPAGE); its -errno if THP is unavailable); the default
 * asks for them and takes no for an answer. Other mappings are
 * MAP_NORESERVE: pages are touched on demand. Returns 0 or -errno, with
 * nothing left mapped. Main thread.
 */
int guest_mem_map(struct guest_mem *m, uint64_t size, enum mem_pages pages,
		  guest_mem_layout_fn layout);

/*
 * The alignment guest_mem_map() gives each region: the largest page size
 * the kind may use (the transparent huge page size of the host, 2 MiB on
 * x86_64; for hugetlb at least CONFIG_HUGE_PAGE_SIZE). A power of two.
 */
uint64_t guest_mem_page_align(enum mem_pages pages);

/*
 * Locks all of the monitor's memory, present and future
 * (mlockall(MCL_CURRENT | MCL_FUTURE)), then touches every page of guest
 * RAM so no page fault is left for the vCPUs to take on the host side.
 * 0 or -errno (EPERM/ENOMEM: no CAP_IPC_LOCK and RLIMIT_MEMLOCK too low).
 * Main thread, after the machine is built and before any vCPU starts.
 */
int guest_mem_lock(struct guest_mem *m);

/*
 * Uses caller-owned memory instead (unit tests, fuzzers): no mmap, no
 * slots, and guest_mem_free() leaves the buffer alone.
 */
void guest_mem_init_buffer(struct guest_mem *m, void *buf, uint64_t size);

/*
 * Adds the region [gpa, gpa+len): with a buffer, the next len bytes of it;
 * else recorded for guest_mem_map() to map. Regions are added in ascending
 * gpa order, must not overlap and together hold at most m->size bytes.
 * Returns 0, -EINVAL (empty, overlap, misordered, wraps) or -ENOSPC.
 */
int guest_mem_add_region(struct guest_mem *m, gpa_t gpa, uint64_t len);

/*
 * Unmaps what guest_mem_map() mapped. The memory slots are left to the
 * VM: closing its fd removes them (and on kvm_pvm each removal costs a
 * grace period). Safe on a zeroed or already freed guest_mem.
 */
void guest_mem_free(struct guest_mem *m);

/*
 * Takes a memory slot and maps [gpa, gpa+size) of the guest to hva in it
 * (KVM_SET_USER_MEMORY_REGION with flags, KVM_MEM_*). Stores the slot in
 * *slot. Returns 0, -ENOSPC when every slot is taken, or the ioctl's
 * -errno. Any thread.
 */
int guest_mem_slot_add(struct guest_mem *m, gpa_t gpa, uint64_t size,
		       void *hva, uint32_t flags, unsigned int *slot);

/*
 * Unmaps a slot taken by guest_mem_slot_add() from the guest and returns
 * it to the allocator. 0, -EINVAL if the slot is not taken, or the
 * ioctl's -errno (the slot then stays taken). Any thread.
 */
int guest_mem_slot_remove(struct guest_mem *m, unsigned int slot);

/* The slot allocator alone (pure; unit-tested). Any thread. */
void mem_slots_init(struct mem_slots *s, unsigned int max);
/* The lowest free slot, now taken, or -ENOSPC. */
int mem_slots_take(struct mem_slots *s);
/* Frees a taken slot: 0, or -EINVAL if it is out of range or free. */
int mem_slots_put(struct mem_slots *s, unsigned int slot);

/*
 * The one checked translation: returns the host pointer for [gpa, gpa+len)
 * if the whole range lies inside one RAM region, else NULL. len 0 is
 * treated as 1. Overflow-safe for any gpa and len. Any thread.
 */
void *guest_mem_ptr(const struct guest_mem *m, gpa_t gpa, uint64_t len);

/* Copies into guest RAM through guest_mem_ptr(). 0 or -EFAULT. */
int guest_mem_write(const struct guest_mem *m, gpa_t gpa, const void *src,
		    uint64_t len);

#endif
