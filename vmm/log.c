// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum log_level log_level = LOG_WARN;

/* The length of the valid, non-control UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (s[0] == 0xc2 && s[1] < 0xa0)
		return 0; /* U+0080..U+009F: the C1 controls (0x9b is CSI) */
	return n;
}

char *log_escape(char *dst, size_t len, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t n = 0;

	if (!len)
		return dst;
	while (*s) {
		char esc[5];
		size_t w = utf8_len(s), elen;

		if (w) {
			if (n + w >= len)
				break;
			memcpy(dst + n, s, w);
			n += w;
			s += w;
			continue;
		}
		if (*s >= ' ' && *s < 0x7f) {
			esc[0] = (char)*s;
			elen = 1;
		} else if (*s == '\n' || *s == '\t' || *s == '\r') {
			esc[0] = '\\';
			esc[1] = *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r';
			elen = 2;
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);
			elen = 4;
		}
		if (n + elen >= len)
			break;
		memcpy(dst + n, esc, elen);
		n += elen;
		s++;
	}
	dst[n] = '\0';
	return dst;
}

void log_msg(enum log_level lvl, int errnum, const char *fmt, ...)
{
	char buf[512], line[2048];
	int n, saved_errno = errno;
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0) {
		errno = saved_errno;
		return;
	}
	log_escape(line, sizeof(line), buf);
	/* One fprintf per message so lines from vCPU threads do not interleave. */
	if (errnum)
		fprintf(stderr, "tessera: %s: %s\n", line, strerror(errnum));
	else
		fprintf(stderr, "tessera: %s\n", line);
	/* Callers log and then return -errno: logging must not change it. */
	errno = saved_errno;
}

uint32_t log_ratelimit_ok(struct log_ratelimit *rl, uint32_t burst)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (uint64_t)ts.tv_sec;
	if (atomic_exchange(&rl->window, now) != now)
		atomic_store(&rl->count, 0);
	if (atomic_fetch_add(&rl->count, 1) < burst)
		return atomic_exchange(&rl->missed, 0) + 1;
	atomic_fetch_add(&rl->missed, 1);
	return 0;
}

int err_printf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return code;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return code;
}
