// SPDX-License-Identifier: GPL-2.0
/*
 * arm64's own unit suites, in the arm64 unit binary only (make ARCH=arm64
 * check-unit, under qemu-aarch64-static): what needs arm64's <asm/kvm.h>.
 * Its pure parts (Image header, DT model, debug registers) are tested on
 * every host by test_arm64_pure.c.
 */
#include <errno.h>

#include "arch/arm64/gdb_dbg.h"
#include "../suites.h"

/*
 * The gdb register map against the ids Linux's KVM API documentation
 * lists (Documentation/virt/kvm/api.rst, "ARM64 core/FP-SIMD registers"):
 * 0x6030 0000 0010 <offset/4> for 64-bit core registers, 0x6040... for
 * the 128-bit V registers, 0x6020... for FPSR/FPCR.
 */
START_TEST(gdb_register_map)
{
	static const struct {
		unsigned int regno;
		uint64_t id;
		unsigned int size;
	} want[] = {
		{ 0, 0x6030000000100000ULL, 8 },   /* x0: regs.regs[0] */
		{ 30, 0x603000000010003cULL, 8 },  /* x30 */
		{ 31, 0x6030000000100044ULL, 8 },  /* sp: sp_el1 */
		{ 32, 0x6030000000100040ULL, 8 },  /* pc */
		{ 33, 0x6030000000100042ULL, 4 },  /* cpsr: pstate's low half */
		{ 34, 0x6040000000100054ULL, 16 }, /* v0 */
		{ 65, 0x60400000001000d0ULL, 16 }, /* v31 */
		{ 66, 0x60200000001000d4ULL, 4 },  /* fpsr */
		{ 67, 0x60200000001000d5ULL, 4 },  /* fpcr */
	};
	unsigned int total = 0, size;
	uint64_t id;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		ck_assert_int_eq(arm64_gdb_reg(want[i].regno, &id, &size), 0);
		ck_assert_msg(id == want[i].id, "reg %u: id 0x%llx, want 0x%llx",
			      want[i].regno, (unsigned long long)id,
			      (unsigned long long)want[i].id);
		ck_assert_uint_eq(size, want[i].size);
	}
	for (unsigned int r = 0; arm64_gdb_reg(r, &id, &size) == 0; r++)
		total += size;
	ck_assert_uint_eq(total, arch_gdb_regs_size()); /* the 'g' block */
	ck_assert_int_eq(arm64_gdb_reg(68, &id, &size), -ENOENT);
}
END_TEST

static Suite *arm64_gdb_suite(void)
{
	Suite *s = suite_create("arm64_gdb");
	TCase *tc = tcase_create("registers");

	tcase_add_test(tc, gdb_register_map);
	suite_add_tcase(s, tc);
	return s;
}

void arch_unit_suites(SRunner *sr)
{
	srunner_add_suite(sr, arm64_gdb_suite());
}
