// SPDX-License-Identifier: GPL-2.0
/* The ELF and raw loaders on good and malformed images. */
#include <elf.h>
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "loader.h"
#include "suites.h"

#define RAM (4u << 20)
#define RESERVED 0x100000

static uint8_t ram[RAM];
static struct guest_mem mem;
static uint8_t img[8192] __attribute__((aligned(8)));
static char err[256];

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	uint8_t payload[64];
} __attribute__((packed));

static struct image *im = (struct image *)img;

static void setup(void)
{
	memset(ram, 0, sizeof(ram));
	guest_mem_init_buffer(&mem, ram, RAM);
	ck_assert_int_eq(guest_mem_add_region(&mem, 0, RAM), 0);
	memset(img, 0, sizeof(img));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = arch_elf_machine(); /* the arch the tests run for */
	im->eh.e_entry = 0x200010;
	im->eh.e_phoff = offsetof(struct image, ph);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 2;
	im->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD,
				  .p_offset = offsetof(struct image, payload),
				  .p_vaddr = 0x200000, .p_paddr = 0x200000,
				  .p_filesz = 32, .p_memsz = 0x1000 };
	im->ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD,
				  .p_offset = offsetof(struct image, payload) + 32,
				  .p_vaddr = 0xffffffff80300000ULL,
				  .p_paddr = 0x300000, .p_filesz = 32,
				  .p_memsz = 32 };
	memset(im->payload, 0xab, 32);
	memset(im->payload + 32, 0xcd, 32);
}

static int load(void)
{
	struct load_info info;
	int r = loader_load_elf(&mem, img, sizeof(struct image), RESERVED,
				&info, err, sizeof(err));

	if (r == 0)
		ck_assert_uint_eq(info.entry, 0x200010);
	return r;
}

START_TEST(good_elf)
{
	memset(ram + 0x200020, 0x99, 16); /* must be zeroed (bss) */
	ck_assert_int_eq(load(), 0);
	ck_assert_uint_eq(ram[0x200000], 0xab);
	ck_assert_uint_eq(ram[0x20001f], 0xab);
	ck_assert_uint_eq(ram[0x200020], 0);
	ck_assert_uint_eq(ram[0x300000], 0xcd);
}
END_TEST

START_TEST(entry_through_high_vaddr)
{
	struct load_info info;

	im->eh.e_entry = 0xffffffff80300008ULL;
	ck_assert_int_eq(loader_load_elf(&mem, img, sizeof(struct image),
					 RESERVED, &info, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(info.entry, 0x300008);
	ck_assert_uint_eq(info.low, 0x200000);
	ck_assert_uint_eq(info.high, 0x300020);
}
END_TEST

#define EXPECT_FAIL(code, what)                                            \
	do {                                                               \
		ck_assert_int_eq(load(), code);                            \
		ck_assert_msg(strstr(err, what), "'%s' lacks '%s'", err, what); \
	} while (0)

START_TEST(bad_magic_class_machine)
{
	img[0] = 'X';
	EXPECT_FAIL(-ENOEXEC, "not an ELF");
	setup();
	im->eh.e_ident[EI_CLASS] = ELFCLASS32;
	EXPECT_FAIL(-ENOEXEC, "ELF64");
	setup();
	im->eh.e_machine = arch_elf_machine() == EM_X86_64 ? EM_AARCH64 : EM_X86_64;
	EXPECT_FAIL(-ENOEXEC, arch_name());
	setup();
	im->eh.e_type = ET_DYN;
	EXPECT_FAIL(-ENOEXEC, "not an executable");
}
END_TEST

START_TEST(bad_program_headers)
{
	im->eh.e_phentsize = 10;
	EXPECT_FAIL(-EINVAL, "program header size");
	setup();
	im->eh.e_phnum = 0;
	EXPECT_FAIL(-EINVAL, "program headers");
	setup();
	im->eh.e_phnum = 1000;
	EXPECT_FAIL(-EINVAL, "program headers");
	setup();
	im->eh.e_phoff = sizeof(struct image) - 8;
	EXPECT_FAIL(-EINVAL, "outside the file");
	setup();
	im->eh.e_phoff = UINT64_MAX - 8; /* offset + size wraps */
	EXPECT_FAIL(-EINVAL, "outside the file");
}
END_TEST

START_TEST(bad_segments)
{
	im->ph[0].p_filesz = 0x2000; /* > memsz */
	EXPECT_FAIL(-EINVAL, "file size exceeds");
	setup();
	im->ph[0].p_offset = 1ULL << 40;
	EXPECT_FAIL(-EINVAL, "outside the file");
	setup();
	im->ph[0].p_filesz = im->ph[0].p_memsz = UINT64_MAX - 0x1000;
	im->ph[0].p_offset = 0;
	im->ph[0].p_filesz = 0;
	EXPECT_FAIL(-EINVAL, "wraps");
	setup();
	im->ph[1].p_paddr = RAM - 16; /* runs past RAM */
	EXPECT_FAIL(-EINVAL, "does not fit in guest RAM");
	setup();
	im->ph[1].p_paddr = 0x7000; /* on the boot structures */
	EXPECT_FAIL(-EINVAL, "boot area");
	setup();
	im->ph[1].p_paddr = 0x200800; /* inside segment 0 */
	EXPECT_FAIL(-EINVAL, "overlap");
	setup();
	im->eh.e_entry = 0x500000;
	EXPECT_FAIL(-EINVAL, "entry point");
	setup();
	im->ph[0].p_type = PT_NOTE;
	im->ph[1].p_type = PT_NOTE;
	EXPECT_FAIL(-EINVAL, "no loadable segment");
}
END_TEST

START_TEST(entry_physical)
{
	struct load_info info;

	/* vmlinux style: segment linked high, e_entry its physical address. */
	im->ph[0].p_vaddr = 0xffffffff80200000ULL;
	im->eh.e_entry = 0x200010;
	ck_assert_int_eq(loader_load_elf(&mem, img, sizeof(struct image),
					 RESERVED, &info, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(info.entry, 0x200010);
}
END_TEST

START_TEST(truncated_everywhere)
{
	struct load_info info;

	/* Every prefix of a good image must fail cleanly, never read past it. */
	for (size_t len = 0; len < offsetof(struct image, payload) + 64; len++) {
		int r = loader_load_elf(&mem, img, len, RESERVED, &info, err,
					sizeof(err));

		ck_assert_msg(r < 0 || len >= offsetof(struct image, payload) + 64,
			      "prefix %zu accepted", len);
	}
}
END_TEST

START_TEST(raw_image)
{
	struct load_info info;
	static const uint8_t code[] = { 0xf4, 0xeb, 0xfd };

	ck_assert_int_eq(loader_load_raw(&mem, code, sizeof(code), 0x200000,
					 RESERVED, &info, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(info.entry, 0x200000);
	ck_assert_uint_eq(ram[0x200002], 0xfd);
	ck_assert_int_eq(loader_load_raw(&mem, code, sizeof(code), RAM - 1,
					 RESERVED, &info, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(loader_load_raw(&mem, code, sizeof(code), 0x1000,
					 RESERVED, &info, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(loader_load_raw(&mem, code, 0, 0x200000, RESERVED,
					 &info, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

START_TEST(read_file_errors)
{
	uint8_t *buf;
	size_t len;

	ck_assert_int_eq(loader_read_file("/nonexistent/x", 100, &buf, &len, err,
					  sizeof(err)),
			 -ENOENT);
	ck_assert(strstr(err, "cannot open"));
	ck_assert_int_eq(loader_read_file("/", 100, &buf, &len, err, sizeof(err)),
			 -EINVAL);
	ck_assert_int_eq(loader_read_file("/proc/self/exe", 16, &buf, &len, err,
					  sizeof(err)),
			 -EFBIG);
}
END_TEST

/* An ELF whose third program header is a PT_NOTE with two notes. */
static size_t add_notes(void)
{
	static const uint8_t notes[] = {
		4, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0, 'G', 'N', 'U', 0, 1, 2, 3, 4,
		4, 0, 0, 0, 4, 0, 0, 0, 18, 0, 0, 0, 'X', 'e', 'n', 0,
		0x00, 0x10, 0x00, 0x01, /* 0x01001000 */
	};
	size_t off = offsetof(struct image, payload) + 64;

	im->eh.e_phnum = 3;
	im->ph[2] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = off,
				  .p_filesz = sizeof(notes) };
	memcpy(img + off, notes, sizeof(notes));
	return off + sizeof(notes);
}

START_TEST(elf_notes)
{
	size_t len = add_notes(), n;
	uint32_t entry = 0;

	n = sizeof(entry);
	ck_assert_int_eq(loader_elf_find_note(img, len, "Xen", 18, &entry, &n), 0);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(entry, 0x01001000);
	n = sizeof(entry);
	ck_assert_int_eq(loader_elf_find_note(img, len, "Xen", 17, &entry, &n), -ENOENT);
	ck_assert_int_eq(loader_elf_find_note(img, len, "Xe", 18, &entry, &n), -ENOENT);
	/* The segment runs past the file; a note's size runs past its segment. */
	ck_assert_int_eq(loader_elf_find_note(img, len - 1, "Xen", 18, &entry, &n), -EINVAL);
	im->ph[2].p_filesz -= 2;
	ck_assert_int_eq(loader_elf_find_note(img, len, "Xen", 18, &entry, &n), -EINVAL);
	im->ph[2].p_filesz += 2;
	img[offsetof(struct image, payload) + 64 + 4] = 0xff; /* descsz 255 */
	ck_assert_int_eq(loader_elf_find_note(img, len, "Xen", 18, &entry, &n), -EINVAL);
	ck_assert_int_eq(loader_elf_find_note(img, 10, "Xen", 18, &entry, &n), -EINVAL);
}
END_TEST

Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("elf");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, good_elf);
	tcase_add_test(tc, entry_through_high_vaddr);
	tcase_add_test(tc, bad_magic_class_machine);
	tcase_add_test(tc, bad_program_headers);
	tcase_add_test(tc, bad_segments);
	tcase_add_test(tc, entry_physical);
	tcase_add_test(tc, truncated_everywhere);
	tcase_add_test(tc, raw_image);
	tcase_add_test(tc, elf_notes);
	tcase_add_test(tc, read_file_errors);
	suite_add_tcase(s, tc);
	return s;
}
