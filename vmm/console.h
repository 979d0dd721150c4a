/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the serial console. Output: vCPU threads push bytes into
 * a bounded ring (console_put never blocks; when the ring is full bytes are
 * dropped and counted) and the main thread drains it. Input: the main thread
 * reads stdin when the UART has room; on a terminal, stdin is put in raw
 * mode (restored by console_close) and Ctrl-A x quits, Ctrl-A Ctrl-A sends
 * Ctrl-A.
 */
#ifndef TESSERA_CONSOLE_H
#define TESSERA_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "config.h"
#include "serial8250.h"

#define CONSOLE_RING_SIZE (64 * 1024)
#define CONSOLE_ESCAPE 0x01 /* Ctrl-A */

struct console {
	int out_fd;       /* -1: output discarded */
	bool out_close;   /* we opened out_fd */
	int in_fd;        /* -1: no input */
	bool tty;         /* in_fd is a terminal we put in raw mode */
	struct termios saved;
	bool escape;      /* the previous input byte was Ctrl-A */
	int wake_fd;      /* eventfd: output pending or RX space freed */

	pthread_mutex_t lock;
	uint8_t ring[CONSOLE_RING_SIZE];
	size_t head, len;
	uint64_t dropped;
	uint8_t pending[256]; /* input read but not yet taken by the UART */
	size_t pending_len, pending_off;
};

enum console_event { CONSOLE_OK, CONSOLE_QUIT };

/* Opens the output and input per the config. 0 or -errno (logged). Main thread. */
int console_open(struct console *c, enum serial_mode mode, const char *path);

/* Restores the terminal, flushes for at most timeout_ms, reports drops. */
void console_close(struct console *c, int timeout_ms);

/* serial8250 tx callback: queue a byte for output. Any thread, never blocks. */
void console_put(void *opaque, uint8_t byte);

/* serial8250 rx_space callback: wake the main thread. Any thread. */
void console_wake(void *opaque);

/* Writes what the ring holds, waiting at most timeout_ms. Main thread. */
void console_flush(struct console *c, int timeout_ms);

/*
 * Moves input into the UART: first what is pending, else, if poll said
 * in_fd is readable, a fresh read. Returns CONSOLE_QUIT on Ctrl-A x. On EOF
 * the input is closed. Main thread.
 */
enum console_event console_input(struct console *c, struct serial8250 *uart,
				 bool readable);

/* Whether the main loop should poll in_fd now (input open, nothing pending). */
bool console_wants_input(const struct console *c);

/*
 * Filters terminal input for the escape sequence: copies bytes from in to
 * out (at most n), consuming Ctrl-A sequences. Returns the number of bytes
 * written to out, and sets *quit on Ctrl-A x. Pure; unit-tested.
 */
size_t console_filter_escape(bool *escape, const uint8_t *in, size_t n,
			     uint8_t *out, bool *quit);

#endif
