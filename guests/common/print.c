// SPDX-License-Identifier: GPL-2.0
/*
 * What both test-guest runtimes share: console formatting over the arch's
 * uart_putc(), memset and memcpy (the compiler may call these two).
 * <guest.h> with angle brackets: the arch's runtime header comes first in
 * the include path (guests/common/arm64/ on arm64; guests/common/ on x86),
 * while "guest.h" would find this directory's x86 one on every arch.
 */
#include <guest.h>

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
