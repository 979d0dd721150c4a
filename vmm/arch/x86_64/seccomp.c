// SPDX-License-Identifier: GPL-2.0
/*
 * The sandbox's arch part (vmm/sandbox.c): the system call convention as
 * a SIGSYS handler sees it in its ucontext, and the rules as they are
 * written (x86-64's calls and KVM ioctls) taken as they are. Alone in its
 * file so that the fuzz targets that link the sandbox need nothing else
 * of the arch.
 */
#include <stdint.h>
#include <ucontext.h>

#include "arch.h"
#include "sandbox.h"
#include "types.h"

uint64_t arch_syscall_arg(const void *ucv, unsigned int n)
{
	static const int reg[] = { REG_RDI, REG_RSI, REG_RDX, REG_R10, REG_R8, REG_R9 };
	const ucontext_t *uc = ucv;

	return n < ARRAY_SIZE(reg) ? (uint64_t)uc->uc_mcontext.gregs[reg[n]] : 0;
}

void arch_syscall_set_return(void *ucv, int64_t value)
{
	ucontext_t *uc = ucv;

	uc->uc_mcontext.gregs[REG_RAX] = value;
}

bool arch_sandbox_rule(struct sandbox_rule *r)
{
	(void)r;
	return true; /* sandbox_rules.c names x86-64's calls and ioctls */
}
