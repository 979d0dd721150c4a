// SPDX-License-Identifier: GPL-2.0
/*
 * The board every arm64 partition gets: the console, a 16550A at an MMIO
 * address (compatible "ns16550a", byte-wide registers), and the
 * debug-exit register the freestanding guests end a run with.
 *
 * Why a 16550 and not a PL011: it is the UART model we already have and
 * test (devices/serial8250.c: FIFO, interrupts, host input), Linux drives
 * it with no extra options (8250_of and its earlycon are built into
 * Debian's arm64 kernels, ttyS0), and the freestanding runtime knows it.
 * A PL011 would be a second model of the same thing.
 *
 * Power-off and reset need no device: PSCI SYSTEM_OFF and SYSTEM_RESET
 * reach the monitor as KVM_EXIT_SYSTEM_EVENT (exit.c), ending the run with
 * status 0 as x86's ACPI power-off and i8042 reset do.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "devices.h"
#include "fdt.h"
#include "irq.h"
#include "layout.h"
#include "log.h"
#include "vm.h"

static void uart_set_irq(void *opaque, bool level)
{
	irq_line(opaque, ARM64_UART_SPI, level);
}

static void uart_tx(void *opaque, uint8_t byte)
{
	struct vm *vm = opaque;

	console_put(&vm->console, byte);
}

static void uart_rx_space(void *opaque)
{
	struct vm *vm = opaque;

	console_wake(&vm->console);
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

/*
 * The guest wrote its status; it asks for SYSTEM_OFF next, which then
 * finds the stop already requested (the first reason wins).
 */
static void guest_exit(void *opaque, int status)
{
	vm_request_stop(opaque, VM_STOP_GUEST_EXIT, status_guest_exit(status));
}

/* A 32-bit register; the low byte is the status (devices/debug_exit.h). */
static int debug_exit_fdt_node(struct fdt_writer *w, const struct fdt_device *dev)
{
	int r = fdt_w_begin_device(w, "debug-exit", "tessera,debug-exit", dev);

	return r ?: fdt_w_end_node(w);
}

static int register_mmio(struct vm *vm, uint64_t base, uint64_t len,
			 bus_access_fn fn, void *opaque, const char *name)
{
	int r = bus_register(&vm->mmio, base, len, fn, opaque, name);

	if (r)
		log_err("cannot register %s at 0x%llx: %s", name,
			(unsigned long long)base, strerror(-r));
	return r;
}

static int add_device(struct vm *vm, const struct vm_device *d)
{
	int r = devices_add(&vm->devices, d);

	if (r)
		log_err("%s: cannot add it to the device list: %s", d->name,
			strerror(-r));
	return r;
}

static int create_uart(struct vm *vm, struct arm64_board *b)
{
	const struct serial8250_ops ops = {
		.set_irq = uart_set_irq,
		.tx = uart_tx,
		.rx_space = uart_rx_space,
		.opaque = vm,
	};
	const struct vm_device dev = {
		.name = "serial8250",
		.has_node = true,
		.node = {
			.node = serial8250_fdt_node,
			.bus = FDT_BUS_MMIO,
			.base = ARM64_UART_BASE,
			.size = SERIAL8250_NR_REGS,
			.has_irq = true,
			.irq = ARM64_UART_SPI,
			/* The 16550's line is a level: KVM_IRQ_LINE follows it. */
			.irq_type = FDT_IRQ_LEVEL_HIGH,
			.console = true,
		},
		.destroy = uart_destroy,
		.opaque = &b->uart,
	};
	int r;

	serial8250_init(&b->uart, &ops);
	r = add_device(vm, &dev);
	if (r) {
		serial8250_destroy(&b->uart);
		return r;
	}
	console_set_input(&vm->console, uart_rx, &b->uart);
	return register_mmio(vm, ARM64_UART_BASE, SERIAL8250_NR_REGS,
			     serial8250_io, &b->uart, "serial8250");
}

int arch_create_platform(struct vm *vm)
{
	struct arm64_board *b = &vm->arch.board;
	const struct vm_device debug_exit = {
		.name = "debug-exit",
		.has_node = true,
		.node = {
			.node = debug_exit_fdt_node,
			.bus = FDT_BUS_MMIO,
			.base = ARM64_DEBUG_EXIT_BASE,
			.size = ARM64_DEBUG_EXIT_SIZE,
		},
	};
	int r;

	r = create_uart(vm, b);
	b->debug_exit = (struct debug_exit){ guest_exit, vm };
	r = r ?: add_device(vm, &debug_exit);
	r = r ?: register_mmio(vm, ARM64_DEBUG_EXIT_BASE, ARM64_DEBUG_EXIT_SIZE,
			       debug_exit_io, &b->debug_exit, "debug-exit");
	return r;
}
