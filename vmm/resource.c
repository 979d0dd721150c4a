// SPDX-License-Identifier: GPL-2.0
#include "resource.h"

#include <errno.h>
#include <string.h>

void resource_init(struct resources *r)
{
	memset(r, 0, sizeof(*r));
}

int resource_set_mmio_window(struct resources *r, gpa_t base, gpa_t size)
{
	if (size == 0 || base + size < base)
		return -EINVAL;
	r->mmio_base = r->mmio_next = base;
	r->mmio_size = size;
	return 0;
}

int resource_add_line(struct resources *r, uint32_t line)
{
	for (unsigned int i = 0; i < r->nlines; i++)
		if (r->line[i] == line)
			return -EEXIST;
	if (r->nlines == RESOURCE_MAX_LINES)
		return -ENOSPC;
	r->line[r->nlines] = line;
	r->users[r->nlines++] = 0;
	return 0;
}

int resource_alloc_mmio(struct resources *r, gpa_t size, gpa_t align,
			gpa_t *base)
{
	gpa_t end = r->mmio_base + r->mmio_size, start;

	if (align == 0)
		align = 1;
	if (size == 0 || (align & (align - 1)))
		return -EINVAL;
	start = (r->mmio_next + align - 1) & ~(align - 1);
	if (start < r->mmio_next || start >= end || size > end - start)
		return -ENOSPC;
	*base = start;
	r->mmio_next = start + size;
	return 0;
}

int resource_alloc_line(struct resources *r, bool shared, uint32_t *line,
			bool *is_shared)
{
	unsigned int best = 0;

	if (r->nlines == 0)
		return -ENOSPC;
	for (unsigned int i = 1; i < r->nlines; i++)
		if (r->users[i] < r->users[best])
			best = i;
	if (r->users[best] > 0 && !shared)
		return -ENOSPC;
	*line = r->line[best];
	*is_shared = r->users[best]++ > 0;
	return 0;
}
