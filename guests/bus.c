// SPDX-License-Identifier: GPL-2.0
/*
 * Checks what the monitor promises about unclaimed addresses and the UART
 * registers: unclaimed port reads give all-ones, unclaimed MMIO reads give
 * 0 and writes there are ignored, the UART scratch register and divisor
 * latch hold their values. Exit status 0 on success, else the failed check.
 */
#include "guest.h"

#define UNCLAIMED_PORT 0x2f0
#define UNCLAIMED_MMIO 0xd0000000ULL /* inside the MMIO hole, no device */

static int fails;

static void check(bool ok, const char *what)
{
	uart_puts(ok ? "bus: ok   " : "bus: FAIL ");
	uart_puts(what);
	uart_puts("\n");
	fails += !ok;
}

int main(void)
{
	uint8_t dll, dlm;

	uart_init();
	check(inb(UNCLAIMED_PORT) == 0xff, "unclaimed port byte read is 0xff");
	check(inl(UNCLAIMED_PORT) == 0xffffffffu,
	      "unclaimed port dword read is 0xffffffff");
	mmio_write32(UNCLAIMED_MMIO, 0x12345678);
	check(mmio_read32(UNCLAIMED_MMIO) == 0, "unclaimed MMIO read is 0");
	outb(COM1 + 7, 0xa5);
	check(inb(COM1 + 7) == 0xa5, "UART scratch register holds 0xa5");
	outb(COM1 + 3, 0x83); /* DLAB on */
	outb(COM1 + 0, 0x42);
	outb(COM1 + 1, 0x99);
	outb(COM1 + 3, 0x03); /* DLAB off */
	check(inb(COM1 + 1) == 0x00, "DLAB off: offset 1 is IER, not DLM");
	outb(COM1 + 3, 0x83);
	dll = inb(COM1 + 0);
	dlm = inb(COM1 + 1);
	outb(COM1 + 3, 0x03); /* DLAB off before printing again */
	check(dll == 0x42 && dlm == 0x99, "divisor latch holds 0x9942");
	check((inb(COM1 + 2) & 0xc0) == 0xc0, "IIR reports FIFOs enabled");
	check((inb(COM1 + 5) & 0x60) == 0x60, "LSR: transmitter empty");
	return fails ? 10 + fails : 0;
}
