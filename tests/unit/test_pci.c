// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration space (devices/pci/pci.c) and the host bridge
 * (devices/pci/host.c): ECAM and type-1 decoding, BAR sizing, command and
 * BAR writes that move BARs, odd-width and out-of-range accesses, the
 * capability list, the bridge's device-tree node read back with libfdt,
 * and MSI-X (devices/pci/msix.c): the capability, table writes, the entry
 * and function masks, PBA reads, and which vectors are live with which
 * message (what vfio/pci.c turns into KVM routes and irqfds).
 */
#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include "fdt.h"
#include "pci/host.h"
#include "pci/msix.h"
#include "pci/pci.h"
#include "suites.h"

static uint32_t rd(struct pci_cfg *c, uint32_t off, uint32_t len)
{
	uint8_t b[8] = { 0 };
	uint32_t v = 0;

	pci_cfg_read(c, off, b, len);
	for (uint32_t i = 0; i < len && i < 4; i++)
		v |= (uint32_t)b[i] << (8 * i);
	return v;
}

static bool wr(struct pci_cfg *c, uint32_t off, uint32_t v, uint32_t len)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	return pci_cfg_write(c, off, b, len);
}

/* The last bar_moved call, and how many there were. */
static struct {
	unsigned int n, bar;
	bool was_on, on;
	uint64_t old, addr;
} moved;

static void on_moved(void *opaque, unsigned int bar, bool was_on, uint64_t old,
		     bool on, uint64_t addr)
{
	(void)opaque;
	moved.n++;
	moved.bar = bar;
	moved.was_on = was_on;
	moved.old = old;
	moved.on = on;
	moved.addr = addr;
}

static struct pci_cfg cfg;

static void setup(void)
{
	memset(&moved, 0, sizeof(moved));
	pci_cfg_init(&cfg, 0x1234, 0x11e8, 0x00ff00, 0x10);
	cfg.bar_moved = on_moved;
	ck_assert_int_eq(pci_cfg_set_bar(&cfg, 0, 0x100000, 0), 0);
	ck_assert_int_eq(pci_cfg_set_bar(&cfg, 1, 32, PCI_BAR_IO), 0);
	ck_assert_int_eq(pci_cfg_set_bar(&cfg, 2, 8ULL << 30,
					 PCI_BAR_MEM64 | PCI_BAR_PREFETCH), 0);
	ck_assert_int_eq(pci_cfg_set_bar(&cfg, PCI_ROM_BAR, 0x10000, 0), 0);
}

START_TEST(identity_read_only)
{
	ck_assert_uint_eq(rd(&cfg, 0, 4), 0x11e81234);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_REVISION, 4), 0x00ff0010);
	wr(&cfg, 0, 0xffffffff, 4);
	wr(&cfg, PCI_CFG_REVISION, 0, 4);
	ck_assert_uint_eq(rd(&cfg, 0, 4), 0x11e81234);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_REVISION, 4), 0x00ff0010);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_DEVICE_ID, 2), 0x11e8);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_DEVICE_ID + 1, 1), 0x11);
}
END_TEST

START_TEST(bar_sizing)
{
	wr(&cfg, PCI_CFG_BAR0, 0xffffffff, 4);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_BAR0, 4), 0xfff00000);
	wr(&cfg, PCI_CFG_BAR0 + 4, 0xffffffff, 4);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_BAR0 + 4, 4), 0xffffffe1);
	/* 8 GiB, 64-bit prefetchable: the low dword keeps only its type. */
	wr(&cfg, PCI_CFG_BAR0 + 8, 0xffffffff, 4);
	wr(&cfg, PCI_CFG_BAR0 + 12, 0xffffffff, 4);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_BAR0 + 8, 4), 0x0000000c);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_BAR0 + 12, 4), 0xfffffffe);
	/* Absent BARs read 0 whatever is written. */
	wr(&cfg, PCI_CFG_BAR0 + 16, 0xffffffff, 4);
	wr(&cfg, PCI_CFG_BAR0 + 20, 0xffffffff, 4);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_BAR0 + 16, 4), 0);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_BAR0 + 20, 4), 0);
	wr(&cfg, PCI_CFG_ROM, 0xfffffffe, 4);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_ROM, 4), 0xffff0000);
	/* Nothing decodes: the command register enables nothing yet. */
	ck_assert_uint_eq(moved.n, 0);
}
END_TEST

START_TEST(bad_bar_declarations)
{
	struct pci_cfg c;

	pci_cfg_init(&c, 1, 2, 0, 0);
	ck_assert_int_eq(pci_cfg_set_bar(&c, 0, 3000, 0), -EINVAL);
	ck_assert_int_eq(pci_cfg_set_bar(&c, 0, 8, 0), -EINVAL);
	ck_assert_int_eq(pci_cfg_set_bar(&c, 0, 512, PCI_BAR_IO), -EINVAL);
	ck_assert_int_eq(pci_cfg_set_bar(&c, 5, 4096, PCI_BAR_MEM64), -EINVAL);
	ck_assert_int_eq(pci_cfg_set_bar(&c, 0, 8ULL << 30, 0), -EINVAL);
	ck_assert_int_eq(pci_cfg_set_bar(&c, 7, 4096, 0), -EINVAL);
	ck_assert_int_eq(pci_cfg_set_bar(&c, PCI_ROM_BAR, 1024, 0), -EINVAL);
	ck_assert_int_eq(pci_cfg_place_bar(&c, 0, 0x1000), -EINVAL);
	ck_assert_int_eq(pci_cfg_set_bar(&c, 0, 4096, 0), 0);
	ck_assert_int_eq(pci_cfg_place_bar(&c, 0, 0x1800), -EINVAL);
	ck_assert_int_eq(pci_cfg_place_bar(&c, 0, 1ULL << 32), -EINVAL);
	ck_assert_int_eq(pci_cfg_place_bar(&c, 0, 0x2000), 0);
	ck_assert_uint_eq(pci_cfg_bar_addr(&c, 0), 0x2000);
}
END_TEST

START_TEST(command_moves_bars)
{
	ck_assert_int_eq(pci_cfg_place_bar(&cfg, 0, 0xc0000000), 0);
	ck_assert_int_eq(pci_cfg_place_bar(&cfg, 2, 0x1000000000ULL), 0);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_BAR0 + 12, 4), 0x10);
	wr(&cfg, PCI_CFG_COMMAND, PCI_CMD_MEM, 2);
	ck_assert_uint_eq(moved.n, 2); /* BAR 0 and BAR 2; I/O stays off */
	ck_assert_uint_eq(moved.bar, 2);
	ck_assert(moved.on && !moved.was_on);
	ck_assert_uint_eq(moved.addr, 0x1000000000ULL);
	ck_assert(cfg.bar_on[0]);
	ck_assert_uint_eq(cfg.bar_addr[0], 0xc0000000);
	ck_assert(!cfg.bar_on[1]);

	/* The guest moves BAR 0 while memory decode is on. */
	wr(&cfg, PCI_CFG_BAR0, 0xc0100000, 4);
	ck_assert_uint_eq(moved.n, 3);
	ck_assert_uint_eq(moved.bar, 0);
	ck_assert(moved.was_on && moved.on);
	ck_assert_uint_eq(moved.old, 0xc0000000);
	ck_assert_uint_eq(moved.addr, 0xc0100000);
	/* Rewriting the same address moves nothing. */
	wr(&cfg, PCI_CFG_BAR0, 0xc0100000, 4);
	ck_assert_uint_eq(moved.n, 3);
	/* Sizing with decode on: the all-ones pattern decodes nothing. */
	wr(&cfg, PCI_CFG_BAR0, 0xffffffff, 4);
	ck_assert_uint_eq(moved.n, 4);
	ck_assert(!moved.on && moved.was_on);
	wr(&cfg, PCI_CFG_BAR0, 0xc0100000, 4);
	ck_assert(cfg.bar_on[0]);

	/* A byte write of the command register's low byte turns it off. */
	moved.n = 0;
	wr(&cfg, PCI_CFG_COMMAND, 0, 1);
	ck_assert_uint_eq(moved.n, 2);
	ck_assert(!cfg.bar_on[0] && !cfg.bar_on[2]);

	/* I/O decode places the I/O BAR; one above 64 KiB never decodes. */
	wr(&cfg, PCI_CFG_BAR0 + 4, 0x1000, 4);
	wr(&cfg, PCI_CFG_COMMAND, PCI_CMD_IO, 2);
	ck_assert(cfg.bar_on[1]);
	ck_assert_uint_eq(cfg.bar_addr[1], 0x1000);
	wr(&cfg, PCI_CFG_BAR0 + 4, 0x20000, 4);
	ck_assert(!cfg.bar_on[1]);

	/* The ROM needs both its enable bit and memory decode. */
	wr(&cfg, PCI_CFG_ROM, 0xd0000000, 4);
	wr(&cfg, PCI_CFG_COMMAND, PCI_CMD_MEM, 2);
	ck_assert(!cfg.bar_on[PCI_ROM_BAR]);
	wr(&cfg, PCI_CFG_ROM, 0xd0000001, 4);
	ck_assert(cfg.bar_on[PCI_ROM_BAR]);
	ck_assert_uint_eq(cfg.bar_addr[PCI_ROM_BAR], 0xd0000000);
}
END_TEST

START_TEST(odd_and_out_of_range)
{
	uint8_t b[8];

	ck_assert(!pci_cfg_access_ok(0, 3));
	ck_assert(!pci_cfg_access_ok(2, 4));
	ck_assert(!pci_cfg_access_ok(1, 2));
	ck_assert(!pci_cfg_access_ok(3, 2));
	ck_assert(!pci_cfg_access_ok(0, 8));
	ck_assert(!pci_cfg_access_ok(4096, 1));
	ck_assert(!pci_cfg_access_ok(UINT32_MAX, 1));
	ck_assert(pci_cfg_access_ok(2, 2));
	ck_assert(pci_cfg_access_ok(4095, 1));
	ck_assert(pci_cfg_access_ok(4092, 4));
	ck_assert(!pci_cfg_read(&cfg, 2, b, 4));
	ck_assert_uint_eq(rd(&cfg, 2, 4), 0xffffffff);
	ck_assert_uint_eq(rd(&cfg, 1, 2), 0xffff);
	memset(b, 0, sizeof(b));
	ck_assert(!pci_cfg_read(&cfg, 0, b, 8));
	ck_assert_uint_eq(b[7], 0xff);
	/* A misaligned write to the command register changes nothing. */
	ck_assert(!wr(&cfg, PCI_CFG_COMMAND - 1, 0xffff, 2));
	ck_assert(!wr(&cfg, PCI_CFG_COMMAND - 2, 0xffffffff, 4));
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_COMMAND, 2), 0);
	/* The extended space reads 0 (no extended capability) and stays 0. */
	ck_assert(wr(&cfg, 0x100, 0xffffffff, 4));
	ck_assert_uint_eq(rd(&cfg, 0x100, 4), 0);
	ck_assert_uint_eq(rd(&cfg, 0xffc, 4), 0);
	ck_assert_uint_eq(rd(&cfg, 0x1000, 4), 0xffffffff);
}
END_TEST

START_TEST(status_and_capabilities)
{
	uint8_t a, b;

	cfg.data[PCI_CFG_STATUS + 1] = 0xf8; /* error bits set */
	wr(&cfg, PCI_CFG_STATUS, 0x1000, 2); /* clears bit 12 only */
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_STATUS + 1, 1), 0xe8);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_STATUS, 2) & PCI_STATUS_CAP_LIST, 0);
	ck_assert_int_eq(pci_cfg_add_cap(&cfg, PCI_CAP_ID_MSI, 14, &a), 0);
	ck_assert_int_eq(pci_cfg_add_cap(&cfg, PCI_CAP_ID_MSIX, 12, &b), 0);
	ck_assert_uint_eq(a, 0x40);
	ck_assert_uint_eq(b, 0x50); /* dword-aligned after 14 bytes */
	ck_assert(rd(&cfg, PCI_CFG_STATUS, 2) & PCI_STATUS_CAP_LIST);
	ck_assert_uint_eq(rd(&cfg, PCI_CFG_CAP_PTR, 1), a);
	ck_assert_uint_eq(rd(&cfg, a, 1), PCI_CAP_ID_MSI);
	ck_assert_uint_eq(rd(&cfg, a + 1, 1), b);
	ck_assert_uint_eq(rd(&cfg, b, 1), PCI_CAP_ID_MSIX);
	ck_assert_uint_eq(rd(&cfg, b + 1, 1), 0);
	ck_assert_int_eq(pci_cfg_add_cap(&cfg, 9, 200, &a), -ENOSPC);
}
END_TEST

START_TEST(ecam_and_type1_decoding)
{
	struct pci_cfg_addr a;

	ck_assert(pci_ecam_decode(3 << 15 | 2 << 12 | 0x10c, &a));
	ck_assert_uint_eq(a.bus, 0);
	ck_assert_uint_eq(a.dev, 3);
	ck_assert_uint_eq(a.fn, 2);
	ck_assert_uint_eq(a.reg, 0x10c);
	ck_assert(pci_ecam_decode(PCI_ECAM_BUS_SIZE - 1, &a));
	ck_assert_uint_eq(a.dev, 31);
	ck_assert_uint_eq(a.fn, 7);
	ck_assert_uint_eq(a.reg, 0xfff);
	ck_assert(!pci_ecam_decode(PCI_ECAM_BUS_SIZE, &a));

	ck_assert(!pci_type1_decode(0x00001810, 0, &a));
	ck_assert(pci_type1_decode(0x80021a10, 2, &a));
	ck_assert_uint_eq(a.bus, 2);
	ck_assert_uint_eq(a.dev, 3);
	ck_assert_uint_eq(a.fn, 2);
	ck_assert_uint_eq(a.reg, 0x12);
	ck_assert(!pci_type1_decode(0x80000000, 4, &a));
}
END_TEST

/* A function that records what reached it. */
static struct {
	unsigned int reads, writes;
	uint32_t off, len;
	uint8_t last[4];
} fn;

static void fn_read(void *o, uint32_t off, uint8_t *data, uint32_t len)
{
	(void)o;
	fn.reads++;
	fn.off = off;
	fn.len = len;
	memset(data, 0xab, len);
}

static void fn_write(void *o, uint32_t off, const uint8_t *data, uint32_t len)
{
	(void)o;
	fn.writes++;
	fn.off = off;
	fn.len = len;
	memcpy(fn.last, data, len);
}

static const struct pci_dev_ops fn_ops = { fn_read, fn_write };

static const struct pci_host_place place = {
	.ecam_base = 0xe0000000, .mem32_base = 0xc0000000,
	.mem32_size = 0x10000000, .mem64_base = 0x100000000ULL,
	.mem64_size = 1ULL << 32,
};

static uint32_t io(struct pci_host *h, uint64_t port_off, uint32_t len,
		   bool write, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	pci_host_type1_access(h, port_off, b, len, write);
	return (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

START_TEST(host_routing)
{
	static struct pci_host h;
	unsigned int slot;
	uint8_t b[4];

	memset(&fn, 0, sizeof(fn));
	pci_host_init(&h, &place);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 1, 10, &slot), 0);
	ck_assert_uint_eq(slot, 1);
	/* The bridge itself at 00:00.0, through type-1. */
	io(&h, 0, 4, true, 0x80000000);
	ck_assert_uint_eq(io(&h, 0, 4, false, 0), 0x80000000);
	ck_assert_uint_eq(io(&h, 4, 4, false, 0), 0x00081b36);
	ck_assert_uint_eq(io(&h, 6, 2, false, 0), 0x0008);
	io(&h, 0, 4, true, 0x80000008);
	ck_assert_uint_eq(io(&h, 7, 1, false, 0), 0x06); /* class: bridge */
	/* A byte write to 0xcfb leaves the latch alone (Linux's probe). */
	io(&h, 3, 1, true, 0x01);
	ck_assert_uint_eq(io(&h, 0, 4, false, 0), 0x80000008);
	/* Device 1 gets its accesses with the register offset. */
	io(&h, 0, 4, true, 0x80000800 | 0x10);
	ck_assert_uint_eq(io(&h, 6, 2, false, 0), 0xabab);
	ck_assert_uint_eq(fn.off, 0x12);
	ck_assert_uint_eq(fn.len, 2);
	io(&h, 4, 4, true, 0xdeadbeef);
	ck_assert_uint_eq(fn.writes, 1);
	ck_assert_uint_eq(fn.last[3], 0xde);
	/* Latch enable clear, another bus, another function, an empty slot. */
	io(&h, 0, 4, true, 0x00000800);
	ck_assert_uint_eq(io(&h, 4, 4, false, 0), 0xffffffff);
	io(&h, 0, 4, true, 0x80010800);
	ck_assert_uint_eq(io(&h, 4, 4, false, 0), 0xffffffff);
	io(&h, 0, 4, true, 0x80000900);
	ck_assert_uint_eq(io(&h, 4, 4, false, 0), 0xffffffff);
	io(&h, 0, 4, true, 0x80001000);
	ck_assert_uint_eq(io(&h, 4, 4, false, 0), 0xffffffff);
	ck_assert_uint_eq(fn.reads, 1);

	/* ECAM: device 1's vendor ID, odd widths never reach the device. */
	pci_host_ecam_access(&h, 1 << 15, b, 4, false);
	ck_assert_uint_eq(b[0], 0xab);
	ck_assert_uint_eq(fn.reads, 2);
	pci_host_ecam_access(&h, 1 << 15 | 1, b, 2, false);
	ck_assert_uint_eq(b[1], 0xff);
	pci_host_ecam_access(&h, 1 << 15 | 2, b, 4, true);
	ck_assert_uint_eq(fn.reads, 2);
	ck_assert_uint_eq(fn.writes, 1);
	pci_host_ecam_access(&h, 0, b, 4, false);
	ck_assert_uint_eq(b[0] | b[1] << 8, 0x1b36);
	pci_host_ecam_access(&h, PCI_ECAM_BUS_SIZE, b, 4, false);
	ck_assert_uint_eq(b[0], 0xff);
	/* The bridge's header is read-only. */
	b[0] = b[1] = 0;
	pci_host_ecam_access(&h, PCI_CFG_COMMAND, b, 2, true);
	pci_host_ecam_access(&h, PCI_CFG_COMMAND, b, 2, false);
	ck_assert_uint_eq(b[0], PCI_CMD_MEM | PCI_CMD_MASTER);
	pci_host_destroy(&h);
}
END_TEST

START_TEST(host_slots_and_windows)
{
	static struct pci_host h;
	unsigned int slot;
	uint64_t a;

	pci_host_init(&h, &place);
	ck_assert_int_eq(pci_host_add(&h, NULL, NULL, 0, 0, &slot), -EINVAL);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 5, 0, &slot), -EINVAL);
	for (unsigned int i = 1; i < PCI_HOST_SLOTS; i++) {
		ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 0, 0, &slot), 0);
		ck_assert_uint_eq(slot, i);
	}
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 0, 0, &slot), -ENOSPC);

	ck_assert_int_eq(pci_host_alloc_bar(&h, 0x1000, false, &a), 0);
	ck_assert_uint_eq(a, 0xc0000000);
	ck_assert_int_eq(pci_host_alloc_bar(&h, 0x100000, false, &a), 0);
	ck_assert_uint_eq(a, 0xc0100000); /* naturally aligned */
	ck_assert_int_eq(pci_host_alloc_bar(&h, 0x1000, true, &a), 0);
	ck_assert_uint_eq(a, 0x100000000ULL);
	ck_assert_int_eq(pci_host_alloc_bar(&h, 3, false, &a), -EINVAL);
	ck_assert_int_eq(pci_host_alloc_bar(&h, 0x10000000, false, &a), -ENOSPC);
	/* Too big for the 64-bit window: falls back to 32 bits, then full. */
	ck_assert_int_eq(pci_host_alloc_bar(&h, 1ULL << 33, true, &a), -ENOSPC);
	ck_assert_int_eq(pci_host_alloc_bar(&h, 0x8000000, true, &a), 0);
	ck_assert_uint_eq(a, 0x108000000ULL);
	pci_host_destroy(&h);
}
END_TEST

/* The INTx walk: wired devices only, in slot order, from any start. */
START_TEST(host_intx_iterator)
{
	static struct pci_host h;
	unsigned int slot, s, n = 0, seen[PCI_HOST_SLOTS];

	pci_host_init(&h, &place);
	ck_assert_uint_eq(pci_host_next_intx(&h, 0), PCI_HOST_SLOTS);
	pci_host_for_each_intx(&h, s)
		ck_abort_msg("an empty bus has no INTx");
	/* Slots 1-5: pins 0 (none), 1, 0, 4, 2; slot 31: pin 3. */
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 0, 9, &slot), 0);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 1, 10, &slot), 0);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 0, 11, &slot), 0);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 4, 12, &slot), 0);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 2, 13, &slot), 0);
	ck_assert_uint_eq(slot, 5);
	h.slot[31] = (struct pci_slot){ &fn_ops, NULL, 3, 14 };
	/* A pin without a device is an empty slot. */
	h.slot[20].intx_pin = 1;

	pci_host_for_each_intx(&h, s)
		seen[n++] = s;
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(seen[0], 2);
	ck_assert_uint_eq(seen[1], 4);
	ck_assert_uint_eq(seen[2], 5);
	ck_assert_uint_eq(seen[3], 31);
	ck_assert_uint_eq(pci_host_next_intx(&h, 2), 2);
	ck_assert_uint_eq(pci_host_next_intx(&h, 3), 4);
	ck_assert_uint_eq(pci_host_next_intx(&h, 6), 31);
	ck_assert_uint_eq(pci_host_next_intx(&h, 31), 31);
	ck_assert_uint_eq(pci_host_next_intx(&h, 32), PCI_HOST_SLOTS);
	ck_assert_uint_eq(pci_host_next_intx(&h, ~0u), PCI_HOST_SLOTS);
	pci_host_destroy(&h);
}
END_TEST

/* A controller <line sense> with 24 inputs, phandle 7 (any arch, also stub). */
static int t_irq_spec(const struct fdt_device *d, uint32_t *cells)
{
	if (d->irq >= 24)
		return -EINVAL;
	cells[0] = d->irq;
	cells[1] = d->irq_type;
	return 0;
}

static int t_nodes(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = fdt_w_begin_node(w, "interrupt-controller@%x", 0x10000000);

	(void)m;
	r = r ?: fdt_w_prop_string(w, "compatible", "test,intc");
	r = r ?: fdt_w_prop_reg(w, 0x10000000, 0x1000);
	r = r ?: fdt_w_prop_empty(w, "interrupt-controller");
	r = r ?: fdt_w_prop_u32(w, "#interrupt-cells", 2);
	r = r ?: fdt_w_prop_u32(w, "#address-cells", 0);
	r = r ?: fdt_w_prop_u32(w, "phandle", 7);
	return r ?: fdt_w_end_node(w);
}

static const struct fdt_arch t_arch = {
	.cpu_reg_cells = 1, .irq_cells = 2, .irq_parent = 7,
	.nodes = t_nodes, .irq_spec = t_irq_spec,
};

START_TEST(host_fdt_node)
{
	static uint8_t blob[FDT_MAX_SIZE];
	static struct pci_host h;
	struct fdt_device d = {
		.node = pci_host_fdt_node, .bus = FDT_BUS_MMIO,
		.base = place.ecam_base, .size = PCI_ECAM_BUS_SIZE, .opaque = &h,
	};
	struct fdt_machine m = {
		.name = "p", .nmem = 1, .mem = { { 0, 64 << 20 } }, .ncpus = 1,
		.arch = &t_arch, .ndevs = 1, .devs = &d,
	};
	const fdt32_t *p;
	unsigned int slot, spec = m.arch->irq_cells;
	char err[128];
	size_t len;
	int node, n;

	pci_host_init(&h, &place);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 1, 10, &slot), 0);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 0, 0, &slot), 0);
	ck_assert_int_eq(pci_host_add(&h, &fn_ops, NULL, 1, 11, &slot), 0);
	ck_assert_int_eq(fdt_build(&m, blob, sizeof(blob), &len, err, sizeof(err)), 0);
	node = fdt_node_offset_by_compatible(blob, -1, "pci-host-ecam-generic");
	ck_assert_int_ge(node, 0);
	ck_assert_str_eq(fdt_get_name(blob, node, NULL), "pci@e0000000");
	ck_assert_str_eq(fdt_getprop(blob, node, "device_type", NULL), "pci");
	p = fdt_getprop(blob, node, "ranges", &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(n, 14 * 4);
	ck_assert_uint_eq(fdt32_to_cpu(p[0]), 0x02000000);
	ck_assert_uint_eq(fdt32_to_cpu(p[2]), 0xc0000000);
	ck_assert_uint_eq(fdt32_to_cpu(p[4]), 0xc0000000);
	ck_assert_uint_eq(fdt32_to_cpu(p[6]), 0x10000000);
	ck_assert_uint_eq(fdt32_to_cpu(p[7]), 0x43000000);
	ck_assert_uint_eq(fdt32_to_cpu(p[8]), 1);
	/* Two wired devices (slots 1 and 3), each <addr(3) pin parent spec>. */
	p = fdt_getprop(blob, node, "interrupt-map", &n);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(n, (int)(2 * (5 + spec) * 4));
	ck_assert_uint_eq(fdt32_to_cpu(p[0]), 1 << 11);
	ck_assert_uint_eq(fdt32_to_cpu(p[3]), 1);
	ck_assert_uint_eq(fdt32_to_cpu(p[4]), m.arch->irq_parent);
	ck_assert_uint_eq(fdt32_to_cpu(p[5]), 10);
	ck_assert_uint_eq(fdt32_to_cpu(p[5 + spec]), 3 << 11);
	ck_assert_uint_eq(fdt32_to_cpu(p[5 + spec + 5]), 11);
	p = fdt_getprop(blob, node, "interrupt-map-mask", &n);
	ck_assert_int_eq(n, 16);
	ck_assert_uint_eq(fdt32_to_cpu(p[0]), 0xf800);
	ck_assert_uint_eq(fdt32_to_cpu(p[3]), 7);
	/* A line the controller does not have fails the build, not silently. */
	h.slot[1].intx_line = 999;
	ck_assert_int_ne(fdt_build(&m, blob, sizeof(blob), &len, err, sizeof(err)), 0);
	pci_host_destroy(&h);
}
END_TEST

/* ---- MSI-X ------------------------------------------------------------- */

static uint32_t tbl_rd(struct msix *m, uint64_t off)
{
	uint8_t b[4];

	msix_table_access(m, off, b, 4, false);
	return (uint32_t)b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static int tbl_wr(struct msix *m, uint64_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			 (uint8_t)(v >> 24) };

	return msix_table_access(m, off, b, 4, true);
}

/* Programs entry i as a guest driver does: address, data, then unmask. */
static void program(struct msix *m, unsigned int i, uint64_t addr, uint32_t data)
{
	tbl_wr(m, i * 16, (uint32_t)addr);
	tbl_wr(m, i * 16 + 4, (uint32_t)(addr >> 32));
	tbl_wr(m, i * 16 + 8, data);
	tbl_wr(m, i * 16 + 12, 0);
}

/* The capability as a device reports it: 8 entries, table in BAR 2 at 0, PBA at 0x800. */
START_TEST(msix_capability)
{
	struct msix_cap cap;
	uint8_t off;

	ck_assert_int_eq(pci_cfg_add_cap(&cfg, PCI_CAP_ID_MSIX, 12, &off), 0);
	pci_cfg_set16(&cfg, off + 2, MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL | 7);
	pci_cfg_set32(&cfg, off + 4, 0x0000 | 2);
	pci_cfg_set32(&cfg, off + 8, 0x0800 | 2);
	ck_assert_int_eq(msix_cap_parse(&cfg, off, &cap), 0);
	ck_assert_uint_eq(cap.off, off);
	ck_assert_uint_eq(cap.n, 8);
	ck_assert_uint_eq(cap.table_bar, 2);
	ck_assert_uint_eq(cap.table_off, 0);
	ck_assert_uint_eq(cap.pba_bar, 2);
	ck_assert_uint_eq(cap.pba_off, 0x800);
	/* After reset: disabled, unmasked; only those two bits are the guest's. */
	ck_assert_uint_eq(rd(&cfg, off + 2, 2), 7);
	ck_assert(wr(&cfg, off + 2, 0xffff, 2));
	ck_assert_uint_eq(rd(&cfg, off + 2, 2), MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL | 7);
	ck_assert(wr(&cfg, off + 4, 0xffffffff, 4));
	ck_assert(wr(&cfg, off + 8, 0xffffffff, 4));
	ck_assert_uint_eq(rd(&cfg, off + 4, 4), 2);
	ck_assert_uint_eq(rd(&cfg, off + 8, 4), 0x802);
	ck_assert_uint_eq(rd(&cfg, off, 1), PCI_CAP_ID_MSIX);
	/* A BAR indicator past BAR 5 is refused. */
	pci_cfg_set32(&cfg, off + 4, 6);
	ck_assert_int_eq(msix_cap_parse(&cfg, off, &cap), -EINVAL);
	pci_cfg_set32(&cfg, off + 4, 0);
	pci_cfg_set32(&cfg, off + 8, 7);
	ck_assert_int_eq(msix_cap_parse(&cfg, off, &cap), -EINVAL);
	ck_assert_int_eq(msix_cap_parse(&cfg, 250, &cap), -EINVAL);
}
END_TEST

/* Table writes: entries start masked, reserved bits stay 0, bad accesses. */
START_TEST(msix_table_writes)
{
	struct msix m;
	uint8_t q[8], b[2];

	ck_assert_int_eq(msix_init(&m, 0), -EINVAL);
	ck_assert_int_eq(msix_init(&m, MSIX_MAX_ENTRIES + 1), -EINVAL);
	ck_assert_int_eq(msix_init(&m, 3), 0);
	ck_assert_uint_eq(msix_table_size(3), 48);
	ck_assert_uint_eq(msix_pba_size(3), 8);
	ck_assert_uint_eq(msix_pba_size(65), 16);
	for (unsigned int i = 0; i < 3; i++) {
		ck_assert_uint_eq(tbl_rd(&m, i * 16 + 12), MSIX_CTRL_MASKBIT);
		ck_assert_uint_eq(tbl_rd(&m, i * 16), 0);
	}
	/* Address is dword-aligned; data is all the guest's; control is the mask bit. */
	ck_assert_int_eq(tbl_wr(&m, 16, 0xfee01003), 1);
	ck_assert_uint_eq(tbl_rd(&m, 16), 0xfee01000);
	ck_assert_int_eq(tbl_wr(&m, 16, 0xfee01000), -1); /* no change */
	ck_assert_int_eq(tbl_wr(&m, 24, 0x4041), 1);
	ck_assert_uint_eq(tbl_rd(&m, 24), 0x4041);
	ck_assert_int_eq(tbl_wr(&m, 28, 0xfffffffe), 1);
	ck_assert_uint_eq(tbl_rd(&m, 28), 0);
	ck_assert_int_eq(tbl_wr(&m, 28, 0xffffffff), 1);
	ck_assert_uint_eq(tbl_rd(&m, 28), 1);
	/* An aligned qword: the upper address with it. */
	memcpy(q, "\x00\x20\xe0\xfe\x01\x00\x00\x00", 8);
	ck_assert_int_eq(msix_table_access(&m, 32, q, 8, true), 2);
	ck_assert_uint_eq(tbl_rd(&m, 32), 0xfee02000);
	ck_assert_uint_eq(tbl_rd(&m, 36), 1);
	memset(q, 0, 8);
	ck_assert_int_eq(msix_table_access(&m, 32, q, 8, false), -1);
	ck_assert_uint_eq(q[3], 0xfe);
	ck_assert_uint_eq(q[4], 1);
	/* Misaligned, odd-sized and out-of-table accesses: all-ones, no write. */
	ck_assert_int_eq(msix_table_access(&m, 36, q, 8, true), -1);
	ck_assert_int_eq(tbl_wr(&m, 18, 0x1234), -1);
	b[0] = b[1] = 0;
	ck_assert_int_eq(msix_table_access(&m, 24, b, 2, true), -1);
	ck_assert_uint_eq(tbl_rd(&m, 24), 0x4041);
	msix_table_access(&m, 24, b, 2, false);
	ck_assert_uint_eq(b[0], 0xff);
	ck_assert_int_eq(tbl_wr(&m, 48, 1), -1);
	ck_assert_uint_eq(tbl_rd(&m, 48), 0xffffffff);
	ck_assert_uint_eq(tbl_rd(&m, 1ull << 40), 0xffffffff);
	msix_destroy(&m);
	msix_destroy(&m); /* idempotent */
}
END_TEST

/*
 * Which vectors are live, with which message: enable, function mask,
 * entry mask; and a vector that fires while masked is pending until it
 * is unmasked (PBA reads).
 */
START_TEST(msix_masks_and_pending)
{
	struct msix m;
	uint64_t addr;
	uint32_t data;
	uint8_t pba[8];

	ck_assert_int_eq(msix_init(&m, 70), 0);
	program(&m, 0, 0xfee00000, 0x41);
	program(&m, 69, 0x1fee01000ull, 0x42);
	/* Programmed but MSI-X off: nothing live; a fire is pending. */
	ck_assert(!msix_enabled(&m));
	ck_assert(!msix_live(&m, 0));
	ck_assert(!msix_fire(&m, 0));
	msix_pba_read(&m, 0, pba, 8);
	ck_assert_uint_eq(pba[0], 1);
	/* Enabled with the function masked: still nothing. */
	ck_assert(msix_set_flags(&m, MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL | 69));
	ck_assert(!msix_set_flags(&m, MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL));
	ck_assert(msix_enabled(&m));
	ck_assert(!msix_live(&m, 0));
	ck_assert(!msix_take_pending(&m, 0));
	/* Function unmasked: the programmed entries are live, the rest masked. */
	ck_assert(msix_set_flags(&m, MSIX_FLAGS_ENABLE));
	ck_assert(msix_live(&m, 0));
	ck_assert(msix_live(&m, 69));
	ck_assert(!msix_live(&m, 1));
	ck_assert(!msix_live(&m, 70));
	msix_message(&m, 69, &addr, &data);
	ck_assert_uint_eq(addr, 0x1fee01000ull);
	ck_assert_uint_eq(data, 0x42);
	/* The pending vector is sent once, then its bit is clear. */
	ck_assert(msix_take_pending(&m, 0));
	ck_assert(!msix_take_pending(&m, 0));
	msix_pba_read(&m, 0, pba, 8);
	ck_assert_uint_eq(pba[0], 0);
	ck_assert(msix_fire(&m, 0));
	/* Entry mask: vector 69 pends (second PBA qword, bit 5). */
	ck_assert_int_eq(tbl_wr(&m, 69 * 16 + 12, 1), 69);
	ck_assert(!msix_live(&m, 69));
	ck_assert(!msix_fire(&m, 69));
	msix_pba_read(&m, 8, pba, 8);
	ck_assert_uint_eq(pba[0], 0x20);
	msix_pba_read(&m, 15, pba, 2); /* past the array: 0 */
	ck_assert_uint_eq(pba[1], 0);
	ck_assert_int_eq(tbl_wr(&m, 69 * 16 + 12, 0), 69);
	ck_assert(msix_take_pending(&m, 69));
	/* Disabled again: nothing live, messages kept. */
	ck_assert(msix_set_flags(&m, 0));
	ck_assert(!msix_live(&m, 0));
	msix_message(&m, 0, &addr, &data);
	ck_assert_uint_eq(addr, 0xfee00000);
	ck_assert_uint_eq(data, 0x41);
	ck_assert(!msix_fire(&m, 70)); /* no such vector */
	msix_destroy(&m);
}
END_TEST

Suite *pci_suite(void)
{
	Suite *s = suite_create("pci");
	TCase *tc = tcase_create("config");
	TCase *th = tcase_create("host");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, identity_read_only);
	tcase_add_test(tc, bar_sizing);
	tcase_add_test(tc, bad_bar_declarations);
	tcase_add_test(tc, command_moves_bars);
	tcase_add_test(tc, odd_and_out_of_range);
	tcase_add_test(tc, status_and_capabilities);
	tcase_add_test(tc, msix_capability);
	tcase_add_test(tc, msix_table_writes);
	tcase_add_test(tc, msix_masks_and_pending);
	suite_add_tcase(s, tc);
	tcase_add_test(th, ecam_and_type1_decoding);
	tcase_add_test(th, host_routing);
	tcase_add_test(th, host_slots_and_windows);
	tcase_add_test(th, host_intx_iterator);
	tcase_add_test(th, host_fdt_node);
	suite_add_tcase(s, th);
	return s;
}
