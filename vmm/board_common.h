/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every board's board.c does the same way: the logged registration
 * and device-list steps it creates its devices with (the console UART's
 * own wiring is devices/console_uart.h). The arch passes every address.
 */
#ifndef TESSERA_BOARD_COMMON_H
#define TESSERA_BOARD_COMMON_H

#include <stdint.h>

#include "bus.h"
#include "fdt.h"

struct vm;
struct vm_device;

/*
 * bus_register() on vm->pio (FDT_BUS_ISA_IO) or vm->mmio (FDT_BUS_MMIO),
 * logging a failure with the name. 0 or -errno. Main thread.
 */
int board_register(struct vm *vm, enum fdt_bus bus, uint64_t base,
		   uint64_t len, bus_access_fn fn, void *opaque,
		   const char *name);

/* devices_add() to vm->devices, logging a failure. 0 or -errno. Main thread. */
int board_add_device(struct vm *vm, const struct vm_device *d);

#endif
