// SPDX-License-Identifier: GPL-2.0
/* The smallest guest: say hello on the UART and exit with status 0. */
#include "guest.h"

int main(void)
{
	uart_init();
	uart_puts("Hello from a Tessera partition!\n");
	return 0;
}
