// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the virtqueue parser and virtio-blk request
 * handling: the input is a guest's RAM. Its first byte picks the queue
 * size (1 << (b >> 3 & 7)), INDIRECT_DESC (bit 0), EVENT_IDX (bit 1), a
 * read-only disk (bit 2); the rest is copied to guest-physical 0 of a 64 KiB
 * RAM with the descriptor table at 0x0, the avail ring at 0x800 and the
 * used ring at 0xa00. Every chain the parser accepts is served by
 * vblk_handle() against a 32 KiB in-memory disk (memfd).
 *
 *   make fuzz                 libFuzzer (clang), FUZZ_TIME seconds from
 *                             tests/fuzz/corpus/virtq
 *   make check                replays the corpus with a gcc build (replay.c)
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "fuzz_disks.h"
#include "virtio/blk.h"
#include "virtio/mmio.h"
#include "virtio/queue.h"

#define DESC 0x0u
#define AVAIL 0x800u
#define USED 0xa00u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct virtq_seg seg[VBLK_QUEUE_SIZE];
	struct virtq_chain c = { .seg = seg, .cap = VBLK_QUEUE_SIZE };
	uint64_t features = 0;
	struct virtq q;
	struct vblk *b;
	uint32_t qsize;
	char why[160];
	uint8_t flags;

	fuzz_disks_init("virtq_fuzz");
	if (size < 1)
		return 0;
	flags = data[0];
	qsize = 1u << ((flags >> 3) & 7);
	if (flags & 1)
		features |= VIRTQ_F_INDIRECT_DESC;
	if (flags & 2)
		features |= VIRTQ_F_EVENT_IDX;
	b = fuzz_disk[(flags >> 2) & 1];
	/* What a driver could negotiate with this disk. */
	b->features = features | (1ULL << 9) | (1ULL << 11) |
		      (b->ro ? 0 : (1ULL << 13) | (1ULL << 14));
	memset(fuzz_ram, 0, sizeof(fuzz_ram));
	memcpy(fuzz_ram, data + 1,
	       size - 1 < sizeof(fuzz_ram) ? size - 1 : sizeof(fuzz_ram));
	if (virtq_init(&q, &fuzz_mem, qsize, DESC, AVAIL, USED, features))
		abort(); /* fixed rings: always valid */
	/* A bounded number of chains: the ring cannot hold more anyway. */
	for (unsigned int i = 0; i < 2 * qsize + 2; i++) {
		uint32_t len;
		int r = virtq_pop(&q, &c);

		if (r <= 0)
			break;
		/* The parser's promise: every segment lies inside guest RAM. */
		if (c.nseg > c.cap || c.nread > c.nseg)
			abort();
		for (unsigned int s = 0; s < c.nseg; s++) {
			const uint8_t *p = c.seg[s].ptr;

			if (p < fuzz_ram || c.seg[s].len == 0 ||
			    c.seg[s].len > (size_t)(fuzz_ram + FUZZ_RAM_SIZE - p))
				abort();
		}
		if (vblk_handle(b, &c, &len, why, sizeof(why)) < 0)
			break;
		if (len > c.write_len)
			abort(); /* never claim more than the driver gave */
		virtq_push(&q, c.head, len);
		virtq_should_notify(&q);
		if (i % 3 == 2)
			virtq_enable_notify(&q);
	}
	return 0;
}
