// SPDX-License-Identifier: GPL-2.0
/* The KVM binary-stats parser on hand-made and corrupted stats images. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "suites.h"

#define NAME_SIZE 48

static uint8_t blob[1024];
static size_t blob_len;

/* Three stats: exits = 7, halt (zero, not printed), a 3-bucket histogram. */
static void make_blob(void)
{
	struct kvm_stats_header h = { .name_size = NAME_SIZE, .num_desc = 3 };
	size_t dsz = sizeof(struct kvm_stats_desc) + NAME_SIZE;
	static const char *names[] = { "exits", "halt_exits", "halt_hist" };
	static const uint16_t sizes[] = { 1, 1, 3 };
	uint64_t data[5] = { 7, 0, 1, 2, 3 };
	uint32_t off = 0;

	memset(blob, 0, sizeof(blob));
	h.desc_offset = sizeof(h);
	h.data_offset = (uint32_t)(h.desc_offset + 3 * dsz);
	memcpy(blob, &h, sizeof(h));
	for (int i = 0; i < 3; i++) {
		struct kvm_stats_desc d = { .size = sizes[i], .offset = off };
		uint8_t *p = blob + h.desc_offset + i * dsz;

		memcpy(p, &d, sizeof(d));
		strcpy((char *)p + sizeof(d), names[i]);
		off += sizes[i] * 8;
	}
	memcpy(blob + h.data_offset, data, sizeof(data));
	blob_len = h.data_offset + sizeof(data);
}

static int print(size_t len, char *out, size_t outlen)
{
	FILE *f = fmemopen(out, outlen, "w");
	int r = kvm_stats_print(blob, len, "vcpu0", f);

	fclose(f);
	return r;
}

START_TEST(stats_good)
{
	char out[256];

	make_blob();
	ck_assert_int_eq(print(blob_len, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "vcpu0 exits 7\nvcpu0 halt_hist 6\n");
}
END_TEST

START_TEST(stats_malformed)
{
	struct kvm_stats_header *h = (struct kvm_stats_header *)blob;
	char out[256];

	make_blob();
	for (size_t len = 0; len < blob_len; len++)
		ck_assert_int_eq(print(len, out, sizeof(out)), -EINVAL);
	h->num_desc = 0x10000000;
	ck_assert_int_eq(print(blob_len, out, sizeof(out)), -EINVAL);
	make_blob();
	h->name_size = 0;
	ck_assert_int_eq(print(blob_len, out, sizeof(out)), -EINVAL);
	make_blob();
	memset(blob + h->desc_offset + sizeof(struct kvm_stats_desc), 'x', NAME_SIZE);
	ck_assert_int_eq(print(blob_len, out, sizeof(out)), -EINVAL);
	make_blob();
	((struct kvm_stats_desc *)(blob + h->desc_offset))->offset = 0xfffffff0;
	ck_assert_int_eq(print(blob_len, out, sizeof(out)), -EINVAL);
}
END_TEST

Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("binary_stats");

	tcase_add_test(tc, stats_good);
	tcase_add_test(tc, stats_malformed);
	suite_add_tcase(s, tc);
	return s;
}
