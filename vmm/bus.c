// SPDX-License-Identifier: GPL-2.0
/*
 * The buses. The race this file exists for: vCPU A has looked up a range
 * and is about to call (or is inside) its handler while vCPU B, emulating
 * a PCI config write, removes that range and frees the device state the
 * handler uses. kvmtool meets it with a per-range reference count and
 * removal deferred until the last user drops it, so its deregistration
 * returns while a handler may still run. Here unregistration waits instead,
 * so that when bus_unregister() returns the caller may free the state.
 *
 * Three pieces:
 * - The map is an immutable sorted array (struct bus_map) behind an atomic
 *   pointer. A change copies it, edits the copy and publishes it.
 * - A lookup section (read_begin/read_end) brackets the search and the
 *   pinning of the range found; it never blocks. The old map is freed
 *   after every lookup section that may have seen it has ended: the writer
 *   flips the epoch and waits for the old epoch's counter to drain, twice,
 *   so both counters have been seen at zero after the new map went out
 *   (any lookup that loads the map after that load of the counter sees the
 *   new map: all four operations are sequentially consistent).
 * - Each range counts the handlers running in it (inflight), incremented
 *   inside the lookup section. After the drain no new handler can start in
 *   a removed range, so unregister waits for inflight to fall to the number
 *   of frames the calling thread itself has in that handler.
 * Handlers run outside the lookup section, so a handler that registers or
 *   unregisters never waits for itself.
 */
#include "bus.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct bus_entry {
	struct bus_range r;
	atomic_uint inflight; /* handlers running in this range */
};

struct bus_slot {
	uint64_t base, last; /* [base, last], last = base + len - 1 */
	struct bus_entry *e;
};

struct bus_map {
	size_t n;
	struct bus_slot slot[]; /* sorted by base, non-overlapping */
};

/*
 * A handler call in progress on this thread, innermost first: how
 * bus_unregister() knows that its caller is inside the range it removes.
 * The list lives on the dispatching thread's stack; the thread-local head
 * is the one piece of global state here, and only its own thread reads it.
 */
struct bus_frame {
	struct bus_entry *e;
	bool orphaned; /* the range was unregistered by this thread meanwhile */
	struct bus_frame *prev;
};

static _Thread_local struct bus_frame *tls_frame;

void bus_init(struct bus *b, const char *name)
{
	memset(b, 0, sizeof(*b));
	b->name = name;
	b->write_lock = (pthread_mutex_t)PTHREAD_MUTEX_INITIALIZER;
	atomic_init(&b->map, NULL);
	atomic_init(&b->epoch, 0);
	atomic_init(&b->readers[0], 0);
	atomic_init(&b->readers[1], 0);
}

void bus_destroy(struct bus *b)
{
	struct bus_map *m = atomic_exchange(&b->map, NULL);

	if (!m)
		return;
	for (size_t i = 0; i < m->n; i++)
		free(m->slot[i].e);
	free(m);
}

static unsigned int read_begin(struct bus *b)
{
	unsigned int i = atomic_load_explicit(&b->epoch,
					      memory_order_relaxed) & 1;

	atomic_fetch_add_explicit(&b->readers[i], 1, memory_order_seq_cst);
	return i;
}

/* Publishes the section's pinning (inflight) to a writer that sees 0. */
static void read_end(struct bus *b, unsigned int i)
{
	atomic_fetch_sub_explicit(&b->readers[i], 1, memory_order_release);
}

static const struct bus_map *read_map(struct bus *b)
{
	return atomic_load_explicit(&b->map, memory_order_seq_cst);
}

/* Yields a few times, then sleeps: the waits are short but may be preempted. */
static void backoff(unsigned int *spins)
{
	if (++*spins < 64) {
		sched_yield();
		return;
	}
	nanosleep(&(struct timespec){ .tv_nsec = 50 * 1000 }, NULL);
}

/* Waits until no lookup section that may hold the previous map is left. */
static void wait_readers(struct bus *b)
{
	for (int k = 0; k < 2; k++) {
		unsigned int old = atomic_fetch_add(&b->epoch, 1) & 1;
		unsigned int spins = 0;

		while (atomic_load(&b->readers[old]) != 0)
			backoff(&spins);
	}
}

/* Index of the first slot whose base is > addr. */
static size_t upper_bound(const struct bus_map *m, uint64_t addr)
{
	size_t lo = 0, hi = m ? m->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->slot[mid].base <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const struct bus_slot *find(const struct bus_map *m, uint64_t addr)
{
	size_t pos = upper_bound(m, addr);

	if (pos == 0 || addr > m->slot[pos - 1].last)
		return NULL;
	return &m->slot[pos - 1];
}

static struct bus_map *map_alloc(size_t n)
{
	struct bus_map *m = malloc(sizeof(*m) + n * sizeof(m->slot[0]));

	if (m)
		m->n = n;
	return m;
}

/* Publishes m (NULL: empty) and frees the map it replaces. Write lock held. */
static void publish(struct bus *b, struct bus_map *m)
{
	struct bus_map *old = atomic_load(&b->map);

	atomic_store(&b->map, m);
	wait_readers(b);
	free(old);
}

int bus_register(struct bus *b, uint64_t base, uint64_t len, bus_access_fn fn,
		 void *opaque, const char *name)
{
	const struct bus_map *cur;
	struct bus_entry *e;
	struct bus_map *m;
	uint64_t last;
	size_t pos, n;
	int r = -EEXIST;

	if (len == 0 || !fn)
		return -EINVAL;
	last = base + (len - 1);
	if (last < base)
		return -EINVAL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->r = (struct bus_range){ base, len, fn, opaque, name };
	atomic_init(&e->inflight, 0);

	pthread_mutex_lock(&b->write_lock);
	cur = atomic_load(&b->map);
	n = cur ? cur->n : 0;
	pos = upper_bound(cur, base);
	if (pos > 0 && cur->slot[pos - 1].last >= base)
		goto err_unlock;
	if (pos < n && cur->slot[pos].base <= last)
		goto err_unlock;
	r = -ENOMEM;
	m = map_alloc(n + 1);
	if (!m)
		goto err_unlock;
	if (n)
		memcpy(m->slot, cur->slot, pos * sizeof(m->slot[0]));
	m->slot[pos] = (struct bus_slot){ base, last, e };
	if (n)
		memcpy(&m->slot[pos + 1], &cur->slot[pos],
		       (n - pos) * sizeof(m->slot[0]));
	publish(b, m);
	pthread_mutex_unlock(&b->write_lock);
	return 0;

err_unlock:
	pthread_mutex_unlock(&b->write_lock);
	free(e);
	return r;
}

/* Takes the range out of the map; the caller waits for its handlers. */
static int unpublish(struct bus *b, uint64_t base, struct bus_entry **out)
{
	const struct bus_map *cur = atomic_load(&b->map);
	size_t pos = upper_bound(cur, base);
	struct bus_map *m = NULL;

	if (pos == 0 || cur->slot[pos - 1].base != base)
		return -ENOENT;
	pos--;
	if (cur->n > 1) {
		m = map_alloc(cur->n - 1);
		if (!m)
			return -ENOMEM;
		memcpy(m->slot, cur->slot, pos * sizeof(m->slot[0]));
		memcpy(&m->slot[pos], &cur->slot[pos + 1],
		       (cur->n - pos - 1) * sizeof(m->slot[0]));
	}
	*out = cur->slot[pos].e;
	publish(b, m);
	return 0;
}

int bus_unregister(struct bus *b, uint64_t base)
{
	struct bus_entry *e = NULL;
	unsigned int self = 0, spins = 0;
	int r;

	pthread_mutex_lock(&b->write_lock);
	r = unpublish(b, base, &e);
	pthread_mutex_unlock(&b->write_lock);
	if (r)
		return r;
	/*
	 * No lookup can find e now. Wait for the handlers already in it, but
	 * not for this thread's own (it is one of them when a handler removes
	 * its own range): not holding the write lock, so that they may change
	 * the bus before they return.
	 */
	for (const struct bus_frame *f = tls_frame; f; f = f->prev)
		self += f->e == e;
	while (atomic_load_explicit(&e->inflight, memory_order_acquire) != self)
		backoff(&spins);
	if (!self) {
		free(e);
		return 0;
	}
	/* The outermost of this thread's frames in e frees it on return. */
	for (struct bus_frame *f = tls_frame; f; f = f->prev)
		if (f->e == e)
			f->orphaned = true;
	return 0;
}

/* Unpins a range after its handler returned; frees it if it was orphaned. */
static void leave(const struct bus_frame *f)
{
	if (atomic_fetch_sub_explicit(&f->e->inflight, 1,
				      memory_order_acq_rel) == 1 &&
	    f->orphaned)
		free(f->e);
}

bool bus_access(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len,
		bool is_write, uint8_t fill)
{
	struct bus_frame f = { .e = NULL, .prev = tls_frame };
	unsigned int i = read_begin(b);
	const struct bus_slot *s = find(read_map(b), addr);

	/* The whole access in one range: len - 1 more bytes from addr. */
	if (s && len && len - 1 <= s->last - addr) {
		f.e = s->e;
		atomic_fetch_add_explicit(&f.e->inflight, 1,
					  memory_order_relaxed);
	}
	read_end(b, i);
	if (!f.e) {
		if (!is_write)
			memset(data, fill, len);
		return false;
	}
	tls_frame = &f;
	f.e->r.fn(f.e->r.opaque, addr - f.e->r.base, data, len, is_write);
	tls_frame = f.prev;
	leave(&f);
	return true;
}

bool bus_lookup(struct bus *b, uint64_t addr, struct bus_range *out)
{
	unsigned int i = read_begin(b);
	const struct bus_slot *s = find(read_map(b), addr);

	if (s)
		*out = s->e->r;
	read_end(b, i);
	return s != NULL;
}

size_t bus_count(struct bus *b)
{
	unsigned int i = read_begin(b);
	const struct bus_map *m = read_map(b);
	size_t n = m ? m->n : 0;

	read_end(b, i);
	return n;
}
