// SPDX-License-Identifier: GPL-2.0
/* MSI-X table, PBA and capability emulation: see msix.h. */
#include "pci/msix.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MSIX_BIR_MASK 0x7u

int msix_cap_parse(struct pci_cfg *c, uint8_t off, struct msix_cap *cap)
{
	uint16_t flags;
	uint32_t table, pba;

	if ((unsigned int)off + 12 > PCI_CFG_SIZE)
		return -EINVAL;
	flags = pci_cfg_get16(c, off + 2u);
	table = pci_cfg_get32(c, off + 4u);
	pba = pci_cfg_get32(c, off + 8u);
	cap->off = off;
	cap->n = (flags & MSIX_FLAGS_QSIZE) + 1;
	cap->table_bar = table & MSIX_BIR_MASK;
	cap->table_off = table & ~MSIX_BIR_MASK;
	cap->pba_bar = pba & MSIX_BIR_MASK;
	cap->pba_off = pba & ~MSIX_BIR_MASK;
	if (cap->table_bar >= PCI_NUM_BARS || cap->pba_bar >= PCI_NUM_BARS)
		return -EINVAL;
	/* The guest's bits, cleared as after reset; nothing else writable. */
	pci_cfg_set16(c, off + 2u, flags & ~(MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL));
	memset(&c->wmask[off], 0, 12);
	c->wmask[off + 3] = (MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL) >> 8;
	return 0;
}

uint64_t msix_table_size(unsigned int n)
{
	return (uint64_t)n * MSIX_ENTRY_SIZE;
}

uint64_t msix_pba_size(unsigned int n)
{
	return ((uint64_t)n + 63) / 64 * 8;
}

int msix_init(struct msix *m, unsigned int n)
{
	memset(m, 0, sizeof(*m));
	if (n == 0 || n > MSIX_MAX_ENTRIES)
		return -EINVAL;
	m->table = calloc(n, MSIX_ENTRY_SIZE);
	m->pba = calloc((n + 63) / 64, sizeof(uint64_t));
	if (!m->table || !m->pba) {
		msix_destroy(m);
		return -ENOMEM;
	}
	m->n = n;
	for (unsigned int i = 0; i < n; i++)
		m->table[i * 4 + 3] = MSIX_CTRL_MASKBIT;
	return 0;
}

void msix_destroy(struct msix *m)
{
	free(m->table);
	free(m->pba);
	m->table = NULL;
	m->pba = NULL;
	m->n = 0;
}

/* Writable bits of an entry's dwords: address (dword-aligned), upper address, data, mask. */
static const uint32_t entry_wmask[4] = { ~3u, ~0u, ~0u, MSIX_CTRL_MASKBIT };

int msix_table_access(struct msix *m, uint64_t off, uint8_t *data,
		      uint32_t len, bool is_write)
{
	uint64_t i = off / MSIX_ENTRY_SIZE;
	unsigned int w = (unsigned int)(off % MSIX_ENTRY_SIZE) / 4;
	bool changed = false;

	if ((len != 4 && len != 8) || off % len || i >= m->n) {
		if (!is_write)
			memset(data, 0xff, len > 8 ? 8 : len);
		return -1;
	}
	for (unsigned int k = 0; k < len / 4; k++) {
		uint32_t *e = &m->table[i * 4 + w + k];
		uint32_t v;

		if (!is_write) {
			memcpy(data + 4 * k, e, 4);
			continue;
		}
		memcpy(&v, data + 4 * k, 4);
		v = (v & entry_wmask[w + k]) | (*e & ~entry_wmask[w + k]);
		changed |= v != *e;
		*e = v;
	}
	return changed ? (int)i : -1;
}

void msix_pba_read(const struct msix *m, uint64_t off, uint8_t *data,
		   uint32_t len)
{
	for (uint32_t k = 0; k < len && k < 8; k++) {
		uint64_t byte = off + k;

		data[k] = byte / 8 < (m->n + 63) / 64
				  ? (uint8_t)(m->pba[byte / 8] >> (8 * (byte % 8)))
				  : 0;
	}
}

bool msix_set_flags(struct msix *m, uint16_t flags)
{
	uint16_t v = flags & (MSIX_FLAGS_ENABLE | MSIX_FLAGS_MASKALL);
	bool changed = v != m->flags;

	m->flags = v;
	return changed;
}

bool msix_enabled(const struct msix *m)
{
	return m->flags & MSIX_FLAGS_ENABLE;
}

bool msix_live(const struct msix *m, unsigned int i)
{
	return i < m->n && msix_enabled(m) && !(m->flags & MSIX_FLAGS_MASKALL) &&
	       !(m->table[i * 4 + 3] & MSIX_CTRL_MASKBIT);
}

void msix_message(const struct msix *m, unsigned int i, uint64_t *addr,
		  uint32_t *data)
{
	*addr = i < m->n ? m->table[i * 4] | (uint64_t)m->table[i * 4 + 1] << 32 : 0;
	*data = i < m->n ? m->table[i * 4 + 2] : 0;
}

bool msix_fire(struct msix *m, unsigned int i)
{
	if (i >= m->n)
		return false;
	if (msix_live(m, i))
		return true;
	m->pba[i / 64] |= 1ull << (i % 64);
	return false;
}

bool msix_take_pending(struct msix *m, unsigned int i)
{
	if (i >= m->n || !(m->pba[i / 64] & (1ull << (i % 64))) || !msix_live(m, i))
		return false;
	m->pba[i / 64] &= ~(1ull << (i % 64));
	return true;
}
