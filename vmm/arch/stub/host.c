// SPDX-License-Identifier: GPL-2.0
/* The stub arch's host side: no system-call registers to read or set. */
#include "arch.h"
#include "sandbox.h"

uint64_t arch_sigsys_arg(const void *uc, unsigned int n)
{
	(void)uc, (void)n;
	return 0;
}

void arch_sigsys_set_return(void *uc, long ret)
{
	(void)uc, (void)ret;
}

bool arch_sandbox_rule(struct sandbox_rule *r)
{
	(void)r;
	return true;
}
