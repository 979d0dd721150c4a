// SPDX-License-Identifier: GPL-2.0
#include "devices.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "arch.h"
#include "irq.h"
#include "log.h"
#include "virtio/mmio.h"
#include "vm.h"

void devices_init(struct device_list *l)
{
	memset(l, 0, sizeof(*l));
}

int devices_add(struct device_list *l, const struct vm_device *d)
{
	if (!d->name || (d->has_node && !d->node.node))
		return -EINVAL;
	if (l->n == DEVICES_MAX)
		return -E2BIG;
	l->dev[l->n++] = *d;
	return 0;
}

unsigned int devices_fdt(const struct device_list *l, struct fdt_device *out,
			 unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < l->n && n < max; i++)
		if (l->dev[i].has_node)
			out[n++] = l->dev[i].node;
	return n;
}

int devices_cmdline(const struct device_list *l, char *buf, size_t len)
{
	size_t used = 0;
	int n = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned int i = 0; i < l->n; i++) {
		const struct vm_device *d = &l->dev[i];
		int w;

		if (!d->cmdline)
			continue;
		w = d->cmdline(d, buf + used, len - used);
		if (w < 0 || (size_t)w + 1 >= len - used) {
			if (len)
				buf[used] = '\0';
			return -ENOSPC;
		}
		used += (size_t)w;
		buf[used++] = ' ';
		buf[used] = '\0';
		n++;
	}
	return n;
}

int devices_virtio_mmio_cmdline(const struct vm_device *d, char *buf,
				size_t len)
{
	return snprintf(buf, len, "virtio_mmio.device=%llu@0x%llx:%u",
			(unsigned long long)d->node.size,
			(unsigned long long)d->node.base, d->node.irq);
}

int devices_start(struct device_list *l)
{
	int r = 0;

	for (unsigned int i = 0; i < l->n && !r; i++)
		if (l->dev[i].start)
			r = l->dev[i].start(l->dev[i].opaque);
	return r;
}

unsigned int devices_destroy(struct device_list *l)
{
	unsigned int stuck = 0;

	while (l->n > 0) {
		struct vm_device *d = &l->dev[--l->n];

		if (d->destroy && d->destroy(d->opaque))
			stuck++;
	}
	return stuck;
}

/* --- the virtio-mmio transport's attach --------------------------------- */

/* The fallback interrupt of a virtio-mmio device: one edge (mmio.h). */
static void virtio_irq_pulse(void *opaque, uint32_t line)
{
	irq_pulse(opaque, line);
}

/* A device behind its virtio-mmio register file, as the list holds it. */
struct mmio_slot {
	struct virtio_mmio t;
	int (*destroy)(void *opaque);
	int (*start)(void *opaque);
	void *opaque;
};

static int mmio_slot_start(void *opaque)
{
	struct mmio_slot *s = opaque;

	return s->start ? s->start(s->opaque) : 0;
}

/* The device first (its I/O thread stops), then its register file. */
static int mmio_slot_destroy(void *opaque)
{
	struct mmio_slot *s = opaque;
	int r = s->destroy ? s->destroy(s->opaque) : 0;

	if (r == 0)
		free(s); /* else a stuck thread may still signal through it */
	return r;
}

/*
 * Binds QueueNotify (one datamatch ioeventfd per queue) and the interrupt
 * (an irqfd) to KVM, so neither passes through a vCPU thread. If KVM
 * refuses, or TESSERA_NO_IOEVENTFD is set (tests and benchmarks of the
 * slow path), the device still works through MMIO exits and KVM_IRQ_LINE.
 */
static void wire_virtio(struct vm *vm, struct virtio_mmio *t)
{
	struct virtio_dev *d = t->dev;
	int fd, r = 0;

	if (getenv("TESSERA_NO_IOEVENTFD")) {
		log_info("%s: TESSERA_NO_IOEVENTFD: notifications exit to the monitor",
			 d->label);
		return;
	}
	for (unsigned int q = 0; q < d->info.num_queues && !r; q++)
		r = irq_ioeventfd_assign(vm, virtio_mmio_notify_addr(t), 4, q,
					 virtio_dev_kick_fd(d, q));
	if (r)
		log_warn("%s: KVM_IOEVENTFD: %s; notifications exit to the monitor",
			 d->label, strerror(-r));
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r = fd < 0 ? -errno : irq_irqfd_assign(vm, t->place.irq, fd);
	if (r) {
		log_warn("%s: KVM_IRQFD: %s; interrupts through KVM_IRQ_LINE",
			 d->label, strerror(-r));
		if (fd >= 0)
			close(fd);
		return;
	}
	virtio_dev_set_irqfd(d, fd);
}

int devices_attach_virtio_mmio(struct vm *vm, struct virtio_dev *d,
			       int (*destroy)(void *opaque),
			       int (*start)(void *opaque), void *opaque)
{
	const char *name = d->info.name ? d->info.name : "virtio";
	bool on_cmdline = arch_virtio_mmio_on_cmdline(), shared;
	struct virtio_mmio_place place = { .irq_pulse = virtio_irq_pulse,
					   .irq_opaque = vm };
	struct mmio_slot *s = calloc(1, sizeof(*s));
	struct vm_device dev = {
		.name = name,
		.has_node = true,
		.node = {
			.node = fdt_virtio_mmio_node,
			.bus = FDT_BUS_MMIO,
			.size = VIRTIO_MMIO_SLOT_SIZE,
			.has_irq = true,
			.irq_type = FDT_IRQ_EDGE_RISING, /* virtio.h: why an edge */
			.disabled = on_cmdline,
		},
		.cmdline = on_cmdline ? devices_virtio_mmio_cmdline : NULL,
		.destroy = mmio_slot_destroy,
		.start = mmio_slot_start,
		.opaque = s,
	};
	int r;

	if (!s) {
		log_err("%s: out of memory", name);
		r = -ENOMEM;
		goto err_destroy;
	}
	if (resource_alloc_mmio(&vm->res, VIRTIO_MMIO_SLOT_SIZE,
				VIRTIO_MMIO_SLOT_SIZE, &place.base) ||
	    resource_alloc_line(&vm->res, true, &place.irq, &shared)) {
		r = vm_user_error(vm, "%s: no virtio-mmio slot left", name);
		goto err_destroy;
	}
	dev.node.base = place.base;
	dev.node.irq = place.irq;
	r = devices_add(&vm->devices, &dev);
	if (r) {
		r = vm_user_error(vm, "%s: too many devices (at most %d)",
				  name, DEVICES_MAX);
		goto err_destroy;
	}
	/* From here on the list owns the device and its register file. */
	*s = (struct mmio_slot){ .destroy = destroy, .start = start,
				 .opaque = opaque };
	virtio_mmio_init(&s->t, d);
	virtio_mmio_place(&s->t, &place);
	if (shared)
		log_info("%s: interrupt line %u shared with another device",
			 d->label, place.irq);
	r = bus_register(&vm->mmio, place.base, VIRTIO_MMIO_SLOT_SIZE,
			 virtio_mmio_access, &s->t, name);
	if (r) {
		log_err("cannot register %s: %s", d->label, strerror(-r));
		return r;
	}
	wire_virtio(vm, &s->t);
	return 0;
err_destroy:
	free(s);
	if (destroy)
		destroy(opaque);
	return r;
}
