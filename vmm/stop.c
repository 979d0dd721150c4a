// SPDX-License-Identifier: GPL-2.0
/* Stop signals in every phase of a run (stop.h). */
#include "stop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "status.h"
#include "vcpu.h"

/* The signal thread's state: signal flags and what the monitor is doing. */
static struct {
	pthread_mutex_t lock;
	char phase[256];
	stop_hook_fn hook;
	void *arg;
	bool tty_saved;
	struct termios tty;
} st = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

static const char *sig_name(int sig)
{
	switch (sig) {
	case SIGINT:
		return "SIGINT";
	case SIGTERM:
		return "SIGTERM";
	case SIGHUP:
		return "SIGHUP";
	}
	return "a signal";
}

char *stop_format_line(char *buf, size_t len, int sig, const char *phase,
		       bool forced, unsigned int waited_ms)
{
	char esc[512];

	log_escape(esc, sizeof(esc), phase && *phase ? phase : "starting");
	if (forced)
		snprintf(buf, len,
			 "tessera: %s: still %s after %u ms; exiting anyway\n",
			 sig_name(sig), esc, waited_ms);
	else
		snprintf(buf, len, "tessera: stopped by %s while %s\n",
			 sig_name(sig), esc);
	return buf;
}

/*
 * One line on stderr that cannot block the exit: a pipe nobody reads is
 * written through a non-blocking description of its own.
 */
static void write_line(const char *line)
{
	struct stat sb;
	int fd = 2;

	if (fstat(2, &sb) == 0 && S_ISFIFO(sb.st_mode)) {
		fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			return; /* better silent than stuck */
	}
	if (write(fd, line, strlen(line)) < 0) {
		/* nothing left to tell it to */
	}
	if (fd != 2)
		close(fd);
}

static void __attribute__((noreturn))
end_process(int sig, bool forced, unsigned int waited_ms)
{
	char phase[sizeof(st.phase)], line[640];

	pthread_mutex_lock(&st.lock);
	memcpy(phase, st.phase, sizeof(phase));
	pthread_mutex_unlock(&st.lock);
	write_line(stop_format_line(line, sizeof(line), sig, phase, forced,
				    waited_ms));
	if (st.tty_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &st.tty);
	_exit(TESSERA_EXIT_SIGNAL + sig);
}

/* Async-signal-safe: appends src to dst[*n], printable bytes only. */
static void put_safe(char *dst, size_t len, size_t *n, const char *src)
{
	for (; *src && *n + 2 < len; src++)
		dst[(*n)++] = (*src >= ' ' && *src < 0x7f) ? *src : '?';
}

/* Before the signal thread: the same line, from a handler, then the end. */
static void early_handler(int sig)
{
	char line[sizeof(st.phase) + 64];
	size_t n = 0;

	put_safe(line, sizeof(line), &n, "tessera: stopped by ");
	put_safe(line, sizeof(line), &n, sig_name(sig));
	put_safe(line, sizeof(line), &n, " while ");
	put_safe(line, sizeof(line), &n, st.phase[0] ? st.phase : "starting");
	line[n++] = '\n';
	if (write(2, line, n) < 0) {
		/* nothing left to tell it to */
	}
	_exit(TESSERA_EXIT_SIGNAL + sig);
}

void stop_early(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = early_handler;
	stop_signals(&set);
	sa.sa_mask = set; /* one at a time */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static unsigned int ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned int)((now.tv_sec - t0->tv_sec) * 1000 +
			      (now.tv_nsec - t0->tv_nsec) / 1000000);
}

static void *signal_thread(void *unused)
{
	struct timespec t0, left;
	int sig = 0, again;
	sigset_t set;

	(void)unused;
	stop_signals(&set);
	while (sigwait(&set, &sig) != 0)
		;
	/*
	 * The hook runs under the lock: once stop_set_hook() has replaced it,
	 * the old one (and what its arg points to) is no longer in use.
	 */
	pthread_mutex_lock(&st.lock);
	if (!st.hook) {
		pthread_mutex_unlock(&st.lock);
		end_process(sig, false, 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_info("stopping on %s (at most %d ms)", sig_name(sig), STOP_BOUND_MS);
	st.hook(st.arg, sig);
	pthread_mutex_unlock(&st.lock);
	for (;;) {
		unsigned int waited = ms_since(&t0);

		if (waited >= STOP_BOUND_MS)
			end_process(sig, true, waited);
		left.tv_sec = (STOP_BOUND_MS - waited) / 1000;
		left.tv_nsec = (long)((STOP_BOUND_MS - waited) % 1000) * 1000000;
		again = sigtimedwait(&set, NULL, &left);
		/*
		 * A second signal cuts the wait short, unless it is the same
		 * stop sent twice at once (timeout(1) signals the child and
		 * then its process group).
		 */
		if (again > 0 && ms_since(&t0) >= STOP_REPEAT_MS)
			end_process(sig, true, ms_since(&t0));
	}
	return NULL;
}

int stop_start(void)
{
	sigset_t set;
	pthread_t t;
	int r;

	stop_signals(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	r = pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (r) {
		log_err("pthread_sigmask: %s", strerror(r));
		return -r;
	}
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &st.tty) == 0)
		st.tty_saved = true;
	r = pthread_create(&t, NULL, signal_thread, NULL);
	if (r) {
		log_err("cannot start the signal thread: %s", strerror(r));
		return -r;
	}
	pthread_setname_np(t, "signals");
	pthread_detach(t);
	return 0;
}

void stop_phase(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&st.lock);
	va_start(ap, fmt);
	vsnprintf(st.phase, sizeof(st.phase), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&st.lock);
}

void stop_set_hook(stop_hook_fn fn, void *arg)
{
	pthread_mutex_lock(&st.lock);
	st.hook = fn;
	st.arg = arg;
	pthread_mutex_unlock(&st.lock);
}

void stop_test_stall(const char *phase)
{
	const char *want = getenv("TESSERA_TEST_STALL");

	if (!want || strcmp(want, phase))
		return;
	log_info("TESSERA_TEST_STALL: stalling in %s", phase);
	for (;;) /* poll: a call every thread's seccomp filter allows */
		poll(NULL, 0, -1); /* the stop signals are blocked: as in a stuck open */
}
