// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of arm64 (vmm/sandbox.c): the monitor's own system-call
 * convention as the SIGSYS handler sees it in its ucontext (x0-x5 in, x0
 * out), and the rules of
 * sandbox_rules.c (written with x86-64's calls and KVM ioctls) as arm64
 * needs them: the generic system call table has no poll, epoll_wait or
 * unlink (glibc calls ppoll, epoll_pwait and unlinkat), and arm64 reads
 * and writes vCPU registers one at a time (KVM_GET/SET_ONE_REG) and has no
 * special registers, FPU block or KVM_TRANSLATE. Alone in its file so
 * that the fuzz targets that link the sandbox need nothing else of the arch
 * (ARCH_HOST_SRCS).
 */
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <ucontext.h>

#include "arch.h"
#include "sandbox.h"
#include "types.h"

/* The AArch64 syscall convention: x0-x5 in, x0 out. */
uint64_t arch_sigsys_arg(const void *ucv, unsigned int n)
{
	const ucontext_t *uc = ucv;

	return n < 6 ? uc->uc_mcontext.regs[n] : 0;
}

void arch_sigsys_set_return(void *ucv, long value)
{
	ucontext_t *uc = ucv;

	uc->uc_mcontext.regs[0] = (uint64_t)value;
}

static const struct {
	const char *x86, *arm64;
} calls[] = {
	{ "poll", "ppoll" },
	{ "epoll_wait", "epoll_pwait" },
	{ "unlink", "unlinkat" },
};

static const struct {
	uint32_t x86, arm64; /* arm64 0: no such ioctl here */
} ioctls[] = {
	{ (uint32_t)KVM_GET_REGS, (uint32_t)KVM_GET_ONE_REG },
	{ (uint32_t)KVM_SET_REGS, (uint32_t)KVM_SET_ONE_REG },
	{ (uint32_t)KVM_GET_SREGS, 0 },
	{ (uint32_t)KVM_SET_SREGS, 0 },
	{ (uint32_t)KVM_GET_FPU, 0 },
	{ (uint32_t)KVM_SET_FPU, 0 },
	{ (uint32_t)KVM_TRANSLATE, 0 },
};

bool arch_sandbox_rule(struct sandbox_rule *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(calls); i++)
		if (!strcmp(r->syscall, calls[i].x86))
			r->syscall = calls[i].arm64;
	if (strcmp(r->syscall, "ioctl") || r->arg != 1)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(ioctls); i++)
		if (r->value == ioctls[i].x86) {
			r->value = ioctls[i].arm64;
			return ioctls[i].arm64 != 0;
		}
	return true;
}
