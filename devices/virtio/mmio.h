/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio transport, modern register layout (Virtio 1.2, 4.2.2,
 * Version 2): the register file of one transport-neutral device
 * (virtio/virtio.h) at one slot. It decodes register accesses into the
 * device's virtio_dev_*() calls and keeps only what is its own: the
 * feature and queue selectors and where it lives. The device never knows
 * it: the attach (vmm/devices.c) takes a slot and an interrupt line from
 * the allocators, places the transport there (virtio_mmio_place),
 * registers the slot on the bus, adds the device-tree node and binds
 * QueueNotify (ioeventfd) and the interrupt (irqfd) to KVM.
 *
 * Locking: the selectors are guarded by the device's lock; Status and
 * QueueReady writes take the device's io_lock first (virtio.h).
 */
#ifndef TESSERA_VIRTIO_MMIO_H
#define TESSERA_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "types.h"
#include "virtio/virtio.h"

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_MMIO_VERSION 2u
#define VIRTIO_MMIO_VENDOR_ID 0x53534554u /* "TESS" */
#define VIRTIO_MMIO_SLOT_SIZE 0x200u
#define VIRTIO_MMIO_CONFIG 0x100u /* device config space offset */

/* Register offsets (4.2.2). */
enum {
	VIRTIO_MMIO_MAGIC_VALUE = 0x000,
	VIRTIO_MMIO_VERSION_REG = 0x004,
	VIRTIO_MMIO_DEVICE_ID = 0x008,
	VIRTIO_MMIO_VENDOR_ID_REG = 0x00c,
	VIRTIO_MMIO_DEVICE_FEATURES = 0x010,
	VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,
	VIRTIO_MMIO_DRIVER_FEATURES = 0x020,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,
	VIRTIO_MMIO_QUEUE_SEL = 0x030,
	VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034,
	VIRTIO_MMIO_QUEUE_NUM = 0x038,
	VIRTIO_MMIO_QUEUE_READY = 0x044,
	VIRTIO_MMIO_QUEUE_NOTIFY = 0x050,
	VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
	VIRTIO_MMIO_INTERRUPT_ACK = 0x064,
	VIRTIO_MMIO_STATUS = 0x070,
	VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080,
	VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
	VIRTIO_MMIO_QUEUE_DRIVER_LOW = 0x090,
	VIRTIO_MMIO_QUEUE_DRIVER_HIGH = 0x094,
	VIRTIO_MMIO_QUEUE_DEVICE_LOW = 0x0a0,
	VIRTIO_MMIO_QUEUE_DEVICE_HIGH = 0x0a4,
	VIRTIO_MMIO_SHM_SEL = 0x0ac,
	VIRTIO_MMIO_SHM_LEN_LOW = 0x0b0,
	VIRTIO_MMIO_SHM_LEN_HIGH = 0x0b4,
	VIRTIO_MMIO_SHM_BASE_LOW = 0x0b8,
	VIRTIO_MMIO_SHM_BASE_HIGH = 0x0bc,
	VIRTIO_MMIO_QUEUE_RESET = 0x0c0,
	VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc,
};

/* InterruptStatus bits (4.2.2): the device's interrupt status as is. */
#define VIRTIO_MMIO_INT_VRING VIRTIO_INT_VRING
#define VIRTIO_MMIO_INT_CONFIG VIRTIO_INT_CONFIG

/* Where the transport lives and how it interrupts without an irqfd. */
struct virtio_mmio_place {
	gpa_t base;             /* the slot's guest-physical address */
	uint32_t irq;           /* its interrupt line (irq.h) */
	/* Fallback interrupt: one edge on line irq. Any thread. */
	void (*irq_pulse)(void *opaque, uint32_t irq);
	void *irq_opaque;
};

struct virtio_mmio {
	struct virtio_dev *dev;         /* the device behind the registers */
	struct virtio_mmio_place place; /* zero until placed */
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
};

/* Puts the register file in front of d (initialised). Main thread. */
void virtio_mmio_init(struct virtio_mmio *t, struct virtio_dev *d);

/*
 * Places t: its slot address (which names the device in messages from now
 * on, "virtio-blk@0xd0000000") and its fallback interrupt. Main thread,
 * before the slot is on the bus.
 */
void virtio_mmio_place(struct virtio_mmio *t, const struct virtio_mmio_place *p);

/* The guest-physical address of QueueNotify, for KVM_IOEVENTFD. */
gpa_t virtio_mmio_notify_addr(const struct virtio_mmio *t);

/*
 * Bus handler for the slot (opaque: the struct virtio_mmio). Registers
 * below 0x100 take aligned 32-bit accesses only: other widths read 0 and
 * are ignored on write, as are unknown offsets. Config space at 0x100
 * takes any width inside its size. vCPU threads.
 */
void virtio_mmio_access(void *opaque, uint64_t offset, uint8_t *data,
			uint32_t len, bool is_write);

#endif
