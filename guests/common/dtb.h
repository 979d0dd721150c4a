/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small reader of flattened device trees (DTB, Devicetree Specification
 * chapter 5) for the freestanding test guests, and the walk that finds the
 * DTB the way Linux does on x86: boot_params (the "zero page", its address
 * in RSI at entry) -> hdr.setup_data -> a chain of struct setup_data ->
 * the SETUP_DTB entry.
 *
 * Plain C with no libc, no libfdt and no allocation, so the host's unit
 * tests build it too. The blob is untrusted: every offset and length read
 * from it is checked against the blob's size before use, so a corrupt tree
 * gives an error and never a read outside the blob. Read-only; any thread.
 *
 * Node handles are offsets (>= 0) of a node in the structure block.
 * Functions return a handle or 0 on success, -DTB_ENOENT when something is
 * absent and -DTB_EINVAL when the blob (or an argument) is malformed.
 */
#ifndef GUEST_DTB_H
#define GUEST_DTB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The errno values of the same name, for host code that compares. */
#define DTB_ENOENT 2
#define DTB_EINVAL 22

#define DTB_MAGIC 0xd00dfeedu
#define DTB_MAX_ADDR_CELLS 3 /* enough for PCI; ours use 1 or 2 */
#define DTB_MAX_IRQ_CELLS 4
#define DTB_MAX_DEPTH 16

/* Linux's boot protocol (Documentation/x86/boot.rst). */
#define BOOT_PARAMS_SETUP_DATA 0x250 /* u64 hdr.setup_data in the zero page */
#define SETUP_DATA_HDR_SIZE 16       /* u64 next, u32 type, u32 len */
#define SETUP_DTB 2
#define SETUP_DATA_MAX_CHAIN 64 /* longer chains are taken for loops */

struct dtb {
	const uint8_t *blob;
	uint32_t size;                   /* totalsize, checked against the buffer */
	uint32_t struct_off, struct_size; /* structure block */
	uint32_t strings_off, strings_size;
};

/* One reg entry, decoded with the parent's #address-cells and #size-cells. */
struct dtb_reg {
	uint32_t naddr;                    /* address cells, 1..DTB_MAX_ADDR_CELLS */
	uint32_t addr[DTB_MAX_ADDR_CELLS]; /* addr[0] is the most significant */
	uint64_t size;                     /* 0..2 size cells */
};

/* The address from the last two address cells (all of it for 1 or 2). */
static inline uint64_t dtb_reg_addr(const struct dtb_reg *r)
{
	uint64_t lo;

	if (r->naddr == 0 || r->naddr > DTB_MAX_ADDR_CELLS)
		return 0;
	lo = r->addr[r->naddr - 1];
	return r->naddr >= 2 ? ((uint64_t)r->addr[r->naddr - 2] << 32) | lo : lo;
}

/*
 * Follows the setup_data chain from the zero page at guest-physical
 * zero_page to the SETUP_DTB entry. Guest memory is the window [0, limit),
 * guest-physical address a being readable at host address base + a (in a
 * guest: base 0, limit 4 GiB, the identity map). Returns 0 with the blob
 * and the entry's length, -DTB_ENOENT without one, -DTB_EINVAL for a
 * chain that leaves the window, loops or is longer than
 * SETUP_DATA_MAX_CHAIN.
 */
int dtb_find_setup_dtb(uintptr_t base, uint64_t limit, uint64_t zero_page,
		       const void **blob, uint32_t *len);

/*
 * Checks the header of the blob in buffer [blob, blob+len) (magic, version
 * 17, blocks inside totalsize, totalsize <= len) and fills t. 0 or
 * -DTB_EINVAL.
 */
int dtb_init(struct dtb *t, const void *blob, uint64_t len);

/* The root node. */
int dtb_root(const struct dtb *t);

/*
 * The node at path ("/", "/cpus", "/isa/serial@i3f8"). A component without
 * '@' also matches a node name with a unit address ("/memory" finds
 * "/memory@0"), the first one.
 */
int dtb_find_path(const struct dtb *t, const char *path);

/*
 * The first node after node `after` (or from the root when after < 0), in
 * tree order, whose "compatible" string list contains compat.
 */
int dtb_find_compatible(const struct dtb *t, int after, const char *compat);

/* The node whose "phandle" property is ph. */
int dtb_find_phandle(const struct dtb *t, uint32_t ph);

/* Children of a node, in order. */
int dtb_first_child(const struct dtb *t, int node);
int dtb_next_sibling(const struct dtb *t, int node);
int dtb_parent(const struct dtb *t, int node);

/* The node's name (with its unit address); points into the blob. */
int dtb_node_name(const struct dtb *t, int node, const char **name);

/* A property's value and length; val points into the blob. */
int dtb_get_prop(const struct dtb *t, int node, const char *name,
		 const uint8_t **val, uint32_t *len);

/* A one-cell property (exactly 4 bytes). */
int dtb_prop_u32(const struct dtb *t, int node, const char *name,
		 uint32_t *v);

/* A string property (NUL-terminated inside its value). */
int dtb_prop_string(const struct dtb *t, int node, const char *name,
		    const char **s);

/* Whether a string-list property (e.g. compatible) contains s. */
bool dtb_prop_has_string(const struct dtb *t, int node, const char *name,
			 const char *s);

/*
 * Entry `index` of the node's reg, in the cell format of its parent
 * (#address-cells 1..3, #size-cells 0..2; the spec's defaults 2 and 1
 * when absent). -DTB_ENOENT past the last entry.
 */
int dtb_reg(const struct dtb *t, int node, unsigned int index,
	    struct dtb_reg *r);

/*
 * Entry `index` of the node's "interrupts", in the format of its interrupt
 * parent (interrupt-parent on the node or an ancestor, resolved by phandle;
 * its #interrupt-cells, 1..DTB_MAX_IRQ_CELLS). Fills cells[] and *ncells.
 */
int dtb_interrupt(const struct dtb *t, int node, unsigned int index,
		  uint32_t cells[DTB_MAX_IRQ_CELLS], uint32_t *ncells);

#endif
