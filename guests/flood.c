// SPDX-License-Identifier: GPL-2.0
/*
 * Writes 80 KiB to the UART as fast as it can, then exits 0. With a
 * stalled reader on the host this overruns the console buffer: the monitor
 * must drop and count, never stall the vCPU.
 */
#include <guest.h>

#define FLOOD_BYTES (80 * 1024)

int main(void)
{
	uart_init();
	for (unsigned int i = 0; i < FLOOD_BYTES; i++)
		uart_write_raw((uint8_t)('a' + i % 26));
	uart_puts("\nflood: done\n");
	return 0;
}
