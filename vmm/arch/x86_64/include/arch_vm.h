/* SPDX-License-Identifier: GPL-2.0 */
/* The x86_64 part of struct vm (vm.h includes it as "arch_vm.h"). */
#ifndef TESSERA_X86_ARCH_VM_H
#define TESSERA_X86_ARCH_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi_pm.h"
#include "arch/x86_64/bzimage.h"
#include "debug_exit.h"
#include "i8042.h"
#include "console_uart.h"

/* The PC board's own devices (board.c creates them, in this order). */
struct x86_board {
	struct console_uart uart; /* COM1 */
	struct debug_exit debug_exit;
	struct i8042 i8042;
	struct acpi_pm acpi_pm;
};

struct arch_vm {
	bool bzimage;      /* the kernel was a bzImage: bz holds its header */
	struct bzimage bz;
	bool pvh;          /* enter at pvh_entry in 32-bit mode (vmlinux PVH note) */
	uint32_t pvh_entry;
	unsigned int disabled_exits; /* KVM_X86_DISABLE_EXITS_* in force */
	struct x86_board board;
};

#endif
