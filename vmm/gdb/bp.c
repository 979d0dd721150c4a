// SPDX-License-Identifier: GPL-2.0
/*
 * Breakpoints and watchpoints of the gdb stub (stub_int.h).
 *
 * Software breakpoints are the arch's breakpoint instruction
 * (arch_gdb_sw_bp_insn) written into guest memory where KVM reports it
 * (KVM_GUESTDBG_USE_SW_BP), and a hardware slot where it does not (kvm_pvm,
 * whose emulator fails on x86's in guest kernel mode; QEMU's TCG SVM):
 * arch_gdb_probe measures which at startup. Write watchpoints are hardware
 * slots too, except where data breakpoints do not fire (kvm_pvm again):
 * there the resumed vCPUs single-step and compare the watched bytes after
 * each instruction, on their own threads, and stop only when they changed
 * ("soft watch"). Instruction breakpoints fall back the same way.
 */
#include <errno.h>
#include <string.h>

#include "gdb/stub_int.h"
#include "log.h"
#include "vcpu.h"

/*
 * Bytes the stub wrote into guest RAM may be code the guest runs with its
 * instruction cache on (an arm64 guest with its MMU on): clean them to the
 * point of unification and invalidate the instruction cache over them
 * (a no-op on x86, whose caches are coherent with code).
 */
static void code_written(void *p, size_t len)
{
	__builtin___clear_cache((char *)p, (char *)p + len);
}

/*
 * Reads guest virtual memory through v's page tables, page by page, up to
 * the first address that does not translate to RAM. Returns the bytes
 * read. The stub's thread, or v's own.
 */
static size_t virt_read(struct vcpu *v, uint64_t addr, uint8_t *buf,
			size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t va = addr + done;
		size_t chunk = 4096 - (va & 4095);
		const void *p;
		gpa_t gpa;

		if (va < addr) /* wrapped past the top of the address space */
			break;
		if (chunk > len - done)
			chunk = len - done;
		if (arch_gdb_translate(v, va, &gpa))
			break;
		p = guest_mem_ptr(&v->vm->mem, gpa, chunk);
		if (!p)
			break;
		memcpy(buf + done, p, chunk);
		done += chunk;
	}
	return done;
}

/* The slot of a soft breakpoint at pc or soft watch whose bytes changed, or -1. Lock held. */
static int soft_hit(struct gdb_stub *g, struct vcpu *v, uint64_t pc)
{
	for (unsigned int k = 0; k < g->nsoft; k++) {
		const struct soft_slot *w = &g->soft[k];
		uint8_t now[sizeof(w->old)];
		bool readable;

		if (w->exec) {
			if (pc == w->addr)
				return (int)w->slot;
			continue;
		}
		readable = virt_read(v, w->addr, now, w->len) == w->len;
		if (readable != w->readable ||
		    (readable && memcmp(now, w->old, w->len)))
			return (int)w->slot;
	}
	return -1;
}

/* The slots an exit that names no slot matched, found by address. */
static unsigned int match_slots(struct gdb_stub *g, const struct gdb_debug_exit *e)
{
	unsigned int mask = 0;

	for (unsigned int n = 0; n < g->nslots; n++) {
		const struct gdb_hw_slot *sl = &g->slot[n];

		if (!sl->used)
			continue;
		if (e->hw_bp && sl->type == GDB_BP_HW && sl->addr == e->pc)
			mask |= 1u << n;
		if (e->hw_watch && sl->type != GDB_BP_HW && sl->type != GDB_BP_SW &&
		    e->data_addr >= sl->addr && e->data_addr - sl->addr < sl->len)
			mask |= 1u << n;
	}
	return mask;
}

/*
 * The vCPUs' checkpoint hook (vcpu.h): takes KVM_EXIT_DEBUG on the vCPU's
 * thread, records why, and parks the vCPU for the stub to look at.
 */
bool gdb_vcpu_checkpoint(void *opaque, struct vcpu *v, enum exit_action act)
{
	struct gdb_stub *g = opaque;
	struct gdb_vcpu *gv = &g->vcpu[v->id];
	struct gdb_debug_exit e;

	if (act != EXIT_ACT_DEBUG)
		return false;
	arch_gdb_decode_exit(v->run, &e);
	if (e.need_pc && arch_gdb_get_pc(v, &e.pc))
		e.pc = 0; /* matches no slot and no breakpoint */
	pthread_mutex_lock(&g->lock);
	if (e.hw_bp || e.hw_watch)
		e.slot_mask |= match_slots(g, &e);
	if (g->nsoft && e.step) {
		int slot = soft_hit(g, v, e.pc);

		if (slot >= 0) {
			e.slot_mask |= 1u << slot;
		} else if (!gv->user_step && !e.slot_mask) {
			/* Nothing hit: step on without bothering the stub. */
			pthread_mutex_unlock(&g->lock);
			return true;
		}
	}
	gv->ev = e;
	gv->ev_pending = true;
	gv->ev_seq = ++g->seq;
	vcpu_park(v);
	pthread_mutex_unlock(&g->lock);
	gdb_wake(g);
	return true;
}

static bool is_watch(enum gdb_bp_type type)
{
	return type == GDB_WP_WRITE || type == GDB_WP_READ ||
	       type == GDB_WP_ACCESS;
}

/* Whether slot n runs by single-stepping: its kind does not fire here. */
static bool slot_is_soft(struct gdb_stub *g, unsigned int n)
{
	return g->slot[n].used &&
	       (is_watch(g->slot[n].type) ? !g->caps.hw_watch : !g->caps.hw_bp);
}

static void debug_cfg(struct gdb_stub *g, unsigned int i,
		      struct gdb_debug_cfg *cfg)
{
	bool soft = false;

	memset(cfg, 0, sizeof(*cfg));
	memcpy(cfg->slot, g->slot, sizeof(cfg->slot));
	for (unsigned int n = 0; n < g->nslots; n++) {
		if (slot_is_soft(g, n)) {
			cfg->slot[n].used = false; /* checked by stepping */
			soft = true;
		}
	}
	for (unsigned int b = 0; b < g->nswbp; b++)
		if (g->swbp[b].slot < 0)
			cfg->sw_bp = true;
	cfg->step = g->vcpu[i].step || soft;
}

/*
 * Lists the soft slots for the vCPUs, with the bytes each soft watch
 * starts from (through the Hg vCPU's page tables), and which vCPUs gdb
 * itself steps. Before a resume.
 */
void gdb_arm_soft_slots(struct gdb_stub *g)
{
	pthread_mutex_lock(&g->lock);
	g->nsoft = 0;
	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		g->vcpu[i].user_step = g->vcpu[i].step;
	for (unsigned int n = 0; n < g->nslots; n++) {
		struct soft_slot *w = &g->soft[g->nsoft];

		if (!slot_is_soft(g, n))
			continue;
		w->addr = g->slot[n].addr;
		w->len = g->slot[n].len;
		w->slot = n;
		w->exec = !is_watch(g->slot[n].type);
		w->readable = !w->exec &&
			      virt_read(gdb_gcpu(g), w->addr, w->old, w->len) == w->len;
		g->nsoft++;
	}
	pthread_mutex_unlock(&g->lock);
}

/* Gives vCPU i (parked) the current breakpoints and its step flag. */
int gdb_apply_debug(struct gdb_stub *g, unsigned int i, bool inject)
{
	struct gdb_debug_cfg cfg;
	int r;

	debug_cfg(g, i, &cfg);
	cfg.inject_sw_bp = inject;
	r = arch_gdb_set_debug(&g->vm->vcpu[i], &cfg);
	if (r)
		log_warn("gdb: vCPU %u: KVM_SET_GUEST_DEBUG: %s", i, strerror(-r));
	return r;
}

static int free_slot(struct gdb_stub *g)
{
	for (unsigned int n = 0; n < g->nslots; n++)
		if (!g->slot[n].used)
			return (int)n;
	return -1;
}

static unsigned int free_slots(struct gdb_stub *g)
{
	unsigned int k = 0;

	for (unsigned int n = 0; n < g->nslots; n++)
		k += !g->slot[n].used;
	return k;
}

static int find_sw_bp(struct gdb_stub *g, uint64_t addr)
{
	for (unsigned int b = 0; b < g->nswbp; b++)
		if (g->swbp[b].addr == addr)
			return (int)b;
	return -1;
}

/*
 * Another breakpoint instruction of ours at gpa (two virtual addresses,
 * one page), or -1. Instructions are written whole at their own address
 * (arm64's aligned), so two of them share all bytes or none.
 */
static int insn_at(struct gdb_stub *g, gpa_t gpa, unsigned int skip)
{
	for (unsigned int b = 0; b < g->nswbp; b++)
		if (b != skip && g->swbp[b].slot < 0 && g->swbp[b].gpa == gpa)
			return (int)b;
	return -1;
}

static int insert_sw_bp(struct gdb_stub *g, uint64_t addr)
{
	int alias;
	struct sw_bp *bp;
	uint8_t *p;
	gpa_t gpa;

	if (find_sw_bp(g, addr) >= 0)
		return 0; /* Z packets are idempotent */
	if (g->nswbp == GDB_MAX_SW_BPS)
		return -ENOSPC;
	bp = &g->swbp[g->nswbp];
	bp->addr = addr;
	bp->slot = -1;
	if (!g->insn_ok) {
		int n = free_slot(g);

		if (n < 0)
			return -ENOSPC;
		g->slot[n] = (struct gdb_hw_slot){ true, GDB_BP_SW, addr, 1 };
		g->owner[n] = (struct slot_owner){ addr, 1 };
		bp->slot = n;
		g->nswbp++;
		return 0;
	}
	if (arch_gdb_translate(gdb_gcpu(g), addr, &gpa))
		return -EFAULT;
	p = guest_mem_ptr(&g->vm->mem, gpa, arch_gdb_sw_bp_len);
	if (!p)
		return -EFAULT;
	alias = insn_at(g, gpa, GDB_MAX_SW_BPS);
	bp->gpa = gpa;
	memcpy(bp->saved, alias >= 0 ? g->swbp[alias].saved : p,
	       arch_gdb_sw_bp_len);
	memcpy(p, arch_gdb_sw_bp_insn, arch_gdb_sw_bp_len);
	code_written(p, arch_gdb_sw_bp_len);
	g->nswbp++;
	return 0;
}

static void remove_sw_bp_at(struct gdb_stub *g, unsigned int b)
{
	struct sw_bp *bp = &g->swbp[b];

	if (bp->slot >= 0) {
		g->slot[bp->slot].used = false;
	} else if (insn_at(g, bp->gpa, b) < 0) {
		uint8_t *p = guest_mem_ptr(&g->vm->mem, bp->gpa,
					   arch_gdb_sw_bp_len);

		/* The guest may have overwritten it since: then it stays. */
		if (p && !memcmp(p, arch_gdb_sw_bp_insn, arch_gdb_sw_bp_len)) {
			memcpy(p, bp->saved, arch_gdb_sw_bp_len);
			code_written(p, arch_gdb_sw_bp_len);
		}
	}
	g->swbp[b] = g->swbp[--g->nswbp];
}

/* The slots of one Z1, Z2 or Z4 request. */
static bool owns(struct gdb_stub *g, unsigned int n, enum gdb_bp_type type,
		 uint64_t addr, uint64_t len)
{
	return g->slot[n].used && g->slot[n].type == type &&
	       g->owner[n].addr == addr && g->owner[n].len == len;
}

/*
 * A hardware breakpoint or watchpoint. A watched range that one slot
 * cannot hold (x86: 1, 2, 4 or 8 aligned bytes) is split into aligned
 * pieces, one slot each, as gdb's own x86 code does.
 */
static int insert_hw(struct gdb_stub *g, enum gdb_bp_type type, uint64_t addr,
		     uint64_t len)
{
	uint64_t a = addr, left = len;
	unsigned int need = 0;

	for (unsigned int n = 0; n < g->nslots; n++)
		if (owns(g, n, type, addr, len))
			return 0;
	if (type == GDB_BP_HW)
		left = 1;
	if (left == 0 || addr + left - 1 < addr)
		return -EINVAL;
	/* Count the pieces first: all or nothing. */
	while (left) {
		uint64_t sz = 8;

		while (sz > 1 && ((a & (sz - 1)) || sz > left ||
				  !arch_gdb_slot_fits(type, a, sz)))
			sz >>= 1;
		if (!arch_gdb_slot_fits(type, a, sz))
			return -EINVAL;
		if (++need > free_slots(g))
			return -ENOSPC;
		a += sz;
		left -= sz;
	}
	a = addr;
	left = type == GDB_BP_HW ? 1 : len;
	while (left) {
		uint64_t sz = 8;
		int n = free_slot(g);

		while (sz > 1 && ((a & (sz - 1)) || sz > left ||
				  !arch_gdb_slot_fits(type, a, sz)))
			sz >>= 1;
		g->slot[n] = (struct gdb_hw_slot){ true, type, a, (uint8_t)sz };
		g->owner[n] = (struct slot_owner){ addr, len };
		a += sz;
		left -= sz;
	}
	return 0;
}

static void remove_hw(struct gdb_stub *g, enum gdb_bp_type type,
		      uint64_t addr, uint64_t len)
{
	for (unsigned int n = 0; n < g->nslots; n++)
		if (owns(g, n, type, addr, len))
			g->slot[n].used = false;
}

int gdb_bp_insert(struct gdb_stub *g, enum gdb_bp_type type, uint64_t addr,
		  uint64_t kind)
{
	if (type == GDB_BP_SW)
		return insert_sw_bp(g, addr);
	/* A breakpoint's kind is its instruction's size (arm64: 4), not a
	 * length: recorded as 1, as gdb_bp_remove looks it up. */
	return insert_hw(g, type, addr, type == GDB_BP_HW ? 1 : kind);
}

void gdb_bp_remove(struct gdb_stub *g, enum gdb_bp_type type, uint64_t addr,
		   uint64_t kind)
{
	int b;

	if (type != GDB_BP_SW) {
		remove_hw(g, type, addr, type == GDB_BP_HW ? 1 : kind);
		return;
	}
	b = find_sw_bp(g, addr);
	if (b >= 0)
		remove_sw_bp_at(g, (unsigned int)b);
}

void gdb_bp_remove_all(struct gdb_stub *g)
{
	while (g->nswbp)
		remove_sw_bp_at(g, g->nswbp - 1);
	for (unsigned int n = 0; n < g->nslots; n++)
		g->slot[n].used = false;
}

/* virt_read, with our breakpoint instructions reading as what they replaced. */
size_t gdb_mem_read(struct gdb_stub *g, struct vcpu *v, uint64_t addr,
		    uint8_t *buf, size_t len)
{
	size_t done = virt_read(v, addr, buf, len);

	for (unsigned int b = 0; b < g->nswbp; b++) {
		const struct sw_bp *bp = &g->swbp[b];

		for (size_t k = 0; bp->slot < 0 && k < arch_gdb_sw_bp_len; k++)
			if (bp->addr + k - addr < done)
				buf[bp->addr + k - addr] = bp->saved[k];
	}
	return done;
}

/*
 * Writes guest virtual memory: every page must translate to RAM first, or
 * nothing is written (-EFAULT). A breakpoint instruction of ours that the
 * range touches stays, with the new bytes saved under it.
 */
int gdb_mem_write(struct gdb_stub *g, uint64_t addr, const uint8_t *buf,
		  size_t len)
{
	uint8_t *host[GDB_PACKET_MAX / 4096 + 2];
	size_t done = 0, npages = 0;

	if (len == 0)
		return 0;
	if (addr + len - 1 < addr)
		return -EFAULT;
	while (done < len) {
		uint64_t va = addr + done;
		size_t chunk = 4096 - (va & 4095);
		gpa_t gpa;

		if (chunk > len - done)
			chunk = len - done;
		if (npages == ARRAY_SIZE(host) ||
		    arch_gdb_translate(gdb_gcpu(g), va, &gpa))
			return -EFAULT;
		host[npages] = guest_mem_ptr(&g->vm->mem, gpa, chunk);
		if (!host[npages++])
			return -EFAULT;
		done += chunk;
	}
	done = 0;
	for (size_t i = 0; i < npages; i++) {
		size_t chunk = 4096 - ((addr + done) & 4095);

		if (chunk > len - done)
			chunk = len - done;
		memcpy(host[i], buf + done, chunk);
		code_written(host[i], chunk);
		done += chunk;
	}
	for (unsigned int b = 0; b < g->nswbp; b++) {
		struct sw_bp *bp = &g->swbp[b];
		bool touched = false;
		uint8_t *p;

		if (bp->slot >= 0)
			continue;
		for (size_t k = 0; k < arch_gdb_sw_bp_len; k++) {
			if (bp->addr + k - addr < len) {
				bp->saved[k] = buf[bp->addr + k - addr];
				touched = true;
			}
		}
		p = guest_mem_ptr(&g->vm->mem, bp->gpa, arch_gdb_sw_bp_len);
		if (touched && p) {
			memcpy(p, arch_gdb_sw_bp_insn, arch_gdb_sw_bp_len);
			code_written(p, arch_gdb_sw_bp_len);
		}
	}
	return 0;
}

/*
 * What a vCPU's debug exit means now: a stop to report, a stale event (a
 * breakpoint since removed, a step nobody asked for) to drop, or the
 * guest's own breakpoint instruction to hand back to the guest.
 */
enum disposition gdb_classify(struct gdb_stub *g, unsigned int cpu,
			      const struct gdb_debug_exit *e, struct stop *s)
{
	bool attached = g->client_fd >= 0;
	unsigned int used = 0, n;
	uint8_t insn[GDB_SW_BP_MAX];

	*s = (struct stop){ cpu, 5 /* SIGTRAP */, WHY_SIGNAL, 0 };
	if (e->sw_bp) {
		if (attached && find_sw_bp(g, e->pc) >= 0) {
			s->why = WHY_SWBREAK;
			return DISP_REPORT;
		}
		/* Not ours (any more): one still there is the guest's. */
		if (gdb_mem_read(g, &g->vm->vcpu[cpu], e->pc, insn,
				 arch_gdb_sw_bp_len) == arch_gdb_sw_bp_len &&
		    !memcmp(insn, arch_gdb_sw_bp_insn, arch_gdb_sw_bp_len))
			return DISP_REINJECT;
		return DISP_DROP;
	}
	for (n = 0; n < g->nslots; n++)
		used |= (unsigned int)g->slot[n].used << n;
	if (e->slot_mask & used) {
		if (!attached)
			return DISP_DROP;
		n = (unsigned int)__builtin_ctz(e->slot_mask & used);
		switch (g->slot[n].type) {
		case GDB_BP_SW: s->why = WHY_SWBREAK; break;
		case GDB_BP_HW: s->why = WHY_HWBREAK; break;
		case GDB_WP_WRITE: s->why = WHY_WATCH; break;
		default: s->why = WHY_AWATCH; break;
		}
		s->addr = g->owner[n].addr;
		return DISP_REPORT;
	}
	if (e->step)
		return attached && g->vcpu[cpu].step ? DISP_REPORT : DISP_DROP;
	if (e->slot_mask) /* a slot since freed */
		return DISP_DROP;
	return attached ? DISP_REPORT : DISP_DROP;
}

/*
 * What this host can run, in hardware or by stepping. x86 cannot watch
 * reads alone (gdb then tries Z4, access), and stepping sees writes only
 * by the change they make, not reads.
 */
bool gdb_bp_supported(struct gdb_stub *g, unsigned int type)
{
	const struct gdb_host_caps *c = &g->caps;

	switch (type) {
	case GDB_BP_SW: return g->insn_ok || c->hw_bp || c->step;
	case GDB_BP_HW: return c->hw_bp || c->step;
	case GDB_WP_WRITE: return c->hw_watch || c->step;
	case GDB_WP_ACCESS: return c->hw_watch;
	default: return false;
	}
}
