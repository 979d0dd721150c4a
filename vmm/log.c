// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum log_level log_level = LOG_WARN;

void log_msg(enum log_level lvl, int errnum, const char *fmt, ...)
{
	char buf[512];
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
	/* One fprintf per message so lines from vCPU threads do not interleave. */
	if (errnum)
		fprintf(stderr, "tessera: %s: %s\n", buf, strerror(errnum));
	else
		fprintf(stderr, "tessera: %s\n", buf);
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
