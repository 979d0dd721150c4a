/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny virtio-mmio driver for the freestanding test guests: find the
 * devices through the device tree, negotiate features, lay out one split
 * virtqueue in static memory and submit descriptor chains. Deliberately
 * independent of the monitor's devices/virtio/ code (constants come from
 * the Virtio 1.2 specification), so that the two check each other.
 * Polling only; guests/vblk.c adds an interrupt of its own.
 */
#ifndef GUEST_VIRTIO_H
#define GUEST_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "dtb.h"
/* The arch's runtime header (print.c says why the angle brackets). */
#include <guest.h>

/* virtio-mmio registers (Virtio 1.2, 4.2.2) */
#define VM_MAGIC 0x000
#define VM_VERSION 0x004
#define VM_DEVICE_ID 0x008
#define VM_VENDOR_ID 0x00c
#define VM_DEV_FEATURES 0x010
#define VM_DEV_FEATURES_SEL 0x014
#define VM_DRV_FEATURES 0x020
#define VM_DRV_FEATURES_SEL 0x024
#define VM_QUEUE_SEL 0x030
#define VM_QUEUE_NUM_MAX 0x034
#define VM_QUEUE_NUM 0x038
#define VM_QUEUE_READY 0x044
#define VM_QUEUE_NOTIFY 0x050
#define VM_INT_STATUS 0x060
#define VM_INT_ACK 0x064
#define VM_STATUS 0x070
#define VM_QUEUE_DESC_LO 0x080
#define VM_QUEUE_DESC_HI 0x084
#define VM_QUEUE_DRIVER_LO 0x090
#define VM_QUEUE_DRIVER_HI 0x094
#define VM_QUEUE_DEVICE_LO 0x0a0
#define VM_QUEUE_DEVICE_HI 0x0a4
#define VM_SHM_SEL 0x0ac
#define VM_SHM_LEN_LO 0x0b0
#define VM_SHM_LEN_HI 0x0b4
#define VM_CONFIG_GEN 0x0fc
#define VM_CONFIG 0x100

#define ST_ACK 1u
#define ST_DRIVER 2u
#define ST_DRIVER_OK 4u
#define ST_FEATURES_OK 8u
#define ST_NEEDS_RESET 0x40u
#define ST_FAILED 0x80u

#define VF_INDIRECT (1ULL << 28)
#define VF_EVENT_IDX (1ULL << 29)
#define VF_VERSION_1 (1ULL << 32)

#define VD_NEXT 1u
#define VD_WRITE 2u
#define VD_INDIRECT 4u

struct vdesc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vdev {
	uint64_t base;
	uint32_t irq;       /* the line's number in its controller (IOAPIC
			     * pin; GIC: the SPI) */
	uint32_t irq_cells[DTB_MAX_IRQ_CELLS], nirq; /* its DT specifier */
	uint32_t device_id;
};

/* One split virtqueue in guest memory (identity-mapped: gpa == va). */
#define VQ_MAX 64
struct vq {
	struct vdesc desc[VQ_MAX] __attribute__((aligned(16)));
	uint16_t avail_flags, avail_idx, avail_ring[VQ_MAX], used_event;
	struct {
		uint16_t flags, idx;
		struct {
			uint32_t id, len;
		} ring[VQ_MAX];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	uint16_t size;
	uint16_t next_avail; /* our avail.idx */
	uint16_t last_used;  /* used entries consumed */
};

static inline uint32_t vr32(const struct vdev *d, uint32_t off)
{
	return *(volatile uint32_t *)(d->base + off);
}

static inline void vw32(const struct vdev *d, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(d->base + off) = v;
}

static inline void vbarrier(void)
{
	io_barrier();
}

/*
 * The index-th "virtio,mmio" node whose device answers DeviceID device_id
 * (magic and version checked). 0, or -DTB_ENOENT.
 */
int virtio_find(const struct dtb *t, uint32_t device_id, unsigned int index,
		struct vdev *d);

/*
 * Reset, ACKNOWLEDGE, DRIVER, features (want & offered), FEATURES_OK.
 * Returns the features accepted, or 0 if the device refused FEATURES_OK.
 */
uint64_t virtio_negotiate(const struct vdev *d, uint64_t want);

/* Configures queue qi with q (size entries, <= VQ_MAX) and QueueReady. */
void virtio_queue_setup(const struct vdev *d, unsigned int qi, struct vq *q,
			uint16_t size);

/* Makes chain head available and notifies queue qi. */
void virtio_submit(const struct vdev *d, unsigned int qi, struct vq *q,
		   uint16_t head);

/* Puts the avail entry without notifying (for batches). */
void virtio_post(struct vq *q, uint16_t head);

/*
 * Waits for the next used entry (bounded: about `spins` polls). Returns
 * true and its id/len, or false on timeout.
 */
bool virtio_wait_used(struct vq *q, uint32_t *id, uint32_t *len,
		      uint64_t spins);

/*
 * The value of "key=" in the partition's /chosen/bootargs copied to buf
 * (NUL-terminated), or false when absent.
 */
bool bootarg(const struct dtb *t, const char *key, char *buf, unsigned int len);

/* Decimal or 0x-hex string to number; 0 on garbage. */
uint64_t parse_num(const char *s);

#endif
