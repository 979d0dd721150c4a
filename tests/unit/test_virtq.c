// SPDX-License-Identifier: GPL-2.0
/*
 * The descriptor parser against every malformed ring we know of, on a
 * fake guest memory of 1 MiB (rings at fixed addresses, buffers above).
 */
#include <errno.h>
#include <string.h>

#include "mem.h"
#include "suites.h"
#include "virtio/queue.h"

#define MEM_SIZE (1u << 20)
#define QSZ 8u
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define ITABLE 0x4000u
#define DATA 0x10000u

static uint8_t ram[MEM_SIZE] __attribute__((aligned(4096)));
static struct guest_mem mem;
static struct virtq q;
static struct virtq_seg segs[64];
static struct virtq_chain chain = { .seg = segs, .cap = 64 };
static uint16_t avail_idx;

static void put16(uint64_t gpa, uint16_t v)
{
	memcpy(ram + gpa, &v, 2);
}

static uint16_t get16(uint64_t gpa)
{
	uint16_t v;

	memcpy(&v, ram + gpa, 2);
	return v;
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t v;

	memcpy(&v, ram + gpa, 4);
	return v;
}

static void desc_at(uint64_t table, unsigned int i, uint64_t addr,
		    uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *d = ram + table + 16ULL * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	desc_at(DESC, i, addr, len, flags, next);
}

static void post(uint16_t head)
{
	put16(AVAIL + 4 + 2 * (avail_idx % QSZ), head);
	avail_idx++;
	put16(AVAIL + 2, avail_idx);
}

static void setup_features(uint64_t features)
{
	memset(ram, 0, sizeof(ram));
	guest_mem_init_buffer(&mem, ram, sizeof(ram));
	ck_assert_int_eq(guest_mem_add_region(&mem, 0, sizeof(ram)), 0);
	ck_assert_int_eq(virtq_init(&q, &mem, QSZ, DESC, AVAIL, USED, features), 0);
	avail_idx = 0;
	chain.cap = 64;
}

static void setup(void)
{
	setup_features(VIRTQ_F_INDIRECT_DESC);
}

/* Pops and expects -EINVAL with msg in the reason; nothing consumed. */
static void expect_bad(const char *msg)
{
	uint16_t before = q.last_avail;

	ck_assert_int_eq(virtq_pop(&q, &chain), -EINVAL);
	ck_assert_msg(strstr(q.err, msg), "reason '%s' lacks '%s'", q.err, msg);
	ck_assert_uint_eq(q.last_avail, before);
	/* Rejected for good: no second look at the same ring. */
	ck_assert_int_eq(virtq_pop(&q, &chain), -EINVAL);
	ck_assert_uint_eq(q.last_avail, before);
}

START_TEST(init_checks)
{
	struct virtq v;

	setup();
	ck_assert_int_eq(virtq_init(&v, &mem, 0, DESC, AVAIL, USED, 0), -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 3, DESC, AVAIL, USED, 0), -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 65536, DESC, AVAIL, USED, 0), -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 1, DESC, AVAIL, USED, 0), 0);
	ck_assert_int_eq(virtq_init(&v, &mem, 32768, 0x0, 0x80000, 0x90000, 0), 0);
	ck_assert_uint_eq(v.size, 32768);
	ck_assert_int_eq(virtq_init(&v, &mem, 8, DESC + 8, AVAIL, USED, 0), -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 8, DESC, AVAIL + 1, USED, 0), -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 8, DESC, AVAIL, USED + 2, 0), -EINVAL);
	ck_assert(strstr(v.err, "misaligned"));
	/* Each area must lie in RAM, including its last byte. */
	ck_assert_int_eq(virtq_init(&v, &mem, 8, MEM_SIZE, AVAIL, USED, 0), -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 8, MEM_SIZE - 64, AVAIL, USED, 0),
			 -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 8, DESC, MEM_SIZE - 20, USED, 0),
			 -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 8, DESC, AVAIL, MEM_SIZE - 68, 0),
			 -EINVAL);
	ck_assert_int_eq(virtq_init(&v, &mem, 8, DESC, AVAIL, MEM_SIZE - 72, 0), 0);
	ck_assert_int_eq(virtq_init(&v, &mem, 8, 0xfffffffffffffff0ULL, AVAIL, USED, 0),
			 -EINVAL);
	ck_assert(strstr(v.err, "outside guest RAM"));
	ck_assert_int_eq(virtq_pop(&v, &chain), -EINVAL); /* unusable after */
}
END_TEST

START_TEST(pop_request)
{
	setup();
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	desc(2, DATA, 16, VIRTQ_DESC_F_NEXT, 5);
	desc(5, DATA + 0x100, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	desc(1, DATA + 0x400, 0, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 7);
	desc(7, DATA + 0x300, 1, VIRTQ_DESC_F_WRITE, 0);
	post(2);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_uint_eq(chain.head, 2);
	ck_assert_uint_eq(chain.nseg, 3); /* the zero-length one is dropped */
	ck_assert_uint_eq(chain.nread, 1);
	ck_assert_uint_eq(chain.read_len, 16);
	ck_assert_uint_eq(chain.write_len, 513);
	ck_assert_ptr_eq(chain.seg[0].ptr, ram + DATA);
	ck_assert_ptr_eq(chain.seg[1].ptr, ram + DATA + 0x100);
	ck_assert_ptr_eq(chain.seg[2].ptr, ram + DATA + 0x300);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	/* Changing the table now changes nothing the device holds. */
	desc(2, 0xdead0000, 0xffff, 0, 0);
	ck_assert_ptr_eq(chain.seg[0].ptr, ram + DATA);
	ck_assert_uint_eq(chain.seg[0].len, 16);

	virtq_push(&q, chain.head, 513);
	ck_assert_uint_eq(get16(USED + 2), 1);
	ck_assert_uint_eq(get32(USED + 4), 2);
	ck_assert_uint_eq(get32(USED + 8), 513);
}
END_TEST

START_TEST(pop_indirect)
{
	setup();
	desc_at(ITABLE, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 2);
	desc_at(ITABLE, 2, DATA + 0x100, 4096, VIRTQ_DESC_F_NEXT, 1);
	desc_at(ITABLE, 1, DATA + 0x2000, 1, VIRTQ_DESC_F_WRITE, 0);
	desc(4, ITABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(4);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_uint_eq(chain.head, 4);
	ck_assert_uint_eq(chain.nseg, 3);
	ck_assert_uint_eq(chain.read_len, 16 + 4096);
	ck_assert_uint_eq(chain.write_len, 1);
	/* A table of exactly the queue size is still fine. */
	for (unsigned int i = 0; i < QSZ; i++)
		desc_at(ITABLE, i, DATA, 16,
			i + 1 < QSZ ? VIRTQ_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	desc(4, ITABLE, QSZ * 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(4);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_uint_eq(chain.nseg, QSZ);
}
END_TEST

START_TEST(reject_loops)
{
	setup();
	desc(0, DATA, 16, VIRTQ_DESC_F_NEXT, 0);
	post(0);
	expect_bad("longer than 8");
	setup();
	desc(0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, DATA, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(2, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	post(0);
	expect_bad("longer than 8");
	/* A loop inside an indirect table. */
	setup();
	desc_at(ITABLE, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	desc_at(ITABLE, 1, DATA, 16, VIRTQ_DESC_F_NEXT, 0);
	desc(0, ITABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("longer than 8");
	/* No loop, just too long: 9 descriptors through a table of 9. */
	setup();
	for (unsigned int i = 0; i <= QSZ; i++)
		desc_at(ITABLE, i, DATA, 16, i < QSZ ? VIRTQ_DESC_F_NEXT : 0,
			(uint16_t)(i + 1));
	desc(0, ITABLE, (QSZ + 1) * 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("longer than 8");
	/* The caller's array caps a chain below the queue size too. */
	setup();
	chain.cap = 2;
	desc(0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, DATA, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(2, DATA, 16, 0, 0);
	post(0);
	expect_bad("longer than 2");
}
END_TEST

START_TEST(reject_indices)
{
	setup();
	post(QSZ);
	expect_bad("names descriptor 8 of 8");
	setup();
	post(0xffff);
	expect_bad("names descriptor");
	setup();
	desc(0, DATA, 16, VIRTQ_DESC_F_NEXT, QSZ);
	post(0);
	expect_bad("index 8 out of range");
	setup();
	desc_at(ITABLE, 0, DATA, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(0, ITABLE, 32, VIRTQ_DESC_F_INDIRECT, 0); /* a table of 2 */
	post(0);
	expect_bad("index 2 out of range (2)");
}
END_TEST

START_TEST(reject_buffers)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bad[] = {
		{ MEM_SIZE, 1 },
		{ MEM_SIZE - 16, 17 },
		{ 0x1000, 0xffffffffu },
		{ 0xfffffffffffff000ULL, 0x2000 }, /* wraps */
		{ 0xffffffffffffffffULL, 1 },
		{ 0xd0000000ULL, 512 },            /* an MMIO hole */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup();
		desc(0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
		desc(1, bad[i].addr, bad[i].len, VIRTQ_DESC_F_WRITE, 0);
		post(0);
		expect_bad("outside guest RAM");
	}
	/* The last byte of RAM is fine. */
	setup();
	desc(0, MEM_SIZE - 16, 16, 0, 0);
	post(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	/* Readable after writable breaks 2.7.4.2. */
	setup();
	desc(0, DATA, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(1, DATA, 16, 0, 0);
	post(0);
	expect_bad("readable descriptor after a writable");
	/* Even when the writable one is empty. */
	setup();
	desc(0, DATA, 0, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	desc(1, DATA, 16, 0, 0);
	post(0);
	expect_bad("readable descriptor after a writable");
}
END_TEST

START_TEST(reject_indirect)
{
	setup();
	desc_at(ITABLE + 0x100, 0, DATA, 16, 0, 0);
	desc_at(ITABLE, 0, ITABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	desc(0, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("nested indirect");

	setup();
	desc(0, ITABLE, 24, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("not a non-zero multiple of 16");
	setup();
	desc(0, ITABLE, 0, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("not a non-zero multiple of 16");

	setup();
	desc(0, ITABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	post(0);
	expect_bad("indirect descriptor with NEXT");

	setup();
	desc(0, DATA, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("indirect descriptor inside a chain");

	setup();
	desc(0, MEM_SIZE - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("indirect table");
	setup();
	desc(0, 0xfffffffffffffff0ULL, 32, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("outside guest RAM");

	setup_features(0);
	desc_at(ITABLE, 0, DATA, 16, 0, 0);
	desc(0, ITABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	post(0);
	expect_bad("without VIRTIO_F_INDIRECT_DESC");
}
END_TEST

START_TEST(reject_avail_jump)
{
	setup();
	desc(0, DATA, 16, 0, 0);
	put16(AVAIL + 2, QSZ + 1);
	expect_bad("more than the queue size");
	/* Exactly the queue size is a full ring, not an error. */
	setup();
	desc(0, DATA, 16, 0, 0);
	for (unsigned int i = 0; i < QSZ; i++)
		post(0);
	for (unsigned int i = 0; i < QSZ; i++)
		ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	/* Wrap-around of the 16-bit index is normal. */
	setup();
	desc(0, DATA, 16, 0, 0);
	q.last_avail = q.avail_shadow = 0xfffe;
	avail_idx = 0xfffe;
	post(0);
	post(0);
	post(0);
	ck_assert_uint_eq(get16(AVAIL + 2), 1);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 0);
	/* Going backwards is a jump of nearly 65536. */
	put16(AVAIL + 2, 0);
	expect_bad("more than the queue size");
}
END_TEST

START_TEST(notify_plain)
{
	setup();
	desc(0, DATA, 16, 0, 0);
	post(0);
	virtq_disable_notify(&q);
	ck_assert_uint_eq(get16(USED), VIRTQ_USED_F_NO_NOTIFY);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert(!virtq_enable_notify(&q));
	ck_assert_uint_eq(get16(USED), 0);
	post(0);
	ck_assert(virtq_enable_notify(&q)); /* arrived meanwhile */
	virtq_push(&q, 0, 1);
	ck_assert(virtq_should_notify(&q));
	put16(AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtq_push(&q, 0, 1);
	ck_assert(!virtq_should_notify(&q));
}
END_TEST

START_TEST(notify_event_idx)
{
	setup_features(VIRTQ_F_EVENT_IDX);
	desc(0, DATA, 16, 0, 0);
	post(0);
	post(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	ck_assert(!virtq_enable_notify(&q));
	ck_assert_uint_eq(get16(USED + 4 + 8 * QSZ), 2); /* avail_event */
	/* used_event = 2: notify when used.idx passes 2, i.e. on the third. */
	put16(AVAIL + 4 + 2 * QSZ, 2);
	virtq_push(&q, 0, 1);
	ck_assert(virtq_should_notify(&q)); /* the first one always goes */
	virtq_push(&q, 0, 1);
	ck_assert(!virtq_should_notify(&q));
	virtq_push(&q, 0, 1);
	ck_assert(virtq_should_notify(&q));
	virtq_push(&q, 0, 1);
	ck_assert(!virtq_should_notify(&q));
}
END_TEST

START_TEST(chain_copies)
{
	uint8_t buf[64];
	struct iovec iov[4];

	setup();
	memcpy(ram + DATA, "0123456789", 10);
	memcpy(ram + DATA + 0x100, "abcdefghij", 10);
	desc(0, DATA, 10, VIRTQ_DESC_F_NEXT, 1);
	desc(1, DATA + 0x100, 10, VIRTQ_DESC_F_NEXT, 2);
	desc(2, DATA + 0x200, 4, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	desc(3, DATA + 0x300, 4, VIRTQ_DESC_F_WRITE, 0);
	post(0);
	ck_assert_int_eq(virtq_pop(&q, &chain), 1);
	memset(buf, 0, sizeof(buf));
	ck_assert_int_eq(virtq_chain_read(&chain, 8, buf, 4), 0);
	ck_assert_int_eq(memcmp(buf, "89ab", 4), 0);
	ck_assert_int_eq(virtq_chain_read(&chain, 0, buf, 20), 0);
	ck_assert_int_eq(virtq_chain_read(&chain, 0, buf, 21), -EINVAL);
	ck_assert_int_eq(virtq_chain_read(&chain, 21, buf, 0), -EINVAL);
	ck_assert_int_eq(virtq_chain_read(&chain, 1, buf, UINT64_MAX), -EINVAL);
	ck_assert_int_eq(virtq_chain_write(&chain, 2, "WXYZ", 4), 0);
	ck_assert_int_eq(memcmp(ram + DATA + 0x202, "WX", 2), 0);
	ck_assert_int_eq(memcmp(ram + DATA + 0x300, "YZ", 2), 0);
	ck_assert_int_eq(virtq_chain_write(&chain, 7, "W", 2), -EINVAL);
	ck_assert_int_eq(virtq_chain_iov(&chain, false, 5, 10, iov, 4), 2);
	ck_assert_ptr_eq(iov[0].iov_base, ram + DATA + 5);
	ck_assert_uint_eq(iov[0].iov_len, 5);
	ck_assert_ptr_eq(iov[1].iov_base, ram + DATA + 0x100);
	ck_assert_uint_eq(iov[1].iov_len, 5);
	ck_assert_int_eq(virtq_chain_iov(&chain, true, 0, 8, iov, 1), -EINVAL);
	ck_assert_int_eq(virtq_chain_iov(&chain, true, 0, 7, iov, 4), 2);
	ck_assert_int_eq(virtq_chain_iov(&chain, true, 0, 9, iov, 4), -EINVAL);
}
END_TEST

Suite *virtq_suite(void)
{
	Suite *s = suite_create("virtq");
	TCase *tc = tcase_create("split");

	tcase_add_test(tc, init_checks);
	tcase_add_test(tc, pop_request);
	tcase_add_test(tc, pop_indirect);
	tcase_add_test(tc, reject_loops);
	tcase_add_test(tc, reject_indices);
	tcase_add_test(tc, reject_buffers);
	tcase_add_test(tc, reject_indirect);
	tcase_add_test(tc, reject_avail_jump);
	tcase_add_test(tc, notify_plain);
	tcase_add_test(tc, notify_event_idx);
	tcase_add_test(tc, chain_copies);
	suite_add_tcase(s, tc);
	return s;
}
