/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arch hooks of the gdb stub (vmm/arch/<arch>/gdb.c): the register
 * file as gdb sees it, guest virtual address translation, and the KVM
 * guest-debug state (hardware breakpoint slots, single-step, software
 * breakpoints). The stub calls them on its own thread while the vCPU is
 * parked (not in KVM_RUN), except arch_gdb_decode_exit, which the vCPU's
 * thread calls on its own kvm_run.
 */
#ifndef TESSERA_ARCH_GDB_H
#define TESSERA_ARCH_GDB_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "types.h"

struct vcpu;

/* Z packet types (gdb's numbering). */
enum gdb_bp_type {
	GDB_BP_SW = 0,       /* software breakpoint */
	GDB_BP_HW = 1,       /* hardware breakpoint */
	GDB_WP_WRITE = 2,    /* write watchpoint */
	GDB_WP_READ = 3,     /* read watchpoint */
	GDB_WP_ACCESS = 4,   /* read/write watchpoint */
};

/* The most hardware slots any arch has (x86: DR0-DR3; arm64: up to 16
 * breakpoint and 16 watchpoint registers, of which the stub uses 16). */
#define GDB_HW_SLOTS_MAX 16

/* One hardware slot: an instruction breakpoint or a data watchpoint. */
struct gdb_hw_slot {
	bool used;
	enum gdb_bp_type type; /* GDB_BP_SW (a software breakpoint the arch
				* cannot run as an instruction), GDB_BP_HW,
				* GDB_WP_WRITE or GDB_WP_ACCESS */
	uint64_t addr;
	uint8_t len;           /* bytes; 1 for breakpoints */
};

/* What one vCPU runs with: KVM_SET_GUEST_DEBUG's input, arch-neutral. */
struct gdb_debug_cfg {
	struct gdb_hw_slot slot[GDB_HW_SLOTS_MAX];
	bool sw_bp;   /* software breakpoint instructions exit to us */
	bool step;    /* single-step this vCPU */
	bool inject_sw_bp; /* hand the breakpoint exception that exited to the guest */
};

/*
 * A KVM_EXIT_DEBUG, decoded. Nothing set: some other debug exception.
 * slot_mask may name slots that are not in use (x86 sets DR6.Bn for any
 * match): the stub checks.
 */
struct gdb_debug_exit {
	bool sw_bp;             /* a software breakpoint instruction at pc */
	bool step;              /* a single-step completed */
	unsigned int slot_mask; /* bit n: hardware slot n matched */
	uint64_t pc;            /* where the vCPU stopped */
	/*
	 * An arch whose exit does not say which slot matched (arm64 names
	 * the kind and, for a watchpoint, the data address) sets one of
	 * these instead; the stub finds the slot by its address.
	 */
	bool hw_bp;             /* a hardware breakpoint at pc */
	bool hw_watch;          /* a watchpoint on data_addr */
	uint64_t data_addr;
	bool need_pc;           /* pc is not in the exit: the stub reads it */
};

/* What this host's KVM does for a debugger, measured by arch_gdb_probe. */
struct gdb_host_caps {
	bool step;     /* single-step exits after one instruction */
	bool hw_bp;    /* an instruction breakpoint in a hardware slot fires */
	bool hw_watch; /* a data breakpoint in a hardware slot fires */
	bool sw_bp;    /* a breakpoint instruction exits as KVM_EXIT_DEBUG */
	char detail[256]; /* what the probes saw, for the log */
};

/*
 * Runs each way of stopping a guest in a throwaway VM whose one vCPU runs
 * in the mode guests run in (x86: 64-bit kernel mode) and records which
 * KVM reported as it should. Hosts differ: kvm_pvm's emulator fails on
 * x86's breakpoint instruction in guest kernel mode and ignores data
 * breakpoints; QEMU's TCG emulation of SVM (the lab) delivers that
 * instruction's exception to the guest without the intercept KVM asked
 * for. Returns 0 or -errno (no VM could be built:
 * caps all false). Main thread.
 */
int arch_gdb_probe(int kvm_fd, struct gdb_host_caps *caps);

/* Number of hardware slots (at most GDB_HW_SLOTS_MAX). */
unsigned int arch_gdb_hw_slots(void);

/*
 * Whether one slot can hold a breakpoint or watchpoint of this type at
 * addr covering len bytes (x86: len 1, 2, 4 or 8, aligned to len).
 */
bool arch_gdb_slot_fits(enum gdb_bp_type type, uint64_t addr, uint64_t len);

/* The longest software breakpoint instruction of any arch. */
#define GDB_SW_BP_MAX 8

/*
 * The software breakpoint instruction, its length (at most GDB_SW_BP_MAX;
 * x86: one byte, arm64's BRK: four, aligned) and its name for the log.
 */
extern const uint8_t arch_gdb_sw_bp_insn[];
extern const size_t arch_gdb_sw_bp_len;
extern const char arch_gdb_sw_bp_name[];

/* Applies cfg with KVM_SET_GUEST_DEBUG. 0 or -errno. */
int arch_gdb_set_debug(struct vcpu *v, const struct gdb_debug_cfg *cfg);

/* Decodes v->run after KVM_EXIT_DEBUG. vCPU thread. */
void arch_gdb_decode_exit(const struct kvm_run *run, struct gdb_debug_exit *e);

/* The target description (qXfer:features:read:target.xml), NUL-terminated. */
const char *arch_gdb_target_xml(void);

/* Bytes of the 'g' packet's register block. */
size_t arch_gdb_regs_size(void);

/* Reads all registers, target byte order, into buf (cap >= regs_size).
 * Returns the bytes written (arch_gdb_regs_size()) or -errno. */
int arch_gdb_read_regs(struct vcpu *v, uint8_t *buf, size_t cap);

/* Writes all registers from a block of exactly arch_gdb_regs_size bytes. */
int arch_gdb_write_regs(struct vcpu *v, const uint8_t *buf, size_t len);

/* Reads register regno into buf; returns its size or -errno (-ENOENT: no such). */
int arch_gdb_read_reg(struct vcpu *v, unsigned int regno, uint8_t *buf,
		      size_t cap);

/* Writes register regno from len bytes (its exact size). 0 or -errno. */
int arch_gdb_write_reg(struct vcpu *v, unsigned int regno, const uint8_t *buf,
		       size_t len);

/* The program counter. 0 or -errno. */
int arch_gdb_get_pc(struct vcpu *v, uint64_t *pc);
int arch_gdb_set_pc(struct vcpu *v, uint64_t pc);

/*
 * Translates a guest virtual address with the vCPU's current paging
 * (x86: KVM_TRANSLATE; arm64: a walk of the guest's stage-1 tables,
 * vmm/arch/arm64/mmu.c). 0, or -errno: -EFAULT when it does not map,
 * another when the registers cannot be read or the arch does not model
 * the paging mode (the stub answers gdb with an error either way).
 */
int arch_gdb_translate(struct vcpu *v, uint64_t gva, gpa_t *gpa);

#endif
