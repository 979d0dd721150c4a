/* SPDX-License-Identifier: GPL-2.0 */
/* The x86_64 part of struct vm (vm.h includes it as "arch_vm.h"). */
#ifndef TESSERA_X86_ARCH_VM_H
#define TESSERA_X86_ARCH_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "bzimage.h"

struct arch_vm {
	bool bzimage;      /* the kernel was a bzImage: bz holds its header */
	struct bzimage bz;
	bool pvh;          /* enter at pvh_entry in 32-bit mode (vmlinux PVH note) */
	uint32_t pvh_entry;
	unsigned int disabled_exits; /* KVM_X86_DISABLE_EXITS_* in force */
};

#endif
