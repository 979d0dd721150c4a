// SPDX-License-Identifier: GPL-2.0
/* The stub arch has no suites of its own (make ARCH=stub). */
#include "../suites.h"

void arch_unit_suites(SRunner *sr)
{
	(void)sr;
}
