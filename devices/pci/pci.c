// SPDX-License-Identifier: GPL-2.0
/* Configuration-space emulation: PCI Local Bus 3.0, 6.1-6.2 and 6.7. */
#include "pci/pci.h"

#include <errno.h>
#include <string.h>

uint16_t pci_cfg_get16(const struct pci_cfg *c, uint32_t off)
{
	return (uint16_t)(c->data[off] | c->data[off + 1] << 8);
}

uint32_t pci_cfg_get32(const struct pci_cfg *c, uint32_t off)
{
	return (uint32_t)pci_cfg_get16(c, off) |
	       (uint32_t)pci_cfg_get16(c, off + 2) << 16;
}

void pci_cfg_set16(struct pci_cfg *c, uint32_t off, uint16_t v)
{
	c->data[off] = (uint8_t)v;
	c->data[off + 1] = (uint8_t)(v >> 8);
}

void pci_cfg_set32(struct pci_cfg *c, uint32_t off, uint32_t v)
{
	pci_cfg_set16(c, off, (uint16_t)v);
	pci_cfg_set16(c, off + 2, (uint16_t)(v >> 16));
}

static void set_wmask32(struct pci_cfg *c, uint32_t off, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		c->wmask[off + i] = (uint8_t)(v >> (8 * i));
}

void pci_cfg_init(struct pci_cfg *c, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision)
{
	memset(c, 0, sizeof(*c));
	pci_cfg_set16(c, PCI_CFG_VENDOR_ID, vendor);
	pci_cfg_set16(c, PCI_CFG_DEVICE_ID, device);
	c->data[PCI_CFG_REVISION] = revision;
	c->data[PCI_CFG_CLASS_PROG] = (uint8_t)class_code;
	c->data[PCI_CFG_CLASS_PROG + 1] = (uint8_t)(class_code >> 8);
	c->data[PCI_CFG_CLASS_PROG + 2] = (uint8_t)(class_code >> 16);
	c->wmask[PCI_CFG_COMMAND] = PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER;
	c->wmask[PCI_CFG_COMMAND + 1] = PCI_CMD_INTX_DISABLE >> 8;
	c->wmask[PCI_CFG_INT_LINE] = 0xff;
	/* Status: the error bits (11-15) are write-1-to-clear. */
	c->w1c[PCI_CFG_STATUS + 1] = 0xf8;
	c->cap_free = PCI_CFG_FIRST_FREE;
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static uint32_t bar_reg(unsigned int bar)
{
	return bar == PCI_ROM_BAR ? PCI_CFG_ROM : PCI_CFG_BAR0 + 4 * bar;
}

int pci_cfg_set_bar(struct pci_cfg *c, unsigned int bar, uint64_t size,
		    uint8_t flags)
{
	uint32_t reg = bar_reg(bar);
	bool io = flags & PCI_BAR_IO, mem64 = flags & PCI_BAR_MEM64;
	uint64_t mask = ~(size - 1);

	if (bar > PCI_ROM_BAR || !pow2(size))
		return -EINVAL;
	if (bar == PCI_ROM_BAR) {
		if (flags || size < 2048 || size > (1ULL << 31))
			return -EINVAL;
		set_wmask32(c, reg, ((uint32_t)mask & 0xfffff800u) | PCI_ROM_ENABLE);
		pci_cfg_set32(c, reg, 0);
	} else if (io) {
		if (flags != PCI_BAR_IO || size < 4 || size > 256)
			return -EINVAL;
		set_wmask32(c, reg, (uint32_t)mask & 0xfffffffcu);
		pci_cfg_set32(c, reg, PCI_BAR_IO);
	} else {
		if (flags & ~(PCI_BAR_MEM64 | PCI_BAR_PREFETCH) || size < 16 ||
		    (mem64 && bar == PCI_NUM_BARS - 1) ||
		    (!mem64 && size > (1ULL << 31)))
			return -EINVAL;
		set_wmask32(c, reg, (uint32_t)mask & 0xfffffff0u);
		pci_cfg_set32(c, reg, flags);
		if (mem64) {
			set_wmask32(c, reg + 4, (uint32_t)(mask >> 32));
			pci_cfg_set32(c, reg + 4, 0);
			c->bar_size[bar + 1] = 0;
		}
	}
	c->bar_size[bar] = size;
	c->bar_on[bar] = false;
	return 0;
}

static bool is_mem64(const struct pci_cfg *c, unsigned int bar)
{
	return bar < PCI_NUM_BARS && !(c->data[bar_reg(bar)] & PCI_BAR_IO) &&
	       (c->data[bar_reg(bar)] & PCI_BAR_MEM64);
}

uint64_t pci_cfg_bar_addr(const struct pci_cfg *c, unsigned int bar)
{
	uint32_t reg = bar_reg(bar), lo = pci_cfg_get32(c, reg);

	if (bar > PCI_ROM_BAR || !c->bar_size[bar])
		return 0;
	if (bar == PCI_ROM_BAR)
		return lo & 0xfffff800u;
	if (lo & PCI_BAR_IO)
		return lo & 0xfffffffcu;
	if (is_mem64(c, bar))
		return (lo & 0xfffffff0u) | (uint64_t)pci_cfg_get32(c, reg + 4) << 32;
	return lo & 0xfffffff0u;
}

int pci_cfg_place_bar(struct pci_cfg *c, unsigned int bar, uint64_t addr)
{
	uint32_t reg = bar_reg(bar), lo;

	if (bar > PCI_ROM_BAR || !c->bar_size[bar] ||
	    addr & (c->bar_size[bar] - 1))
		return -EINVAL;
	lo = pci_cfg_get32(c, reg);
	if (bar == PCI_ROM_BAR)
		lo = (uint32_t)addr | (lo & PCI_ROM_ENABLE);
	else
		lo = (uint32_t)addr | (lo & (lo & PCI_BAR_IO ? 0x3u : 0xfu));
	if (!is_mem64(c, bar) && addr >> 32)
		return -EINVAL;
	pci_cfg_set32(c, reg, lo);
	if (is_mem64(c, bar))
		pci_cfg_set32(c, reg + 4, (uint32_t)(addr >> 32));
	return 0;
}

int pci_cfg_add_cap(struct pci_cfg *c, uint8_t id, uint8_t len, uint8_t *off)
{
	unsigned int at = (c->cap_free + 3u) & ~3u;

	if (len < 2 || at + len > PCI_CFG_SIZE)
		return -ENOSPC;
	c->data[at] = id;
	c->data[at + 1] = 0;
	if (c->cap_last)
		c->data[c->cap_last + 1] = (uint8_t)at;
	else
		c->data[PCI_CFG_CAP_PTR] = (uint8_t)at;
	c->data[PCI_CFG_STATUS] |= PCI_STATUS_CAP_LIST;
	c->cap_last = (uint8_t)at;
	c->cap_free = (uint8_t)(at + len > 0xff ? 0xff : at + len);
	*off = (uint8_t)at;
	return 0;
}

bool pci_cfg_access_ok(uint32_t off, uint32_t len)
{
	if (len != 1 && len != 2 && len != 4)
		return false;
	if (off >= PCI_CFG_ECAM_SIZE || (off & 3) + len > 4)
		return false;
	return (off & (len - 1)) == 0;
}

bool pci_cfg_read(const struct pci_cfg *c, uint32_t off, uint8_t *data,
		  uint32_t len)
{
	if (!pci_cfg_access_ok(off, len)) {
		memset(data, 0xff, len > 8 ? 8 : len);
		return false;
	}
	if (off >= PCI_CFG_SIZE)
		memset(data, 0, len);
	else
		memcpy(data, &c->data[off], len);
	return true;
}

/*
 * Where BAR bar decodes now, by the rules of hardware and of QEMU's
 * pci_bar_address(): the command register must enable its kind, and an
 * address of 0, one that wraps, or the all-ones sizing pattern (last byte
 * at the top of the BAR's space) decodes nothing.
 */
static bool bar_decodes(const struct pci_cfg *c, unsigned int bar,
			uint64_t *addr)
{
	uint16_t cmd = pci_cfg_get16(c, PCI_CFG_COMMAND);
	uint64_t size = c->bar_size[bar], a = pci_cfg_bar_addr(c, bar), last;
	uint32_t lo = pci_cfg_get32(c, bar_reg(bar));
	bool io = bar != PCI_ROM_BAR && (lo & PCI_BAR_IO);
	uint64_t top = io ? 0xffffu : is_mem64(c, bar) ? UINT64_MAX : UINT32_MAX;

	if (!size || !a)
		return false;
	if (!(cmd & (io ? PCI_CMD_IO : PCI_CMD_MEM)))
		return false;
	if (bar == PCI_ROM_BAR && !(lo & PCI_ROM_ENABLE))
		return false;
	last = a + size - 1;
	if (last < a || last >= top)
		return false;
	*addr = a;
	return true;
}

static void update_bars(struct pci_cfg *c)
{
	for (unsigned int bar = 0; bar < PCI_NUM_REGIONS; bar++) {
		uint64_t addr = 0, old = c->bar_addr[bar];
		bool was_on = c->bar_on[bar];
		bool on = bar_decodes(c, bar, &addr);

		if (on == was_on && (!on || addr == old))
			continue;
		c->bar_on[bar] = on;
		c->bar_addr[bar] = on ? addr : 0;
		if (c->bar_moved)
			c->bar_moved(c->opaque, bar, was_on, old, on, addr);
	}
}

static bool touches(uint32_t off, uint32_t len, uint32_t start, uint32_t n)
{
	return off < start + n && start < off + len;
}

bool pci_cfg_write(struct pci_cfg *c, uint32_t off, const uint8_t *data,
		   uint32_t len)
{
	if (!pci_cfg_access_ok(off, len))
		return false;
	if (off >= PCI_CFG_SIZE)
		return true;
	for (uint32_t i = 0; i < len; i++) {
		uint8_t m = c->wmask[off + i], b = c->data[off + i];

		b = (uint8_t)((b & ~m) | (data[i] & m));
		b &= (uint8_t)~(data[i] & c->w1c[off + i]);
		c->data[off + i] = b;
	}
	if (touches(off, len, PCI_CFG_COMMAND, 2) ||
	    touches(off, len, PCI_CFG_BAR0, 4 * PCI_NUM_BARS) ||
	    touches(off, len, PCI_CFG_ROM, 4))
		update_bars(c);
	return true;
}
