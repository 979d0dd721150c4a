// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "mem.h"
#include "suites.h"

START_TEST(mem_ptr_bounds)
{
	static uint8_t buf[3 * 4096];
	struct guest_mem m;

	guest_mem_init_buffer(&m, buf, sizeof(buf));
	ck_assert_int_eq(guest_mem_add_region(&m, 0, 4096), 0);
	ck_assert_int_eq(guest_mem_add_region(&m, 0x100000000ULL, 8192), 0);
	ck_assert_ptr_eq(guest_mem_ptr(&m, 0, 4096), buf);
	ck_assert_ptr_eq(guest_mem_ptr(&m, 4095, 1), buf + 4095);
	ck_assert_ptr_null(guest_mem_ptr(&m, 4095, 2));
	ck_assert_ptr_null(guest_mem_ptr(&m, 4096, 1));
	ck_assert_ptr_eq(guest_mem_ptr(&m, 0x100000000ULL, 8192), buf + 4096);
	ck_assert_ptr_null(guest_mem_ptr(&m, 0x100000000ULL + 1, 8192));
	/* Lengths and addresses that would wrap a naive gpa + len. */
	ck_assert_ptr_null(guest_mem_ptr(&m, 16, UINT64_MAX));
	ck_assert_ptr_null(guest_mem_ptr(&m, UINT64_MAX, 2));
	ck_assert_ptr_null(guest_mem_ptr(&m, UINT64_MAX - 4, 16));
	ck_assert_ptr_null(guest_mem_ptr(&m, 0x100000000ULL + 8192, 0));
}
END_TEST

START_TEST(mem_regions_checked)
{
	static uint8_t buf[4 * 4096];
	struct guest_mem m;

	guest_mem_init_buffer(&m, buf, sizeof(buf));
	ck_assert_int_eq(guest_mem_add_region(&m, 0x1000, 0), -EINVAL);
	ck_assert_int_eq(guest_mem_add_region(&m, UINT64_MAX - 10, 4096), -EINVAL);
	ck_assert_int_eq(guest_mem_add_region(&m, 0x10000, 4096), 0);
	ck_assert_int_eq(guest_mem_add_region(&m, 0x10800, 4096), -EINVAL); /* overlap */
	ck_assert_int_eq(guest_mem_add_region(&m, 0x0, 4096), -EINVAL); /* order */
	ck_assert_int_eq(guest_mem_add_region(&m, 0x20000, 4 * 4096), -ENOSPC);
}
END_TEST

struct rec {
	uint64_t off;
	uint32_t len;
	bool is_write;
	uint8_t last;
	int calls;
};

static void rec_fn(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct rec *r = opaque;

	r->off = off;
	r->len = len;
	r->is_write = is_write;
	r->calls++;
	if (is_write)
		r->last = data[0];
	else
		memset(data, 0x5a, len);
}

START_TEST(bus_register_rules)
{
	struct bus b;
	struct rec r = { 0 };

	bus_init(&b, "test");
	ck_assert_int_eq(bus_register(&b, 0x100, 0, rec_fn, &r, "zero"), -EINVAL);
	ck_assert_int_eq(bus_register(&b, UINT64_MAX - 3, 8, rec_fn, &r, "wrap"),
			 -EINVAL);
	ck_assert_int_eq(bus_register(&b, UINT64_MAX - 7, 8, rec_fn, &r, "top"), 0);
	ck_assert_int_eq(bus_register(&b, 0x100, 0x10, NULL, &r, "nofn"), -EINVAL);
	ck_assert_int_eq(bus_register(&b, 0x100, 0x10, rec_fn, &r, "a"), 0);
	ck_assert_int_eq(bus_register(&b, 0x10f, 1, rec_fn, &r, "tail"), -EEXIST);
	ck_assert_int_eq(bus_register(&b, 0xf0, 0x11, rec_fn, &r, "head"), -EEXIST);
	ck_assert_int_eq(bus_register(&b, 0x0, 0x1000, rec_fn, &r, "cover"), -EEXIST);
	ck_assert_int_eq(bus_register(&b, 0x104, 1, rec_fn, &r, "inside"), -EEXIST);
	ck_assert_int_eq(bus_register(&b, 0xf0, 0x10, rec_fn, &r, "below"), 0);
	ck_assert_int_eq(bus_register(&b, 0x110, 0x10, rec_fn, &r, "above"), 0);
	ck_assert_uint_eq(bus_count(&b), 4);
	ck_assert_int_eq(bus_unregister(&b, 0x101), -ENOENT); /* not a base */
	ck_assert_int_eq(bus_unregister(&b, 0x200), -ENOENT);
	ck_assert_int_eq(bus_unregister(&b, 0x100), 0);
	ck_assert_int_eq(bus_unregister(&b, 0x100), -ENOENT);
	ck_assert_uint_eq(bus_count(&b), 3);
	/* The hole it left takes a new range; its neighbours are intact. */
	ck_assert_int_eq(bus_register(&b, 0x100, 0x10, rec_fn, &r, "again"), 0);
	ck_assert_int_eq(bus_register(&b, 0x108, 1, rec_fn, &r, "again2"), -EEXIST);
	ck_assert_int_eq(bus_unregister(&b, 0xf0), 0);
	ck_assert_int_eq(bus_unregister(&b, 0x110), 0);
	ck_assert_int_eq(bus_unregister(&b, UINT64_MAX - 7), 0);
	ck_assert_int_eq(bus_unregister(&b, 0x100), 0);
	ck_assert_uint_eq(bus_count(&b), 0);
	ck_assert_int_eq(bus_register(&b, 0x0, 0x1000, rec_fn, &r, "cover"), 0);
	bus_destroy(&b);
	bus_destroy(&b); /* idempotent */
}
END_TEST

START_TEST(bus_lookup_and_access)
{
	struct bus b;
	struct rec r = { 0 };
	struct bus_range got;
	uint8_t data[8];

	bus_init(&b, "test");
	ck_assert(!bus_access(&b, 0x1000, data, 2, false, 0xff)); /* empty bus */
	ck_assert_uint_eq(data[1], 0xff);
	for (uint64_t base = 0x1000; base < 0x1000 + 64 * 0x20; base += 0x20)
		ck_assert_int_eq(bus_register(&b, base, 0x10, rec_fn, &r, "dev"), 0);
	ck_assert(!bus_lookup(&b, 0xfff, &got));
	ck_assert(bus_lookup(&b, 0x1000, &got));
	ck_assert(bus_lookup(&b, 0x100f, &got));
	ck_assert(!bus_lookup(&b, 0x1010, &got));
	ck_assert(bus_lookup(&b, 0x1228, &got));
	ck_assert_uint_eq(got.base, 0x1220);
	ck_assert_uint_eq(got.len, 0x10);
	ck_assert_ptr_eq(got.opaque, &r);
	ck_assert_str_eq(got.name, "dev");

	data[0] = 0x77;
	ck_assert(bus_access(&b, 0x1022, data, 1, true, 0xff));
	ck_assert_uint_eq(r.off, 2);
	ck_assert(r.is_write);
	ck_assert_uint_eq(r.last, 0x77);
	ck_assert(bus_access(&b, 0x102c, data, 4, false, 0xff));
	ck_assert_uint_eq(data[3], 0x5a);
	/* Unclaimed reads get the fill byte; writes vanish. */
	r.calls = 0;
	ck_assert(!bus_access(&b, 0x1010, data, 4, false, 0xff));
	ck_assert_uint_eq(data[0], 0xff);
	ck_assert_uint_eq(data[3], 0xff);
	ck_assert(!bus_access(&b, 0x1010, data, 8, false, 0x00));
	ck_assert_uint_eq(data[7], 0);
	ck_assert(!bus_access(&b, 0x5000, data, 1, true, 0xff));
	/* An access straddling the end of a range is not the device's. */
	ck_assert(!bus_access(&b, 0x100e, data, 4, false, 0xff));
	ck_assert_int_eq(r.calls, 0);
	bus_destroy(&b);
}
END_TEST

Suite *mem_suite(void)
{
	Suite *s = suite_create("mem");
	TCase *tc = tcase_create("guest_mem");

	tcase_add_test(tc, mem_ptr_bounds);
	tcase_add_test(tc, mem_regions_checked);
	suite_add_tcase(s, tc);
	return s;
}

Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("ranges");

	tcase_add_test(tc, bus_register_rules);
	tcase_add_test(tc, bus_lookup_and_access);
	suite_add_tcase(s, tc);
	return s;
}
