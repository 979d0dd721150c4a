// SPDX-License-Identifier: GPL-2.0
#include "bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
}

void bus_destroy(struct bus *b)
{
	free(b->range);
	b->range = NULL;
	b->n = b->cap = 0;
}

/* Index of the first range whose base is > addr. */
static size_t upper_bound(const struct bus *b, uint64_t addr)
{
	size_t lo = 0, hi = b->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (b->range[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_access_fn fn,
		 void *opaque, const char *name)
{
	uint64_t last;
	size_t pos;

	if (len == 0 || !fn)
		return -EINVAL;
	last = base + (len - 1);
	if (last < base)
		return -EINVAL;
	pos = upper_bound(b, base);
	if (pos > 0) {
		const struct bus_range *prev = &b->range[pos - 1];

		if (prev->base + (prev->len - 1) >= base)
			return -EEXIST;
	}
	if (pos < b->n && b->range[pos].base <= last)
		return -EEXIST;
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct bus_range *r = realloc(b->range, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		b->range = r;
		b->cap = cap;
	}
	memmove(&b->range[pos + 1], &b->range[pos],
		(b->n - pos) * sizeof(*b->range));
	b->range[pos] = (struct bus_range){ base, len, fn, opaque, name };
	b->n++;
	return 0;
}

const struct bus_range *bus_find(const struct bus *b, uint64_t addr)
{
	size_t pos = upper_bound(b, addr);
	const struct bus_range *r;

	if (pos == 0)
		return NULL;
	r = &b->range[pos - 1];
	return addr - r->base < r->len ? r : NULL;
}

bool bus_access(const struct bus *b, uint64_t addr, uint8_t *data,
		uint32_t len, bool is_write, uint8_t fill)
{
	const struct bus_range *r = bus_find(b, addr);

	if (r && len && len - 1 < r->len - (addr - r->base)) {
		r->fn(r->opaque, addr - r->base, data, len, is_write);
		return true;
	}
	if (!is_write)
		memset(data, fill, len);
	return false;
}
