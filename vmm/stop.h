/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stop signals (SIGINT, SIGTERM, SIGHUP) in every phase of `tessera run`.
 *
 * Until the first thread starts they end the process from a plain handler
 * (stop_early); from then on they are blocked in every thread and taken by
 * one thread of their own (sigwait), so that no phase can make the monitor
 * unkillable: a blocking open of a FIFO or of a file on a hung network file
 * system, a vCPU or an I/O thread that does not come back, a teardown that
 * waits on one.
 *
 * - Before the run (parsing, preflight, building the partition), a stop
 *   signal ends the process at once: nothing is worth finishing. One line
 *   says what the monitor was doing (the phase, see stop_phase()).
 * - During the run and the teardown, the stop hook (stop_set_hook()) asks
 *   for a clean stop; if the process has not ended STOP_BOUND_MS later, or
 *   on a second signal (STOP_REPEAT_MS after the first, at least), it ends anyway with one line naming what was stuck.
 *
 * The status is 128 + the signal's number in every case (status.h). The
 * process ends with _exit() from the signal thread: guest RAM is never
 * unmapped under a thread that may still touch it (the kernel tears the
 * whole process down at once), and a terminal put in raw mode is restored.
 */
#ifndef TESSERA_STOP_H
#define TESSERA_STOP_H

#include <stdbool.h>
#include <stddef.h>

/* From the first stop signal to the end of the process, at most. */
#define STOP_BOUND_MS 1000
/* A second stop signal this long after the first ends the process at once. */
#define STOP_REPEAT_MS 200

/* What the hook is called with: the signal's number. */
typedef void (*stop_hook_fn)(void *arg, int sig);

/*
 * Until stop_start(): a stop signal ends the process at once from a
 * handler, with the same line. Main thread, first thing in `run`.
 */
void stop_early(void);

/*
 * Blocks the stop signals (and SIGUSR1, the vCPU kick, which vcpu.c
 * unblocks where it wants it) in the calling thread, which every later
 * thread inherits, and starts the signal thread. Main thread, before any
 * other thread exists. 0 or -errno (logged).
 */
int stop_start(void);

/*
 * Records what the main thread (or the teardown) is doing now, for the
 * line printed when a stop signal finds the process there ("reading the
 * partition file 'x'"). printf-style; the text is escaped when printed.
 * Any thread.
 */
void stop_phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * From now on a stop signal calls fn(arg, sig) (from the signal thread)
 * and gives the process STOP_BOUND_MS to end; NULL goes back to ending at
 * once. fn must not block. Any thread.
 */
void stop_set_hook(stop_hook_fn fn, void *arg);

/*
 * The line printed when a stop signal ends the process: "stopped by
 * SIGTERM while <phase>" (forced: false) or "SIGTERM: still <phase> after
 * N ms; exiting anyway" (forced: true), in buf. Returns buf. Pure.
 */
char *stop_format_line(char *buf, size_t len, int sig, const char *phase,
		       bool forced, unsigned int waited_ms);

/*
 * Test-only: when TESSERA_TEST_STALL names this phase ("parse",
 * "preflight", "create", "run", "teardown"), the calling thread blocks
 * here for good, as a thread in an uninterruptible open would; integration
 * tests prove that a stop signal still ends the process. Otherwise
 * returns at once.
 */
void stop_test_stall(const char *phase);

#endif
