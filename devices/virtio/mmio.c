// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio register file (Virtio 1.2, 4.2.2 and 4.2.3) in front of a
 * transport-neutral device (virtio.c). See mmio.h.
 */
#include "virtio/mmio.h"

#include <endian.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

_Static_assert(VIRTIO_MMIO_CONFIG + VIRTIO_MAX_CONFIG <= VIRTIO_MMIO_SLOT_SIZE,
	       "the largest config space fits the slot");

void virtio_mmio_init(struct virtio_mmio *t, struct virtio_dev *d)
{
	memset(t, 0, sizeof(*t));
	t->dev = d;
}

/* The fallback interrupt of the device: one edge on the slot's line. */
static void pulse(void *opaque)
{
	struct virtio_mmio *t = opaque;

	if (t->place.irq_pulse)
		t->place.irq_pulse(t->place.irq_opaque, t->place.irq);
}

void virtio_mmio_place(struct virtio_mmio *t, const struct virtio_mmio_place *p)
{
	char label[sizeof(t->dev->label)];

	t->place = *p;
	snprintf(label, sizeof(label), "%s@0x%" PRIx64,
		 t->dev->info.name ? t->dev->info.name : "virtio",
		 (uint64_t)p->base);
	virtio_dev_set_label(t->dev, label);
	virtio_dev_set_irq(t->dev, pulse, t);
}

gpa_t virtio_mmio_notify_addr(const struct virtio_mmio *t)
{
	return t->place.base + VIRTIO_MMIO_QUEUE_NOTIFY;
}

static uint32_t read_reg(struct virtio_mmio *t, uint64_t off)
{
	const struct virtio_dev *d = t->dev;
	const struct virtio_dev_queue *q =
		t->queue_sel < d->info.num_queues ? &d->q[t->queue_sel] : NULL;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG:
		return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return d->info.device_id;
	case VIRTIO_MMIO_VENDOR_ID_REG:
		return VIRTIO_MMIO_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->dev_features_sel > 1)
			return 0;
		return (uint32_t)(d->device_features >> (32 * t->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? d->info.queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return d->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return d->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffffu; /* no shared memory regions: length -1 */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return d->config_generation;
	default:
		return 0; /* write-only and unknown registers */
	}
}

static void set_half(uint64_t *v, bool high, uint32_t half)
{
	if (high)
		*v = (*v & 0xffffffffULL) | ((uint64_t)half << 32);
	else
		*v = (*v & ~0xffffffffULL) | half;
}

/* Queue address and size registers: only while the queue is not ready. */
static void write_queue_reg(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	struct virtio_dev_queue *q;

	if (t->queue_sel >= t->dev->info.num_queues)
		return;
	q = &t->dev->q[t->queue_sel];
	if (q->ready)
		return;
	switch (off) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->num = v;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&q->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		set_half(&q->driver, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
		break;
	default:
		set_half(&q->device, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
		break;
	}
}

/* A register write other than Status, QueueReady and QueueNotify. Lock held. */
static void write_reg(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_dev_set_driver_features(t->dev, t->drv_features_sel, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		write_queue_reg(t, off, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->dev->interrupt_status &= ~v;
		break;
	default:
		/* Read-only, SHMSel (no regions), QueueReset (not offered), unknown. */
		break;
	}
}

/* Status or QueueReady. Both locks held. Returns interrupt bits. */
static uint32_t write_control(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	if (off == VIRTIO_MMIO_QUEUE_READY)
		return virtio_dev_queue_enable(t->dev, t->queue_sel, v & 1);
	if (v == 0) /* a reset: the selectors go back too (4.2.3.1) */
		t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	return virtio_dev_write_status(t->dev, v);
}

void virtio_mmio_access(void *opaque, uint64_t offset, uint8_t *data,
			uint32_t len, bool is_write)
{
	struct virtio_mmio *t = opaque;
	struct virtio_dev *d = t->dev;
	uint32_t v, irq = 0;
	int fd;

	if (offset >= VIRTIO_MMIO_CONFIG) {
		virtio_dev_config_access(d, offset - VIRTIO_MMIO_CONFIG, data,
					 len, is_write);
		return;
	}
	/* 4.2.2.2: the driver MUST use 32-bit wide, aligned accesses. */
	if (len != 4 || (offset & 3)) {
		if (!is_write)
			memset(data, 0, len);
		log_ratelimited(LOG_DEBUG, "%s: %u-byte %s at 0x%" PRIx64 " ignored",
				d->label, len, is_write ? "write" : "read", offset);
		return;
	}
	if (!is_write) {
		pthread_mutex_lock(&d->lock);
		v = htole32(read_reg(t, offset));
		pthread_mutex_unlock(&d->lock);
		memcpy(data, &v, 4);
		return;
	}
	memcpy(&v, data, 4);
	v = le32toh(v);
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Only the queue index: VIRTIO_F_NOTIFICATION_DATA is not offered. */
		virtio_dev_notify(d, v);
		return;
	case VIRTIO_MMIO_STATUS:
	case VIRTIO_MMIO_QUEUE_READY:
		/* These may retire rings the device thread is using: wait for it. */
		pthread_mutex_lock(&d->io_lock);
		pthread_mutex_lock(&d->lock);
		irq = write_control(t, offset, v);
		fd = virtio_dev_post_irq(d, irq);
		pthread_mutex_unlock(&d->lock);
		pthread_mutex_unlock(&d->io_lock);
		if (irq)
			virtio_dev_signal(d, fd);
		break;
	default:
		pthread_mutex_lock(&d->lock);
		write_reg(t, offset, v);
		pthread_mutex_unlock(&d->lock);
		break;
	}
}
