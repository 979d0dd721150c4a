// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb stub's breakpoint tables (vmm/gdb/bp.c), without a VM: how Z
 * requests take hardware slots, what the host's capabilities allow, and
 * what a debug exit means. Properties, not one arch's numbers: each slot
 * must satisfy arch_gdb_slot_fits, the pieces must cover the request
 * exactly, and a request either takes all its slots or none.
 */
#include <errno.h>
#include <string.h>

#include "gdb/stub_int.h"
#include "suites.h"

static struct gdb_stub g;

static void setup(void)
{
	memset(&g, 0, sizeof(g));
	g.client_fd = -1;
	g.nslots = arch_gdb_hw_slots();
	if (g.nslots > GDB_HW_SLOTS_MAX)
		g.nslots = GDB_HW_SLOTS_MAX;
}

static unsigned int used_slots(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < g.nslots; i++)
		n += g.slot[i].used;
	return n;
}

/* The used slots of type cover [addr, addr + len) once each, and fit. */
static void assert_cover(enum gdb_bp_type type, uint64_t addr, uint64_t len)
{
	uint64_t covered = 0;

	for (unsigned int i = 0; i < g.nslots; i++) {
		const struct gdb_hw_slot *s = &g.slot[i];

		if (!s->used)
			continue;
		ck_assert_int_eq(s->type, type);
		ck_assert(arch_gdb_slot_fits(type, s->addr, s->len));
		ck_assert_uint_ge(s->addr, addr);
		ck_assert_uint_le(s->addr + s->len, addr + len);
		for (unsigned int j = 0; j < i; j++) /* no overlap */
			ck_assert(!g.slot[j].used ||
				  g.slot[j].addr + g.slot[j].len <= s->addr ||
				  s->addr + s->len <= g.slot[j].addr);
		covered += s->len;
	}
	ck_assert_uint_eq(covered, len);
}

START_TEST(watch_pieces_cover_or_nothing)
{
	static const struct { uint64_t addr, len; } req[] = {
		{ 0x1000, 1 }, { 0x1000, 8 }, { 0x1001, 6 }, { 0x1001, 7 },
		{ 0x1003, 2 }, { 0x1001, 15 }, { 0x1001, 16 }, { 0x2000, 64 },
		{ 0x2001, 4096 },
	};
	bool some_ok = false, some_full = false;

	for (unsigned int i = 0; i < ARRAY_SIZE(req); i++) {
		int r;

		setup();
		if (g.nslots == 0)
			return; /* an arch without slots: nothing to split */
		r = gdb_bp_insert(&g, GDB_WP_WRITE, req[i].addr, req[i].len);
		if (r == 0) {
			some_ok = true;
			assert_cover(GDB_WP_WRITE, req[i].addr, req[i].len);
			/* Z packets are idempotent: the same one takes nothing more. */
			ck_assert_int_eq(gdb_bp_insert(&g, GDB_WP_WRITE, req[i].addr,
						       req[i].len), 0);
			assert_cover(GDB_WP_WRITE, req[i].addr, req[i].len);
			gdb_bp_remove(&g, GDB_WP_WRITE, req[i].addr, req[i].len);
		} else {
			ck_assert(r == -ENOSPC || r == -EINVAL);
			some_full |= r == -ENOSPC;
		}
		ck_assert_uint_eq(used_slots(), 0);
	}
	ck_assert(some_ok);
	ck_assert(some_full); /* 4096 unaligned bytes fit no arch's slots */
}
END_TEST

START_TEST(slots_run_out_all_or_nothing)
{
	unsigned int n;

	setup();
	if (g.nslots == 0)
		return;
	/* Fill every slot but one with one-byte watches... */
	for (n = 0; n + 1 < g.nslots; n++)
		ck_assert_int_eq(gdb_bp_insert(&g, GDB_WP_WRITE, 0x3000 + 16 * n, 1), 0);
	ck_assert_uint_eq(used_slots(), g.nslots - 1);
	/* ...then a request needing two (two bytes that straddle any alignment). */
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_WP_WRITE, 0x4007, 2), -ENOSPC);
	ck_assert_uint_eq(used_slots(), g.nslots - 1);
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_BP_HW, 0x5000, 1), 0);
	ck_assert_uint_eq(used_slots(), g.nslots);
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_BP_HW, 0x5001, 1), -ENOSPC);
	gdb_bp_remove_all(&g);
	ck_assert_uint_eq(used_slots(), 0);
}
END_TEST

/* gdb's kind for Z1 is the instruction's size (arm64: 4): z1 with the same
 * kind frees the slot (it once stayed armed when kind was not 1). */
START_TEST(hw_breakpoint_kind_is_not_a_length)
{
	setup();
	if (g.nslots == 0)
		return;
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_BP_HW, 0x80001000, 4), 0);
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_BP_HW, 0x80001000, 4), 0); /* again: no new slot */
	ck_assert_uint_eq(used_slots(), 1);
	gdb_bp_remove(&g, GDB_BP_HW, 0x80001000, 4);
	ck_assert_uint_eq(used_slots(), 0);
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_BP_HW, 0x5000, 1), 0);
	gdb_bp_remove(&g, GDB_BP_HW, 0x5000, 1);
	ck_assert_uint_eq(used_slots(), 0);
}
END_TEST

/* Where the instruction cannot be used, a software breakpoint takes a slot. */
START_TEST(sw_breakpoint_in_a_slot)
{
	setup();
	if (g.nslots == 0)
		return;
	g.insn_ok = false;
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_BP_SW, 0x100000, 1), 0);
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_BP_SW, 0x100000, 1), 0);
	ck_assert_uint_eq(used_slots(), 1);
	ck_assert_uint_eq(g.nswbp, 1);
	ck_assert_int_eq(g.swbp[0].slot >= 0, 1);
	ck_assert_int_eq(g.slot[g.swbp[0].slot].type, GDB_BP_SW);
	ck_assert_uint_eq(g.slot[g.swbp[0].slot].addr, 0x100000);
	gdb_bp_remove(&g, GDB_BP_SW, 0x100000, 1);
	ck_assert_uint_eq(used_slots(), 0);
	ck_assert_uint_eq(g.nswbp, 0);
	/* Removing what is not there is fine (z is idempotent too). */
	gdb_bp_remove(&g, GDB_BP_SW, 0x100000, 1);
	gdb_bp_remove(&g, GDB_WP_WRITE, 0x100000, 8);
}
END_TEST

/* What the host's measured capabilities let gdb insert. */
START_TEST(supported_by_caps)
{
	setup();
	memset(&g.caps, 0, sizeof(g.caps));
	ck_assert(!gdb_bp_supported(&g, GDB_BP_SW));
	ck_assert(!gdb_bp_supported(&g, GDB_BP_HW));
	ck_assert(!gdb_bp_supported(&g, GDB_WP_WRITE));
	g.caps.step = true; /* kvm_pvm's and the lab's fallback */
	ck_assert(gdb_bp_supported(&g, GDB_BP_SW));
	ck_assert(gdb_bp_supported(&g, GDB_BP_HW));
	ck_assert(gdb_bp_supported(&g, GDB_WP_WRITE));
	ck_assert(!gdb_bp_supported(&g, GDB_WP_ACCESS)); /* stepping sees no reads */
	g.caps.hw_watch = true;
	ck_assert(gdb_bp_supported(&g, GDB_WP_ACCESS));
	ck_assert(!gdb_bp_supported(&g, GDB_WP_READ));
	ck_assert(!gdb_bp_supported(&g, 9));
}
END_TEST

/* A debug exit, told apart: a slot's hit, a stale slot, a step. */
START_TEST(classify_slot_and_step_exits)
{
	struct gdb_debug_exit e = { 0 };
	struct stop s;
	int n;

	setup();
	if (g.nslots == 0)
		return;
	ck_assert_int_eq(gdb_bp_insert(&g, GDB_WP_WRITE, 0x6000, 8), 0);
	for (n = 0; !g.slot[n].used; n++)
		;
	e.slot_mask = 1u << n;
	/* No debugger attached: a leftover, dropped. */
	ck_assert_int_eq(gdb_classify(&g, 0, &e, &s), DISP_DROP);
	g.client_fd = 1000; /* attached (never used as a descriptor here) */
	ck_assert_int_eq(gdb_classify(&g, 0, &e, &s), DISP_REPORT);
	ck_assert_int_eq(s.why, WHY_WATCH);
	ck_assert_uint_eq(s.addr, 0x6000); /* gdb's address, not the piece's */
	ck_assert_uint_eq(s.sig, 5);
	gdb_bp_remove(&g, GDB_WP_WRITE, 0x6000, 8);
	ck_assert_int_eq(gdb_classify(&g, 0, &e, &s), DISP_DROP); /* freed since */
	e.slot_mask = 0;
	e.step = true;
	ck_assert_int_eq(gdb_classify(&g, 0, &e, &s), DISP_DROP); /* nobody stepped */
	g.vcpu[0].step = true;
	ck_assert_int_eq(gdb_classify(&g, 0, &e, &s), DISP_REPORT);
	ck_assert_int_eq(s.why, WHY_SIGNAL);
}
END_TEST

Suite *gdb_bp_suite(void)
{
	Suite *s = suite_create("gdb_bp");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, watch_pieces_cover_or_nothing);
	tcase_add_test(tc, slots_run_out_all_or_nothing);
	tcase_add_test(tc, hw_breakpoint_kind_is_not_a_length);
	tcase_add_test(tc, sw_breakpoint_in_a_slot);
	tcase_add_test(tc, supported_by_caps);
	tcase_add_test(tc, classify_slot_and_step_exits);
	suite_add_tcase(s, tc);
	return s;
}
