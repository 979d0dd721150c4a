/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest image loading: ELF64 executables at their physical addresses, or a
 * raw binary at a given address. Image bytes are untrusted: every field is
 * checked against the file size and guest RAM before use.
 */
#ifndef TESSERA_LOADER_H
#define TESSERA_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "mem.h"
#include "types.h"

#define LOADER_MAX_PHDRS 64

struct load_info {
	gpa_t entry;     /* guest-physical entry point */
	gpa_t low, high; /* [low, high) spans everything loaded */
};

/*
 * Loads an ELF64 executable of the arch's machine (arch_elf_machine()):
 * its PT_LOAD segments at their p_paddr, zero-filled up to p_memsz. Rejects a malformed header, segments outside
 * RAM, below reserved_end, overlapping each other, and an entry point that
 * lies in no segment. Returns 0 or -EINVAL/-ENOEXEC with a one-line reason
 * in err. Pure apart from writing guest RAM.
 */
int loader_load_elf(const struct guest_mem *m, const uint8_t *img, size_t len,
		    gpa_t reserved_end, struct load_info *out, char *err,
		    size_t errlen);

/* Copies a raw image to addr (entry = addr), with the same bounds checks. */
int loader_load_raw(const struct guest_mem *m, const uint8_t *img, size_t len,
		    gpa_t addr, gpa_t reserved_end, struct load_info *out,
		    char *err, size_t errlen);

/*
 * Where an initrd of size bytes goes: the highest 4 KiB-aligned address
 * with [addr, addr+size) inside [low, limit). Returns 0 or -ENOSPC. Pure.
 */
int loader_place_initrd(uint64_t size, uint64_t low, uint64_t limit,
			uint64_t *addr);

/*
 * Looks through an ELF64 image's PT_NOTE segments for a note of the given
 * owner name and type and copies up to *len bytes of its descriptor into
 * desc, setting *len to the descriptor's size. Returns 0, -ENOENT when
 * there is none, -EINVAL for a malformed image. Pure; bounded by len.
 */
int loader_elf_find_note(const uint8_t *img, size_t len, const char *name,
			 uint32_t type, void *desc, size_t *desc_len);

/* Whether img starts with the ELF magic. */
int loader_is_elf(const uint8_t *img, size_t len);

/*
 * Reads a whole file of at most max bytes into a malloc'ed buffer.
 * Returns 0 or -errno (-EFBIG when larger than max), reason in err.
 */
int loader_read_file(const char *path, uint64_t max, uint8_t **buf,
		     size_t *len, char *err, size_t errlen);

#endif
