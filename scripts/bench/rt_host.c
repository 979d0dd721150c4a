// SPDX-License-Identifier: GPL-2.0
/*
 * The host-native reference for the real-time probe's counter (issue 17
 * item 5; scripts/bench/rt.sh): a periodic task on the host doing exactly
 * the probe's work (guests/rt/work.h, the same source), woken by an
 * absolute clock_nanosleep each period as cyclictest is. It keeps the
 * probe's statistics and prints them in the probe's format:
 *
 *   rthost: tsc_khz=N period_us=N window_us=N periods=N warmup=N cpu=N policy=fifo:N|other mlock=0|1
 *   rthost: latency host min_ns=N avg_ns=N max_ns=N n=N   (deadline -> woken)
 *   rthost: hist1us host US:N ...                          (1 us buckets, 16 a line)
 *   rthost: hist1us host over=N
 *   rthost: counter host min=N avg=N max=N maxdev=P.PP% over1pct=N over3pct=N
 *   rthost: overruns=N
 *   rthost: ok
 *
 * usage: rt_host [-c CPU] [-f PRIO] [-m] PERIOD_US PERIODS [WARMUP [WINDOW_PCT]]
 * Exit 0, or 1 with one line on stderr.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "work.h"

#define FINE_US 20000 /* as PROBE_FINE_US */
#define MAX_KEPT 65536

struct stats {
	uint64_t lat_min, lat_max, lat_sum, n, over_fine, overruns;
	uint64_t cnt_min, cnt_max, cnt_sum, cnt_n, over1, over3;
	uint32_t fine[FINE_US];
	uint32_t counts[MAX_KEPT];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per millisecond, against 50 ms of CLOCK_MONOTONIC. */
static uint64_t calibrate_tsc_khz(void)
{
	uint64_t t0 = now_ns(), c0 = probe_rdtsc(), t1, c1;
	struct timespec d = { 0, 50 * 1000 * 1000 };

	nanosleep(&d, NULL);
	t1 = now_ns();
	c1 = probe_rdtsc();
	return t1 > t0 ? (c1 - c0) * 1000000 / (t1 - t0) : 0;
}

static void record(struct stats *s, uint64_t lat_ns, uint64_t n)
{
	uint64_t us = lat_ns / 1000;

	if (us < FINE_US)
		s->fine[us]++;
	else
		s->over_fine++;
	if (!s->n || lat_ns < s->lat_min)
		s->lat_min = lat_ns;
	if (lat_ns > s->lat_max)
		s->lat_max = lat_ns;
	s->lat_sum += lat_ns;
	s->n++;
	if (!s->cnt_n || n < s->cnt_min)
		s->cnt_min = n;
	if (n > s->cnt_max)
		s->cnt_max = n;
	s->cnt_sum += n;
	if (s->cnt_n < MAX_KEPT)
		s->counts[s->cnt_n] = (uint32_t)n;
	s->cnt_n++;
}

/* The probe's report, word for word but for the prefix (rtprobe.c, user.c). */
static void report(struct stats *s)
{
	uint64_t avg = s->cnt_n ? s->cnt_sum / s->cnt_n : 0, dev = 0;
	uint64_t kept = s->cnt_n < MAX_KEPT ? s->cnt_n : MAX_KEPT;
	unsigned int on_line = 0;

	for (uint64_t i = 0; i < kept; i++) {
		uint64_t d = s->counts[i] > avg ? s->counts[i] - avg : avg - s->counts[i];

		s->over1 += d * 100 > avg;
		s->over3 += d * 100 > avg * 3;
	}
	if (avg) {
		dev = s->cnt_max - avg > avg - s->cnt_min ? s->cnt_max - avg : avg - s->cnt_min;
		dev = dev * 10000 / avg;
	}
	printf("rthost: latency host min_ns=%llu avg_ns=%llu max_ns=%llu n=%llu\n",
	       (unsigned long long)s->lat_min,
	       (unsigned long long)(s->n ? s->lat_sum / s->n : 0),
	       (unsigned long long)s->lat_max, (unsigned long long)s->n);
	for (unsigned int us = 0; us < FINE_US; us++) {
		if (!s->fine[us])
			continue;
		if (!on_line)
			printf("rthost: hist1us host");
		printf(" %u:%u", us, s->fine[us]);
		if (++on_line == 16) {
			printf("\n");
			on_line = 0;
		}
	}
	if (on_line)
		printf("\n");
	printf("rthost: hist1us host over=%llu\n", (unsigned long long)s->over_fine);
	printf("rthost: counter host min=%llu avg=%llu max=%llu maxdev=%llu.%02llu%% "
	       "over1pct=%llu over3pct=%llu\n",
	       (unsigned long long)s->cnt_min, (unsigned long long)avg,
	       (unsigned long long)s->cnt_max, (unsigned long long)(dev / 100),
	       (unsigned long long)(dev % 100), (unsigned long long)s->over1,
	       (unsigned long long)s->over3);
	printf("rthost: overruns=%llu\nrthost: ok\n", (unsigned long long)s->overruns);
}

static int parse_u32(const char *arg, unsigned int *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || n > 0xffffffffUL)
		return -EINVAL;
	*v = (unsigned int)n;
	return 0;
}

static int setup(int cpu, unsigned int prio, int lock)
{
	if (cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set) < 0) {
			fprintf(stderr, "rt_host: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
			return -errno;
		}
	}
	if (prio) {
		struct sched_param sp = { .sched_priority = (int)prio };

		if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
			fprintf(stderr, "rt_host: cannot set SCHED_FIFO %u: %s\n", prio, strerror(errno));
			return -errno;
		}
	}
	if (lock && mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
		fprintf(stderr, "rt_host: mlockall: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

int main(int argc, char **argv)
{
	unsigned int period_us, periods, warmup = 50, window_pct = 40, prio = 0, c;
	uint64_t khz, period_ns, window, next;
	struct stats *s;
	int cpu = -1, lock = 0, opt;

	while ((opt = getopt(argc, argv, "c:f:m")) != -1) {
		switch (opt) {
		case 'c':
			if (parse_u32(optarg, &c) < 0)
				goto usage;
			cpu = (int)c;
			break;
		case 'f':
			if (parse_u32(optarg, &prio) < 0 || !prio || prio > 99)
				goto usage;
			break;
		case 'm':
			lock = 1;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || argc > 4 || parse_u32(argv[0], &period_us) < 0 ||
	    parse_u32(argv[1], &periods) < 0 || (argc > 2 && parse_u32(argv[2], &warmup) < 0) ||
	    (argc > 3 && parse_u32(argv[3], &window_pct) < 0) || period_us < 50 || !periods ||
	    window_pct > 90)
		goto usage;
	s = calloc(1, sizeof(*s));
	if (!s) {
		fprintf(stderr, "rt_host: out of memory\n");
		return 1;
	}
	if (setup(cpu, prio, lock) < 0)
		return 1;
	khz = calibrate_tsc_khz();
	if (khz < 10000) {
		fprintf(stderr, "rt_host: TSC calibration failed: %llu kHz\n", (unsigned long long)khz);
		return 1;
	}
	period_ns = (uint64_t)period_us * 1000;
	window = khz * period_us / 1000 * window_pct / 100;
	printf("rthost: tsc_khz=%llu period_us=%u window_us=%u periods=%u warmup=%u cpu=%d "
	       "policy=%s%.0u mlock=%d\n",
	       (unsigned long long)khz, period_us, period_us * window_pct / 100, periods, warmup,
	       cpu, prio ? "fifo:" : "other", prio, lock);
	next = now_ns() + period_ns;
	for (unsigned int i = 0; i < warmup + periods; i++) {
		struct timespec ts = { (time_t)(next / 1000000000ULL), (long)(next % 1000000000ULL) };
		uint64_t woke, woke_tsc, n, late;
		int r;

		while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
			;
		if (r) {
			fprintf(stderr, "rt_host: clock_nanosleep: %s\n", strerror(r));
			return 1;
		}
		woke = now_ns();
		woke_tsc = probe_rdtsc();
		late = woke > next ? woke - next : 0;
		n = probe_count_until(woke_tsc + window);
		next += period_ns;
		if (next <= now_ns()) { /* late by whole periods: skip them, as the probe does */
			s->overruns++;
			while (next <= now_ns())
				next += period_ns;
		}
		if (i >= warmup)
			record(s, late, n);
	}
	report(s);
	free(s);
	return 0;
usage:
	fprintf(stderr, "usage: rt_host [-c CPU] [-f PRIO] [-m] PERIOD_US PERIODS [WARMUP [WINDOW_PCT]]\n");
	return 2;
}
