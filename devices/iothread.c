// SPDX-License-Identifier: GPL-2.0
#include "iothread.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "stop.h"

int iothread_init(struct iothread *t, const char *label)
{
	memset(t, 0, sizeof(*t));
	t->label = label;
	t->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return t->stop_fd < 0 ? -errno : 0;
}

/*
 * Test-only (TESSERA_TEST_IOTHREAD_STALL): the thread is stuck from the
 * start, as one inside a read from a hung disk would be, and never looks
 * at stop_fd; tests/integration/stop_bounded.sh stops the monitor anyway.
 */
static void *stalled(void *arg)
{
	(void)arg;
	for (;;)
		poll(NULL, 0, -1);
	return NULL;
}

int iothread_start(struct iothread *t, const char *name,
		   void *(*fn)(void *), void *arg)
{
	int r;

	if (getenv("TESSERA_TEST_IOTHREAD_STALL")) {
		log_info("%s: TESSERA_TEST_IOTHREAD_STALL: the I/O thread stalls",
			 t->label);
		fn = stalled;
	}
	r = pthread_create(&t->thread, NULL, fn, arg);

	if (r) {
		log_err("%s: cannot start the I/O thread: %s", t->label,
			strerror(r));
		return -r;
	}
	pthread_setname_np(t->thread, name);
	t->started = true;
	return 0;
}

int iothread_stop(struct iothread *t, int timeout_s)
{
	struct timespec deadline;
	uint64_t one = 1;
	int r;

	if (!t->started)
		return 0;
	if (write(t->stop_fd, &one, sizeof(one)) < 0)
		log_err_errno("%s: cannot stop the I/O thread", t->label);
	stop_phase("waiting for the I/O thread of %s to stop", t->label);
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += timeout_s;
	r = pthread_timedjoin_np(t->thread, NULL, &deadline);
	if (r) {
		log_err("%s: I/O thread did not stop within %d s (%s); leaving it",
			t->label, timeout_s, strerror(r));
		return -ETIMEDOUT;
	}
	t->started = false;
	return 0;
}

void iothread_destroy(struct iothread *t)
{
	if (t->stop_fd >= 0)
		close(t->stop_fd);
	t->stop_fd = -1;
}
