/* SPDX-License-Identifier: GPL-2.0 */
/* The stub arch's part of struct vm (vm.h includes it as "arch_vm.h"). */
#ifndef TESSERA_STUB_ARCH_VM_H
#define TESSERA_STUB_ARCH_VM_H

struct arch_vm {
	int unused; /* C wants a member */
};

#endif
