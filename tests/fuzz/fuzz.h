/* SPDX-License-Identifier: GPL-2.0 */
/* The libFuzzer entry point each tests/fuzz/NAME_fuzz.c defines. */
#ifndef TESSERA_FUZZ_H
#define TESSERA_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
