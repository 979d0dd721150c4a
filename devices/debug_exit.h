/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debug-exit port: a guest ends the run by writing its exit status to
 * I/O port 0x501 (a byte; wider writes use the low byte). The monitor exits
 * with that status. Reads return 0.
 */
#ifndef TESSERA_DEBUG_EXIT_H
#define TESSERA_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#define DEBUG_EXIT_PORT 0x501

struct debug_exit {
	void (*request_exit)(void *opaque, int status);
	void *opaque;
};

/* Bus handler; opaque is the struct debug_exit. vCPU threads. */
void debug_exit_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		   bool is_write);

#endif
