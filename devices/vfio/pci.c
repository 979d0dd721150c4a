// SPDX-License-Identifier: GPL-2.0
/* vfio-pci passthrough: see pci.h. */
#include "vfio/pci.h"

#include <errno.h>
#include <linux/vfio.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "irq.h"
#include "log.h"
#include "pci/msix.h"
#include "pci/pci.h"
#include "pci_bus.h"
#include "vfio/vfio.h"
#include "vm.h"

#define VFIO_PCI_MAX_VECTORS 64 /* MSI-X entries we route (of up to 2048) */
#define MSI_FLAGS_ENABLE 0x1u
#define MSI_FLAGS_64BIT 0x80u
#define MSI_FLAGS_MASKBIT 0x100u
#define PAGE_SIZE_4K 4096ULL

struct vfio_pci;

struct vfio_bar {
	struct vfio_pci *d;
	unsigned int index;
	uint64_t size, offset; /* in the device fd */
	bool present, io;
	void *map;        /* the whole BAR mapped, or NULL: trapped */
	bool slot_on;     /* a memory slot maps it now */
	unsigned int slot;
	bool trap_on;     /* a bus range traps it now */
	uint64_t trap_base;
};

struct vfio_vec {
	int fd;       /* VFIO signals it; -1: none */
	uint32_t gsi; /* its MSI route */
	bool routed, irqfd;
	uint64_t addr;
	uint32_t data;
};

struct vfio_pci {
	struct vm *vm;
	struct vfio_container *c;
	char bdf[CONFIG_BDF_LEN + 1];
	char label[32];
	int fd;
	bool can_reset;
	uint64_t cfg_off;
	struct pci_cfg cfg;
	uint8_t emu[PCI_CFG_SIZE]; /* 1: the byte is ours, not the device's */
	struct vfio_bar bar[PCI_NUM_REGIONS];
	pthread_mutex_t lock; /* the interrupt state below */
	/* INTx */
	bool intx;
	uint32_t line;
	int intx_fd, unmask_fd;
	/* MSI */
	uint8_t msi_cap;
	unsigned int msi_max;
	bool msi_on;
	unsigned int msi_n;
	/* MSI-X: the table is ours (pci/msix.c); we route the first VFIO_PCI_MAX_VECTORS */
	uint8_t msix_cap;
	struct msix_cap mcap;
	struct msix msix;
	bool msix_on;
	struct vfio_vec vec[VFIO_PCI_MAX_VECTORS];
};

/* --- VFIO ioctls ------------------------------------------------------- */

/*
 * VFIO_DEVICE_SET_IRQS with count eventfds (or none). The argument lives
 * on the stack: vCPU threads call this (MSI enables) and must not need a
 * new malloc arena under their seccomp filter.
 */
static int set_irqs(struct vfio_pci *d, uint32_t index, uint32_t action,
		    unsigned int count, const int *fds)
{
	union {
		struct vfio_irq_set s;
		uint8_t buf[sizeof(struct vfio_irq_set) +
			    VFIO_PCI_MAX_VECTORS * sizeof(int32_t)];
	} u;
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);

	if (count > VFIO_PCI_MAX_VECTORS)
		return -EINVAL;
	memset(&u, 0, sizeof(u));
	u.s.argsz = (uint32_t)sz;
	u.s.flags = action | (count ? VFIO_IRQ_SET_DATA_EVENTFD : VFIO_IRQ_SET_DATA_NONE);
	u.s.index = index;
	u.s.start = 0;
	u.s.count = count;
	if (count)
		memcpy(u.s.data, fds, count * sizeof(int32_t));
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &u.s) < 0 ? -errno : 0;
}

static void dev_cfg_read(struct vfio_pci *d, uint32_t off, uint8_t *data,
			 uint32_t len)
{
	if (pread(d->fd, data, len, (off_t)(d->cfg_off + off)) != (ssize_t)len)
		memset(data, 0xff, len);
}

static void dev_cfg_write(struct vfio_pci *d, uint32_t off, const uint8_t *data,
			  uint32_t len)
{
	if (pwrite(d->fd, data, len, (off_t)(d->cfg_off + off)) != (ssize_t)len)
		log_ratelimited(LOG_WARN, "%s: config write at 0x%x failed",
				d->label, off);
}

/* --- interrupts ------------------------------------------------------- */

static int intx_enable(struct vfio_pci *d)
{
	int r = set_irqs(d, VFIO_PCI_INTX_IRQ_INDEX,
			 VFIO_IRQ_SET_ACTION_TRIGGER, 1, &d->intx_fd);

	return r ?: set_irqs(d, VFIO_PCI_INTX_IRQ_INDEX,
			     VFIO_IRQ_SET_ACTION_UNMASK, 1, &d->unmask_fd);
}

static void intx_disable(struct vfio_pci *d)
{
	if (d->intx)
		set_irqs(d, VFIO_PCI_INTX_IRQ_INDEX, VFIO_IRQ_SET_ACTION_TRIGGER,
			 0, NULL);
}

/* Attaches or detaches vector v's irqfd as the guest (un)masks it. */
static void vec_set_irqfd(struct vfio_pci *d, struct vfio_vec *v, bool on)
{
	int r = 0;

	if (v->fd < 0 || !v->routed || on == v->irqfd)
		return;
	r = on ? irq_irqfd_assign(d->vm, v->gsi, v->fd)
	       : irq_irqfd_deassign(d->vm, v->gsi, v->fd);
	if (r)
		log_ratelimited(LOG_WARN, "%s: KVM_IRQFD on GSI %u: %s",
				d->label, v->gsi, strerror(-r));
	else
		v->irqfd = on;
}

/* A route for vector i (its eventfd exists), with the guest's address/data. */
static int vec_start(struct vfio_pci *d, unsigned int i, uint64_t addr,
		     uint32_t data)
{
	struct vfio_vec *v = &d->vec[i];
	int r;

	if (v->fd < 0) /* made at setup: vCPU threads create no descriptor */
		return -ENOSPC;
	r = irq_routes_free_gsi(&d->vm->routes, 0, &v->gsi);
	r = r ?: irq_routes_add_msi(&d->vm->routes, v->gsi, addr, data);
	if (r)
		return r;
	v->routed = true;
	v->addr = addr;
	v->data = data;
	return 0;
}

static void vec_stop(struct vfio_pci *d, struct vfio_vec *v)
{
	vec_set_irqfd(d, v, false);
	if (v->routed)
		irq_routes_remove(&d->vm->routes, v->gsi);
	v->routed = false;
}

static void vec_update(struct vfio_pci *d, struct vfio_vec *v, uint64_t addr,
		       uint32_t data)
{
	if (!v->routed || (v->addr == addr && v->data == data))
		return;
	v->addr = addr;
	v->data = data;
	irq_routes_update_msi(&d->vm->routes, v->gsi, addr, data);
}

static void commit_routes(struct vfio_pci *d)
{
	if (irq_routes_commit(d->vm))
		log_ratelimited(LOG_WARN, "%s: MSI routes not updated", d->label);
}

static void vectors_stop(struct vfio_pci *d, uint32_t index, unsigned int n)
{
	set_irqs(d, index, VFIO_IRQ_SET_ACTION_TRIGGER, 0, NULL);
	for (unsigned int i = 0; i < n; i++)
		vec_stop(d, &d->vec[i]);
	commit_routes(d);
	if (d->intx && intx_enable(d))
		log_ratelimited(LOG_WARN, "%s: cannot re-enable INTx", d->label);
}

/* Hands n started vectors to VFIO (INTx off first: VFIO wants one mode). */
static int vectors_start(struct vfio_pci *d, uint32_t index, unsigned int n)
{
	int fds[VFIO_PCI_MAX_VECTORS];

	intx_disable(d);
	commit_routes(d);
	for (unsigned int i = 0; i < n; i++)
		fds[i] = d->vec[i].fd;
	return set_irqs(d, index, VFIO_IRQ_SET_ACTION_TRIGGER, n, fds);
}

static uint64_t msi_addr(struct vfio_pci *d)
{
	uint8_t c = d->msi_cap;
	uint16_t flags = pci_cfg_get16(&d->cfg, c + 2);
	uint64_t a = pci_cfg_get32(&d->cfg, c + 4);

	if (flags & MSI_FLAGS_64BIT)
		a |= (uint64_t)pci_cfg_get32(&d->cfg, c + 8) << 32;
	return a;
}

static uint32_t msi_data(struct vfio_pci *d)
{
	uint16_t flags = pci_cfg_get16(&d->cfg, d->msi_cap + 2);

	return pci_cfg_get16(&d->cfg, d->msi_cap + (flags & MSI_FLAGS_64BIT ? 12 : 8));
}

static uint32_t msi_mask(struct vfio_pci *d)
{
	uint16_t flags = pci_cfg_get16(&d->cfg, d->msi_cap + 2);

	if (!(flags & MSI_FLAGS_MASKBIT))
		return 0;
	return pci_cfg_get32(&d->cfg, d->msi_cap + (flags & MSI_FLAGS_64BIT ? 16 : 12));
}

/* After a write into the MSI capability. Lock held. */
static void msi_update(struct vfio_pci *d)
{
	uint16_t flags = pci_cfg_get16(&d->cfg, d->msi_cap + 2);
	bool on = flags & MSI_FLAGS_ENABLE;
	unsigned int n = 1u << ((flags >> 4) & 7);
	uint64_t addr = msi_addr(d);
	uint32_t data = msi_data(d), mask = msi_mask(d);
	int r = 0;

	if (n > d->msi_max)
		n = d->msi_max;
	if (on && !d->msi_on) {
		for (unsigned int i = 0; i < n && !r; i++)
			r = vec_start(d, i, addr, data | i);
		r = r ?: vectors_start(d, VFIO_PCI_MSI_IRQ_INDEX, n);
		if (r) {
			log_ratelimited(LOG_ERR, "%s: cannot enable MSI: %s",
					d->label, strerror(-r));
			vectors_stop(d, VFIO_PCI_MSI_IRQ_INDEX, n);
			return;
		}
		d->msi_on = true;
		d->msi_n = n;
	} else if (!on && d->msi_on) {
		vectors_stop(d, VFIO_PCI_MSI_IRQ_INDEX, d->msi_n);
		d->msi_on = false;
		return;
	} else if (!on) {
		return;
	}
	for (unsigned int i = 0; i < d->msi_n; i++)
		vec_update(d, &d->vec[i], addr, data | i);
	commit_routes(d);
	for (unsigned int i = 0; i < d->msi_n; i++)
		vec_set_irqfd(d, &d->vec[i], !(mask & (1u << i)));
}

static unsigned int msix_routed(const struct vfio_pci *d)
{
	return d->msix.n < VFIO_PCI_MAX_VECTORS ? d->msix.n : VFIO_PCI_MAX_VECTORS;
}

/*
 * After a write of the MSI-X control or of a table entry: VFIO signals
 * every routed vector's eventfd once MSI-X is enabled; a vector's route
 * carries its entry's message, and its irqfd is attached while it is live
 * (enabled, function and entry unmasked). A message that fires while its
 * vector is masked waits in the eventfd and is injected when the irqfd is
 * attached again (KVM checks the eventfd at KVM_IRQFD), which is what the
 * pending bit would have done; the PBA the guest reads stays clear. Lock
 * held.
 */
static void msix_update(struct vfio_pci *d)
{
	unsigned int n = msix_routed(d);
	bool on = msix_enabled(&d->msix);
	uint64_t addr;
	uint32_t data;
	int r = 0;

	if (on && !d->msix_on) {
		for (unsigned int i = 0; i < n && !r; i++) {
			msix_message(&d->msix, i, &addr, &data);
			r = vec_start(d, i, addr, data);
		}
		r = r ?: vectors_start(d, VFIO_PCI_MSIX_IRQ_INDEX, n);
		if (r) {
			log_ratelimited(LOG_ERR, "%s: cannot enable MSI-X: %s",
					d->label, strerror(-r));
			vectors_stop(d, VFIO_PCI_MSIX_IRQ_INDEX, n);
			return;
		}
		d->msix_on = true;
	} else if (!on && d->msix_on) {
		vectors_stop(d, VFIO_PCI_MSIX_IRQ_INDEX, n);
		d->msix_on = false;
		return;
	} else if (!on) {
		return;
	}
	for (unsigned int i = 0; i < n; i++) {
		msix_message(&d->msix, i, &addr, &data);
		vec_update(d, &d->vec[i], addr, data);
	}
	commit_routes(d);
	for (unsigned int i = 0; i < n; i++)
		vec_set_irqfd(d, &d->vec[i], msix_live(&d->msix, i));
}

/* --- BARs ------------------------------------------------------------- */

static bool in(uint64_t off, uint32_t len, uint64_t start, uint64_t n)
{
	return off >= start && off - start + len <= n;
}

/* A guest access to the MSI-X table: ours (pci/msix.c). */
static void table_access(struct vfio_pci *d, uint64_t off, uint8_t *data,
			 uint32_t len, bool is_write)
{
	int changed;

	pthread_mutex_lock(&d->lock);
	changed = msix_table_access(&d->msix, off - d->mcap.table_off, data,
				    len, is_write);
	if (changed >= 0 && (unsigned int)changed < msix_routed(d) && d->msix_on) {
		pthread_mutex_lock(&d->c->routes_lock);
		msix_update(d);
		pthread_mutex_unlock(&d->c->routes_lock);
	}
	pthread_mutex_unlock(&d->lock);
}

/* A trapped BAR (bus_access_fn): forwarded to the device, MSI-X ours. */
static void bar_access(void *opaque, uint64_t off, uint8_t *data, uint32_t len,
		       bool is_write)
{
	struct vfio_bar *b = opaque;
	struct vfio_pci *d = b->d;
	ssize_t n;

	if (d->msix_cap && b->index == d->mcap.table_bar &&
	    in(off, len, d->mcap.table_off, msix_table_size(d->msix.n))) {
		table_access(d, off, data, len, is_write);
		return;
	}
	if (d->msix_cap && b->index == d->mcap.pba_bar &&
	    in(off, len, d->mcap.pba_off, msix_pba_size(d->msix.n))) {
		if (!is_write) { /* read-only */
			pthread_mutex_lock(&d->lock);
			msix_pba_read(&d->msix, off - d->mcap.pba_off, data, len);
			pthread_mutex_unlock(&d->lock);
		}
		return;
	}
	if (is_write)
		n = pwrite(d->fd, data, len, (off_t)(b->offset + off));
	else
		n = pread(d->fd, data, len, (off_t)(b->offset + off));
	if (n != (ssize_t)len) {
		if (!is_write)
			memset(data, 0xff, len);
		log_ratelimited(LOG_WARN, "%s: BAR %u %s at 0x%llx failed",
				d->label, b->index, is_write ? "write" : "read",
				(unsigned long long)off);
	}
}

/* pci_bar_moved_fn: the guest placed, moved or disabled a BAR. */
static void bar_moved(void *opaque, unsigned int bar, bool was_on, uint64_t old,
		      bool on, uint64_t addr)
{
	struct vfio_pci *d = opaque;
	struct vfio_bar *b = &d->bar[bar];
	struct bus *bus = b->io ? &d->vm->pio : &d->vm->mmio;
	int r;

	(void)old;
	if (was_on && b->slot_on) {
		r = guest_mem_slot_remove(&d->vm->mem, b->slot);
		if (r)
			log_ratelimited(LOG_WARN, "%s: BAR %u: removing its memory slot: %s",
					d->label, bar, strerror(-r));
		b->slot_on = false;
	}
	if (was_on && b->trap_on) {
		bus_unregister(bus, b->trap_base);
		b->trap_on = false;
	}
	if (!on)
		return;
	if (b->map) {
		r = guest_mem_slot_add(&d->vm->mem, addr, b->size, b->map, 0,
				       &b->slot);
		if (!r) {
			b->slot_on = true;
			return;
		}
		log_ratelimited(LOG_WARN, "%s: BAR %u at 0x%llx: no memory slot (%s); trapping it",
				d->label, bar, (unsigned long long)addr,
				strerror(-r));
	}
	r = bus_register(bus, addr, b->size, bar_access, b, d->label);
	if (r) {
		log_ratelimited(LOG_WARN, "%s: BAR %u at 0x%llx overlaps another range: %s",
				d->label, bar, (unsigned long long)addr,
				strerror(-r));
		return;
	}
	b->trap_on = true;
	b->trap_base = addr;
}

/* --- configuration space ---------------------------------------------- */

static bool touches(uint32_t off, uint32_t len, uint32_t start, uint32_t n)
{
	return off < start + n && start < off + len;
}

static void cfg_read(void *opaque, uint32_t off, uint8_t *data, uint32_t len)
{
	struct vfio_pci *d = opaque;

	if (off >= PCI_CFG_SIZE) { /* no extended capability shown */
		memset(data, 0, len);
		return;
	}
	dev_cfg_read(d, off, data, len);
	for (uint32_t i = 0; i < len; i++)
		if (d->emu[off + i])
			data[i] = d->cfg.data[off + i];
}

static void cfg_write(void *opaque, uint32_t off, const uint8_t *data,
		      uint32_t len)
{
	struct vfio_pci *d = opaque;
	uint32_t i = 0;

	if (off >= PCI_CFG_SIZE)
		return;
	/*
	 * Ours first (this may move BARs), then the device's bytes. The
	 * host's lock serialises config accesses; d->lock is not held here,
	 * as moving a BAR waits for the BAR's handlers, which take it.
	 */
	pci_cfg_write(&d->cfg, off, data, len);
	while (i < len) {
		uint32_t run = 0;

		if (d->emu[off + i]) {
			i++;
			continue;
		}
		while (i + run < len && !d->emu[off + i + run])
			run++;
		dev_cfg_write(d, off + i, data + i, run);
		i += run;
	}
	/* The command register is ours and the device's: it must decode and master. */
	if (touches(off, len, PCI_CFG_COMMAND, 2)) {
		uint8_t cmd[2];

		dev_cfg_read(d, PCI_CFG_COMMAND, cmd, 2);
		cmd[0] = (uint8_t)((cmd[0] & ~0x7) | (d->cfg.data[PCI_CFG_COMMAND] & 0x7));
		cmd[1] = (uint8_t)((cmd[1] & ~0x4) | (d->cfg.data[PCI_CFG_COMMAND + 1] & 0x4));
		dev_cfg_write(d, PCI_CFG_COMMAND, cmd, 2);
	}
	if ((d->msi_cap && touches(off, len, d->msi_cap + 2, 22)) ||
	    (d->msix_cap && touches(off, len, d->msix_cap + 2, 2))) {
		pthread_mutex_lock(&d->lock);
		pthread_mutex_lock(&d->c->routes_lock);
		if (d->msi_cap && touches(off, len, d->msi_cap + 2, 22))
			msi_update(d);
		if (d->msix_cap && touches(off, len, d->msix_cap + 2, 2) &&
		    msix_set_flags(&d->msix, pci_cfg_get16(&d->cfg, d->msix_cap + 2)))
			msix_update(d);
		pthread_mutex_unlock(&d->c->routes_lock);
		pthread_mutex_unlock(&d->lock);
	}
}

static const struct pci_dev_ops vfio_cfg_ops = { cfg_read, cfg_write };

static void emulate(struct vfio_pci *d, uint32_t off, uint32_t n)
{
	memset(&d->emu[off], 1, n);
}

/* The MSI capability: ours, with its writable bits. */
static void setup_msi(struct vfio_pci *d, uint8_t cap, unsigned int count)
{
	uint16_t flags = pci_cfg_get16(&d->cfg, cap + 2);
	unsigned int len = 10 + (flags & MSI_FLAGS_64BIT ? 4 : 0) +
			   (flags & MSI_FLAGS_MASKBIT ? 10 : 0);
	uint8_t *m = d->cfg.wmask;
	uint32_t a = cap + 4;

	d->msi_cap = cap;
	d->msi_max = count < VFIO_PCI_MAX_VECTORS ? count : VFIO_PCI_MAX_VECTORS;
	emulate(d, cap + 2, len - 2);
	/* Clear enable and MME, as after reset. */
	pci_cfg_set16(&d->cfg, cap + 2, flags & ~(MSI_FLAGS_ENABLE | 0x70u));
	m[cap + 2] = MSI_FLAGS_ENABLE | 0x70;
	pci_cfg_set32(&d->cfg, a, 0);
	m[a] = 0xfc, m[a + 1] = m[a + 2] = m[a + 3] = 0xff;
	a += 4;
	if (flags & MSI_FLAGS_64BIT) {
		memset(&m[a], 0xff, 4);
		a += 4;
	}
	m[a] = m[a + 1] = 0xff; /* data */
	a += 4;
	if (flags & MSI_FLAGS_MASKBIT)
		memset(&m[a], 0xff, 4); /* mask bits; pending stays read-only */
}

/* The MSI-X capability: control ours, table and PBA location the device's. */
static int setup_msix(struct vfio_pci *d, uint8_t cap)
{
	int r = msix_cap_parse(&d->cfg, cap, &d->mcap);

	r = r ?: msix_init(&d->msix, d->mcap.n);
	if (r)
		return r;
	d->msix_cap = cap;
	emulate(d, cap + 2, 2);
	return 0;
}

static int irq_count(struct vfio_pci *d, uint32_t index)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };

	if (ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0)
		return 0;
	return (int)info.count;
}

/* Walks the device's capability list for MSI and MSI-X. */
static int setup_caps(struct vfio_pci *d)
{
	uint8_t pos = d->cfg.data[PCI_CFG_CAP_PTR] & ~3u;
	int r = 0;

	if (!(pci_cfg_get16(&d->cfg, PCI_CFG_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	/* At most 48 capabilities fit: a loop in the list ends here. */
	for (unsigned int n = 0; pos >= PCI_CFG_FIRST_FREE && n < 48 && !r; n++) {
		uint8_t id = d->cfg.data[pos];

		if (id == PCI_CAP_ID_MSI && irq_count(d, VFIO_PCI_MSI_IRQ_INDEX))
			setup_msi(d, pos, (unsigned int)irq_count(d, VFIO_PCI_MSI_IRQ_INDEX));
		else if (id == PCI_CAP_ID_MSIX && irq_count(d, VFIO_PCI_MSIX_IRQ_INDEX))
			r = setup_msix(d, pos);
		pos = d->cfg.data[pos + 1] & ~3u;
	}
	return r;
}

/*
 * One eventfd per MSI or MSI-X vector the device may use, made now: the
 * vectors are enabled from vCPU threads, whose filter creates no descriptor.
 */
static int setup_vectors(struct vfio_pci *d)
{
	unsigned int n = d->msi_max > msix_routed(d) ? d->msi_max : msix_routed(d);

	for (unsigned int i = 0; i < n; i++) {
		d->vec[i].fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (d->vec[i].fd < 0) {
			log_err_errno("%s: eventfd for vector %u", d->label, i);
			return -errno;
		}
	}
	return 0;
}

/* Region info, the BAR's type from the device, its mapping where allowed. */
static int setup_bar(struct vfio_pci *d, unsigned int i)
{
	struct vfio_region_info info = { .argsz = sizeof(info) };
	struct vfio_bar *b = &d->bar[i];
	uint32_t raw = 0;
	uint8_t flags;
	bool msix_here;

	b->d = d;
	b->index = i;
	info.index = i == PCI_ROM_BAR ? VFIO_PCI_ROM_REGION_INDEX : i;
	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0 || !info.size)
		return 0;
	if (i != PCI_ROM_BAR)
		dev_cfg_read(d, PCI_CFG_BAR0 + 4 * i, (uint8_t *)&raw, 4);
	b->io = i != PCI_ROM_BAR && (raw & PCI_BAR_IO);
	flags = b->io ? PCI_BAR_IO : i == PCI_ROM_BAR ? 0 : (uint8_t)(raw & 0xc);
	if (pci_cfg_set_bar(&d->cfg, i, info.size, flags)) {
		log_warn("%s: BAR %u of %llu bytes not supported; hidden", d->label,
			 i, (unsigned long long)info.size);
		return 0;
	}
	b->present = true;
	b->size = info.size;
	b->offset = info.offset;
	msix_here = d->msix_cap && (i == d->mcap.table_bar || i == d->mcap.pba_bar);
	/*
	 * TESSERA_VFIO_NO_MMAP (tests and benchmarks of the slow path): trap
	 * every BAR, as TESSERA_NO_IOEVENTFD does for virtio notifications.
	 */
	if (getenv("TESSERA_VFIO_NO_MMAP")) {
		if (i == 0)
			log_info("%s: TESSERA_VFIO_NO_MMAP: every BAR access exits to the monitor",
				 d->label);
	} else if (!b->io && i != PCI_ROM_BAR && !msix_here &&
	    (info.flags & VFIO_REGION_INFO_FLAG_MMAP) && b->size >= PAGE_SIZE_4K) {
		void *p = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			       d->fd, (off_t)b->offset);

		if (p != MAP_FAILED)
			b->map = p;
		else
			log_info("%s: BAR %u cannot be mapped (%s): trapped",
				 d->label, i, strerror(errno));
	}
	return (flags & PCI_BAR_MEM64) ? 1 : 0; /* the next index is its upper half */
}

/* Places the memory BARs as firmware would; the guest may move them. */
static int place_bars(struct vfio_pci *d)
{
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		struct vfio_bar *b = &d->bar[i];
		uint64_t addr;
		bool want64 = pci_cfg_get32(&d->cfg, PCI_CFG_BAR0 + 4 * i) & PCI_BAR_MEM64;

		if (!b->present || b->io)
			continue;
		if (pci_host_alloc_bar(pci_bus_host(d->vm), b->size, want64, &addr))
			return vm_user_error(d->vm, "%s: no room for BAR %u (%llu bytes) in the PCI windows",
					     d->label, i, (unsigned long long)b->size);
		pci_cfg_place_bar(&d->cfg, i, addr);
	}
	return 0;
}

static int setup_config(struct vfio_pci *d)
{
	struct vfio_region_info info = { .argsz = sizeof(info),
					 .index = VFIO_PCI_CONFIG_REGION_INDEX };
	uint8_t raw[PCI_CFG_SIZE];
	int r;

	if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0) {
		log_err_errno("%s: config region", d->label);
		return -errno;
	}
	d->cfg_off = info.offset;
	if (pread(d->fd, raw, sizeof(raw), (off_t)d->cfg_off) != sizeof(raw)) {
		log_err("%s: cannot read its configuration space", d->label);
		return -EIO;
	}
	if ((raw[PCI_CFG_HEADER_TYPE] & 0x7f) != 0)
		return vm_user_error(d->vm, "%s: not a type-0 (endpoint) function; bridges cannot be passed through",
				     d->label);
	pci_cfg_init(&d->cfg, 0, 0, 0, 0);
	memcpy(d->cfg.data, raw, sizeof(raw));
	d->cfg.bar_moved = bar_moved;
	d->cfg.opaque = d;
	/* Ours: command, BARs, ROM, interrupt line and pin; capabilities below. */
	emulate(d, PCI_CFG_COMMAND, 2);
	emulate(d, PCI_CFG_BAR0, 4 * PCI_NUM_BARS);
	emulate(d, PCI_CFG_ROM, 4);
	emulate(d, PCI_CFG_INT_LINE, 2);
	pci_cfg_set16(&d->cfg, PCI_CFG_COMMAND, 0);
	d->cfg.data[PCI_CFG_HEADER_TYPE] &= 0x7f; /* one function per slot here */
	emulate(d, PCI_CFG_HEADER_TYPE, 1);
	r = setup_caps(d);
	if (r) {
		log_err("%s: malformed MSI-X capability", d->label);
		return r;
	}
	r = setup_vectors(d);
	if (r)
		return r;
	for (unsigned int i = 0; i < PCI_NUM_REGIONS; i++)
		i += (unsigned int)setup_bar(d, i);
	return 0;
}

/* INTx through an eventfd and a resampling irqfd. */
static int setup_intx(struct vfio_pci *d)
{
	int r;

	d->intx_fd = eventfd(0, EFD_CLOEXEC);
	d->unmask_fd = eventfd(0, EFD_CLOEXEC);
	if (d->intx_fd < 0 || d->unmask_fd < 0)
		return -errno;
	r = intx_enable(d);
	if (r) {
		log_err("%s: VFIO INTx: %s", d->label, strerror(-r));
		return r;
	}
	r = irq_irqfd_assign_resample(d->vm, d->line, d->intx_fd, d->unmask_fd);
	if (r) {
		log_err("%s: KVM_IRQFD (resample) on line %u: %s", d->label,
			d->line, strerror(-r));
		return r;
	}
	d->cfg.data[PCI_CFG_INT_LINE] = (uint8_t)d->line;
	d->cfg.data[PCI_CFG_INT_PIN] = 1; /* INTA: alone in its slot */
	return 0;
}

static int vfio_pci_destroy(void *opaque)
{
	struct vfio_pci *d = opaque;

	if (d->msi_on)
		vectors_stop(d, VFIO_PCI_MSI_IRQ_INDEX, d->msi_n);
	if (d->msix_on)
		vectors_stop(d, VFIO_PCI_MSIX_IRQ_INDEX, msix_routed(d));
	if (d->intx && d->fd >= 0) {
		intx_disable(d);
		irq_irqfd_deassign(d->vm, d->line, d->intx_fd);
	}
	for (unsigned int i = 0; i < PCI_NUM_REGIONS; i++) {
		struct vfio_bar *b = &d->bar[i];

		if (b->slot_on)
			guest_mem_slot_remove(&d->vm->mem, b->slot);
		if (b->trap_on)
			bus_unregister(b->io ? &d->vm->pio : &d->vm->mmio,
				       b->trap_base);
		if (b->map)
			munmap(b->map, b->size);
	}
	/*
	 * No VFIO_DEVICE_RESET here: closing the device fd makes vfio-pci
	 * reset the function itself where it can (vfio_pci_core_disable()),
	 * so the main thread's filter needs no reset rule.
	 */
	for (unsigned int i = 0; i < VFIO_PCI_MAX_VECTORS; i++)
		if (d->vec[i].fd >= 0)
			close(d->vec[i].fd);
	if (d->intx_fd >= 0)
		close(d->intx_fd);
	if (d->unmask_fd >= 0)
		close(d->unmask_fd);
	if (d->fd >= 0)
		close(d->fd);
	msix_destroy(&d->msix);
	pthread_mutex_destroy(&d->lock);
	free(d);
	return 0;
}

static int open_device(struct vm *vm, struct vfio_pci *d, const char *spec)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	char err[512];
	bool user;
	int r;

	r = vfio_pci_resolve(d->c, spec, d->bdf, err, sizeof(err));
	if (r)
		return vm_user_error(vm, "%s", err);
	snprintf(d->label, sizeof(d->label), "vfio %s", d->bdf);
	for (unsigned int i = 0; i < DEVICES_MAX && i < vm->devices.n; i++)
		if (vm->devices.dev[i].destroy == vfio_pci_destroy &&
		    !strcmp(((struct vfio_pci *)vm->devices.dev[i].opaque)->bdf, d->bdf))
			return vm_user_error(vm, "--vfio %s: device given twice", spec);
	r = vfio_open_device(d->c, d->bdf, "vfio-pci", &d->fd, &user, err,
			     sizeof(err));
	if (r)
		return user ? vm_user_error(vm, "--vfio %s", err)
			    : (log_err("--vfio %s", err), r);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		log_err_errno("%s: VFIO_DEVICE_GET_INFO", d->label);
		return -errno;
	}
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI))
		return vm_user_error(vm, "--vfio %s: not a PCI device", spec);
	d->can_reset = info.flags & VFIO_DEVICE_FLAGS_RESET;
	if (d->can_reset && ioctl(d->fd, VFIO_DEVICE_RESET) < 0)
		log_warn_errno("%s: reset at start", d->label);
	return 0;
}

int vfio_pci_create(struct vm *vm, const char *spec)
{
	struct vfio_pci *d = calloc(1, sizeof(*d));
	struct vm_device dev = { .name = "vfio-pci", .destroy = vfio_pci_destroy };
	unsigned int slot;
	uint8_t pin[1];
	int r;

	if (!d) {
		log_err("--vfio %s: out of memory", spec);
		return -ENOMEM;
	}
	d->vm = vm;
	d->fd = d->intx_fd = d->unmask_fd = -1;
	for (unsigned int i = 0; i < VFIO_PCI_MAX_VECTORS; i++)
		d->vec[i].fd = -1;
	pthread_mutex_init(&d->lock, NULL);
	snprintf(d->label, sizeof(d->label), "vfio %s", spec);
	r = vfio_container_get(vm, &d->c);
	r = r ?: open_device(vm, d, spec);
	r = r ?: setup_config(d);
	if (r)
		goto err;
	dev.opaque = d;
	r = devices_add(&vm->devices, &dev);
	if (r) {
		r = vm_user_error(vm, "%s: too many devices (at most %d)",
				  d->label, DEVICES_MAX);
		goto err;
	}
	/* From here on the list owns d. */
	dev_cfg_read(d, PCI_CFG_INT_PIN, pin, 1);
	d->intx = pin[0] && irq_count(d, VFIO_PCI_INTX_IRQ_INDEX) > 0;
	r = pci_bus_attach(vm, &vfio_cfg_ops, d, d->intx, &slot, &d->line);
	r = r ?: place_bars(d);
	if (!r && d->intx)
		r = setup_intx(d);
	if (r)
		return r;
	log_info("%s: %04x:%04x in slot %u%s%s%s", d->label,
		 pci_cfg_get16(&d->cfg, PCI_CFG_VENDOR_ID),
		 pci_cfg_get16(&d->cfg, PCI_CFG_DEVICE_ID), slot,
		 d->intx ? ", INTx" : "", d->msi_cap ? ", MSI" : "",
		 d->msix_cap ? ", MSI-X" : "");
	return 0;
err:
	vfio_pci_destroy(d);
	return r;
}
