/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The GDB Remote Serial Protocol codec: framing ($payload#cs), checksums,
 * acks, escapes ('}'), run-length decoding ('*'), hex, and the argument
 * syntax of the packets the stub serves. Pure and bounded: it touches no
 * file, socket or global, every length is checked against the size of the
 * buffer it is written to, and any byte sequence is valid input (it is
 * fuzzed: tests/fuzz/gdb_packet_fuzz.c). Any thread; no locking (the
 * caller owns each struct).
 */
#ifndef TESSERA_GDB_PACKET_H
#define TESSERA_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The largest packet payload we accept or send, in bytes on the wire
 * between '$' and '#'. Advertised to gdb as PacketSize (in hex).
 */
#define GDB_PACKET_MAX 0x4000

enum gdb_rx_event {
	GDB_RX_NONE,      /* byte consumed, nothing complete yet */
	GDB_RX_PACKET,    /* a complete packet, checksum good: rx->buf/len */
	GDB_RX_BAD_CSUM,  /* a complete packet whose checksum is wrong */
	GDB_RX_OVERFLOW,  /* a complete packet longer than GDB_PACKET_MAX, dropped */
	GDB_RX_ACK,       /* '+' between packets */
	GDB_RX_NACK,      /* '-' between packets: resend the last packet */
	GDB_RX_INTERRUPT, /* 0x03 between packets: Ctrl-C */
};

/* Receiver state. The payload of the last GDB_RX_PACKET is buf[0..len). */
struct gdb_rx {
	int state;
	size_t len;
	bool overflow;
	uint8_t sum;  /* running checksum of the payload */
	uint8_t csum; /* the checksum as sent */
	bool csum_bad;  /* a checksum digit was not hex */
	uint8_t buf[GDB_PACKET_MAX];
};

void gdb_rx_init(struct gdb_rx *rx);

/*
 * Feeds one received byte. Bytes outside a packet other than '+', '-',
 * 0x03 and '$' are ignored; a '$' inside a packet starts a new one (gdb
 * resynchronises the same way).
 */
enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t byte);

/*
 * Decodes a received payload: "}x" becomes x ^ 0x20 and "c*n" repeats c
 * (n - 29) more times. Writes at most cap bytes plus a NUL (so cap + 1
 * must fit in out) and returns the decoded length, -EINVAL for a dangling
 * '}', a '*' with nothing to repeat or a count outside ' '..'~', or
 * -ENOSPC when the result does not fit.
 */
ssize_t gdb_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap);

/*
 * Frames a payload: "$" + payload with '$', '#', '}' and '*' escaped + "#"
 * + two hex digits of checksum. Returns the frame length or -ENOSPC if it
 * needs more than cap bytes.
 */
ssize_t gdb_frame(const uint8_t *payload, size_t len, uint8_t *out,
		  size_t cap);

/* The value of a hex digit, or -1. */
int gdb_hex_digit(uint8_t c);

/*
 * Writes len bytes as 2 * len lowercase hex digits and a NUL. Returns the
 * number of digits or -ENOSPC when 2 * len + 1 > cap.
 */
ssize_t gdb_hex_encode(const uint8_t *in, size_t len, char *out, size_t cap);

/*
 * Reads len hex digits into len / 2 bytes. Returns the byte count,
 * -EINVAL for an odd length or a non-hex digit, -ENOSPC when len / 2 > cap.
 */
ssize_t gdb_hex_decode(const char *in, size_t len, uint8_t *out, size_t cap);

/* A read position in a decoded packet: [p, end). */
struct gdb_cursor {
	const char *p, *end;
};

/*
 * Reads a hex number of 1 to 16 significant digits (leading zeros are
 * free). Returns 0 or -EINVAL (no digit, or too large for 64 bits).
 */
int gdb_cur_hex(struct gdb_cursor *c, uint64_t *v);

/* Consumes ch if it is next. */
bool gdb_cur_eat(struct gdb_cursor *c, char ch);

/* Whether the cursor is at the end. */
bool gdb_cur_done(const struct gdb_cursor *c);

/* Thread ids: GDB_TID_ALL is "-1", GDB_TID_ANY is "0", else 1, 2, ... */
#define GDB_TID_ALL (-1)
#define GDB_TID_ANY 0

/*
 * Reads a thread id: "-1", a hex id, or the multiprocess form "pP.T"
 * (whose T is returned; "p-1" and "pP" mean all). Returns 0 or -EINVAL.
 */
int gdb_cur_thread(struct gdb_cursor *c, int64_t *tid);

/*
 * "ADDR,LEN" (m) or "ADDR,LEN:DATA" (M, X): the packet's text after its
 * letter. With want_data, a ':' must follow and *data, *datalen give the
 * rest; without, nothing may follow LEN. Returns 0 or -EINVAL.
 */
int gdb_parse_mem(const char *s, size_t len, bool want_data, uint64_t *addr,
		  uint64_t *count, const char **data, size_t *datalen);

/*
 * "TYPE,ADDR,KIND" of Z and z packets (after the letter); anything from a
 * ';' on (conditions, commands) is ignored. Returns 0 or -EINVAL.
 */
int gdb_parse_z(const char *s, size_t len, unsigned int *type,
		uint64_t *addr, uint64_t *kind);

/*
 * "N=VALUE" of a P packet: register number and the hex bytes of its value.
 * Returns 0 or -EINVAL (value: *val, *vallen hex digits, not checked).
 */
int gdb_parse_p_write(const char *s, size_t len, uint64_t *regno,
		      const char **val, size_t *vallen);

struct gdb_vcont_action {
	char action;  /* 'c', 's' or 't' ('C' and 'S' fold into c and s) */
	uint8_t sig;  /* the signal of C and S, else 0 */
	int64_t tid;  /* the thread it applies to; GDB_TID_ALL when none given */
};

/*
 * The actions of "vCont;ACTION[:TID];..." (s points after "vCont").
 * Stores at most max actions; more, an unknown action or a bad thread id
 * give -EINVAL. Returns the number of actions (at least 1).
 */
int gdb_parse_vcont(const char *s, size_t len, struct gdb_vcont_action *acts,
		    size_t max);

/*
 * "OBJECT:read:ANNEX:OFFSET,LENGTH" of qXfer (s points after "qXfer:").
 * Copies the object name and annex (NUL-terminated, truncation is an
 * error). Returns 0 or -EINVAL.
 */
int gdb_parse_qxfer_read(const char *s, size_t len, char *object,
			 size_t objcap, char *annex, size_t annexcap,
			 uint64_t *offset, uint64_t *length);

#endif
