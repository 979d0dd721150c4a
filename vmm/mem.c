// SPDX-License-Identifier: GPL-2.0
#include "mem.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

#define PMD_SIZE_DEFAULT (2ULL << 20)
#define THP_PMD_SIZE_FILE "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size"
#define SLOTS_FALLBACK 32 /* what every KVM has offered */

void mem_slots_init(struct mem_slots *s, unsigned int max)
{
	memset(s, 0, sizeof(*s));
	s->lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	s->max = max < GUEST_MEM_MAX_SLOTS ? max : GUEST_MEM_MAX_SLOTS;
}

int mem_slots_take(struct mem_slots *s)
{
	int slot = -ENOSPC;

	pthread_mutex_lock(&s->lock);
	for (unsigned int i = 0; i < s->max; i++) {
		if (!(s->used[i / 64] & (1ULL << (i % 64)))) {
			s->used[i / 64] |= 1ULL << (i % 64);
			slot = (int)i;
			break;
		}
	}
	pthread_mutex_unlock(&s->lock);
	return slot;
}

int mem_slots_put(struct mem_slots *s, unsigned int slot)
{
	int r = -EINVAL;

	pthread_mutex_lock(&s->lock);
	if (slot < s->max && (s->used[slot / 64] & (1ULL << (slot % 64)))) {
		s->used[slot / 64] &= ~(1ULL << (slot % 64));
		r = 0;
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* The only KVM_SET_USER_MEMORY_REGION in tessera; size 0 deletes the slot. */
static int kvm_set_slot(int vm_fd, unsigned int slot, uint32_t flags, gpa_t gpa,
			uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region kr = {
		.slot = slot,
		.flags = flags,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &kr) < 0 ? -errno : 0;
}

int guest_mem_slot_add(struct guest_mem *m, gpa_t gpa, uint64_t size,
		       void *hva, uint32_t flags, unsigned int *slot)
{
	int s = mem_slots_take(&m->slots);
	int r;

	if (s < 0)
		return s;
	r = kvm_set_slot(m->vm_fd, (unsigned int)s, flags, gpa, size, hva);
	if (r) {
		mem_slots_put(&m->slots, (unsigned int)s);
		return r;
	}
	*slot = (unsigned int)s;
	return 0;
}

int guest_mem_slot_remove(struct guest_mem *m, unsigned int slot)
{
	bool taken;
	int r;

	pthread_mutex_lock(&m->slots.lock);
	taken = slot < m->slots.max &&
		(m->slots.used[slot / 64] & (1ULL << (slot % 64)));
	pthread_mutex_unlock(&m->slots.lock);
	if (!taken)
		return -EINVAL;
	r = kvm_set_slot(m->vm_fd, slot, 0, 0, 0, NULL);
	return r ?: mem_slots_put(&m->slots, slot);
}

/* A power of two between 4 KiB and 1 GiB read from path, or 0. */
static uint64_t read_page_size(const char *path)
{
	char buf[32];
	ssize_t n;
	uint64_t v;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	v = strtoull(buf, NULL, 10);
	if (v < 4096 || v > (1ULL << 30) || (v & (v - 1)))
		return 0;
	return v;
}

uint64_t guest_mem_page_align(enum mem_pages pages)
{
	/*
	 * The PMD size even for small pages: THP may be "always" on the host,
	 * and an aligned mapping costs nothing but address space.
	 */
	uint64_t align = read_page_size(THP_PMD_SIZE_FILE);

	if (!align)
		align = PMD_SIZE_DEFAULT;
	if (pages == MEM_PAGES_HUGETLB && align < CONFIG_HUGE_PAGE_SIZE)
		align = CONFIG_HUGE_PAGE_SIZE;
	return align;
}

/*
 * Maps size bytes at an address aligned to align. mmap aligns only to the
 * base page size (Linux 6.1 puts a large anonymous mapping wherever a
 * 4 KiB-aligned hole is; KVM can then map the guest only with 4 KiB
 * pages whatever backs it), so reserve align bytes more without access,
 * map the real thing over the aligned part, and unmap the rest.
 */
static void *map_aligned(uint64_t size, uint64_t align, int flags)
{
	uint8_t *res, *p;
	size_t span;

	if (size > SIZE_MAX - align) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	span = (size_t)(size + align);
	res = mmap(NULL, span, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		return MAP_FAILED;
	p = (uint8_t *)(((uintptr_t)res + (align - 1)) & ~(uintptr_t)(align - 1));
	if (mmap(p, (size_t)size, PROT_READ | PROT_WRITE, flags | MAP_FIXED, -1,
		 0) == MAP_FAILED) {
		int e = errno;

		munmap(res, span);
		errno = e;
		return MAP_FAILED;
	}
	if (p > res)
		munmap(res, (size_t)(p - res));
	if (res + span > p + size)
		munmap(p + size, (size_t)(res + span - (p + size)));
	return p;
}

static int map_region(struct guest_region *r, uint64_t align,
		      enum mem_pages pages)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p;

	if (r->size > SIZE_MAX)
		return -ENOMEM;
	if (pages == MEM_PAGES_HUGETLB) {
		if (r->size % CONFIG_HUGE_PAGE_SIZE)
			return -EINVAL;
		/* Reserve now: a pool that runs dry later would SIGBUS a vCPU. */
		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
	}
	p = map_aligned(r->size, align, flags);
	if (p == MAP_FAILED)
		return -errno;
	/*
	 * By default, ask for transparent huge pages and take no for an
	 * answer: under nested paging each 4 KiB first touch is a costly
	 * fault (measured in the lab: the kernel unpacks its initramfs in
	 * 0.44 s on small pages against 0.16 s for QEMU, which advises too).
	 */
	if (pages == MEM_PAGES_DEFAULT)
		madvise(p, (size_t)r->size, MADV_HUGEPAGE);
	if (pages == MEM_PAGES_THP &&
	    madvise(p, (size_t)r->size, MADV_HUGEPAGE) < 0) {
		int e = errno;

		munmap(p, (size_t)r->size);
		return -e;
	}
	/* Guest RAM never belongs in a core dump of the monitor. */
	madvise(p, (size_t)r->size, MADV_DONTDUMP);
	r->hva = p;
	r->mapped = true;
	return 0;
}

static void mem_reset(struct guest_mem *m, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->size = size;
	m->vm_fd = -1;
	for (unsigned int i = 0; i < GUEST_MEM_MAX_REGIONS; i++)
		m->region[i].slot = -1;
	mem_slots_init(&m->slots, 0);
}

static int map_regions(struct guest_mem *m, enum mem_pages pages)
{
	m->align = guest_mem_page_align(pages);
	for (unsigned int i = 0; i < m->nregions; i++) {
		int r = map_region(&m->region[i], m->align, pages);

		if (r) {
			guest_mem_free(m);
			return r;
		}
	}
	return 0;
}

int guest_mem_map(struct guest_mem *m, uint64_t size, enum mem_pages pages,
		  guest_mem_layout_fn layout)
{
	int r;

	mem_reset(m, size);
	if (size == 0 || size > SIZE_MAX)
		return -EINVAL;
	r = layout(m);
	if (r) {
		mem_reset(m, 0);
		return r;
	}
	return map_regions(m, pages);
}

static void log_map_error(uint64_t size, enum mem_pages pages, int r)
{
	if (pages == MEM_PAGES_HUGETLB)
		log_err("--hugepages: cannot map %llu MiB of huge pages: %s (see HugePages_Free in /proc/meminfo; reserve them with 'echo N > /proc/sys/vm/nr_hugepages')",
			(unsigned long long)(size >> 20), strerror(-r));
	else if (pages == MEM_PAGES_THP)
		log_err("--hugepages=thp: madvise(MADV_HUGEPAGE): %s (is /sys/kernel/mm/transparent_hugepage/enabled 'never'?)",
			strerror(-r));
	else
		log_err("cannot map %llu bytes of guest RAM: %s",
			(unsigned long long)size, strerror(-r));
}

/* How many slots this KVM has (KVM_CAP_NR_MEMSLOTS on the VM). */
static unsigned int kvm_nr_slots(int vm_fd)
{
	int n = ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);

	return n > 0 ? (unsigned int)n : SLOTS_FALLBACK;
}

int guest_mem_create(struct guest_mem *m, int vm_fd, uint64_t size,
		     enum mem_pages pages, guest_mem_layout_fn layout)
{
	int r;

	mem_reset(m, size);
	if (size == 0 || size > SIZE_MAX) {
		log_map_error(size, pages, -EINVAL);
		return -EINVAL;
	}
	r = layout(m);
	if (r) {
		log_err("cannot lay out guest RAM: %s", strerror(-r));
		return r;
	}
	r = map_regions(m, pages);
	if (r) {
		log_map_error(size, pages, r);
		return r;
	}
	m->vm_fd = vm_fd;
	mem_slots_init(&m->slots, kvm_nr_slots(vm_fd));
	for (unsigned int i = 0; i < m->nregions; i++) {
		struct guest_region *g = &m->region[i];
		unsigned int slot;

		r = guest_mem_slot_add(m, g->gpa, g->size, g->hva, 0, &slot);
		if (r) {
			log_err("KVM_SET_USER_MEMORY_REGION for guest RAM at 0x%llx: %s",
				(unsigned long long)g->gpa, strerror(-r));
			return r;
		}
		g->slot = (int)slot;
	}
	return 0;
}

int guest_mem_lock(struct guest_mem *m)
{
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		return -errno;
	/*
	 * mlockall has faulted everything in already; touch each page anyway
	 * (read and write back: the image is loaded) so that holds even for
	 * mappings it may skip.
	 */
	for (unsigned int i = 0; i < m->nregions; i++) {
		const struct guest_region *r = &m->region[i];

		for (uint64_t off = 0; r->hva && off < r->size; off += 4096) {
			volatile uint8_t *p = r->hva + off;

			*p = *p;
		}
	}
	return 0;
}

void guest_mem_init_buffer(struct guest_mem *m, void *buf, uint64_t size)
{
	mem_reset(m, size);
	m->base = buf;
}

int guest_mem_add_region(struct guest_mem *m, gpa_t gpa, uint64_t len)
{
	struct guest_region *r;

	if (len == 0 || gpa + len < gpa)
		return -EINVAL;
	if (m->nregions == GUEST_MEM_MAX_REGIONS || len > m->size - m->placed)
		return -ENOSPC;
	if (m->nregions) {
		const struct guest_region *prev = &m->region[m->nregions - 1];

		if (gpa < prev->gpa + prev->size)
			return -EINVAL;
	}
	r = &m->region[m->nregions++];
	r->gpa = gpa;
	r->size = len;
	r->hva = m->base ? m->base + m->placed : NULL;
	r->mapped = false;
	r->slot = -1;
	m->placed += len;
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	for (unsigned int i = 0; i < m->nregions && i < GUEST_MEM_MAX_REGIONS; i++) {
		struct guest_region *r = &m->region[i];

		if (r->mapped && r->hva)
			munmap(r->hva, (size_t)r->size);
	}
	mem_reset(m, 0);
}

void *guest_mem_ptr(const struct guest_mem *m, gpa_t gpa, uint64_t len)
{
	if (len == 0)
		len = 1;
	for (unsigned int i = 0; i < m->nregions; i++) {
		const struct guest_region *r = &m->region[i];

		/* Written so that no sum can wrap: gpa - r->gpa < r->size first. */
		if (gpa < r->gpa || gpa - r->gpa >= r->size)
			continue;
		if (len > r->size - (gpa - r->gpa))
			return NULL;
		return r->hva + (gpa - r->gpa);
	}
	return NULL;
}

int guest_mem_write(const struct guest_mem *m, gpa_t gpa, const void *src,
		    uint64_t len)
{
	void *p = guest_mem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(p, src, (size_t)len);
	return 0;
}
