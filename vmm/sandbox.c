// SPDX-License-Identifier: GPL-2.0
/*
 * Per-thread seccomp filters and the privilege drop (sandbox.h,
 * docs/security.md). The policy, one commented rule per allowed call, is
 * sandbox_rules.c.
 * tests/integration/seccomp_rules.sh removes each rule in turn and shows a
 * workload that then fails; seccomp_forbidden.sh shows each forbidden
 * class refused from each role.
 *
 * State: the SIGSYS reporter runs in signal context and must find the
 * mode, the compiled filters and the system call names without calling
 * anything unsafe, so they live in one file-scope struct written once by
 * sandbox_init() on the main thread before any other thread exists, and
 * only read afterwards (like the log level).
 */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/fs.h>
#include <linux/futex.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "config.h"
#include "log.h"

#define SANDBOX_EXIT_ERROR 1 /* TESSERA_EXIT_ERROR (vm.h) */
#define NAMES_MAX 512        /* system call numbers the reporter can name */
#define NAME_LEN 24

/* ---- state ------------------------------------------------------------------ */

enum probe_class {
	PROBE_NONE,
	PROBE_EXECVE,
	PROBE_OPEN,
	PROBE_SOCKET,
	PROBE_PTRACE,
	PROBE_MPROTECT,
	PROBE_KVM_IOCTL,
	/* Allowed calls a role makes only on contention or without a vDSO. */
	PROBE_FUTEX,
	PROBE_CLOCK,
	PROBE_BRK,
};

static const char *const probe_names[] = {
	[PROBE_EXECVE] = "execve", [PROBE_OPEN] = "open",
	[PROBE_SOCKET] = "socket", [PROBE_PTRACE] = "ptrace",
	[PROBE_MPROTECT] = "mprotect", [PROBE_KVM_IOCTL] = "kvm-ioctl",
	[PROBE_FUTEX] = "futex", [PROBE_CLOCK] = "clock",
	[PROBE_BRK] = "brk",
};

static struct {
	bool ready;
	int mode;
	unsigned int conds;
	char drop[1024];
	struct sock_fprog prog[SANDBOX_NROLES];
	bool user_set;
	uint32_t uid, gid;
	const char *chroot_dir;
	int *inherited; /* descriptors open when tessera started */
	size_t ninherited;
	int probe_role;
	enum probe_class probe;
	char names[NAMES_MAX][NAME_LEN];
} st = { .probe_role = -1 };

/* The calling thread's role and name, for the SIGSYS reporter. */
static __thread const char *tls_role;
static __thread char tls_name[16];

/* ---- the SIGSYS reporter (signal context: async-signal-safe only) -------- */

static size_t put_str(char *buf, size_t off, size_t cap, const char *s)
{
	while (*s && off + 1 < cap)
		buf[off++] = *s++;
	return off;
}

static size_t put_num(char *buf, size_t off, size_t cap, uint64_t v, bool hex)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % (hex ? 16 : 10)];
		v /= hex ? 16 : 10;
	} while (v);
	if (hex)
		off = put_str(buf, off, cap, "0x");
	while (n && off + 1 < cap)
		buf[off++] = tmp[--n];
	return off;
}

static void sigsys_handler(int sig, siginfo_t *si, void *uc)
{
	int nr = si->si_syscall;
	char msg[320];
	size_t o = 0;

	(void)sig;
	o = put_str(msg, o, sizeof(msg), "tessera: seccomp: thread ");
	o = put_str(msg, o, sizeof(msg), tls_name[0] ? tls_name : "?");
	o = put_str(msg, o, sizeof(msg), " (role ");
	o = put_str(msg, o, sizeof(msg), tls_role ? tls_role : "?");
	o = put_str(msg, o, sizeof(msg), ") made a forbidden system call: ");
	o = put_str(msg, o, sizeof(msg),
		    nr >= 0 && nr < NAMES_MAX && st.names[nr][0] ? st.names[nr]
								    : "?");
	o = put_str(msg, o, sizeof(msg), " (");
	o = put_num(msg, o, sizeof(msg), (uint64_t)(unsigned int)nr, false);
	if (nr == SYS_ioctl || nr == SYS_socket) {
		o = put_str(msg, o, sizeof(msg), nr == SYS_ioctl ? ", request " : ", family ");
		o = put_num(msg, o, sizeof(msg),
			    arch_sigsys_arg(uc, nr == SYS_ioctl ? 1 : 0),
			    nr == SYS_ioctl);
	}
	o = put_str(msg, o, sizeof(msg),
		    st.mode == SANDBOX_TRAP
			    ? "); refused with EPERM (--seccomp trap)\n"
			    : "); ending the process (--seccomp kill)\n");
	if (write(STDERR_FILENO, msg, o) < 0) {
		/* Nothing left to tell. */
	}
	if (st.mode == SANDBOX_TRAP) {
		arch_sigsys_set_return(uc, -EPERM);
		return;
	}
	/*
	 * Kill mode: tkill is the one call every kill-mode filter answers with
	 * SECCOMP_RET_KILL_PROCESS, so the process dies by SIGSYS exactly as if
	 * the first call had been killed, only after the message above.
	 */
	syscall(SYS_tkill, 0, SIGSYS);
	_exit(128 + SIGSYS); /* not reached */
}

/* ---- building the filters ------------------------------------------------ */

static uint32_t default_action(int mode)
{
	return mode == SANDBOX_LOG ? SCMP_ACT_LOG : SCMP_ACT_TRAP;
}

static int add_rule(scmp_filter_ctx ctx, const struct sandbox_rule *rule)
{
	struct sandbox_rule a = *rule, *r = &a;
	int nr;

	if (!arch_sandbox_rule(r))
		return 0; /* nothing of the kind on this arch */
	nr = seccomp_syscall_resolve_name(r->syscall);
	if (nr == __NR_SCMP_ERROR)
		return -ENOENT;
	if (r->arg < 0)
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				SCMP_CMP((unsigned int)r->arg, SCMP_CMP_MASKED_EQ,
					 r->mask, r->value));
}

/* Exports ctx's BPF program into p (malloc'ed). 0 or -errno. */
static int export_prog(scmp_filter_ctx ctx, struct sock_fprog *p)
{
	int fd = memfd_create("seccomp", MFD_CLOEXEC), r;
	off_t len;
	void *buf = NULL;

	if (fd < 0)
		return -errno;
	r = seccomp_export_bpf(ctx, fd);
	len = r ? 0 : lseek(fd, 0, SEEK_END);
	if (!r && (len <= 0 || len % sizeof(struct sock_filter) ||
		   len / sizeof(struct sock_filter) > BPF_MAXINSNS))
		r = -E2BIG;
	if (!r && !(buf = malloc((size_t)len)))
		r = -ENOMEM;
	if (!r && pread(fd, buf, (size_t)len, 0) != len)
		r = -EIO;
	close(fd);
	if (r) {
		free(buf);
		return r;
	}
	p->filter = buf;
	p->len = (unsigned short)(len / sizeof(struct sock_filter));
	return 0;
}

static int build_role(enum sandbox_role role)
{
	scmp_filter_ctx ctx = seccomp_init(default_action(st.mode));
	int r = ctx ? 0 : -ENOMEM;

	if (!r)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
				     SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; i < sandbox_nrules && !r; i++) {
		const struct sandbox_rule *rule = &sandbox_rules[i];

		if (rule->role == role && sandbox_rule_active(rule, st.conds, st.drop)) {
			r = add_rule(ctx, rule);
			if (r)
				log_err("seccomp: rule %s: %s", rule->name, strerror(-r));
		}
	}
	if (!r && st.mode == SANDBOX_KILL) /* the reporter's end (above) */
		r = seccomp_rule_add(ctx, SCMP_ACT_KILL_PROCESS, SCMP_SYS(tkill), 0);
	if (!r)
		r = export_prog(ctx, &st.prog[role]);
	if (ctx)
		seccomp_release(ctx);
	return r;
}

/* ---- setup ---------------------------------------------------------------- */

static void note_inherited_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	size_t cap = 0;

	if (!d)
		return; /* no /proc: nothing to go by; close_range below covers the rest */
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		int *n;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd < 3 || fd == dirfd(d))
			continue;
		if (st.ninherited == cap) {
			cap = cap ? 2 * cap : 16;
			n = realloc(st.inherited, cap * sizeof(*n));
			if (!n)
				break;
			st.inherited = n;
		}
		st.inherited[st.ninherited++] = fd;
	}
	closedir(d);
}

static void parse_probe(const char *s)
{
	const char *colon = s ? strchr(s, ':') : NULL;

	if (!colon)
		return;
	for (int r = 0; r < SANDBOX_NROLES; r++)
		if (strlen(sandbox_role_name((enum sandbox_role)r)) == (size_t)(colon - s) &&
		    !strncmp(s, sandbox_role_name((enum sandbox_role)r), (size_t)(colon - s)))
			st.probe_role = r;
	for (size_t c = 1; c < sizeof(probe_names) / sizeof(probe_names[0]); c++)
		if (!strcmp(colon + 1, probe_names[c]))
			st.probe = (enum probe_class)c;
}

static unsigned int conditions(const struct vm_config *cfg)
{
	unsigned int c = 0;
	struct stat sb;

	if (cfg->stats)
		c |= SANDBOX_IF_STATS;
	if (cfg->gdb)
		c |= cfg->gdb_ep.is_unix ? SANDBOX_IF_GDB_UNIX
					  : SANDBOX_IF_GDB_TCP;
	if (cfg->serial == SERIAL_STDIO && isatty(STDIN_FILENO))
		c |= SANDBOX_IF_TTY;
	if (cfg->seccomp == SANDBOX_TRAP)
		c |= SANDBOX_IF_TRAP;
	if (cfg->mlock)
		c |= SANDBOX_IF_MLOCK;
	if (cfg->nvfio)
		c |= SANDBOX_IF_VFIO;
	for (unsigned int i = 0; i < cfg->ndisks; i++)
		if (stat(cfg->disk[i].path, &sb) == 0 && S_ISBLK(sb.st_mode))
			c |= SANDBOX_IF_BLKDEV;
	return c;
}

void sandbox_print_rules(FILE *out)
{
	for (size_t i = 0; i < sandbox_nrules; i++) {
		const struct sandbox_rule *r = &sandbox_rules[i];

		fprintf(out, "%s\t%s\t%s\t%s\n", r->name,
			sandbox_rule_active(r, st.conds, st.drop) ? "on" : "off",
			r->syscall, r->why);
	}
}

int sandbox_init(const struct vm_config *cfg)
{
	const char *drop = getenv("TESSERA_SECCOMP_DROP");
	struct sigaction sa;
	int r;

	st.mode = cfg->seccomp;
	st.conds = conditions(cfg);
	snprintf(st.drop, sizeof(st.drop), "%s", drop ? drop : "");
	if (st.mode == SANDBOX_LIST) {
		sandbox_print_rules(stdout);
		return 1;
	}
	st.user_set = cfg->user_set;
	st.uid = cfg->uid;
	st.gid = cfg->gid;
	st.chroot_dir = cfg->chroot;
	parse_probe(getenv("TESSERA_SANDBOX_PROBE"));
	note_inherited_fds();
	/*
	 * Guest RAM must not end up in a core file (a filter's SIGSYS would
	 * dump one), nor be readable through ptrace by the same user.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		log_err_errno("prctl(PR_SET_DUMPABLE)");
		return -errno;
	}
	/* Inherited by every thread: no set-id or file-capability gains, ever. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_err_errno("prctl(PR_SET_NO_NEW_PRIVS)");
		return -errno;
	}
	/*
	 * --mlock: locked future mappings (MCL_FUTURE) count against
	 * RLIMIT_MEMLOCK once CAP_IPC_LOCK is gone; the limit is per process,
	 * so lift it now, while we may (refused without privilege: the
	 * user's own limit then applies, as it did to mlockall).
	 */
	if (cfg->mlock) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0)
			log_info("--mlock: RLIMIT_MEMLOCK stays as it is: %s",
				 strerror(errno));
	}
	/* A mount namespace needs a single-threaded process: now, not at chroot. */
	if (cfg->chroot) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			log_err_errno("--chroot: cannot make a mount namespace (needs CAP_SYS_ADMIN)");
			return -errno;
		}
	}
	if (st.mode == SANDBOX_OFF) {
		st.ready = true;
		return 0;
	}
	for (int nr = 0; nr < NAMES_MAX; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);

		if (name)
			snprintf(st.names[nr], NAME_LEN, "%s", name);
		free(name);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		log_err_errno("sigaction(SIGSYS)");
		return -errno;
	}
	for (int role = 0; role < SANDBOX_NROLES; role++) {
		r = build_role((enum sandbox_role)role);
		if (r) {
			log_err("seccomp: cannot build the %s filter: %s",
				sandbox_role_name((enum sandbox_role)role), strerror(-r));
			return r;
		}
	}
	st.ready = true;
	return 0;
}

/* ---- entering ---------------------------------------------------------------- */

static void __attribute__((noreturn)) fatal(const char *what, int err)
{
	log_err("sandbox: thread %s (role %s): %s: %s", tls_name, tls_role, what,
		strerror(err));
	_exit(SANDBOX_EXIT_ERROR);
}

/*
 * This thread's credentials only: the raw system calls, not glibc's
 * wrappers, which would signal every other thread to follow (and those
 * may already be filtered).
 */
static void drop_privileges(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	/* The bounding set needs CAP_SETPCAP: before the ids change. */
	for (unsigned long cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
			break;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (st.user_set) {
		gid_t g = st.gid;

		if (syscall(SYS_setgroups, 1, &g) < 0)
			fatal("--user: setgroups (needs CAP_SETGID)", errno);
		if (syscall(SYS_setresgid, st.gid, st.gid, st.gid) < 0)
			fatal("--user: setresgid (needs CAP_SETGID)", errno);
		if (syscall(SYS_setresuid, st.uid, st.uid, st.uid) < 0)
			fatal("--user: setresuid (needs CAP_SETUID)", errno);
	}
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) < 0)
		fatal("capset", errno);
}

/* Main thread: descriptors, then the file system view. */
static void confine_process(void)
{
	DIR *d;
	struct dirent *e;

	for (size_t i = 0; i < st.ninherited; i++)
		close(st.inherited[i]);
	free(st.inherited);
	st.inherited = NULL;
	st.ninherited = 0;
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d))) {
		int fd = atoi(e->d_name), fl;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d))
			continue;
		fl = fcntl(fd, F_GETFD);
		if (fl >= 0 && !(fl & FD_CLOEXEC))
			fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
	}
	if (d)
		closedir(d);
	if (st.chroot_dir && (chroot(st.chroot_dir) < 0 || chdir("/") < 0))
		fatal("--chroot", errno);
}

static void probe(void)
{
	static uint8_t page[4096] __attribute__((aligned(4096)));
	static uint32_t word;
	struct timespec ts;
	int fd;

	switch (st.probe) {
	case PROBE_EXECVE: {
		char *const argv[] = { "tessera-probe", NULL };

		execve("/nonexistent/tessera-probe", argv, argv + 1);
		break;
	}
	case PROBE_OPEN:
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
		break;
	case PROBE_SOCKET:
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0)
			close(fd);
		break;
	case PROBE_PTRACE: /* PEEKDATA without an attach: ESRCH if allowed */
		syscall(SYS_ptrace, 2 /* PTRACE_PEEKDATA */, 1, 0, 0);
		break;
	case PROBE_MPROTECT:
		if (mprotect(page, sizeof(page), PROT_READ | PROT_EXEC) == 0)
			mprotect(page, sizeof(page), PROT_READ | PROT_WRITE);
		break;
	case PROBE_KVM_IOCTL: { /* remapping guest memory: EBADF if allowed */
		struct kvm_userspace_memory_region mr = { .slot = 31 };

		ioctl(-1, KVM_SET_USER_MEMORY_REGION, &mr);
		break;
	}
	case PROBE_FUTEX: /* what a contended unlock does */
		syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		break;
	case PROBE_CLOCK: /* what glibc does without a usable vDSO */
		syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
		break;
	case PROBE_BRK: /* what malloc does when the main arena's top is used up */
		syscall(SYS_brk, 0);
		break;
	case PROBE_NONE:
		break;
	}
}

void sandbox_enter(enum sandbox_role role)
{
	if (!st.ready)
		return;
	tls_role = sandbox_role_name((enum sandbox_role)role);
	if (prctl(PR_GET_NAME, tls_name, 0, 0, 0) < 0)
		snprintf(tls_name, sizeof(tls_name), "?");
	if (role == SANDBOX_MAIN)
		confine_process();
	drop_privileges();
	if (st.mode != SANDBOX_OFF &&
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &st.prog[role]) < 0)
		fatal("seccomp(SECCOMP_SET_MODE_FILTER)", errno);
	if (st.probe_role == (int)role && st.mode != SANDBOX_OFF)
		probe();
}

int sandbox_tap_owner(int tap_fd)
{
	if (!st.user_set)
		return 0;
	if (ioctl(tap_fd, TUNSETOWNER, (unsigned long)st.uid) < 0 ||
	    ioctl(tap_fd, TUNSETGROUP, (unsigned long)st.gid) < 0)
		return -errno;
	return 0;
}
