// SPDX-License-Identifier: GPL-2.0
/* The gdb Remote Serial Protocol codec and the --gdb endpoint parser. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "gdb/packet.h"
#include "suites.h"

static struct gdb_rx rx;

/* Feeds a string; returns the last event that was not GDB_RX_NONE. */
static enum gdb_rx_event feed(const void *bytes, size_t len)
{
	enum gdb_rx_event last = GDB_RX_NONE, ev;

	for (size_t i = 0; i < len; i++) {
		ev = gdb_rx_feed(&rx, ((const uint8_t *)bytes)[i]);
		if (ev != GDB_RX_NONE)
			last = ev;
	}
	return last;
}

static enum gdb_rx_event feed_str(const char *s)
{
	return feed(s, strlen(s));
}

START_TEST(rx_good_packet)
{
	gdb_rx_init(&rx);
	ck_assert_int_eq(feed_str("$g#67"), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, 1);
	ck_assert_int_eq(rx.buf[0], 'g');
	/* Upper-case checksum digits, and an empty packet. */
	ck_assert_int_eq(feed_str("$qC#B4"), GDB_RX_PACKET);
	ck_assert_int_eq(feed_str("$#00"), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, 0);
}
END_TEST

START_TEST(rx_bad_checksum)
{
	gdb_rx_init(&rx);
	ck_assert_int_eq(feed_str("$g#68"), GDB_RX_BAD_CSUM);
	ck_assert_int_eq(feed_str("$g#6x"), GDB_RX_BAD_CSUM);
	ck_assert_int_eq(feed_str("$g#x7"), GDB_RX_BAD_CSUM);
	/* The receiver recovers. */
	ck_assert_int_eq(feed_str("$g#67"), GDB_RX_PACKET);
}
END_TEST

START_TEST(rx_acks_and_interrupt)
{
	gdb_rx_init(&rx);
	ck_assert_int_eq(gdb_rx_feed(&rx, '+'), GDB_RX_ACK);
	ck_assert_int_eq(gdb_rx_feed(&rx, '-'), GDB_RX_NACK);
	ck_assert_int_eq(gdb_rx_feed(&rx, 0x03), GDB_RX_INTERRUPT);
	ck_assert_int_eq(gdb_rx_feed(&rx, 'x'), GDB_RX_NONE);
	ck_assert_int_eq(gdb_rx_feed(&rx, '#'), GDB_RX_NONE);
	/* Inside a packet, those bytes are data. */
	ck_assert_int_eq(feed_str("$+-#58"), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, 2);
	ck_assert_int_eq(feed("$\x03#03", 5), GDB_RX_PACKET);
	ck_assert_int_eq(rx.buf[0], 0x03);
}
END_TEST

START_TEST(rx_resync_on_dollar)
{
	gdb_rx_init(&rx);
	ck_assert_int_eq(feed_str("$garbage$g#67"), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, 1);
}
END_TEST

/* A packet of n bytes 'a' with a correct checksum. */
static char *big_packet(size_t n)
{
	char *s = malloc(n + 5);
	unsigned int sum = 0;

	ck_assert_ptr_nonnull(s);
	s[0] = '$';
	memset(s + 1, 'a', n);
	for (size_t i = 0; i < n; i++)
		sum += 'a';
	snprintf(s + 1 + n, 4, "#%02x", sum & 0xff);
	return s;
}

START_TEST(rx_size_limit)
{
	char *s;

	gdb_rx_init(&rx);
	s = big_packet(GDB_PACKET_MAX);
	ck_assert_int_eq(feed_str(s), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, GDB_PACKET_MAX);
	free(s);
	s = big_packet(GDB_PACKET_MAX + 1);
	ck_assert_int_eq(feed_str(s), GDB_RX_OVERFLOW);
	free(s);
	s = big_packet(3 * GDB_PACKET_MAX);
	ck_assert_int_eq(feed_str(s), GDB_RX_OVERFLOW);
	free(s);
	ck_assert_int_eq(feed_str("$g#67"), GDB_RX_PACKET);
	ck_assert_uint_eq(rx.len, 1);
}
END_TEST

static ssize_t decode_str(const char *in, uint8_t *out, size_t cap)
{
	return gdb_decode((const uint8_t *)in, strlen(in), out, cap);
}

START_TEST(decode_escapes_and_rle)
{
	uint8_t out[64];

	ck_assert_int_eq(decode_str("}]}\x03}\x04}\x0a", out, sizeof(out) - 1), 4);
	ck_assert_mem_eq(out, "}#$*", 4);
	ck_assert_int_eq(decode_str("0* ", out, sizeof(out) - 1), 4);
	ck_assert_str_eq((char *)out, "0000");
	ck_assert_int_eq(decode_str("ab*!c", out, sizeof(out) - 1), 7);
	ck_assert_str_eq((char *)out, "abbbbbc");
	/* A repeated escaped byte. */
	ck_assert_int_eq(decode_str("}]* ", out, sizeof(out) - 1), 4);
	ck_assert_mem_eq(out, "}}}}", 4);
}
END_TEST

START_TEST(decode_errors)
{
	uint8_t out[16];

	ck_assert_int_eq(decode_str("abc}", out, sizeof(out) - 1), -EINVAL);
	ck_assert_int_eq(decode_str("*!", out, sizeof(out) - 1), -EINVAL);
	ck_assert_int_eq(decode_str("a*", out, sizeof(out) - 1), -EINVAL);
	ck_assert_int_eq(gdb_decode((const uint8_t *)"a*\x1f", 3, out,
				    sizeof(out) - 1), -EINVAL);
	ck_assert_int_eq(decode_str("a*\x7f", out, sizeof(out) - 1), -EINVAL);
	/* 97 repeats do not fit in 15 bytes; neither do 16 plain ones. */
	ck_assert_int_eq(decode_str("a*~", out, sizeof(out) - 1), -ENOSPC);
	ck_assert_int_eq(decode_str("0123456789abcdef", out, 15), -ENOSPC);
	ck_assert_int_eq(decode_str("0123456789abcde", out, 15), 15);
	ck_assert_int_eq(decode_str("", out, 0), 0);
}
END_TEST

START_TEST(frame_escapes_and_checksum)
{
	uint8_t out[64];

	ck_assert_int_eq(gdb_frame((const uint8_t *)"OK", 2, out, sizeof(out)), 6);
	ck_assert_mem_eq(out, "$OK#9a", 6);
	ck_assert_int_eq(gdb_frame((const uint8_t *)"", 0, out, sizeof(out)), 4);
	ck_assert_mem_eq(out, "$#00", 4);
	ck_assert_int_eq(gdb_frame((const uint8_t *)"a$#}*", 5, out, sizeof(out)), 13);
	ck_assert_mem_eq(out, "$a}\x04}\x03}]}\x0a#", 10);
	/* Too small, by one byte, at every length. */
	for (size_t cap = 0; cap < 13; cap++)
		ck_assert_int_eq(gdb_frame((const uint8_t *)"a$#}*", 5, out, cap),
				 -ENOSPC);
}
END_TEST

/* Whatever we frame comes back unchanged through the receiver. */
START_TEST(frame_round_trip)
{
	static uint8_t payload[GDB_PACKET_MAX], frame[2 * GDB_PACKET_MAX + 4];
	static uint8_t back[GDB_PACKET_MAX + 1];
	unsigned int seed = 1;
	ssize_t n, m;

	gdb_rx_init(&rx);
	for (unsigned int round = 0; round < 50; round++) {
		size_t len = (size_t)rand_r(&seed) % (GDB_PACKET_MAX / 2);

		for (size_t i = 0; i < len; i++)
			payload[i] = (uint8_t)rand_r(&seed);
		n = gdb_frame(payload, len, frame, sizeof(frame));
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(feed(frame, (size_t)n), GDB_RX_PACKET);
		m = gdb_decode(rx.buf, rx.len, back, GDB_PACKET_MAX);
		ck_assert_int_eq(m, (ssize_t)len);
		ck_assert(memcmp(back, payload, len) == 0);
	}
}
END_TEST

START_TEST(hex)
{
	uint8_t bytes[4];
	char text[9];

	ck_assert_int_eq(gdb_hex_encode((const uint8_t *)"\x01\xab\xff", 3, text,
					sizeof(text)), 6);
	ck_assert_str_eq(text, "01abff");
	ck_assert_int_eq(gdb_hex_encode(bytes, 4, text, 8), -ENOSPC);
	ck_assert_int_eq(gdb_hex_encode(bytes, 4, text, 9), 8);
	ck_assert_int_eq(gdb_hex_encode(bytes, 0, text, 0), -ENOSPC);
	ck_assert_int_eq(gdb_hex_decode("01AbfF", 6, bytes, sizeof(bytes)), 3);
	ck_assert_mem_eq(bytes, "\x01\xab\xff", 3);
	ck_assert_int_eq(gdb_hex_decode("012", 3, bytes, sizeof(bytes)), -EINVAL);
	ck_assert_int_eq(gdb_hex_decode("0g", 2, bytes, sizeof(bytes)), -EINVAL);
	ck_assert_int_eq(gdb_hex_decode("0011223344", 10, bytes, 4), -ENOSPC);
	ck_assert_int_eq(gdb_hex_decode("", 0, bytes, 0), 0);
}
END_TEST

START_TEST(cursor_hex)
{
	struct gdb_cursor c;
	uint64_t v;

	c = (struct gdb_cursor){ "ffffffffffffffff,", NULL };
	c.end = c.p + strlen(c.p);
	ck_assert_int_eq(gdb_cur_hex(&c, &v), 0);
	ck_assert_uint_eq(v, UINT64_MAX);
	ck_assert(gdb_cur_eat(&c, ','));
	ck_assert(gdb_cur_done(&c));
	c = (struct gdb_cursor){ "00000000000000000001", NULL };
	c.end = c.p + strlen(c.p);
	ck_assert_int_eq(gdb_cur_hex(&c, &v), 0);
	ck_assert_uint_eq(v, 1);
	c = (struct gdb_cursor){ "10000000000000000", NULL };
	c.end = c.p + strlen(c.p);
	ck_assert_int_eq(gdb_cur_hex(&c, &v), -EINVAL);
	c = (struct gdb_cursor){ ",1", NULL };
	c.end = c.p + strlen(c.p);
	ck_assert_int_eq(gdb_cur_hex(&c, &v), -EINVAL);
	/* The cursor never reads past end, even without a NUL. */
	c = (struct gdb_cursor){ "12345", NULL };
	c.end = c.p + 2;
	ck_assert_int_eq(gdb_cur_hex(&c, &v), 0);
	ck_assert_uint_eq(v, 0x12);
}
END_TEST

static int thread(const char *s, int64_t *tid)
{
	struct gdb_cursor c = { s, s + strlen(s) };
	int r = gdb_cur_thread(&c, tid);

	return r ?: (gdb_cur_done(&c) ? 0 : -EINVAL);
}

START_TEST(thread_ids)
{
	int64_t tid;

	ck_assert_int_eq(thread("-1", &tid), 0);
	ck_assert_int_eq(tid, GDB_TID_ALL);
	ck_assert_int_eq(thread("0", &tid), 0);
	ck_assert_int_eq(tid, GDB_TID_ANY);
	ck_assert_int_eq(thread("1f", &tid), 0);
	ck_assert_int_eq(tid, 0x1f);
	ck_assert_int_eq(thread("p1.2", &tid), 0);
	ck_assert_int_eq(tid, 2);
	ck_assert_int_eq(thread("p1.-1", &tid), 0);
	ck_assert_int_eq(tid, GDB_TID_ALL);
	ck_assert_int_eq(thread("p2a", &tid), 0);
	ck_assert_int_eq(tid, GDB_TID_ALL);
	ck_assert_int_eq(thread("-2", &tid), -EINVAL);
	ck_assert_int_eq(thread("p", &tid), -EINVAL);
	ck_assert_int_eq(thread("8000000000000000", &tid), -EINVAL);
	ck_assert_int_eq(thread("", &tid), -EINVAL);
}
END_TEST

START_TEST(parse_memory_args)
{
	const char *data;
	uint64_t addr, count;
	size_t dlen;

	ck_assert_int_eq(gdb_parse_mem("101000,40", 9, false, &addr, &count,
				       NULL, NULL), 0);
	ck_assert_uint_eq(addr, 0x101000);
	ck_assert_uint_eq(count, 0x40);
	ck_assert_int_eq(gdb_parse_mem("10,2:abcd", 9, true, &addr, &count,
				       &data, &dlen), 0);
	ck_assert_uint_eq(dlen, 4);
	ck_assert_mem_eq(data, "abcd", 4);
	ck_assert_int_eq(gdb_parse_mem("10,0:", 5, true, &addr, &count, &data,
				       &dlen), 0);
	ck_assert_uint_eq(dlen, 0);
	ck_assert_int_eq(gdb_parse_mem("10,2", 4, true, &addr, &count, &data,
				       &dlen), -EINVAL);
	ck_assert_int_eq(gdb_parse_mem("10,2:", 5, false, &addr, &count, NULL,
				       NULL), -EINVAL);
	ck_assert_int_eq(gdb_parse_mem("10", 2, false, &addr, &count, NULL,
				       NULL), -EINVAL);
	ck_assert_int_eq(gdb_parse_mem(",2", 2, false, &addr, &count, NULL,
				       NULL), -EINVAL);
	ck_assert_int_eq(gdb_parse_mem("1,ffffffffffffffffff", 20, false, &addr,
				       &count, NULL, NULL), -EINVAL);
}
END_TEST

START_TEST(parse_breakpoints)
{
	unsigned int type;
	uint64_t addr, kind;

	ck_assert_int_eq(gdb_parse_z("0,101320,1", 10, &type, &addr, &kind), 0);
	ck_assert_uint_eq(type, 0);
	ck_assert_uint_eq(addr, 0x101320);
	ck_assert_uint_eq(kind, 1);
	ck_assert_int_eq(gdb_parse_z("2,107028,8;X1,0", 15, &type, &addr, &kind), 0);
	ck_assert_uint_eq(type, 2);
	ck_assert_int_eq(gdb_parse_z("5,0,1", 5, &type, &addr, &kind), -EINVAL);
	ck_assert_int_eq(gdb_parse_z("0,1", 3, &type, &addr, &kind), -EINVAL);
	ck_assert_int_eq(gdb_parse_z("0,1,1x", 6, &type, &addr, &kind), -EINVAL);
}
END_TEST

START_TEST(parse_register_write)
{
	const char *val;
	uint64_t regno;
	size_t vlen;

	ck_assert_int_eq(gdb_parse_p_write("10=2010100000000000", 19, &regno,
					   &val, &vlen), 0);
	ck_assert_uint_eq(regno, 0x10);
	ck_assert_uint_eq(vlen, 16);
	ck_assert_int_eq(gdb_parse_p_write("10", 2, &regno, &val, &vlen), -EINVAL);
	ck_assert_int_eq(gdb_parse_p_write("=1", 2, &regno, &val, &vlen), -EINVAL);
}
END_TEST

static int vcont(const char *s, struct gdb_vcont_action *a, size_t max)
{
	return gdb_parse_vcont(s, strlen(s), a, max);
}

START_TEST(parse_vcont)
{
	struct gdb_vcont_action a[4];

	ck_assert_int_eq(vcont(";c", a, 4), 1);
	ck_assert_int_eq(a[0].action, 'c');
	ck_assert_int_eq(a[0].tid, GDB_TID_ALL);
	ck_assert_int_eq(vcont(";s:1;c", a, 4), 2);
	ck_assert_int_eq(a[0].action, 's');
	ck_assert_int_eq(a[0].tid, 1);
	ck_assert_int_eq(a[1].action, 'c');
	ck_assert_int_eq(vcont(";C05:2;S0b:p1.3;t", a, 4), 3);
	ck_assert_int_eq(a[0].action, 'c');
	ck_assert_int_eq(a[0].sig, 5);
	ck_assert_int_eq(a[0].tid, 2);
	ck_assert_int_eq(a[1].action, 's');
	ck_assert_int_eq(a[1].sig, 0xb);
	ck_assert_int_eq(a[1].tid, 3);
	ck_assert_int_eq(a[2].action, 't');
	ck_assert_int_eq(vcont("", a, 4), -EINVAL);
	ck_assert_int_eq(vcont(";", a, 4), -EINVAL);
	ck_assert_int_eq(vcont("c", a, 4), -EINVAL);
	ck_assert_int_eq(vcont(";r1,2:1", a, 4), -EINVAL);
	ck_assert_int_eq(vcont(";C", a, 4), -EINVAL);
	ck_assert_int_eq(vcont(";C100", a, 4), -EINVAL);
	ck_assert_int_eq(vcont(";c:", a, 4), -EINVAL);
	ck_assert_int_eq(vcont(";c;c;c;c", a, 4), 4);
	ck_assert_int_eq(vcont(";c;c;c;c;c", a, 4), -EINVAL);
}
END_TEST

START_TEST(parse_qxfer)
{
	char obj[16], annex[16];
	uint64_t off, len;
	const char *s = "features:read:target.xml:0,ffb";

	ck_assert_int_eq(gdb_parse_qxfer_read(s, strlen(s), obj, sizeof(obj),
					      annex, sizeof(annex), &off, &len), 0);
	ck_assert_str_eq(obj, "features");
	ck_assert_str_eq(annex, "target.xml");
	ck_assert_uint_eq(off, 0);
	ck_assert_uint_eq(len, 0xffb);
	s = "features:read:a-very-long-annex-name.xml:0,10";
	ck_assert_int_eq(gdb_parse_qxfer_read(s, strlen(s), obj, sizeof(obj),
					      annex, sizeof(annex), &off, &len),
			 -EINVAL);
	s = "features:write:target.xml:0,10";
	ck_assert_int_eq(gdb_parse_qxfer_read(s, strlen(s), obj, sizeof(obj),
					      annex, sizeof(annex), &off, &len),
			 -EINVAL);
	s = "features:read:target.xml:0";
	ck_assert_int_eq(gdb_parse_qxfer_read(s, strlen(s), obj, sizeof(obj),
					      annex, sizeof(annex), &off, &len),
			 -EINVAL);
	s = "features";
	ck_assert_int_eq(gdb_parse_qxfer_read(s, strlen(s), obj, sizeof(obj),
					      annex, sizeof(annex), &off, &len),
			 -EINVAL);
}
END_TEST

START_TEST(gdb_endpoints)
{
	struct gdb_endpoint ep;
	char longpath[200];

	ck_assert_int_eq(config_parse_gdb_endpoint("tcp:127.0.0.1:1234", &ep), 0);
	ck_assert(!ep.is_unix);
	ck_assert_str_eq(ep.host, "127.0.0.1");
	ck_assert_uint_eq(ep.port, 1234);
	ck_assert_int_eq(config_parse_gdb_endpoint("tcp::0", &ep), 0);
	ck_assert_str_eq(ep.host, "127.0.0.1");
	ck_assert_uint_eq(ep.port, 0);
	ck_assert_int_eq(config_parse_gdb_endpoint("tcp:[::1]:65535", &ep), 0);
	ck_assert_str_eq(ep.host, "::1");
	ck_assert_uint_eq(ep.port, 65535);
	ck_assert_int_eq(config_parse_gdb_endpoint("unix:/tmp/g.sock", &ep), 0);
	ck_assert(ep.is_unix);
	ck_assert_str_eq(ep.path, "/tmp/g.sock");
	ck_assert_int_eq(config_parse_gdb_endpoint("tcp:host:65536", &ep), -EINVAL);
	ck_assert_int_eq(config_parse_gdb_endpoint("tcp:1234", &ep), -EINVAL);
	ck_assert_int_eq(config_parse_gdb_endpoint("tcp:host:", &ep), -EINVAL);
	ck_assert_int_eq(config_parse_gdb_endpoint("tcp:[::1:1", &ep), -EINVAL);
	ck_assert_int_eq(config_parse_gdb_endpoint("unix:", &ep), -EINVAL);
	ck_assert_int_eq(config_parse_gdb_endpoint("udp::1", &ep), -EINVAL);
	ck_assert_int_eq(config_parse_gdb_endpoint(":1234", &ep), -EINVAL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	memcpy(longpath, "unix:", 5);
	ck_assert_int_eq(config_parse_gdb_endpoint(longpath, &ep), -EINVAL);
}
END_TEST

/* --gdb lands in typed fields, parsed once: the stub takes them as they are. */
START_TEST(gdb_flag_typed)
{
	char *argv[] = { "--kernel", "k", "--gdb", "tcp::4321", "--gdb-wait" };
	char *argv2[] = { "--kernel", "k", "--gdb", "unix:/run/t.sock" };
	char *argv3[] = { "--kernel", "k" };
	struct vm_config cfg;
	char err[256];

	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 5, argv, err, sizeof(err)), 0);
	ck_assert(cfg.gdb && cfg.gdb_wait && !cfg.gdb_ep.is_unix);
	ck_assert_str_eq(cfg.gdb_ep.host, "127.0.0.1");
	ck_assert_uint_eq(cfg.gdb_ep.port, 4321);
	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 4, argv2, err, sizeof(err)), 0);
	ck_assert(cfg.gdb && cfg.gdb_ep.is_unix && !cfg.gdb_wait);
	ck_assert_str_eq(cfg.gdb_ep.path, "/run/t.sock");
	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 2, argv3, err, sizeof(err)), 0);
	ck_assert(!cfg.gdb);
}
END_TEST

Suite *gdb_packet_suite(void)
{
	Suite *s = suite_create("gdb_packet");
	TCase *tc = tcase_create("codec");
	TCase *args = tcase_create("arguments");

	tcase_add_test(tc, rx_good_packet);
	tcase_add_test(tc, rx_bad_checksum);
	tcase_add_test(tc, rx_acks_and_interrupt);
	tcase_add_test(tc, rx_resync_on_dollar);
	tcase_add_test(tc, rx_size_limit);
	tcase_add_test(tc, decode_escapes_and_rle);
	tcase_add_test(tc, decode_errors);
	tcase_add_test(tc, frame_escapes_and_checksum);
	tcase_add_test(tc, frame_round_trip);
	tcase_add_test(tc, hex);
	suite_add_tcase(s, tc);
	tcase_add_test(args, cursor_hex);
	tcase_add_test(args, thread_ids);
	tcase_add_test(args, parse_memory_args);
	tcase_add_test(args, parse_breakpoints);
	tcase_add_test(args, parse_register_write);
	tcase_add_test(args, parse_vcont);
	tcase_add_test(args, parse_qxfer);
	tcase_add_test(args, gdb_endpoints);
	tcase_add_test(args, gdb_flag_typed);
	suite_add_tcase(s, args);
	return s;
}
