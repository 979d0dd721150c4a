// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 Image format and placement (Documentation/arch/arm64/
 * booting.rst): a 64-byte little-endian header with text_offset,
 * image_size, flags and the magic "ARM\x64"; the kernel is loaded at a
 * 2 MiB-aligned base plus text_offset, with image_size bytes (bss
 * included) free from there. Image bytes are untrusted: every field is
 * checked against the file and guest RAM. Pure.
 */
#include "arm64.h"
#include "layout.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "log.h"
#include "types.h"

#define HDR_TEXT_OFFSET 8
#define HDR_IMAGE_SIZE 16
#define HDR_FLAGS 24
#define HDR_MAGIC 56

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

bool arm64_image_is(const uint8_t *img, size_t len)
{
	return img && len >= ARM64_IMAGE_HDR_SIZE &&
	       le32(img + HDR_MAGIC) == ARM64_IMAGE_MAGIC;
}

int arm64_image_parse(const uint8_t *img, size_t len, struct arm64_image *out,
		      char *err, size_t errlen)
{
	struct arm64_image im;

	if (!arm64_image_is(img, len)) {
		if (img && len >= 2 && img[0] == 0x1f && img[1] == 0x8b)
			err_printf(err, errlen, -ENOENT,
				   "a gzip-compressed file: decompress the arm64 Image first");
		return -ENOENT;
	}
	im.text_offset = le64(img + HDR_TEXT_OFFSET);
	im.image_size = le64(img + HDR_IMAGE_SIZE);
	im.flags = le64(img + HDR_FLAGS);
	im.legacy = im.image_size == 0;
	if (im.legacy) {
		/* Before 3.17: text_offset was 0x80000 in practice, size unknown. */
		im.text_offset = ARM64_IMAGE_LEGACY_TEXT_OFFSET;
		im.image_size = len;
		im.flags = 0;
	}
	if (im.flags & ARM64_IMAGE_FLAG_BE)
		return err_printf(err, errlen, -EINVAL,
				  "a big-endian kernel: this monitor runs little-endian guests");
	if (im.image_size < len)
		return err_printf(err, errlen, -EINVAL,
				  "header image_size %" PRIu64 " is smaller than the file (%zu bytes)",
				  im.image_size, len);
	if (im.text_offset >= ARM64_SZ_2M || (im.text_offset & 0xfff))
		return err_printf(err, errlen, -EINVAL,
				  "header text_offset 0x%" PRIx64 " is not a 4 KiB-aligned offset below 2 MiB",
				  im.text_offset);
	*out = im;
	return 0;
}

int arm64_image_place(const struct arm64_image *im, uint64_t ram_base,
		      uint64_t limit, uint64_t *load, char *err, size_t errlen)
{
	uint64_t base = (ram_base + ARM64_SZ_2M - 1) & ~(ARM64_SZ_2M - 1);
	uint64_t at;

	if (base < ram_base || base > limit || im->text_offset > limit - base)
		goto err_fit;
	at = base + im->text_offset;
	if (im->image_size > limit - at)
		goto err_fit;
	*load = at;
	return 0;
err_fit:
	return err_printf(err, errlen, -EINVAL,
			  "kernel needs %" PRIu64 " MiB from 0x%" PRIx64 " below 0x%" PRIx64 ": guest RAM is too small",
			  (im->image_size >> 20) + 1, base, limit);
}

int arm64_dtb_addr(uint64_t ram_base, uint64_t ram_size, uint64_t *addr)
{
	uint64_t end = ram_base + ram_size;
	uint64_t a;

	if (end < ram_base || ram_size < 2 * ARM64_DTB_AREA)
		return -EINVAL;
	a = (end - ARM64_DTB_AREA) & ~(ARM64_SZ_2M - 1);
	if (a < ram_base + ARM64_SZ_2M)
		return -EINVAL;
	*addr = a;
	return 0;
}

uint64_t arm64_mpidr(unsigned int id)
{
	return (uint64_t)(id & 0xf) | (uint64_t)((id >> 4) & 0xff) << 8 |
	       (uint64_t)((id >> 12) & 0xff) << 16;
}

uint32_t arm64_irq_line_encode(uint32_t line)
{
	/* linux/kvm.h: type in bits 24-27 (SPI 1), vCPU 16-23, number 0-15. */
	return 1u << 24 | ((32u + line) & 0xffffu);
}
