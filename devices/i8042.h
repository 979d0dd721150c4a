/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Just enough of the i8042 keyboard controller for a guest to reset the
 * machine: writing command 0xfe (pulse reset line) to port 0x64, which is
 * what Linux does with reboot=k. Status reads say "no data, ready";
 * everything else is ignored. No keyboard or mouse is emulated.
 */
#ifndef TESSERA_I8042_H
#define TESSERA_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_CMD_PORT 0x64
#define I8042_CMD_RESET 0xfe

struct i8042 {
	void (*request_reset)(void *opaque);
	void *opaque;
};

/* Bus handler for port 0x64; opaque is the struct i8042. vCPU threads. */
void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
	      bool is_write);

#endif
