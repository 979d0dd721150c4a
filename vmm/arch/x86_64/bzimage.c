// SPDX-License-Identifier: GPL-2.0
#include "arch/x86_64/bzimage.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define HDRS_MAGIC 0x53726448 /* "HdrS" */
#define KERNEL_LOAD_ADDR 0x100000ULL /* protocol: 1 MiB for a bzImage */

int bzimage_is(const uint8_t *img, size_t len)
{
	uint32_t magic;

	if (len < 0x206)
		return 0;
	memcpy(&magic, img + 0x202, sizeof(magic));
	return magic == HDRS_MAGIC;
}

int bzimage_parse(const uint8_t *img, size_t len, struct bzimage *out,
		  char *err, size_t errlen)
{
	struct setup_header *h = &out->hdr;
	size_t setup_sects, hdr_end;

	memset(out, 0, sizeof(*out));
	if (!bzimage_is(img, len))
		return err_printf(err, errlen, -ENOEXEC, "not a Linux bzImage");
	/* The header ends where the jump at 0x200 lands: 0x202 + its offset. */
	hdr_end = 0x202 + img[0x201];
	if (hdr_end > len || hdr_end <= BZIMAGE_HDR_OFFSET)
		return err_printf(err, errlen, -EINVAL, "bzImage header is truncated");
	out->hdr_len = hdr_end - BZIMAGE_HDR_OFFSET;
	if (out->hdr_len > sizeof(*h))
		out->hdr_len = sizeof(*h);
	memcpy(h, img + BZIMAGE_HDR_OFFSET, out->hdr_len);
	if (h->version < BZIMAGE_MIN_VERSION)
		return err_printf(err, errlen, -ENOEXEC,
			    "boot protocol %u.%02u is too old (need 2.12 or newer)",
			    h->version >> 8, h->version & 0xff);
	if (!(h->xloadflags & XLF_KERNEL_64))
		return err_printf(err, errlen, -ENOEXEC,
			    "bzImage has no 64-bit entry point (XLF_KERNEL_64)");
	if (!(h->loadflags & LOADED_HIGH))
		return err_printf(err, errlen, -ENOEXEC,
			    "bzImage is not loaded high (a zImage?)");
	setup_sects = h->setup_sects ? h->setup_sects : 4;
	out->pm_offset = (setup_sects + 1) * 512;
	if (out->pm_offset >= len)
		return err_printf(err, errlen, -EINVAL,
			    "bzImage is truncated: no protected-mode kernel");
	out->pm_len = len - out->pm_offset;
	if ((uint64_t)h->syssize * 16 > out->pm_len)
		return err_printf(err, errlen, -EINVAL,
			    "bzImage is truncated: %zu of %llu kernel bytes",
			    out->pm_len, (unsigned long long)h->syssize * 16);
	out->load_addr = KERNEL_LOAD_ADDR;
	out->init_size = h->init_size > out->pm_len ? h->init_size : out->pm_len;
	out->initrd_max = h->initrd_addr_max ? h->initrd_addr_max : 0x37ffffff;
	out->cmdline_max = h->cmdline_size ? h->cmdline_size
					   : BZIMAGE_DEFAULT_CMDLINE_SIZE - 1;
	return 0;
}
