// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "arch/x86_64/cpuid.h"
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

START_TEST(realtime_hint)
{
	static struct cpuid_table t;
	struct kvm_cpuid_entry2 *e;

	memset(&t, 0, sizeof(t));
	t.hdr.nent = 2;
	t.entry[0].function = 0x40000000;
	t.entry[0].eax = 0x40000000;
	t.entry[1].function = 1;
	/* Offered by KVM: the bit is set and cleared in place. */
	ck_assert_int_eq(cpuid_set_realtime_hint(&t, false), 0);
	ck_assert_uint_eq(t.hdr.nent, 2);
	ck_assert_int_eq(cpuid_set_realtime_hint(&t, true), 0);
	ck_assert_uint_eq(t.hdr.nent, 3);
	e = cpuid_find(&t, KVM_CPUID_FEATURES_LEAF, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->edx, KVM_HINTS_REALTIME_BIT);
	ck_assert_uint_eq(t.entry[0].eax, KVM_CPUID_FEATURES_LEAF);
	e->eax = 0x1234; /* feature bits stay */
	ck_assert_int_eq(cpuid_set_realtime_hint(&t, true), 0);
	ck_assert_uint_eq(t.hdr.nent, 3);
	ck_assert_int_eq(cpuid_set_realtime_hint(&t, false), 0);
	ck_assert_uint_eq(e->edx, 0);
	ck_assert_uint_eq(e->eax, 0x1234);
	/* A full table has no room for the leaf. */
	memset(&t, 0, sizeof(t));
	t.hdr.nent = CPUID_MAX_ENTRIES;
	for (unsigned int i = 0; i < CPUID_MAX_ENTRIES; i++)
		t.entry[i].function = 0x80000000 + i;
	ck_assert_int_eq(cpuid_set_realtime_hint(&t, true), -ENOSPC);
}
END_TEST

Suite *cpuid_suite(void)
{
	Suite *s = suite_create("cpuid");
	TCase *tc = tcase_create("templates");

	tcase_add_test(tc, baseline_hides_emulator_gaps);
	tcase_add_test(tc, host_passes_through);
	suite_add_tcase(s, tc);
	tc = tcase_create("realtime");
	tcase_add_test(tc, realtime_hint);
	suite_add_tcase(s, tc);
	return s;
}

