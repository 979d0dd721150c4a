// SPDX-License-Identifier: GPL-2.0
/*
 * Executes int3 in kernel mode with a #BP handler installed. Real KVM
 * delivers the exception: the handler prints and the guest exits 0. Our
 * kvm_pvm hosts send it to their instruction emulator, which lacks int3:
 * KVM_EXIT_INTERNAL_ERROR, which the monitor must report (status 121,
 * instruction bytes "cc") instead of spinning.
 */
#include "guest.h"

__attribute__((interrupt)) static void bp_isr(struct interrupt_frame *f)
{
	(void)f;
	uart_puts("int3: delivered\n");
	guest_exit(0);
}

__attribute__((interrupt)) static void other_isr(struct interrupt_frame *f)
{
	(void)f;
	uart_puts("int3: unexpected exception\n");
	guest_exit(6);
}

int main(void)
{
	uart_init();
	idt_init(other_isr);
	idt_set(3, bp_isr);
	uart_puts("int3: executing int3\n");
	__asm__ volatile("int3");
	uart_puts("int3: returned without the handler\n");
	return 7;
}
