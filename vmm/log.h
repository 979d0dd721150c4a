/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging. Every message goes to stderr prefixed with "tessera: ", as one
 * line of printable text (log_escape).
 * The level is the only mutable global (set once by main).
 * Safe to call from any thread.
 */
#ifndef TESSERA_LOG_H
#define TESSERA_LOG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

enum log_level { LOG_QUIET = -1, LOG_ERR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_level log_level;

void log_msg(enum log_level lvl, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...) log_msg(LOG_ERR, 0, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, 0, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, 0, __VA_ARGS__)
/* The _errno variants append strerror(errno) as saved at the call.
 * Logging leaves errno as it found it, so `log_err_errno(...); return -errno;` holds. */
#define log_err_errno(...) log_msg(LOG_ERR, errno, __VA_ARGS__)
#define log_warn_errno(...) log_msg(LOG_WARN, errno, __VA_ARGS__)

/*
 * Copies src into dst (len bytes, always NUL-terminated when len > 0) as
 * one line of printable text: control bytes (C0, DEL, C1) and bytes that
 * are not valid UTF-8 become \n, \t, \r or \xNN, so a value from the
 * user or a guest cannot break a log line or drive a terminal. Valid UTF-8
 * passes. Returns dst. log_msg() does this to every message. Pure.
 */
char *log_escape(char *dst, size_t len, const char *src);

/*
 * Formats a one-line reason into err (errlen bytes; NULL or 0 to skip) for
 * a caller to report and returns code: the helper every pure parser uses
 * to fail.
 */
int err_printf(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Rate limiting for messages a guest can trigger: at most `burst` messages
 * per second from one call site; the number suppressed is reported with the
 * next message that gets through.
 */
struct log_ratelimit {
	_Atomic uint64_t window; /* second of the current window */
	_Atomic uint32_t count;  /* messages in the window */
	_Atomic uint32_t missed; /* suppressed since the last printed one */
};

/* Returns the number of suppressed messages + 1 if this one may print, 0 if not. */
uint32_t log_ratelimit_ok(struct log_ratelimit *rl, uint32_t burst);

/*
 * The level is checked first: guest-triggered debug messages sit on exit
 * paths, and a disabled one must cost no clock read.
 */
#define log_ratelimited(lvl, ...)                                          \
	do {                                                               \
		static struct log_ratelimit rl_;                           \
		uint32_t ok_;                                              \
		if ((lvl) > log_level)                                     \
			break;                                             \
		ok_ = log_ratelimit_ok(&rl_, 10);                          \
		if (ok_ > 1)                                               \
			log_msg(lvl, 0, "(%u similar messages suppressed)", \
				ok_ - 1);                                  \
		if (ok_)                                                   \
			log_msg(lvl, 0, __VA_ARGS__);                      \
	} while (0)

#endif
