// SPDX-License-Identifier: GPL-2.0
/*
 * PIO exit benchmark guest: PIO_COUNT writes to the UART scratch register
 * (a claimed port: bus lookup, device lock, IRQ update), then exit 0.
 * Built twice, with 0 and with N writes, so that the difference between
 * the two run times is the cost of N exits and nothing else.
 */
#include "guest.h"

#ifndef PIO_COUNT
#define PIO_COUNT 0
#endif

static volatile unsigned int count = PIO_COUNT; /* volatile: no folding */

int main(void)
{
	for (unsigned int i = 0; i < count; i++)
		outb(COM1 + 7, (uint8_t)i);
	return 0;
}
