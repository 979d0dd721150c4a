// SPDX-License-Identifier: GPL-2.0
#include "pci_bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "log.h"
#include "vm.h"

static int host_destroy(void *opaque)
{
	pci_host_destroy(opaque);
	free(opaque);
	return 0;
}

static int create_host(struct vm *vm)
{
	struct pci_host_place place;
	struct pci_host *h;
	struct vm_device dev = {
		.name = "pci-host",
		.has_node = true,
		.node = { .node = pci_host_fdt_node, .bus = FDT_BUS_MMIO,
			  .size = PCI_ECAM_BUS_SIZE },
		.destroy = host_destroy,
	};
	int r = arch_pci_place(vm, &place);

	if (r) {
		log_err("PCI: the arch has no place for a host bridge: %s",
			strerror(-r));
		return r;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		log_err("PCI: out of memory");
		return -ENOMEM;
	}
	pci_host_init(h, &place);
	dev.node.base = place.ecam_base;
	dev.node.opaque = h;
	dev.opaque = h;
	r = devices_add(&vm->devices, &dev);
	if (r) {
		log_err("PCI host bridge: cannot add it to the device list: %s",
			strerror(-r));
		host_destroy(h);
		return r;
	}
	vm->pci = h; /* the list owns it from here */
	r = bus_register(&vm->mmio, place.ecam_base, PCI_ECAM_BUS_SIZE,
			 pci_host_ecam_access, h, "pci-ecam");
	if (r) {
		log_err("PCI: cannot register ECAM at 0x%llx: %s",
			(unsigned long long)place.ecam_base, strerror(-r));
		return r;
	}
	r = arch_pci_attach(vm, h);
	if (r)
		return r;
	log_info("PCI host bridge: ECAM at 0x%llx, 32-bit window 0x%llx+0x%llx, 64-bit 0x%llx+0x%llx",
		 (unsigned long long)place.ecam_base,
		 (unsigned long long)place.mem32_base,
		 (unsigned long long)place.mem32_size,
		 (unsigned long long)place.mem64_base,
		 (unsigned long long)place.mem64_size);
	return 0;
}

struct pci_host *pci_bus_host(struct vm *vm)
{
	return vm->pci;
}

int pci_bus_attach(struct vm *vm, const struct pci_dev_ops *ops, void *opaque,
		   bool intx, unsigned int *slot, uint32_t *line)
{
	bool shared;
	int r = vm->pci ? 0 : create_host(vm);

	if (r)
		return r;
	*line = 0;
	if (intx && resource_alloc_line(&vm->res, false, line, &shared))
		return vm_user_error(vm, "PCI: no interrupt line left for INTx");
	r = pci_host_add(vm->pci, ops, opaque, intx ? 1 : 0, *line, slot);
	if (r)
		return vm_user_error(vm, "PCI: no slot left on bus 0 (at most %d devices)",
				     PCI_HOST_SLOTS - 1);
	return 0;
}
