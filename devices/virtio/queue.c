// SPDX-License-Identifier: GPL-2.0
/*
 * Split virtqueue, device side (Virtio 1.2, 2.7). Ring layout:
 *
 *   descriptor table  16 bytes each: le64 addr, le32 len, le16 flags, le16 next
 *   driver area       le16 flags, le16 idx, le16 ring[size], le16 used_event
 *   device area       le16 flags, le16 idx, {le32 id, le32 len} ring[size],
 *                     le16 avail_event
 *
 * Ordering: the driver writes descriptors and ring entries, then avail.idx
 * with a release barrier; we read avail.idx with acquire and everything
 * after it. We write used entries, then used.idx with release. Around the
 * EVENT_IDX fields both sides need a full barrier (2.7.7.2, 2.7.10).
 */
#include "queue.h"

#include <endian.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DESC_SIZE 16u

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static int bad(struct virtq *q, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct virtq *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static uint16_t load16(const uint8_t *p, int order)
{
	return le16toh(__atomic_load_n((const uint16_t *)(const void *)p, order));
}

static void store16(uint8_t *p, uint16_t v, int order)
{
	__atomic_store_n((uint16_t *)(void *)p, htole16(v), order);
}

static uint8_t *area(const struct guest_mem *mem, gpa_t gpa, uint64_t len)
{
	return guest_mem_ptr(mem, gpa, len);
}

int virtq_init(struct virtq *q, const struct guest_mem *mem, uint32_t size,
	       gpa_t desc, gpa_t avail, gpa_t used, uint64_t features)
{
	memset(q, 0, sizeof(*q));
	q->mem = mem;
	if (size == 0 || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
		return bad(q, "queue size %u is not a power of two up to %u",
			   size, VIRTQ_MAX_SIZE);
	/* 2.7: alignment of the three areas. */
	if ((desc & 15) || (avail & 1) || (used & 3))
		return bad(q, "ring addresses 0x%llx/0x%llx/0x%llx misaligned",
			   (unsigned long long)desc, (unsigned long long)avail,
			   (unsigned long long)used);
	q->desc = area(mem, desc, (uint64_t)DESC_SIZE * size);
	q->avail = area(mem, avail, 6 + 2ULL * size);
	q->used = area(mem, used, 6 + 8ULL * size);
	if (!q->desc || !q->avail || !q->used) {
		q->desc = q->avail = q->used = NULL;
		return bad(q, "ring 0x%llx/0x%llx/0x%llx (size %u) outside guest RAM",
			   (unsigned long long)desc, (unsigned long long)avail,
			   (unsigned long long)used, size);
	}
	q->size = (uint16_t)size;
	q->indirect = features & VIRTQ_F_INDIRECT_DESC;
	q->event_idx = features & VIRTQ_F_EVENT_IDX;
	return 0;
}

/* The one read of a descriptor: a copy, converted, never re-read. */
static void read_desc(const uint8_t *table, uint32_t idx, struct desc *d)
{
	uint8_t raw[DESC_SIZE];

	memcpy(raw, table + (size_t)idx * DESC_SIZE, DESC_SIZE);
	memcpy(&d->addr, raw, 8);
	memcpy(&d->len, raw + 8, 4);
	memcpy(&d->flags, raw + 12, 2);
	memcpy(&d->next, raw + 14, 2);
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

/* Switches the walk to the indirect table d describes (2.7.5.3). */
static int enter_indirect(struct virtq *q, const struct desc *d,
			  bool is_head, const uint8_t **table, uint32_t *n)
{
	if (!q->indirect)
		return bad(q, "indirect descriptor without VIRTIO_F_INDIRECT_DESC");
	if (*table != q->desc)
		return bad(q, "nested indirect descriptor table");
	if (!is_head)
		return bad(q, "indirect descriptor inside a chain");
	if (d->flags & VIRTQ_DESC_F_NEXT)
		return bad(q, "indirect descriptor with NEXT set");
	if (d->len == 0 || d->len % DESC_SIZE)
		return bad(q, "indirect table length %u is not a non-zero multiple of 16",
			   d->len);
	*table = area(q->mem, d->addr, d->len);
	if (!*table)
		return bad(q, "indirect table 0x%llx+%u outside guest RAM",
			   (unsigned long long)d->addr, d->len);
	*n = d->len / DESC_SIZE;
	return 0;
}

/* Appends one buffer descriptor to the chain. */
static int add_buffer(struct virtq *q, struct virtq_chain *c,
		      const struct desc *d, bool *seen_write)
{
	bool write = d->flags & VIRTQ_DESC_F_WRITE;
	uint8_t *p;

	/* 2.7.4.2: device-writable buffers follow the readable ones. */
	if (!write && *seen_write)
		return bad(q, "device-readable descriptor after a writable one");
	*seen_write |= write;
	if (d->len == 0)
		return 0;
	p = area(q->mem, d->addr, d->len);
	if (!p)
		return bad(q, "buffer 0x%llx+%u outside guest RAM",
			   (unsigned long long)d->addr, d->len);
	c->seg[c->nseg++] = (struct virtq_seg){ p, d->len };
	if (write) {
		c->write_len += d->len;
	} else {
		c->nread++;
		c->read_len += d->len;
	}
	return 0;
}

static int walk_chain(struct virtq *q, uint16_t head, struct virtq_chain *c)
{
	const uint8_t *table = q->desc;
	uint32_t n = q->size, idx = head;
	uint32_t limit = q->size < c->cap ? q->size : c->cap;
	uint32_t count = 0;
	bool is_head = true, seen_write = false;
	struct desc d;
	int r;

	c->nseg = c->nread = 0;
	c->read_len = c->write_len = 0;
	c->head = head;
	for (;;) {
		if (idx >= n)
			return bad(q, "descriptor index %u out of range (%u)", idx,
				   n);
		read_desc(table, idx, &d);
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			r = enter_indirect(q, &d, is_head, &table, &n);
			if (r)
				return r;
			idx = 0;
			is_head = false;
			continue;
		}
		is_head = false;
		/* A loop can only be followed this far: it ends here too. */
		if (++count > limit)
			return bad(q, "descriptor chain longer than %u (a loop?)",
				   limit);
		r = add_buffer(q, c, &d, &seen_write);
		if (r)
			return r;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

static int pop(struct virtq *q, struct virtq_chain *c)
{
	uint32_t size = q->size;
	uint16_t head;
	int r;

	if (q->last_avail == q->avail_shadow) {
		q->avail_shadow = load16(q->avail + 2, __ATOMIC_ACQUIRE);
		if ((uint16_t)(q->avail_shadow - q->last_avail) > size)
			return bad(q, "avail.idx moved from %u to %u, more than the queue size %u",
				   q->last_avail, q->avail_shadow, size);
		if (q->last_avail == q->avail_shadow)
			return 0;
	}
	head = load16(q->avail + 4 + 2 * (q->last_avail & (size - 1)),
		      __ATOMIC_RELAXED);
	if (head >= size)
		return bad(q, "avail ring entry %u names descriptor %u of %u",
			   q->last_avail, head, size);
	r = walk_chain(q, head, c);
	if (r)
		return r;
	q->last_avail++;
	return 1;
}

void virtq_unpop(struct virtq *q, uint16_t n)
{
	q->last_avail = (uint16_t)(q->last_avail - n);
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	int r;

	if (!q->desc)
		return bad(q, "queue not set up");
	if (q->broken)
		return -EINVAL; /* q->err still says why */
	r = pop(q, c);
	q->broken = r < 0;
	return r;
}

void virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	uint32_t size = q->size;
	uint8_t *e = q->used + 4 + 8 * (size_t)(q->used_idx & (size - 1));
	uint32_t id = htole32(head), l = htole32(len);

	memcpy(e, &id, 4);
	memcpy(e + 4, &l, 4);
	q->used_idx++;
	store16(q->used + 2, q->used_idx, __ATOMIC_RELEASE);
}

/* 2.7.10.1: vring_need_event() */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool virtq_should_notify(struct virtq *q)
{
	uint16_t old = q->signalled_used;
	bool valid = q->signalled_valid;
	bool notify;

	/* Our used.idx store must be visible before we read the driver's flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (q->event_idx) {
		uint16_t ev = load16(q->avail + 4 + 2 * q->size,
				     __ATOMIC_RELAXED);

		notify = !valid || need_event(ev, q->used_idx, old);
	} else {
		notify = !(load16(q->avail, __ATOMIC_RELAXED) &
			   VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	q->signalled_used = q->used_idx;
	q->signalled_valid = true;
	return notify;
}

void virtq_disable_notify(struct virtq *q)
{
	/* With EVENT_IDX an avail_event left behind already suppresses kicks. */
	if (!q->event_idx)
		store16(q->used, VIRTQ_USED_F_NO_NOTIFY, __ATOMIC_RELAXED);
}

bool virtq_enable_notify_after(struct virtq *q, uint16_t skip)
{
	uint16_t event = (uint16_t)(q->last_avail + skip);

	if (q->event_idx)
		store16(q->used + 4 + 8 * q->size, event, __ATOMIC_RELAXED);
	else
		store16(q->used, 0, __ATOMIC_RELAXED);
	/* Publish the request before looking for buffers added meanwhile. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->avail_shadow = load16(q->avail + 2, __ATOMIC_ACQUIRE);
	/* More than skip entries past last_avail (a bogus idx counts as more). */
	return (uint16_t)(q->avail_shadow - q->last_avail) > skip;
}

bool virtq_enable_notify(struct virtq *q)
{
	return virtq_enable_notify_after(q, 0);
}

/* Walks [off, off+len) of one part of the chain, calling fn per piece. */
static int chain_range(const struct virtq_chain *c, bool write, uint64_t off,
		       uint64_t len,
		       int (*fn)(void *arg, uint8_t *p, uint32_t n), void *arg)
{
	unsigned int first = write ? c->nread : 0;
	unsigned int end = write ? c->nseg : c->nread;
	uint64_t total = write ? c->write_len : c->read_len;

	if (off > total || len > total - off)
		return -EINVAL;
	for (unsigned int i = first; i < end && len; i++) {
		const struct virtq_seg *s = &c->seg[i];
		uint32_t n;
		int r;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - (uint32_t)off;
		if (n > len)
			n = (uint32_t)len;
		r = fn(arg, s->ptr + off, n);
		if (r)
			return r;
		len -= n;
		off = 0;
	}
	return 0;
}

struct copy_arg {
	uint8_t *buf;
	bool to_guest;
};

static int copy_piece(void *arg, uint8_t *p, uint32_t n)
{
	struct copy_arg *a = arg;

	if (a->to_guest)
		memcpy(p, a->buf, n);
	else
		memcpy(a->buf, p, n);
	a->buf += n;
	return 0;
}

int virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *dst,
		     uint64_t len)
{
	struct copy_arg a = { dst, false };

	return chain_range(c, false, off, len, copy_piece, &a);
}

int virtq_chain_write(const struct virtq_chain *c, uint64_t off,
		      const void *src, uint64_t len)
{
	struct copy_arg a = { (uint8_t *)(uintptr_t)src, true };

	return chain_range(c, true, off, len, copy_piece, &a);
}

struct iov_arg {
	struct iovec *iov;
	unsigned int n, max;
};

static int iov_piece(void *arg, uint8_t *p, uint32_t n)
{
	struct iov_arg *a = arg;

	if (a->n == a->max)
		return -EINVAL;
	a->iov[a->n++] = (struct iovec){ p, n };
	return 0;
}

int virtq_chain_iov(const struct virtq_chain *c, bool write, uint64_t off,
		    uint64_t len, struct iovec *iov, unsigned int max)
{
	struct iov_arg a = { iov, 0, max };
	int r = chain_range(c, write, off, len, iov_piece, &a);

	return r ? r : (int)a.n;
}
