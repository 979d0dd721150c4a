/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The host side of the serial console. Output: vCPU threads push bytes into
 * a bounded ring (console_put never blocks; when the ring is full bytes are
 * dropped and counted) and the main thread drains it. Input: the main thread
 * reads stdin and hands it to an input sink (the board's UART, set with
 * console_set_input), keeping what the sink has no room for until the sink
 * calls console_wake; on a terminal, stdin is put in raw mode (restored by
 * console_close) and Ctrl-A x quits, Ctrl-A Ctrl-A sends Ctrl-A. The
 * console knows no UART type.
 */
#ifndef TESSERA_CONSOLE_H
#define TESSERA_CONSOLE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

#include "config.h"

#define CONSOLE_RING_SIZE (64 * 1024)
#define CONSOLE_ESCAPE 0x01 /* Ctrl-A */

/*
 * An input sink: takes at most n bytes of buf and returns how many it took.
 * Main thread; must not block.
 */
typedef size_t (*console_rx_fn)(void *opaque, const uint8_t *buf, size_t n);

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
	console_rx_fn rx;     /* input sink, NULL: input is not read */
	void *rx_opaque;
	uint8_t pending[256]; /* input read but not yet taken by the sink */
	size_t pending_len, pending_off;
};

enum console_event { CONSOLE_OK, CONSOLE_QUIT };

/* Opens the output and input per the config. 0 or -errno (logged). Main thread. */
int console_open(struct console *c, enum serial_mode mode, const char *path);

/* Sets where input goes (after console_open). Main thread. */
void console_set_input(struct console *c, console_rx_fn rx, void *opaque);

/* Restores the terminal, flushes for at most timeout_ms, reports drops. */
void console_close(struct console *c, int timeout_ms);

/* Queues a byte for output (a UART's transmit). Any thread, never blocks. */
void console_put(void *opaque, uint8_t byte);

/* Wakes the main thread: output pending, or the sink has room again. Any thread. */
void console_wake(void *opaque);

/* Writes what the ring holds, waiting at most timeout_ms. Main thread. */
void console_flush(struct console *c, int timeout_ms);

/*
 * Moves input into the sink: first what is pending, else, if poll said
 * in_fd is readable, a fresh read. Returns CONSOLE_QUIT on Ctrl-A x. On EOF
 * the input is closed. Main thread.
 */
enum console_event console_input(struct console *c, bool readable);

/* Whether the main loop should poll in_fd now (input open, a sink, nothing pending). */
bool console_wants_input(const struct console *c);

/*
 * Filters terminal input for the escape sequence: copies bytes from in to
 * out (at most n), consuming Ctrl-A sequences. Returns the number of bytes
 * written to out, and sets *quit on Ctrl-A x. Pure; unit-tested.
 */
size_t console_filter_escape(bool *escape, const uint8_t *in, size_t n,
			     uint8_t *out, bool *quit);

#endif
