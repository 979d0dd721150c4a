// SPDX-License-Identifier: GPL-2.0
/* vfio-platform passthrough: see platform.h and docs/vfio-platform.md. */
#include "vfio/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "devices.h"
#include "irq.h"
#include "log.h"
#include "mem.h"
#include "resource.h"
#include "vfio/vfio.h"
#include "vm.h"

/* The largest region placed: the arm64 window is 1 MiB in all. */
#define VFIO_PLATFORM_REGION_MAX (16ULL << 20)

struct vfio_platform;

struct vfio_plat_region {
	struct vfio_platform *d;
	unsigned int index;
	uint64_t size, offset;
	gpa_t gpa;
	void *map;
	bool slot_on, trap_on;
	unsigned int slot;
};

struct vfio_plat_irq {
	int fd, unmask_fd; /* -1: none */
	bool vfio_on, irqfd_on;
};

struct vfio_platform {
	struct vm *vm;
	struct vfio_container *c;
	const struct vfio_platform_config *cfg;
	char label[96];
	int fd;
	bool can_reset;
	unsigned int nregions;
	struct vfio_plat_region region[VFIO_PLATFORM_MAX_REGIONS];
	struct vfio_plat_irq irq[VFIO_PLATFORM_MAX_IRQS];
	struct vfio_platform_node node;
};

/* --- pure parts ---------------------------------------------------------- */

int vfio_platform_region_use(unsigned int index, uint64_t size, uint32_t flags,
			     uint64_t page, bool no_mmap,
			     enum vfio_region_use *use, char *err, size_t errlen)
{
	if (!size)
		return err_printf(err, errlen, -EINVAL, "region %u is empty", index);
	if (!(flags & (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)))
		return err_printf(err, errlen, -EINVAL,
				  "region %u can be neither read nor written", index);
	if (size > VFIO_PLATFORM_REGION_MAX)
		return err_printf(err, errlen, -EINVAL,
				  "region %u: %llu bytes, more than the %llu tessera places",
				  index, (unsigned long long)size,
				  (unsigned long long)VFIO_PLATFORM_REGION_MAX);
	*use = VFIO_REGION_TRAP;
	if (!(flags & VFIO_REGION_INFO_FLAG_MMAP))
		return 0;
	if (size % page)
		return err_printf(err, errlen, -EINVAL,
				  "region %u: %llu bytes, not a whole number of %llu-byte pages: too small to map safely (the page's other registers would be exposed)",
				  index, (unsigned long long)size,
				  (unsigned long long)page);
	if (!no_mmap && (flags & VFIO_REGION_INFO_FLAG_READ) &&
	    (flags & VFIO_REGION_INFO_FLAG_WRITE))
		*use = VFIO_REGION_MAP;
	return 0;
}

int vfio_platform_irq_check(unsigned int index, uint32_t count, uint32_t flags,
			    bool *level, char *err, size_t errlen)
{
	if (count != 1)
		return err_printf(err, errlen, -EINVAL,
				  "interrupt %u: VFIO reports %u lines, expected 1",
				  index, count);
	if (!(flags & VFIO_IRQ_INFO_EVENTFD))
		return err_printf(err, errlen, -EINVAL,
				  "interrupt %u cannot signal an eventfd", index);
	*level = flags & VFIO_IRQ_INFO_AUTOMASKED;
	return 0;
}

/* The user's property name, or NULL. */
static const struct vfio_dt_prop *user_prop(const struct vfio_platform_config *c,
					    const char *name)
{
	for (unsigned int i = 0; c && i < c->nprops; i++)
		if (!strcmp(c->prop[i].name, name))
			return &c->prop[i];
	return NULL;
}

/* A fixed-clock child node: Linux's of_clk_init() finds it anywhere. */
static int clock_node(struct fdt_writer *w, const struct vfio_platform_node *n,
		      unsigned int i)
{
	int r = fdt_w_begin_node(w, "clock-%s", n->cfg->clock[i].name);

	r = r ?: fdt_w_prop_string(w, "compatible", "fixed-clock");
	r = r ?: fdt_w_prop_u32(w, "#clock-cells", 0);
	r = r ?: fdt_w_prop_u32(w, "clock-frequency", n->cfg->clock[i].hz);
	r = r ?: fdt_w_prop_string(w, "clock-output-names", n->cfg->clock[i].name);
	r = r ?: fdt_w_prop_u32(w, "phandle", n->phandle + i);
	return r ?: fdt_w_end_node(w);
}

static int irqs_prop(struct fdt_writer *w, const struct vfio_platform_node *n)
{
	uint32_t cells[VFIO_PLATFORM_MAX_IRQS * FDT_MAX_IRQ_CELLS], parent = 0;
	unsigned int k = 0, nc = 0;
	int r = 0;

	for (unsigned int i = 0; i < n->nirqs && !r; i++) {
		const struct fdt_device one = {
			.bus = FDT_BUS_MMIO, .has_irq = true, .irq = n->irq[i].line,
			.irq_type = n->irq[i].level ? FDT_IRQ_LEVEL_HIGH
						    : FDT_IRQ_EDGE_RISING,
		};

		r = fdt_w_irq_spec(w, &one, &parent, cells + k, &nc);
		k += nc;
	}
	r = r ?: fdt_w_prop_u32(w, "interrupt-parent", parent);
	return r ?: fdt_w_prop_cells(w, "interrupts", cells, k);
}

int vfio_platform_fdt_node(struct fdt_writer *w, const struct fdt_device *dev)
{
	const struct vfio_platform_node *n = dev->opaque;
	const struct vfio_dt_prop *compat = user_prop(n->cfg, "compatible");
	uint32_t reg[VFIO_PLATFORM_MAX_REGIONS * 4], ph[CONFIG_VFIO_CLOCKS];
	char names[CONFIG_VFIO_CLOCKS * (CONFIG_VFIO_DT_NAME_MAX + 1)];
	unsigned int nclocks = n->cfg ? n->cfg->nclocks : 0;
	size_t len = 0;
	int r;

	for (unsigned int i = 0; i < n->nregs; i++) {
		reg[4 * i] = (uint32_t)(n->reg[i].base >> 32);
		reg[4 * i + 1] = (uint32_t)n->reg[i].base;
		reg[4 * i + 2] = (uint32_t)(n->reg[i].size >> 32);
		reg[4 * i + 3] = (uint32_t)n->reg[i].size;
	}
	r = fdt_w_begin_node(w, "%s@%llx", n->name,
			     (unsigned long long)(n->nregs ? n->reg[0].base : 0));
	if (compat)
		r = r ?: fdt_w_prop_bytes(w, "compatible", compat->val, compat->len);
	else
		r = r ?: fdt_w_prop_bytes(w, "compatible", n->compatible,
					  n->compatible_len);
	r = r ?: fdt_w_prop_cells(w, "reg", reg, 4 * n->nregs);
	if (n->nirqs)
		r = r ?: irqs_prop(w, n);
	for (unsigned int i = 0; i < nclocks; i++) {
		ph[i] = n->phandle + i;
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s",
					n->cfg->clock[i].name) + 1;
	}
	if (nclocks) {
		r = r ?: fdt_w_prop_cells(w, "clocks", ph, nclocks);
		r = r ?: fdt_w_prop_bytes(w, "clock-names", names, len);
	}
	for (unsigned int i = 0; n->cfg && i < n->cfg->nprops; i++)
		if (strcmp(n->cfg->prop[i].name, "compatible"))
			r = r ?: fdt_w_prop_bytes(w, n->cfg->prop[i].name,
						  n->cfg->prop[i].val,
						  n->cfg->prop[i].len);
	for (unsigned int i = 0; i < nclocks; i++)
		r = r ?: clock_node(w, n, i);
	return r ?: fdt_w_end_node(w);
}

/* --- the device ---------------------------------------------------------- */

static void region_access(void *opaque, uint64_t off, uint8_t *data,
			  uint32_t len, bool is_write)
{
	struct vfio_plat_region *g = opaque;
	ssize_t n;

	if (off + len > g->size) { /* the page-rounded tail of the range */
		if (!is_write)
			memset(data, 0, len);
		return;
	}
	n = is_write ? pwrite(g->d->fd, data, len, (off_t)(g->offset + off))
		     : pread(g->d->fd, data, len, (off_t)(g->offset + off));
	if (n != (ssize_t)len) {
		if (!is_write)
			memset(data, 0, len);
		log_ratelimited(LOG_WARN, "%s: region %u %s at 0x%llx failed",
				     g->d->label, g->index,
				     is_write ? "write" : "read",
				     (unsigned long long)off);
	}
}

static int set_irq(struct vfio_platform *d, unsigned int index, uint32_t action,
		   int fd)
{
	struct {
		struct vfio_irq_set s;
		int32_t fd;
	} set = { .s = { .argsz = sizeof(set), .index = index, .start = 0,
			 .count = fd >= 0 ? 1 : 0,
			 .flags = action | (fd >= 0 ? VFIO_IRQ_SET_DATA_EVENTFD
						    : VFIO_IRQ_SET_DATA_NONE) },
		  .fd = fd };

	if (fd < 0)
		set.s.argsz = sizeof(set.s);
	return ioctl(d->fd, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

static int vfio_platform_destroy(void *opaque)
{
	struct vfio_platform *d = opaque;

	for (unsigned int i = 0; i < d->node.nirqs; i++) {
		struct vfio_plat_irq *q = &d->irq[i];

		if (q->vfio_on && set_irq(d, i, VFIO_IRQ_SET_ACTION_TRIGGER, -1))
			log_warn("%s: interrupt %u: cannot disable it", d->label, i);
		if (q->irqfd_on)
			irq_irqfd_deassign(d->vm, d->node.irq[i].line, q->fd);
		if (q->fd >= 0)
			close(q->fd);
		if (q->unmask_fd >= 0)
			close(q->unmask_fd);
	}
	for (unsigned int i = 0; i < d->nregions; i++) {
		struct vfio_plat_region *g = &d->region[i];

		if (g->slot_on)
			guest_mem_slot_remove(&d->vm->mem, g->slot);
		if (g->trap_on)
			bus_unregister(&d->vm->mmio, g->gpa);
		if (g->map)
			munmap(g->map, g->size);
	}
	/* Closing the fd resets the device where vfio-platform can (no ioctl at exit). */
	if (d->fd >= 0)
		close(d->fd);
	free(d);
	return 0;
}

/* Reads <sysfs>/bus/<bus>/devices/<name>/of_node/<file>. Bytes or -errno. */
static ssize_t of_node_read(const struct vfio_container *c, const char *bus,
			    const char *name, const char *file, void *buf,
			    size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/bus/%s/devices/%s/of_node/%s", c->sysfs,
		 bus, name, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	return n < 0 ? -errno : n;
}

/* The bus the device is on, "platform" or "amba"; NULL: no such device. */
static const char *find_bus(const struct vfio_container *c, const char *name)
{
	static const char *const buses[] = { "platform", "amba" };
	char path[PATH_MAX];
	struct stat st;

	for (unsigned int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/bus/%s/devices/%s", c->sysfs,
			 buses[i], name);
		if (stat(path, &st) == 0)
			return buses[i];
	}
	return NULL;
}

/* Node name and compatible from the host's of_node (or the user's). */
static int describe(struct vfio_platform *d, const char *bus)
{
	const char *name = d->cfg->name;
	char nm[32] = "";
	ssize_t n;

	n = of_node_read(d->c, bus, name, "name", nm, sizeof(nm) - 1);
	if (n > 0) {
		nm[n] = '\0';
		nm[strcspn(nm, "\n")] = '\0';
	}
	if (!nm[0] || strspn(nm, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,._+-") != strlen(nm))
		snprintf(nm, sizeof(nm), "device");
	memcpy(d->node.name, nm, sizeof(d->node.name));
	n = of_node_read(d->c, bus, name, "compatible", d->node.compatible,
			 sizeof(d->node.compatible));
	if (n > 0 && d->node.compatible[n - 1] == '\0' &&
	    n < (ssize_t)sizeof(d->node.compatible)) {
		d->node.compatible_len = (unsigned int)n;
		return 0;
	}
	if (user_prop(d->cfg, "compatible"))
		return 0;
	return vm_user_error(d->vm,
			     "--vfio platform:%s: its host node has no compatible to copy; give one (compatible=\"vendor,device\")",
			     name);
}

static int open_device(struct vfio_platform *d)
{
	static const char *const drivers[] = { "vfio-platform", "vfio-amba", NULL };
	struct vfio_device_info info = { .argsz = sizeof(info) };
	const char *name = d->cfg->name, *bus;
	struct vm *vm = d->vm;
	char err[512];
	bool user;
	int r;

	bus = find_bus(d->c, name);
	if (!bus)
		return vm_user_error(vm, "--vfio platform:%s: no platform or AMBA device %s on this host",
				     name, name);
	for (unsigned int i = 0; i < vm->devices.n; i++)
		if (vm->devices.dev[i].destroy == vfio_platform_destroy &&
		    !strcmp(((struct vfio_platform *)vm->devices.dev[i].opaque)->cfg->name, name))
			return vm_user_error(vm, "--vfio platform:%s: device given twice", name);
	r = vfio_open(d->c, bus, name, drivers, &d->fd, &user, err, sizeof(err));
	if (r)
		return user ? vm_user_error(vm, "--vfio platform:%s", err)
			    : (log_err("--vfio platform:%s", err), r);
	if (ioctl(d->fd, VFIO_DEVICE_GET_INFO, &info) < 0) {
		log_err_errno("%s: VFIO_DEVICE_GET_INFO", d->label);
		return -errno;
	}
	if (!(info.flags & (VFIO_DEVICE_FLAGS_PLATFORM | VFIO_DEVICE_FLAGS_AMBA)))
		return vm_user_error(vm, "--vfio platform:%s: VFIO says it is no platform or AMBA device", name);
	if (!info.num_regions || info.num_regions > VFIO_PLATFORM_MAX_REGIONS)
		return vm_user_error(vm, "--vfio platform:%s: %u regions, tessera takes 1 to %d",
				     name, info.num_regions, VFIO_PLATFORM_MAX_REGIONS);
	if (info.num_irqs > VFIO_PLATFORM_MAX_IRQS)
		return vm_user_error(vm, "--vfio platform:%s: %u interrupts, tessera takes at most %d",
				     name, info.num_irqs, VFIO_PLATFORM_MAX_IRQS);
	d->nregions = info.num_regions;
	d->node.nregs = info.num_regions;
	d->node.nirqs = info.num_irqs;
	d->can_reset = info.flags & VFIO_DEVICE_FLAGS_RESET;
	if (d->can_reset && ioctl(d->fd, VFIO_DEVICE_RESET) < 0)
		log_warn_errno("%s: reset at start", d->label);
	return describe(d, bus);
}

/* Every region and interrupt checked before anything is placed. */
static int check(struct vfio_platform *d, enum vfio_region_use *use)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	bool no_mmap = getenv("TESSERA_VFIO_NO_MMAP");
	char err[256];

	for (unsigned int i = 0; i < d->nregions; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };
		struct vfio_plat_region *g = &d->region[i];

		if (ioctl(d->fd, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0) {
			log_err_errno("%s: region %u", d->label, i);
			return -errno;
		}
		if (vfio_platform_region_use(i, ri.size, ri.flags, page, no_mmap,
					     &use[i], err, sizeof(err)))
			return vm_user_error(d->vm, "%s: %s", d->label, err);
		g->d = d;
		g->index = i;
		g->size = ri.size;
		g->offset = ri.offset;
	}
	for (unsigned int i = 0; i < d->node.nirqs; i++) {
		struct vfio_irq_info qi = { .argsz = sizeof(qi), .index = i };

		if (ioctl(d->fd, VFIO_DEVICE_GET_IRQ_INFO, &qi) < 0) {
			log_err_errno("%s: interrupt %u", d->label, i);
			return -errno;
		}
		if (vfio_platform_irq_check(i, qi.count, qi.flags,
					    &d->node.irq[i].level, err, sizeof(err)))
			return vm_user_error(d->vm, "%s: %s", d->label, err);
	}
	return 0;
}

/* Addresses and lines from the allocators. */
static int place(struct vfio_platform *d)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	for (unsigned int i = 0; i < d->nregions; i++) {
		struct vfio_plat_region *g = &d->region[i];
		uint64_t size = (g->size + page - 1) & ~(page - 1);

		if (resource_alloc_mmio(&d->vm->res, size, page, &g->gpa))
			return vm_user_error(d->vm, "%s: no room for region %u (%llu bytes) in the MMIO window",
					     d->label, i, (unsigned long long)size);
		d->node.reg[i].base = g->gpa;
		d->node.reg[i].size = g->size;
	}
	for (unsigned int i = 0; i < d->node.nirqs; i++) {
		bool shared;

		if (resource_alloc_line(&d->vm->res, false, &d->node.irq[i].line,
					&shared))
			return vm_user_error(d->vm, "%s: no free interrupt line for interrupt %u",
					     d->label, i);
	}
	return 0;
}

static int map_region(struct vfio_platform *d, struct vfio_plat_region *g,
		      enum vfio_region_use use)
{
	int r;

	if (use == VFIO_REGION_MAP) {
		void *p = mmap(NULL, g->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			       d->fd, (off_t)g->offset);

		if (p != MAP_FAILED) {
			g->map = p;
			r = guest_mem_slot_add(&d->vm->mem, g->gpa, g->size, p, 0,
					       &g->slot);
			if (r) {
				log_err("%s: region %u: memory slot: %s", d->label,
					g->index, strerror(-r));
				return r;
			}
			g->slot_on = true;
			return 0;
		}
		log_info("%s: region %u cannot be mapped (%s): trapped", d->label,
			 g->index, strerror(errno));
	}
	r = bus_register(&d->vm->mmio, g->gpa, g->size, region_access, g,
			 d->label);
	if (r) {
		log_err("%s: region %u on the MMIO bus: %s", d->label, g->index,
			strerror(-r));
		return r;
	}
	g->trap_on = true;
	return 0;
}

static int wire_irq(struct vfio_platform *d, unsigned int i)
{
	struct vfio_plat_irq *q = &d->irq[i];
	uint32_t line = d->node.irq[i].line;
	bool level = d->node.irq[i].level;
	int r;

	q->fd = eventfd(0, EFD_CLOEXEC);
	if (level)
		q->unmask_fd = eventfd(0, EFD_CLOEXEC);
	if (q->fd < 0 || (level && q->unmask_fd < 0))
		return -errno;
	r = set_irq(d, i, VFIO_IRQ_SET_ACTION_TRIGGER, q->fd);
	if (r) {
		log_err("%s: interrupt %u: VFIO trigger eventfd: %s", d->label, i,
			strerror(-r));
		return r;
	}
	q->vfio_on = true;
	if (level) {
		r = set_irq(d, i, VFIO_IRQ_SET_ACTION_UNMASK, q->unmask_fd);
		if (r) {
			log_err("%s: interrupt %u: VFIO unmask eventfd: %s",
				d->label, i, strerror(-r));
			return r;
		}
		r = irq_irqfd_assign_resample(d->vm, line, q->fd, q->unmask_fd);
	} else {
		r = irq_irqfd_assign(d->vm, line, q->fd);
	}
	if (r) {
		log_err("%s: interrupt %u: KVM_IRQFD%s on line %u: %s", d->label,
			i, level ? " (resample)" : "", line, strerror(-r));
		return r;
	}
	q->irqfd_on = true;
	return 0;
}

int vfio_platform_create(struct vm *vm, const struct vfio_platform_config *cfg)
{
	struct vfio_platform *d = calloc(1, sizeof(*d));
	struct vm_device dev = { .name = "vfio-platform",
				 .destroy = vfio_platform_destroy,
				 .has_node = true };
	enum vfio_region_use use[VFIO_PLATFORM_MAX_REGIONS];
	unsigned int nth = 0;
	int r;

	if (!d) {
		log_err("--vfio platform:%s: out of memory", cfg->name);
		return -ENOMEM;
	}
	d->vm = vm;
	d->cfg = cfg;
	d->fd = -1;
	for (unsigned int i = 0; i < VFIO_PLATFORM_MAX_IRQS; i++)
		d->irq[i].fd = d->irq[i].unmask_fd = -1;
	snprintf(d->label, sizeof(d->label), "vfio platform:%s", cfg->name);
	d->node.cfg = cfg;
	for (unsigned int i = 0; i < vm->devices.n; i++)
		nth += vm->devices.dev[i].destroy == vfio_platform_destroy;
	d->node.phandle = VFIO_PLATFORM_PHANDLE_BASE + 16 * nth;
	r = vfio_container_get(vm, &d->c);
	r = r ?: open_device(d);
	r = r ?: check(d, use);
	r = r ?: place(d);
	for (unsigned int i = 0; i < d->nregions && !r; i++)
		r = map_region(d, &d->region[i], use[i]);
	for (unsigned int i = 0; i < d->node.nirqs && !r; i++)
		r = wire_irq(d, i);
	if (r)
		goto err;
	dev.opaque = d;
	dev.node = (struct fdt_device){
		.node = vfio_platform_fdt_node, .bus = FDT_BUS_MMIO,
		.base = d->region[0].gpa, .size = d->node.reg[0].size,
		.opaque = &d->node,
	};
	r = devices_add(&vm->devices, &dev);
	if (r) {
		r = vm_user_error(vm, "%s: too many devices (at most %d)",
				  d->label, DEVICES_MAX);
		goto err;
	}
	for (unsigned int i = 0; i < d->nregions; i++)
		log_info("%s: region %u (%llu bytes) at 0x%llx, %s", d->label, i,
			 (unsigned long long)d->region[i].size,
			 (unsigned long long)d->region[i].gpa,
			 d->region[i].slot_on ? "mapped" : "trapped");
	for (unsigned int i = 0; i < d->node.nirqs; i++)
		log_info("%s: interrupt %u on line %u, %s", d->label, i,
			 d->node.irq[i].line,
			 d->node.irq[i].level ? "level (resample irqfd, VFIO unmask)"
					      : "edge (irqfd)");
	return 0;
err:
	vfio_platform_destroy(d);
	return r;
}
