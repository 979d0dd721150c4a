/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A device's I/O thread: start, and a bounded stop. The thread watches
 * stop_fd (an eventfd, with poll or epoll) beside its own descriptors and
 * returns when it becomes readable. One copy for every device (virtio-blk,
 * virtio-net, later VFIO); main thread.
 */
#ifndef TESSERA_IOTHREAD_H
#define TESSERA_IOTHREAD_H

#include <pthread.h>
#include <stdbool.h>

/*
 * The stack an I/O thread runs on: glibc's default, sized from
 * RLIMIT_STACK (8 MiB on Debian). What the preflight counts per device.
 */
#define IOTHREAD_STACK (8ULL << 20)

struct iothread {
	int stop_fd;          /* eventfd the thread must watch */
	pthread_t thread;
	bool started;
	const char *label;    /* for messages; the owner keeps it alive */
};

/* Creates stop_fd. 0 or -errno. t is then safe for iothread_destroy(). */
int iothread_init(struct iothread *t, const char *label);

/*
 * Starts fn(arg) named name (at most 15 characters). 0 or -errno (logged).
 */
int iothread_start(struct iothread *t, const char *name,
		   void *(*fn)(void *), void *arg);

/*
 * Signals stop_fd and joins the thread, waiting at most timeout_s seconds.
 * Returns 0 when the thread ended (or never started), or -ETIMEDOUT
 * (logged): the thread is still running and the caller must leave alone
 * everything it uses (leak it rather than free it under the thread).
 */
int iothread_stop(struct iothread *t, int timeout_s);

/* Closes stop_fd. After iothread_stop() returned 0. Idempotent. */
void iothread_destroy(struct iothread *t);

#endif
