// SPDX-License-Identifier: GPL-2.0
#include "irq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "arch.h"
#include "log.h"
#include "vm.h"

int irq_line(struct vm *vm, uint32_t line, bool level)
{
	struct kvm_irq_level irq = { .irq = arch_irq_line_encode(line),
				     .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0) {
		int e = errno;

		log_ratelimited(LOG_ERR, "KVM_IRQ_LINE %u: %s", line,
				strerror(e));
		return -e;
	}
	return 0;
}

int irq_pulse(struct vm *vm, uint32_t line)
{
	int r = irq_line(vm, line, true);

	return r ?: irq_line(vm, line, false);
}

int irq_ioeventfd_assign(struct vm *vm, gpa_t addr, uint32_t len,
			 uint64_t datamatch, int fd)
{
	struct kvm_ioeventfd io;

	memset(&io, 0, sizeof(io));
	io.datamatch = datamatch;
	io.addr = addr;
	io.len = len;
	io.fd = fd;
	io.flags = KVM_IOEVENTFD_FLAG_DATAMATCH;
	return ioctl(vm->vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

static int irqfd(struct vm *vm, uint32_t gsi, int fd, uint32_t flags)
{
	struct kvm_irqfd irq;

	memset(&irq, 0, sizeof(irq));
	irq.fd = (uint32_t)fd;
	irq.gsi = gsi;
	irq.flags = flags;
	return ioctl(vm->vm_fd, KVM_IRQFD, &irq) < 0 ? -errno : 0;
}

int irq_irqfd_assign(struct vm *vm, uint32_t gsi, int fd)
{
	return irqfd(vm, gsi, fd, 0);
}

int irq_irqfd_assign_resample(struct vm *vm, uint32_t gsi, int fd,
			      int resample_fd)
{
	struct kvm_irqfd irq;

	memset(&irq, 0, sizeof(irq));
	irq.fd = (uint32_t)fd;
	irq.gsi = gsi;
	irq.flags = KVM_IRQFD_FLAG_RESAMPLE;
	irq.resamplefd = (uint32_t)resample_fd;
	return ioctl(vm->vm_fd, KVM_IRQFD, &irq) < 0 ? -errno : 0;
}

int irq_irqfd_deassign(struct vm *vm, uint32_t gsi, int fd)
{
	return irqfd(vm, gsi, fd, KVM_IRQFD_FLAG_DEASSIGN);
}

/* --- the routing table ------------------------------------------------- */

void irq_routes_init(struct irq_routes *t)
{
	memset(t, 0, sizeof(*t));
}

static bool uses_gsi(const struct irq_routes *t, uint32_t gsi, uint32_t type)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->e[i].gsi == gsi && (!type || t->e[i].type == type))
			return true;
	return false;
}

static struct kvm_irq_routing_entry *msi_route(struct irq_routes *t,
					       uint32_t gsi)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->e[i].gsi == gsi && t->e[i].type == KVM_IRQ_ROUTING_MSI)
			return &t->e[i];
	return NULL;
}

int irq_routes_add_irqchip(struct irq_routes *t, uint32_t gsi, uint32_t chip,
			   uint32_t pin)
{
	struct kvm_irq_routing_entry *e;

	for (unsigned int i = 0; i < t->n; i++) {
		e = &t->e[i];
		if (e->gsi == gsi && e->type == KVM_IRQ_ROUTING_IRQCHIP &&
		    e->u.irqchip.irqchip == chip && e->u.irqchip.pin == pin)
			return -EEXIST;
	}
	if (uses_gsi(t, gsi, KVM_IRQ_ROUTING_MSI))
		return -EINVAL;
	if (t->n == IRQ_MAX_ROUTES)
		return -ENOSPC;
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
	return 0;
}

static void set_msi(struct kvm_irq_routing_entry *e, uint64_t addr,
		    uint32_t data)
{
	e->u.msi.address_lo = (uint32_t)addr;
	e->u.msi.address_hi = (uint32_t)(addr >> 32);
	e->u.msi.data = data;
}

int irq_routes_add_msi(struct irq_routes *t, uint32_t gsi, uint64_t addr,
		       uint32_t data)
{
	struct kvm_irq_routing_entry *e;

	if (msi_route(t, gsi))
		return -EEXIST;
	if (uses_gsi(t, gsi, KVM_IRQ_ROUTING_IRQCHIP))
		return -EINVAL;
	if (t->n == IRQ_MAX_ROUTES)
		return -ENOSPC;
	e = &t->e[t->n++];
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_MSI;
	set_msi(e, addr, data);
	return 0;
}

int irq_routes_update_msi(struct irq_routes *t, uint32_t gsi, uint64_t addr,
			  uint32_t data)
{
	struct kvm_irq_routing_entry *e = msi_route(t, gsi);

	if (!e)
		return -ENOENT;
	set_msi(e, addr, data);
	return 0;
}

int irq_routes_remove(struct irq_routes *t, uint32_t gsi)
{
	unsigned int o = 0;

	for (unsigned int i = 0; i < t->n; i++)
		if (t->e[i].gsi != gsi)
			t->e[o++] = t->e[i];
	if (o == t->n)
		return -ENOENT;
	t->n = o;
	return 0;
}

int irq_routes_free_gsi(const struct irq_routes *t, uint32_t first,
			uint32_t *gsi)
{
	/* At most n GSIs are taken, so one of the n + 1 from first is free. */
	for (uint64_t g = first; g <= (uint64_t)first + t->n && g <= UINT32_MAX;
	     g++) {
		if (!uses_gsi(t, (uint32_t)g, 0)) {
			*gsi = (uint32_t)g;
			return 0;
		}
	}
	return -ENOSPC;
}

long irq_routes_build(const struct irq_routes *t, void *buf, size_t len)
{
	size_t need = sizeof(struct kvm_irq_routing) +
		      t->n * sizeof(struct kvm_irq_routing_entry);
	struct kvm_irq_routing *r = buf;

	if (len < need)
		return -ENOSPC;
	memset(r, 0, sizeof(*r));
	r->nr = t->n;
	memcpy(r->entries, t->e, t->n * sizeof(t->e[0]));
	return (long)need;
}

int irq_routes_commit(struct vm *vm)
{
	size_t len = sizeof(struct kvm_irq_routing) + sizeof(vm->routes.e);
	void *buf = malloc(len);
	int r;

	if (!buf)
		return -ENOMEM;
	r = (int)irq_routes_build(&vm->routes, buf, len);
	if (r >= 0) {
		r = ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, buf) < 0 ? -errno : 0;
		if (r)
			log_err("KVM_SET_GSI_ROUTING (%u routes): %s",
				vm->routes.n, strerror(-r));
	}
	free(buf);
	return r;
}
