// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox: --seccomp and --user parsing, the rule table's own
 * invariants (every rule named after its role, explained, resolvable; no
 * role allows a forbidden class), conditions and drop lists, and one real
 * filter in a child process: allowed calls pass, a forbidden one is killed
 * with SIGSYS after the reporter's line.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "sandbox.h"
#include "suites.h"

START_TEST(modes)
{
	int m = -1;

	ck_assert_int_eq(sandbox_parse_mode("kill", &m), 0);
	ck_assert_int_eq(m, SANDBOX_KILL);
	ck_assert_int_eq(sandbox_parse_mode("trap", &m), 0);
	ck_assert_int_eq(m, SANDBOX_TRAP);
	ck_assert_int_eq(sandbox_parse_mode("log", &m), 0);
	ck_assert_int_eq(m, SANDBOX_LOG);
	ck_assert_int_eq(sandbox_parse_mode("off", &m), 0);
	ck_assert_int_eq(m, SANDBOX_OFF);
	ck_assert_int_eq(sandbox_parse_mode("list", &m), 0);
	ck_assert_int_eq(m, SANDBOX_LIST);
	ck_assert_int_eq(sandbox_parse_mode("", &m), -EINVAL);
	ck_assert_int_eq(sandbox_parse_mode("Kill", &m), -EINVAL);
	ck_assert_int_eq(sandbox_parse_mode("kill ", &m), -EINVAL);
	ck_assert_int_eq(m, SANDBOX_LIST); /* untouched on failure */
}
END_TEST

START_TEST(users)
{
	uint32_t u = 7, g = 7;

	ck_assert_int_eq(sandbox_parse_user("1000", &u, &g), 0);
	ck_assert_uint_eq(u, 1000);
	ck_assert_uint_eq(g, 1000);
	ck_assert_int_eq(sandbox_parse_user("65534:100", &u, &g), 0);
	ck_assert_uint_eq(u, 65534);
	ck_assert_uint_eq(g, 100);
	ck_assert_int_eq(sandbox_parse_user("1:0", &u, &g), 0); /* gid 0 is a choice */
	ck_assert_uint_eq(g, 0);
	ck_assert_int_eq(sandbox_parse_user("4294967294", &u, &g), 0);
	ck_assert_int_eq(sandbox_parse_user("0", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user("0:5", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user("", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user("nobody", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user("1000:", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user(":1000", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user("1000:1:2", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user("4294967295", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user("99999999999", &u, &g), -EINVAL);
	ck_assert_int_eq(sandbox_parse_user("-1", &u, &g), -EINVAL);
}
END_TEST

START_TEST(flags)
{
	char *ok[] = { "--kernel", "k", "--seccomp", "trap", "--user", "1000:1001",
		       "--chroot", "/var/empty" };
	char *bad_mode[] = { "--kernel", "k", "--seccomp", "strict" };
	char *bad_user[] = { "--kernel", "k", "--user", "root" };
	char *bad_root[] = { "--kernel", "k", "--chroot", "jail" };
	struct vm_config cfg;
	char err[256];

	config_init(&cfg);
	ck_assert_int_eq(cfg.seccomp, SANDBOX_KILL); /* the default */
	ck_assert(!cfg.user_set);
	ck_assert_int_eq(config_parse_run(&cfg, 8, ok, err, sizeof(err)), 0);
	ck_assert_int_eq(cfg.seccomp, SANDBOX_TRAP);
	ck_assert(cfg.user_set);
	ck_assert_uint_eq(cfg.uid, 1000);
	ck_assert_uint_eq(cfg.gid, 1001);
	ck_assert_str_eq(cfg.chroot, "/var/empty");
	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 4, bad_mode, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--seccomp"));
	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 4, bad_user, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--user"));
	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 4, bad_root, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--chroot"));
}
END_TEST

/* Every rule: unique name "role:syscall[:detail]", a reason, a real call. */
START_TEST(table_is_well_formed)
{
	unsigned int per_role[SANDBOX_NROLES] = { 0 };

	ck_assert_uint_gt(sandbox_nrules, 0);
	for (size_t i = 0; i < sandbox_nrules; i++) {
		const struct sandbox_rule *r = &sandbox_rules[i];
		const char *role = sandbox_role_name(r->role);
		char prefix[64];

		ck_assert_ptr_nonnull(role);
		snprintf(prefix, sizeof(prefix), "%s:%s", role, r->syscall);
		ck_assert_msg(!strncmp(r->name, prefix, strlen(prefix)) &&
				      (r->name[strlen(prefix)] == '\0' ||
				       r->name[strlen(prefix)] == ':'),
			      "rule %s is not named %s[:detail]", r->name, prefix);
		ck_assert_msg(r->why && strlen(r->why) > 8, "rule %s has no reason", r->name);
		ck_assert_msg(seccomp_syscall_resolve_name(r->syscall) != __NR_SCMP_ERROR,
			      "rule %s: no system call %s", r->name, r->syscall);
		ck_assert_msg(r->arg >= -1 && r->arg < 6, "rule %s: argument %d", r->name, r->arg);
		if (!strcmp(r->syscall, "ioctl"))
			ck_assert_msg(r->arg == 1 && r->mask == 0xffffffffu,
				      "ioctl rule %s does not name its request", r->name);
		for (size_t j = 0; j < i; j++)
			ck_assert_msg(strcmp(r->name, sandbox_rules[j].name),
				      "rule %s twice", r->name);
		per_role[r->role]++;
	}
	for (int role = 0; role < SANDBOX_NROLES; role++)
		ck_assert_uint_gt(per_role[role], 3);
}
END_TEST

/* What no thread may ever do, whatever the configuration. */
START_TEST(table_forbids_the_classes)
{
	static const char *const never[] = {
		"execve", "execveat", "ptrace", "process_vm_writev", "socket",
		"open", "openat", "openat2", "creat", "connect", "bind",
		"clone", "clone3", "fork", "vfork", "mount", "chroot", "setuid",
		"capset", "prctl", "seccomp", "rt_sigaction", "kill",
		"mprotect", "pkey_mprotect", "memfd_create",
	};

	for (size_t i = 0; i < sandbox_nrules; i++) {
		const struct sandbox_rule *r = &sandbox_rules[i];

		for (size_t k = 0; k < sizeof(never) / sizeof(never[0]); k++)
			ck_assert_msg(strcmp(r->syscall, never[k]),
				      "rule %s allows %s", r->name, never[k]);
		if (!strcmp(r->syscall, "mmap"))
			ck_assert_msg(r->arg == 2 && (r->mask & PROT_EXEC) &&
					      !(r->value & PROT_EXEC),
				      "rule %s allows executable mappings", r->name);
		/*
		 * Memory slots change at runtime only for --vfio, whose mapped
		 * BARs follow the guest's BAR writes (vfio/pci.c).
		 */
		if (!strcmp(r->syscall, "ioctl") &&
		    r->value == (uint32_t)KVM_SET_USER_MEMORY_REGION)
			ck_assert_msg(r->cond == SANDBOX_IF_VFIO,
				      "rule %s changes memory slots without --vfio", r->name);
		if (!strcmp(r->syscall, "ioctl"))
			ck_assert_msg(r->value != (uint32_t)KVM_CREATE_VCPU &&
					      r->value != (uint32_t)KVM_CREATE_DEVICE,
				      "rule %s allows a setup-only KVM ioctl", r->name);
		if (!strcmp(r->syscall, "tgkill"))
			ck_assert_msg(r->arg == 2 && r->value == SIGUSR1,
				      "rule %s signals more than the kick", r->name);
	}
}
END_TEST

static const struct sandbox_rule *find(const char *name)
{
	for (size_t i = 0; i < sandbox_nrules; i++)
		if (!strcmp(sandbox_rules[i].name, name))
			return &sandbox_rules[i];
	return NULL;
}

START_TEST(conditions_and_drops)
{
	const struct sandbox_rule *run = find("vcpu:ioctl:KVM_RUN");
	const struct sandbox_rule *stats = find("main:ioctl:KVM_GET_STATS_FD");
	const struct sandbox_rule *trap = find("blk:rt_sigreturn:trap");

	ck_assert_ptr_nonnull(run);
	ck_assert_ptr_nonnull(stats);
	ck_assert_ptr_nonnull(trap);
	ck_assert(sandbox_rule_active(run, 0, NULL));
	ck_assert(sandbox_rule_active(run, 0, ""));
	ck_assert(!sandbox_rule_active(run, 0, "vcpu:ioctl:KVM_RUN"));
	ck_assert(!sandbox_rule_active(run, 0, "a,vcpu:ioctl:KVM_RUN,b"));
	ck_assert(sandbox_rule_active(run, 0, "vcpu:ioctl:KVM_RU")); /* whole names */
	ck_assert(sandbox_rule_active(run, 0, "vcpu:ioctl:KVM_RUN2,vcpu"));
	ck_assert(!sandbox_rule_active(stats, 0, NULL));
	ck_assert(sandbox_rule_active(stats, SANDBOX_IF_STATS, NULL));
	ck_assert(sandbox_rule_active(stats, SANDBOX_IF_STATS | SANDBOX_IF_TTY, NULL));
	ck_assert(!sandbox_rule_active(stats, SANDBOX_IF_TTY, NULL));
	ck_assert(!sandbox_rule_active(trap, 0, NULL));
	ck_assert(sandbox_rule_active(trap, SANDBOX_IF_TRAP, NULL));
	/* The VFIO rules are off unless a --vfio device is configured. */
	for (size_t i = 0; i < sandbox_nrules; i++)
		if (strstr(sandbox_rules[i].name, "VFIO_") ||
		    strstr(sandbox_rules[i].name, ":vfio"))
			ck_assert(!sandbox_rule_active(&sandbox_rules[i], 0, NULL) &&
				  sandbox_rule_active(&sandbox_rules[i], SANDBOX_IF_VFIO, NULL));
	ck_assert_ptr_nonnull(find("vcpu:ioctl:VFIO_DEVICE_SET_IRQS"));
	ck_assert_ptr_nonnull(find("main:ioctl:VFIO_IOMMU_UNMAP_DMA"));
}
END_TEST

/*
 * A child confines itself as the main thread under --seccomp kill: the
 * descriptor it inherited is closed, one it opened during setup still
 * takes a write, then it does what the test asks for. Returns its wait
 * status; out receives what it wrote.
 */
static int run_confined(int what, char *out, size_t outlen)
{
	int p[2], status = 0;
	pid_t pid;
	ssize_t n;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct vm_config cfg;
		int w;

		config_init(&cfg);
		close(p[0]);
		dup2(open("/dev/null", O_WRONLY), STDERR_FILENO); /* the reporter's line */
		if (sandbox_init(&cfg))
			_exit(3);
		w = dup(p[1]); /* opened during "setup": kept */
		sandbox_enter(SANDBOX_MAIN);
		/* p[1] was open when the "monitor" started: closed now. */
		if (write(p[1], "inherited", 9) != -1 || errno != EBADF)
			_exit(5);
		if (write(w, "ok", 2) != 2)
			_exit(4);
		if (what == 1) /* a path opened after setup */
			open("/dev/null", O_RDONLY);
		if (what == 2) /* an ioctl outside the main thread's set */
			ioctl(-1, KVM_RUN, 0);
		/* The system call itself: ASan's _exit() makes others first. */
		syscall(SYS_exit_group, 0);
	}
	close(p[1]);
	n = read(p[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

/*
 * Whether this process may load a seccomp filter at all (an allow-all one,
 * in a child). Not under qemu-user (make ARCH=arm64 check-unit), which
 * refuses seccomp() and PR_SET_SECCOMP: the host kernel would apply an
 * arm64 filter to the emulator's own x86_64 system calls.
 */
static bool seccomp_loadable(void)
{
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };
	int status = 0;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
			_exit(1);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

START_TEST(filter_in_a_child)
{
	char out[16];
	int st;

	if (!seccomp_loadable()) {
		fprintf(stderr, "filter_in_a_child: no seccomp filters here "
				"(qemu-user?): not run\n");
		return;
	}

	st = run_confined(0, out, sizeof(out));
	ck_assert_str_eq(out, "ok");
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "status 0x%x", st);
	st = run_confined(1, out, sizeof(out));
	ck_assert_str_eq(out, "ok");
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "open: status 0x%x", st);
	st = run_confined(2, out, sizeof(out));
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "ioctl: status 0x%x", st);
}
END_TEST

Suite *sandbox_suite(void)
{
	Suite *s = suite_create("sandbox");
	TCase *tc = tcase_create("sandbox");

	tcase_add_test(tc, modes);
	tcase_add_test(tc, users);
	tcase_add_test(tc, flags);
	tcase_add_test(tc, table_is_well_formed);
	tcase_add_test(tc, table_forbids_the_classes);
	tcase_add_test(tc, conditions_and_drops);
	tcase_add_test(tc, filter_in_a_child);
	suite_add_tcase(s, tc);
	return s;
}
