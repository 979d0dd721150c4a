// SPDX-License-Identifier: GPL-2.0
/*
 * Booting Linux (Documentation/arch/x86/boot.rst, 64-bit protocol): the
 * bzImage's protected-mode kernel at 1 MiB entered at +0x200, or a vmlinux
 * ELF entered at startup_64; in both cases RSI points to the zero page,
 * which carries the setup header, the e820 map, the command line, the
 * initrd and the setup_data chain. The CPUs and the IOAPIC are described
 * twice, by an MP table and by ACPI (MADT), because some kernels (Debian's)
 * read only ACPI; ACPI also gives the guest a way to power off.
 * Freestanding guests get the same zero page.
 */
#include "arch/x86_64/boot.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/mptable.h"
#include "arch/x86_64/pvh.h"
#include "loader.h"
#include "log.h"
#include "pci/host.h"
#include "vm.h"

#define KERNEL_ENTRY_64_OFFSET 0x200
#define LOADER_TYPE_UNDEFINED 0xff
#define ONE_MIB 0x100000ULL
#define E820_RAM 1      /* uapi asm/e820.h is not exported: the ACPI types */
#define E820_RESERVED 2

static void e820_add(struct boot_e820_entry *e, size_t *n, size_t max,
		     uint64_t addr, uint64_t size, uint32_t type)
{
	if (*n < max)
		e[(*n)++] = (struct boot_e820_entry){ addr, size, type };
}

size_t x86_e820_build(const struct guest_mem *m, uint64_t ecam_base,
		      uint64_t ecam_size, struct boot_e820_entry *e, size_t max)
{
	bool ecam = ecam_size != 0;
	size_t n = 0;

	if (m->nregions == 0 || max < 3)
		return 0;
	e820_add(e, &n, max, 0, X86_EBDA_START, E820_RAM);
	e820_add(e, &n, max, X86_EBDA_START, ONE_MIB - X86_EBDA_START,
		 E820_RESERVED);
	if (m->region[0].size > ONE_MIB)
		e820_add(e, &n, max, ONE_MIB, m->region[0].size - ONE_MIB,
			 E820_RAM);
	for (unsigned int i = 1; i < m->nregions; i++) {
		if (ecam && ecam_base < m->region[i].gpa) {
			e820_add(e, &n, max, ecam_base, ecam_size, E820_RESERVED);
			ecam = false;
		}
		e820_add(e, &n, max, m->region[i].gpa, m->region[i].size,
			 E820_RAM);
	}
	if (ecam)
		e820_add(e, &n, max, ecam_base, ecam_size, E820_RESERVED);
	return n;
}

const char arch_kernel_formats[] = "an ELF64 or bzImage";

int arch_load_kernel(struct vm *vm, const uint8_t *img, size_t len,
		     struct load_info *info, char *err, size_t errlen)
{
	struct bzimage *bz = &vm->arch.bz;
	uint64_t low_end = vm->mem.region[0].size;
	void *dst;
	int r;

	if (!bzimage_is(img, len))
		return -ENOENT;
	r = bzimage_parse(img, len, bz, err, errlen);
	if (r)
		return r;
	if (bz->init_size > low_end || bz->load_addr > low_end - bz->init_size) {
		snprintf(err, errlen,
			 "kernel needs %llu MiB from 1 MiB; guest RAM is too small",
			 (unsigned long long)(bz->init_size >> 20) + 1);
		return -EINVAL;
	}
	dst = guest_mem_ptr(&vm->mem, bz->load_addr, bz->pm_len);
	memcpy(dst, img + bz->pm_offset, bz->pm_len);
	vm->arch.bzimage = true;
	info->entry = bz->load_addr + KERNEL_ENTRY_64_OFFSET;
	info->low = bz->load_addr;
	info->high = bz->load_addr + bz->init_size;
	return 0;
}

int arch_elf_kernel(struct vm *vm, const uint8_t *img, size_t len, char *err,
		    size_t errlen)
{
	uint64_t entry = 0; /* little-endian: a 4-byte note fills the low half */
	size_t n = sizeof(entry);
	int r = loader_elf_find_note(img, len, PVH_NOTE_NAME,
				     XEN_ELFNOTE_PHYS32_ENTRY, &entry, &n);

	if (r == -ENOENT)
		return 0; /* no PVH note: entered at e_entry in 64-bit mode */
	/* Linux writes the note with _ASM_PTR: 8 bytes on x86-64, 4 on i386. */
	if (r || (n != 4 && n != 8) || entry > UINT32_MAX ||
	    !guest_mem_ptr(&vm->mem, entry, 1)) {
		snprintf(err, errlen, "malformed PVH entry note");
		return -EINVAL;
	}
	vm->arch.pvh = true;
	vm->arch.pvh_entry = (uint32_t)entry;
	vm->entry = entry;
	return 0;
}

uint64_t arch_initrd_limit(const struct vm *vm)
{
	uint64_t limit = vm->mem.region[0].size;

	if (vm->arch.bzimage && vm->arch.bz.initrd_max + 1 < limit)
		limit = vm->arch.bz.initrd_max + 1;
	return limit;
}

size_t arch_cmdline_max(const struct vm *vm)
{
	size_t max = X86_CMDLINE_MAX - 1;

	if (vm->arch.bzimage && vm->arch.bz.cmdline_max < max)
		max = vm->arch.bz.cmdline_max;
	return max;
}

const char *arch_cmdline_defaults(void)
{
	/* ttyS0 is our 16550A; reboot=k resets through the i8042 (exit 0). */
	return "console=ttyS0 reboot=k";
}

static void fill_header(struct vm *vm, struct setup_header *h)
{
	if (vm->arch.bzimage) {
		memcpy(h, &vm->arch.bz.hdr, vm->arch.bz.hdr_len);
	} else {
		/* A vmlinux or test guest: a header of our own, as a loader would. */
		h->boot_flag = 0xaa55;
		h->header = 0x53726448; /* "HdrS" */
		h->version = 0x020f;
		h->kernel_alignment = 0x1000000;
		h->loadflags = LOADED_HIGH;
	}
	h->type_of_loader = LOADER_TYPE_UNDEFINED;
	h->loadflags |= CAN_USE_HEAP;
	h->heap_end_ptr = 0xfe00;
	h->cmd_line_ptr = (uint32_t)X86_CMDLINE_ADDR;
	h->cmdline_size = (uint32_t)X86_CMDLINE_MAX;
	h->ramdisk_image = (uint32_t)vm->initrd_gpa;
	h->ramdisk_size = (uint32_t)vm->initrd_size;
	h->setup_data = vm->dtb_len ? X86_SETUP_DATA_ADDR : 0;
}

static int write_setup_data(struct vm *vm)
{
	struct setup_data sd = { .next = 0, .type = SETUP_DTB,
				 .len = (uint32_t)vm->dtb_len };
	uint64_t room = X86_EBDA_START - X86_SETUP_DATA_ADDR - sizeof(sd);

	if (!vm->dtb_len)
		return 0;
	if (vm->dtb_len > room) {
		log_err("device tree of %zu bytes does not fit below the EBDA",
			vm->dtb_len);
		return -E2BIG;
	}
	if (guest_mem_write(&vm->mem, X86_SETUP_DATA_ADDR, &sd, sizeof(sd)) ||
	    guest_mem_write(&vm->mem, X86_SETUP_DATA_ADDR + sizeof(sd), vm->dtb,
			    vm->dtb_len))
		return -EFAULT;
	return 0;
}

/* The PCI bus as the MP table describes it: each slot's INTx. */
static void mptable_pci_of(const struct pci_host *h, struct mptable_pci *p)
{
	unsigned int s;

	memset(p, 0, sizeof(*p));
	pci_host_for_each_intx(h, s) {
		if (p->nintx == MPTABLE_MAX_INTX)
			break;
		p->intx[p->nintx].slot = (uint8_t)s;
		p->intx[p->nintx].pin = h->slot[s].intx_pin;
		/* out of range: mptable_build refuses it */
		p->intx[p->nintx].ioapic_pin = h->slot[s].intx_line < 256 ?
			(uint8_t)h->slot[s].intx_line : 255;
		p->nintx++;
	}
}

static int write_mptable(struct vm *vm)
{
	uint8_t buf[4096];
	struct mptable_pci pci;
	size_t n;

	if (vm->pci)
		mptable_pci_of(vm->pci, &pci);
	n = mptable_build(buf, sizeof(buf), X86_MPTABLE_ADDR, vm->nvcpus,
			  (uint32_t)X86_IOAPIC_ADDR, vm->pci ? &pci : NULL);
	if (!n || n > ONE_MIB - X86_MPTABLE_ADDR) {
		log_err("MP table for %u vCPUs and %u PCI interrupts does not fit",
			vm->nvcpus, vm->pci ? pci.nintx : 0);
		return -E2BIG;
	}
	return guest_mem_write(&vm->mem, X86_MPTABLE_ADDR, buf, n);
}

/* The PCI bridge as ACPI describes it: windows and each slot's INTx. */
static void acpi_pci_of(const struct pci_host *h, struct acpi_pci *p)
{
	unsigned int s;

	memset(p, 0, sizeof(*p));
	p->ecam_base = h->place.ecam_base;
	p->mem32_base = h->place.mem32_base;
	p->mem32_size = h->place.mem32_size;
	p->mem64_base = h->place.mem64_base;
	p->mem64_size = h->place.mem64_size;
	pci_host_for_each_intx(h, s) {
		if (p->nintx == ACPI_PCI_MAX_INTX)
			break;
		p->intx[p->nintx].slot = (uint8_t)s;
		p->intx[p->nintx].pin = h->slot[s].intx_pin;
		p->intx[p->nintx].gsi = h->slot[s].intx_line;
		p->nintx++;
	}
}

static int write_acpi(struct vm *vm, struct boot_params *bp)
{
	uint8_t buf[4096];
	struct acpi_pci pci;
	size_t n;

	if (vm->pci)
		acpi_pci_of(vm->pci, &pci);
	n = acpi_build_pci(buf, sizeof(buf), ACPI_TABLES_ADDR, vm->nvcpus,
			   (uint32_t)X86_IOAPIC_ADDR, vm->pci ? &pci : NULL);

	if (!n || n > ACPI_TABLES_MAX) {
		log_err("ACPI tables for %u vCPUs do not fit", vm->nvcpus);
		return -E2BIG;
	}
	bp->acpi_rsdp_addr = ACPI_TABLES_ADDR;
	return guest_mem_write(&vm->mem, ACPI_TABLES_ADDR, buf, n);
}

/* The PVH start info: command line, initrd as module 0, memory map, RSDP. */
static int write_pvh_start_info(struct vm *vm, const struct boot_params *bp)
{
	struct {
		struct hvm_start_info si;
		struct hvm_modlist_entry mod;
		struct hvm_memmap_entry map[E820_MAX_ENTRIES_ZEROPAGE];
	} __attribute__((packed)) b;
	uint64_t base = HVM_START_INFO_ADDR;

	memset(&b, 0, sizeof(b));
	b.si.magic = HVM_START_MAGIC;
	b.si.version = 1;
	b.si.cmdline_paddr = X86_CMDLINE_ADDR;
	b.si.rsdp_paddr = ACPI_TABLES_ADDR;
	if (vm->initrd_size) {
		b.si.nr_modules = 1;
		b.si.modlist_paddr = base + offsetof(typeof(b), mod);
		b.mod.paddr = vm->initrd_gpa;
		b.mod.size = vm->initrd_size;
	}
	b.si.memmap_paddr = base + offsetof(typeof(b), map);
	b.si.memmap_entries = bp->e820_entries;
	for (unsigned int i = 0; i < bp->e820_entries; i++)
		b.map[i] = (struct hvm_memmap_entry){ bp->e820_table[i].addr,
						      bp->e820_table[i].size,
						      bp->e820_table[i].type, 0 };
	_Static_assert(HVM_START_INFO_ADDR + sizeof(b) <= X86_ZERO_PAGE_ADDR,
		       "PVH start info fits below the zero page");
	return guest_mem_write(&vm->mem, base, &b, sizeof(b));
}

int arch_write_boot_params(struct vm *vm)
{
	struct boot_params *bp;
	size_t cmdlen = strlen(vm->cmdline);
	int r;

	bp = guest_mem_ptr(&vm->mem, X86_ZERO_PAGE_ADDR, sizeof(*bp));
	if (!bp || cmdlen >= X86_CMDLINE_MAX)
		return -EFAULT;
	memset(bp, 0, sizeof(*bp));
	fill_header(vm, &bp->hdr);
	bp->e820_entries = (uint8_t)x86_e820_build(&vm->mem,
						   vm->pci ? vm->pci->place.ecam_base : 0,
						   vm->pci ? PCI_ECAM_BUS_SIZE : 0,
						   bp->e820_table,
						   E820_MAX_ENTRIES_ZEROPAGE);
	r = guest_mem_write(&vm->mem, X86_CMDLINE_ADDR, vm->cmdline, cmdlen + 1);
	r = r ?: write_setup_data(vm);
	r = r ?: write_mptable(vm);
	r = r ?: write_acpi(vm, bp);
	if (!r && vm->arch.pvh)
		r = write_pvh_start_info(vm, bp);
	return r;
}
