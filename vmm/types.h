/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TESSERA_TYPES_H
#define TESSERA_TYPES_H

#include <stdint.h>

typedef uint64_t gpa_t; /* guest physical address */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
