// SPDX-License-Identifier: GPL-2.0
/*
 * Reads the partition's device tree the way Linux finds it on x86 (RSI ->
 * zero page -> setup_data chain -> SETUP_DTB), takes the UART's I/O port
 * and interrupt from the "ns16550a" node, and prints through that port,
 * one "dtinfo: key=value" line per fact:
 *
 *   dtinfo: dtb=0x<address> size=<bytes>
 *   dtinfo: model=<root model>
 *   dtinfo: partition=<hypervisor partition-name>
 *   dtinfo: cpus=<cpu nodes under /cpus>
 *   dtinfo: memory=<bytes in all /memory nodes>
 *   dtinfo: uart=0x<port> irq=<pin> type=<sense>
 *   dtinfo: stdout=<chosen stdout-path>
 *   dtinfo: bootargs=<chosen bootargs, empty if none>
 *   dtinfo: ok
 *
 * Exit status 0; 3 if there is no DTB (message on COM1, the only port we
 * know without one), 4 if it is malformed, 5 if a node or property we
 * need is missing.
 */
#include "dtb.h"
#include "guest.h"

#define GUEST_WINDOW (4ULL << 30) /* the identity map tessera sets up */
#define ISA_SPACE_IO 0x1

enum { EXIT_NO_DTB = 3, EXIT_BAD_DTB = 4, EXIT_MISSING = 5 };

static uint16_t port = COM1; /* replaced by the port the tree names */

static void putc_port(char c)
{
	while (!(inb(port + 5) & 0x20)) /* LSR.THRE */
		;
	outb(port, (uint8_t)c);
}

static void put(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			putc_port('\r');
		putc_port(*s);
	}
}

static void put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do
		buf[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	put(&buf[i]);
}

static void put_hex(uint64_t v)
{
	char buf[19];
	int i = 18;

	buf[i] = 0;
	do
		buf[--i] = "0123456789abcdef"[v & 0xf];
	while ((v >>= 4) && i > 2);
	buf[--i] = 'x';
	buf[--i] = '0';
	put(&buf[i]);
}

static void uart_setup(void)
{
	outb(port + 1, 0x00); /* IER: no interrupts */
	outb(port + 3, 0x80); /* LCR: DLAB */
	outb(port + 0, 0x01); /* DLL: 115200 baud */
	outb(port + 1, 0x00); /* DLM */
	outb(port + 3, 0x03); /* LCR: 8N1 */
	outb(port + 2, 0x07); /* FCR: FIFO on, both cleared */
	outb(port + 4, 0x0b); /* MCR: DTR, RTS, OUT2 */
}

static int fail(int status, const char *what, int err)
{
	put("dtinfo: error: ");
	put(what);
	if (err) {
		put(" (");
		put(err == -DTB_ENOENT ? "not found" : "malformed");
		put(")");
	}
	put("\n");
	return status;
}

static int missing(const char *what, int err)
{
	return fail(err == -DTB_ENOENT ? EXIT_MISSING : EXIT_BAD_DTB, what, err);
}

/* Children of node whose device_type is type: count, and sum of reg sizes. */
static void scan_type(const struct dtb *t, int node, const char *type,
		      uint64_t *count, uint64_t *bytes)
{
	*count = *bytes = 0;
	for (int c = dtb_first_child(t, node); c >= 0;
	     c = dtb_next_sibling(t, c)) {
		struct dtb_reg reg;

		if (!dtb_prop_has_string(t, c, "device_type", type))
			continue;
		(*count)++;
		for (unsigned int i = 0; dtb_reg(t, c, i, &reg) == 0; i++)
			*bytes += reg.size;
	}
}

/* The UART: its port (ISA I/O space) and its first interrupt. */
static int find_uart(const struct dtb *t, uint32_t irq[DTB_MAX_IRQ_CELLS],
		     uint32_t *nirq)
{
	struct dtb_reg reg;
	int uart = dtb_find_compatible(t, -1, "ns16550a");
	int r;

	if (uart < 0)
		return missing("no ns16550a node", uart);
	r = dtb_reg(t, uart, 0, &reg);
	if (r)
		return missing("ns16550a reg", r);
	if (reg.naddr != 2 || !(reg.addr[0] & ISA_SPACE_IO) ||
	    reg.addr[1] > 0xfff8)
		return fail(EXIT_BAD_DTB, "ns16550a is not at an ISA I/O port", 0);
	r = dtb_interrupt(t, uart, 0, irq, nirq);
	if (r)
		return missing("ns16550a interrupts", r);
	port = (uint16_t)reg.addr[1];
	return 0;
}

static void put_string_prop(const struct dtb *t, const char *key,
			    const char *path, const char *prop)
{
	const char *s = "";
	int node = dtb_find_path(t, path);

	if (node >= 0 && dtb_prop_string(t, node, prop, &s))
		s = "";
	put("dtinfo: ");
	put(key);
	put("=");
	put(s);
	put("\n");
}

int main(uint64_t boot_params)
{
	uint32_t irq[DTB_MAX_IRQ_CELLS], nirq;
	uint64_t ncpus, nbytes, n;
	const void *blob;
	struct dtb t;
	uint32_t len;
	int r;

	r = dtb_find_setup_dtb(0, GUEST_WINDOW, boot_params, &blob, &len);
	if (r == 0)
		r = dtb_init(&t, blob, len);
	if (r) {
		uart_init(); /* COM1: without a tree we know no other port */
		uart_puts(r == -DTB_ENOENT
				  ? "dtinfo: error: no device tree in setup_data\n"
				  : "dtinfo: error: bad setup_data chain or device tree header\n");
		return r == -DTB_ENOENT ? EXIT_NO_DTB : EXIT_BAD_DTB;
	}
	r = find_uart(&t, irq, &nirq);
	if (r)
		return r;
	uart_setup();

	put("dtinfo: dtb=");
	put_hex((uint64_t)(uintptr_t)blob);
	put(" size=");
	put_dec(t.size);
	put("\n");
	put_string_prop(&t, "model", "/", "model");
	put_string_prop(&t, "partition", "/hypervisor", "partition-name");

	r = dtb_find_path(&t, "/cpus");
	if (r < 0)
		return missing("/cpus", r);
	scan_type(&t, r, "cpu", &ncpus, &nbytes);
	scan_type(&t, dtb_root(&t), "memory", &n, &nbytes);
	if (ncpus == 0 || n == 0 || nbytes == 0)
		return fail(EXIT_MISSING, "no cpu or memory nodes", 0);
	put("dtinfo: cpus=");
	put_dec(ncpus);
	put("\ndtinfo: memory=");
	put_dec(nbytes);
	put("\ndtinfo: uart=");
	put_hex(port);
	put(" irq=");
	put_dec(irq[0]);
	put(" type=");
	put_dec(nirq > 1 ? irq[1] : 0);
	put("\n");
	put_string_prop(&t, "stdout", "/chosen", "stdout-path");
	put_string_prop(&t, "bootargs", "/chosen", "bootargs");
	put("dtinfo: ok\n");
	return 0;
}
