// SPDX-License-Identifier: GPL-2.0
/*
 * Where the x86 partition's PCI host bridge lives: ECAM for bus 0 at
 * 0xe0000000 (where QEMU's q35 puts MMCONFIG), a 256 MiB 32-bit BAR window
 * at the bottom of the MMIO hole (0xc0000000, below the virtio-mmio
 * slots), a 64 GiB 64-bit window on the first 1 GiB boundary above RAM,
 * and the type-1 ports 0xcf8-0xcff that x86 guests probe first.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "arch/x86_64/layout.h"
#include "log.h"
#include "pci/host.h"
#include "vm.h"

#define X86_PCI_ECAM_BASE 0xe0000000ULL
#define X86_PCI_MEM32_BASE X86_MMIO_HOLE_START
#define X86_PCI_MEM32_SIZE 0x10000000ULL
#define X86_PCI_MEM64_SIZE (64ULL << 30)
#define X86_PCI_TYPE1_PORT 0xcf8

_Static_assert(X86_PCI_MEM32_BASE + X86_PCI_MEM32_SIZE <= X86_VIRTIO_MMIO_BASE,
	       "the 32-bit BAR window ends below the virtio-mmio slots");

int arch_pci_place(const struct vm *vm, struct pci_host_place *p)
{
	uint64_t top = X86_MMIO_HOLE_END;

	for (unsigned int i = 0; i < vm->mem.nregions; i++) {
		const struct guest_region *g = &vm->mem.region[i];

		if (g->gpa + g->size > top)
			top = g->gpa + g->size;
	}
	memset(p, 0, sizeof(*p));
	p->ecam_base = X86_PCI_ECAM_BASE;
	p->mem32_base = X86_PCI_MEM32_BASE;
	p->mem32_size = X86_PCI_MEM32_SIZE;
	p->mem64_base = (top + (1ULL << 30) - 1) & ~((1ULL << 30) - 1);
	p->mem64_size = X86_PCI_MEM64_SIZE;
	return 0;
}

int arch_pci_attach(struct vm *vm, struct pci_host *h)
{
	int r = bus_register(&vm->pio, X86_PCI_TYPE1_PORT, PCI_TYPE1_PORTS,
			     pci_host_type1_access, h, "pci-type1");

	if (r)
		log_err("PCI: cannot register the type-1 ports: %s", strerror(-r));
	return r;
}
