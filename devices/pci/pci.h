/* SPDX-License-Identifier: GPL-2.0 */
/*
 * PCI configuration-space emulation (PCI Local Bus 3.0, chapter 6), shared
 * by the host bridge's own function and by passed-through devices:
 *
 * - a 256-byte conventional space with a write mask (bits the guest may
 *   change) and a write-1-to-clear mask (status bits);
 * - BARs (I/O, 32-bit and 64-bit memory, the expansion ROM) whose write
 *   masks make sizing work as on hardware: write all-ones, read back
 *   ~(size - 1) with the type bits;
 * - the command register's I/O and memory decode bits gating the BARs:
 *   after every write that touches the command register or a BAR, the
 *   space tells its owner which BAR now decodes where (bar_moved), so
 *   the owner can move the range on the bus while vCPUs run;
 * - a capability list builder.
 *
 * Accesses must be 1, 2 or 4 bytes inside one dword (what type-1 and
 * ECAM deliver to a conventional device); anything else reads all-ones
 * and writes nothing. Offsets 0x100-0xfff (ECAM's extended space) read 0,
 * so a guest sees no extended capability, and ignore writes.
 *
 * Pure; the caller serialises accesses to one space.
 */
#ifndef TESSERA_PCI_H
#define TESSERA_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_CFG_SIZE 256        /* conventional space */
#define PCI_CFG_ECAM_SIZE 4096  /* a function's ECAM window */
#define PCI_NUM_BARS 6
#define PCI_ROM_BAR 6           /* index of the expansion ROM in bar[] */
#define PCI_NUM_REGIONS 7

/* Header offsets and bits (pci_regs.h names, PCI_CFG_ prefixed). */
#define PCI_CFG_VENDOR_ID 0x00
#define PCI_CFG_DEVICE_ID 0x02
#define PCI_CFG_COMMAND 0x04
#define PCI_CFG_STATUS 0x06
#define PCI_CFG_REVISION 0x08
#define PCI_CFG_CLASS_PROG 0x09
#define PCI_CFG_HEADER_TYPE 0x0e
#define PCI_CFG_BAR0 0x10
#define PCI_CFG_SUBSYS_VENDOR 0x2c
#define PCI_CFG_ROM 0x30
#define PCI_CFG_CAP_PTR 0x34
#define PCI_CFG_INT_LINE 0x3c
#define PCI_CFG_INT_PIN 0x3d

#define PCI_CMD_IO 0x1
#define PCI_CMD_MEM 0x2
#define PCI_CMD_MASTER 0x4
#define PCI_CMD_INTX_DISABLE 0x400
#define PCI_STATUS_INTX 0x8
#define PCI_STATUS_CAP_LIST 0x10

#define PCI_BAR_IO 0x1         /* bit 0 of an I/O BAR */
#define PCI_BAR_MEM64 0x4      /* memory BAR type 10b */
#define PCI_BAR_PREFETCH 0x8
#define PCI_ROM_ENABLE 0x1

#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CFG_FIRST_FREE 0x40 /* capabilities go after the header */

/*
 * Called after an access moved a BAR: bar (0-5, or PCI_ROM_BAR) decoded
 * [old, old + size) if was_on, and decodes [addr, addr + size) if on.
 * On the accessing (vCPU) thread; may register and unregister bus ranges.
 */
typedef void (*pci_bar_moved_fn)(void *opaque, unsigned int bar, bool was_on,
				 uint64_t old, bool on, uint64_t addr);

struct pci_cfg {
	uint8_t data[PCI_CFG_SIZE];
	uint8_t wmask[PCI_CFG_SIZE]; /* bits a guest write changes */
	uint8_t w1c[PCI_CFG_SIZE];   /* bits a guest write of 1 clears */
	uint64_t bar_size[PCI_NUM_REGIONS]; /* 0: no such BAR */
	bool bar_on[PCI_NUM_REGIONS];       /* decoding now, at bar_addr */
	uint64_t bar_addr[PCI_NUM_REGIONS];
	uint8_t cap_last;  /* offset of the last capability, 0: none */
	uint8_t cap_free;  /* first byte no capability uses */
	pci_bar_moved_fn bar_moved; /* may be NULL */
	void *opaque;
};

/*
 * A type-0 header for vendor:device with the 24-bit class code, command
 * register writable for I/O, memory, bus master and INTx disable, the
 * interrupt line register writable, no BAR and no capability.
 */
void pci_cfg_init(struct pci_cfg *c, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision);

/*
 * Declares BAR bar (0-5, or PCI_ROM_BAR) of size bytes (a power of two;
 * at least 16 for memory, 4 for I/O, 2 KiB for the ROM) with flags
 * (PCI_BAR_IO, or PCI_BAR_MEM64 and/or PCI_BAR_PREFETCH for memory). A
 * 64-bit BAR takes bar + 1 too. Its address starts at 0, not decoding.
 * 0, or -EINVAL for a bad index, size or flags.
 */
int pci_cfg_set_bar(struct pci_cfg *c, unsigned int bar, uint64_t size,
		    uint8_t flags);

/*
 * Writes the address of BAR bar as firmware would (no decode until the
 * command register enables it). 0 or -EINVAL (no such BAR, misaligned).
 */
int pci_cfg_place_bar(struct pci_cfg *c, unsigned int bar, uint64_t addr);

/* The address BAR bar holds now (whether or not it decodes). */
uint64_t pci_cfg_bar_addr(const struct pci_cfg *c, unsigned int bar);

/*
 * Appends a capability of len bytes (id and next pointer included) to the
 * list. 0 with its offset in *off, or -ENOSPC.
 */
int pci_cfg_add_cap(struct pci_cfg *c, uint8_t id, uint8_t len,
		    uint8_t *off);

/* Whether an access of len bytes at off is one the space serves. Pure. */
bool pci_cfg_access_ok(uint32_t off, uint32_t len);

/*
 * A guest read: len bytes at off into data (little-endian). Bad accesses
 * read all-ones. Returns whether the access was served.
 */
bool pci_cfg_read(const struct pci_cfg *c, uint32_t off, uint8_t *data,
		  uint32_t len);

/*
 * A guest write through the masks; then, if it touched the command
 * register or a BAR, the BARs are re-evaluated and bar_moved called for
 * each that changed. Returns whether the access was served.
 */
bool pci_cfg_write(struct pci_cfg *c, uint32_t off, const uint8_t *data,
		   uint32_t len);

/* Little-endian helpers for the space's bytes. */
uint16_t pci_cfg_get16(const struct pci_cfg *c, uint32_t off);
uint32_t pci_cfg_get32(const struct pci_cfg *c, uint32_t off);
void pci_cfg_set16(struct pci_cfg *c, uint32_t off, uint16_t v);
void pci_cfg_set32(struct pci_cfg *c, uint32_t off, uint32_t v);

#endif
