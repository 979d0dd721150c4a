// SPDX-License-Identifier: GPL-2.0
/*
 * The host side of x86_64: the monitor's own system-call convention, as
 * the seccomp SIGSYS handler sees it in its ucontext (arguments in rdi,
 * rsi, rdx, r10, r8, r9; the result in rax).
 */
#include <ucontext.h>

#include "arch.h"
#include "sandbox.h"

uint64_t arch_sigsys_arg(const void *ucv, unsigned int n)
{
	static const int reg[] = { REG_RDI, REG_RSI, REG_RDX, REG_R10, REG_R8, REG_R9 };
	const ucontext_t *uc = ucv;

	return n < 6 ? (uint64_t)uc->uc_mcontext.gregs[reg[n]] : 0;
}

void arch_sigsys_set_return(void *ucv, long ret)
{
	ucontext_t *uc = ucv;

	uc->uc_mcontext.gregs[REG_RAX] = ret;
}

/* sandbox_rules.c names x86-64's own calls and ioctls: nothing to adapt. */
bool arch_sandbox_rule(struct sandbox_rule *r)
{
	(void)r;
	return true;
}
