// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "cpuid.h"
#include "suites.h"

static void fill(struct cpuid_table *t)
{
	memset(t, 0, sizeof(*t));
	t->hdr.nent = 5;
	t->entry[0] = (struct kvm_cpuid_entry2){ .function = 1, .eax = 0x806f8,
		.ebx = 0x00000800, .ecx = 0xffffffff, .edx = 0x178bfbff };
	t->entry[1] = (struct kvm_cpuid_entry2){ .function = 7,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 0xffffffff,
		.ecx = 0xffffffff, .edx = 0xffffffff };
	t->entry[2] = (struct kvm_cpuid_entry2){ .function = 0xd,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 7, .ebx = 0x240 };
	t->entry[3] = (struct kvm_cpuid_entry2){ .function = 0x80000001,
		.ecx = 0xffffffff, .edx = 0xffffffff };
	t->entry[4] = (struct kvm_cpuid_entry2){ .function = 0xb,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .edx = 0 };
}

START_TEST(baseline_hides_emulator_gaps)
{
	struct cpuid_table t;
	struct kvm_cpuid_entry2 *e;

	fill(&t);
	cpuid_apply_template(&t, CPU_TEMPLATE_BASELINE, 3, 4);
	e = cpuid_find(&t, 1, 0);
	ck_assert_uint_eq(e->ecx & (1u << 13), 0); /* CX16 */
	ck_assert_uint_eq(e->ecx & (1u << 23), 0); /* POPCNT */
	ck_assert_uint_eq(e->ecx & (1u << 26), 0); /* XSAVE */
	ck_assert_uint_eq(e->ecx & (1u << 27), 0); /* OSXSAVE */
	ck_assert_uint_eq(e->ecx & (1u << 28), 0); /* AVX */
	ck_assert_uint_eq(e->ecx & 0x1, 0);        /* SSE3 */
	ck_assert_uint_ne(e->ecx & (1u << 21), 0); /* X2APIC kept */
	ck_assert_uint_ne(e->ecx & (1u << 31), 0); /* HYPERVISOR kept */
	ck_assert_uint_eq(e->ebx >> 24, 3);        /* APIC id */
	ck_assert_uint_eq((e->ebx >> 16) & 0xff, 4);
	e = cpuid_find(&t, 7, 0);
	ck_assert_uint_eq(e->ebx & (1u << 20), 0); /* SMAP */
	ck_assert_uint_eq(e->ebx & 1u, 0);         /* FSGSBASE */
	ck_assert_uint_eq(e->ecx, 0);
	e = cpuid_find(&t, 0xd, 0);
	ck_assert_uint_eq(e->eax | e->ebx, 0);
	e = cpuid_find(&t, 0x80000001, 0);
	ck_assert_uint_eq(e->edx & (1u << 27), 0); /* RDTSCP */
	ck_assert_uint_ne(e->edx & (1u << 29), 0); /* LM */
	ck_assert_uint_eq(cpuid_find(&t, 0xb, 0)->edx, 3);
}
END_TEST

START_TEST(host_passes_through)
{
	struct cpuid_table t;

	fill(&t);
	cpuid_find(&t, 1, 0)->ecx &= ~(1u << 31);
	cpuid_apply_template(&t, CPU_TEMPLATE_HOST, 0, 1);
	ck_assert_uint_ne(cpuid_find(&t, 1, 0)->ecx & (1u << 31), 0); /* HYPERVISOR set */
	ck_assert_uint_ne(cpuid_find(&t, 1, 0)->ecx & (1u << 13), 0);
	ck_assert_uint_eq(cpuid_find(&t, 1, 0)->ecx & (1u << 27), 0);
	ck_assert_uint_eq(cpuid_find(&t, 7, 0)->ebx, 0xffffffff);
	ck_assert_uint_eq(cpuid_find(&t, 0xd, 0)->eax, 7);
	ck_assert_ptr_null(cpuid_find(&t, 7, 1));
	cpuid_find(&t, 1, 0)->ecx &= ~(1u << 24);
	cpuid_set_tsc_deadline(&t);
	ck_assert_uint_ne(cpuid_find(&t, 1, 0)->ecx & (1u << 24), 0);
	ck_assert_ptr_null(cpuid_find(&t, 0x12345, 0));
}
END_TEST

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

Suite *cpuid_suite(void)
{
	Suite *s = suite_create("cpuid");
	TCase *tc = tcase_create("templates");

	tcase_add_test(tc, baseline_hides_emulator_gaps);
	tcase_add_test(tc, host_passes_through);
	suite_add_tcase(s, tc);
	return s;
}

Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *tc = tcase_create("escape");

	tcase_add_test(tc, escape_sequences);
	tcase_add_test(tc, input_goes_to_the_sink);
	suite_add_tcase(s, tc);
	return s;
}
