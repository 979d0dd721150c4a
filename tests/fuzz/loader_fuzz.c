// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the kernel image loaders (vmm/loader.c and
 * vmm/arch/x86_64/bzimage.c): the input's first byte selects the path,
 * the rest is the image.
 *
 *   0  loader_load_elf() into a 2 MiB guest RAM (the first 4 KiB reserved)
 *   1  bzimage_parse(), then the protected-mode payload copied to its load
 *      address as arch_load_kernel() does, when it fits
 *   2  loader_elf_find_note() for the PVH entry note ("Xen", 18)
 *   3  loader_load_raw() at an address taken from the next 4 bytes
 *
 * Whatever a loader accepts must lie inside guest RAM (checked here), and
 * nothing it rejects may touch memory outside the image.
 */
#include <elf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "arch/x86_64/bzimage.h"
#include "fuzz.h"
#include "loader.h"
#include "log.h"
#include "mem.h"

#define RAM_SIZE (2u << 20)
#define RESERVED 0x1000u

/*
 * The two arch facts the loader asks for, so that the libFuzzer build
 * needs no more of the arch than bzimage.c; weak, so that the replay
 * build, linked with libtessera.a, may take the arch's own.
 */
__attribute__((weak)) const char *arch_name(void)
{
	return "x86-64";
}

__attribute__((weak)) uint16_t arch_elf_machine(void)
{
	return EM_X86_64;
}

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static struct guest_mem mem;

static void init_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	log_level = LOG_QUIET;
	guest_mem_init_buffer(&mem, ram, sizeof(ram));
	if (guest_mem_add_region(&mem, 0, sizeof(ram)))
		abort();
}

static void check_span(const struct load_info *info)
{
	if (info->low > info->high || info->high > RAM_SIZE ||
	    info->low < RESERVED)
		abort(); /* the loader's promise: inside RAM, above the reserve */
}

static void fuzz_bzimage(const uint8_t *img, size_t len)
{
	struct bzimage bz;
	char err[256];
	void *dst;

	if (!bzimage_is(img, len) || bzimage_parse(img, len, &bz, err, sizeof(err)))
		return;
	if (bz.pm_offset > len || bz.pm_len != len - bz.pm_offset ||
	    bz.init_size < bz.pm_len || bz.hdr_len > sizeof(bz.hdr))
		abort(); /* the parser's promises (bzimage.h) */
	/* arch_load_kernel(): the payload goes to load_addr if RAM holds it. */
	if (bz.init_size > RAM_SIZE || bz.load_addr > RAM_SIZE - bz.init_size)
		return;
	dst = guest_mem_ptr(&mem, bz.load_addr, bz.pm_len);
	if (!dst && bz.pm_len)
		abort();
	if (bz.pm_len)
		memcpy(dst, img + bz.pm_offset, bz.pm_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct load_info info;
	uint8_t note[16];
	size_t n = sizeof(note);
	char err[256];
	uint32_t addr;

	init_once();
	if (size < 1)
		return 0;
	switch (data[0] & 3) {
	case 0:
		if (loader_load_elf(&mem, data + 1, size - 1, RESERVED, &info,
				    err, sizeof(err)) == 0)
			check_span(&info);
		break;
	case 1:
		fuzz_bzimage(data + 1, size - 1);
		break;
	case 2:
		if (loader_elf_find_note(data + 1, size - 1, "Xen", 18, note, &n) == 0 &&
		    n > sizeof(note))
			abort();
		break;
	case 3:
		if (size < 5)
			return 0;
		memcpy(&addr, data + 1, 4);
		if (loader_load_raw(&mem, data + 5, size - 5, addr % (RAM_SIZE + 0x10000),
				    RESERVED, &info, err, sizeof(err)) == 0)
			check_span(&info);
		break;
	}
	return 0;
}
