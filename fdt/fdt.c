// SPDX-License-Identifier: GPL-2.0
/*
 * The partition's device tree, written with libfdt's sequential-write API
 * (fdt_create, fdt_begin_node, fdt_property, fdt_end_node, fdt_finish).
 *
 * Bindings: the Devicetree Specification v0.4 for the root, /cpus,
 * /memory and /chosen (stdout-path is a full path: there is no /aliases);
 * ePAPR 1.1 for /hypervisor; the IEEE 1275 ISA binding for I/O-port
 * devices (Linux's of/address.c "isa" bus); and bindings/virtio/mmio.yaml
 * for virtio-mmio transports. The CPU numbering, the interrupt
 * controllers and the interrupt specifiers are the arch's (struct
 * fdt_arch, vmm/arch/<arch>/fdt.c).
 */
#include "fdt.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define NAME_MAX_CHARS 31 /* DT spec 2.2.1 and 2.2.4.1 */
#define UNIT_MAX_CHARS 31 /* our own bound on the part after '@' */
#define PATH_MAX_CHARS 256
#define CELLS_MAX 320 /* a PCI interrupt-map: 31 devices x 9 cells */

#define ISA_SPACE_IO 0x1 /* ISA binding: bit 0 of phys.hi selects I/O space */
#define ISA_IO_END 0x10000

struct fdt_writer {
	void *fdt;
	const struct fdt_machine *m; /* what is being built */
	int err; /* first error, sticky */
	unsigned int depth; /* open nodes, the root included */
	size_t pathlen;
	char path[PATH_MAX_CHARS]; /* of the open node; "" for the root */
	/* While an emitter runs: it may open and close nodes only below this. */
	unsigned int dev_depth;
	unsigned int dev_nodes; /* nodes it opened at dev_depth */
	char dev_path[PATH_MAX_CHARS]; /* the last of them */
};

/* Records the first error; returns the one that stays. */
static int w_set_err(struct fdt_writer *w, int r)
{
	if (!w->err)
		w->err = r;
	return w->err;
}

/* libfdt -> errno: only "no space" is the caller's; the rest are our bugs. */
static int w_libfdt(struct fdt_writer *w, int fdterr)
{
	if (fdterr >= 0)
		return 0;
	return w_set_err(w, fdterr == -FDT_ERR_NOSPACE ? -ENOSPC : -EINVAL);
}

static bool name_char(char c, const char *extra)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || (c && strchr(",._+-", c)) ||
	       (c && strchr(extra, c));
}

/* DT spec 2.2.1: node-name[@unit-address], node-name 1-31 characters. */
static bool node_name_ok(const char *name)
{
	const char *at = strchr(name, '@');
	size_t n = at ? (size_t)(at - name) : strlen(name);

	if (n == 0 || n > NAME_MAX_CHARS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i], ""))
			return false;
	if (!at)
		return true;
	n = strlen(at + 1);
	if (n == 0 || n > UNIT_MAX_CHARS)
		return false;
	for (size_t i = 1; i <= n; i++)
		if (!name_char(at[i], ""))
			return false;
	return true;
}

/* DT spec 2.2.4.1: 1-31 characters, '?' and '#' allowed too. */
static bool prop_name_ok(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > NAME_MAX_CHARS)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(name[i], "?#"))
			return false;
	return true;
}

/* Opens a node named name (already checked), keeping the path in step. */
static int w_open(struct fdt_writer *w, const char *name)
{
	size_t n = strlen(name);

	if (w->depth > 0 && w->pathlen + 1 + n >= sizeof(w->path))
		return w_set_err(w, -EINVAL);
	if (w_libfdt(w, fdt_begin_node(w->fdt, name)))
		return w->err;
	if (w->depth > 0) {
		w->path[w->pathlen++] = '/';
		memcpy(w->path + w->pathlen, name, n + 1);
		w->pathlen += n;
	}
	if (w->depth == w->dev_depth) {
		w->dev_nodes++;
		memcpy(w->dev_path, w->path, w->pathlen + 1);
	}
	w->depth++;
	return 0;
}

int fdt_w_begin_node(struct fdt_writer *w, const char *fmt, ...)
{
	char name[NAME_MAX_CHARS + 1 + UNIT_MAX_CHARS + 1];
	va_list ap;
	int n;

	if (w->err)
		return w->err;
	va_start(ap, fmt);
	n = vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(name) || w->depth == 0 ||
	    !node_name_ok(name))
		return w_set_err(w, -EINVAL);
	return w_open(w, name);
}

int fdt_w_end_node(struct fdt_writer *w)
{
	char *slash;

	if (w->err)
		return w->err;
	/* An emitter closes only what it opened; the builder closes the rest. */
	if (w->depth == 0 ||
	    (w->dev_depth != UINT_MAX && w->depth <= w->dev_depth))
		return w_set_err(w, -EINVAL);
	if (w_libfdt(w, fdt_end_node(w->fdt)))
		return w->err;
	w->depth--;
	slash = strrchr(w->path, '/');
	w->pathlen = slash ? (size_t)(slash - w->path) : 0;
	w->path[w->pathlen] = '\0';
	return 0;
}

static int w_prop(struct fdt_writer *w, const char *name, const void *val,
		  size_t len)
{
	if (w->err)
		return w->err;
	if (w->depth == 0 || !prop_name_ok(name))
		return w_set_err(w, -EINVAL);
	if (len > FDT_MAX_SIZE) /* cannot fit, and must not reach libfdt's int */
		return w_set_err(w, -ENOSPC);
	return w_libfdt(w, fdt_property(w->fdt, name, val, (int)len));
}

int fdt_w_prop_empty(struct fdt_writer *w, const char *name)
{
	return w_prop(w, name, NULL, 0);
}

int fdt_w_prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	return fdt_w_prop_cells(w, name, &v, 1);
}

int fdt_w_prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	const uint32_t c[2] = { (uint32_t)(v >> 32), (uint32_t)v };

	return fdt_w_prop_cells(w, name, c, 2);
}

int fdt_w_prop_cells(struct fdt_writer *w, const char *name,
		     const uint32_t *cells, unsigned int n)
{
	fdt32_t be[CELLS_MAX];

	if (w->err)
		return w->err;
	if (n > CELLS_MAX || (n && !cells))
		return w_set_err(w, -EINVAL);
	for (unsigned int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	return w_prop(w, name, be, n * sizeof(be[0]));
}

int fdt_w_prop_string(struct fdt_writer *w, const char *name, const char *s)
{
	if (w->err)
		return w->err;
	if (!s)
		return w_set_err(w, -EINVAL);
	return w_prop(w, name, s, strlen(s) + 1);
}

int fdt_w_prop_bytes(struct fdt_writer *w, const char *name, const void *val,
		     size_t len)
{
	if (w->err)
		return w->err;
	if (len && !val)
		return w_set_err(w, -EINVAL);
	return w_prop(w, name, val, len);
}

int fdt_w_prop_reg(struct fdt_writer *w, uint64_t base, uint64_t size)
{
	const uint32_t c[4] = { (uint32_t)(base >> 32), (uint32_t)base,
				(uint32_t)(size >> 32), (uint32_t)size };

	return fdt_w_prop_cells(w, "reg", c, 4);
}

/* interrupt-parent and interrupts, in the arch's specifier format. */
static int w_prop_interrupts(struct fdt_writer *w, const struct fdt_device *dev)
{
	const struct fdt_arch *a = w->m ? w->m->arch : NULL;
	uint32_t cells[FDT_MAX_IRQ_CELLS];
	int r;

	if (!a) /* check_devices() lets no such device through */
		return w_set_err(w, -EINVAL);
	r = a->irq_spec(dev, cells);
	if (r)
		return w_set_err(w, r);
	r = fdt_w_prop_u32(w, "interrupt-parent", a->irq_parent);
	return r ?: fdt_w_prop_cells(w, "interrupts", cells, a->irq_cells);
}

int fdt_w_irq_spec(struct fdt_writer *w, const struct fdt_device *dev,
		   uint32_t *parent, uint32_t *cells, unsigned int *ncells)
{
	const struct fdt_arch *a = w->m ? w->m->arch : NULL;
	int r;

	if (w->err)
		return w->err;
	if (!a || !dev)
		return w_set_err(w, -EINVAL);
	r = a->irq_spec(dev, cells);
	if (r)
		return w_set_err(w, r);
	*parent = a->irq_parent;
	*ncells = a->irq_cells;
	return 0;
}

int fdt_w_begin_device(struct fdt_writer *w, const char *name,
		       const char *compatible, const struct fdt_device *dev)
{
	int r;

	if (w->err)
		return w->err;
	if (!name || !compatible || !dev)
		return w_set_err(w, -EINVAL);
	if (dev->bus == FDT_BUS_ISA_IO) {
		const uint32_t reg[3] = { ISA_SPACE_IO, (uint32_t)dev->base,
					  (uint32_t)dev->size };

		r = fdt_w_begin_node(w, "%s@i%llx", name,
				     (unsigned long long)dev->base);
		r = r ?: fdt_w_prop_string(w, "compatible", compatible);
		r = r ?: fdt_w_prop_cells(w, "reg", reg, 3);
	} else {
		r = fdt_w_begin_node(w, "%s@%llx", name,
				     (unsigned long long)dev->base);
		r = r ?: fdt_w_prop_string(w, "compatible", compatible);
		r = r ?: fdt_w_prop_reg(w, dev->base, dev->size);
	}
	if (!r && dev->disabled)
		r = fdt_w_prop_string(w, "status", "disabled");
	if (r || !dev->has_irq)
		return r;
	return w_prop_interrupts(w, dev);
}

int fdt_virtio_mmio_node(struct fdt_writer *w, const struct fdt_device *dev)
{
	int r = fdt_w_begin_device(w, "virtio", "virtio,mmio", dev);

	r = r ?: fdt_w_prop_empty(w, "dma-coherent"); /* host threads access guest RAM coherently */
	return r ?: fdt_w_end_node(w);
}

static int check_devices(const struct fdt_machine *m, char *err,
			 size_t errlen)
{
	uint32_t cells[FDT_MAX_IRQ_CELLS];

	if (m->ndevs > FDT_MAX_DEVICES)
		return err_printf(err, errlen, -EINVAL,
			    "too many devices for the device tree: %u, at most %u",
			    m->ndevs, FDT_MAX_DEVICES);
	if (m->ndevs && !m->devs)
		return err_printf(err, errlen, -EINVAL, "device list missing");
	for (unsigned int i = 0; i < m->ndevs; i++) {
		const struct fdt_device *d = &m->devs[i];

		if (!d->node)
			return err_printf(err, errlen, -EINVAL,
				    "device %u has no device tree emitter", i);
		if (d->bus != FDT_BUS_MMIO && d->bus != FDT_BUS_ISA_IO)
			return err_printf(err, errlen, -EINVAL,
				    "device %u: unknown bus %d", i, (int)d->bus);
		if (d->size == 0 || d->base + d->size < d->base ||
		    (d->bus == FDT_BUS_ISA_IO &&
		     (d->base >= ISA_IO_END || d->size > ISA_IO_END - d->base)))
			return err_printf(err, errlen, -EINVAL,
				    "device %u: bad range 0x%llx+0x%llx", i,
				    (unsigned long long)d->base,
				    (unsigned long long)d->size);
		if (d->has_irq && (unsigned int)d->irq_type > FDT_IRQ_EDGE_RISING)
			return err_printf(err, errlen, -EINVAL,
				    "device %u: unknown interrupt type %d", i,
				    (int)d->irq_type);
		if (d->has_irq && !m->arch)
			return err_printf(err, errlen, -EINVAL,
				    "device %u has an interrupt but the machine has no interrupt controller",
				    i);
		if (d->has_irq && m->arch->irq_spec(d, cells))
			return err_printf(err, errlen, -EINVAL,
				    "device %u: the interrupt controller has no input %u of type %d",
				    i, d->irq, (int)d->irq_type);
	}
	return 0;
}

/* /cpus #address-cells: the arch's, else one. */
static unsigned int cpu_reg_cells(const struct fdt_machine *m)
{
	return m->arch ? m->arch->cpu_reg_cells : 1;
}

static int check_cpus(const struct fdt_machine *m, char *err, size_t errlen)
{
	if (m->ncpus == 0 || m->ncpus > FDT_MAX_CPUS)
		return err_printf(err, errlen, -EINVAL,
			    "%u CPUs: the device tree takes 1 to %u", m->ncpus,
			    FDT_MAX_CPUS);
	for (unsigned int i = 0; i < m->ncpus; i++) {
		if (m->cpu[i].host_cpu < -1)
			return err_printf(err, errlen, -EINVAL,
				    "cpu %u: bad host CPU %d", i,
				    m->cpu[i].host_cpu);
		if (m->cpu[i].reg > UINT32_MAX && cpu_reg_cells(m) == 1)
			return err_printf(err, errlen, -EINVAL,
				    "cpu %u: reg 0x%llx does not fit one cell", i,
				    (unsigned long long)m->cpu[i].reg);
		for (unsigned int j = 0; j < i; j++)
			if (m->cpu[j].reg == m->cpu[i].reg)
				return err_printf(err, errlen, -EINVAL,
					    "cpus %u and %u share reg 0x%llx",
					    j, i, (unsigned long long)m->cpu[i].reg);
	}
	return 0;
}

static int check_memory(const struct fdt_machine *m, char *err, size_t errlen)
{
	if (m->nmem == 0 || m->nmem > FDT_MAX_MEM_REGIONS)
		return err_printf(err, errlen, -EINVAL,
			    "%u memory regions: the device tree takes 1 to %u",
			    m->nmem, FDT_MAX_MEM_REGIONS);
	for (unsigned int i = 0; i < m->nmem; i++) {
		const struct fdt_mem_region *r = &m->mem[i];

		if (r->size == 0 || r->base + r->size < r->base ||
		    (i > 0 && r->base < m->mem[i - 1].base + m->mem[i - 1].size))
			return err_printf(err, errlen, -EINVAL,
				    "memory region %u (0x%llx+0x%llx) is empty, wraps, or is out of order",
				    i, (unsigned long long)r->base,
				    (unsigned long long)r->size);
	}
	return 0;
}

/* Everything fdt_build() rejects with -EINVAL before writing a byte. */
static int check_machine(const struct fdt_machine *m, char *err, size_t errlen)
{
	int r;

	if (!m->name || !m->name[0])
		return err_printf(err, errlen, -EINVAL, "the partition has no name");
	if (m->arch && (!m->arch->nodes || !m->arch->irq_spec ||
			m->arch->cpu_reg_cells < 1 || m->arch->cpu_reg_cells > 2 ||
			m->arch->irq_cells < 1 ||
			m->arch->irq_cells > FDT_MAX_IRQ_CELLS))
		return err_printf(err, errlen, -EINVAL,
			    "the arch's part of the device tree is incomplete");
	if ((m->initrd_start || m->initrd_end) &&
	    m->initrd_end <= m->initrd_start)
		return err_printf(err, errlen, -EINVAL,
			    "initrd end 0x%llx is not above its start 0x%llx",
			    (unsigned long long)m->initrd_end,
			    (unsigned long long)m->initrd_start);
	r = check_memory(m, err, errlen);
	r = r ?: check_cpus(m, err, errlen);
	r = r ?: check_devices(m, err, errlen);
	if (!r && m->arch && m->arch->check)
		r = m->arch->check(m, err, errlen);
	return r;
}

static int write_cpus(struct fdt_writer *w, const struct fdt_machine *m)
{
	unsigned int cells = cpu_reg_cells(m);
	int r = fdt_w_begin_node(w, "cpus");

	r = r ?: fdt_w_prop_u32(w, "#address-cells", cells);
	r = r ?: fdt_w_prop_u32(w, "#size-cells", 0);
	for (unsigned int i = 0; i < m->ncpus && !r; i++) {
		const struct fdt_cpu *c = &m->cpu[i];

		r = fdt_w_begin_node(w, "cpu@%llx", (unsigned long long)c->reg);
		r = r ?: fdt_w_prop_string(w, "device_type", "cpu");
		if (!r && cells == 1)
			r = fdt_w_prop_u32(w, "reg", (uint32_t)c->reg);
		else if (!r)
			r = fdt_w_prop_u64(w, "reg", c->reg);
		if (!r && m->arch && m->arch->cpu_props)
			r = m->arch->cpu_props(w, m, i);
		if (!r && c->host_cpu >= 0)
			r = fdt_w_prop_u32(w, "tessera,host-cpu",
					   (uint32_t)c->host_cpu);
		r = r ?: fdt_w_end_node(w);
	}
	return r ?: fdt_w_end_node(w);
}

/* One node per region: the DT spec's recommendation for disjoint RAM. */
static int write_memory(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = 0;

	for (unsigned int i = 0; i < m->nmem && !r; i++) {
		r = fdt_w_begin_node(w, "memory@%llx",
				     (unsigned long long)m->mem[i].base);
		r = r ?: fdt_w_prop_string(w, "device_type", "memory");
		r = r ?: fdt_w_prop_reg(w, m->mem[i].base, m->mem[i].size);
		r = r ?: fdt_w_end_node(w);
	}
	return r;
}

/*
 * The arch's nodes (interrupt controllers), with the same fence as a
 * device's emitter: it may close only what it opened.
 */
static int write_arch_nodes(struct fdt_writer *w, const struct fdt_machine *m,
			    char *err, size_t errlen)
{
	unsigned int depth = w->depth;
	int r;

	if (!m->arch)
		return 0;
	w->dev_depth = depth;
	r = m->arch->nodes(w, m);
	if (!r && w->err)
		r = w->err;
	if (!r && w->depth != depth)
		r = w_set_err(w, -EINVAL);
	w->dev_depth = UINT_MAX;
	if (r && r != -ENOSPC)
		return err_printf(err, errlen, r,
			    "the arch's device tree nodes are malformed");
	return r;
}

/*
 * Runs device i's emitter and checks that it wrote exactly one node and
 * closed it. Records the node's path for stdout-path.
 */
static int write_device(struct fdt_writer *w, const struct fdt_machine *m,
			unsigned int i, char *console, char *err,
			size_t errlen)
{
	const struct fdt_device *d = &m->devs[i];
	int r;

	w->dev_depth = w->depth;
	w->dev_nodes = 0;
	w->dev_path[0] = '\0';
	r = d->node(w, d);
	if (!r && w->err) /* an emitter that dropped an error */
		r = w->err;
	if (!r && (w->depth != w->dev_depth || w->dev_nodes != 1))
		r = w_set_err(w, -EINVAL);
	w->dev_depth = UINT_MAX;
	if (r == -ENOSPC)
		return r;
	if (r)
		return err_printf(err, errlen, r,
			    "device %u (%s): its device tree emitter failed or wrote a bad node",
			    i, w->dev_path[0] ? w->dev_path : "no node");
	if (d->console && !console[0])
		memcpy(console, w->dev_path, strlen(w->dev_path) + 1);
	return 0;
}

/*
 * ISA I/O-port devices sit below /isa, with the ISA binding's two address
 * cells. The node has no "ranges": x86 I/O space is not part of the CPU's
 * memory address space, so there is no translation to give (DT spec
 * 2.3.8); a consumer reads the port from the child's reg directly.
 */
static int write_devices(struct fdt_writer *w, const struct fdt_machine *m,
			 char *console, char *err, size_t errlen)
{
	bool isa = false;
	int r = 0;

	for (unsigned int i = 0; i < m->ndevs; i++)
		isa |= m->devs[i].bus == FDT_BUS_ISA_IO;
	if (isa) {
		r = fdt_w_begin_node(w, "isa");
		r = r ?: fdt_w_prop_string(w, "compatible", "isa");
		r = r ?: fdt_w_prop_u32(w, "#address-cells", 2);
		r = r ?: fdt_w_prop_u32(w, "#size-cells", 1);
		for (unsigned int i = 0; i < m->ndevs && !r; i++)
			if (m->devs[i].bus == FDT_BUS_ISA_IO)
				r = write_device(w, m, i, console, err, errlen);
		r = r ?: fdt_w_end_node(w);
	}
	for (unsigned int i = 0; i < m->ndevs && !r; i++)
		if (m->devs[i].bus == FDT_BUS_MMIO)
			r = write_device(w, m, i, console, err, errlen);
	return r;
}

static int write_chosen(struct fdt_writer *w, const struct fdt_machine *m,
			const char *console)
{
	int r = fdt_w_begin_node(w, "chosen");

	if (!r && m->bootargs)
		r = fdt_w_prop_string(w, "bootargs", m->bootargs);
	if (!r && console[0])
		r = fdt_w_prop_string(w, "stdout-path", console);
	if (!r && m->initrd_end) {
		r = fdt_w_prop_u64(w, "linux,initrd-start", m->initrd_start);
		r = r ?: fdt_w_prop_u64(w, "linux,initrd-end", m->initrd_end);
	}
	return r ?: fdt_w_end_node(w);
}

static int write_tree(struct fdt_writer *w, const struct fdt_machine *m,
		      char *err, size_t errlen)
{
	char console[PATH_MAX_CHARS] = "";
	int r = w_open(w, ""); /* the root */

	r = r ?: fdt_w_prop_u32(w, "#address-cells", 2);
	r = r ?: fdt_w_prop_u32(w, "#size-cells", 2);
	r = r ?: fdt_w_prop_string(w, "compatible", "tessera,partition");
	r = r ?: fdt_w_prop_string(w, "model",
				   m->model ? m->model : "Tessera partition");
	r = r ?: write_cpus(w, m);
	r = r ?: write_memory(w, m);
	r = r ?: write_arch_nodes(w, m, err, errlen);
	r = r ?: write_devices(w, m, console, err, errlen);
	r = r ?: fdt_w_begin_node(w, "hypervisor");
	r = r ?: fdt_w_prop_string(w, "compatible", "tessera,hypervisor");
	r = r ?: fdt_w_prop_string(w, "partition-name", m->name);
	r = r ?: fdt_w_end_node(w);
	r = r ?: write_chosen(w, m, console);
	return r ?: fdt_w_end_node(w);
}

/*
 * What devices' interrupt-parent names must be an interrupt controller
 * with the arch's #interrupt-cells: checked on the finished tree, since
 * the arch's own emitter wrote it.
 */
static int check_irq_parent(const struct fdt_machine *m, const void *fdt,
			    char *err, size_t errlen)
{
	const fdt32_t *cells;
	int off, len;

	if (!m->arch)
		return 0;
	off = fdt_node_offset_by_phandle(fdt, m->arch->irq_parent);
	cells = off < 0 ? NULL : fdt_getprop(fdt, off, "#interrupt-cells", &len);
	if (!cells || len != sizeof(*cells) ||
	    fdt32_to_cpu(*cells) != m->arch->irq_cells ||
	    !fdt_getprop(fdt, off, "interrupt-controller", NULL))
		return err_printf(err, errlen, -EINVAL,
			    "phandle %u is not an interrupt controller with %u interrupt cells",
			    m->arch->irq_parent, m->arch->irq_cells);
	return 0;
}

int fdt_build(const struct fdt_machine *m, void *buf, size_t bufsize,
	      size_t *len, char *err, size_t errlen)
{
	struct fdt_writer w = { .fdt = buf, .m = m, .dev_depth = UINT_MAX };
	size_t cap = bufsize < FDT_MAX_SIZE ? bufsize : FDT_MAX_SIZE;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (len)
		*len = 0;
	if (!m || !buf || !len)
		return err_printf(err, errlen, -EINVAL, "no machine, buffer or length");
	r = check_machine(m, err, errlen);
	r = r ?: w_libfdt(&w, fdt_create(buf, (int)cap));
	r = r ?: w_libfdt(&w, fdt_finish_reservemap(buf));
	r = r ?: write_tree(&w, m, err, errlen);
	r = r ?: w_libfdt(&w, fdt_finish(buf));
	r = r ?: check_irq_parent(m, buf, err, errlen);
	if (r) {
		/* No half-built tree may pass for one. */
		memset(buf, 0, bufsize < sizeof(struct fdt_header)
				       ? bufsize : sizeof(struct fdt_header));
		if (r == -ENOSPC && m->bootargs)
			return err_printf(err, errlen, r,
				    "the device tree does not fit in %zu bytes (bootargs is %zu bytes)",
				    cap, strlen(m->bootargs));
		if (r == -ENOSPC)
			return err_printf(err, errlen, r,
				    "the device tree does not fit in %zu bytes",
				    cap);
		if (err && errlen && !err[0])
			err_printf(err, errlen, r, "cannot build the device tree");
		return r;
	}
	*len = fdt_totalsize(buf);
	return 0;
}

int fdt_dump_fd(const void *blob, int fd)
{
	const uint8_t *p = blob;
	size_t left;

	if (!blob || fdt_check_header(blob) != 0)
		return -EINVAL;
	left = fdt_totalsize(blob);
	while (left > 0) {
		ssize_t n = write(fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		left -= (size_t)n;
	}
	return 0;
}

int fdt_dump_file(const void *blob, const char *path)
{
	int fd, r;

	if (!blob || !path || fdt_check_header(blob) != 0)
		return -EINVAL;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	r = fdt_dump_fd(blob, fd);
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}
