// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "suites.h"

START_TEST(escape_sequences)
{
	uint8_t out[16];
	bool esc = false, quit;
	size_t n;

	n = console_filter_escape(&esc, (const uint8_t *)"ab", 2, out, &quit);
	ck_assert_uint_eq(n, 2);
	ck_assert(!quit);
	n = console_filter_escape(&esc, (const uint8_t *)"a\x01\x01z", 4, out, &quit);
	ck_assert_uint_eq(n, 3);
	ck_assert(!memcmp(out, "a\x01z", 3));
	/* Ctrl-A split across two reads still quits. */
	n = console_filter_escape(&esc, (const uint8_t *)"q\x01", 2, out, &quit);
	ck_assert_uint_eq(n, 1);
	ck_assert(esc && !quit);
	n = console_filter_escape(&esc, (const uint8_t *)"xjunk", 5, out, &quit);
	ck_assert_uint_eq(n, 0);
	ck_assert(quit);
	esc = false;
	n = console_filter_escape(&esc, (const uint8_t *)"\x01" "c!", 3, out, &quit);
	ck_assert_uint_eq(n, 1); /* unknown escape swallowed */
	ck_assert_uint_eq(out[0], '!');
}
END_TEST

/* A sink with room for `room` bytes per call, like a UART's FIFO. */
static char sunk[64];
static size_t nsunk, room;

static size_t sink(void *opaque, const uint8_t *buf, size_t n)
{
	size_t take = n < room ? n : room;

	ck_assert_ptr_eq(opaque, &room);
	memcpy(sunk + nsunk, buf, take);
	nsunk += take;
	return take;
}

/* Input goes to whatever sink the board set, keeping what it cannot take. */
START_TEST(input_goes_to_the_sink)
{
	static struct console c;
	int p[2];

	ck_assert_int_eq(console_open(&c, SERIAL_NONE, NULL), 0);
	ck_assert_int_eq(pipe(p), 0);
	c.in_fd = p[0];
	/* No sink: stdin is not even read. */
	ck_assert(!console_wants_input(&c));
	ck_assert_int_eq(write(p[1], "hello", 5), 5);
	ck_assert_int_eq(console_input(&c, true), CONSOLE_OK);
	ck_assert_uint_eq(nsunk, 0);

	nsunk = 0;
	room = 3;
	console_set_input(&c, sink, &room);
	ck_assert(console_wants_input(&c));
	ck_assert_int_eq(console_input(&c, true), CONSOLE_OK);
	ck_assert_uint_eq(nsunk, 3);
	ck_assert(!memcmp(sunk, "hel", 3));
	/* The rest waits for room, without another read. */
	ck_assert(!console_wants_input(&c));
	ck_assert_int_eq(console_input(&c, false), CONSOLE_OK);
	ck_assert_uint_eq(nsunk, 5);
	ck_assert(!memcmp(sunk, "hello", 5));
	ck_assert(console_wants_input(&c));
	/* EOF closes the input. */
	close(p[1]);
	ck_assert_int_eq(console_input(&c, true), CONSOLE_OK);
	ck_assert_int_eq(c.in_fd, -1);
	ck_assert(!console_wants_input(&c));
	close(p[0]);
	console_close(&c, 0);
}
END_TEST

Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, escape_sequences);
	tcase_add_test(tc, input_goes_to_the_sink);
	suite_add_tcase(s, tc);
	return s;
}
