// SPDX-License-Identifier: GPL-2.0
/*
 * The bus under concurrent access (vmm/bus.h): threads dispatch accesses,
 * as vCPUs do, while other threads, and handlers themselves, register and
 * unregister ranges. Each range's device state carries a canary that the
 * unregistering side poisons as soon as bus_unregister() returns; a
 * handler that runs after that, or is still running, sees the poison and
 * counts a violation. Poisoned states stay allocated until the test ends
 * (so the poison is still there to be seen without ASan); the bus's own
 * entries and maps are freed for real, so check-asan catches any use of
 * them after they are gone.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus.h"
#include "suites.h"

#define ALIVE 0xa11e0a11e0a11e0aULL
#define DEAD 0xdeadbeefdeadbeefULL

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	nanosleep(&(struct timespec){ .tv_sec = ms / 1000,
				      .tv_nsec = (ms % 1000) * 1000000 },
		  NULL);
}

/* A device's state: what a handler touches and its owner frees. */
struct state {
	volatile uint64_t canary;
	atomic_ulong calls;
};

static atomic_ulong violations, handled;

/* Plain values for assertions (their messages print the expression). */
static unsigned long val(atomic_ulong *p)
{
	return atomic_load(p);
}

static int ival(atomic_int *p)
{
	return atomic_load(p);
}

/* Checks the canary, lets others run, checks it again. */
static void canary_fn(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		      bool is_write)
{
	struct state *s = opaque;

	(void)off;
	if (s->canary != ALIVE)
		atomic_fetch_add(&violations, 1);
	atomic_fetch_add(&s->calls, 1);
	if (atomic_fetch_add(&handled, 1) % 4 == 0)
		sched_yield(); /* widen the window an early return would open */
	if (!is_write)
		memset(data, 0x5a, len);
	if (s->canary != ALIVE)
		atomic_fetch_add(&violations, 1);
}

/* Poisoned states, freed when the test ends. */
#define QUARANTINE_MAX 200000
static struct state *quarantine[QUARANTINE_MAX];
static atomic_size_t nquarantine;

static struct state *state_new(void)
{
	struct state *s = calloc(1, sizeof(*s));

	ck_assert_ptr_nonnull(s);
	s->canary = ALIVE;
	return s;
}

/* What a device does once bus_unregister() has returned. */
static void state_retire(struct state *s)
{
	size_t i = atomic_fetch_add(&nquarantine, 1);

	s->canary = DEAD;
	if (i < QUARANTINE_MAX)
		quarantine[i] = s;
	else
		free(s); /* never reached in the time we run */
}

static void quarantine_free(void)
{
	size_t n = atomic_load(&nquarantine);

	for (size_t i = 0; i < n && i < QUARANTINE_MAX; i++)
		free(quarantine[i]);
	atomic_store(&nquarantine, 0);
}

/* --- one handler held inside while another thread unregisters -------- */

static struct bus hold_bus;
static atomic_int hold_entered, hold_release, seq;
static atomic_int hold_left_at, unreg_returned_at;

static void hold_fn(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		    bool is_write)
{
	double deadline = now() + 30; /* a bound for a broken bus, not a pace */

	(void)opaque, (void)off, (void)data, (void)len, (void)is_write;
	atomic_store(&hold_entered, 1);
	while (!atomic_load(&hold_release) && now() < deadline)
		sched_yield();
	atomic_store(&hold_left_at, atomic_fetch_add(&seq, 1) + 1);
}

static void *hold_access(void *arg)
{
	uint8_t v = 1;

	(void)arg;
	bus_access(&hold_bus, 0x1004, &v, 1, true, 0xff);
	return NULL;
}

static void *hold_unregister(void *arg)
{
	int *r = arg;

	*r = bus_unregister(&hold_bus, 0x1000);
	atomic_store(&unreg_returned_at, atomic_fetch_add(&seq, 1) + 1);
	return NULL;
}

START_TEST(unregister_waits_for_running_handler)
{
	pthread_t a, u;
	int r = 1;
	double deadline = now() + 30;

	bus_init(&hold_bus, "test");
	ck_assert_int_eq(bus_register(&hold_bus, 0x1000, 0x10, hold_fn, NULL,
				      "hold"), 0);
	ck_assert_int_eq(pthread_create(&a, NULL, hold_access, NULL), 0);
	while (!atomic_load(&hold_entered) && now() < deadline)
		sched_yield();
	ck_assert_int_eq(ival(&hold_entered), 1);
	ck_assert_int_eq(pthread_create(&u, NULL, hold_unregister, &r), 0);
	sleep_ms(150);
	/* The handler is still inside: unregister must not have returned. */
	ck_assert_int_eq(ival(&unreg_returned_at), 0);
	atomic_store(&hold_release, 1);
	pthread_join(a, NULL);
	pthread_join(u, NULL);
	ck_assert_int_eq(r, 0);
	ck_assert_int_gt(ival(&hold_left_at), 0);
	ck_assert_int_gt(ival(&unreg_returned_at),
			 ival(&hold_left_at));
	ck_assert_uint_eq(bus_count(&hold_bus), 0);
	bus_destroy(&hold_bus);
}
END_TEST

/* --- handlers that change the bus they are called from ---------------- */

static struct bus self_bus;
static atomic_int self_calls;

static void dummy_fn(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		     bool is_write)
{
	(void)opaque, (void)off, (void)len;
	if (!is_write)
		data[0] = 0x42;
}

/* Removes its own range and another, and adds one, from inside. */
static void self_fn(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		    bool is_write)
{
	int *r = opaque;

	(void)off, (void)data, (void)len, (void)is_write;
	atomic_fetch_add(&self_calls, 1);
	r[0] = bus_unregister(&self_bus, 0x2000);
	r[1] = bus_unregister(&self_bus, 0x3000);
	r[2] = bus_register(&self_bus, 0x4000, 0x10, dummy_fn, NULL, "new");
	/* Our own range is gone for everyone else already. */
	r[3] = bus_unregister(&self_bus, 0x2000);
}

START_TEST(handler_changes_its_own_bus)
{
	int r[4] = { 1, 1, 1, 1 };
	uint8_t v = 0;

	bus_init(&self_bus, "test");
	ck_assert_int_eq(bus_register(&self_bus, 0x2000, 0x10, self_fn, r, "self"), 0);
	ck_assert_int_eq(bus_register(&self_bus, 0x3000, 0x10, dummy_fn, NULL, "other"), 0);
	ck_assert(bus_access(&self_bus, 0x2008, &v, 1, true, 0xff));
	ck_assert_int_eq(r[0], 0);
	ck_assert_int_eq(r[1], 0);
	ck_assert_int_eq(r[2], 0);
	ck_assert_int_eq(r[3], -ENOENT);
	ck_assert_int_eq(ival(&self_calls), 1);
	ck_assert(!bus_access(&self_bus, 0x2008, &v, 1, false, 0xff));
	ck_assert_uint_eq(v, 0xff);
	ck_assert(!bus_access(&self_bus, 0x3000, &v, 1, false, 0xff));
	ck_assert(bus_access(&self_bus, 0x4000, &v, 1, false, 0xff));
	ck_assert_uint_eq(v, 0x42);
	ck_assert_uint_eq(bus_count(&self_bus), 1);
	/* The same range registered again works like any other. */
	ck_assert_int_eq(bus_register(&self_bus, 0x2000, 0x10, self_fn, r, "self"), 0);
	ck_assert_int_eq(bus_register(&self_bus, 0x3000, 0x10, dummy_fn, NULL, "other"), 0);
	ck_assert_int_eq(bus_unregister(&self_bus, 0x4000), 0);
	ck_assert(bus_access(&self_bus, 0x2000, &v, 1, true, 0xff));
	ck_assert_int_eq(r[0] | r[1] | r[2], 0);
	ck_assert_int_eq(ival(&self_calls), 2);
	bus_destroy(&self_bus);
}
END_TEST

/* --- stress: dispatchers against a thread that adds and removes ------- */

/*
 * A stress test runs at least STRESS_SECONDS and until its events are
 * counted (ranges moved, handlers run in them), so a loaded host makes it
 * slower, not hollow; it fails only if the counts are not reached within
 * STRESS_BOUND, long enough for a load average of 24 on two cores.
 */
#define STRESS_SECONDS 0.4
#define STRESS_BOUND 30.0
#define DISPATCHERS 3
#define MOVING 32       /* ranges that come and go, 0x100 apart from 0x10000 */
#define STABLE_BASE 0x1000

static struct bus stress_bus;
static atomic_bool stress_stop;

/*
 * Waits until enough(arg) holds and STRESS_SECONDS have passed, or until
 * STRESS_BOUND; then tells the threads to stop. Returns whether enough
 * held (the caller asserts it, after joining the threads).
 */
static bool stress_until(bool (*enough)(void *), void *arg)
{
	double start = now();
	bool ok = false;

	for (;;) {
		double t = now() - start;

		ok = enough(arg);
		if ((ok && t >= STRESS_SECONDS) || t >= STRESS_BOUND)
			break;
		sleep_ms(10);
	}
	atomic_store(&stress_stop, true);
	return ok;
}

static void *dispatcher(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	uint8_t data[4];

	while (!atomic_load(&stress_stop)) {
		uint64_t addr = (seed = seed * 1103515245 + 12345) >> 16 & 1
					? STABLE_BASE + 4
					: 0x10000 + 0x100 * ((seed >> 8) % MOVING) + 8;

		bus_access(&stress_bus, addr, data, 4, (seed >> 4) & 1, 0xff);
	}
	return NULL;
}

static void *churn(void *arg)
{
	atomic_ulong *cycles = arg;
	struct state *cur[MOVING] = { 0 };

	for (unsigned int i = 0; !atomic_load(&stress_stop); i = (i + 1) % MOVING) {
		uint64_t base = 0x10000 + 0x100 * i;

		if (cur[i]) {
			ck_assert_int_eq(bus_unregister(&stress_bus, base), 0);
			state_retire(cur[i]);
			cur[i] = NULL;
			atomic_fetch_add(cycles, 1);
		} else {
			cur[i] = state_new();
			ck_assert_int_eq(bus_register(&stress_bus, base, 0x10,
						      canary_fn, cur[i], "moving"), 0);
		}
	}
	for (unsigned int i = 0; i < MOVING; i++)
		if (cur[i]) {
			ck_assert_int_eq(bus_unregister(&stress_bus,
							0x10000 + 0x100 * i), 0);
			state_retire(cur[i]);
		}
	return NULL;
}

/* The counts that make the churn test more than a hollow pass. */
#define CHURN_CYCLES 50   /* ranges registered and removed again */
#define CHURN_CALLS 100   /* handler calls, in moving and in stable ranges */

struct churn_counts {
	atomic_ulong cycles;
	struct state *stable;
};

static bool churn_enough(void *arg)
{
	struct churn_counts *c = arg;
	unsigned long stable = val(&c->stable->calls);

	return val(&c->cycles) > CHURN_CYCLES && stable > CHURN_CALLS &&
	       val(&handled) - stable > CHURN_CALLS;
}

START_TEST(dispatch_while_ranges_come_and_go)
{
	pthread_t d[DISPATCHERS], w;
	struct state *stable = state_new();
	struct churn_counts c = { .stable = stable };
	bool enough;

	atomic_store(&violations, 0);
	atomic_store(&handled, 0);
	atomic_store(&stress_stop, false);
	bus_init(&stress_bus, "test");
	ck_assert_int_eq(bus_register(&stress_bus, STABLE_BASE, 0x10, canary_fn,
				      stable, "stable"), 0);
	for (unsigned int i = 0; i < DISPATCHERS; i++)
		ck_assert_int_eq(pthread_create(&d[i], NULL, dispatcher,
						(void *)(uintptr_t)(i + 1)), 0);
	ck_assert_int_eq(pthread_create(&w, NULL, churn, &c.cycles), 0);
	enough = stress_until(churn_enough, &c);
	for (unsigned int i = 0; i < DISPATCHERS; i++)
		pthread_join(d[i], NULL);
	pthread_join(w, NULL);

	ck_assert_uint_eq(val(&violations), 0);
	/* Not a hollow pass: the ranges moved and handlers ran in them. */
	ck_assert_msg(enough, "in %.0f s: %lu cycles, %lu calls in moving ranges, %lu in the stable one",
		      STRESS_BOUND, val(&c.cycles),
		      val(&handled) - val(&stable->calls), val(&stable->calls));
	ck_assert_uint_eq(bus_count(&stress_bus), 1);
	bus_destroy(&stress_bus);
	free(stable);
	quarantine_free();
}
END_TEST

/*
 * --- stress: a "config space" handler moves a "BAR" ------------------
 * As VFIO will: a write to the config range (from any dispatcher) moves
 * the BAR range to the other of two bases and gives it fresh state, while
 * the dispatchers keep hitting both BAR addresses.
 */
#define CFG_BASE 0x100
#define BAR_A 0x20000
#define BAR_B 0x30000

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct state *bar_state;
static uint64_t bar_base;
static atomic_ulong moves, move_errors;

static void cfg_fn(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct state *next;
	uint64_t to;

	(void)opaque, (void)off, (void)len;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	/* A config-space lock the BAR's handler never takes (bus.h). */
	pthread_mutex_lock(&cfg_lock);
	to = bar_base == BAR_A ? BAR_B : BAR_A;
	next = state_new();
	if (bus_unregister(&stress_bus, bar_base) != 0 ||
	    bus_register(&stress_bus, to, 0x10, canary_fn, next, "bar") != 0)
		atomic_fetch_add(&move_errors, 1);
	state_retire(bar_state);
	bar_state = next;
	bar_base = to;
	atomic_fetch_add(&moves, 1);
	pthread_mutex_unlock(&cfg_lock);
}

static void *bar_dispatcher(void *arg)
{
	unsigned int seed = (unsigned int)(uintptr_t)arg;
	uint8_t data[4] = { 0 };

	while (!atomic_load(&stress_stop)) {
		unsigned int k = (seed = seed * 1103515245 + 12345) >> 16;
		uint64_t addr = k % 16 == 0 ? CFG_BASE
					    : (k & 1 ? BAR_A : BAR_B) + 4;

		bus_access(&stress_bus, addr, data, 4, addr == CFG_BASE || (k & 2),
			   0xff);
	}
	return NULL;
}

#define BAR_MOVES 50   /* the BAR moved by a config write */
#define BAR_CALLS 100  /* handler calls */

static bool bar_enough(void *arg)
{
	(void)arg;
	return val(&moves) > BAR_MOVES && val(&handled) > BAR_CALLS;
}

START_TEST(handler_moves_a_range_others_use)
{
	pthread_t d[DISPATCHERS];
	bool enough;

	atomic_store(&violations, 0);
	atomic_store(&handled, 0);
	atomic_store(&moves, 0);
	atomic_store(&move_errors, 0);
	atomic_store(&stress_stop, false);
	bus_init(&stress_bus, "test");
	bar_state = state_new();
	bar_base = BAR_A;
	ck_assert_int_eq(bus_register(&stress_bus, CFG_BASE, 4, cfg_fn, NULL, "cfg"), 0);
	ck_assert_int_eq(bus_register(&stress_bus, BAR_A, 0x10, canary_fn,
				      bar_state, "bar"), 0);
	for (unsigned int i = 0; i < DISPATCHERS; i++)
		ck_assert_int_eq(pthread_create(&d[i], NULL, bar_dispatcher,
						(void *)(uintptr_t)(i + 7)), 0);
	enough = stress_until(bar_enough, NULL);
	for (unsigned int i = 0; i < DISPATCHERS; i++)
		pthread_join(d[i], NULL);

	ck_assert_uint_eq(val(&violations), 0);
	ck_assert_uint_eq(val(&move_errors), 0);
	ck_assert_msg(enough, "in %.0f s: %lu moves, %lu handler calls",
		      STRESS_BOUND, val(&moves), val(&handled));
	ck_assert_uint_eq(bus_count(&stress_bus), 2);
	bus_destroy(&stress_bus);
	free(bar_state);
	quarantine_free();
}
END_TEST

Suite *bus_concurrent_suite(void)
{
	Suite *s = suite_create("bus_concurrent");
	TCase *tc = tcase_create("concurrent");

	tcase_set_timeout(tc, 2 * STRESS_BOUND + 10);
	tcase_add_test(tc, unregister_waits_for_running_handler);
	tcase_add_test(tc, handler_changes_its_own_bus);
	tcase_add_test(tc, dispatch_while_ranges_come_and_go);
	tcase_add_test(tc, handler_moves_a_range_others_use);
	suite_add_tcase(s, tc);
	return s;
}
