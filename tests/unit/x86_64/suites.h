/* SPDX-License-Identifier: GPL-2.0 */
/* x86_64's unit suites (tests/unit/x86_64/), added by arch_unit_suites(). */
#ifndef TESSERA_UNIT_X86_SUITES_H
#define TESSERA_UNIT_X86_SUITES_H

#include "../suites.h"

Suite *cpuid_suite(void);
Suite *boot_suite(void);
Suite *board_suite(void);
Suite *arch_fdt_suite(void);
Suite *arch_platform_suite(void);

#endif
