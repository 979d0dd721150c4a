// SPDX-License-Identifier: GPL-2.0
/*
 * The gdb stub. One thread owns the socket, the breakpoint tables and the
 * protocol state; vCPU threads share with it only the debug events in
 * struct gdb_vcpu, under g->lock. The stub runs no vCPU itself: it uses
 * the vCPUs' run control (vcpu.h), and its checkpoint hook takes the
 * debug exits on the vCPU threads.
 *
 * All-stop: when one vCPU stops (breakpoint, watchpoint, step, Ctrl-C),
 * the stub parks every vCPU (vcpu_park_all), and only then answers gdb;
 * register and memory access happen while they are parked. A resume
 * releases the vCPUs that gdb lets run.
 *
 * Software breakpoints are int3 written into guest memory where KVM gets
 * the #BP (KVM_GUESTDBG_USE_SW_BP), and a hardware slot where it does not
 * (kvm_pvm, whose emulator fails on int3 in guest kernel mode; QEMU's TCG
 * SVM): arch_gdb_probe measures which at startup. Write watchpoints are
 * hardware slots too, except where data breakpoints do not fire (kvm_pvm
 * again): there the resumed vCPUs single-step and compare the watched
 * bytes after each instruction, on their own threads, and stop only when
 * they changed ("soft watch").
 */
#include "gdb/stub.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "exit.h"
#include "gdb/arch_gdb.h"
#include "gdb/packet.h"
#include "log.h"
#include "sandbox.h"
#include "vcpu.h"
#include "vm.h"

#define GDB_MAX_SW_BPS 64
#define GDB_KICK_MS 50       /* re-kick vCPUs that have not parked yet */
#define GDB_SEND_MS 5000     /* a debugger that stops reading is dropped */
#define GDB_MAX_RESENDS 3    /* '-' answered by resending the last packet */

/* Why the partition stopped, as the next stop reply tells gdb. */
enum stop_why { WHY_SIGNAL, WHY_SWBREAK, WHY_HWBREAK, WHY_WATCH, WHY_AWATCH };

struct stop {
	unsigned int cpu;
	uint8_t sig;
	enum stop_why why;
	uint64_t addr; /* watchpoints: the address gdb asked to watch */
};

struct gdb_vcpu {
	bool ev_pending;            /* lock: a debug exit not yet handled */
	struct gdb_debug_exit ev;   /* lock */
	uint64_t ev_seq;            /* lock: order of the debug exits */
	bool user_step;             /* lock: gdb asked this vCPU to step */
	bool step;                  /* stub: single-step on this resume */
	bool resumed;               /* stub: gdb let it run this time */
};

/* A software breakpoint: int3 in guest memory, or a hardware slot. */
struct sw_bp {
	uint64_t addr;
	gpa_t gpa;     /* int3: where it was written */
	uint8_t saved; /* int3: the byte it replaced (one: x86's int3; an
			* arch with longer breakpoint instructions needs more) */
	int slot;      /* the hardware slot, or -1 for int3 */
};

/* What a watchpoint slot serves: gdb's Z2/Z4 may take several slots. */
struct slot_owner {
	uint64_t addr, len;
};

/*
 * A slot the host cannot run in hardware, checked after every single-step
 * (see the top): an instruction breakpoint compares the pc, a write
 * watchpoint the watched bytes.
 */
struct soft_slot {
	uint64_t addr;
	unsigned int slot;
	bool exec;
	uint8_t len;
	bool readable; /* watch: old holds the bytes at resume */
	uint8_t old[8];
};

struct gdb_stub {
	struct vm *vm;
	struct gdb_endpoint ep;
	char where[300]; /* the endpoint, for messages */
	dev_t sock_dev;  /* unix: the socket file we made, removed at exit */
	ino_t sock_ino;
	int listen_fd, client_fd, wake_fd;
	pthread_t thread;
	bool thread_started;

	pthread_mutex_t lock;
	bool ending;  /* lock: the run is over */
	int end_status;
	uint64_t seq; /* lock */
	struct soft_slot soft[GDB_HW_SLOTS_MAX]; /* lock */
	unsigned int nsoft;                      /* lock */
	struct gdb_vcpu vcpu[CONFIG_MAX_CPUS];

	/* Below: the stub thread's alone. */
	bool running;      /* vCPUs may run; false: all parked for gdb */
	bool client_waits; /* gdb awaits a stop reply */
	bool client_broken;
	bool client_quiet; /* the client has sent no packet and no Ctrl-C yet */
	bool noack;
	unsigned int resends;
	unsigned int g_cpu; /* Hg: registers and memory */
	int c_cpu;          /* Hc: c and s, -1 for all */
	struct stop last;
	struct gdb_host_caps caps; /* what this KVM can do (arch_gdb_probe) */
	bool int3_ok;              /* software breakpoints are int3 */
	unsigned int nslots;
	struct gdb_hw_slot slot[GDB_HW_SLOTS_MAX];
	struct slot_owner owner[GDB_HW_SLOTS_MAX];
	struct sw_bp swbp[GDB_MAX_SW_BPS];
	unsigned int nswbp;

	struct gdb_rx rx;
	uint8_t pkt[GDB_PACKET_MAX + 1];   /* decoded packet, NUL-terminated */
	char reply[GDB_PACKET_MAX + 1];    /* reply payload */
	uint8_t frame[2 * GDB_PACKET_MAX + 4]; /* the last packet sent */
	size_t frame_len;
	uint8_t data[GDB_PACKET_MAX];      /* memory and register bytes */
};

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

/* ---- parking and waking vCPUs ------------------------------------------ */

static void wake_stub(struct gdb_stub *g)
{
	uint64_t one = 1;

	if (write(g->wake_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_warn_errno("gdb: cannot wake the stub");
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

/*
 * The vCPUs' checkpoint hook (vcpu.h): takes KVM_EXIT_DEBUG on the vCPU's
 * thread, records why, and parks the vCPU for the stub to look at.
 */
static bool vcpu_checkpoint(void *opaque, struct vcpu *v, enum exit_action act)
{
	struct gdb_stub *g = opaque;
	struct gdb_vcpu *gv = &g->vcpu[v->id];
	struct gdb_debug_exit e;

	if (act != EXIT_ACT_DEBUG)
		return false;
	arch_gdb_decode_exit(v->run, &e);
	pthread_mutex_lock(&g->lock);
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
	wake_stub(g);
	return true;
}

static bool vm_ending(struct gdb_stub *g)
{
	return g->ending || atomic_load(&g->vm->stopping);
}

/* Parks every vCPU and waits until they all are. Stub thread. */
static void stop_all(struct gdb_stub *g)
{
	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		g->vcpu[i].resumed = false;
	vcpu_park_all(g->vm);
	g->running = false;
}

/* Lets vCPU i run again. Stub thread. */
static void release(struct gdb_stub *g, unsigned int i)
{
	vcpu_release(&g->vm->vcpu[i]);
}

/* ---- breakpoints ------------------------------------------------------ */

static struct vcpu *gcpu(struct gdb_stub *g)
{
	return &g->vm->vcpu[g->g_cpu];
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
static void arm_soft_slots(struct gdb_stub *g)
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
			      virt_read(gcpu(g), w->addr, w->old, w->len) == w->len;
		g->nsoft++;
	}
	pthread_mutex_unlock(&g->lock);
}

/* Gives vCPU i (parked) the current breakpoints and its step flag. */
static int apply_debug(struct gdb_stub *g, unsigned int i, bool inject)
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

/* Another int3 of ours at gpa (two virtual addresses, one page), or -1. */
static int int3_at(struct gdb_stub *g, gpa_t gpa, unsigned int skip)
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
	if (!g->int3_ok) {
		int n = free_slot(g);

		if (n < 0)
			return -ENOSPC;
		g->slot[n] = (struct gdb_hw_slot){ true, GDB_BP_SW, addr, 1 };
		g->owner[n] = (struct slot_owner){ addr, 1 };
		bp->slot = n;
		g->nswbp++;
		return 0;
	}
	if (arch_gdb_translate(gcpu(g), addr, &gpa))
		return -EFAULT;
	p = guest_mem_ptr(&g->vm->mem, gpa, arch_gdb_sw_bp_len);
	if (!p)
		return -EFAULT;
	alias = int3_at(g, gpa, GDB_MAX_SW_BPS);
	bp->gpa = gpa;
	bp->saved = alias >= 0 ? g->swbp[alias].saved : *p;
	memcpy(p, arch_gdb_sw_bp_insn, arch_gdb_sw_bp_len);
	g->nswbp++;
	return 0;
}

static void remove_sw_bp_at(struct gdb_stub *g, unsigned int b)
{
	struct sw_bp *bp = &g->swbp[b];

	if (bp->slot >= 0) {
		g->slot[bp->slot].used = false;
	} else if (int3_at(g, bp->gpa, b) < 0) {
		uint8_t *p = guest_mem_ptr(&g->vm->mem, bp->gpa, 1);

		if (p && *p == arch_gdb_sw_bp_insn[0])
			*p = bp->saved;
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

static void remove_all_bps(struct gdb_stub *g)
{
	while (g->nswbp)
		remove_sw_bp_at(g, g->nswbp - 1);
	for (unsigned int n = 0; n < g->nslots; n++)
		g->slot[n].used = false;
}

/* ---- guest memory --------------------------------------------------------- */

/* virt_read, with our int3 bytes reading as what they replaced. */
static size_t mem_read(struct gdb_stub *g, struct vcpu *v, uint64_t addr,
		       uint8_t *buf, size_t len)
{
	size_t done = virt_read(v, addr, buf, len);

	for (unsigned int b = 0; b < g->nswbp; b++) {
		const struct sw_bp *bp = &g->swbp[b];

		if (bp->slot < 0 && bp->addr - addr < done)
			buf[bp->addr - addr] = bp->saved;
	}
	return done;
}

/*
 * Writes guest virtual memory: every page must translate to RAM first, or
 * nothing is written (-EFAULT). An int3 of ours inside the range stays,
 * with the new byte saved under it.
 */
static int mem_write(struct gdb_stub *g, uint64_t addr, const uint8_t *buf,
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
		    arch_gdb_translate(gcpu(g), va, &gpa))
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
		done += chunk;
	}
	for (unsigned int b = 0; b < g->nswbp; b++) {
		struct sw_bp *bp = &g->swbp[b];
		uint8_t *p;

		if (bp->slot >= 0 || bp->addr - addr >= len)
			continue;
		bp->saved = buf[bp->addr - addr];
		p = guest_mem_ptr(&g->vm->mem, bp->gpa, 1);
		if (p)
			*p = arch_gdb_sw_bp_insn[0];
	}
	return 0;
}

/* ---- the connection ---------------------------------------------------- */

static void send_bytes(struct gdb_stub *g, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len && !g->client_broken) {
		ssize_t n = send(g->client_fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd pfd = { g->client_fd, POLLOUT, 0 };

		if (n > 0) {
			p += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (poll(&pfd, 1, GDB_SEND_MS) == 0) {
				log_warn("gdb: debugger stopped reading; dropping it");
				g->client_broken = true;
			}
		} else {
			g->client_broken = true;
		}
	}
}

static void send_packet(struct gdb_stub *g, const char *payload, size_t len)
{
	ssize_t n = gdb_frame((const uint8_t *)payload, len, g->frame,
			      sizeof(g->frame));

	if (n < 0) { /* cannot happen: replies are at most GDB_PACKET_MAX */
		n = gdb_frame((const uint8_t *)"E01", 3, g->frame,
			      sizeof(g->frame));
	}
	g->frame_len = (size_t)n;
	g->resends = 0;
	send_bytes(g, g->frame, g->frame_len);
}

static void send_str(struct gdb_stub *g, const char *s)
{
	send_packet(g, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
send_fmt(struct gdb_stub *g, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(g->reply, sizeof(g->reply), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(g->reply))
		n = 0;
	send_packet(g, g->reply, (size_t)n);
}

/* "E NN": errno values as gdbserver sends them (gdb reads only the E). */
static void send_err(struct gdb_stub *g, int err)
{
	send_fmt(g, "E%02x", (unsigned int)(err < 0 ? -err : err) & 0xff);
}

static void send_stop(struct gdb_stub *g, const struct stop *s)
{
	static const char *const why[] = {
		[WHY_SIGNAL] = "", [WHY_SWBREAK] = "swbreak:;",
		[WHY_HWBREAK] = "hwbreak:;", [WHY_WATCH] = "watch:",
		[WHY_AWATCH] = "awatch:",
	};

	if (s->why == WHY_WATCH || s->why == WHY_AWATCH)
		send_fmt(g, "T%02xthread:%x;%s%llx;", s->sig, s->cpu + 1,
			 why[s->why], (unsigned long long)s->addr);
	else
		send_fmt(g, "T%02xthread:%x;%s", s->sig, s->cpu + 1, why[s->why]);
}

/* Reports a stop to gdb: the partition is now held for it. */
static void report(struct gdb_stub *g, const struct stop *s)
{
	g->last = *s;
	g->client_quiet = false; /* stopped for it: its going releases */
	g->g_cpu = s->cpu; /* gdb reads the stopped thread next */
	if (g->client_fd >= 0 && g->client_waits)
		send_stop(g, s);
	g->client_waits = false;
}

/* ---- debug events ------------------------------------------------------- */

enum disposition { DISP_REPORT, DISP_DROP, DISP_REINJECT };

/*
 * What a vCPU's debug exit means now: a stop to report, a stale event (a
 * breakpoint since removed, a step nobody asked for) to drop, or the
 * guest's own int3 to hand back to the guest.
 */
static enum disposition classify(struct gdb_stub *g, unsigned int cpu,
				 const struct gdb_debug_exit *e, struct stop *s)
{
	bool attached = g->client_fd >= 0;
	unsigned int used = 0, n;
	uint8_t byte;

	*s = (struct stop){ cpu, 5 /* SIGTRAP */, WHY_SIGNAL, 0 };
	if (e->sw_bp) {
		if (attached && find_sw_bp(g, e->pc) >= 0) {
			s->why = WHY_SWBREAK;
			return DISP_REPORT;
		}
		/* Not ours (any more): an int3 still there is the guest's. */
		if (mem_read(g, &g->vm->vcpu[cpu], e->pc, &byte, 1) == 1 &&
		    byte == arch_gdb_sw_bp_insn[0])
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
 * Takes vCPU i's pending debug exit, if any, once the vCPU has parked.
 * Returns whether there was one.
 */
static bool take_event(struct gdb_stub *g, unsigned int i,
		       struct gdb_debug_exit *e)
{
	bool had;

	pthread_mutex_lock(&g->lock);
	had = g->vcpu[i].ev_pending;
	pthread_mutex_unlock(&g->lock);
	if (!had)
		return false;
	/* Only this thread clears ev_pending: the event waits for us. */
	vcpu_wait_parked(&g->vm->vcpu[i]);
	pthread_mutex_lock(&g->lock);
	*e = g->vcpu[i].ev;
	g->vcpu[i].ev_pending = false;
	pthread_mutex_unlock(&g->lock);
	return true;
}

/* The vCPU with the oldest pending debug exit among want, or -1. */
static int oldest_event(struct gdb_stub *g, const bool *want)
{
	uint64_t best = UINT64_MAX;
	int cpu = -1;

	pthread_mutex_lock(&g->lock);
	for (unsigned int i = 0; i < g->vm->nvcpus; i++) {
		if (want[i] && g->vcpu[i].ev_pending && g->vcpu[i].ev_seq < best) {
			best = g->vcpu[i].ev_seq;
			cpu = (int)i;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return cpu;
}

/*
 * Goes through the pending debug exits of the vCPUs in want, oldest first:
 * stale ones are dropped and the guest's own breakpoints reinjected (those
 * vCPUs go on running if keep_running); the first real stop is returned in
 * *s (true) and stays taken.
 */
static bool sort_events(struct gdb_stub *g, const bool *want,
			bool keep_running, struct stop *s)
{
	struct gdb_debug_exit e;
	int cpu;

	while ((cpu = oldest_event(g, want)) >= 0) {
		enum disposition d;

		if (!take_event(g, (unsigned int)cpu, &e))
			continue;
		d = classify(g, (unsigned int)cpu, &e, s);
		if (d == DISP_REPORT)
			return true;
		if (d == DISP_REINJECT || keep_running)
			apply_debug(g, (unsigned int)cpu, d == DISP_REINJECT);
		if (keep_running)
			release(g, (unsigned int)cpu);
	}
	return false;
}

/* The wake-up of a vCPU's debug exit. Stub thread. */
static void handle_vcpu_events(struct gdb_stub *g)
{
	bool want[CONFIG_MAX_CPUS];
	struct stop s;

	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		want[i] = g->running && g->vcpu[i].resumed;
	if (!g->running || !sort_events(g, want, true, &s))
		return;
	stop_all(g);
	report(g, &s);
}

/* ---- resuming ------------------------------------------------------------- */

/*
 * Resumes the vCPUs whose act is 'c' or 's' (step); the others stay
 * parked. A resumed vCPU whose earlier stop gdb has not heard of yet
 * reports it now instead of running (gdbserver does the same).
 */
static void resume(struct gdb_stub *g, const char *act)
{
	struct vm *vm = g->vm;
	bool want[CONFIG_MAX_CPUS];
	struct stop s;

	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		want[i] = act[i] == 'c' || act[i] == 's';
		g->vcpu[i].step = act[i] == 's';
	}
	g->client_waits = true;
	if (sort_events(g, want, false, &s)) {
		report(g, &s);
		return;
	}
	arm_soft_slots(g);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		apply_debug(g, i, false);
	g->running = true;
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		g->vcpu[i].resumed = want[i];
		if (want[i])
			release(g, i);
	}
}

/* Removes every breakpoint and lets the partition run without us. */
static void detach(struct gdb_stub *g)
{
	bool all[CONFIG_MAX_CPUS];
	struct stop s;

	if (g->running)
		stop_all(g);
	remove_all_bps(g);
	for (unsigned int i = 0; i < g->vm->nvcpus; i++) {
		g->vcpu[i].step = false;
		all[i] = true;
	}
	/* Reinjects the guest's own int3s; drops the rest. */
	while (sort_events(g, all, false, &s))
		;
	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		g->vcpu[i].resumed = true;
	g->client_waits = false;
	g->running = true;
	arm_soft_slots(g);
	for (unsigned int i = 0; i < g->vm->nvcpus; i++) {
		apply_debug(g, i, false);
		release(g, i);
	}
}

static void drop_client(struct gdb_stub *g, const char *why)
{
	log_info("gdb: debugger %s", why);
	/* One that never spoke changed nothing: a --gdb-wait hold stays. */
	if (!vm_ending(g) && !g->client_quiet)
		detach(g);
	close(g->client_fd);
	g->client_fd = -1;
	g->client_broken = false;
}

/* ---- packets ---------------------------------------------------------------- */

/* gdb's thread id for a vCPU index is index + 1. -1: all/any. -2: no such. */
static int tid_cpu(struct gdb_stub *g, int64_t tid)
{
	if (tid == GDB_TID_ALL || tid == GDB_TID_ANY)
		return -1;
	if (tid > 0 && tid <= (int64_t)g->vm->nvcpus)
		return (int)(tid - 1);
	return -2;
}

static void cmd_read_regs(struct gdb_stub *g)
{
	int n = arch_gdb_read_regs(gcpu(g), g->data, sizeof(g->data));

	if (n < 0 || gdb_hex_encode(g->data, (size_t)n, g->reply,
				    sizeof(g->reply)) < 0) {
		send_err(g, n < 0 ? n : -ENOSPC);
		return;
	}
	send_str(g, g->reply);
}

static void cmd_write_regs(struct gdb_stub *g, const char *arg, size_t len)
{
	ssize_t n = gdb_hex_decode(arg, len, g->data, sizeof(g->data));
	int r = n < 0 ? (int)n : arch_gdb_write_regs(gcpu(g), g->data, (size_t)n);

	if (r)
		send_err(g, r);
	else
		send_str(g, "OK");
}

static void cmd_read_reg(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_cursor c = { arg, arg + len };
	uint64_t regno;
	int n;

	if (gdb_cur_hex(&c, &regno) || !gdb_cur_done(&c) || regno > UINT32_MAX) {
		send_err(g, EINVAL);
		return;
	}
	n = arch_gdb_read_reg(gcpu(g), (unsigned int)regno, g->data,
			      sizeof(g->data));
	if (n < 0) {
		send_err(g, n);
		return;
	}
	gdb_hex_encode(g->data, (size_t)n, g->reply, sizeof(g->reply));
	send_str(g, g->reply);
}

static void cmd_write_reg(struct gdb_stub *g, const char *arg, size_t len)
{
	const char *val;
	uint64_t regno;
	size_t vallen;
	ssize_t n;
	int r;

	if (gdb_parse_p_write(arg, len, &regno, &val, &vallen) ||
	    regno > UINT32_MAX) {
		send_err(g, EINVAL);
		return;
	}
	n = gdb_hex_decode(val, vallen, g->data, sizeof(g->data));
	r = n < 0 ? (int)n
		  : arch_gdb_write_reg(gcpu(g), (unsigned int)regno, g->data,
				       (size_t)n);
	if (r)
		send_err(g, r);
	else
		send_str(g, "OK");
}

/* m: as much as translates; "E0e" (EFAULT) when not even the first byte. */
static void cmd_read_mem(struct gdb_stub *g, const char *arg, size_t len)
{
	uint64_t addr, count;
	size_t n;

	if (gdb_parse_mem(arg, len, false, &addr, &count, NULL, NULL)) {
		send_err(g, EINVAL);
		return;
	}
	/* A short read is a valid answer: bound it by the reply buffer. */
	if (count > (sizeof(g->reply) - 1) / 2)
		count = (sizeof(g->reply) - 1) / 2;
	n = mem_read(g, gcpu(g), addr, g->data, (size_t)count);
	if (n == 0 && count) {
		send_err(g, EFAULT);
		return;
	}
	gdb_hex_encode(g->data, n, g->reply, sizeof(g->reply));
	send_str(g, g->reply);
}

/* M (hex) and X (binary) writes. */
static void cmd_write_mem(struct gdb_stub *g, const char *arg, size_t len,
			  bool binary)
{
	const char *data;
	uint64_t addr, count;
	size_t datalen;
	ssize_t n;
	int r;

	if (gdb_parse_mem(arg, len, true, &addr, &count, &data, &datalen) ||
	    count > sizeof(g->data)) {
		send_err(g, EINVAL);
		return;
	}
	if (binary) {
		if (datalen != count) {
			send_err(g, EINVAL);
			return;
		}
		memcpy(g->data, data, datalen);
	} else {
		n = gdb_hex_decode(data, datalen, g->data, sizeof(g->data));
		if (n < 0 || (uint64_t)n != count) {
			send_err(g, EINVAL);
			return;
		}
	}
	r = mem_write(g, addr, g->data, (size_t)count);
	if (r)
		send_err(g, r);
	else
		send_str(g, "OK");
}

/*
 * What this host can run, in hardware or by stepping. x86 cannot watch
 * reads alone (gdb then tries Z4, access), and stepping sees writes only
 * by the change they make, not reads.
 */
static bool bp_supported(struct gdb_stub *g, unsigned int type)
{
	const struct gdb_host_caps *c = &g->caps;

	switch (type) {
	case GDB_BP_SW: return g->int3_ok || c->hw_bp || c->step;
	case GDB_BP_HW: return c->hw_bp || c->step;
	case GDB_WP_WRITE: return c->hw_watch || c->step;
	case GDB_WP_ACCESS: return c->hw_watch;
	default: return false;
	}
}

static void cmd_breakpoint(struct gdb_stub *g, const char *arg, size_t len,
			   bool insert)
{
	unsigned int type;
	uint64_t addr, kind;
	int r = 0, b;

	if (gdb_parse_z(arg, len, &type, &addr, &kind)) {
		send_err(g, EINVAL);
		return;
	}
	if (!bp_supported(g, type)) {
		send_str(g, ""); /* gdb says the target cannot */
		return;
	}
	if (type == GDB_BP_SW && insert) {
		r = insert_sw_bp(g, addr);
	} else if (type == GDB_BP_SW) {
		b = find_sw_bp(g, addr);
		if (b >= 0)
			remove_sw_bp_at(g, (unsigned int)b);
	} else if (insert) {
		r = insert_hw(g, (enum gdb_bp_type)type, addr, kind);
	} else {
		remove_hw(g, (enum gdb_bp_type)type, addr,
			  type == GDB_BP_HW ? 1 : kind);
	}
	if (r)
		send_err(g, r);
	else
		send_str(g, "OK");
}

/* Sets vCPU cpu's pc from the optional address of c, s, C and S. */
static int resume_addr(struct gdb_stub *g, unsigned int cpu, const char *arg,
		       size_t len)
{
	struct gdb_cursor c = { arg, arg + len };
	uint64_t addr;

	if (gdb_cur_done(&c))
		return 0;
	if (gdb_cur_hex(&c, &addr) || !gdb_cur_done(&c))
		return -EINVAL;
	return arch_gdb_set_pc(&g->vm->vcpu[cpu], addr);
}

/* c, s, C and S: the old resume packets. s steps only the Hc thread. */
static void cmd_resume_old(struct gdb_stub *g, char op, const char *arg,
			   size_t len)
{
	char act[CONFIG_MAX_CPUS] = { 0 };
	unsigned int cpu = g->c_cpu >= 0 ? (unsigned int)g->c_cpu : g->last.cpu;
	uint64_t sig;
	int r;

	if (op == 'C' || op == 'S') { /* "SIG[;ADDR]": signals are ignored */
		struct gdb_cursor c = { arg, arg + len };

		if (gdb_cur_hex(&c, &sig) || (!gdb_cur_done(&c) && !gdb_cur_eat(&c, ';'))) {
			send_err(g, EINVAL);
			return;
		}
		len = (size_t)(c.end - c.p);
		arg = c.p;
	}
	r = resume_addr(g, cpu, arg, len);
	if (r) {
		send_err(g, r);
		return;
	}
	if (op == 'c' || op == 'C')
		memset(act, 'c', g->vm->nvcpus);
	else
		act[cpu] = 's';
	resume(g, act);
}

static void cmd_vcont(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_vcont_action acts[CONFIG_MAX_CPUS + 1];
	char act[CONFIG_MAX_CPUS] = { 0 };
	bool any = false;
	int n = gdb_parse_vcont(arg, len, acts, ARRAY_SIZE(acts));

	if (n < 0) {
		send_err(g, EINVAL);
		return;
	}
	for (int k = 0; k < n; k++) {
		if (tid_cpu(g, acts[k].tid) == -2) {
			send_err(g, EINVAL);
			return;
		}
	}
	/* Each thread takes the leftmost action that names it or all. */
	for (unsigned int i = 0; i < g->vm->nvcpus; i++) {
		for (int k = 0; k < n; k++) {
			int cpu = tid_cpu(g, acts[k].tid);

			if (cpu == -1 || cpu == (int)i) {
				act[i] = acts[k].action == 't' ? 0 : acts[k].action;
				break;
			}
		}
		any |= act[i] != 0;
	}
	if (!any) { /* nothing would run: no stop could ever come */
		send_err(g, EINVAL);
		return;
	}
	resume(g, act);
}

static void cmd_set_thread(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_cursor c = { arg + 1, arg + len };
	int64_t tid;
	int cpu;

	if (len < 2 || (arg[0] != 'g' && arg[0] != 'c') ||
	    gdb_cur_thread(&c, &tid) || !gdb_cur_done(&c) ||
	    (cpu = tid_cpu(g, tid)) == -2) {
		send_err(g, EINVAL);
		return;
	}
	if (arg[0] == 'g' && cpu >= 0)
		g->g_cpu = (unsigned int)cpu;
	else if (arg[0] == 'c')
		g->c_cpu = cpu;
	send_str(g, "OK");
}

static void cmd_qxfer(struct gdb_stub *g, const char *arg, size_t len)
{
	const char *xml = arch_gdb_target_xml();
	size_t xlen = strlen(xml), chunk;
	char object[32], annex[64];
	uint64_t off, count;

	if (gdb_parse_qxfer_read(arg, len, object, sizeof(object), annex,
				 sizeof(annex), &off, &count) ||
	    strcmp(object, "features")) {
		send_str(g, ""); /* objects we do not serve */
		return;
	}
	if (strcmp(annex, "target.xml")) {
		send_err(g, ENOENT);
		return;
	}
	if (off >= xlen) {
		send_str(g, "l");
		return;
	}
	chunk = xlen - (size_t)off;
	if (chunk > count)
		chunk = (size_t)count;
	if (chunk > sizeof(g->reply) - 2)
		chunk = sizeof(g->reply) - 2;
	g->reply[0] = off + chunk < xlen ? 'm' : 'l';
	memcpy(g->reply + 1, xml + off, chunk);
	send_packet(g, g->reply, chunk + 1);
}

static void cmd_thread_info(struct gdb_stub *g)
{
	size_t n = 0;

	g->reply[n++] = 'm';
	for (unsigned int i = 0; i < g->vm->nvcpus; i++)
		n += (size_t)snprintf(g->reply + n, sizeof(g->reply) - n,
				      "%s%x", i ? "," : "", i + 1);
	send_packet(g, g->reply, n);
}

static void cmd_thread_extra(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_cursor c = { arg, arg + len };
	char text[32];
	int64_t tid;
	int cpu;

	if (gdb_cur_thread(&c, &tid) || (cpu = tid_cpu(g, tid)) < 0) {
		send_err(g, EINVAL);
		return;
	}
	snprintf(text, sizeof(text), "vCPU %d", cpu);
	gdb_hex_encode((const uint8_t *)text, strlen(text), g->reply,
		       sizeof(g->reply));
	send_str(g, g->reply);
}

static bool starts(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);

	return len >= n && !memcmp(s, prefix, n);
}

static void cmd_query(struct gdb_stub *g, const char *s, size_t len)
{
	if (starts(s, len, "qSupported")) {
		send_fmt(g, "PacketSize=%x;qXfer:features:read+;swbreak+;hwbreak+;"
			    "vContSupported+;QStartNoAckMode+",
			 GDB_PACKET_MAX);
	} else if (starts(s, len, "qXfer:")) {
		cmd_qxfer(g, s + 6, len - 6);
	} else if (starts(s, len, "qfThreadInfo")) {
		cmd_thread_info(g);
	} else if (starts(s, len, "qsThreadInfo")) {
		send_str(g, "l");
	} else if (len == 2 && s[1] == 'C') {
		send_fmt(g, "QC%x", g->last.cpu + 1);
	} else if (starts(s, len, "qAttached")) {
		send_str(g, "1"); /* gdb's quit detaches instead of killing */
	} else if (starts(s, len, "qThreadExtraInfo,")) {
		cmd_thread_extra(g, s + 17, len - 17);
	} else if (starts(s, len, "qSymbol:")) {
		send_str(g, "OK");
	} else {
		send_str(g, "");
	}
}

static void cmd_kill(struct gdb_stub *g)
{
	log_info("gdb: debugger killed the partition");
	vm_request_stop(g->vm, VM_STOP_SIGNAL, TESSERA_EXIT_SIGNAL + SIGKILL);
}

static void cmd_v(struct gdb_stub *g, const char *s, size_t len)
{
	if (len == 6 && !memcmp(s, "vCont?", 6))
		send_str(g, "vCont;c;C;s;S");
	else if (starts(s, len, "vCont;"))
		cmd_vcont(g, s + 5, len - 5);
	else if (starts(s, len, "vKill")) {
		send_str(g, "OK");
		cmd_kill(g);
	} else
		send_str(g, "");
}

static void cmd_thread_alive(struct gdb_stub *g, const char *arg, size_t len)
{
	struct gdb_cursor c = { arg, arg + len };
	int64_t tid;

	if (gdb_cur_thread(&c, &tid) || tid_cpu(g, tid) < 0)
		send_err(g, ENOENT);
	else
		send_str(g, "OK");
}

/* One decoded packet; the partition is stopped. */
static void handle_packet(struct gdb_stub *g, const char *s, size_t len)
{
	const char *arg = s + 1;
	size_t alen = len ? len - 1 : 0;

	if (len == 0) {
		send_str(g, "");
		return;
	}
	switch (s[0]) {
	case '?': send_stop(g, &g->last); break;
	case 'g': cmd_read_regs(g); break;
	case 'G': cmd_write_regs(g, arg, alen); break;
	case 'p': cmd_read_reg(g, arg, alen); break;
	case 'P': cmd_write_reg(g, arg, alen); break;
	case 'm': cmd_read_mem(g, arg, alen); break;
	case 'M': cmd_write_mem(g, arg, alen, false); break;
	case 'X': cmd_write_mem(g, arg, alen, true); break;
	case 'c':
	case 'C':
	case 's':
	case 'S': cmd_resume_old(g, s[0], arg, alen); break;
	case 'v': cmd_v(g, s, len); break;
	case 'q': cmd_query(g, s, len); break;
	case 'Q':
		if (starts(s, len, "QStartNoAckMode")) {
			send_str(g, "OK");
			g->noack = true;
		} else {
			send_str(g, "");
		}
		break;
	case 'H': cmd_set_thread(g, arg, alen); break;
	case 'T': cmd_thread_alive(g, arg, alen); break;
	case 'Z':
	case 'z': cmd_breakpoint(g, arg, alen, s[0] == 'Z'); break;
	case 'D':
		send_str(g, "OK");
		log_info("gdb: debugger detached");
		detach(g);
		break;
	case 'k': cmd_kill(g); break;
	default: send_str(g, ""); break;
	}
}

/* Ctrl-C: stop everything, report SIGINT. */
static void interrupt(struct gdb_stub *g)
{
	struct stop s = { g->last.cpu, 2 /* SIGINT */, WHY_SIGNAL, 0 };

	g->client_quiet = false;
	if (!g->running)
		return;
	stop_all(g);
	report(g, &s);
}

/*
 * gdb's first packet: the partition stops now, not at the connection, so
 * that a process that connects and says nothing (a port scan, a stray
 * client) cannot freeze it. gdb expects a stopped target and asks why
 * ('?'): SIGTRAP, as gdbserver answers on attach.
 */
static void first_packet(struct gdb_stub *g)
{
	g->client_quiet = false;
	if (!g->running)
		return; /* --gdb-wait: already held */
	g->last = (struct stop){ 0, 5, WHY_SIGNAL, 0 };
	stop_all(g);
	g->g_cpu = g->last.cpu;
}

static void rx_event(struct gdb_stub *g, enum gdb_rx_event ev)
{
	ssize_t n;

	switch (ev) {
	case GDB_RX_PACKET:
		if (!g->noack)
			send_bytes(g, "+", 1);
		n = gdb_decode(g->rx.buf, g->rx.len, g->pkt, GDB_PACKET_MAX);
		if (g->client_quiet)
			first_packet(g);
		if (n < 0)
			send_err(g, EINVAL);
		else if (g->running) /* all-stop: gdb waits, it does not talk */
			send_err(g, EBUSY);
		else
			handle_packet(g, (const char *)g->pkt, (size_t)n);
		break;
	case GDB_RX_OVERFLOW:
		if (!g->noack)
			send_bytes(g, "+", 1);
		send_err(g, E2BIG);
		break;
	case GDB_RX_BAD_CSUM:
		if (!g->noack)
			send_bytes(g, "-", 1);
		break;
	case GDB_RX_NACK:
		if (g->frame_len && g->resends++ < GDB_MAX_RESENDS)
			send_bytes(g, g->frame, g->frame_len);
		break;
	case GDB_RX_INTERRUPT:
		interrupt(g);
		break;
	default:
		break;
	}
}

static void client_input(struct gdb_stub *g)
{
	uint8_t buf[4096];
	ssize_t n = recv(g->client_fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_client(g, "disconnected");
		return;
	}
	for (ssize_t i = 0; i < n && !g->client_broken && !vm_ending(g); i++)
		rx_event(g, gdb_rx_feed(&g->rx, buf[i]));
	if (g->client_broken)
		drop_client(g, "connection failed");
}

static void accept_client(struct gdb_stub *g)
{
	int fd = accept4(g->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	int one = 1;

	if (fd < 0)
		return;
	if (g->client_fd >= 0) {
		log_warn("gdb: refused a second debugger (one is attached)");
		close(fd);
		return;
	}
	if (g->ep.is_unix == false)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	log_info("gdb: debugger attached");
	g->client_fd = fd;
	g->noack = false;
	g->frame_len = 0;
	g->client_waits = false;
	g->client_quiet = true; /* the partition runs on until it speaks */
	gdb_rx_init(&g->rx);
	g->g_cpu = g->last.cpu;
	g->c_cpu = -1;
}

/* The run ended: tell a waiting debugger how, then hang up. */
static void finish(struct gdb_stub *g)
{
	if (g->client_fd < 0)
		return;
	if (g->client_waits && !g->client_broken)
		send_fmt(g, "W%02x", (unsigned int)g->end_status & 0xff);
	close(g->client_fd);
	g->client_fd = -1;
}

static void *stub_thread(void *arg)
{
	struct gdb_stub *g = arg;

	pthread_setname_np(pthread_self(), "gdb");
	sandbox_enter(SANDBOX_GDB);
	for (;;) {
		struct pollfd pfd[3] = {
			{ g->wake_fd, POLLIN, 0 },
			{ g->listen_fd, POLLIN, 0 },
			{ g->client_fd, POLLIN, 0 },
		};
		bool ending;

		if (poll(pfd, 3, -1) < 0 && errno != EINTR) {
			log_err_errno("gdb: poll");
			break;
		}
		if (pfd[0].revents & POLLIN) {
			uint64_t n;

			if (read(g->wake_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
				log_warn_errno("gdb: wake-up");
		}
		pthread_mutex_lock(&g->lock);
		ending = g->ending;
		pthread_mutex_unlock(&g->lock);
		if (ending)
			break;
		handle_vcpu_events(g);
		if (pfd[1].revents & POLLIN)
			accept_client(g);
		if (g->client_fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)))
			client_input(g);
	}
	finish(g);
	return NULL;
}

/* ---- setup ------------------------------------------------------------------ */

/* The endpoint as the user would write it, for messages. */
static void describe(struct gdb_stub *g)
{
	if (g->ep.is_unix)
		snprintf(g->where, sizeof(g->where), "unix:%s", g->ep.path);
	else if (strchr(g->ep.host, ':'))
		snprintf(g->where, sizeof(g->where), "tcp:[%s]:%u", g->ep.host,
			 g->ep.port);
	else
		snprintf(g->where, sizeof(g->where), "tcp:%s:%u", g->ep.host,
			 g->ep.port);
}

/*
 * Something is at the socket's path. Only a socket of ours that nobody
 * listens on (an earlier run killed before it could remove it) is ours
 * to replace: a file, another user's socket or a live one is refused, and
 * left alone. 0 when the path is free again, or -errno (logged).
 */
static int clear_stale_socket(struct gdb_stub *g, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, r;

	if (lstat(g->ep.path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("--gdb %s: %s (not a socket)", g->where, strerror(EADDRINUSE));
		return -EADDRINUSE;
	}
	if (st.st_uid != geteuid()) {
		log_err("--gdb %s: %s (a socket that is not ours: owner uid %u)",
			g->where, strerror(EADDRINUSE), (unsigned int)st.st_uid);
		return -EADDRINUSE;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 ? 0 : errno;
	close(fd);
	if (r != ECONNREFUSED) {
		log_err("--gdb %s: %s (%s)", g->where, strerror(EADDRINUSE),
			r ? strerror(r) : "a process is listening on it");
		return -EADDRINUSE;
	}
	log_info("gdb: replacing the stale socket %s", g->ep.path);
	if (unlink(g->ep.path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

/*
 * A Unix socket only its owner can connect to. On Linux an unbound
 * socket's mode (fchmod) becomes the socket file's at bind, less the
 * umask: 0600 whatever the umask, with no window of a wider mode and no
 * process-wide umask change under other threads.
 */
static int listen_unix(struct gdb_stub *g)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, r;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", g->ep.path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || fchmod(fd, 0600) < 0)
		goto err;
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	if (r < 0 && errno == EADDRINUSE) {
		r = clear_stale_socket(g, &sa);
		if (r) {
			close(fd);
			return r;
		}
		r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	}
	if (r < 0 || listen(fd, 1) < 0 || lstat(g->ep.path, &st) < 0)
		goto err;
	g->sock_dev = st.st_dev;
	g->sock_ino = st.st_ino;
	g->listen_fd = fd;
	return 0;
err:
	r = errno;
	log_err("--gdb %s: %s", g->where, strerror(r));
	if (fd >= 0)
		close(fd);
	return -r;
}

/* Whether a bound address is loopback (127/8, ::1, ::ffff:127/8). */
static bool is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr) >> 24) == 127;
	if (ss->ss_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

static int listen_tcp(struct gdb_stub *g)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	char port[8];
	int one = 1, fd, r, err;

	snprintf(port, sizeof(port), "%u", g->ep.port);
	r = getaddrinfo(g->ep.host, port, &hints, &ai);
	if (r) {
		log_err("--gdb %s: %s", g->where, gai_strerror(r));
		return -EINVAL;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0) {
		err = errno;
		log_err("--gdb %s: %s", g->where, strerror(err));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(ai);
		return -err;
	}
	freeaddrinfo(ai);
	/* Port 0 asks for a free port: say which. */
	g->ep.port = ntohs(ss.ss_family == AF_INET6
				   ? ((struct sockaddr_in6 *)&ss)->sin6_port
				   : ((struct sockaddr_in *)&ss)->sin_port);
	describe(g);
	if (!is_loopback(&ss))
		log_warn("gdb: %s is not loopback: whoever can reach it controls the partition (no authentication)",
			 g->where);
	g->listen_fd = fd;
	return 0;
}

int gdb_stub_create(struct vm *vm, const struct gdb_endpoint *ep, bool wait,
		    struct gdb_stub **out)
{
	struct gdb_stub *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->vm = vm;
	g->listen_fd = g->client_fd = g->wake_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	*out = g;
	g->ep = *ep;
	describe(g);
	g->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (g->wake_fd < 0) {
		log_err_errno("gdb: eventfd");
		return -errno;
	}
	r = g->ep.is_unix ? listen_unix(g) : listen_tcp(g);
	if (r)
		return r;
	r = arch_gdb_probe(vm->kvm_fd, &g->caps);
	if (r)
		log_warn("gdb: cannot probe how this KVM debugs guests: %s",
			 strerror(-r));
	log_info("gdb: probe of this KVM: %s", g->caps.detail);
	g->int3_ok = g->caps.sw_bp && arch_gdb_sw_bp_len == 1;
	g->nslots = arch_gdb_hw_slots();
	if (g->nslots > GDB_HW_SLOTS_MAX)
		g->nslots = GDB_HW_SLOTS_MAX;
	g->last = (struct stop){ 0, 5, WHY_SIGNAL, 0 };
	g->running = !wait;
	g->c_cpu = -1;
	vcpu_set_checkpoint(vm, vcpu_checkpoint, g);
	for (unsigned int i = 0; wait && i < vm->nvcpus; i++)
		vcpu_park(&vm->vcpu[i]); /* before its first instruction */
	log_msg(wait ? LOG_WARN : LOG_INFO, 0,
		"gdb: %s on %s (breakpoints: %s, watchpoints: %s)",
		wait ? "waiting for a debugger" : "listening", g->where,
		g->int3_ok ? "int3" : g->caps.hw_bp ? "debug registers" : "single-step",
		g->caps.hw_watch ? "debug registers" : "single-step");
	return 0;
}

int gdb_stub_start(struct gdb_stub *g)
{
	int r = pthread_create(&g->thread, NULL, stub_thread, g);

	if (r) {
		log_err("gdb: cannot start the stub thread: %s", strerror(r));
		return -r;
	}
	g->thread_started = true;
	return 0;
}

void gdb_stub_stop(struct gdb_stub *g, int status)
{
	pthread_mutex_lock(&g->lock);
	g->ending = true;
	g->end_status = status;
	pthread_mutex_unlock(&g->lock);
	wake_stub(g);
	if (g->thread_started) {
		pthread_join(g->thread, NULL);
		g->thread_started = false;
	}
}

/* Removes our socket file, if the path still is ours (not since replaced). */
static void remove_socket(struct gdb_stub *g)
{
	struct stat st;

	if (g->ep.is_unix && lstat(g->ep.path, &st) == 0 &&
	    st.st_dev == g->sock_dev && st.st_ino == g->sock_ino)
		unlink(g->ep.path);
}

void gdb_stub_destroy(struct gdb_stub *g)
{
	if (!g)
		return;
	vcpu_set_checkpoint(g->vm, NULL, NULL);
	if (g->client_fd >= 0)
		close(g->client_fd);
	if (g->listen_fd >= 0) {
		close(g->listen_fd);
		remove_socket(g);
	}
	if (g->wake_fd >= 0)
		close(g->wake_fd);
	pthread_mutex_destroy(&g->lock);
	free(g);
}
