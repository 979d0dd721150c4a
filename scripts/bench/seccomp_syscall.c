// SPDX-License-Identifier: GPL-2.0
/*
 * What the vCPU filter adds to one system call: CPU time per
 * ioctl(-1, KVM_RUN) (EBADF: the kernel's shortest path through the same
 * entry) without a filter, then with the vCPU role's filter, in one
 * process. A PIO exit makes one such call (KVM_RUN). scripts/bench/seccomp.sh
 * builds and runs it.
 */
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "sandbox.h"

static double ns_per_call(long n)
{
	struct timespec a, b;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	for (long i = 0; i < n; i++)
		ioctl(-1, KVM_RUN, 0);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n;
}

int main(void)
{
	enum { ROUNDS = 7, N = 1000000 };
	double off[ROUNDS], on[ROUNDS];
	struct vm_config cfg;

	config_init(&cfg);
	if (sandbox_init(&cfg))
		return 1;
	for (int r = 0; r < ROUNDS; r++)
		off[r] = ns_per_call(N);
	sandbox_enter(SANDBOX_VCPU); /* from here on, only the vCPU's calls */
	for (int r = 0; r < ROUNDS; r++)
		on[r] = ns_per_call(N);
	for (int r = 0; r < ROUNDS; r++) { /* stdio would fstat: write(2) only */
		char line[64];
		int len = snprintf(line, sizeof(line), "syscall %.1f %.1f\n", off[r], on[r]);

		if (write(STDOUT_FILENO, line, (size_t)len) != len)
			break;
	}
	syscall(SYS_exit, 0); /* the last thread ends: the vCPU may not exit_group */
}
