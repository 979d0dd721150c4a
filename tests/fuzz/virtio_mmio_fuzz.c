// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtio-mmio register file (devices/virtio/
 * mmio.c) in front of a virtio-blk device: a guest driver's register
 * accesses in any order, with its rings in a 64 KiB guest RAM and the
 * device serving them in between. The first byte selects the disk
 * (bit 0: read-only); then seven bytes an operation: OP, OFF (2 bytes,
 * little-endian), VALUE (4 bytes).
 *
 *   OP % 6 == 0  a 32-bit write of VALUE at OFF % 0x200 (aligned down)
 *   OP % 6 == 1  a 32-bit read at OFF % 0x200 (aligned down)
 *   OP % 6 == 2  an access of 1 to 8 bytes (OP >> 3 & 7) at OFF % 0x200,
 *                unaligned allowed: a write if OP & 0x80, else a read
 *   OP % 6 == 3  VALUE stored in guest RAM at (OFF * 4) % 64 KiB: the
 *                driver writing its rings
 *   OP % 6 == 4  the device serves its queue (vblk_process, as its I/O
 *                thread does on a kick)
 *   OP % 6 == 5  a QueueNotify of queue VALUE
 *
 * Each input starts from a device reset (Status = 0) and a zeroed RAM.
 */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_disks.h"
#include "virtio/blk.h"
#include "virtio/mmio.h"

static void reg32(struct virtio_mmio *t, uint32_t off, uint32_t v, bool write)
{
	uint8_t buf[4];

	memcpy(buf, &v, 4);
	virtio_mmio_access(t, off, buf, 4, write);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_mmio *t;
	struct vblk *b;

	fuzz_disks_init("virtio_mmio_fuzz");
	if (size < 1)
		return 0;
	b = fuzz_disk[data[0] & 1];
	t = &fuzz_tr[data[0] & 1];
	memset(fuzz_ram, 0, sizeof(fuzz_ram));
	reg32(t, VIRTIO_MMIO_STATUS, 0, true); /* reset: a fresh device */
	for (size_t i = 1; i + 7 <= size; i += 7) {
		uint8_t op = data[i], buf[8];
		uint32_t off = (uint32_t)data[i + 1] | (uint32_t)data[i + 2] << 8;
		uint32_t v;

		memcpy(&v, data + i + 3, 4);
		switch (op % 6) {
		case 0:
			reg32(t, off % VIRTIO_MMIO_SLOT_SIZE & ~3u, v, true);
			break;
		case 1:
			reg32(t, off % VIRTIO_MMIO_SLOT_SIZE & ~3u, 0, false);
			break;
		case 2:
			memcpy(buf, data + i + 3, 4);
			memcpy(buf + 4, data + i + 3, 4);
			virtio_mmio_access(t, off % VIRTIO_MMIO_SLOT_SIZE, buf,
					   1 + ((op >> 3) & 7), op & 0x80);
			break;
		case 3:
			memcpy(fuzz_ram + (off * 4u) % FUZZ_RAM_SIZE, &v, 4);
			break;
		case 4:
			vblk_process(b);
			break;
		case 5:
			reg32(t, VIRTIO_MMIO_QUEUE_NOTIFY, v, true);
			break;
		}
	}
	return 0;
}
