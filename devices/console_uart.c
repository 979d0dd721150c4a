// SPDX-License-Identifier: GPL-2.0
/* The console UART's wiring (console_uart.h). */
#include "console_uart.h"
#include "board_common.h"
#include "devices.h"
#include "irq.h"
#include "vm.h"

static void uart_set_irq(void *opaque, bool level)
{
	struct console_uart *u = opaque;

	irq_line(u->vm, u->line, level);
}

static void uart_tx(void *opaque, uint8_t byte)
{
	struct console_uart *u = opaque;

	console_put(&u->vm->console, byte);
}

static void uart_rx_space(void *opaque)
{
	struct console_uart *u = opaque;

	console_wake(&u->vm->console);
}

/* The console's input sink: the UART's receive FIFO. Main thread. */
static size_t uart_rx(void *opaque, const uint8_t *buf, size_t n)
{
	return serial8250_receive(opaque, buf, n);
}

static int uart_destroy(void *opaque)
{
	serial8250_destroy(opaque);
	return 0;
}

int console_uart_attach(struct vm *vm, struct console_uart *u,
			enum fdt_bus bus, uint64_t base, uint32_t line,
			enum fdt_irq_type type)
{
	const struct serial8250_ops ops = {
		.set_irq = uart_set_irq,
		.tx = uart_tx,
		.rx_space = uart_rx_space,
		.opaque = u,
	};
	const struct vm_device dev = {
		.name = "serial8250",
		.has_node = true,
		.node = {
			.node = serial8250_fdt_node,
			.bus = bus,
			.base = base,
			.size = SERIAL8250_NR_REGS,
			.has_irq = true,
			.irq = line,
			.irq_type = type,
			.console = true,
		},
		.destroy = uart_destroy,
		.opaque = &u->uart,
	};
	int r;

	u->vm = vm;
	u->line = line;
	serial8250_init(&u->uart, &ops);
	r = board_add_device(vm, &dev);
	if (r) {
		serial8250_destroy(&u->uart);
		return r;
	}
	console_set_input(&vm->console, uart_rx, &u->uart);
	return board_register(vm, bus, base, SERIAL8250_NR_REGS, serial8250_io,
			      &u->uart, "serial8250");
}
