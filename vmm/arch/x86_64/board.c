// SPDX-License-Identifier: GPL-2.0
/*
 * The PC board every x86 partition gets (OpenBSD vmd's init_emulated_hw is
 * the model): COM1 as the console, the i8042's reset line, the ACPI PM1
 * block (poweroff through S5) and the debug-exit port tests and guests use
 * to end a run. Generic code knows none of them: it calls
 * arch_create_platform() and finds the UART's node in the device list.
 */
#include <errno.h>
#include <string.h>

#include "arch.h"
#include "devices.h"
#include "irq.h"
#include "log.h"
#include "vm.h"

#define COM1_BASE SERIAL8250_COM1_BASE
#define COM1_IRQ SERIAL8250_COM1_IRQ

static void uart_set_irq(void *opaque, bool level)
{
	irq_line(opaque, COM1_IRQ, level);
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

static void guest_exit(void *opaque, int status)
{
	vm_request_stop(opaque, VM_STOP_GUEST_EXIT, status_guest_exit(status));
}

static void guest_reset(void *opaque)
{
	log_info("guest requested a reset through the i8042");
	vm_request_stop(opaque, VM_STOP_RESET, TESSERA_EXIT_OK);
}

static void guest_poweroff(void *opaque)
{
	log_info("guest powered off (ACPI S5)");
	vm_request_stop(opaque, VM_STOP_RESET, TESSERA_EXIT_OK);
}

static int register_pio(struct vm *vm, uint64_t base, uint64_t len,
			bus_access_fn fn, void *opaque, const char *name)
{
	int r = bus_register(&vm->pio, base, len, fn, opaque, name);

	if (r)
		log_err("cannot register %s at port 0x%llx: %s", name,
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

/* COM1 at 0x3f8, IRQ 4: the console, and the tree's stdout-path. */
static int create_uart(struct vm *vm, struct x86_board *b)
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
			.bus = FDT_BUS_ISA_IO,
			.base = COM1_BASE,
			.size = SERIAL8250_NR_REGS,
			.has_irq = true,
			.irq = COM1_IRQ,
			.irq_type = FDT_IRQ_EDGE_RISING,
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
	return register_pio(vm, COM1_BASE, SERIAL8250_NR_REGS, serial8250_io,
			    &b->uart, "serial8250");
}

int arch_create_platform(struct vm *vm)
{
	struct x86_board *b = &vm->arch.board;
	const struct vm_device debug_exit = { .name = "debug-exit" };
	const struct vm_device i8042 = { .name = "i8042" };
	const struct vm_device acpi_pm = { .name = "acpi-pm" };
	int r;

	r = create_uart(vm, b);
	b->debug_exit = (struct debug_exit){ guest_exit, vm };
	r = r ?: add_device(vm, &debug_exit);
	r = r ?: register_pio(vm, DEBUG_EXIT_PORT, 1, debug_exit_io,
			      &b->debug_exit, "debug-exit");
	b->i8042 = (struct i8042){ guest_reset, vm };
	r = r ?: add_device(vm, &i8042);
	r = r ?: register_pio(vm, I8042_CMD_PORT, 1, i8042_io, &b->i8042,
			      "i8042");
	b->acpi_pm = (struct acpi_pm){ .request_poweroff = guest_poweroff,
				       .opaque = vm };
	r = r ?: add_device(vm, &acpi_pm);
	r = r ?: register_pio(vm, ACPI_PM_PORT, ACPI_PM_NR_PORTS, acpi_pm_io,
			      &b->acpi_pm, "acpi-pm");
	return r;
}
