// SPDX-License-Identifier: GPL-2.0
/*
 * The Remote Serial Protocol codec. The protocol is in gdb's manual,
 * "Remote Protocol" (Overview, Packets, Stop Reply Packets); the quoted
 * section names below refer to it.
 */
#include "gdb/packet.h"

#include <errno.h>
#include <string.h>

enum { RX_IDLE, RX_DATA, RX_CSUM1, RX_CSUM2 };

void gdb_rx_init(struct gdb_rx *rx)
{
	rx->state = RX_IDLE;
	rx->len = 0;
	rx->overflow = false;
	rx->sum = 0;
	rx->csum = 0;
	rx->csum_bad = false;
}

int gdb_hex_digit(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void rx_start(struct gdb_rx *rx)
{
	rx->state = RX_DATA;
	rx->len = 0;
	rx->overflow = false;
	rx->sum = 0;
	rx->csum = 0;
	rx->csum_bad = false;
}

static void rx_csum_digit(struct gdb_rx *rx, uint8_t byte)
{
	int d = gdb_hex_digit(byte);

	if (d < 0)
		rx->csum_bad = true;
	rx->csum = (uint8_t)(rx->csum << 4 | (d < 0 ? 0 : d));
}

enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t byte)
{
	switch (rx->state) {
	case RX_IDLE:
		if (byte == '$')
			rx_start(rx);
		else if (byte == '+')
			return GDB_RX_ACK;
		else if (byte == '-')
			return GDB_RX_NACK;
		else if (byte == 0x03)
			return GDB_RX_INTERRUPT;
		return GDB_RX_NONE;
	case RX_DATA:
		if (byte == '$') { /* a lost '#': start over with this packet */
			rx_start(rx);
		} else if (byte == '#') {
			rx->state = RX_CSUM1;
		} else {
			rx->sum = (uint8_t)(rx->sum + byte);
			if (rx->len < sizeof(rx->buf))
				rx->buf[rx->len++] = byte;
			else
				rx->overflow = true;
		}
		return GDB_RX_NONE;
	case RX_CSUM1:
		rx_csum_digit(rx, byte);
		rx->state = RX_CSUM2;
		return GDB_RX_NONE;
	default:
		rx_csum_digit(rx, byte);
		rx->state = RX_IDLE;
		if (rx->csum_bad || rx->csum != rx->sum)
			return GDB_RX_BAD_CSUM;
		return rx->overflow ? GDB_RX_OVERFLOW : GDB_RX_PACKET;
	}
}

/* "Binary Data" and "Run-Length Encoding" of the Overview section. */
ssize_t gdb_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (c == '}') {
			if (++i == len)
				return -EINVAL;
			c = in[i] ^ 0x20;
		} else if (c == '*') {
			unsigned int repeat;

			if (n == 0 || ++i == len)
				return -EINVAL;
			if (in[i] < ' ' || in[i] > '~')
				return -EINVAL;
			repeat = (unsigned int)in[i] - 29;
			if (repeat > cap - n)
				return -ENOSPC;
			memset(out + n, out[n - 1], repeat);
			n += repeat;
			continue;
		}
		if (n == cap)
			return -ENOSPC;
		out[n++] = c;
	}
	out[n] = '\0';
	return (ssize_t)n;
}

static const char hexchars[] = "0123456789abcdef";

ssize_t gdb_frame(const uint8_t *payload, size_t len, uint8_t *out,
		  size_t cap)
{
	size_t n = 0;
	uint8_t sum = 0;

	if (cap < 4)
		return -ENOSPC;
	out[n++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = payload[i];
		bool esc = c == '$' || c == '#' || c == '}' || c == '*';

		/* Room for this byte (two if escaped) and "#cs". */
		if (cap - n < (esc ? 2u : 1u) + 3)
			return -ENOSPC;
		if (esc) {
			out[n++] = '}';
			sum = (uint8_t)(sum + '}');
			c ^= 0x20;
		}
		out[n++] = c;
		sum = (uint8_t)(sum + c);
	}
	out[n++] = '#';
	out[n++] = (uint8_t)hexchars[sum >> 4];
	out[n++] = (uint8_t)hexchars[sum & 0xf];
	return (ssize_t)n;
}

ssize_t gdb_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	if (cap == 0 || len > (cap - 1) / 2)
		return -ENOSPC;
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hexchars[in[i] >> 4];
		out[2 * i + 1] = hexchars[in[i] & 0xf];
	}
	out[2 * len] = '\0';
	return (ssize_t)(2 * len);
}

ssize_t gdb_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	if (len % 2)
		return -EINVAL;
	if (len / 2 > cap)
		return -ENOSPC;
	for (size_t i = 0; i < len / 2; i++) {
		int hi = gdb_hex_digit((uint8_t)in[2 * i]);
		int lo = gdb_hex_digit((uint8_t)in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (ssize_t)(len / 2);
}

int gdb_cur_hex(struct gdb_cursor *c, uint64_t *v)
{
	uint64_t x = 0;
	const char *start = c->p;
	int d;

	while (c->p < c->end && (d = gdb_hex_digit((uint8_t)*c->p)) >= 0) {
		if (x >> 60)
			return -EINVAL; /* a 17th significant digit */
		x = x << 4 | (uint64_t)d;
		c->p++;
	}
	if (c->p == start)
		return -EINVAL;
	*v = x;
	return 0;
}

bool gdb_cur_eat(struct gdb_cursor *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

bool gdb_cur_done(const struct gdb_cursor *c)
{
	return c->p >= c->end;
}

/* Thread ids are positive and fit in an int64_t; -1 is "all". */
static int cur_tid_part(struct gdb_cursor *c, int64_t *tid)
{
	uint64_t v;

	if (gdb_cur_eat(c, '-')) {
		if (!gdb_cur_eat(c, '1'))
			return -EINVAL;
		*tid = GDB_TID_ALL;
		return 0;
	}
	if (gdb_cur_hex(c, &v) || v > INT64_MAX)
		return -EINVAL;
	*tid = (int64_t)v;
	return 0;
}

/* "thread-id syntax" in "Packets". */
int gdb_cur_thread(struct gdb_cursor *c, int64_t *tid)
{
	int64_t pid;

	if (!gdb_cur_eat(c, 'p'))
		return cur_tid_part(c, tid);
	if (cur_tid_part(c, &pid))
		return -EINVAL;
	if (!gdb_cur_eat(c, '.')) {
		*tid = GDB_TID_ALL; /* "pP": all threads of process P */
		return 0;
	}
	return cur_tid_part(c, tid);
}

int gdb_parse_mem(const char *s, size_t len, bool want_data, uint64_t *addr,
		  uint64_t *count, const char **data, size_t *datalen)
{
	struct gdb_cursor c = { s, s + len };

	if (gdb_cur_hex(&c, addr) || !gdb_cur_eat(&c, ',') ||
	    gdb_cur_hex(&c, count))
		return -EINVAL;
	if (!want_data)
		return gdb_cur_done(&c) ? 0 : -EINVAL;
	if (!gdb_cur_eat(&c, ':'))
		return -EINVAL;
	*data = c.p;
	*datalen = (size_t)(c.end - c.p);
	return 0;
}

int gdb_parse_z(const char *s, size_t len, unsigned int *type,
		uint64_t *addr, uint64_t *kind)
{
	struct gdb_cursor c = { s, s + len };
	uint64_t t;

	if (gdb_cur_hex(&c, &t) || t > 4 || !gdb_cur_eat(&c, ',') ||
	    gdb_cur_hex(&c, addr) || !gdb_cur_eat(&c, ',') ||
	    gdb_cur_hex(&c, kind))
		return -EINVAL;
	if (!gdb_cur_done(&c) && !gdb_cur_eat(&c, ';'))
		return -EINVAL;
	*type = (unsigned int)t;
	return 0;
}

int gdb_parse_p_write(const char *s, size_t len, uint64_t *regno,
		      const char **val, size_t *vallen)
{
	struct gdb_cursor c = { s, s + len };

	if (gdb_cur_hex(&c, regno) || !gdb_cur_eat(&c, '='))
		return -EINVAL;
	*val = c.p;
	*vallen = (size_t)(c.end - c.p);
	return 0;
}

/* "vCont[;action[:thread-id]]..." in "Packets". */
int gdb_parse_vcont(const char *s, size_t len, struct gdb_vcont_action *acts,
		    size_t max)
{
	struct gdb_cursor c = { s, s + len };
	size_t n = 0;

	if (gdb_cur_done(&c))
		return -EINVAL;
	while (!gdb_cur_done(&c)) {
		struct gdb_vcont_action a = { 0, 0, GDB_TID_ALL };
		uint64_t sig;
		char ch;

		if (!gdb_cur_eat(&c, ';') || gdb_cur_done(&c) || n == max)
			return -EINVAL;
		ch = *c.p++;
		switch (ch) {
		case 'c':
		case 's':
		case 't':
			a.action = ch;
			break;
		case 'C':
		case 'S':
			if (gdb_cur_hex(&c, &sig) || sig > 0xff)
				return -EINVAL;
			a.action = ch == 'C' ? 'c' : 's';
			a.sig = (uint8_t)sig;
			break;
		default:
			return -EINVAL;
		}
		if (gdb_cur_eat(&c, ':') && gdb_cur_thread(&c, &a.tid))
			return -EINVAL;
		acts[n++] = a;
	}
	return (int)n;
}

/* Copies [from, to) as a NUL-terminated string; 0 or -EINVAL if too long. */
static int copy_field(const char *from, const char *to, char *out, size_t cap)
{
	size_t n = (size_t)(to - from);

	if (n >= cap)
		return -EINVAL;
	memcpy(out, from, n);
	out[n] = '\0';
	return 0;
}

int gdb_parse_qxfer_read(const char *s, size_t len, char *object,
			 size_t objcap, char *annex, size_t annexcap,
			 uint64_t *offset, uint64_t *length)
{
	const char *end = s + len, *colon;
	struct gdb_cursor c;

	colon = memchr(s, ':', len);
	if (!colon || copy_field(s, colon, object, objcap))
		return -EINVAL;
	s = colon + 1;
	if ((size_t)(end - s) < 5 || memcmp(s, "read:", 5))
		return -EINVAL;
	s += 5;
	colon = memchr(s, ':', (size_t)(end - s));
	if (!colon || copy_field(s, colon, annex, annexcap))
		return -EINVAL;
	c = (struct gdb_cursor){ colon + 1, end };
	if (gdb_cur_hex(&c, offset) || !gdb_cur_eat(&c, ',') ||
	    gdb_cur_hex(&c, length) || !gdb_cur_done(&c))
		return -EINVAL;
	return 0;
}
