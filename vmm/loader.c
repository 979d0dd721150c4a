// SPDX-License-Identifier: GPL-2.0
#include "loader.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arch.h"
#include "log.h"

int loader_is_elf(const uint8_t *img, size_t len)
{
	return len >= SELFMAG && memcmp(img, ELFMAG, SELFMAG) == 0;
}

static int check_header(const Elf64_Ehdr *eh, size_t len, char *err,
			size_t errlen)
{
	uint64_t ph_end;

	if (len < sizeof(*eh) || !loader_is_elf((const uint8_t *)eh, len))
		return err_printf(err, errlen, -ENOEXEC, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return err_printf(err, errlen, -ENOEXEC,
			    "not a little-endian ELF64 file");
	if (eh->e_machine != arch_elf_machine())
		return err_printf(err, errlen, -ENOEXEC, "ELF machine %u is not %s",
			    eh->e_machine, arch_name());
	if (eh->e_type != ET_EXEC)
		return err_printf(err, errlen, -ENOEXEC,
			    "ELF type %u is not an executable", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return err_printf(err, errlen, -EINVAL, "bad ELF program header size %u",
			    eh->e_phentsize);
	if (eh->e_phnum == 0 || eh->e_phnum > LOADER_MAX_PHDRS)
		return err_printf(err, errlen, -EINVAL,
			    "ELF has %u program headers (1 to %d allowed)",
			    eh->e_phnum, LOADER_MAX_PHDRS);
	ph_end = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
	if (eh->e_phoff > len || ph_end < eh->e_phoff || ph_end > len)
		return err_printf(err, errlen, -EINVAL,
			    "ELF program headers lie outside the file");
	return 0;
}

/* Checks that [gpa, gpa+size) is in RAM, above the reserved area. */
static int check_range(const struct guest_mem *m, gpa_t gpa, uint64_t size,
		       gpa_t reserved_end, char *err, size_t errlen)
{
	if (gpa + size < gpa)
		return err_printf(err, errlen, -EINVAL,
			    "segment at 0x%" PRIx64 " wraps around", gpa);
	if (gpa < reserved_end)
		return err_printf(err, errlen, -EINVAL,
			    "segment at 0x%" PRIx64
			    " overlaps the monitor's boot area (below 0x%" PRIx64 ")",
			    gpa, reserved_end);
	if (!guest_mem_ptr(m, gpa, size))
		return err_printf(err, errlen, -EINVAL,
			    "segment 0x%" PRIx64 "-0x%" PRIx64
			    " does not fit in guest RAM",
			    gpa, gpa + size);
	return 0;
}

int loader_load_elf(const struct guest_mem *m, const uint8_t *img, size_t len,
		    gpa_t reserved_end, struct load_info *out, char *err,
		    size_t errlen)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph[LOADER_MAX_PHDRS];
	unsigned int nload = 0;
	bool entry_found = false;
	int r;

	if (len < sizeof(eh))
		return err_printf(err, errlen, -ENOEXEC, "file too short for an ELF header");
	memcpy(&eh, img, sizeof(eh)); /* copy once, then trust only the copy */
	r = check_header(&eh, len, err, errlen);
	if (r)
		return r;
	out->low = UINT64_MAX;
	out->high = 0;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, img + eh.e_phoff + i * sizeof(p), sizeof(p));
		if (p.p_type != PT_LOAD || p.p_memsz == 0)
			continue;
		if (p.p_filesz > p.p_memsz)
			return err_printf(err, errlen, -EINVAL,
				    "segment %u: file size exceeds memory size", i);
		if (p.p_offset > len || p.p_filesz > len - p.p_offset)
			return err_printf(err, errlen, -EINVAL,
				    "segment %u lies outside the file", i);
		r = check_range(m, p.p_paddr, p.p_memsz, reserved_end, err,
				errlen);
		if (r)
			return r;
		for (unsigned int j = 0; j < nload; j++) {
			if (p.p_paddr < ph[j].p_paddr + ph[j].p_memsz &&
			    ph[j].p_paddr < p.p_paddr + p.p_memsz)
				return err_printf(err, errlen, -EINVAL,
					    "segments at 0x%" PRIx64 " and 0x%" PRIx64
					    " overlap",
					    (uint64_t)ph[j].p_paddr,
					    (uint64_t)p.p_paddr);
		}
		ph[nload++] = p;
		/*
		 * The entry is virtual; map it through the segment holding it.
		 * Linux's vmlinux gives a physical one (phys_startup_64).
		 */
		if (eh.e_entry >= p.p_vaddr && eh.e_entry - p.p_vaddr < p.p_memsz) {
			out->entry = p.p_paddr + (eh.e_entry - p.p_vaddr);
			entry_found = true;
		} else if (!entry_found && eh.e_entry >= p.p_paddr &&
			   eh.e_entry - p.p_paddr < p.p_memsz) {
			out->entry = eh.e_entry;
			entry_found = true;
		}
	}
	if (nload == 0)
		return err_printf(err, errlen, -EINVAL, "ELF has no loadable segment");
	if (!entry_found)
		return err_printf(err, errlen, -EINVAL,
			    "ELF entry point 0x%" PRIx64 " is in no segment",
			    (uint64_t)eh.e_entry);
	for (unsigned int j = 0; j < nload; j++) {
		uint8_t *dst = guest_mem_ptr(m, ph[j].p_paddr, ph[j].p_memsz);

		memcpy(dst, img + ph[j].p_offset, ph[j].p_filesz);
		memset(dst + ph[j].p_filesz, 0, ph[j].p_memsz - ph[j].p_filesz);
		if (ph[j].p_paddr < out->low)
			out->low = ph[j].p_paddr;
		if (ph[j].p_paddr + ph[j].p_memsz > out->high)
			out->high = ph[j].p_paddr + ph[j].p_memsz;
	}
	return 0;
}

int loader_load_raw(const struct guest_mem *m, const uint8_t *img, size_t len,
		    gpa_t addr, gpa_t reserved_end, struct load_info *out,
		    char *err, size_t errlen)
{
	int r;

	if (len == 0)
		return err_printf(err, errlen, -EINVAL, "raw image is empty");
	r = check_range(m, addr, len, reserved_end, err, errlen);
	if (r)
		return r;
	memcpy(guest_mem_ptr(m, addr, len), img, len);
	out->entry = out->low = addr;
	out->high = addr + len;
	return 0;
}

int loader_read_file(const char *path, uint64_t max, uint8_t **buf,
		     size_t *len, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *p;
	size_t done = 0;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_printf(err, errlen, -errno, "cannot open '%s': %s", path,
			    strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_printf(err, errlen, -EINVAL, "'%s' is not a regular file",
			    path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return err_printf(err, errlen, -EFBIG,
			    "'%s' (%lld bytes) is larger than guest RAM", path,
			    (long long)st.st_size);
	}
	p = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!p) {
		close(fd);
		return err_printf(err, errlen, -ENOMEM, "out of memory reading '%s'",
			    path);
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, p + done, (size_t)st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			free(p);
			close(fd);
			return err_printf(err, errlen, -e, "cannot read '%s': %s",
				    path, strerror(e));
		}
		done += (size_t)n;
	}
	close(fd);
	*buf = p;
	*len = done;
	return 0;
}

int loader_place_initrd(uint64_t size, uint64_t low, uint64_t limit,
			uint64_t *addr)
{
	uint64_t a;

	if (size == 0 || size > limit)
		return -ENOSPC;
	a = (limit - size) & ~0xfffULL;
	if (a < low)
		return -ENOSPC;
	*addr = a;
	return 0;
}

/* Walks the notes of one PT_NOTE segment [off, off+size) of img. */
static int find_note_in(const uint8_t *img, uint64_t off, uint64_t size,
			const char *name, uint32_t type, void *desc,
			size_t *desc_len)
{
	size_t namesz_want = strlen(name) + 1;
	uint64_t pos = 0;

	while (size - pos >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh;
		uint64_t nameoff, descoff, next;

		memcpy(&nh, img + off + pos, sizeof(nh));
		nameoff = pos + sizeof(nh);
		descoff = nameoff + (((uint64_t)nh.n_namesz + 3) & ~3ULL);
		next = descoff + (((uint64_t)nh.n_descsz + 3) & ~3ULL);
		if (descoff > size || next > size || nh.n_descsz > size)
			return -EINVAL;
		if (nh.n_type == type && nh.n_namesz == namesz_want &&
		    !memcmp(img + off + nameoff, name, namesz_want)) {
			size_t n = nh.n_descsz < *desc_len ? nh.n_descsz
							   : *desc_len;

			memcpy(desc, img + off + descoff, n);
			*desc_len = nh.n_descsz;
			return 0;
		}
		pos = next;
	}
	return -ENOENT;
}

int loader_elf_find_note(const uint8_t *img, size_t len, const char *name,
			 uint32_t type, void *desc, size_t *desc_len)
{
	Elf64_Ehdr eh;
	char err[128];
	int r;

	if (len < sizeof(eh))
		return -EINVAL;
	memcpy(&eh, img, sizeof(eh));
	if (check_header(&eh, len, err, sizeof(err)))
		return -EINVAL;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr p;

		memcpy(&p, img + eh.e_phoff + i * sizeof(p), sizeof(p));
		if (p.p_type != PT_NOTE)
			continue;
		if (p.p_offset > len || p.p_filesz > len - p.p_offset)
			return -EINVAL;
		r = find_note_in(img, p.p_offset, p.p_filesz, name, type, desc,
				 desc_len);
		if (r != -ENOENT)
			return r;
	}
	return -ENOENT;
}
