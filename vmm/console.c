// SPDX-License-Identifier: GPL-2.0
#include "console.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static int open_stdout(void)
{
	struct stat st;
	int fd;

	/*
	 * A pipe or terminal gets its own non-blocking open file description,
	 * so a stalled reader cannot block the main thread and the flag does
	 * not leak into the shell that shares fd 1. Regular files never block.
	 */
	if (fstat(STDOUT_FILENO, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open("/proc/self/fd/1", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return STDOUT_FILENO;
}

static int open_input(struct console *c)
{
	struct termios raw;

	c->in_fd = STDIN_FILENO;
	if (!isatty(STDIN_FILENO))
		return 0;
	if (tcgetattr(STDIN_FILENO, &c->saved) < 0)
		return 0;
	raw = c->saved;
	cfmakeraw(&raw);
	/* Keep output post-processing so the host terminal stays sane. */
	raw.c_oflag |= OPOST;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0) {
		log_warn_errno("cannot put the terminal in raw mode");
		return 0;
	}
	c->tty = true;
	return 0;
}

int console_open(struct console *c, enum serial_mode mode, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->out_fd = c->in_fd = -1;
	pthread_mutex_init(&c->lock, NULL);
	c->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->wake_fd < 0) {
		log_err_errno("eventfd");
		return -errno;
	}
	switch (mode) {
	case SERIAL_STDIO:
		c->out_fd = open_stdout();
		c->out_close = c->out_fd != STDOUT_FILENO;
		return open_input(c);
	case SERIAL_FILE:
		c->out_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
				 0644);
		if (c->out_fd < 0) {
			int e = errno;

			log_err("--serial: cannot open '%s': %s", path,
				strerror(e));
			return -e;
		}
		c->out_close = true;
		return 0;
	case SERIAL_NONE:
		return 0;
	}
	return -EINVAL;
}

void console_wake(void *opaque)
{
	struct console *c = opaque;
	uint64_t one = 1;

	if (write(c->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_ratelimited(LOG_WARN, "console wake-up failed");
}

void console_put(void *opaque, uint8_t byte)
{
	struct console *c = opaque;
	bool was_empty;

	if (c->out_fd < 0)
		return;
	pthread_mutex_lock(&c->lock);
	if (c->len == CONSOLE_RING_SIZE) {
		c->dropped++;
		pthread_mutex_unlock(&c->lock);
		return;
	}
	was_empty = c->len == 0;
	c->ring[(c->head + c->len) % CONSOLE_RING_SIZE] = byte;
	c->len++;
	pthread_mutex_unlock(&c->lock);
	if (was_empty)
		console_wake(c);
}

/* Takes up to max contiguous bytes off the ring into buf. */
static size_t ring_take(struct console *c, uint8_t *buf, size_t max)
{
	size_t n;

	pthread_mutex_lock(&c->lock);
	n = c->len < max ? c->len : max;
	for (size_t i = 0; i < n; i++)
		buf[i] = c->ring[(c->head + i) % CONSOLE_RING_SIZE];
	pthread_mutex_unlock(&c->lock);
	return n;
}

static void ring_consume(struct console *c, size_t n)
{
	pthread_mutex_lock(&c->lock);
	c->head = (c->head + n) % CONSOLE_RING_SIZE;
	c->len -= n;
	pthread_mutex_unlock(&c->lock);
}

void console_flush(struct console *c, int timeout_ms)
{
	uint8_t buf[4096];
	size_t n;

	if (c->out_fd < 0)
		return;
	while ((n = ring_take(c, buf, sizeof(buf))) > 0) {
		ssize_t w = write(c->out_fd, buf, n);

		if (w > 0) {
			ring_consume(c, (size_t)w);
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = c->out_fd, .events = POLLOUT };

			if (poll(&p, 1, timeout_ms) > 0)
				continue;
			return; /* stalled reader: try again on the next wake-up */
		}
		/* A closed or failed output: discard, as a real UART would. */
		log_warn_errno("console output failed, discarding it");
		if (c->out_close)
			close(c->out_fd);
		c->out_fd = -1;
		return;
	}
}

size_t console_filter_escape(bool *escape, const uint8_t *in, size_t n,
			     uint8_t *out, bool *quit)
{
	size_t o = 0;

	*quit = false;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = in[i];

		if (*escape) {
			*escape = false;
			if (b == 'x' || b == 'X') {
				*quit = true;
				return o;
			}
			if (b == CONSOLE_ESCAPE)
				out[o++] = b;
			/* Any other byte after Ctrl-A is swallowed. */
			continue;
		}
		if (b == CONSOLE_ESCAPE) {
			*escape = true;
			continue;
		}
		out[o++] = b;
	}
	return o;
}

void console_set_input(struct console *c, console_rx_fn rx, void *opaque)
{
	c->rx = rx;
	c->rx_opaque = opaque;
}

bool console_wants_input(const struct console *c)
{
	return c->in_fd >= 0 && c->rx && c->pending_off == c->pending_len;
}

enum console_event console_input(struct console *c, bool readable)
{
	uint8_t raw[sizeof(c->pending)];
	bool quit = false;
	ssize_t r;

	if (c->pending_off < c->pending_len) {
		c->pending_off += c->rx(c->rx_opaque, c->pending + c->pending_off,
					c->pending_len - c->pending_off);
		return CONSOLE_OK;
	}
	if (c->in_fd < 0 || !c->rx || !readable)
		return CONSOLE_OK; /* never a blocking read on the main thread */
	r = read(c->in_fd, raw, sizeof(raw));
	if (r < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return CONSOLE_OK;
		log_warn_errno("console input failed, closing it");
		r = 0;
	}
	if (r == 0) {
		c->in_fd = -1; /* EOF: the guest simply gets no more input */
		return CONSOLE_OK;
	}
	if (c->tty)
		c->pending_len = console_filter_escape(&c->escape, raw,
						       (size_t)r, c->pending,
						       &quit);
	else
		memcpy(c->pending, raw, (c->pending_len = (size_t)r));
	c->pending_off = c->rx(c->rx_opaque, c->pending, c->pending_len);
	return quit ? CONSOLE_QUIT : CONSOLE_OK;
}

void console_close(struct console *c, int timeout_ms)
{
	console_flush(c, timeout_ms);
	if (c->tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &c->saved);
		c->tty = false;
	}
	if (c->dropped)
		log_warn("console: %llu output bytes dropped (output stalled)",
			 (unsigned long long)c->dropped);
	if (c->out_close && c->out_fd >= 0)
		close(c->out_fd);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	c->out_fd = c->in_fd = c->wake_fd = -1;
	pthread_mutex_destroy(&c->lock);
}
