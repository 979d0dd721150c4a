/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The partition's device list: every device the board and the user's
 * options created, in creation order. The device tree, the kernel
 * command-line announcements and teardown iterate it (later a PCI host
 * bridge will too), so no emitter needs a field per device type.
 *
 * Devices are still created explicitly, by name, in one place (vm.c for
 * the user's, the arch's board.c for the board's); an entry only says how
 * the device is described and torn down. Main thread, during setup and
 * teardown; the list is not changed while vCPUs run.
 */
#ifndef TESSERA_DEVICES_H
#define TESSERA_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "fdt.h"

#define DEVICES_MAX 32

struct vm_device {
	const char *name;        /* "virtio-blk", for messages */
	bool has_node;           /* node is the device's device-tree node */
	struct fdt_device node;
	/*
	 * Writes the device's kernel command-line announcement (x86 Linux:
	 * virtio_mmio.device=...) into buf, snprintf-style: returns the
	 * length it needed. NULL: the device announces nothing.
	 */
	int (*cmdline)(const struct vm_device *d, char *buf, size_t len);
	/*
	 * Teardown; NULL: nothing to free. Returns 0, or -ETIMEDOUT when a
	 * thread of the device is stuck and the device was left allocated
	 * (whatever it uses must then stay allocated too).
	 */
	int (*destroy)(void *opaque);
	/*
	 * Starts the device's threads (I/O threads, workers) when the run
	 * begins, never while the machine is only described (--dump-dtb).
	 * NULL: it has none. 0 or -errno (logged).
	 */
	int (*start)(void *opaque);
	void *opaque;
};

struct device_list {
	struct vm_device dev[DEVICES_MAX];
	unsigned int n;
};

/* An empty list. */
void devices_init(struct device_list *l);

/*
 * Appends a copy of d. 0, -EINVAL for an entry without a name or with a
 * node but no emitter, -E2BIG when the list is full (the caller reports).
 */
int devices_add(struct device_list *l, const struct vm_device *d);

/*
 * Copies the nodes of the devices that have one, in list order, into out
 * (at most max). Returns how many. Pure.
 */
unsigned int devices_fdt(const struct device_list *l, struct fdt_device *out,
			 unsigned int max);

/*
 * Writes every announcement, each followed by a space, into buf (always
 * terminated when len > 0). Returns the number of announcements, or
 * -ENOSPC if they do not fit. Pure.
 */
int devices_cmdline(const struct device_list *l, char *buf, size_t len);

/*
 * The announcement of a virtio-mmio device as Linux's virtio_mmio.device=
 * parameter takes it: "virtio_mmio.device=<size>@<base>:<irq>", from the
 * device's node. A struct vm_device.cmdline function.
 */
int devices_virtio_mmio_cmdline(const struct vm_device *d, char *buf,
				size_t len);

struct vm;
struct virtio_dev;

/*
 * The virtio-mmio transport's attach: makes a register file for the
 * device d, takes a slot from the MMIO window and an interrupt line
 * (shared when the arch's pool runs dry) from vm->res, adds the device to
 * the list (with destroy(opaque) for teardown, its device-tree node, and
 * its virtio_mmio.device= announcement where the arch wants one), places
 * the transport there, registers the slot on the MMIO bus and binds
 * QueueNotify (ioeventfd) and the interrupt (irqfd) to KVM, falling back
 * to MMIO exits and KVM_IRQ_LINE if KVM refuses (or TESSERA_NO_IOEVENTFD
 * is set). start(opaque), if not NULL, runs in devices_start(). 0 or
 * -errno (logged; when no slot is
 * left, a user error through vm_user_error). The device is the list's from
 * now on, even on failure (destroyed at once if it could not be added).
 * Main thread.
 */
int devices_attach_virtio_mmio(struct vm *vm, struct virtio_dev *d,
			       int (*destroy)(void *opaque),
			       int (*start)(void *opaque), void *opaque);

/*
 * Starts every device that has a start hook, in list order; stops at the
 * first failure and returns its -errno (the device logged it), or 0. The
 * started ones stop in devices_destroy(). Main thread, in vm_run() before
 * the vCPUs start.
 */
int devices_start(struct device_list *l);

/*
 * Destroys every device, last created first, and empties the list.
 * Idempotent. Returns how many devices were left running (a stuck I/O
 * thread): guest memory must then stay mapped. Main thread, after the
 * vCPUs have stopped and before guest memory goes away (devices' I/O
 * threads touch it).
 */
unsigned int devices_destroy(struct device_list *l);

#endif
