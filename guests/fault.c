// SPDX-License-Identifier: GPL-2.0
/*
 * A guest that dies: with no IDT, an invalid opcode escalates to a double
 * and then a triple fault. The monitor must report it and exit 120.
 */
#include "guest.h"

int main(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	uart_init();
	uart_puts("fault: about to triple-fault\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(no_idt));
	return 3; /* not reached */
}
