// SPDX-License-Identifier: GPL-2.0
/*
 * The transport-neutral virtio device: status state machine (2.1, 3.1),
 * feature negotiation, queues and interrupts. See virtio.h for the
 * threading and interrupt model.
 */
#include "virtio/virtio.h"

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

int virtio_dev_init(struct virtio_dev *d, const struct virtio_dev_info *info)
{
	memset(d, 0, sizeof(*d));
	d->irq_fd = -1;
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++)
		d->q[i].kick_fd = -1;
	if (!info->ops || !info->ops->config_read || !info->mem ||
	    info->num_queues == 0 || info->num_queues > VIRTIO_MAX_QUEUES ||
	    info->queue_max == 0 || info->queue_max > VIRTQ_MAX_SIZE ||
	    (info->queue_max & (info->queue_max - 1)) ||
	    info->config_size > VIRTIO_MAX_CONFIG)
		return -EINVAL;
	d->info = *info;
	snprintf(d->label, sizeof(d->label), "%s",
		 info->name ? info->name : "virtio");
	d->device_features = info->features | VIRTIO_FEATURE_VERSION_1 |
			     VIRTQ_F_INDIRECT_DESC | VIRTQ_F_EVENT_IDX;
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->io_lock, NULL);
	for (unsigned int i = 0; i < info->num_queues; i++) {
		d->q[i].kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (d->q[i].kick_fd < 0) {
			int r = -errno;

			virtio_dev_destroy(d);
			return r;
		}
	}
	return 0;
}

void virtio_dev_destroy(struct virtio_dev *d)
{
	if (!d->info.ops)
		return; /* never initialised (or already destroyed) */
	for (unsigned int i = 0; i < VIRTIO_MAX_QUEUES; i++) {
		if (d->q[i].kick_fd >= 0)
			close(d->q[i].kick_fd);
		d->q[i].kick_fd = -1;
	}
	if (d->irq_fd >= 0)
		close(d->irq_fd);
	d->irq_fd = -1;
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->io_lock);
	d->info.ops = NULL;
}

void virtio_dev_set_label(struct virtio_dev *d, const char *label)
{
	snprintf(d->label, sizeof(d->label), "%s", label);
}

void virtio_dev_set_irq(struct virtio_dev *d, void (*pulse)(void *opaque),
			void *opaque)
{
	d->irq_pulse = pulse;
	d->irq_opaque = opaque;
}

void virtio_dev_set_irqfd(struct virtio_dev *d, int fd)
{
	pthread_mutex_lock(&d->lock);
	if (d->irq_fd >= 0)
		close(d->irq_fd);
	d->irq_fd = fd;
	pthread_mutex_unlock(&d->lock);
}

int virtio_dev_kick_fd(const struct virtio_dev *d, unsigned int i)
{
	return i < d->info.num_queues ? d->q[i].kick_fd : -1;
}

void virtio_dev_signal(struct virtio_dev *d, int fd)
{
	uint64_t one = 1;

	atomic_fetch_add(&d->irqs, 1);
	if (fd >= 0) {
		if (write(fd, &one, sizeof(one)) < 0)
			log_ratelimited(LOG_ERR, "%s: irqfd write: %s", d->label,
					strerror(errno));
	} else if (d->irq_pulse) {
		d->irq_pulse(d->irq_opaque);
	}
}

int virtio_dev_post_irq(struct virtio_dev *d, uint32_t bits)
{
	d->interrupt_status |= bits;
	return d->irq_fd;
}

static bool live(uint32_t status)
{
	return (status & VIRTIO_STATUS_DRIVER_OK) &&
	       !(status & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

/* Sets NEEDS_RESET. Lock held. Returns the interrupt bits to raise. */
static uint32_t set_needs_reset(struct virtio_dev *d, const char *why)
{
	log_ratelimited(LOG_WARN, "%s: %s; device needs reset", d->label, why);
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return 0;
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* 2.1.2: the device SHOULD send a configuration change notification
	 * when it sets NEEDS_RESET; before DRIVER_OK it may not interrupt. */
	return (d->status & VIRTIO_STATUS_DRIVER_OK) ? VIRTIO_INT_CONFIG : 0;
}

/* Status 0: back to the power-on state (4.2.3.1). Both locks held. */
static void device_reset(struct virtio_dev *d)
{
	d->status = 0;
	d->driver_features = 0;
	d->interrupt_status = 0;
	for (unsigned int i = 0; i < d->info.num_queues; i++) {
		struct virtio_dev_queue *q = &d->q[i];

		q->num = 0;
		q->ready = false;
		q->gen++;
		q->desc = q->driver = q->device = 0;
		memset(&q->vq, 0, sizeof(q->vq));
	}
	if (d->info.ops->reset)
		d->info.ops->reset(d->info.dev);
}

static bool features_acceptable(const struct virtio_dev *d)
{
	return !(d->driver_features & ~d->device_features) &&
	       (d->driver_features & VIRTIO_FEATURE_VERSION_1);
}

uint32_t virtio_dev_write_status(struct virtio_dev *d, uint32_t v)
{
	uint32_t old = d->status & DRIVER_STATUS_BITS;
	uint32_t want = v & DRIVER_STATUS_BITS;
	uint32_t added = want & ~old;

	if (v == 0) {
		device_reset(d);
		return 0;
	}
	if ((want & old) != old) {
		log_ratelimited(LOG_DEBUG, "%s: status 0x%x clears bits of 0x%x without a reset; ignored",
				d->label, v, d->status);
		return 0;
	}
	if (((want & VIRTIO_STATUS_DRIVER) && !(want & VIRTIO_STATUS_ACKNOWLEDGE)) ||
	    ((want & VIRTIO_STATUS_FEATURES_OK) && !(want & VIRTIO_STATUS_DRIVER)) ||
	    ((want & VIRTIO_STATUS_DRIVER_OK) && !(want & VIRTIO_STATUS_FEATURES_OK))) {
		log_ratelimited(LOG_DEBUG, "%s: status 0x%x out of order; ignored",
				d->label, v);
		return 0;
	}
	if ((added & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(d)) {
		/* 3.1.1 step 6: the driver re-reads and sees FEATURES_OK unset. */
		log_ratelimited(LOG_DEBUG, "%s: driver features 0x%" PRIx64 " refused",
				d->label, d->driver_features);
		want &= ~(VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	}
	d->status = (d->status & VIRTIO_STATUS_NEEDS_RESET) | want;
	if ((added & VIRTIO_STATUS_DRIVER_OK) && live(d->status)) {
		/* Buffers made available before DRIVER_OK get looked at now. */
		for (unsigned int i = 0; i < d->info.num_queues; i++) {
			uint64_t one = 1;

			if (d->q[i].ready &&
			    write(d->q[i].kick_fd, &one, sizeof(one)) < 0)
				log_ratelimited(LOG_ERR, "%s: kick: %s", d->label,
						strerror(errno));
		}
	}
	return 0;
}

uint32_t virtio_dev_queue_enable(struct virtio_dev *d, unsigned int i,
				 bool enable)
{
	struct virtio_dev_queue *q;
	char why[160];

	if (i >= d->info.num_queues)
		return 0;
	q = &d->q[i];
	if (!enable) {
		if (q->ready)
			q->gen++;
		q->ready = false;
		memset(&q->vq, 0, sizeof(q->vq));
		return 0;
	}
	if (q->ready)
		return 0;
	if (!(d->status & VIRTIO_STATUS_FEATURES_OK)) {
		snprintf(why, sizeof(why), "queue %u made ready before FEATURES_OK",
			 i);
		return set_needs_reset(d, why);
	}
	if (q->num > d->info.queue_max ||
	    virtq_init(&q->vq, d->info.mem, q->num, q->desc, q->driver,
		       q->device, d->driver_features) < 0) {
		snprintf(why, sizeof(why), "queue %u: %s", i,
			 q->num > d->info.queue_max ? "size above QueueNumMax"
						    : q->vq.err);
		memset(&q->vq, 0, sizeof(q->vq));
		return set_needs_reset(d, why);
	}
	q->ready = true;
	q->gen++;
	return 0;
}

static void set_half(uint64_t *v, bool high, uint32_t half)
{
	if (high)
		*v = (*v & 0xffffffffULL) | ((uint64_t)half << 32);
	else
		*v = (*v & ~0xffffffffULL) | half;
}

void virtio_dev_set_driver_features(struct virtio_dev *d, unsigned int sel,
				    uint32_t half)
{
	/* Frozen once FEATURES_OK is set (3.1.1). */
	if (sel <= 1 && !(d->status & VIRTIO_STATUS_FEATURES_OK))
		set_half(&d->driver_features, sel == 1, half);
}

void virtio_dev_notify(struct virtio_dev *d, uint32_t i)
{
	uint64_t one = 1;

	if (i >= d->info.num_queues) {
		log_ratelimited(LOG_DEBUG, "%s: notify of queue %u", d->label, i);
		return;
	}
	atomic_fetch_add(&d->kicks, 1);
	if (write(d->q[i].kick_fd, &one, sizeof(one)) < 0)
		log_ratelimited(LOG_ERR, "%s: kick: %s", d->label,
				strerror(errno));
}

void virtio_dev_config_access(struct virtio_dev *d, uint64_t off,
			      uint8_t *data, uint32_t len, bool is_write)
{
	if (off >= d->info.config_size || len > d->info.config_size - off) {
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	pthread_mutex_lock(&d->lock);
	if (!is_write)
		d->info.ops->config_read(d->info.dev, (uint32_t)off, data, len);
	else if (d->info.ops->config_write)
		d->info.ops->config_write(d->info.dev, (uint32_t)off, data, len);
	pthread_mutex_unlock(&d->lock);
}

struct virtq *virtio_dev_queue_get(struct virtio_dev *d, unsigned int i)
{
	bool ok;

	if (i >= d->info.num_queues)
		return NULL;
	pthread_mutex_lock(&d->io_lock);
	pthread_mutex_lock(&d->lock);
	ok = live(d->status) && d->q[i].ready;
	pthread_mutex_unlock(&d->lock);
	if (!ok) {
		pthread_mutex_unlock(&d->io_lock);
		return NULL;
	}
	return &d->q[i].vq;
}

uint32_t virtio_dev_queue_gen(const struct virtio_dev *d, unsigned int i)
{
	return i < d->info.num_queues ? d->q[i].gen : 0;
}

void virtio_dev_irq_hold(struct virtio_dev *d)
{
	d->irq_held = true;
}

void virtio_dev_irq_release(struct virtio_dev *d)
{
	int fd;

	d->irq_held = false;
	if (!d->irq_owed)
		return;
	d->irq_owed = false;
	pthread_mutex_lock(&d->lock);
	fd = d->irq_fd;
	pthread_mutex_unlock(&d->lock);
	virtio_dev_signal(d, fd);
}

void virtio_dev_queue_put(struct virtio_dev *d, unsigned int i, bool used)
{
	bool irq = used && virtq_should_notify(&d->q[i].vq);
	int fd = -1;

	/*
	 * The interrupt status is set while io_lock still keeps a reset out,
	 * so a reset cannot be followed by a stale VRING bit; at worst the
	 * edge arrives after it and the driver finds nothing to do.
	 */
	if (irq) {
		pthread_mutex_lock(&d->lock);
		fd = virtio_dev_post_irq(d, VIRTIO_INT_VRING);
		pthread_mutex_unlock(&d->lock);
	}
	pthread_mutex_unlock(&d->io_lock);
	if (irq && d->irq_held)
		d->irq_owed = true; /* one edge at virtio_dev_irq_release() */
	else if (irq)
		virtio_dev_signal(d, fd);
}

void virtio_dev_needs_reset(struct virtio_dev *d, const char *why)
{
	uint32_t irq;
	int fd;

	pthread_mutex_lock(&d->lock);
	irq = set_needs_reset(d, why);
	fd = virtio_dev_post_irq(d, irq);
	pthread_mutex_unlock(&d->lock);
	if (irq)
		virtio_dev_signal(d, fd);
}

uint64_t virtio_dev_features(struct virtio_dev *d)
{
	uint64_t f;

	pthread_mutex_lock(&d->lock);
	f = d->driver_features;
	pthread_mutex_unlock(&d->lock);
	return f;
}

uint32_t virtio_dev_status(struct virtio_dev *d)
{
	uint32_t s;

	pthread_mutex_lock(&d->lock);
	s = d->status;
	pthread_mutex_unlock(&d->lock);
	return s;
}
