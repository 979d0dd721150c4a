// SPDX-License-Identifier: GPL-2.0
/*
 * What both real-time probes' privileged halves share (x86: rtprobe.c in
 * ring 0; arm64: guests/arm64/rtprobe.c at EL1): the rtprobe.* options and
 * the report of what the unprivileged half (user.c) measured.
 */
#include <stdbool.h>

#include <guest.h>

#include "probe.h"

static bool starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

static bool parse_u32(const char *s, uint32_t *v)
{
	uint64_t n = 0;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((n = n * 10 + (uint64_t)(*s - '0')) > 0xffffffffu)
			return false;
	*v = (uint32_t)n;
	return *s == ' ' || *s == '\0';
}

int probe_parse_options(const char *cmdline, struct probe_options *o)
{
	static const char *const keys[] = {
		"rtprobe.period_us=", "rtprobe.periods=", "rtprobe.warmup=",
		"rtprobe.window_pct=",
	};
	uint32_t *vals[] = { &o->period_us, &o->periods, &o->warmup,
			     &o->window_pct };

	for (const char *p = cmdline; p && *p; p++) {
		if (p != cmdline && p[-1] != ' ')
			continue;
		for (unsigned int k = 0; k < 4; k++) {
			unsigned int n = 0;

			while (keys[k][n])
				n++;
			if (starts(p, keys[k]) && !parse_u32(p + n, vals[k]))
				return -1;
		}
		if (starts(p, "rtprobe.idle=spin"))
			o->spin = 1;
	}
	if (o->period_us < 50 || o->periods == 0 || o->window_pct > 90)
		return -1;
	return 0;
}

static void put_kv(const char *key, uint64_t v)
{
	uart_puts(key);
	uart_put_dec(v);
}

void probe_start(struct probe_shared *s, const struct probe_options *o)
{
	s->period = s->tsc_khz * o->period_us / 1000;
	s->window = s->period * o->window_pct / 100;
	s->periods = o->periods;
	s->warmup = o->warmup;
	s->spin = o->spin;
	put_kv("rtprobe: tsc_khz=", s->tsc_khz);
	put_kv(" period_us=", o->period_us);
	put_kv(" window_us=", o->period_us * o->window_pct / 100);
	put_kv(" periods=", o->periods);
	put_kv(" warmup=", o->warmup);
	uart_puts(o->spin ? " idle=spin\n" : " idle=hlt\n");
}

static void put_lat(const char *mode, const struct probe_lat *l)
{
	uart_puts("rtprobe: latency ");
	uart_puts(mode);
	put_kv(" min_ns=", l->min_ns);
	put_kv(" avg_ns=", l->n ? l->sum_ns / l->n : 0);
	put_kv(" max_ns=", l->max_ns);
	put_kv(" n=", l->n);
	uart_puts("\n");
}

static void put_hist(const char *mode, const struct probe_lat *l)
{
	uart_puts("rtprobe: hist ");
	uart_puts(mode);
	for (unsigned int b = 0; b < PROBE_HIST_BUCKETS; b++) {
		if (!l->hist[b])
			continue;
		put_kv(" ", b ? 1ULL << (b - 1) : 0);
		if (b == PROBE_HIST_BUCKETS - 1)
			uart_puts("+us=");
		else
			put_kv("-", 1ULL << b), uart_puts("us=");
		uart_put_dec(l->hist[b]);
	}
	uart_puts("\n");
}

/*
 * The unprivileged latency's 1 us histogram (the plots' and percentiles'
 * source, in cyclictest -h's buckets): non-empty buckets, 16 to a line,
 * then the count past the last bucket.
 */
static void put_fine(const struct probe_shared *s)
{
	unsigned int on_line = 0;

	for (unsigned int us = 0; us < PROBE_FINE_US; us++) {
		if (!s->fine[us])
			continue;
		if (!on_line)
			uart_puts("rtprobe: hist1us cpl3");
		put_kv(" ", us);
		put_kv(":", s->fine[us]);
		if (++on_line == 16) {
			uart_puts("\n");
			on_line = 0;
		}
	}
	if (on_line)
		uart_puts("\n");
	put_kv("rtprobe: hist1us cpl3 over=", s->fine_over);
	uart_puts("\n");
}

void probe_put_report(const struct probe_shared *s)
{
	uint64_t avg = s->cnt_n ? s->cnt_sum / s->cnt_n : 0, dev = 0;

	if (avg) { /* the larger distance from the mean, in 1/100 % */
		dev = s->cnt_max - avg > avg - s->cnt_min ? s->cnt_max - avg
							  : avg - s->cnt_min;
		dev = dev * 10000 / avg;
	}
	put_lat("cpl0", &s->lat_cpl0);
	put_lat("cpl3", &s->lat_cpl3);
	put_hist("cpl3", &s->lat_cpl3);
	put_fine(s);
	put_kv("rtprobe: counter cpl3 min=", s->cnt_min);
	put_kv(" avg=", avg);
	put_kv(" max=", s->cnt_max);
	put_kv(" maxdev=", dev / 100);
	uart_puts(".");
	uart_putc((char)('0' + dev / 10 % 10));
	uart_putc((char)('0' + dev % 10));
	uart_puts("%");
	put_kv(" over1pct=", s->cnt_over1);
	put_kv(" over3pct=", s->cnt_over3);
	uart_puts("\n");
	put_kv("rtprobe: overruns=", s->overruns);
}
