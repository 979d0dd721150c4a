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

#include "arch.h"
#include "board_common.h"
#include "devices.h"
#include "fdt.h"
#include "layout.h"
#include "vm.h"

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

	/* The 16550's line is a level: KVM_IRQ_LINE follows it. */
	r = console_uart_attach(vm, &b->uart, FDT_BUS_MMIO, ARM64_UART_BASE,
				ARM64_UART_SPI, FDT_IRQ_LEVEL_HIGH);
	b->debug_exit = (struct debug_exit){ guest_exit, vm };
	r = r ?: board_add_device(vm, &debug_exit);
	r = r ?: board_register(vm, FDT_BUS_MMIO, ARM64_DEBUG_EXIT_BASE,
				ARM64_DEBUG_EXIT_SIZE, debug_exit_io,
				&b->debug_exit, "debug-exit");
	return r;
}
