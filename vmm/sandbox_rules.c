// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox's policy (sandbox.h): every system call each thread role may
 * make once its filter is on, and why; and the pure parsers of --seccomp
 * and --user. No system call here: unit-tested, and linked by the fuzzers
 * that take config.c.
 */
#include "sandbox.h"

#include <errno.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include <netinet/in.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

/* ---- the policy --------------------------------------------------------- */

#define ANY(n, role, sc, why) { n, role, sc, -1, 0, 0, SANDBOX_IF_ALWAYS, why }
#define WHEN(n, role, sc, cond, why) { n, role, sc, -1, 0, 0, cond, why }
/* ioctl: the request number (the kernel reads only its low 32 bits). */
#define IOCTL(n, role, req, cond, why) \
	{ n, role, "ioctl", 1, 0xffffffffu, (uint32_t)(req), cond, why }
#define ARG(n, role, sc, a, m, v, cond, why) { n, role, sc, a, m, v, cond, why }

#define VCPU SANDBOX_VCPU
#define BLK SANDBOX_BLK
#define NET SANDBOX_NET
#define GDB SANDBOX_GDB
#define MAIN SANDBOX_MAIN
#define SIGNALS SANDBOX_SIGNALS

/* Common to the threads that end while the process lives on. */
#define THREAD_END(r, role)                                                   \
	ANY(r ":exit", role, "exit", "the thread ends (pthread return)"),   \
	ARG(r ":madvise", role, "madvise", 2, ~0ull, MADV_DONTNEED,         \
	    SANDBOX_IF_ALWAYS,                                               \
	    "glibc releases the thread's stack as it ends (MADV_DONTNEED only)"), \
	ANY(r ":rt_sigprocmask", role, "rt_sigprocmask",                    \
	    "glibc blocks signals as a thread ends")

/* Every role: locks, logs, clocks. */
#define COMMON(r, role)                                                       \
	ANY(r ":futex", role, "futex",                                      \
	    "pthread mutexes and condition variables on contention"),       \
	ANY(r ":write", role, "write",                                      \
	    "eventfd signals (wake-ups, irqfd, stop) and stderr logs"),     \
	ANY(r ":clock_gettime", role, "clock_gettime",                      \
	    "rate-limited logs and deadlines, where the vDSO falls back to the system call")

/* The roles without a signal handler of their own (vCPUs have the kick's). */
#define TRAP_RETURN(r, role)                                                  \
	WHEN(r ":rt_sigreturn:trap", role, "rt_sigreturn", SANDBOX_IF_TRAP, \
	     "--seccomp trap: the SIGSYS reporter returns to the refused call")

const struct sandbox_rule sandbox_rules[] = {
	/* vCPU threads: KVM_RUN and the exit path (exit.c, devices). */
	IOCTL("vcpu:ioctl:KVM_RUN", VCPU, KVM_RUN, 0, "runs the guest"),
	IOCTL("vcpu:ioctl:KVM_IRQ_LINE", VCPU, KVM_IRQ_LINE, 0,
	      "the UART raises its IRQ when the guest writes THR or IER; virtio's fallback interrupt"),
	IOCTL("vcpu:ioctl:KVM_GET_REGS", VCPU, KVM_GET_REGS, 0,
	      "the register dump of a triple fault or emulation failure"),
	IOCTL("vcpu:ioctl:KVM_GET_SREGS", VCPU, KVM_GET_SREGS, 0,
	      "the register dump of a triple fault or emulation failure"),
	IOCTL("vcpu:ioctl:KVM_TRANSLATE", VCPU, KVM_TRANSLATE, 0,
	      "instruction bytes at RIP in the dump; gdb's software watchpoints read guest memory"),
	ANY("vcpu:rt_sigreturn", VCPU, "rt_sigreturn",
	    "returns from the kick handler (SIGUSR1 ends a KVM_RUN), and from the SIGSYS reporter under --seccomp trap"),
	/*
	 * --vfio (devices/vfio/pci.c): the guest's configuration and trapped
	 * BAR accesses, MSI and MSI-X enables and BAR moves run on the vCPU
	 * that made the access. Eventfds are made at setup, so no descriptor
	 * is created here.
	 */
	WHEN("vcpu:pread64:vfio", VCPU, "pread64", SANDBOX_IF_VFIO,
	     "--vfio: config-space reads and trapped BAR reads, forwarded to the device fd"),
	WHEN("vcpu:pwrite64:vfio", VCPU, "pwrite64", SANDBOX_IF_VFIO,
	     "--vfio: config-space writes and trapped BAR writes, forwarded to the device fd"),
	IOCTL("vcpu:ioctl:VFIO_DEVICE_SET_IRQS", VCPU, VFIO_DEVICE_SET_IRQS, SANDBOX_IF_VFIO,
	      "--vfio: the guest enables MSI or MSI-X (INTx off, the vectors' eventfds on)"),
	IOCTL("vcpu:ioctl:KVM_SET_GSI_ROUTING", VCPU, KVM_SET_GSI_ROUTING, SANDBOX_IF_VFIO,
	      "--vfio: the MSI/MSI-X routes carry the guest's address and data"),
	IOCTL("vcpu:ioctl:KVM_IRQFD", VCPU, KVM_IRQFD, SANDBOX_IF_VFIO,
	      "--vfio: an unmasked vector's eventfd injects through its route (detached when masked)"),
	IOCTL("vcpu:ioctl:KVM_SET_USER_MEMORY_REGION", VCPU, KVM_SET_USER_MEMORY_REGION,
	      SANDBOX_IF_VFIO,
	      "--vfio: a mapped BAR's memory slot follows the guest's BAR and decode bits"),
	COMMON("vcpu", VCPU),
	THREAD_END("vcpu", VCPU),

	/* virtio-blk I/O threads: exactly the disk's file operations. */
	ANY("blk:poll", BLK, "poll", "waits for a queue kick or the stop eventfd"),
	ANY("blk:read", BLK, "read", "drains the kick eventfd"),
	ANY("blk:preadv", BLK, "preadv", "guest reads (and O_DIRECT reads through the bounce buffer)"),
	ANY("blk:pwritev2", BLK, "pwritev2", "guest writes (RWF_DSYNC when write-through)"),
	ANY("blk:fdatasync", BLK, "fdatasync", "FLUSH requests"),
	ANY("blk:io_submit", BLK, "io_submit",
	    "O_DIRECT block device: reads and writes through Linux AIO (RWF_NOWAIT)"),
	ANY("blk:io_getevents", BLK, "io_getevents",
	    "O_DIRECT block device: Linux AIO completions, without waiting"),
	ANY("blk:io_destroy", BLK, "io_destroy",
	    "O_DIRECT block device: the stop waits for AIO in flight"),
	IOCTL("blk:ioctl:KVM_IRQ_LINE", BLK, KVM_IRQ_LINE, 0,
	      "completions interrupt through KVM_IRQ_LINE where KVM has no irqfd for the device"),
	ANY("blk:fallocate", BLK, "fallocate", "DISCARD and WRITE_ZEROES on an image file"),
	IOCTL("blk:ioctl:BLKDISCARD", BLK, BLKDISCARD, SANDBOX_IF_BLKDEV,
	      "DISCARD on a block device"),
	IOCTL("blk:ioctl:BLKZEROOUT", BLK, BLKZEROOUT, SANDBOX_IF_BLKDEV,
	      "WRITE_ZEROES on a block device"),
	COMMON("blk", BLK),
	TRAP_RETURN("blk", BLK),
	THREAD_END("blk", BLK),

	/* virtio-net I/O threads: exactly the tap's operations. */
	ANY("net:epoll_wait", NET, "epoll_wait", "waits on the tap, the queue kicks and the stop eventfd"),
	ANY("net:epoll_ctl", NET, "epoll_ctl", "watches the tap for reading or writing as buffers come and go"),
	ANY("net:read", NET, "read", "frames from the tap; drains kick eventfds"),
	ANY("net:writev", NET, "writev", "frames to the tap (vnet header + chain)"),
	IOCTL("net:ioctl:KVM_IRQ_LINE", NET, KVM_IRQ_LINE, 0,
	      "interrupts through KVM_IRQ_LINE where KVM has no irqfd for the device"),
	IOCTL("net:ioctl:TUNSETOFFLOAD", NET, TUNSETOFFLOAD, 0,
	      "the offloads the guest negotiated"),
	COMMON("net", NET),
	TRAP_RETURN("net", NET),
	THREAD_END("net", NET),

	/* The gdb stub: its connection, and the vCPUs' registers while parked. */
	ANY("gdb:poll", GDB, "poll", "waits for the debugger, a connection or a vCPU event"),
	ANY("gdb:read", GDB, "read", "drains its wake-up eventfd"),
	ANY("gdb:accept4", GDB, "accept4", "takes the debugger's connection"),
	ANY("gdb:recvfrom", GDB, "recvfrom", "packets from gdb (recv)"),
	ANY("gdb:sendto", GDB, "sendto", "replies to gdb (send)"),
	ANY("gdb:close", GDB, "close", "hangs up on a debugger, or turns a second one away"),
	ARG("gdb:setsockopt:TCP_NODELAY", GDB, "setsockopt", 1, ~0ull, IPPROTO_TCP,
	    SANDBOX_IF_GDB_TCP, "TCP_NODELAY on a TCP debugger's connection"),
	IOCTL("gdb:ioctl:KVM_GET_REGS", GDB, KVM_GET_REGS, 0, "reads a parked vCPU's registers"),
	IOCTL("gdb:ioctl:KVM_SET_REGS", GDB, KVM_SET_REGS, 0, "writes them (G, P, and the pc on resume)"),
	IOCTL("gdb:ioctl:KVM_GET_SREGS", GDB, KVM_GET_SREGS, 0, "segment and control registers"),
	IOCTL("gdb:ioctl:KVM_SET_SREGS", GDB, KVM_SET_SREGS, 0, "writes them"),
	IOCTL("gdb:ioctl:KVM_GET_FPU", GDB, KVM_GET_FPU, 0, "x87 and SSE registers"),
	IOCTL("gdb:ioctl:KVM_SET_FPU", GDB, KVM_SET_FPU, 0, "writes them"),
	IOCTL("gdb:ioctl:KVM_SET_GUEST_DEBUG", GDB, KVM_SET_GUEST_DEBUG, 0,
	      "single-step and debug-register breakpoints"),
	IOCTL("gdb:ioctl:KVM_TRANSLATE", GDB, KVM_TRANSLATE, 0,
	      "guest virtual addresses of m, M, Z commands"),
	ANY("gdb:getpid", GDB, "getpid", "pthread_kill() asks for the pid before tgkill"),
	ARG("gdb:tgkill:SIGUSR1", GDB, "tgkill", 2, ~0ull, SIGUSR1, 0,
	    "kicks vCPUs out of KVM_RUN to park them (the kick signal only)"),
	COMMON("gdb", GDB),
	TRAP_RETURN("gdb", GDB),
	THREAD_END("gdb", GDB),

	/* The main thread after setup: console, signals, the end of the run. */
	ANY("main:poll", MAIN, "poll", "waits for the console, signals and the stop eventfd"),
	ANY("main:read", MAIN, "read", "the signalfd, eventfds and console input"),
	IOCTL("main:ioctl:KVM_IRQ_LINE", MAIN, KVM_IRQ_LINE, 0,
	      "console input raises the UART's receive interrupt"),
	ANY("main:getpid", MAIN, "getpid", "pthread_kill() asks for the pid before tgkill"),
	ARG("main:tgkill:SIGUSR1", MAIN, "tgkill", 2, ~0ull, SIGUSR1, 0,
	    "kicks the vCPUs out of KVM_RUN at the end of the run (the kick signal only)"),
	ANY("main:rt_sigprocmask", MAIN, "rt_sigprocmask",
	    "pthread_kill() blocks signals around its tgkill"),
	ANY("main:close", MAIN, "close", "teardown closes every descriptor"),
	ANY("main:munmap", MAIN, "munmap", "teardown unmaps guest RAM and kvm_run; free()"),
	ANY("main:brk", MAIN, "brk", "malloc() and free() on the main arena"),
	ARG("main:mmap:noexec", MAIN, "mmap", 2, PROT_EXEC, 0, 0,
	    "malloc() of a large block (the statistics); never executable"),
	ANY("main:exit_group", MAIN, "exit_group", "the process ends with the run's status"),
	IOCTL("main:ioctl:TCSETS", MAIN, TCSETS, SANDBOX_IF_TTY,
	      "restores the terminal's mode at exit (tcsetattr)"),
	IOCTL("main:ioctl:TCGETS", MAIN, TCGETS, SANDBOX_IF_TTY,
	      "glibc's tcsetattr() reads the terminal's mode first"),
	IOCTL("main:ioctl:KVM_GET_STATS_FD", MAIN, KVM_GET_STATS_FD, SANDBOX_IF_STATS,
	      "--stats: the binary statistics of the VM and each vCPU"),
	WHEN("main:pread64:stats", MAIN, "pread64", SANDBOX_IF_STATS, "--stats: reads them"),
	WHEN("main:lseek:stats", MAIN, "lseek", SANDBOX_IF_STATS, "--stats: their size"),
	WHEN("main:unlink:gdb", MAIN, "unlink", SANDBOX_IF_GDB_UNIX,
	     "removes the gdb stub's Unix socket at exit"),
	WHEN("main:newfstatat:gdb", MAIN, "newfstatat", SANDBOX_IF_GDB_UNIX,
	     "checks (lstat) that the socket path is still ours before removing it"),
	/* --vfio teardown (vfio/pci.c, vfio/vfio.c); closing the device fd resets it. */
	IOCTL("main:ioctl:VFIO_DEVICE_SET_IRQS", MAIN, VFIO_DEVICE_SET_IRQS, SANDBOX_IF_VFIO,
	      "--vfio: turns the device's INTx, MSI or MSI-X signalling off at exit"),
	IOCTL("main:ioctl:KVM_IRQFD", MAIN, KVM_IRQFD, SANDBOX_IF_VFIO,
	      "--vfio: detaches the device's irqfds at exit"),
	IOCTL("main:ioctl:KVM_SET_GSI_ROUTING", MAIN, KVM_SET_GSI_ROUTING, SANDBOX_IF_VFIO,
	      "--vfio: removes the MSI routes at exit"),
	IOCTL("main:ioctl:KVM_SET_USER_MEMORY_REGION", MAIN, KVM_SET_USER_MEMORY_REGION,
	      SANDBOX_IF_VFIO, "--vfio: removes the mapped BARs' memory slots before unmapping them"),
	IOCTL("main:ioctl:VFIO_IOMMU_UNMAP_DMA", MAIN, VFIO_IOMMU_UNMAP_DMA, SANDBOX_IF_VFIO,
	      "--vfio: unmaps guest RAM from the IOMMU at exit"),
	COMMON("main", MAIN),
	TRAP_RETURN("main", MAIN),

	/*
	 * The stop-signal thread (stop.c), confined as it starts (before the
	 * partition is built): it waits for SIGINT/SIGTERM/SIGHUP, asks for a
	 * clean stop through the stop eventfd and, when the stop is stuck past
	 * its bound, says so on stderr and ends the process. It never returns.
	 */
	ANY("signals:rt_sigtimedwait", SIGNALS, "rt_sigtimedwait",
	    "waits for a stop signal (sigwait), then for a second one within the stop's bound"),
	ANY("signals:exit_group", SIGNALS, "exit_group",
	    "ends the process when a stop is stuck past its bound (_exit)"),
	IOCTL("signals:ioctl:TCSETS", SIGNALS, TCSETS, SANDBOX_IF_TTY,
	      "restores the terminal's mode before ending a stuck process (tcsetattr)"),
	IOCTL("signals:ioctl:TCGETS", SIGNALS, TCGETS, SANDBOX_IF_TTY,
	      "glibc's tcsetattr() reads the terminal's mode back"),
	COMMON("signals", SIGNALS),
	TRAP_RETURN("signals", SIGNALS),
};
const size_t sandbox_nrules = sizeof(sandbox_rules) / sizeof(sandbox_rules[0]);

static const char *const role_names[SANDBOX_NROLES] = {
	[SANDBOX_VCPU] = "vcpu", [SANDBOX_BLK] = "blk", [SANDBOX_NET] = "net",
	[SANDBOX_GDB] = "gdb",   [SANDBOX_MAIN] = "main",
	[SANDBOX_SIGNALS] = "signals",
};

const char *sandbox_role_name(enum sandbox_role role)
{
	return (unsigned int)role < SANDBOX_NROLES ? role_names[role] : NULL;
}

/* ---- pure parts ----------------------------------------------------------- */

int sandbox_parse_mode(const char *s, int *mode)
{
	static const char *const words[] = { "kill", "trap", "log", "off", "list" };

	for (int i = 0; i < (int)(sizeof(words) / sizeof(words[0])); i++)
		if (!strcmp(s, words[i])) {
			*mode = i;
			return 0;
		}
	return -EINVAL;
}

static int parse_id(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (!len || len > 10)
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX) /* (uid_t)-1 means "unchanged" to the kernel */
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

int sandbox_parse_user(const char *s, uint32_t *uid, uint32_t *gid)
{
	const char *colon = strchr(s, ':');
	size_t ulen = colon ? (size_t)(colon - s) : strlen(s);

	if (parse_id(s, ulen, uid) < 0)
		return -EINVAL;
	if (colon ? parse_id(colon + 1, strlen(colon + 1), gid) < 0
		  : (*gid = *uid, false))
		return -EINVAL;
	return *uid == 0 ? -EINVAL : 0;
}

/* Whether name is one of the comma-separated words of list. */
static bool in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ",");

		if (len == n && !strncmp(p, name, n))
			return true;
		p += len;
		p += *p == ',';
	}
	return false;
}

bool sandbox_rule_active(const struct sandbox_rule *r, unsigned int conds,
			 const char *drop)
{
	if ((r->cond & conds) != r->cond)
		return false;
	return !drop || !in_list(drop, r->name);
}

