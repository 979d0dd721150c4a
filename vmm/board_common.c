// SPDX-License-Identifier: GPL-2.0
/* The boards' shared steps (board_common.h). */
#include <string.h>

#include "board_common.h"
#include "devices.h"
#include "log.h"
#include "vm.h"

int board_register(struct vm *vm, enum fdt_bus bus, uint64_t base,
		   uint64_t len, bus_access_fn fn, void *opaque,
		   const char *name)
{
	bool pio = bus == FDT_BUS_ISA_IO;
	int r = bus_register(pio ? &vm->pio : &vm->mmio, base, len, fn, opaque,
			     name);

	if (r)
		log_err("cannot register %s at %s0x%llx: %s", name,
			pio ? "port " : "", (unsigned long long)base,
			strerror(-r));
	return r;
}

int board_add_device(struct vm *vm, const struct vm_device *d)
{
	int r = devices_add(&vm->devices, d);

	if (r)
		log_err("%s: cannot add it to the device list: %s", d->name,
			strerror(-r));
	return r;
}
