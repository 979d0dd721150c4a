// SPDX-License-Identifier: GPL-2.0
/*
 * The PC board every x86 partition gets (OpenBSD vmd's init_emulated_hw is
 * the model): COM1 as the console, the i8042's reset line, the ACPI PM1
 * block (poweroff through S5) and the debug-exit port tests and guests use
 * to end a run. Generic code knows none of them: it calls
 * arch_create_platform() and finds the UART's node in the device list.
 */
#include "arch.h"
#include "board_common.h"
#include "devices.h"
#include "log.h"
#include "vm.h"

#define COM1_BASE SERIAL8250_COM1_BASE
#define COM1_IRQ SERIAL8250_COM1_IRQ

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

int arch_create_platform(struct vm *vm)
{
	struct x86_board *b = &vm->arch.board;
	const struct vm_device debug_exit = { .name = "debug-exit" };
	const struct vm_device i8042 = { .name = "i8042" };
	const struct vm_device acpi_pm = { .name = "acpi-pm" };
	int r;

	/* COM1 at 0x3f8, IRQ 4: the console, and the tree's stdout-path. */
	r = console_uart_attach(vm, &b->uart, FDT_BUS_ISA_IO, COM1_BASE,
				COM1_IRQ, FDT_IRQ_EDGE_RISING);
	b->debug_exit = (struct debug_exit){ guest_exit, vm };
	r = r ?: board_add_device(vm, &debug_exit);
	r = r ?: board_register(vm, FDT_BUS_ISA_IO, DEBUG_EXIT_PORT, 1,
				debug_exit_io, &b->debug_exit, "debug-exit");
	b->i8042 = (struct i8042){ guest_reset, vm };
	r = r ?: board_add_device(vm, &i8042);
	r = r ?: board_register(vm, FDT_BUS_ISA_IO, I8042_CMD_PORT, 1, i8042_io,
				&b->i8042, "i8042");
	b->acpi_pm = (struct acpi_pm){ .request_poweroff = guest_poweroff,
				       .opaque = vm };
	r = r ?: board_add_device(vm, &acpi_pm);
	r = r ?: board_register(vm, FDT_BUS_ISA_IO, ACPI_PM_PORT,
				ACPI_PM_NR_PORTS, acpi_pm_io, &b->acpi_pm,
				"acpi-pm");
	return r;
}
