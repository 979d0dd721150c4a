// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-mmio register file (Virtio 1.2, 4.2.2 and 4.2.3) and device status
 * state machine (2.1, 3.1). See mmio.h for the threading and interrupt
 * model.
 */
#include "virtio/mmio.h"

#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"

#define DRIVER_STATUS_BITS                                                 \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |                \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK |             \
	 VIRTIO_STATUS_FAILED)

int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_mmio_info *info)
{
	memset(t, 0, sizeof(*t));
	t->irq_fd = -1;
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		t->q[i].kick_fd = -1;
	if (!info->ops || !info->ops->config_read || !info->mem ||
	    info->num_queues == 0 || info->num_queues > VIRTIO_MMIO_MAX_QUEUES ||
	    info->queue_max == 0 || info->queue_max > VIRTQ_MAX_SIZE ||
	    (info->queue_max & (info->queue_max - 1)) ||
	    info->config_size > VIRTIO_MMIO_SLOT_SIZE - VIRTIO_MMIO_CONFIG)
		return -EINVAL;
	t->info = *info;
	snprintf(t->label, sizeof(t->label), "%s",
		 info->name ? info->name : "virtio");
	t->device_features = info->features | VIRTIO_FEATURE_VERSION_1 |
			     VIRTQ_F_INDIRECT_DESC | VIRTQ_F_EVENT_IDX;
	pthread_mutex_init(&t->lock, NULL);
	pthread_mutex_init(&t->io_lock, NULL);
	for (unsigned int i = 0; i < info->num_queues; i++) {
		t->q[i].kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (t->q[i].kick_fd < 0) {
			int r = -errno;

			virtio_mmio_destroy(t);
			return r;
		}
	}
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	if (!t->info.ops)
		return; /* never initialised (or already destroyed) */
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		if (t->q[i].kick_fd >= 0)
			close(t->q[i].kick_fd);
		t->q[i].kick_fd = -1;
	}
	if (t->irq_fd >= 0)
		close(t->irq_fd);
	t->irq_fd = -1;
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->io_lock);
	t->info.ops = NULL;
}

void virtio_mmio_place(struct virtio_mmio *t, const struct virtio_mmio_place *p)
{
	t->place = *p;
	snprintf(t->label, sizeof(t->label), "%s@0x%" PRIx64,
		 t->info.name ? t->info.name : "virtio", (uint64_t)p->base);
}

void virtio_mmio_set_irqfd(struct virtio_mmio *t, int fd)
{
	pthread_mutex_lock(&t->lock);
	if (t->irq_fd >= 0)
		close(t->irq_fd);
	t->irq_fd = fd;
	pthread_mutex_unlock(&t->lock);
}

int virtio_mmio_kick_fd(const struct virtio_mmio *t, unsigned int i)
{
	return i < t->info.num_queues ? t->q[i].kick_fd : -1;
}

gpa_t virtio_mmio_notify_addr(const struct virtio_mmio *t)
{
	return t->place.base + VIRTIO_MMIO_QUEUE_NOTIFY;
}

/* Sends one edge: through the irqfd, or the fallback callback. No lock held. */
static void signal_irq(struct virtio_mmio *t, int fd)
{
	uint64_t one = 1;

	atomic_fetch_add(&t->irqs, 1);
	if (fd >= 0) {
		if (write(fd, &one, sizeof(one)) < 0)
			log_ratelimited(LOG_ERR, "%s: irqfd write: %s", t->label,
					strerror(errno));
	} else if (t->place.irq_pulse) {
		t->place.irq_pulse(t->place.irq_opaque, t->place.irq);
	}
}

/* Sets InterruptStatus bits; returns the fd to signal with. Lock held. */
static int post_irq(struct virtio_mmio *t, uint32_t bits)
{
	t->interrupt_status |= bits;
	return t->irq_fd;
}

static bool live(uint32_t status)
{
	return (status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

/* Sets NEEDS_RESET. Lock held. Returns the interrupt bits to raise. */
static uint32_t set_needs_reset(struct virtio_mmio *t, const char *why)
{
	log_ratelimited(LOG_WARN, "%s: %s; device needs reset", t->label, why);
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return 0;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* 2.1.2: the device SHOULD send a configuration change notification
	 * when it sets NEEDS_RESET; before DRIVER_OK it may not interrupt. */
	return (t->status & VIRTIO_STATUS_DRIVER_OK) ? VIRTIO_MMIO_INT_CONFIG : 0;
}

/* Status 0: back to the power-on state (4.2.3.1). Both locks held. */
static void device_reset(struct virtio_mmio *t)
{
	t->status = 0;
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	t->driver_features = 0;
	t->interrupt_status = 0;
	for (unsigned int i = 0; i < t->info.num_queues; i++) {
		struct virtio_mmio_queue *q = &t->q[i];

		q->num = 0;
		q->ready = false;
		q->desc = q->driver = q->device = 0;
		memset(&q->vq, 0, sizeof(q->vq));
	}
	if (t->info.ops->reset)
		t->info.ops->reset(t->info.dev);
}

static bool features_acceptable(const struct virtio_mmio *t)
{
	return !(t->driver_features & ~t->device_features) &&
	       (t->driver_features & VIRTIO_FEATURE_VERSION_1);
}

/*
 * 3.1.1: ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK, in that order; the
 * driver only adds bits until it writes 0. Both locks held. Returns the
 * interrupt bits to raise.
 */
static uint32_t write_status(struct virtio_mmio *t, uint32_t v)
{
	uint32_t old = t->status & DRIVER_STATUS_BITS;
	uint32_t want = v & DRIVER_STATUS_BITS;
	uint32_t added = want & ~old;

	if (v == 0) {
		device_reset(t);
		return 0;
	}
	if ((want & old) != old) {
		log_ratelimited(LOG_DEBUG, "%s: status 0x%x clears bits of 0x%x without a reset; ignored",
				t->label, v, t->status);
		return 0;
	}
	if (((want & VIRTIO_STATUS_DRIVER) && !(want & VIRTIO_STATUS_ACKNOWLEDGE)) ||
	    ((want & VIRTIO_STATUS_FEATURES_OK) && !(want & VIRTIO_STATUS_DRIVER)) ||
	    ((want & VIRTIO_STATUS_DRIVER_OK) && !(want & VIRTIO_STATUS_FEATURES_OK))) {
		log_ratelimited(LOG_DEBUG, "%s: status 0x%x out of order; ignored",
				t->label, v);
		return 0;
	}
	if ((added & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(t)) {
		/* 3.1.1 step 6: the driver re-reads and sees FEATURES_OK unset. */
		log_ratelimited(LOG_DEBUG, "%s: driver features 0x%" PRIx64 " refused",
				t->label, t->driver_features);
		want &= ~(VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	}
	t->status = (t->status & VIRTIO_STATUS_NEEDS_RESET) | want;
	if ((added & VIRTIO_STATUS_DRIVER_OK) && live(t->status)) {
		/* Buffers made available before DRIVER_OK get looked at now. */
		for (unsigned int i = 0; i < t->info.num_queues; i++) {
			uint64_t one = 1;

			if (t->q[i].ready &&
			    write(t->q[i].kick_fd, &one, sizeof(one)) < 0)
				log_ratelimited(LOG_ERR, "%s: kick: %s", t->label,
						strerror(errno));
		}
	}
	return 0;
}

/* QueueReady (4.2.3.2). Both locks held. Returns interrupt bits. */
static uint32_t write_queue_ready(struct virtio_mmio *t, uint32_t v)
{
	struct virtio_mmio_queue *q;
	char why[160];

	if (t->queue_sel >= t->info.num_queues)
		return 0;
	q = &t->q[t->queue_sel];
	if (!(v & 1)) {
		q->ready = false;
		memset(&q->vq, 0, sizeof(q->vq));
		return 0;
	}
	if (q->ready)
		return 0;
	if (!(t->status & VIRTIO_STATUS_FEATURES_OK)) {
		snprintf(why, sizeof(why), "queue %u made ready before FEATURES_OK",
			 t->queue_sel);
		return set_needs_reset(t, why);
	}
	if (q->num > t->info.queue_max ||
	    virtq_init(&q->vq, t->info.mem, q->num, q->desc, q->driver,
		       q->device, t->driver_features) < 0) {
		snprintf(why, sizeof(why), "queue %u: %s", t->queue_sel,
			 q->num > t->info.queue_max ? "size above QueueNumMax"
						    : q->vq.err);
		memset(&q->vq, 0, sizeof(q->vq));
		return set_needs_reset(t, why);
	}
	q->ready = true;
	return 0;
}

static uint32_t read_reg(struct virtio_mmio *t, uint64_t off)
{
	const struct virtio_mmio_queue *q =
		t->queue_sel < t->info.num_queues ? &t->q[t->queue_sel] : NULL;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG:
		return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->info.device_id;
	case VIRTIO_MMIO_VENDOR_ID_REG:
		return VIRTIO_MMIO_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->dev_features_sel > 1)
			return 0;
		return (uint32_t)(t->device_features >> (32 * t->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->info.queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return 0xffffffffu; /* no shared memory regions: length -1 */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_generation;
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
	struct virtio_mmio_queue *q;

	if (t->queue_sel >= t->info.num_queues)
		return;
	q = &t->q[t->queue_sel];
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

static void notify(struct virtio_mmio *t, uint32_t v)
{
	uint64_t one = 1;

	/* Only the queue index: VIRTIO_F_NOTIFICATION_DATA is not offered. */
	if (v >= t->info.num_queues) {
		log_ratelimited(LOG_DEBUG, "%s: notify of queue %u", t->label, v);
		return;
	}
	atomic_fetch_add(&t->kicks, 1);
	if (write(t->q[v].kick_fd, &one, sizeof(one)) < 0)
		log_ratelimited(LOG_ERR, "%s: kick: %s", t->label,
				strerror(errno));
}

/* A register write other than Status and QueueReady. Lock held. */
static void write_reg(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		/* Frozen once FEATURES_OK is set (3.1.1). */
		if (t->drv_features_sel <= 1 &&
		    !(t->status & VIRTIO_STATUS_FEATURES_OK))
			set_half(&t->driver_features, t->drv_features_sel == 1, v);
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
		t->interrupt_status &= ~v;
		break;
	default:
		/* Read-only, SHMSel (no regions), QueueReset (not offered), unknown. */
		break;
	}
}

static void config_access(struct virtio_mmio *t, uint64_t off, uint8_t *data,
			  uint32_t len, bool is_write)
{
	uint64_t coff = off - VIRTIO_MMIO_CONFIG;

	if (coff >= t->info.config_size || len > t->info.config_size - coff) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&t->lock);
	if (!is_write)
		t->info.ops->config_read(t->info.dev, (uint32_t)coff, data, len);
	else if (t->info.ops->config_write)
		t->info.ops->config_write(t->info.dev, (uint32_t)coff, data, len);
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_access(void *opaque, uint64_t offset, uint8_t *data,
			uint32_t len, bool is_write)
{
	struct virtio_mmio *t = opaque;
	uint32_t v, irq = 0;
	int fd;

	if (offset >= VIRTIO_MMIO_CONFIG) {
		config_access(t, offset, data, len, is_write);
		return;
	}
	/* 4.2.2.2: the driver MUST use 32-bit wide, aligned accesses. */
	if (len != 4 || (offset & 3)) {
		if (!is_write)
			memset(data, 0, len);
		log_ratelimited(LOG_DEBUG, "%s: %u-byte %s at 0x%" PRIx64 " ignored",
				t->label, len, is_write ? "write" : "read", offset);
		return;
	}
	if (!is_write) {
		pthread_mutex_lock(&t->lock);
		v = htole32(read_reg(t, offset));
		pthread_mutex_unlock(&t->lock);
		memcpy(data, &v, 4);
		return;
	}
	memcpy(&v, data, 4);
	v = le32toh(v);
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		notify(t, v);
		return;
	case VIRTIO_MMIO_STATUS:
	case VIRTIO_MMIO_QUEUE_READY:
		/* These may retire rings the device thread is using: wait for it. */
		pthread_mutex_lock(&t->io_lock);
		pthread_mutex_lock(&t->lock);
		irq = offset == VIRTIO_MMIO_STATUS ? write_status(t, v)
						   : write_queue_ready(t, v);
		fd = post_irq(t, irq);
		pthread_mutex_unlock(&t->lock);
		pthread_mutex_unlock(&t->io_lock);
		if (irq)
			signal_irq(t, fd);
		break;
	default:
		pthread_mutex_lock(&t->lock);
		write_reg(t, offset, v);
		pthread_mutex_unlock(&t->lock);
		break;
	}
}

struct virtq *virtio_mmio_queue_get(struct virtio_mmio *t, unsigned int i)
{
	bool ok;

	if (i >= t->info.num_queues)
		return NULL;
	pthread_mutex_lock(&t->io_lock);
	pthread_mutex_lock(&t->lock);
	ok = live(t->status) && t->q[i].ready;
	pthread_mutex_unlock(&t->lock);
	if (!ok) {
		pthread_mutex_unlock(&t->io_lock);
		return NULL;
	}
	return &t->q[i].vq;
}

void virtio_mmio_queue_put(struct virtio_mmio *t, unsigned int i, bool used)
{
	bool irq = used && virtq_should_notify(&t->q[i].vq);
	int fd = -1;

	/*
	 * InterruptStatus is set while io_lock still keeps a reset out, so a
	 * reset cannot be followed by a stale VRING bit; at worst the edge
	 * arrives after it and the driver finds nothing to do.
	 */
	if (irq) {
		pthread_mutex_lock(&t->lock);
		fd = post_irq(t, VIRTIO_MMIO_INT_VRING);
		pthread_mutex_unlock(&t->lock);
	}
	pthread_mutex_unlock(&t->io_lock);
	if (irq)
		signal_irq(t, fd);
}

void virtio_mmio_needs_reset(struct virtio_mmio *t, const char *why)
{
	uint32_t irq;
	int fd;

	pthread_mutex_lock(&t->lock);
	irq = set_needs_reset(t, why);
	fd = post_irq(t, irq);
	pthread_mutex_unlock(&t->lock);
	if (irq)
		signal_irq(t, fd);
}

uint64_t virtio_mmio_features(struct virtio_mmio *t)
{
	uint64_t f;

	pthread_mutex_lock(&t->lock);
	f = t->driver_features;
	pthread_mutex_unlock(&t->lock);
	return f;
}

uint32_t virtio_mmio_status(struct virtio_mmio *t)
{
	uint32_t s;

	pthread_mutex_lock(&t->lock);
	s = t->status;
	pthread_mutex_unlock(&t->lock);
	return s;
}
