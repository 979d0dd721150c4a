// SPDX-License-Identifier: GPL-2.0
/* Registers x86_64's unit suites with the runner (tests/unit/main.c). */
#include "suites.h"

void arch_unit_suites(SRunner *sr)
{
	srunner_add_suite(sr, cpuid_suite());
	srunner_add_suite(sr, boot_suite());
	srunner_add_suite(sr, board_suite());
	srunner_add_suite(sr, arch_fdt_suite());
	srunner_add_suite(sr, arch_platform_suite());
}
