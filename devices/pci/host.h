/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition's PCI host bridge: one bus (0), up to 32 single-function
 * devices, reached through ECAM (PCIe base spec 7.2.2: one 4 KiB window
 * per function, offset = bus << 20 | device << 15 | function << 12 | reg)
 * and, where the arch registers them, the x86 type-1 mechanism (an
 * address latch and a data window: PCI Local Bus 3.0, 3.2.2.3.2). Device
 * 0 is the bridge itself (a host bridge class header). Absent devices and
 * functions read all-ones; writes to them are dropped.
 *
 * The host knows no address: whoever attaches it (vmm/pci_bus.c)
 * registers pci_host_ecam_access() and pci_host_type1_access() on the
 * buses at the places the arch chose, and describes it in the device tree
 * (pci_host_fdt_node()). Accesses may come from any vCPU; the host
 * serialises them with its lock, so a device's config handlers never run
 * concurrently (they may register and unregister bus ranges).
 */
#ifndef TESSERA_PCI_HOST_H
#define TESSERA_PCI_HOST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "fdt.h"
#include "pci/pci.h"

#define PCI_HOST_SLOTS 32
#define PCI_ECAM_BUS_SIZE (1ULL << 20) /* bus 0's ECAM window */
#define PCI_TYPE1_PORTS 8              /* address latch + data window */
#define PCI_TYPE1_ENABLE 0x80000000u

/* A device on the bus: its configuration-space handlers. */
struct pci_dev_ops {
	/* len (1, 2 or 4) bytes at off (< 4096, inside one dword). */
	void (*cfg_read)(void *opaque, uint32_t off, uint8_t *data,
			 uint32_t len);
	void (*cfg_write)(void *opaque, uint32_t off, const uint8_t *data,
			  uint32_t len);
};

struct pci_slot {
	const struct pci_dev_ops *ops; /* NULL: empty slot */
	void *opaque;
	uint8_t intx_pin;   /* 1-4 (INTA-INTD), 0: none */
	uint32_t intx_line; /* the interrupt line it is wired to */
};

/* Where the bridge lives, for the device tree and the ACPI tables. */
struct pci_host_place {
	uint64_t ecam_base;             /* PCI_ECAM_BUS_SIZE bytes */
	uint64_t mem32_base, mem32_size; /* non-prefetchable BAR window */
	uint64_t mem64_base, mem64_size; /* 64-bit prefetchable window, size 0: none */
};

struct pci_host {
	pthread_mutex_t lock;
	uint32_t type1_addr; /* the latch at 0xcf8 */
	struct pci_cfg self; /* device 0: the bridge */
	struct pci_slot slot[PCI_HOST_SLOTS];
	struct pci_host_place place;
	uint64_t mem32_next, mem64_next; /* BAR placement (firmware's job) */
};

/* Decoded configuration address. */
struct pci_cfg_addr {
	uint8_t bus, dev, fn;
	uint16_t reg; /* byte offset in the function's space */
};

/*
 * An empty bus with the bridge at device 0, placed at *p (the windows
 * must be non-empty for mem32). Cannot fail.
 */
void pci_host_init(struct pci_host *h, const struct pci_host_place *p);

/* Frees the lock. Safe on a zeroed host. */
void pci_host_destroy(struct pci_host *h);

/*
 * Puts a device in the first free slot (1-31), wired to interrupt line
 * intx_line through pin intx_pin (0: none). 0 with the slot in *slot, or
 * -ENOSPC. Main thread, before vCPUs run.
 */
int pci_host_add(struct pci_host *h, const struct pci_dev_ops *ops,
		 void *opaque, uint8_t intx_pin, uint32_t intx_line,
		 unsigned int *slot);

/*
 * The first slot numbered from or above with a device and an INTx pin:
 * its number, or PCI_HOST_SLOTS when there is none (also for from >=
 * PCI_HOST_SLOTS). Walk them with pci_host_for_each_intx(). Reads the
 * slots unlocked: call it where pci_host_add() may (main thread), or once
 * the bus is fixed.
 */
unsigned int pci_host_next_intx(const struct pci_host *h, unsigned int from);

#define pci_host_for_each_intx(h, s)                                 \
	for ((s) = pci_host_next_intx((h), 0); (s) < PCI_HOST_SLOTS; \
	     (s) = pci_host_next_intx((h), (s) + 1))

/*
 * Takes a guest address for a BAR of size bytes (a power of two, naturally
 * aligned) from the 32-bit window, or the 64-bit one if want64 and it
 * exists. 0 with *addr, or -ENOSPC. Main thread, before vCPUs run.
 */
int pci_host_alloc_bar(struct pci_host *h, uint64_t size, bool want64,
		       uint64_t *addr);

/* ECAM offset -> address. Pure; false if off lies beyond bus 0's window. */
bool pci_ecam_decode(uint64_t off, struct pci_cfg_addr *a);

/*
 * The type-1 latch value and data-port byte (0-3) -> address. Pure; false
 * when the enable bit is clear.
 */
bool pci_type1_decode(uint32_t latch, uint32_t port_off,
		      struct pci_cfg_addr *a);

/*
 * One configuration access to a. Reads of absent functions, other buses
 * and malformed accesses give all-ones. Any vCPU thread.
 */
void pci_host_cfg(struct pci_host *h, const struct pci_cfg_addr *a,
		  uint8_t *data, uint32_t len, bool is_write);

/* bus_access_fn for the ECAM window (opaque: the host). */
void pci_host_ecam_access(void *opaque, uint64_t off, uint8_t *data,
			  uint32_t len, bool is_write);

/*
 * bus_access_fn for the PCI_TYPE1_PORTS ports of the type-1 mechanism
 * (opaque: the host): offset 0 the 32-bit address latch (dword accesses
 * only), offsets 4-7 the data window.
 */
void pci_host_type1_access(void *opaque, uint64_t off, uint8_t *data,
			   uint32_t len, bool is_write);

/*
 * Device-tree emitter (struct fdt_device.opaque: the host): node
 * pci@<ecam base>, compatible "pci-host-ecam-generic", device_type "pci",
 * reg, bus-range, ranges for the windows, and an interrupt-map with one
 * entry per device that has an INTx pin. dev->base and dev->size are the
 * ECAM window.
 */
int pci_host_fdt_node(struct fdt_writer *w, const struct fdt_device *dev);

#endif
