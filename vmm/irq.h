/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one owner of the partition's interrupts:
 *
 * - interrupt lines of the in-kernel irqchip, raised and lowered with
 *   KVM_IRQ_LINE; a line number is the arch's (x86: the GSI, an IOAPIC
 *   pin; arm64: an SPI) and arch_irq_line_encode() turns it into what
 *   KVM_IRQ_LINE takes (x86: the GSI itself; arm64: type, vCPU and number);
 * - eventfd bindings, so device work never passes through a vCPU thread:
 *   an ioeventfd turns a guest MMIO write into an eventfd signal inside KVM
 *   (no exit to user space), an irqfd turns an eventfd signal into an edge
 *   on a GSI;
 * - the GSI routing table (KVM_SET_GSI_ROUTING), kept whole here because
 *   KVM replaces the entire table on every update: the arch's default
 *   irqchip routes plus one MSI route per vector a device (later VFIO or a
 *   PCI MSI-X table) asks for. The table is a plain value, built and
 *   checked without KVM (unit-tested); irq_routes_commit() hands it to KVM.
 *
 * Lines and routes are set up on the main thread; irq_line() and
 * irq_pulse() may be called from any thread. Exception: VFIO's MSI and
 * MSI-X emulation (devices/vfio/pci.c) changes MSI routes and commits the
 * table from vCPU threads while the guest programs its vectors; those
 * changes are serialised by the VFIO container's routes_lock, and nothing
 * else changes the table once vCPUs run.
 */
#ifndef TESSERA_IRQ_H
#define TESSERA_IRQ_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

struct vm;

#define IRQ_MAX_ROUTES 256 /* entries of the GSI routing table */

struct irq_routes {
	unsigned int n;
	struct kvm_irq_routing_entry e[IRQ_MAX_ROUTES];
};

/* Raises (level true) or lowers an interrupt line. 0 or -errno (rate-limited log). */
int irq_line(struct vm *vm, uint32_t line, bool level);

/* One edge on a line: raise, then lower. 0 or -errno. Any thread. */
int irq_pulse(struct vm *vm, uint32_t line);

/*
 * KVM_IOEVENTFD: a len-byte guest write of datamatch to the MMIO address
 * addr signals fd; other values still exit to user space. 0 or -errno.
 */
int irq_ioeventfd_assign(struct vm *vm, gpa_t addr, uint32_t len,
			 uint64_t datamatch, int fd);

/*
 * KVM_IRQFD without a resample fd: each signal of fd is one edge (line
 * raised and lowered) on gsi. 0 or -errno. On x86 a line's GSI is its
 * number; an arch whose KVM numbers irqfd GSIs differently from its lines
 * (arm64: SPI INTID - 32) will need a hook beside arch_irq_line_encode().
 */
int irq_irqfd_assign(struct vm *vm, uint32_t gsi, int fd);

/*
 * KVM_IRQFD with KVM_IRQFD_FLAG_RESAMPLE: a signal of fd raises the
 * level-triggered line gsi and keeps it up until the guest's EOI, when KVM
 * lowers it and signals resample_fd (VFIO's INTx unmask eventfd: the
 * device may assert again). 0 or -errno.
 */
int irq_irqfd_assign_resample(struct vm *vm, uint32_t gsi, int fd,
			      int resample_fd);

/* Undoes irq_irqfd_assign(). 0 or -errno. */
int irq_irqfd_deassign(struct vm *vm, uint32_t gsi, int fd);

/* --- the GSI routing table (pure) --------------------------------------- */

/* An empty table. */
void irq_routes_init(struct irq_routes *t);

/*
 * Adds a route from gsi to an irqchip pin (the arch's defaults use this).
 * 0, -ENOSPC when the table is full, -EEXIST if that exact route exists.
 */
int irq_routes_add_irqchip(struct irq_routes *t, uint32_t gsi, uint32_t chip,
			   uint32_t pin);

/*
 * Adds an MSI route: a signal on gsi writes data to addr. A GSI carries at
 * most one MSI route and no irqchip route. 0, -EEXIST, -ENOSPC, or
 * -EINVAL for a GSI of KVM's irqchip range that an irqchip route uses.
 */
int irq_routes_add_msi(struct irq_routes *t, uint32_t gsi, uint64_t addr,
		       uint32_t data);

/* Changes the MSI route of gsi (the guest reprogrammed it). 0 or -ENOENT. */
int irq_routes_update_msi(struct irq_routes *t, uint32_t gsi, uint64_t addr,
			  uint32_t data);

/* Removes every route of gsi. 0 or -ENOENT. */
int irq_routes_remove(struct irq_routes *t, uint32_t gsi);

/*
 * The lowest GSI at or above first that no route uses, for a new MSI
 * route. 0 with *gsi, or -ENOSPC.
 */
int irq_routes_free_gsi(const struct irq_routes *t, uint32_t first,
			uint32_t *gsi);

/*
 * Writes the table as KVM_SET_GSI_ROUTING takes it: a struct
 * kvm_irq_routing header followed by the entries, into buf of size len.
 * Returns the bytes used, or -ENOSPC. Pure.
 */
long irq_routes_build(const struct irq_routes *t, void *buf, size_t len);

/* Hands the whole table to KVM (KVM_SET_GSI_ROUTING). 0 or -errno (logged). */
int irq_routes_commit(struct vm *vm);

#endif
