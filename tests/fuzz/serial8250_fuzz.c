// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the 16550A model (devices/serial8250.c): the input
 * is a program of register accesses and host input, three bytes an
 * operation: OP, A, B.
 *
 *   OP % 4 == 0  the guest writes B to register A % 8 (any size: OP >> 2
 *                picks 1, 2 or 4 bytes, as a guest's odd `out` would)
 *   OP % 4 == 1  the guest reads register A % 8
 *   OP % 4 == 2  the host receives B % 32 bytes (the next input bytes)
 *   OP % 4 == 3  the host asks for the receive space
 *
 * Invariants checked: the interrupt line's level follows only set_irq
 * calls, the receive space never exceeds the FIFO, and the model never
 * reports more bytes taken than given.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "serial8250.h"

static bool irq_level;
static size_t tx_bytes;

static void fake_irq(void *o, bool level)
{
	(void)o;
	irq_level = level;
}

static void fake_tx(void *o, uint8_t b)
{
	(void)o, (void)b;
	tx_bytes++;
}

static void fake_space(void *o)
{
	(void)o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t sizes[4] = { 1, 1, 2, 4 };
	const struct serial8250_ops ops = { fake_irq, fake_tx, fake_space, NULL };
	struct serial8250 u;
	size_t i = 0;

	log_level = LOG_QUIET;
	irq_level = false;
	tx_bytes = 0;
	serial8250_init(&u, &ops);
	while (i + 3 <= size) {
		uint8_t op = data[i], a = data[i + 1], b = data[i + 2];
		uint8_t buf[4] = { b, b, b, b };
		size_t n, taken;

		i += 3;
		switch (op & 3) {
		case 0:
			serial8250_io(&u, a % SERIAL8250_NR_REGS, buf,
				      sizes[(op >> 2) & 3], true);
			break;
		case 1:
			serial8250_io(&u, a % SERIAL8250_NR_REGS, buf,
				      sizes[(op >> 2) & 3], false);
			break;
		case 2:
			n = b % 32;
			if (n > size - i)
				n = size - i;
			taken = serial8250_receive(&u, data + i, n);
			if (taken > n)
				abort();
			i += n;
			break;
		case 3:
			if (serial8250_rx_space(&u) > SERIAL8250_FIFO_SIZE)
				abort();
			break;
		}
		if (u.irq_level != irq_level || u.rx_count > SERIAL8250_FIFO_SIZE)
			abort();
	}
	serial8250_destroy(&u);
	return 0;
}
