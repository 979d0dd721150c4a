// SPDX-License-Identifier: GPL-2.0
#include "debug_exit.h"

#include <string.h>

void debug_exit_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct debug_exit *d = opaque;

	(void)offset;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	d->request_exit(d->opaque, data[0]);
}
