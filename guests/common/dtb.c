// SPDX-License-Identifier: GPL-2.0
/*
 * Flattened device tree reader for the freestanding guests (see dtb.h).
 * Layout after the Devicetree Specification v0.4, chapter 5: a 40-byte
 * big-endian header, a structure block of 4-byte-aligned tokens and a
 * strings block of NUL-terminated property names.
 *
 * One rule keeps it safe: only next_tok() reads the structure block, and
 * it checks each token (and the name or value it carries) against the
 * block's bounds before returning it. Every walk advances by at least one
 * token, so every loop ends.
 */
#include "dtb.h"

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

#define HDR_SIZE 40
#define DTB_VERSION 17 /* the first with size_dt_struct */

struct tok {
	uint32_t type;
	uint32_t next;      /* offset of the following token */
	const char *name;   /* BEGIN_NODE: node name; PROP: property name */
	const uint8_t *val; /* PROP: value */
	uint32_t len;       /* PROP: value length */
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[1] << 8 | p[0];
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p + 4) << 32 | le32(p);
}

/* Whether [off, off+n) lies inside [0, size). */
static bool span_ok(uint64_t size, uint64_t off, uint64_t n)
{
	return off <= size && n <= size - off;
}

/* Length of the string at s if a NUL ends it within avail bytes, else -1. */
static int64_t str_len(const uint8_t *s, uint32_t avail)
{
	for (uint32_t i = 0; i < avail; i++)
		if (!s[i])
			return i;
	return -1;
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

/* Decodes the token at off (relative to the structure block). */
static int next_tok(const struct dtb *t, uint32_t off, struct tok *k)
{
	const uint8_t *s = t->blob + t->struct_off;
	uint32_t end = t->struct_size;
	uint64_t next;
	uint32_t nameoff;
	int64_t n;

	if (off % 4 || !span_ok(end, off, 4))
		return -DTB_EINVAL;
	k->type = be32(s + off);
	k->name = 0;
	k->val = 0;
	k->len = 0;
	k->next = off + 4;
	switch (k->type) {
	case FDT_BEGIN_NODE:
		n = str_len(s + off + 4, end - off - 4);
		next = align4((uint64_t)off + 4 + (uint64_t)n + 1);
		if (n < 0 || next > end)
			return -DTB_EINVAL;
		k->name = (const char *)(s + off + 4);
		k->next = (uint32_t)next;
		return 0;
	case FDT_PROP:
		if (!span_ok(end, off, 12))
			return -DTB_EINVAL;
		k->len = be32(s + off + 4);
		nameoff = be32(s + off + 8);
		next = align4((uint64_t)off + 12 + k->len);
		if (next > end || nameoff >= t->strings_size)
			return -DTB_EINVAL;
		n = str_len(t->blob + t->strings_off + nameoff,
			    t->strings_size - nameoff);
		if (n < 0)
			return -DTB_EINVAL;
		k->name = (const char *)(t->blob + t->strings_off + nameoff);
		k->val = s + off + 12;
		k->next = (uint32_t)next;
		return 0;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		return 0;
	default:
		return -DTB_EINVAL;
	}
}

/* Checks that node is the offset of a BEGIN_NODE token; k is that token. */
static int node_tok(const struct dtb *t, int node, struct tok *k)
{
	int r;

	if (!t || node < 0)
		return -DTB_EINVAL;
	r = next_tok(t, (uint32_t)node, k);
	if (r == 0 && k->type != FDT_BEGIN_NODE)
		r = -DTB_EINVAL;
	return r;
}

int dtb_find_setup_dtb(uintptr_t base, uint64_t limit, uint64_t zero_page,
		       const void **blob, uint32_t *len)
{
	const uint8_t *p;
	uint64_t pa;

	if (!blob || !len || (limit && limit - 1 > UINTPTR_MAX - base))
		return -DTB_EINVAL;
	if (!zero_page)
		return -DTB_ENOENT;
	if (!span_ok(limit, zero_page, BOOT_PARAMS_SETUP_DATA + 8))
		return -DTB_EINVAL;
	pa = le64((const uint8_t *)(base + zero_page + BOOT_PARAMS_SETUP_DATA));
	for (unsigned int i = 0; pa; i++) {
		uint32_t n;

		if (i == SETUP_DATA_MAX_CHAIN ||
		    !span_ok(limit, pa, SETUP_DATA_HDR_SIZE))
			return -DTB_EINVAL;
		p = (const uint8_t *)(base + pa);
		n = le32(p + 12);
		if (le32(p + 8) == SETUP_DTB) {
			if (!span_ok(limit, pa + SETUP_DATA_HDR_SIZE, n))
				return -DTB_EINVAL;
			*blob = p + SETUP_DATA_HDR_SIZE;
			*len = n;
			return 0;
		}
		pa = le64(p);
	}
	return -DTB_ENOENT;
}

int dtb_init(struct dtb *t, const void *blob, uint64_t len)
{
	const uint8_t *b = blob;
	uint32_t total;

	if (!t || !b || len < HDR_SIZE || be32(b) != DTB_MAGIC)
		return -DTB_EINVAL;
	total = be32(b + 4);
	if (total < HDR_SIZE || total > len || total > 0x7fffffffu ||
	    be32(b + 20) < DTB_VERSION || be32(b + 24) > DTB_VERSION)
		return -DTB_EINVAL;
	t->blob = b;
	t->size = total;
	t->struct_off = be32(b + 8);
	t->strings_off = be32(b + 12);
	t->strings_size = be32(b + 32);
	t->struct_size = be32(b + 36);
	if (t->struct_off < HDR_SIZE || t->struct_off % 4 ||
	    t->strings_off < HDR_SIZE ||
	    !span_ok(total, t->struct_off, t->struct_size) ||
	    !span_ok(total, t->strings_off, t->strings_size))
		return -DTB_EINVAL;
	return 0;
}

int dtb_root(const struct dtb *t)
{
	struct tok k;
	uint32_t off = 0;
	int r;

	if (!t)
		return -DTB_EINVAL;
	for (;;) {
		r = next_tok(t, off, &k);
		if (r)
			return r;
		if (k.type == FDT_BEGIN_NODE)
			return (int)off;
		if (k.type != FDT_NOP)
			return -DTB_EINVAL;
		off = k.next;
	}
}

int dtb_get_prop(const struct dtb *t, int node, const char *name,
		 const uint8_t **val, uint32_t *len)
{
	struct tok k;
	uint32_t off;
	int r = node_tok(t, node, &k);

	if (r)
		return r;
	if (!name || !val || !len)
		return -DTB_EINVAL;
	/* Properties come first in a node (DT spec 5.4.2); NOPs may mix in. */
	for (off = k.next;; off = k.next) {
		r = next_tok(t, off, &k);
		if (r)
			return r;
		if (k.type == FDT_PROP && str_eq(k.name, name)) {
			*val = k.val;
			*len = k.len;
			return 0;
		}
		if (k.type != FDT_PROP && k.type != FDT_NOP)
			return -DTB_ENOENT;
	}
}

int dtb_prop_u32(const struct dtb *t, int node, const char *name,
		 uint32_t *v)
{
	const uint8_t *p;
	uint32_t len;
	int r = dtb_get_prop(t, node, name, &p, &len);

	if (r)
		return r;
	if (len != 4 || !v)
		return -DTB_EINVAL;
	*v = be32(p);
	return 0;
}

int dtb_prop_string(const struct dtb *t, int node, const char *name,
		    const char **s)
{
	const uint8_t *p;
	uint32_t len;
	int r = dtb_get_prop(t, node, name, &p, &len);

	if (r)
		return r;
	if (len == 0 || p[len - 1] || !s)
		return -DTB_EINVAL;
	*s = (const char *)p;
	return 0;
}

bool dtb_prop_has_string(const struct dtb *t, int node, const char *name,
			 const char *s)
{
	const uint8_t *p;
	uint32_t len, i = 0;

	if (!s || dtb_get_prop(t, node, name, &p, &len) || len == 0 ||
	    p[len - 1])
		return false;
	while (i < len) {
		const char *item = (const char *)p + i;
		int64_t n = str_len(p + i, len - i); /* >= 0: p[len-1] is NUL */

		if (str_eq(item, s))
			return true;
		i += (uint32_t)n + 1;
	}
	return false;
}

int dtb_node_name(const struct dtb *t, int node, const char **name)
{
	struct tok k;
	int r = node_tok(t, node, &k);

	if (r == 0 && !name)
		r = -DTB_EINVAL;
	if (r == 0)
		*name = k.name;
	return r;
}

/* The offset just after node's END_NODE. */
static int skip_node(const struct dtb *t, int node, uint32_t *after)
{
	struct tok k;
	uint32_t off = (uint32_t)node, depth = 0;
	int r = node_tok(t, node, &k);

	for (; r == 0; off = k.next) {
		r = next_tok(t, off, &k);
		if (r)
			break;
		if (k.type == FDT_BEGIN_NODE) {
			depth++;
		} else if (k.type == FDT_END_NODE) {
			if (--depth == 0) {
				*after = k.next;
				return 0;
			}
		} else if (k.type == FDT_END) {
			r = -DTB_EINVAL;
		}
	}
	return r;
}

/* From off, skips NOPs: the node that starts there, or why there is none. */
static int node_at(const struct dtb *t, uint32_t off, bool props_ok)
{
	struct tok k;
	int r;

	for (;; off = k.next) {
		r = next_tok(t, off, &k);
		if (r)
			return r;
		if (k.type == FDT_BEGIN_NODE)
			return (int)off;
		if (k.type == FDT_END_NODE)
			return -DTB_ENOENT;
		if (k.type == FDT_END || (k.type == FDT_PROP && !props_ok))
			return -DTB_EINVAL;
	}
}

int dtb_first_child(const struct dtb *t, int node)
{
	struct tok k;
	int r = node_tok(t, node, &k);

	return r ? r : node_at(t, k.next, true);
}

int dtb_next_sibling(const struct dtb *t, int node)
{
	uint32_t after;
	int r = skip_node(t, node, &after);

	return r ? r : node_at(t, after, false);
}

int dtb_parent(const struct dtb *t, int node)
{
	uint32_t stack[DTB_MAX_DEPTH];
	uint32_t off = 0, depth = 0;
	struct tok k;
	int r = node_tok(t, node, &k);

	for (; r == 0; off = k.next) {
		r = next_tok(t, off, &k);
		if (r)
			break;
		if (k.type == FDT_BEGIN_NODE) {
			if (off == (uint32_t)node)
				return depth ? (int)stack[depth - 1] : -DTB_ENOENT;
			if (depth == DTB_MAX_DEPTH)
				return -DTB_EINVAL;
			stack[depth++] = off;
		} else if (k.type == FDT_END_NODE) {
			if (depth == 0)
				return -DTB_EINVAL;
			depth--;
		} else if (k.type == FDT_END) {
			r = -DTB_EINVAL;
		}
	}
	return r;
}

/* Does a path component of clen bytes name this node? */
static bool name_match(const char *name, const char *comp, uint32_t clen)
{
	bool comp_has_unit = false;

	for (uint32_t i = 0; i < clen; i++) {
		if (name[i] != comp[i])
			return false; /* also stops at name's NUL */
		comp_has_unit |= comp[i] == '@';
	}
	return name[clen] == '\0' || (name[clen] == '@' && !comp_has_unit);
}

int dtb_find_path(const struct dtb *t, const char *path)
{
	int node = dtb_root(t);

	if (node < 0)
		return node;
	if (!path || path[0] != '/')
		return -DTB_EINVAL;
	while (*path) {
		const char *name;
		uint32_t clen = 0;
		int child;

		while (*path == '/')
			path++;
		while (path[clen] && path[clen] != '/')
			clen++;
		if (clen == 0)
			break;
		for (child = dtb_first_child(t, node); child >= 0;
		     child = dtb_next_sibling(t, child)) {
			if (dtb_node_name(t, child, &name) == 0 &&
			    name_match(name, path, clen))
				break;
		}
		if (child < 0)
			return child;
		node = child;
		path += clen;
	}
	return node;
}

int dtb_find_compatible(const struct dtb *t, int after, const char *compat)
{
	struct tok k;
	uint32_t off;
	int r;

	if (after < 0) {
		r = dtb_root(t);
		if (r < 0)
			return r;
		off = (uint32_t)r;
	} else {
		r = node_tok(t, after, &k);
		if (r)
			return r;
		off = k.next;
	}
	for (;; off = k.next) {
		r = next_tok(t, off, &k);
		if (r)
			return r;
		if (k.type == FDT_END)
			return -DTB_ENOENT;
		if (k.type == FDT_BEGIN_NODE &&
		    dtb_prop_has_string(t, (int)off, "compatible", compat))
			return (int)off;
	}
}

int dtb_find_phandle(const struct dtb *t, uint32_t ph)
{
	struct tok k;
	uint32_t off, v;
	int r = dtb_root(t);

	if (r < 0)
		return r;
	if (ph == 0 || ph == 0xffffffffu)
		return -DTB_EINVAL;
	for (off = (uint32_t)r;; off = k.next) {
		r = next_tok(t, off, &k);
		if (r)
			return r;
		if (k.type == FDT_END)
			return -DTB_ENOENT;
		if (k.type == FDT_BEGIN_NODE &&
		    dtb_prop_u32(t, (int)off, "phandle", &v) == 0 && v == ph)
			return (int)off;
	}
}

/* A #...-cells property, or the default when absent. */
static int cells(const struct dtb *t, int node, const char *name,
		 uint32_t def, uint32_t *v)
{
	int r = dtb_prop_u32(t, node, name, v);

	if (r == -DTB_ENOENT) {
		*v = def;
		r = 0;
	}
	return r;
}

int dtb_reg(const struct dtb *t, int node, unsigned int index,
	    struct dtb_reg *reg)
{
	const uint8_t *p;
	uint32_t na, ns, len, entry;
	int parent = dtb_parent(t, node);
	int r = parent < 0 ? parent : 0;

	r = r ?: cells(t, parent, "#address-cells", 2, &na);
	r = r ?: cells(t, parent, "#size-cells", 1, &ns);
	r = r ?: dtb_get_prop(t, node, "reg", &p, &len);
	if (r)
		return r;
	if (!reg || na < 1 || na > DTB_MAX_ADDR_CELLS || ns > 2)
		return -DTB_EINVAL;
	entry = (na + ns) * 4;
	if (len % entry)
		return -DTB_EINVAL;
	if (index >= len / entry)
		return -DTB_ENOENT;
	p += (uint64_t)index * entry;
	reg->naddr = na;
	for (uint32_t i = 0; i < na; i++, p += 4)
		reg->addr[i] = be32(p);
	reg->size = 0;
	for (uint32_t i = 0; i < ns; i++, p += 4)
		reg->size = reg->size << 32 | be32(p);
	return 0;
}

/* interrupt-parent of the node or of its nearest ancestor that has one. */
static int interrupt_parent(const struct dtb *t, int node)
{
	uint32_t ph;

	for (unsigned int i = 0; i <= DTB_MAX_DEPTH; i++) {
		int r = dtb_prop_u32(t, node, "interrupt-parent", &ph);

		if (r == 0)
			return dtb_find_phandle(t, ph);
		if (r != -DTB_ENOENT)
			return r;
		node = dtb_parent(t, node);
		if (node < 0)
			return node;
	}
	return -DTB_EINVAL;
}

int dtb_interrupt(const struct dtb *t, int node, unsigned int index,
		  uint32_t cells_out[DTB_MAX_IRQ_CELLS], uint32_t *ncells)
{
	const uint8_t *p;
	uint32_t nc, len;
	int ip = interrupt_parent(t, node);
	int r = ip < 0 ? ip : 0;

	r = r ?: dtb_prop_u32(t, ip, "#interrupt-cells", &nc);
	r = r ?: dtb_get_prop(t, node, "interrupts", &p, &len);
	if (r)
		return r;
	if (!cells_out || !ncells || nc < 1 || nc > DTB_MAX_IRQ_CELLS ||
	    len % (nc * 4))
		return -DTB_EINVAL;
	if (index >= len / (nc * 4))
		return -DTB_ENOENT;
	p += (uint64_t)index * nc * 4;
	for (uint32_t i = 0; i < nc; i++)
		cells_out[i] = be32(p + 4 * i);
	*ncells = nc;
	return 0;
}
