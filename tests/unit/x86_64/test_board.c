// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 board (vmm/arch/x86_64/board.c) without KVM: what
 * arch_create_platform() puts on the port bus and in the device list, and
 * that each device reaches the partition: the console's input arrives in
 * COM1, the debug-exit port and the i8042 reset line end the run.
 */
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "arch.h"
#include "suites.h"
#include "vm.h"

static struct vm vm;

static void setup(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = vm.kvm_fd = -1; /* irq_line() fails quietly: no KVM here */
	bus_init(&vm.pio, "pio");
	bus_init(&vm.mmio, "mmio");
	devices_init(&vm.devices);
	pthread_mutex_init(&vm.stop_lock, NULL);
	vm.stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ck_assert_int_ge(vm.stop_fd, 0);
	ck_assert_int_eq(console_open(&vm.console, SERIAL_NONE, NULL), 0);
	ck_assert_int_eq(arch_create_platform(&vm), 0);
}

static void teardown(void)
{
	console_close(&vm.console, 0);
	devices_destroy(&vm.devices);
	bus_destroy(&vm.pio);
	bus_destroy(&vm.mmio);
	close(vm.stop_fd);
	pthread_mutex_destroy(&vm.stop_lock);
}

static uint8_t inb(uint16_t port)
{
	uint8_t v = 0xee;

	ck_assert(bus_access(&vm.pio, port, &v, 1, false, 0xff));
	return v;
}

static void outb(uint16_t port, uint8_t v)
{
	ck_assert(bus_access(&vm.pio, port, &v, 1, true, 0xff));
}

START_TEST(board_devices_and_nodes)
{
	struct fdt_device nodes[DEVICES_MAX];
	unsigned int n = devices_fdt(&vm.devices, nodes, DEVICES_MAX);
	char cmdline[64];

	ck_assert_uint_eq(vm.devices.n, 4);
	ck_assert_str_eq(vm.devices.dev[0].name, "serial8250");
	/* Only the UART has a node: COM1, its IRQ, the console. */
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(nodes[0].base, 0x3f8);
	ck_assert_uint_eq(nodes[0].size, 8);
	ck_assert_uint_eq(nodes[0].irq, 4);
	ck_assert(nodes[0].console);
	ck_assert_int_eq(nodes[0].bus, FDT_BUS_ISA_IO);
	/* The board announces nothing on the kernel command line. */
	ck_assert_int_eq(devices_cmdline(&vm.devices, cmdline, sizeof(cmdline)), 0);
	/* Its ports are taken; the keyboard data port 0x60 is not ours. */
	for (uint16_t p = 0x3f8; p < 0x400; p++)
		ck_assert(bus_access(&vm.pio, p, &(uint8_t){ 0 }, 1, false, 0xff));
	ck_assert(bus_access(&vm.pio, 0x501, &(uint8_t){ 0 }, 1, false, 0xff));
	ck_assert(bus_access(&vm.pio, 0x64, &(uint8_t){ 0 }, 1, false, 0xff));
	ck_assert(bus_access(&vm.pio, 0x600, &(uint8_t){ 0 }, 1, false, 0xff));
	ck_assert(bus_access(&vm.pio, 0x605, &(uint8_t){ 0 }, 1, false, 0xff));
	ck_assert(!bus_access(&vm.pio, 0x60, &(uint8_t){ 0 }, 1, false, 0xff));
	ck_assert(!bus_access(&vm.pio, 0x606, &(uint8_t){ 0 }, 1, false, 0xff));
}
END_TEST

/* Console input reaches COM1's receive buffer, as the main loop delivers it. */
START_TEST(console_input_reaches_com1)
{
	int p[2];

	ck_assert_int_eq(pipe(p), 0);
	vm.console.in_fd = p[0];
	ck_assert(console_wants_input(&vm.console));
	ck_assert_int_eq(write(p[1], "k", 1), 1);
	ck_assert_int_eq(console_input(&vm.console, true), CONSOLE_OK);
	ck_assert_uint_ne(inb(0x3f8 + 5) & 1, 0); /* LSR.DR */
	ck_assert_uint_eq(inb(0x3f8), 'k');
	ck_assert_uint_eq(inb(0x3f8 + 5) & 1, 0);
	close(p[1]);
	close(p[0]);
	vm.console.in_fd = -1;
}
END_TEST

START_TEST(debug_exit_ends_the_run)
{
	outb(0x501, 7);
	ck_assert(atomic_load(&vm.stopping));
	ck_assert_int_eq(vm.stop_reason, VM_STOP_GUEST_EXIT);
	ck_assert_int_eq(vm.exit_status, 7);
}
END_TEST

START_TEST(i8042_reset_ends_the_run)
{
	outb(0x64, 0x00); /* not the reset command */
	ck_assert(!atomic_load(&vm.stopping));
	outb(0x64, 0xfe);
	ck_assert(atomic_load(&vm.stopping));
	ck_assert_int_eq(vm.stop_reason, VM_STOP_RESET);
	ck_assert_int_eq(vm.exit_status, TESSERA_EXIT_OK);
}
END_TEST

Suite *board_suite(void)
{
	Suite *s = suite_create("board");
	TCase *tc = tcase_create("x86");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, board_devices_and_nodes);
	tcase_add_test(tc, console_input_reaches_com1);
	tcase_add_test(tc, debug_exit_ends_the_run);
	tcase_add_test(tc, i8042_reset_ends_the_run);
	suite_add_tcase(s, tc);
	return s;
}
