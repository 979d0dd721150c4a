// SPDX-License-Identifier: GPL-2.0
#include "mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

int guest_mem_alloc(struct guest_mem *m, uint64_t size)
{
	return guest_mem_alloc_pages(m, size, MEM_PAGES_DEFAULT);
}

int guest_mem_alloc_pages(struct guest_mem *m, uint64_t size,
			  enum mem_pages pages)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *p;

	memset(m, 0, sizeof(*m));
	if (size == 0 || size > SIZE_MAX)
		return -EINVAL;
	if (pages == MEM_PAGES_HUGETLB) {
		if (size % CONFIG_HUGE_PAGE_SIZE)
			return -EINVAL;
		/* Reserve now: a pool that runs dry later would SIGBUS a vCPU. */
		flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB;
	}
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/*
	 * By default, ask for transparent huge pages and take no for an
	 * answer: under nested paging each 4 KiB first touch is a costly
	 * fault (measured in the lab: the kernel unpacks its initramfs in
	 * 0.44 s on small pages against 0.16 s for QEMU, which advises too).
	 */
	if (pages == MEM_PAGES_DEFAULT)
		madvise(p, (size_t)size, MADV_HUGEPAGE);
	if (pages == MEM_PAGES_THP && madvise(p, (size_t)size, MADV_HUGEPAGE) < 0) {
		int e = errno;

		munmap(p, (size_t)size);
		return -e;
	}
	/* Guest RAM never belongs in a core dump of the monitor. */
	madvise(p, (size_t)size, MADV_DONTDUMP);
	m->base = p;
	m->size = size;
	m->owned = true;
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
	for (uint64_t off = 0; m->base && off < m->size; off += 4096) {
		volatile uint8_t *p = m->base + off;

		*p = *p;
	}
	return 0;
}

void guest_mem_init_buffer(struct guest_mem *m, void *buf, uint64_t size)
{
	memset(m, 0, sizeof(*m));
	m->base = buf;
	m->size = size;
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
	r->hva = m->base + m->placed;
	m->placed += len;
	return 0;
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->owned && m->base)
		munmap(m->base, (size_t)m->size);
	memset(m, 0, sizeof(*m));
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

int guest_mem_read(const struct guest_mem *m, gpa_t gpa, void *dst,
		   uint64_t len)
{
	const void *p = guest_mem_ptr(m, gpa, len);

	if (!p)
		return -EFAULT;
	memcpy(dst, p, (size_t)len);
	return 0;
}
