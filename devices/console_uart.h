/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console UART every board has, a 16550A (serial8250.h), attached the
 * same way on each: to the console (output, and input with back-pressure),
 * to the device list (its node is the tree's stdout-path) and to a bus.
 * The board passes the address, the bus and the interrupt line; nothing
 * here names one.
 */
#ifndef TESSERA_CONSOLE_UART_H
#define TESSERA_CONSOLE_UART_H

#include <stdint.h>

#include "fdt.h"
#include "serial8250.h"

struct vm;

/* The console UART and what its callbacks need (a board embeds it). */
struct console_uart {
	struct serial8250 uart;
	struct vm *vm;
	uint32_t line; /* its interrupt line (irq.h) */
};

/*
 * Creates the console UART at base on bus (FDT_BUS_ISA_IO: vm->pio, a
 * port; FDT_BUS_MMIO: vm->mmio) raising line with the trigger type:
 * adds it to the device list (a node marked as the console; torn down
 * with the list), makes it the console's input sink and registers its
 * registers. 0 or -errno (logged); after a failure the list's teardown
 * frees what it took. Main thread.
 */
int console_uart_attach(struct vm *vm, struct console_uart *u,
			enum fdt_bus bus, uint64_t base, uint32_t line,
			enum fdt_irq_type type);

#endif
