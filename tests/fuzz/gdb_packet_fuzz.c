// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzes the gdb Remote Serial Protocol codec (vmm/gdb/packet.c): the
 * input is a byte stream from a debugger. Every packet it holds is decoded
 * and handed to every argument parser, and must survive a round trip
 * through gdb_frame and the receiver unchanged. The --gdb endpoint parser
 * gets the input as a string too.
 *
 * Built with clang -fsanitize=fuzzer,address by `make fuzz`; `make check`
 * links it with tests/fuzz/replay.c instead and replays the seed corpus
 * tests/fuzz/corpus/gdb_packet/.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "gdb/packet.h"

static struct gdb_rx rx, rx2;
static uint8_t dec[GDB_PACKET_MAX + 1], dec2[GDB_PACKET_MAX + 1];
static uint8_t frame[2 * GDB_PACKET_MAX + 4];
static uint8_t bytes[64];
static char text[64];

/* Each parser on s, whatever packet it is: they must all be total. */
static void parse_all(const char *s, size_t len)
{
	struct gdb_vcont_action acts[8];
	struct gdb_cursor c = { s, s + len };
	const char *data;
	char obj[16], annex[32];
	uint64_t a, b;
	size_t dlen;
	unsigned int type;
	int64_t tid;
	int n;

	gdb_parse_mem(s, len, false, &a, &b, NULL, NULL);
	if (gdb_parse_mem(s, len, true, &a, &b, &data, &dlen) == 0 &&
	    (data < s || data + dlen != s + len))
		abort();
	gdb_parse_z(s, len, &type, &a, &b);
	if (gdb_parse_p_write(s, len, &a, &data, &dlen) == 0)
		gdb_hex_decode(data, dlen, bytes, sizeof(bytes));
	n = gdb_parse_vcont(s, len, acts, 8);
	if (n > 8)
		abort();
	gdb_parse_qxfer_read(s, len, obj, sizeof(obj), annex, sizeof(annex),
			     &a, &b);
	if (gdb_cur_thread(&c, &tid) == 0 && c.p > c.end)
		abort();
	gdb_hex_decode(s, len, bytes, sizeof(bytes));
	gdb_hex_encode((const uint8_t *)s, len, text, sizeof(text));
}

/* A decoded packet framed again must come back byte for byte. */
static void round_trip(const uint8_t *p, size_t len)
{
	ssize_t n = gdb_frame(p, len, frame, sizeof(frame)), m = -1;
	enum gdb_rx_event ev = GDB_RX_NONE;

	if (n < 0)
		abort(); /* len <= GDB_PACKET_MAX always fits twice over */
	gdb_rx_init(&rx2);
	for (ssize_t i = 0; i < n; i++)
		ev = gdb_rx_feed(&rx2, frame[i]);
	if (ev == GDB_RX_PACKET)
		m = gdb_decode(rx2.buf, rx2.len, dec2, GDB_PACKET_MAX);
	/* Escaping can double a packet past the receiver's limit. */
	if (ev == GDB_RX_OVERFLOW && 2 * len > GDB_PACKET_MAX)
		return;
	if (ev != GDB_RX_PACKET || m != (ssize_t)len || memcmp(dec2, p, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gdb_endpoint ep;
	char *str;

	gdb_rx_init(&rx);
	for (size_t i = 0; i < size; i++) {
		ssize_t n;

		if (gdb_rx_feed(&rx, data[i]) != GDB_RX_PACKET)
			continue;
		if (rx.len > GDB_PACKET_MAX)
			abort();
		n = gdb_decode(rx.buf, rx.len, dec, GDB_PACKET_MAX);
		if (n < 0)
			continue;
		if (dec[n] != '\0')
			abort();
		parse_all((const char *)dec, (size_t)n);
		if (n > 0)
			parse_all((const char *)dec + 1, (size_t)n - 1);
		round_trip(dec, (size_t)n);
	}
	str = malloc(size + 1);
	if (str) {
		memcpy(str, data, size);
		str[size] = '\0';
		config_parse_gdb_endpoint(str, &ep);
		free(str);
	}
	return 0;
}
