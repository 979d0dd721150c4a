// SPDX-License-Identifier: GPL-2.0
#include "guest.h"

void guest_exit(int status)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void uart_init(void)
{
	outb(COM1 + 1, 0x00); /* IER: no interrupts */
	outb(COM1 + 3, 0x80); /* LCR: DLAB */
	outb(COM1 + 0, 0x01); /* DLL: 115200 baud */
	outb(COM1 + 1, 0x00); /* DLM */
	outb(COM1 + 3, 0x03); /* LCR: 8N1 */
	outb(COM1 + 2, 0x07); /* FCR: FIFO on, both cleared, trigger 1 */
	outb(COM1 + 4, 0x0b); /* MCR: DTR, RTS, OUT2 */
}

void uart_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* LSR.THRE */
		;
	outb(COM1, (uint8_t)c);
}

void uart_puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

void uart_put_hex(uint64_t v)
{
	char buf[19] = "0x";
	int i;

	for (i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = 0;
	uart_puts(buf);
}

void uart_put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do
		buf[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	uart_puts(&buf[i]);
}

void *memset(void *s, int c, size_t n)
{
	uint8_t *p = s;

	while (n--)
		*p++ = (uint8_t)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}
