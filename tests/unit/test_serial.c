// SPDX-License-Identifier: GPL-2.0
/* The 16550A register model with fake irq/tx callbacks. */
#include <string.h>

#include "serial8250.h"
#include "suites.h"

static struct serial8250 u;
static int irq_level, irq_edges, rx_space_calls;
static char txbuf[64];
static size_t txlen;

static void fake_irq(void *o, bool level)
{
	(void)o;
	irq_level = level;
	irq_edges += level;
}

static void fake_tx(void *o, uint8_t b)
{
	(void)o;
	if (txlen < sizeof(txbuf))
		txbuf[txlen++] = (char)b;
}

static void fake_space(void *o)
{
	(void)o;
	rx_space_calls++;
}

static void setup(void)
{
	const struct serial8250_ops ops = { fake_irq, fake_tx, fake_space, NULL };

	irq_level = irq_edges = rx_space_calls = 0;
	txlen = 0;
	serial8250_init(&u, &ops);
}

static void teardown(void)
{
	serial8250_destroy(&u);
}

static void wr(unsigned int reg, uint8_t v)
{
	serial8250_io(&u, reg, &v, 1, true);
}

static uint8_t rd(unsigned int reg)
{
	uint8_t v = 0xcc;

	serial8250_io(&u, reg, &v, 1, false);
	return v;
}

START_TEST(tx_goes_out)
{
	wr(0, 'h');
	wr(0, 'i');
	ck_assert_uint_eq(txlen, 2);
	ck_assert(!memcmp(txbuf, "hi", 2));
	ck_assert_uint_eq(rd(5) & 0x60, 0x60); /* THRE + TEMT */
	ck_assert_int_eq(irq_level, 0); /* no interrupt enabled */
}
END_TEST

START_TEST(dlab_switches_registers)
{
	wr(1, 0x05);        /* IER */
	wr(3, 0x83);        /* DLAB on */
	wr(0, 0x0c);        /* DLL */
	wr(1, 0x01);        /* DLM */
	ck_assert_uint_eq(rd(0), 0x0c);
	ck_assert_uint_eq(rd(1), 0x01);
	ck_assert_uint_eq(txlen, 0); /* DLL write is not a transmit */
	wr(3, 0x03);
	ck_assert_uint_eq(rd(1), 0x05); /* IER back */
	ck_assert_uint_eq(rd(3), 0x03);
	wr(7, 0x5a);
	ck_assert_uint_eq(rd(7), 0x5a);
}
END_TEST

START_TEST(fifo_and_trigger)
{
	uint8_t in[20];

	for (int i = 0; i < 20; i++)
		in[i] = (uint8_t)('a' + i);
	/* Without FIFO mode the UART holds one byte. */
	ck_assert_uint_eq(serial8250_rx_space(&u), 1);
	ck_assert_uint_eq(serial8250_receive(&u, in, 20), 1);
	ck_assert_uint_eq(rd(2) & 0xc0, 0);
	wr(2, 0x01 | 0x80); /* FIFO on (clears), trigger 8 */
	ck_assert_uint_eq(rx_space_calls, 1); /* the full holding register emptied */
	rx_space_calls = 0;
	ck_assert_uint_eq(rd(2) & 0xc0, 0xc0);
	ck_assert_uint_eq(serial8250_receive(&u, in, 20), 16);
	ck_assert_uint_eq(serial8250_rx_space(&u), 0);
	ck_assert_uint_eq(rd(5) & 0x01, 1);
	for (int i = 0; i < 16; i++)
		ck_assert_uint_eq(rd(0), 'a' + i);
	ck_assert_uint_eq(rx_space_calls, 1); /* once, when it stopped being full */
	ck_assert_uint_eq(rd(5) & 0x01, 0);
	ck_assert_uint_eq(rd(0), 0); /* empty FIFO reads 0 */
	serial8250_receive(&u, in, 3);
	wr(2, 0x01 | 0x02); /* clear RX */
	ck_assert_uint_eq(rd(5) & 0x01, 0);
}
END_TEST

START_TEST(iir_priorities)
{
	uint8_t b = 'x';

	wr(2, 0x01 | 0x40); /* FIFO, trigger 4 */
	ck_assert_uint_eq(rd(2) & 0x0f, 0x01); /* nothing pending */
	wr(1, 0x0f);                           /* all sources */
	ck_assert_int_eq(irq_level, 1);        /* THR empty at once */
	ck_assert_uint_eq(rd(2) & 0x0f, 0x02);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x01); /* reading IIR cleared THRI */
	ck_assert_int_eq(irq_level, 0);

	serial8250_receive(&u, &b, 1); /* below trigger: character timeout */
	ck_assert_uint_eq(rd(2) & 0x0f, 0x0c);
	serial8250_receive(&u, (const uint8_t *)"yzw", 3); /* reaches trigger */
	ck_assert_uint_eq(rd(2) & 0x0f, 0x04);
	wr(0, 'o'); /* THRI pending too, but data has priority */
	ck_assert_uint_eq(rd(2) & 0x0f, 0x04);

	/* Loopback overrun: the line status interrupt outranks all. */
	wr(4, 0x10);
	for (int i = 0; i < 20; i++)
		wr(0, 'L');
	ck_assert_uint_eq(rd(2) & 0x0f, 0x06);
	ck_assert_uint_eq(rd(5) & 0x02, 0x02); /* OE, cleared by the read */
	ck_assert_uint_eq(rd(5) & 0x02, 0);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x04);
	for (int i = 0; i < 16; i++)
		rd(0);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x02);
	ck_assert_uint_eq(rd(2) & 0x0f, 0x01);
	ck_assert_int_eq(irq_level, 0);
}
END_TEST

START_TEST(loopback_msr)
{
	ck_assert_uint_eq(rd(6) & 0xf0, 0xb0); /* DCD DSR CTS, no RI */
	wr(4, 0x10);
	ck_assert_uint_eq(rd(6) & 0xf0, 0x00);
	wr(4, 0x10 | 0x0a); /* what Linux's 8250 probe writes */
	ck_assert_uint_eq(rd(6) & 0xf0, 0x90);
	wr(4, 0x1f);
	ck_assert_uint_eq(rd(6) & 0xf0, 0xf0);
	wr(0, 'Q');
	ck_assert_uint_eq(txlen, 0); /* loopback keeps it inside */
	ck_assert_uint_eq(rd(0), 'Q');
}
END_TEST

START_TEST(odd_accesses)
{
	uint8_t w[4] = { 0x41, 0x42, 0x43, 0x44 };

	serial8250_io(&u, 0, w, 4, true); /* wide write: first byte only */
	ck_assert_uint_eq(txlen, 1);
	memset(w, 0xee, 4);
	serial8250_io(&u, 5, w, 4, false);
	ck_assert_uint_eq(w[1], 0);
	ck_assert_uint_eq(w[3], 0);
	serial8250_io(&u, 9, w, 1, true); /* beyond the registers: ignored */
	ck_assert_uint_eq(txlen, 1);
}
END_TEST

Suite *serial_suite(void)
{
	Suite *s = suite_create("serial8250");
	TCase *tc = tcase_create("registers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tx_goes_out);
	tcase_add_test(tc, dlab_switches_registers);
	tcase_add_test(tc, fifo_and_trigger);
	tcase_add_test(tc, iir_priorities);
	tcase_add_test(tc, loopback_msr);
	tcase_add_test(tc, odd_accesses);
	suite_add_tcase(s, tc);
	return s;
}
