/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux x86 boot protocol (Documentation/arch/x86/boot.rst): parsing a
 * bzImage's setup header. Pure; unit-tested on truncated and corrupted
 * images.
 */
#ifndef TESSERA_X86_BZIMAGE_H
#define TESSERA_X86_BZIMAGE_H

#include <asm/bootparam.h>
#include <stddef.h>
#include <stdint.h>

#define BZIMAGE_MIN_VERSION 0x020c /* 2.12: 64-bit entry, xloadflags */
#define BZIMAGE_HDR_OFFSET 0x1f1
#define BZIMAGE_DEFAULT_CMDLINE_SIZE 256 /* protocol < 2.06 */

struct bzimage {
	struct setup_header hdr; /* as in the file, to copy into boot_params */
	size_t hdr_len;          /* bytes of hdr the file defines */
	size_t pm_offset;        /* protected-mode kernel within the file */
	size_t pm_len;
	uint64_t load_addr;      /* where the protected-mode kernel goes */
	uint64_t init_size;      /* memory it needs from load_addr */
	uint64_t initrd_max;     /* highest address an initrd byte may use */
	uint32_t cmdline_max;    /* longest command line, without the NUL */
};

/*
 * Whether img carries the "HdrS" magic of a Linux setup header at 0x202.
 */
int bzimage_is(const uint8_t *img, size_t len);

/*
 * Validates and decodes the header: protocol 2.12 or newer, a 64-bit
 * kernel (XLF_KERNEL_64), setup sectors and payload inside the file.
 * Returns 0 or -ENOEXEC/-EINVAL with a one-line reason in err.
 */
int bzimage_parse(const uint8_t *img, size_t len, struct bzimage *out,
		  char *err, size_t errlen);

#endif
