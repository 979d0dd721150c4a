/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Inside the gdb stub: the state its three files share. stub.c owns the
 * socket, the thread, the lifecycle and the all-stop bookkeeping (which
 * vCPU stopped why, parking and releasing through vcpu.h); cmd.c answers
 * each RSP command; bp.c keeps the breakpoints and watchpoints (software,
 * hardware slots, and the single-stepping fallback where the host's KVM
 * does not fire them), and guest memory as gdb sees it. Everything here
 * runs on the stub's thread unless it says otherwise.
 */
#ifndef TESSERA_GDB_STUB_INT_H
#define TESSERA_GDB_STUB_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "exit.h"
#include "gdb/arch_gdb.h"
#include "gdb/packet.h"
#include "types.h"
#include "vm.h"

#define GDB_MAX_SW_BPS 64
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

/*
 * A software breakpoint: the arch's breakpoint instruction in guest
 * memory, or a hardware slot.
 */
struct sw_bp {
	uint64_t addr;
	gpa_t gpa;     /* instruction: where it was written */
	uint8_t saved[GDB_SW_BP_MAX]; /* instruction: the bytes it replaced */
	int slot;      /* the hardware slot, or -1 for an instruction */
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
	bool insn_ok; /* software breakpoints are the arch's instruction */
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

/* Where gdb's registers and memory commands look (Hg). */
static inline struct vcpu *gdb_gcpu(struct gdb_stub *g)
{
	return &g->vm->vcpu[g->g_cpu];
}

/* What a vCPU's debug exit means now (gdb_classify). */
enum disposition { DISP_REPORT, DISP_DROP, DISP_REINJECT };

/* ---- stub.c ---- */

/* Wakes the stub's thread (its eventfd). Any thread. */
void gdb_wake(struct gdb_stub *g);
/* Whether the run is over (the stub's end or vm->stopping). */
bool gdb_ending(struct gdb_stub *g);
/* Parks every vCPU and waits until they all are. */
void gdb_stop_all(struct gdb_stub *g);
/* Lets vCPU i run again. */
void gdb_release(struct gdb_stub *g, unsigned int i);
/* Frames and sends a reply (payload of len bytes); remembered for '-'. */
void gdb_send_packet(struct gdb_stub *g, const char *payload, size_t len);
void gdb_send_str(struct gdb_stub *g, const char *s);
void __attribute__((format(printf, 2, 3)))
gdb_send_fmt(struct gdb_stub *g, const char *fmt, ...);
/* "E NN" for an errno value (either sign). */
void gdb_send_err(struct gdb_stub *g, int err);
/* A stop reply (T packet) for s. */
void gdb_send_stop(struct gdb_stub *g, const struct stop *s);
/* Records a stop and tells gdb if it waits for one. */
void gdb_report(struct gdb_stub *g, const struct stop *s);
/*
 * Goes through the pending debug exits of the vCPUs in want, oldest
 * first; true with the first real stop in *s (see stub.c).
 */
bool gdb_sort_events(struct gdb_stub *g, const bool *want, bool keep_running,
		     struct stop *s);

/* ---- cmd.c ---- */

/* One decoded packet, the partition stopped. */
void gdb_handle_packet(struct gdb_stub *g, const char *s, size_t len);
/* Removes every breakpoint and lets the partition run without gdb. */
void gdb_detach(struct gdb_stub *g);

/* ---- bp.c ---- */

/*
 * The vCPUs' checkpoint hook (vcpu.h), registered by gdb_stub_create:
 * takes KVM_EXIT_DEBUG on the vCPU's thread. vCPU threads.
 */
bool gdb_vcpu_checkpoint(void *opaque, struct vcpu *v, enum exit_action act);
/* Whether this host can run a Z packet of this type, in hardware or by stepping. */
bool gdb_bp_supported(struct gdb_stub *g, unsigned int type);
/* Z and z: kind is gdb's length (watchpoints) or breakpoint kind. 0 or -errno. */
int gdb_bp_insert(struct gdb_stub *g, enum gdb_bp_type type, uint64_t addr,
		  uint64_t kind);
void gdb_bp_remove(struct gdb_stub *g, enum gdb_bp_type type, uint64_t addr,
		   uint64_t kind);
void gdb_bp_remove_all(struct gdb_stub *g);
/* Lists the slots run by stepping, with their starting bytes; before a resume. */
void gdb_arm_soft_slots(struct gdb_stub *g);
/* Gives parked vCPU i the breakpoints and its step flag. 0 or -errno. */
int gdb_apply_debug(struct gdb_stub *g, unsigned int i, bool inject);
/* Guest virtual memory through v's page tables, our breakpoints hidden. */
size_t gdb_mem_read(struct gdb_stub *g, struct vcpu *v, uint64_t addr,
		    uint8_t *buf, size_t len);
int gdb_mem_write(struct gdb_stub *g, uint64_t addr, const uint8_t *buf,
		  size_t len);
/* What vCPU cpu's debug exit e means now; the stop to report in *s. */
enum disposition gdb_classify(struct gdb_stub *g, unsigned int cpu,
			      const struct gdb_debug_exit *e, struct stop *s);

#endif
