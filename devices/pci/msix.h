/* SPDX-License-Identifier: GPL-2.0 */
/*
 * MSI-X emulation (PCI Local Bus 3.0, 6.8.2), for a function whose
 * vectors the partition delivers itself (a passed-through device: VFIO
 * signals an eventfd per vector, KVM routes it with the guest's message):
 *
 * - the capability: message control's enable and function-mask bits are
 *   the guest's (cleared as after reset), table size and the table's and
 *   PBA's BAR and offset are the device's, read-only;
 * - the table, as the guest programs it: 16-byte entries of address,
 *   data and vector control, accessed as dwords or aligned qwords; an
 *   entry starts masked; only the mask bit of vector control is writable,
 *   the address is dword-aligned;
 * - the pending-bit array: read-only, a bit set when a vector fires while
 *   it cannot be delivered, cleared when it is delivered on unmasking;
 * - a vector is live (its message may be sent) when MSI-X is enabled and
 *   neither the function nor the entry is masked: what the owner turns
 *   into a KVM route plus an attached irqfd.
 *
 * Pure; the owner serialises accesses to one struct msix.
 */
#ifndef TESSERA_MSIX_H
#define TESSERA_MSIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pci/pci.h"

#define MSIX_ENTRY_SIZE 16
#define MSIX_MAX_ENTRIES 2048
#define MSIX_CTRL_MASKBIT 0x1u
#define MSIX_FLAGS_QSIZE 0x07ffu
#define MSIX_FLAGS_MASKALL 0x4000u
#define MSIX_FLAGS_ENABLE 0x8000u

/* Where the capability says the table and the PBA are. */
struct msix_cap {
	uint8_t off;             /* of the capability in config space */
	unsigned int n;          /* table entries, 1-2048 */
	unsigned int table_bar, pba_bar;
	uint64_t table_off, pba_off;
};

struct msix {
	unsigned int n;
	uint32_t *table; /* 4 dwords per entry, the guest's view */
	uint64_t *pba;   /* one bit per entry */
	uint16_t flags;  /* message control: enable and function mask */
};

/*
 * Reads the MSI-X capability at off of c (the device's bytes) into *cap,
 * and makes its message control the guest's: enable and function mask
 * writable and cleared, the rest read-only. 0, or -EINVAL when a BAR
 * indicator names no BAR (above 5) or the table does not fit its offset.
 */
int msix_cap_parse(struct pci_cfg *c, uint8_t off, struct msix_cap *cap);

/* A table of n entries (1-2048), every entry masked. 0, -EINVAL, -ENOMEM. */
int msix_init(struct msix *m, unsigned int n);

/* Frees the table. Safe on a zeroed or destroyed struct. */
void msix_destroy(struct msix *m);

/* The table's and the PBA's sizes in bytes for n entries. */
uint64_t msix_table_size(unsigned int n);
uint64_t msix_pba_size(unsigned int n);

/*
 * A guest access at off from the table's start: a dword, or an aligned
 * qword, inside one entry; anything else reads all-ones and writes
 * nothing. Returns the index of an entry a write changed (its address,
 * data or mask), or -1.
 */
int msix_table_access(struct msix *m, uint64_t off, uint8_t *data,
		      uint32_t len, bool is_write);

/* A guest read of len bytes (1-8) at off from the PBA's start. */
void msix_pba_read(const struct msix *m, uint64_t off, uint8_t *data,
		   uint32_t len);

/*
 * Message control as the guest wrote it (its enable and function-mask
 * bits are kept). Returns whether either changed.
 */
bool msix_set_flags(struct msix *m, uint16_t flags);

bool msix_enabled(const struct msix *m);

/* Whether vector i may be sent now: enabled, function and entry unmasked. */
bool msix_live(const struct msix *m, unsigned int i);

/* The guest's message for vector i. */
void msix_message(const struct msix *m, unsigned int i, uint64_t *addr,
		  uint32_t *data);

/*
 * Vector i fired: true if it is live (send it now), else its pending bit
 * is set and false.
 */
bool msix_fire(struct msix *m, unsigned int i);

/*
 * After an unmask or an enable: true, and the pending bit cleared, if
 * vector i was pending and is live now (send it once).
 */
bool msix_take_pending(struct msix *m, unsigned int i);

#endif
