/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-blk (Virtio 1.2, 5.2) on any virtio transport, backed by a
 * raw image file or a host block device.
 *
 * Features offered: VERSION_1, SIZE_MAX, SEG_MAX, BLK_SIZE, FLUSH,
 * CONFIG_WCE, and RO for a read-only disk or DISCARD and WRITE_ZEROES for
 * a writable one (plus INDIRECT_DESC and EVENT_IDX, virtio.h).
 * Requests: IN, OUT, FLUSH, GET_ID, DISCARD, WRITE_ZEROES; anything else
 * answers VIRTIO_BLK_S_UNSUPP.
 *
 * Requests are served on the disk's own I/O thread, never on a vCPU: it
 * sleeps in poll() on the queue's kick eventfd (bound to QueueNotify by a
 * KVM ioeventfd) and a stop eventfd, reads and writes guest buffers in
 * place with preadv/pwritev(2), and completes through the transport's
 * interrupt path. A completed FLUSH means fdatasync(2) succeeded; with the
 * write cache off (CONFIG_WCE, writeback 0) every write is RWF_DSYNC.
 * Requests are served in ring order, one at a time, so a FLUSH covers
 * every write completed before it.
 */
#ifndef TESSERA_VIRTIO_BLK_H
#define TESSERA_VIRTIO_BLK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "config.h"
#include "iothread.h"
#include "virtio/virtio.h"

#define VBLK_SECTOR 512u
#define VBLK_QUEUE_SIZE 256u          /* QueueNumMax; also the chain cap */
#define VBLK_SEG_MAX (VBLK_QUEUE_SIZE - 2) /* data segments: minus header and status */
#define VBLK_SIZE_MAX (1u << 20)      /* advertised largest segment */
#define VBLK_MAX_DISCARD_SEG 32u
#define VBLK_MAX_RANGE_SECTORS (1u << 22) /* 2 GiB per discard/zeroes range */
#define VBLK_BOUNCE_SIZE (1u << 20)   /* O_DIRECT fallback buffer */
#define VBLK_ZEROES_SIZE (64u << 10)  /* write-zeroes fallback buffer */
#define VBLK_BATCH 16u                /* requests per io_lock hold */
#define VBLK_JOIN_TIMEOUT_S 10        /* bound on joining the I/O thread */

struct vblk_stats {
	_Atomic uint64_t reads, writes, flushes, read_bytes, write_bytes;
	_Atomic uint64_t discards, zeroes, get_ids, unsupported, errors;
};

struct vblk {
	struct virtio_dev vdev;   /* the device's virtio side; info.dev == this */
	char path[CONFIG_DISK_PATH_MAX];
	int fd;
	bool ro, direct, is_blkdev;
	uint64_t capacity;        /* in 512-byte sectors */
	uint32_t blk_size;        /* logical block size reported to the guest */
	char serial[CONFIG_DISK_SERIAL_MAX]; /* zero-padded, not terminated */
	_Atomic uint8_t writeback; /* config.wce: 1 write-back cache, 0 write-through */
	struct iothread io;
	/* I/O thread scratch. */
	struct virtq_seg seg[VBLK_QUEUE_SIZE];
	struct iovec iov[VBLK_QUEUE_SIZE];
	uint8_t *bounce;          /* VBLK_BOUNCE_SIZE, aligned; direct only */
	uint8_t *zeros;           /* VBLK_ZEROES_SIZE of zeroes, aligned */
	uint64_t features;        /* negotiated, read at each vblk_process() */
	struct vblk_stats stats;
};

/*
 * Allocates a disk for cfg and builds its virtio side: the file is opened
 * O_RDONLY for ro, else O_RDWR, with O_DIRECT on request, locked with
 * flock (shared for ro, else exclusive) so that two monitors cannot share
 * a writable image, and its size must be a non-zero multiple of 512.
 * No transport yet (vmm/devices.c attaches one). Returns 0 with
 * *out, or -errno with a one-line reason in err (the caller decides how to
 * report it): -ENOMEM (or -EMFILE/-ENFILE) is the host's failure, anything
 * else a problem with the user's file. Main thread.
 */
int vblk_create(struct vblk **out, const struct disk_config *cfg,
		const struct guest_mem *mem, char *err, size_t errlen);

/* Starts the I/O thread. 0 or -errno (logged). Main thread. */
int vblk_start(struct vblk *b);

/*
 * Stops and joins the I/O thread, closes everything and frees b. The wait
 * is bounded (VBLK_JOIN_TIMEOUT_S): a thread stuck on a hung host disk is
 * reported and b is leaked rather than freed under it: then -ETIMEDOUT,
 * else 0 (NULL is a no-op). Main thread, before guest memory goes away.
 */
int vblk_destroy(struct vblk *b);

/*
 * Serves every available request of the queue until it is empty; the I/O
 * thread calls it on each kick, tests call it directly. Malformed rings or
 * requests set DEVICE_NEEDS_RESET. Device thread.
 */
void vblk_process(struct vblk *b);

/*
 * Serves one parsed request: performs it and writes its status byte.
 * Returns 0 with *used (bytes written to the chain's writable part, the
 * status byte included), or -EINVAL with a reason in why for a chain that
 * is not a request at all (no 16-byte header, no status byte). Device thread.
 */
int vblk_handle(struct vblk *b, const struct virtq_chain *c, uint32_t *used,
		char *why, size_t whylen);

#endif
