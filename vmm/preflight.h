/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The preflight: before anything is built, every resource the user named
 * is checked (and the files opened) here, so that what the user can fix is
 * reported as a user error (exit status 2, one line) and never confused
 * with a monitor or host failure. OpenBSD vmd opens every user-named file
 * in its parent for the same reason.
 *
 * What it checks: the kernel and initrd are regular files (opened with
 * O_NONBLOCK, so a FIFO never blocks the monitor); --serial file: is
 * created (O_CREAT|O_EXCL|O_NOFOLLOW) or, with ,append, an existing regular
 * file opened without following a symlink; --dump-dtb is a file or a pipe
 * that can be written; every --disk is a regular file or a block device,
 * and none is named twice writable; --cgroup is joined; --pin and --io-cpus name CPUs the
 * process may use (rt_host_check); huge pages are reserved for
 * --hugepages; --memory fits what the host can give (with --mlock:
 * MemAvailable and RLIMIT_MEMLOCK; without: the commit limit, unless
 * --memory-overcommit); the --gdb tcp: address resolves.
 *
 * The parts that take what they inspect as arguments are pure and
 * unit-tested.
 */
#ifndef TESSERA_PREFLIGHT_H
#define TESSERA_PREFLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "config.h"

/*
 * Guest RAM plus this must fit: the main thread, the monitor's heap, rings
 * and buffers, before any thread or device (preflight_memory_need adds
 * what each vCPU, the other threads and each device cost).
 */
#define PREFLIGHT_MONITOR_OVERHEAD (32ULL << 20)

/*
 * A thread started with no stack size of its own (vCPU, signal and gdb
 * threads, like the I/O threads): glibc's default, sized from
 * RLIMIT_STACK (8 MiB on Debian). Counted whole: --mlock locks it whole,
 * strict overcommit commits it at pthread_create.
 */
#define PREFLIGHT_THREAD_STACK (8ULL << 20)

/*
 * A vCPU thread's malloc arena, taken before its filter goes on (vcpu.c):
 * glibc commits the first request plus its 128 KiB top pad of the arena's
 * heap; rounded up.
 */
#define PREFLIGHT_VCPU_ARENA (256ULL << 10)

/* Files the preflight opened and hands on (see preflight_run). */
struct preflight {
	int serial_fd;       /* --serial file:, or -1 */
	int dump_fd;         /* --dump-dtb, or -1 */
	char serial_path[40]; /* "/proc/self/fd/N": serial_fd by path */
	char dump_path[40];
};

/* What the host can give, from /proc/meminfo and the process's limits. */
struct preflight_host {
	uint64_t mem_available;  /* MemAvailable, bytes */
	uint64_t swap_free;      /* SwapFree */
	uint64_t commit_limit;   /* CommitLimit */
	uint64_t committed_as;   /* Committed_AS */
	uint64_t hugepages_free; /* HugePages_Free, pages */
	uint64_t hugepage_size;  /* Hugepagesize, bytes */
	int overcommit;          /* /proc/sys/vm/overcommit_memory: 0, 1 or 2 */
	uint64_t memlock_limit;  /* RLIMIT_MEMLOCK soft limit; UINT64_MAX: none */
	bool cap_ipc_lock;       /* CAP_IPC_LOCK: no memlock limit applies */
};

/* Sets every fd to -1. */
void preflight_init(struct preflight *pf);

/*
 * Runs every check above, in an order that makes later checks see the
 * state earlier ones set (the cgroup before the CPU checks). The files it
 * opens stay open in pf, and cfg->serial_path and cfg->dump_dtb are
 * pointed at them through /proc/self/fd, so the code that opens those by
 * path later gets the very file checked here. 0, or -errno with a
 * one-line reason in err: the user's to fix. Main thread, before
 * vm_create() and before other threads exist.
 */
int preflight_run(struct vm_config *cfg, struct preflight *pf, char *err,
		  size_t errlen);

/* Closes what preflight_run() opened. Safe on an initialised pf. */
void preflight_close(struct preflight *pf);

/*
 * Opens path (flags: O_RDONLY or O_WRONLY plus O_APPEND and the like) with
 * O_NONBLOCK, so that a FIFO cannot block, and refuses anything but a
 * regular file. what names the flag in the reason ("--kernel"). Returns
 * the fd (O_CLOEXEC, blocking again) and fills *st, or -errno with a
 * one-line reason in err. Any thread.
 */
int preflight_open_regular(const char *what, const char *path, int flags,
			   struct stat *st, char *err, size_t errlen);

/*
 * Refuses a disk named twice: st[i] is disk[i]'s stat (of the file, or
 * the block device); the same file or device twice is a user error unless
 * both are read-only. 0 or -EINVAL with the reason in err. Pure.
 */
int preflight_check_disk_twice(const struct disk_config *disk,
			       const struct stat *st, unsigned int n, char *err,
			       size_t errlen);

/* "a directory", "a FIFO", ... for a non-regular st_mode. Pure. */
const char *preflight_file_type(mode_t mode);

/*
 * Fills the meminfo fields of h from the text of /proc/meminfo (the other
 * fields are left as they are). -EINVAL if a field is missing. Pure.
 */
int preflight_parse_meminfo(const char *text, struct preflight_host *h);

/*
 * What the partition takes from the host: guest RAM, the monitor's own
 * PREFLIGHT_MONITOR_OVERHEAD, each vCPU thread's stack and arena, the
 * signal thread's and (--gdb) the stub thread's stacks, and what each
 * --disk (vblk_host_memory: its threads' stacks and, with O_DIRECT, its
 * bounce buffers) and --net (vnet_host_memory) costs. The memory check and
 * the --cgroup limit both use it. Pure.
 */
uint64_t preflight_memory_need(const struct vm_config *cfg);

/*
 * Checks cfg's guest RAM against what the host h can give: the huge page
 * pool for --hugepages; MemAvailable and RLIMIT_MEMLOCK (unless
 * CAP_IPC_LOCK) for --mlock; otherwise the commit limit (CommitLimit -
 * Committed_AS under strict overcommit, MemAvailable + SwapFree else),
 * unless --memory-overcommit. 0, or -ENOMEM/-EPERM with a reason. Pure.
 */
int preflight_check_memory(const struct vm_config *cfg,
			   const struct preflight_host *h, char *err,
			   size_t errlen);

/*
 * Checks a --gdb endpoint's address: a tcp: host that looks numeric must
 * be a valid IPv4 or IPv6 address (256.1.1.1 is not), a name must
 * resolve. 0 or -EINVAL with a reason. Main thread (may query DNS).
 */
int preflight_check_gdb(const struct gdb_endpoint *ep, char *err,
			size_t errlen);

#endif
