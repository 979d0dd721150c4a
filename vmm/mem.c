// SPDX-License-Identifier: GPL-2.0
#include "mem.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

int guest_mem_alloc(struct guest_mem *m, uint64_t size)
{
	void *p;

	memset(m, 0, sizeof(*m));
	if (size == 0 || size > SIZE_MAX)
		return -EINVAL;
	p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* Guest RAM never belongs in a core dump of the monitor. */
	madvise(p, (size_t)size, MADV_DONTDUMP);
	m->base = p;
	m->size = size;
	m->owned = true;
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
