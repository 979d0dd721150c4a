/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest kernel's command line: the arch's defaults merged with the
 * user's --cmdline. Boot code (vm.c) builds the final line with it.
 */
#ifndef TESSERA_CMDLINE_H
#define TESSERA_CMDLINE_H

#include <stddef.h>

/*
 * Builds a kernel command line: each space-separated default whose key (the
 * part before '=') the user's line does not set, then the user's line.
 * Returns the length, or -E2BIG if it needs more than max bytes (without
 * the NUL); out holds max + 1 bytes. Pure.
 */
int config_merge_cmdline(const char *defaults, const char *user, char *out,
			 size_t max);

#endif
