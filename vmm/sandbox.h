/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Confining the monitor (docs/security.md): one seccomp filter per thread
 * role, installed by each thread once its setup is done, plus the
 * privilege drop (no new privileges, no capabilities, --user, --chroot)
 * and the closing of inherited descriptors.
 *
 * Order: sandbox_init() on the main thread before anything is built (it
 * compiles every role's filter, so a thread's entry is one system call);
 * each I/O, vCPU and gdb thread calls sandbox_enter(its role) when its
 * setup is done; the signal thread (stop.c), started before anything is
 * built, enters SANDBOX_SIGNALS as it starts; the main thread calls sandbox_enter(SANDBOX_MAIN) last,
 * after it has started every thread: a filter is inherited by the threads
 * created after it, so the main thread's must not be on when it creates them.
 */
#ifndef TESSERA_SANDBOX_H
#define TESSERA_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct vm_config;

/* --seccomp: what a filter does with a system call outside its list. */
enum sandbox_mode {
	SANDBOX_KILL = 0, /* report thread and call, end the process (SIGSYS) */
	SANDBOX_TRAP,     /* report, and the call fails with EPERM */
	SANDBOX_LOG,      /* the kernel logs it (audit), the call proceeds */
	SANDBOX_OFF,      /* no filters (privileges are still dropped) */
	SANDBOX_LIST,     /* print this configuration's rules and exit */
};

enum sandbox_role {
	SANDBOX_VCPU,
	SANDBOX_BLK,  /* a virtio-blk I/O thread */
	SANDBOX_NET,  /* a virtio-net I/O thread */
	SANDBOX_GDB,  /* the gdb stub thread */
	SANDBOX_MAIN, /* the main thread: console, teardown */
	SANDBOX_SIGNALS, /* the stop-signal thread (stop.c) */
	SANDBOX_NROLES,
};

/* One allowed system call (with its argument condition) for one role. */
struct sandbox_rule {
	const char *name;    /* unique: "role:syscall[:detail]" */
	enum sandbox_role role;
	const char *syscall; /* libseccomp's name */
	int arg;             /* -1: any arguments; else the argument checked */
	uint64_t mask, value; /* allowed when (arg & mask) == value */
	unsigned int cond;   /* SANDBOX_IF_*: only in configurations that need it */
	const char *why;
};

/* Conditions under which a rule is part of the filter. */
#define SANDBOX_IF_ALWAYS 0u
#define SANDBOX_IF_STATS (1u << 0)    /* --stats */
#define SANDBOX_IF_GDB_UNIX (1u << 1) /* --gdb unix:PATH */
#define SANDBOX_IF_GDB_TCP (1u << 2)  /* --gdb tcp:... */
#define SANDBOX_IF_TTY (1u << 3)      /* the console is a terminal */
#define SANDBOX_IF_TRAP (1u << 4)     /* --seccomp trap */
#define SANDBOX_IF_BLKDEV (1u << 5)   /* a --disk is a block device */
#define SANDBOX_IF_MLOCK (1u << 6)    /* --mlock */
#define SANDBOX_IF_VFIO (1u << 7)     /* a --vfio device */

/* The rule table and its length (sandbox.c). */
extern const struct sandbox_rule sandbox_rules[];
extern const size_t sandbox_nrules;

/* "vcpu", "blk", ...; NULL for a bad role. */
const char *sandbox_role_name(enum sandbox_role role);

/* Parses --seccomp kill|trap|log|off|list. 0 or -EINVAL. Pure. */
int sandbox_parse_mode(const char *s, int *mode);

/*
 * Parses --user UID[:GID] (numbers; GID defaults to UID). 0 or -EINVAL;
 * uid 0 is refused (it would not drop anything). Pure.
 */
int sandbox_parse_user(const char *s, uint32_t *uid, uint32_t *gid);

/*
 * Whether rule r is in the filter of a configuration with the conditions
 * in conds and the comma-separated rule names in drop removed. Pure.
 */
bool sandbox_rule_active(const struct sandbox_rule *r, unsigned int conds,
			 const char *drop);

/*
 * Main thread, before anything is built. Notes the inherited descriptors,
 * sets no-new-privileges, unshares the mount namespace for --chroot,
 * installs the SIGSYS reporter and compiles every role's filter for this
 * configuration. Reads TESSERA_SECCOMP_DROP (rule names to leave out: a
 * debugging aid that can only remove permissions) and
 * TESSERA_SANDBOX_PROBE=role:class (tests: that role attempts a forbidden
 * call right after its filter goes on). Returns 0, 1 when --seccomp list
 * printed the rules (the caller exits 0), or -errno (logged).
 */
int sandbox_init(const struct vm_config *cfg);

/*
 * The calling thread confines itself as role: drops --user's ids (its
 * own: credentials are per thread, glibc is bypassed on purpose), every
 * capability, and installs its filter. SANDBOX_MAIN first closes the
 * inherited descriptors, marks every descriptor close-on-exec and enters
 * --chroot. Never fails back: a thread that cannot confine itself ends the
 * process with one line and status 1. A no-op before sandbox_init().
 */
void sandbox_enter(enum sandbox_role role);

/* A tap tessera just created: owned by --user's ids (TUNSETOWNER). 0 or -errno. */
int sandbox_tap_owner(int tap_fd);

/* Prints the rules of the configuration sandbox_init() saw, one per line. */
void sandbox_print_rules(FILE *out);

#endif
