/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The virtio-mmio transport, modern register layout (Virtio 1.2, 4.2.2,
 * Version 2): the register file, the device status state machine, feature
 * negotiation and the queue registers of one device. A device (blk.c,
 * net.c) embeds a struct virtio_mmio, describes itself in a struct
 * virtio_mmio_info and serves its queues on its own thread. The device
 * never knows where it lives: the transport's attach (vmm/devices.c) takes
 * a slot and an interrupt line from the allocators, places the transport
 * there (virtio_mmio_place), registers the slot on the bus, adds the
 * device-tree node and binds the eventfds.
 *
 * Notifications never need the vCPU thread: each queue has an eventfd
 * (kick_fd) that the attach binds to QueueNotify with a datamatch KVM_IOEVENTFD,
 * so a kick wakes the device's thread inside KVM; interrupts go out through
 * an eventfd bound with KVM_IRQFD (virtio_mmio_set_irqfd). Without them (unit
 * tests, or a KVM that refuses) the same paths work through a plain MMIO
 * exit that writes kick_fd and an irq_pulse callback (KVM_IRQ_LINE).
 *
 * The interrupt is an edge: one pulse (line raised, then lowered) per
 * notification, as kvmtool (kvm__irq_trigger: line 1 then 0) and
 * Firecracker (an irqfd without a resample fd) send it; an irqfd without
 * KVM_IRQFD_FLAG_RESAMPLE injects exactly such a pulse. A level-triggered
 * line would need a resample eventfd to lower it after the guest's EOI;
 * with edges, InterruptStatus is what stays pending, so no notification is
 * lost, and a line may be shared (Linux's driver asks for it with
 * IRQF_SHARED and reads InterruptStatus). Which lines exist and how the
 * guest learns their trigger is the arch's business (arch_resources()).
 *
 * Locking: `lock` guards the registers (short sections, any vCPU thread and
 * the device thread); `io_lock` is held by the device thread while it uses
 * a queue, and by the vCPU thread for a reset, QueueReady and FAILED, so a
 * reset returns only when the device has stopped touching the old rings
 * (Linux's vm_reset() writes 0 and reuses the memory at once). Order:
 * io_lock, then lock.
 */
#ifndef TESSERA_VIRTIO_MMIO_H
#define TESSERA_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mem.h"
#include "types.h"
#include "virtio/queue.h"

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_MMIO_VERSION 2u
#define VIRTIO_MMIO_VENDOR_ID 0x53534554u /* "TESS" */
#define VIRTIO_MMIO_SLOT_SIZE 0x200u
#define VIRTIO_MMIO_CONFIG 0x100u /* device config space offset */
#define VIRTIO_MMIO_MAX_QUEUES 8u

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

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER 0x02u
#define VIRTIO_STATUS_DRIVER_OK 0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_MMIO_INT_VRING 0x1u
#define VIRTIO_MMIO_INT_CONFIG 0x2u

#define VIRTIO_FEATURE_VERSION_1 (1ULL << 32)

struct virtio_mmio;

/* What a device implements. Called by the transport; see each comment. */
struct virtio_dev_ops {
	/*
	 * Device config space: len 1..8 bytes at off, inside config_size.
	 * Transport lock held, on the vCPU thread. Writes may be NULL
	 * (read-only config space).
	 */
	void (*config_read)(void *dev, uint32_t off, uint8_t *data,
			    uint32_t len);
	void (*config_write)(void *dev, uint32_t off, const uint8_t *data,
			     uint32_t len);
	/* The driver reset the device. Both locks held; may be NULL. */
	void (*reset)(void *dev);
};

struct virtio_mmio_info {
	const char *name;       /* "virtio-blk", for messages */
	uint32_t device_id;     /* 2 for block (5.2) */
	uint64_t features;      /* device features; the transport adds
				   VERSION_1, INDIRECT_DESC and EVENT_IDX */
	unsigned int num_queues; /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;     /* QueueNumMax, a power of two */
	uint32_t config_size;   /* bytes of device config space, <= 0x100 */
	const struct virtio_dev_ops *ops;
	void *dev;              /* ops' first argument */
	const struct guest_mem *mem;
};

/* Where the transport lives and how it interrupts without an irqfd. */
struct virtio_mmio_place {
	gpa_t base;             /* the slot's guest-physical address */
	uint32_t irq;           /* its interrupt line (irq.h) */
	/* Fallback interrupt: one edge on line irq. Any thread. */
	void (*irq_pulse)(void *opaque, uint32_t irq);
	void *irq_opaque;
};

struct virtio_mmio_queue {
	uint32_t num;                 /* QueueNum */
	bool ready;                   /* QueueReady, set only with a valid vq */
	uint64_t desc, driver, device; /* the ring areas' addresses */
	struct virtq vq;              /* valid while ready */
	int kick_fd;                  /* eventfd, written on QueueNotify */
};

struct virtio_mmio {
	struct virtio_mmio_info info;
	struct virtio_mmio_place place; /* zero until placed */
	char label[48];               /* "virtio-blk@0xd0000000" once placed */
	pthread_mutex_t lock, io_lock;
	uint32_t status;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t device_features, driver_features;
	uint32_t interrupt_status;
	uint32_t config_generation;
	struct virtio_mmio_queue q[VIRTIO_MMIO_MAX_QUEUES];
	int irq_fd;                   /* KVM_IRQFD-bound eventfd, or -1 */
	_Atomic uint64_t kicks, irqs; /* counters, for --verbose and tests */
};

/*
 * Sets up t for info (copied), with one eventfd per queue. Returns 0,
 * -EINVAL for a bad info, or -errno of eventfd(). Main thread.
 */
int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_mmio_info *info);

/*
 * Closes the eventfds. A no-op on a zeroed or already destroyed t. Main
 * thread, after the device thread has ended.
 */
void virtio_mmio_destroy(struct virtio_mmio *t);

/*
 * Places t: its slot address (which names it in messages from now on) and
 * its fallback interrupt. Main thread, before the slot is on the bus.
 */
void virtio_mmio_place(struct virtio_mmio *t, const struct virtio_mmio_place *p);

/*
 * Hands over an eventfd that KVM_IRQFD binds to the device's GSI: from
 * now on interrupts are eventfd writes instead of irq_pulse. t closes it.
 */
void virtio_mmio_set_irqfd(struct virtio_mmio *t, int fd);

/* Queue i's notification eventfd (the device polls it), or -1. */
int virtio_mmio_kick_fd(const struct virtio_mmio *t, unsigned int i);

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

/*
 * Device thread: takes io_lock and returns queue i if the driver has
 * set DRIVER_OK, the device does not need a reset and the queue is ready;
 * otherwise releases io_lock and returns NULL. Pair with
 * virtio_mmio_queue_put().
 */
struct virtq *virtio_mmio_queue_get(struct virtio_mmio *t, unsigned int i);

/*
 * Releases io_lock; if used, the device added used buffers to queue i and
 * the driver is interrupted unless it suppressed that (EVENT_IDX).
 */
void virtio_mmio_queue_put(struct virtio_mmio *t, unsigned int i, bool used);

/*
 * Malformed input on a queue held with virtio_mmio_queue_get(): sets
 * DEVICE_NEEDS_RESET, raises the configuration-change interrupt (after
 * DRIVER_OK) and logs why (rate-limited). The device stops serving queues
 * until the driver resets it.
 */
void virtio_mmio_needs_reset(struct virtio_mmio *t, const char *why);

/* The negotiated features (valid after FEATURES_OK). Any thread. */
uint64_t virtio_mmio_features(struct virtio_mmio *t);

/* The device status register. Any thread. */
uint32_t virtio_mmio_status(struct virtio_mmio *t);

#endif
