// SPDX-License-Identifier: GPL-2.0
#include "i8042.h"

#include <string.h>

void i8042_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
	      bool is_write)
{
	struct i8042 *k = opaque;

	(void)offset;
	if (!is_write) {
		memset(data, 0, len); /* output buffer empty, input buffer empty */
		return;
	}
	if (data[0] == I8042_CMD_RESET)
		k->request_reset(k->opaque);
}
