// SPDX-License-Identifier: GPL-2.0
/*
 * An AArch64 guest that executes a permanently undefined instruction: the
 * runtime's vector table must catch it, print the syndrome on the console
 * and exit with GUEST_STATUS_EXCEPTION (125) through the debug-exit
 * register and PSCI SYSTEM_OFF.
 */
#include "guest.h"

int main(void)
{
	uart_init();
	uart_puts("undef: executing UDF #0\n");
	__asm__ volatile("udf #0");
	uart_puts("undef: still running after UDF\n");
	return 1;
}
