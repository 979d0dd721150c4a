/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The real-time probe's unit of work, shared with the host-native loop
 * that is its reference (scripts/bench/rt_host.c): both count rounds of
 * the same busy body, compiled from this one source, so the counter
 * deviation in the guest and on the host can be compared.
 */
#ifndef RTPROBE_WORK_H
#define RTPROBE_WORK_H

#include <stdint.h>

#define PROBE_INNER_LOOP 64 /* iterations of the fixed busy body per count */

/* The cycle counter: the TSC on x86, the generic timer's virtual count on
 * arm64 (EL0 may read it once CNTKCTL_EL1.EL0VCTEN is set). */
static inline uint64_t probe_rdtsc(void)
{
#ifdef __aarch64__
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
#else
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
#endif
}

/* How many rounds of a fixed busy body fit between now and end (TSC). */
static inline uint64_t probe_count_until(uint64_t end)
{
	uint64_t n = 0;

	while (probe_rdtsc() < end) {
		for (unsigned int j = 0; j < PROBE_INNER_LOOP; j++)
			__asm__ volatile("" : "+r"(j));
		n++;
	}
	return n;
}

#endif
