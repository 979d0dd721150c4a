// SPDX-License-Identifier: GPL-2.0
/*
 * Ring 3 of the real-time probe: the periodic task. Every section of this
 * file is renamed .user.* at build time (Makefile) and mapped user-
 * accessible, and nothing else is: this code may call nothing outside
 * this file and use no constant table (built with -fno-jump-tables and
 * -fno-builtin). On kvm_pvm hosts ring-3 code runs natively, so the
 * counts and the wake-up times seen here measure the machine, not KVM's
 * instruction emulator.
 */
#include "probe.h"

struct probe_shared probe_shared;
static uint8_t user_stack[16384] __attribute__((aligned(16)));
static uint32_t counts[PROBE_MAX_KEPT];
uint8_t *const probe_user_stack_end = user_stack + sizeof(user_stack);

static void record(struct probe_lat *l, uint64_t ticks, uint64_t khz)
{
	uint64_t ns = ticks * 1000000 / khz, us = ns / 1000;
	unsigned int b = 0;

	if (ticks > (1ULL << 60)) /* the handler ran before the deadline */
		ns = us = 0;
	while (us && b < PROBE_HIST_BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	l->hist[b]++;
	if (!l->n || ns < l->min_ns)
		l->min_ns = ns;
	if (ns > l->max_ns)
		l->max_ns = ns;
	l->sum_ns += ns;
	l->n++;
}

/* The ring-3 latency in 1 us buckets, as cyclictest -h keeps the host's. */
static void record_fine(struct probe_shared *s, uint64_t ticks)
{
	uint64_t us = ticks * 1000 / s->tsc_khz;

	if (ticks > (1ULL << 60)) /* before the deadline: see record() */
		us = 0;
	if (us < PROBE_FINE_US)
		s->fine[us]++;
	else
		s->fine_over++;
}

/* Waits for the next period's timer interrupt. */
static void wait_period(struct probe_shared *s, uint64_t seen)
{
	if (!s->spin) {
		PROBE_CALL(0x50); /* PROBE_VEC_SLEEP */
		return;
	}
	while (s->fired == seen)
		PROBE_RELAX();
}

/* How many kept periods' counts lie more than 1 % and 3 % off the mean. */
static void spread(struct probe_shared *s)
{
	uint64_t avg = s->cnt_n ? s->cnt_sum / s->cnt_n : 0;
	uint64_t kept = s->cnt_n < PROBE_MAX_KEPT ? s->cnt_n : PROBE_MAX_KEPT;

	for (uint64_t i = 0; i < kept; i++) {
		uint64_t d = counts[i] > avg ? counts[i] - avg : avg - counts[i];

		s->cnt_over1 += d * 100 > avg;
		s->cnt_over3 += d * 100 > avg * 3;
	}
}

void probe_user_main(void)
{
	struct probe_shared *s = &probe_shared;
	uint64_t seen = 0;

	for (uint32_t i = 0; i < s->warmup + s->periods; i++) {
		uint64_t woke, deadline, n;

		wait_period(s, seen);
		/*
		 * The deadline before the TSC: were the vCPU preempted for a
		 * period between the two reads, the next interrupt would
		 * replace the deadline with one later than "woke", and the
		 * latency would come out negative (recorded as 0) instead of
		 * long. Seen under load on kvm_pvm (issue 17).
		 */
		deadline = s->deadline;
		woke = probe_rdtsc();
		if (s->spin && s->fired - seen > 1) /* periods gone by unseen */
			s->overruns += s->fired - seen - 1;
		seen = s->fired;
		n = probe_count_until(woke + s->window);
		if (i < s->warmup)
			continue;
		record(&s->lat_cpl3, woke - deadline, s->tsc_khz);
		record_fine(s, woke - deadline);
		record(&s->lat_cpl0, s->isr_tsc - deadline, s->tsc_khz);
		if (!s->cnt_n || n < s->cnt_min)
			s->cnt_min = n;
		if (n > s->cnt_max)
			s->cnt_max = n;
		s->cnt_sum += n;
		if (s->cnt_n < PROBE_MAX_KEPT)
			counts[s->cnt_n] = (uint32_t)n;
		s->cnt_n++;
	}
	spread(s);
	for (;;)
		PROBE_CALL(0x51); /* PROBE_VEC_DONE */
}
