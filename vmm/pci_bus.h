/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PCI transport: attaches PCI functions (VFIO devices) to the
 * partition's host bridge (devices/pci/host.h), creating the bridge on
 * first use, so partitions without a PCI device have no PCI bus at all.
 * The bridge's place comes from the arch (arch_pci_place()), its ECAM
 * window goes on the MMIO bus, and the arch adds what else reaches it
 * (arch_pci_attach(): x86's type-1 ports). The bridge joins the device
 * list (its device-tree node, teardown after the functions on it).
 * Main thread, during vm_create().
 */
#ifndef TESSERA_PCI_BUS_H
#define TESSERA_PCI_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "pci/host.h"

struct vm;

/*
 * Puts a function on the bus: a free slot and, if intx, an interrupt line
 * of its own from vm->res (INTx is level-triggered: never shared). 0 with
 * *slot and *line, or -errno (logged; a full bus is a user error).
 */
int pci_bus_attach(struct vm *vm, const struct pci_dev_ops *ops, void *opaque,
		   bool intx, unsigned int *slot, uint32_t *line);

/* The bridge, or NULL before the first attach. */
struct pci_host *pci_bus_host(struct vm *vm);

#endif
