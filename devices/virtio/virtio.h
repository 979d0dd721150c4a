/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A virtio device as every transport sees it (Virtio 1.2, 2 and 3): the
 * device status state machine, feature negotiation, the virtqueues, the
 * interrupt status and the device's config space. A device (blk.c, net.c)
 * embeds a struct virtio_dev, describes itself in a struct virtio_dev_info
 * and serves its queues on its own thread; it never knows its transport,
 * its address or its interrupt line. A transport (mmio.c today; a PCI one
 * would be another) decodes its registers into the virtio_dev_*() calls
 * below and is placed by its attach (vmm/devices.c).
 *
 * Notifications never need the vCPU thread: each queue has an eventfd
 * (kick_fd) that the attach binds to the transport's notify register with
 * a datamatch KVM_IOEVENTFD, so a kick wakes the device's thread inside
 * KVM; interrupts go out through an eventfd bound with KVM_IRQFD
 * (virtio_dev_set_irqfd). Without them (unit tests, or a KVM that refuses)
 * the same paths work through a plain exit that calls virtio_dev_notify()
 * and the transport's fallback irq_pulse callback (KVM_IRQ_LINE).
 *
 * The interrupt is an edge: one pulse (line raised, then lowered) per
 * notification, as kvmtool (kvm__irq_trigger: line 1 then 0) and
 * Firecracker (an irqfd without a resample fd) send it; an irqfd without
 * KVM_IRQFD_FLAG_RESAMPLE injects exactly such a pulse. A level-triggered
 * line would need a resample eventfd to lower it after the guest's EOI;
 * with edges, the interrupt status is what stays pending, so no
 * notification is lost, and a line may be shared (Linux's virtio-mmio
 * driver asks for it with IRQF_SHARED and reads InterruptStatus). Which
 * lines exist and how the guest learns their trigger is the arch's
 * business (arch_resources()).
 *
 * Locking: `lock` guards the state (short sections, any vCPU thread and
 * the device thread; a transport takes it around its own register state
 * too); `io_lock` is held by the device thread while it uses a queue, and
 * by the vCPU thread for a reset, queue enable/disable and FAILED, so a
 * reset returns only when the device has stopped touching the old rings
 * (Linux's vm_reset() writes 0 and reuses the memory at once). Order:
 * io_lock, then lock. Neither is ever held across blocking I/O (a read or
 * write of a disk, a sleep): the device thread holds io_lock only to take
 * requests from the ring and to put completions back, both of which touch
 * guest RAM only, so a vCPU never waits for a disk. Requests whose I/O is
 * done meanwhile are tagged with the queue's generation; a reset waits
 * for none of them, and their completions are dropped (a read in flight
 * at a reset may still land in the buffer the driver gave it, after the
 * reset: as a DMA engine's would).
 */
#ifndef TESSERA_VIRTIO_H
#define TESSERA_VIRTIO_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "mem.h"
#include "types.h"
#include "virtio/queue.h"

#define VIRTIO_MAX_QUEUES 8u
#define VIRTIO_MAX_CONFIG 0x100u /* bytes of device config space */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01u
#define VIRTIO_STATUS_DRIVER 0x02u
#define VIRTIO_STATUS_DRIVER_OK 0x04u
#define VIRTIO_STATUS_FEATURES_OK 0x08u
#define VIRTIO_STATUS_NEEDS_RESET 0x40u
#define VIRTIO_STATUS_FAILED 0x80u

/* Interrupt status bits (4.2.2 InterruptStatus, 4.1.4.5 ISR status). */
#define VIRTIO_INT_VRING 0x1u
#define VIRTIO_INT_CONFIG 0x2u

#define VIRTIO_FEATURE_VERSION_1 (1ULL << 32)

/* What a device implements. Called through the transport; see each comment. */
struct virtio_dev_ops {
	/*
	 * Device config space: len 1..8 bytes at off, inside config_size.
	 * lock held, on the vCPU thread. Writes may be NULL (read-only
	 * config space).
	 */
	void (*config_read)(void *dev, uint32_t off, uint8_t *data,
			    uint32_t len);
	void (*config_write)(void *dev, uint32_t off, const uint8_t *data,
			     uint32_t len);
	/* The driver reset the device. Both locks held; may be NULL. */
	void (*reset)(void *dev);
};

struct virtio_dev_info {
	const char *name;       /* "virtio-blk", for messages */
	uint32_t device_id;     /* 2 for block (5.2) */
	uint64_t features;      /* device features; virtio_dev_init adds
				   VERSION_1, INDIRECT_DESC and EVENT_IDX */
	unsigned int num_queues; /* 1..VIRTIO_MAX_QUEUES */
	uint16_t queue_max;     /* largest queue size, a power of two */
	uint32_t config_size;   /* bytes of device config space, <= VIRTIO_MAX_CONFIG */
	const struct virtio_dev_ops *ops;
	void *dev;              /* ops' first argument */
	const struct guest_mem *mem;
};

struct virtio_dev_queue {
	uint32_t num;                 /* the driver's queue size */
	bool ready;                   /* enabled, set only with a valid vq */
	uint64_t desc, driver, device; /* the ring areas' addresses */
	struct virtq vq;              /* valid while ready */
	int kick_fd;                  /* eventfd, written on each notification */
	uint32_t gen;                 /* bumped whenever vq is retired (reset,
					 disable, enable): a request taken
					 under another gen is never completed */
};

struct virtio_dev {
	struct virtio_dev_info info;
	char label[48];               /* "virtio-blk", "virtio-blk@0xd0000000" once placed */
	pthread_mutex_t lock, io_lock;
	uint32_t status;
	uint64_t device_features, driver_features;
	uint32_t interrupt_status;
	uint32_t config_generation;
	struct virtio_dev_queue q[VIRTIO_MAX_QUEUES];
	int irq_fd;                   /* KVM_IRQFD-bound eventfd, or -1 */
	/* The transport's fallback interrupt: one edge. Any thread. */
	void (*irq_pulse)(void *opaque);
	void *irq_opaque;
	_Atomic uint64_t kicks, irqs; /* counters, for --verbose and tests */
	/* Device thread only: interrupts held back (virtio_dev_irq_hold). */
	bool irq_held, irq_owed;
};

/* --- the device's side ----------------------------------------------------- */

/*
 * Sets up d for info (copied), with one eventfd per queue. Returns 0,
 * -EINVAL for a bad info, or -errno of eventfd(). Main thread.
 */
int virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_info *info);

/*
 * Closes the eventfds. A no-op on a zeroed or already destroyed d. Main
 * thread, after the device thread has ended.
 */
void virtio_dev_destroy(struct virtio_dev *d);

/* Queue i's notification eventfd (the device polls it), or -1. */
int virtio_dev_kick_fd(const struct virtio_dev *d, unsigned int i);

/*
 * Device thread: takes io_lock and returns queue i if the driver has
 * set DRIVER_OK, the device does not need a reset and the queue is ready;
 * otherwise releases io_lock and returns NULL. Pair with
 * virtio_dev_queue_put().
 */
struct virtq *virtio_dev_queue_get(struct virtio_dev *d, unsigned int i);

/*
 * Queue i's generation (virtio_dev_queue.gen). With io_lock held, i.e.
 * between virtio_dev_queue_get() and virtio_dev_queue_put(). A device
 * that serves requests without io_lock (blocking I/O must never be done
 * with it held: a vCPU writing Status or QueueReady takes it) records the
 * generation when it takes a request and completes it only if it is
 * still the same; otherwise the driver reset the device meanwhile and the
 * completion is dropped.
 */
uint32_t virtio_dev_queue_gen(const struct virtio_dev *d, unsigned int i);

/*
 * Interrupt batching for one device-thread wakeup: between hold and
 * release, virtio_dev_queue_put() records the interrupt status but sends
 * no edge; release sends one edge if any was owed. Device thread.
 */
void virtio_dev_irq_hold(struct virtio_dev *d);
void virtio_dev_irq_release(struct virtio_dev *d);

/*
 * Releases io_lock; if used, the device added used buffers to queue i and
 * the driver is interrupted unless it suppressed that (EVENT_IDX).
 */
void virtio_dev_queue_put(struct virtio_dev *d, unsigned int i, bool used);

/*
 * Malformed input on a queue held with virtio_dev_queue_get(): sets
 * DEVICE_NEEDS_RESET, raises the configuration-change interrupt (after
 * DRIVER_OK) and logs why (rate-limited). The device stops serving queues
 * until the driver resets it.
 */
void virtio_dev_needs_reset(struct virtio_dev *d, const char *why);

/* The negotiated features (valid after FEATURES_OK). Any thread. */
uint64_t virtio_dev_features(struct virtio_dev *d);

/* The device status. Any thread. */
uint32_t virtio_dev_status(struct virtio_dev *d);

/* --- the transport's side ---------------------------------------------------- */

/* Names d in messages from now on (the transport adds where it lives). Main thread. */
void virtio_dev_set_label(struct virtio_dev *d, const char *label);

/* The fallback interrupt, used while no irqfd is set. Main thread. */
void virtio_dev_set_irq(struct virtio_dev *d, void (*pulse)(void *opaque),
			void *opaque);

/*
 * Hands over an eventfd that KVM_IRQFD binds to the device's interrupt
 * line: from now on interrupts are eventfd writes instead of irq_pulse.
 * d closes it.
 */
void virtio_dev_set_irqfd(struct virtio_dev *d, int fd);

/*
 * A driver write of the device status (3.1.1): ACKNOWLEDGE, DRIVER,
 * FEATURES_OK, DRIVER_OK, in that order, only adding bits until a 0
 * resets the device. Both locks held; returns the interrupt bits to raise
 * (virtio_dev_post_irq).
 */
uint32_t virtio_dev_write_status(struct virtio_dev *d, uint32_t v);

/*
 * The driver enables (true) or disables queue i with the size and ring
 * addresses in d->q[i]. Both locks held; returns the interrupt bits to raise.
 */
uint32_t virtio_dev_queue_enable(struct virtio_dev *d, unsigned int i,
				 bool enable);

/* The driver set the low (sel 0) or high half of its features. lock held. */
void virtio_dev_set_driver_features(struct virtio_dev *d, unsigned int sel,
				    uint32_t half);

/*
 * Sets interrupt status bits; returns the fd to signal with (or -1 for
 * the fallback). lock held. Signal after unlocking: virtio_dev_signal().
 */
int virtio_dev_post_irq(struct virtio_dev *d, uint32_t bits);

/* Sends one edge through fd, or the fallback pulse when fd < 0. No lock held. */
void virtio_dev_signal(struct virtio_dev *d, int fd);

/* A driver notification of queue i: wakes the device thread. Any thread. */
void virtio_dev_notify(struct virtio_dev *d, uint32_t i);

/*
 * Config space access of len bytes at off; reads outside config_size give
 * zeroes, writes there are ignored. Takes lock. vCPU threads.
 */
void virtio_dev_config_access(struct virtio_dev *d, uint64_t off,
			      uint8_t *data, uint32_t len, bool is_write);

#endif
