/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real-time probe's two halves share this page: ring 0 (rtprobe.c:
 * timer, sleep and report) writes the period's deadline and the TSC at
 * its interrupt's entry; ring 3 (user.c: the work loop) keeps every
 * statistic, at native speed, and ring 0 prints them at the end.
 */
#ifndef RTPROBE_H
#define RTPROBE_H

#include <stdint.h>

#include "work.h"

#define PROBE_HIST_BUCKETS 18 /* [0,1) us, [1,2), [2,4) ... [65536, inf) */
#define PROBE_VEC_TIMER 0x30
#define PROBE_VEC_SLEEP 0x50 /* int $0x50 from ring 3: wait for the next period */
#define PROBE_VEC_DONE 0x51  /* int $0x51 from ring 3: report and exit */
#define PROBE_FINE_US 20000 /* 1 us buckets of the ring-3 latency (plots, percentiles) */

struct probe_lat {
	uint64_t min_ns, max_ns, sum_ns, n;
	uint64_t hist[PROBE_HIST_BUCKETS];
};

struct probe_shared {
	/* Set by ring 0 before the first period. */
	uint64_t tsc_khz;
	uint64_t period;  /* TSC ticks */
	uint64_t window;  /* TSC ticks of counted work per period */
	uint32_t periods; /* measured periods */
	uint32_t warmup;  /* periods run first and not measured */
	uint32_t spin;    /* 1: ring 3 spins between periods instead of halting */
	/* Written by the timer interrupt, read by ring 3. */
	volatile uint64_t deadline; /* the deadline that last fired */
	volatile uint64_t isr_tsc;  /* TSC at that interrupt's entry (ring 0) */
	volatile uint64_t fired;    /* timer interrupts so far */
	volatile uint64_t overruns; /* a period's interrupt came before ring 3 slept */
	/* Kept by ring 3. */
	struct probe_lat lat_cpl0; /* deadline -> timer handler entry (ring 0) */
	struct probe_lat lat_cpl3; /* deadline -> the work loop resumes (ring 3) */
	uint64_t cnt_min, cnt_max, cnt_sum, cnt_n; /* work counts per period */
	uint64_t cnt_over1, cnt_over3; /* periods more than 1 % / 3 % off the mean */
	uint64_t fine_over;		/* ring-3 latencies of PROBE_FINE_US or more */
	uint32_t fine[PROBE_FINE_US];	/* ring-3 latencies, 1 us buckets */
};

#define PROBE_MAX_KEPT 65536 /* periods whose counts ring 3 keeps */

extern struct probe_shared probe_shared;
extern uint8_t *const probe_user_stack_end;
void probe_user_main(void);

/*
 * The unprivileged half's two calls and its pause (x86: int $0x50/0x51
 * from ring 3; arm64: svc #0x50/0x51 from EL0). "cpl0"/"cpl3" in the
 * report name the privileged and the unprivileged level (EL1/EL0 on arm64).
 */
#ifdef __aarch64__
#define PROBE_CALL(vec) __asm__ volatile("svc #" #vec ::: "memory")
#define PROBE_RELAX() __asm__ volatile("yield" ::: "memory")
#else
#define PROBE_CALL(vec) __asm__ volatile("int $" #vec ::: "memory")
#define PROBE_RELAX() __asm__ volatile("pause" ::: "memory")
#endif

/* The options (guests/rt/common.c), from the kernel command line. */
struct probe_options {
	uint32_t period_us, periods, warmup, window_pct, spin;
};
/* Fills o from cmdline (o holds the defaults). 0, or -1: a bad value. */
int probe_parse_options(const char *cmdline, struct probe_options *o);
/* Sets s's period, window, counts and idle mode from o and s->tsc_khz
 * (timer ticks per ms), then prints the "rtprobe: tsc_khz=..." line. */
void probe_start(struct probe_shared *s, const struct probe_options *o);
/* The report, up to "rtprobe: overruns=N" (no newline: an arch adds its own). */
void probe_put_report(const struct probe_shared *s);

#endif
