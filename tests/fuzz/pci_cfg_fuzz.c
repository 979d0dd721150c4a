// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzes guest configuration-space accesses: the input is a sequence of
 * 8-byte accesses <kind len off16 val32> sent through the type-1 ports
 * and ECAM of a host bridge (devices/pci/host.c) to a function emulated
 * by devices/pci/pci.c with every kind of BAR, an MSI capability and an
 * MSI-X one (devices/pci/msix.c: accesses with bit 4 of kind go to its
 * table and PBA instead).
 * Checked on every access: no crash or sanitizer report; malformed
 * accesses read all-ones; the identity registers never change; every
 * BAR move reported is consistent with the last one (no double map or
 * unmap) and lands naturally aligned, non-zero, not wrapping; MSI-X
 * entries keep their reserved bits clear and a live vector is an
 * enabled, unmasked one.
 *
 * Built with clang -fsanitize=fuzzer,address by `make fuzz`; `make check`
 * replays tests/fuzz/corpus/pci_cfg/.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "pci/host.h"
#include "pci/msix.h"
#include "pci/pci.h"

static struct pci_cfg cfg;
static struct pci_host host;
static struct msix msix;
static struct msix_cap mcap;
static uint8_t msix_off;
static bool on[PCI_NUM_REGIONS];
static uint64_t at[PCI_NUM_REGIONS];

static void moved(void *opaque, unsigned int bar, bool was_on, uint64_t old,
		  bool now_on, uint64_t addr)
{
	uint64_t size = cfg.bar_size[bar];

	(void)opaque;
	if (bar >= PCI_NUM_REGIONS || was_on != on[bar] ||
	    (was_on && old != at[bar]) || (!was_on && !now_on))
		abort();
	if (now_on && (!addr || addr & (size - 1) || addr + size - 1 < addr))
		abort();
	on[bar] = now_on;
	at[bar] = now_on ? addr : 0;
}

static void fn_read(void *o, uint32_t off, uint8_t *data, uint32_t len)
{
	pci_cfg_read(o, off, data, len);
}

static void fn_write(void *o, uint32_t off, const uint8_t *data, uint32_t len)
{
	pci_cfg_write(o, off, data, len);
}

static const struct pci_dev_ops ops = { fn_read, fn_write };

static const struct pci_host_place place = {
	.ecam_base = 0xe0000000, .mem32_base = 0xc0000000,
	.mem32_size = 0x10000000, .mem64_base = 1ULL << 32,
	.mem64_size = 1ULL << 36,
};

static void setup(void)
{
	unsigned int slot;
	uint8_t cap;

	pci_host_init(&host, &place);
	pci_cfg_init(&cfg, 0x1234, 0x11e8, 0x00ff00, 1);
	cfg.bar_moved = moved;
	if (pci_cfg_set_bar(&cfg, 0, 0x100000, 0) ||
	    pci_cfg_set_bar(&cfg, 1, 64, PCI_BAR_IO) ||
	    pci_cfg_set_bar(&cfg, 2, 1ULL << 33, PCI_BAR_MEM64 | PCI_BAR_PREFETCH) ||
	    pci_cfg_set_bar(&cfg, 4, 16, 0) ||
	    pci_cfg_set_bar(&cfg, PCI_ROM_BAR, 0x8000, 0) ||
	    pci_cfg_add_cap(&cfg, PCI_CAP_ID_MSI, 14, &cap) ||
	    pci_cfg_add_cap(&cfg, PCI_CAP_ID_MSIX, 12, &msix_off) ||
	    pci_host_add(&host, &ops, &cfg, 1, 5, &slot))
		abort();
	memset(&cfg.wmask[cap + 2], 0xff, 12);
	/* 70 entries (two PBA qwords), table and PBA in BAR 4. */
	pci_cfg_set16(&cfg, msix_off + 2, 69);
	pci_cfg_set32(&cfg, msix_off + 4, 4);
	pci_cfg_set32(&cfg, msix_off + 8, 0x800 | 4);
	if (msix_cap_parse(&cfg, msix_off, &mcap) || msix_init(&msix, mcap.n))
		abort();
	memset(on, 0, sizeof(on));
	memset(at, 0, sizeof(at));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_level = LOG_QUIET;
	setup();
	for (size_t i = 0; i + 8 <= size; i += 8) {
		const uint8_t *op = data + i;
		bool write = op[0] & 1, ecam = op[0] & 2;
		uint32_t len = op[1] % 9, off = (uint32_t)(op[2] | op[3] << 8);
		uint8_t buf[8];

		memcpy(buf, op + 4, 4);
		memcpy(buf + 4, op + 4, 4);
		if (!len)
			len = 1;
		if (op[0] & 16) {
			/* The MSI-X table or PBA, and the control as config wrote it. */
			msix_set_flags(&msix, pci_cfg_get16(&cfg, msix_off + 2));
			if (op[0] & 32)
				msix_pba_read(&msix, off & 0x1f, buf, len);
			else
				msix_table_access(&msix, off, buf, len, write);
			for (unsigned int v = 0; v < msix.n; v++) {
				if ((msix.table[v * 4] & 3) || (msix.table[v * 4 + 3] & ~1u))
					abort();
				if (msix_live(&msix, v) && (!msix_enabled(&msix) ||
							    (msix.flags & MSIX_FLAGS_MASKALL) ||
							    (msix.table[v * 4 + 3] & 1)))
					abort();
				if (op[1] & 128)
					(void)(msix_fire(&msix, v) || msix_take_pending(&msix, v));
			}
			continue;
		}
		if (ecam) {
			/* Device 1, or now and then another (absent) function. */
			uint64_t eoff = (op[0] & 4 ? 2ULL << 15 : 1ULL << 15) |
					(off & 0xfff) | (op[0] & 8 ? 1ULL << 12 : 0);

			pci_host_ecam_access(&host, eoff, buf, len, write);
		} else if (op[0] & 4) {
			uint8_t latch[4] = { (uint8_t)(off & 0xfc), 0x08,
					     0x00, 0x80 };

			pci_host_type1_access(&host, 0, latch, 4, true);
			pci_host_type1_access(&host, 4 + (off & 3), buf,
					      len > 4 ? 4 : len, write);
		} else {
			pci_host_type1_access(&host, op[2] & 7, buf,
					      len > 4 ? 4 : len, write);
		}
		if (!write && !pci_cfg_access_ok(off & 0xfff, len) && ecam &&
		    !(op[0] & 12))
			for (uint32_t k = 0; k < len; k++)
				if (buf[k] != 0xff)
					abort();
		if (pci_cfg_get32(&cfg, 0) != 0x11e81234u)
			abort();
		for (unsigned int b = 0; b < PCI_NUM_BARS; b++)
			if (cfg.bar_size[b] && pci_cfg_bar_addr(&cfg, b) &
			    (cfg.bar_size[b] - 1) & ~0xfULL)
				abort();
	}
	msix_destroy(&msix);
	pci_host_destroy(&host);
	return 0;
}
