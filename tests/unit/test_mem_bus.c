// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

START_TEST(mem_slot_allocator)
{
	struct mem_slots s;

	mem_slots_init(&s, 3);
	ck_assert_int_eq(mem_slots_take(&s), 0);
	ck_assert_int_eq(mem_slots_take(&s), 1);
	ck_assert_int_eq(mem_slots_take(&s), 2);
	ck_assert_int_eq(mem_slots_take(&s), -ENOSPC);
	ck_assert_int_eq(mem_slots_put(&s, 1), 0);
	ck_assert_int_eq(mem_slots_put(&s, 1), -EINVAL); /* already free */
	ck_assert_int_eq(mem_slots_put(&s, 3), -EINVAL); /* out of range */
	ck_assert_int_eq(mem_slots_put(&s, UINT32_MAX), -EINVAL);
	ck_assert_int_eq(mem_slots_take(&s), 1); /* the lowest free again */
	ck_assert_int_eq(mem_slots_take(&s), -ENOSPC);
	ck_assert_int_eq(mem_slots_put(&s, 0), 0);
	ck_assert_int_eq(mem_slots_put(&s, 2), 0);
	ck_assert_int_eq(mem_slots_take(&s), 0);
	ck_assert_int_eq(mem_slots_take(&s), 2);

	/* KVM may offer more than we track: ours is the bound, all usable. */
	mem_slots_init(&s, 32764);
	ck_assert_uint_eq(s.max, GUEST_MEM_MAX_SLOTS);
	for (int i = 0; i < GUEST_MEM_MAX_SLOTS; i++)
		ck_assert_int_eq(mem_slots_take(&s), i);
	ck_assert_int_eq(mem_slots_take(&s), -ENOSPC);
	ck_assert_int_eq(mem_slots_put(&s, 200), 0);
	ck_assert_int_eq(mem_slots_take(&s), 200);

	/* A guest_mem on a buffer has no VM and no slots. */
	{
		static uint8_t buf[4096];
		struct guest_mem m;
		unsigned int slot = 7;

		guest_mem_init_buffer(&m, buf, sizeof(buf));
		ck_assert_int_eq(guest_mem_slot_add(&m, 0, 4096, buf, 0, &slot),
				 -ENOSPC);
		ck_assert_uint_eq(slot, 7);
		ck_assert_int_eq(guest_mem_slot_remove(&m, 0), -EINVAL);
	}
}
END_TEST

/* The process's mapped size in pages (/proc/self/statm, first field). */
/*
 * Pages of address space mapped, summed over /proc/self/maps. The same
 * figure as statm's first field natively, but under qemu-user (make
 * ARCH=arm64 check-unit) maps shows the guest's mappings alone while
 * statm is the emulator's, which grows with its own bookkeeping.
 */
static unsigned long vm_pages(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long long lo, hi, bytes = 0;
	char line[512];

	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx", &lo, &hi) == 2 && hi > lo)
			bytes += hi - lo;
		while (!strchr(line, '\n') && fgets(line, sizeof(line), f))
			; /* the rest of a long line */
	}
	fclose(f);
	return (unsigned long)(bytes / (unsigned long long)sysconf(_SC_PAGESIZE));
}

static uint64_t layout_low, layout_high_gpa;

/* One region, or two around a hole as x86's arch_mem_layout() makes. */
static int test_layout(struct guest_mem *m)
{
	uint64_t low = m->size < layout_low ? m->size : layout_low;
	int r = guest_mem_add_region(m, 0, low);

	if (r == 0 && m->size > low)
		r = guest_mem_add_region(m, layout_high_gpa, m->size - low);
	return r;
}

static int bad_layout(struct guest_mem *m)
{
	return guest_mem_add_region(m, 0, m->size + 4096);
}

/* Maps with guest_mem_map() and checks what issue 17 asks of guest RAM. */
static void check_aligned_map(uint64_t size, enum mem_pages pages,
			      unsigned int nregions)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t align = guest_mem_page_align(pages);
	/*
	 * A page-sized mapping first, so the next free hole below it is
	 * unlikely to be aligned by chance: mmap alone would then return an
	 * unaligned address on kernels that do not align by themselves.
	 */
	void *nudge = mmap(NULL, (size_t)page, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct guest_mem m;
	unsigned long before;
	unsigned char vec;

	ck_assert(nudge != MAP_FAILED);
	before = vm_pages();
	ck_assert_int_eq(guest_mem_map(&m, size, pages, test_layout), 0);
	/* Exactly the RAM stays mapped: the spare used to align is gone. */
	ck_assert_uint_eq(vm_pages() - before, size / (uint64_t)page);
	ck_assert_uint_eq(m.nregions, nregions);
	ck_assert_uint_eq(m.align, align);
	for (unsigned int i = 0; i < m.nregions; i++) {
		struct guest_region *r = &m.region[i];

		ck_assert_msg((uintptr_t)r->hva % align == 0,
			      "region %u of %llu bytes at %p, not %llu-aligned",
			      i, (unsigned long long)size, (void *)r->hva,
			      (unsigned long long)align);
		ck_assert(r->mapped);
		ck_assert_int_eq(r->slot, -1);
		/* Zeroed, writable, and what guest_mem_ptr() gives. */
		ck_assert_uint_eq(r->hva[0], 0);
		ck_assert_uint_eq(r->hva[r->size - 1], 0);
		r->hva[r->size - 1] = 0xab;
		ck_assert_ptr_eq(guest_mem_ptr(&m, r->gpa + r->size - 1, 1),
				 r->hva + r->size - 1);
	}
	{
		uint8_t *first = m.region[0].hva;

		guest_mem_free(&m);
		ck_assert_uint_eq(m.nregions, 0);
		/* Unmapped: mincore() fails with ENOMEM on a hole. */
		ck_assert_int_eq(mincore(first, (size_t)page, &vec), -1);
		ck_assert_int_eq(errno, ENOMEM);
	}
	ck_assert_uint_eq(vm_pages(), before);
	munmap(nudge, (size_t)page);
}

START_TEST(mem_map_aligned)
{
	static const uint64_t sizes[] = { 2 << 20, 3 << 20, (5 << 20) + 4096,
					  64 << 20 };

	layout_low = UINT64_MAX;
	ck_assert_uint_ge(guest_mem_page_align(MEM_PAGES_DEFAULT), 2 << 20);
	ck_assert_uint_ge(guest_mem_page_align(MEM_PAGES_HUGETLB),
			  CONFIG_HUGE_PAGE_SIZE);
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		check_aligned_map(sizes[i], MEM_PAGES_DEFAULT, 1);
		check_aligned_map(sizes[i], MEM_PAGES_SMALL, 1);
	}
}
END_TEST

START_TEST(mem_map_aligned_every_region)
{
	/* x86's split, scaled down: 3 MiB + 4 KiB low, the rest at 4 GiB. */
	layout_low = (3 << 20) + 4096;
	layout_high_gpa = 0x100000000ULL;
	check_aligned_map(8 << 20, MEM_PAGES_DEFAULT, 2);
	check_aligned_map((64 << 20) + 8192, MEM_PAGES_DEFAULT, 2);
}
END_TEST

START_TEST(mem_map_failures_leave_nothing)
{
	unsigned long before = vm_pages();
	struct guest_mem m;

	layout_low = UINT64_MAX;
	/* Huge pages: every region a whole number of them. */
	ck_assert_int_eq(guest_mem_map(&m, (2 << 20) + 4096, MEM_PAGES_HUGETLB,
				       test_layout), -EINVAL);
	ck_assert_uint_eq(m.nregions, 0);
	ck_assert_int_eq(guest_mem_map(&m, 4 << 20, MEM_PAGES_DEFAULT,
				       bad_layout), -ENOSPC);
	ck_assert_uint_eq(m.nregions, 0);
	ck_assert_int_eq(guest_mem_map(&m, 0, MEM_PAGES_DEFAULT, test_layout),
			 -EINVAL);
	ck_assert_uint_eq(vm_pages(), before);
	guest_mem_free(&m); /* idempotent on what failed */
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
	tcase_add_test(tc, mem_slot_allocator);
	tcase_add_test(tc, mem_map_aligned);
	tcase_add_test(tc, mem_map_aligned_every_region);
	tcase_add_test(tc, mem_map_failures_leave_nothing);
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
