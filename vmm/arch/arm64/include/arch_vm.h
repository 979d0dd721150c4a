/* SPDX-License-Identifier: GPL-2.0 */
/* The arm64 part of struct vm (vm.h includes it as "arch_vm.h"). */
#ifndef TESSERA_ARM64_ARCH_VM_H
#define TESSERA_ARM64_ARCH_VM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "debug_exit.h"
#include "console_uart.h"

/* The board's own devices (board.c creates them). */
struct arm64_board {
	struct console_uart uart;       /* 16550A at ARM64_UART_BASE */
	struct debug_exit debug_exit; /* the guest's exit status register */
};

struct arch_vm {
	int gic_fd;            /* the vGICv3 device; the device list closes it */
	bool have_target;
	struct kvm_vcpu_init target; /* KVM_ARM_PREFERRED_TARGET, once */
	uint64_t dtb_gpa;      /* where the DTB goes; x0 at entry */
	bool image;            /* the kernel was an arm64 Image */
	struct arm64_board board;
};

#endif
