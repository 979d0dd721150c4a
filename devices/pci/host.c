// SPDX-License-Identifier: GPL-2.0
/* The host bridge: ECAM and type-1 decoding, device slots, its DT node. */
#include "pci/host.h"

#include <errno.h>
#include <string.h>

/*
 * The bridge's own identity: Red Hat's "QEMU PCIe host bridge" ID, which
 * Linux and freestanding guests accept as a plain host bridge (class
 * 06.00.00) without a driver; we are no chipset a driver would program.
 */
#define HOST_VENDOR 0x1b36
#define HOST_DEVICE 0x0008
#define CLASS_HOST_BRIDGE 0x060000

#define FDT_PCI_MEM32 0x02000000u /* phys.hi: 32-bit memory space */
#define FDT_PCI_MEM64_PREF 0x43000000u /* 64-bit prefetchable memory */

void pci_host_init(struct pci_host *h, const struct pci_host_place *p)
{
	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	h->place = *p;
	h->mem32_next = p->mem32_base;
	h->mem64_next = p->mem64_base;
	pci_cfg_init(&h->self, HOST_VENDOR, HOST_DEVICE, CLASS_HOST_BRIDGE, 0);
	/* Nothing to enable: the bridge has no BAR and raises nothing. */
	memset(h->self.wmask, 0, sizeof(h->self.wmask));
	h->self.data[PCI_CFG_COMMAND] = PCI_CMD_MEM | PCI_CMD_MASTER;
}

void pci_host_destroy(struct pci_host *h)
{
	if (h->place.mem32_size) /* initialised */
		pthread_mutex_destroy(&h->lock);
	h->place.mem32_size = 0;
}

int pci_host_add(struct pci_host *h, const struct pci_dev_ops *ops,
		 void *opaque, uint8_t intx_pin, uint32_t intx_line,
		 unsigned int *slot)
{
	if (!ops || !ops->cfg_read || !ops->cfg_write || intx_pin > 4)
		return -EINVAL;
	for (unsigned int i = 1; i < PCI_HOST_SLOTS; i++) {
		if (h->slot[i].ops)
			continue;
		h->slot[i] = (struct pci_slot){ ops, opaque, intx_pin, intx_line };
		*slot = i;
		return 0;
	}
	return -ENOSPC;
}

unsigned int pci_host_next_intx(const struct pci_host *h, unsigned int from)
{
	for (unsigned int i = from; i < PCI_HOST_SLOTS; i++)
		if (h->slot[i].ops && h->slot[i].intx_pin)
			return i;
	return PCI_HOST_SLOTS;
}

static int take(uint64_t *next, uint64_t end, uint64_t size, uint64_t *addr)
{
	uint64_t a = (*next + size - 1) & ~(size - 1);

	if (a < *next || a > end || end - a < size)
		return -ENOSPC;
	*addr = a;
	*next = a + size;
	return 0;
}

int pci_host_alloc_bar(struct pci_host *h, uint64_t size, bool want64,
		       uint64_t *addr)
{
	const struct pci_host_place *p = &h->place;

	if (!size || (size & (size - 1)))
		return -EINVAL;
	if (want64 && p->mem64_size &&
	    !take(&h->mem64_next, p->mem64_base + p->mem64_size, size, addr))
		return 0;
	return take(&h->mem32_next, p->mem32_base + p->mem32_size, size, addr);
}

bool pci_ecam_decode(uint64_t off, struct pci_cfg_addr *a)
{
	if (off >= PCI_ECAM_BUS_SIZE)
		return false;
	a->bus = 0;
	a->dev = (uint8_t)((off >> 15) & 0x1f);
	a->fn = (uint8_t)((off >> 12) & 0x7);
	a->reg = (uint16_t)(off & 0xfff);
	return true;
}

bool pci_type1_decode(uint32_t latch, uint32_t port_off, struct pci_cfg_addr *a)
{
	if (!(latch & PCI_TYPE1_ENABLE) || port_off > 3)
		return false;
	a->bus = (uint8_t)(latch >> 16);
	a->dev = (uint8_t)((latch >> 11) & 0x1f);
	a->fn = (uint8_t)((latch >> 8) & 0x7);
	a->reg = (uint16_t)((latch & 0xfc) + port_off);
	return true;
}

void pci_host_cfg(struct pci_host *h, const struct pci_cfg_addr *a,
		  uint8_t *data, uint32_t len, bool is_write)
{
	const struct pci_slot *s = a->dev ? &h->slot[a->dev] : NULL;
	bool present = a->bus == 0 && a->fn == 0 && a->dev < PCI_HOST_SLOTS &&
		       (a->dev == 0 || s->ops);

	if (!present || !pci_cfg_access_ok(a->reg, len)) {
		if (!is_write)
			memset(data, 0xff, len > 8 ? 8 : len);
		return;
	}
	pthread_mutex_lock(&h->lock);
	if (a->dev == 0 && is_write)
		pci_cfg_write(&h->self, a->reg, data, len);
	else if (a->dev == 0)
		pci_cfg_read(&h->self, a->reg, data, len);
	else if (is_write)
		s->ops->cfg_write(s->opaque, a->reg, data, len);
	else
		s->ops->cfg_read(s->opaque, a->reg, data, len);
	pthread_mutex_unlock(&h->lock);
}

void pci_host_ecam_access(void *opaque, uint64_t off, uint8_t *data,
			  uint32_t len, bool is_write)
{
	struct pci_cfg_addr a;

	if (!pci_ecam_decode(off, &a)) {
		if (!is_write)
			memset(data, 0xff, len > 8 ? 8 : len);
		return;
	}
	pci_host_cfg(opaque, &a, data, len, is_write);
}

void pci_host_type1_access(void *opaque, uint64_t off, uint8_t *data,
			   uint32_t len, bool is_write)
{
	struct pci_host *h = opaque;
	struct pci_cfg_addr a;
	uint32_t latch;

	if (off < 4) {
		/*
		 * Only dword accesses reach the latch: Linux's probe writes a
		 * byte to 0xcfb (the type-2 mechanism's register) and expects
		 * the latch to be left alone.
		 */
		if (off != 0 || len != 4) {
			if (!is_write)
				memset(data, 0xff, len > 8 ? 8 : len);
			return;
		}
		if (is_write)
			__atomic_store_n(&h->type1_addr,
					 (uint32_t)(data[0] | data[1] << 8 |
						    data[2] << 16 |
						    (uint32_t)data[3] << 24) &
						 0x80fffffcu,
					 __ATOMIC_RELAXED);
		else {
			latch = __atomic_load_n(&h->type1_addr, __ATOMIC_RELAXED);
			for (unsigned int i = 0; i < 4; i++)
				data[i] = (uint8_t)(latch >> (8 * i));
		}
		return;
	}
	latch = __atomic_load_n(&h->type1_addr, __ATOMIC_RELAXED);
	if (!pci_type1_decode(latch, (uint32_t)(off - 4), &a)) {
		if (!is_write)
			memset(data, 0xff, len > 8 ? 8 : len);
		return;
	}
	pci_host_cfg(h, &a, data, len, is_write);
}

static void cells64(uint32_t *c, uint64_t v)
{
	c[0] = (uint32_t)(v >> 32);
	c[1] = (uint32_t)v;
}

/* ranges: <phys.hi pci-addr(2) cpu-addr(2) size(2)>, identity-mapped. */
static int write_ranges(struct fdt_writer *w, const struct pci_host_place *p)
{
	uint32_t c[14];
	unsigned int n = 0;

	c[n] = FDT_PCI_MEM32;
	cells64(&c[n + 1], p->mem32_base);
	cells64(&c[n + 3], p->mem32_base);
	cells64(&c[n + 5], p->mem32_size);
	n += 7;
	if (p->mem64_size) {
		c[n] = FDT_PCI_MEM64_PREF;
		cells64(&c[n + 1], p->mem64_base);
		cells64(&c[n + 3], p->mem64_base);
		cells64(&c[n + 5], p->mem64_size);
		n += 7;
	}
	return fdt_w_prop_cells(w, "ranges", c, n);
}

/*
 * interrupt-map: <dev<<11 0 0 pin  parent  parent-spec> per wired device,
 * with mask <0xf800 0 0 7>. The parent's #address-cells is taken as 0 (the
 * x86 IOAPIC node says so; an arch whose controller has address cells
 * must say 0 too, or this must learn them).
 */
static int write_interrupt_map(struct fdt_writer *w, const struct pci_host *h)
{
	static const uint32_t mask[4] = { 0xf800, 0, 0, 7 };
	uint32_t map[PCI_HOST_SLOTS * (4 + 1 + FDT_MAX_IRQ_CELLS)];
	unsigned int n = 0;
	unsigned int i;
	int r = 0;

	pci_host_for_each_intx(h, i) {
		const struct pci_slot *s = &h->slot[i];
		struct fdt_device line = { .has_irq = true,
					   .irq = s->intx_line,
					   .irq_type = FDT_IRQ_LEVEL_HIGH };
		uint32_t parent, spec[FDT_MAX_IRQ_CELLS];
		unsigned int ncells;

		r = fdt_w_irq_spec(w, &line, &parent, spec, &ncells);
		if (r)
			break;
		map[n++] = i << 11;
		map[n++] = 0;
		map[n++] = 0;
		map[n++] = s->intx_pin;
		map[n++] = parent;
		for (unsigned int k = 0; k < ncells; k++)
			map[n++] = spec[k];
	}
	if (r || n == 0)
		return r;
	r = fdt_w_prop_cells(w, "interrupt-map", map, n);
	return r ?: fdt_w_prop_cells(w, "interrupt-map-mask", mask, 4);
}

int pci_host_fdt_node(struct fdt_writer *w, const struct fdt_device *dev)
{
	const struct pci_host *h = dev->opaque;
	static const uint32_t bus_range[2] = { 0, 0 };
	int r;

	if (!h)
		return -EINVAL;
	r = fdt_w_begin_device(w, "pci", "pci-host-ecam-generic", dev);
	r = r ?: fdt_w_prop_string(w, "device_type", "pci");
	r = r ?: fdt_w_prop_u32(w, "#address-cells", 3);
	r = r ?: fdt_w_prop_u32(w, "#size-cells", 2);
	r = r ?: fdt_w_prop_u32(w, "#interrupt-cells", 1);
	r = r ?: fdt_w_prop_cells(w, "bus-range", bus_range, 2);
	r = r ?: fdt_w_prop_u32(w, "linux,pci-domain", 0);
	r = r ?: write_ranges(w, &h->place);
	r = r ?: write_interrupt_map(w, h);
	r = r ?: fdt_w_prop_empty(w, "dma-coherent");
	return r ?: fdt_w_end_node(w);
}
