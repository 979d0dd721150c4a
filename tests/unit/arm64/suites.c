// SPDX-License-Identifier: GPL-2.0
/*
 * arm64's own unit suites. Its pure parts (Image header, DT model) are
 * tested on every host by test_arm64_pure.c, which the top Makefile puts
 * in every arch's unit binary: nothing more to add here yet.
 */
#include "../suites.h"

void arch_unit_suites(SRunner *sr)
{
	(void)sr;
}
