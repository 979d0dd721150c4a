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
 * Requests are taken from the ring on the disk's own I/O thread, never on
 * a vCPU: it sleeps in poll() on the queue's kick eventfd (bound to
 * QueueNotify by a KVM ioeventfd), a completion eventfd and a stop
 * eventfd. It pops up to VBLK_DEPTH requests (with the transport's io_lock,
 * which it never holds across I/O) and hands them to VBLK_WORKERS worker
 * threads that do the blocking part (preadv/pwritev2, fdatasync,
 * fallocate) straight into guest buffers; completions come back in any
 * order and are put on the used ring together, with one interrupt per
 * wakeup. A request taken before a reset is never completed (virtio.h).
 * A completed FLUSH means fdatasync(2) succeeded after every write the
 * driver had seen completed; with the write cache off (CONFIG_WCE,
 * writeback 0) every write is RWF_DSYNC. Without started workers (unit
 * tests, fuzzing) vblk_process() does the same requests inline.
 */
#ifndef TESSERA_VIRTIO_BLK_H
#define TESSERA_VIRTIO_BLK_H

#include <linux/aio_abi.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "config.h"
#include "virtio/queue.h"
#include "iothread.h"
#include "virtio/virtio.h"

#define VBLK_SECTOR 512u
#define VBLK_QUEUE_SIZE 256u          /* QueueNumMax; also the chain cap */
#define VBLK_SEG_MAX (VBLK_QUEUE_SIZE - 2) /* data segments: minus header and status */
#define VBLK_SIZE_MAX (1u << 20)      /* advertised largest segment */
#define VBLK_MAX_DISCARD_SEG 32u
#define VBLK_MAX_RANGE_SECTORS (1u << 22) /* 2 GiB per discard/zeroes range */
#define VBLK_BOUNCE_SIZE (128u << 10) /* O_DIRECT fallback buffer, per worker */
#define VBLK_ZEROES_SIZE (64u << 10)  /* write-zeroes fallback buffer */
#define VBLK_DEPTH 16u                /* requests in flight per disk */
#define VBLK_WORKERS VBLK_DEPTH       /* threads doing the blocking I/O */
/* Worker stacks: with --mlock (MCL_FUTURE) each is locked whole. */
#ifdef __SANITIZE_ADDRESS__
#define VBLK_WORKER_STACK (1u << 20) /* ASan's redzones */
#else
#define VBLK_WORKER_STACK (64u << 10)
#endif
#define VBLK_JOIN_TIMEOUT_S 10        /* bound on joining the I/O thread */

struct vblk_stats {
	_Atomic uint64_t reads, writes, flushes, read_bytes, write_bytes;
	_Atomic uint64_t discards, zeroes, get_ids, unsupported, errors;
	_Atomic uint64_t aio, aio_retried; /* through Linux AIO; of those, redone by a worker */
};

/* Scratch for one request's I/O: one per worker (and one for inline use). */
struct vblk_io {
	struct iovec iov[VBLK_QUEUE_SIZE];
	uint8_t *bounce;          /* VBLK_BOUNCE_SIZE, aligned; direct only: a
				     worker's comes from vblk_start() (the
				     blk filter has no mmap), io0's lazily */
	uint64_t features;        /* negotiated, when the request was taken */
};

/* A request taken from the ring and not yet completed. */
struct vblk_req {
	struct virtq_seg seg[VBLK_QUEUE_SIZE];
	struct virtq_chain c;     /* .seg = seg */
	uint64_t features;
	uint32_t gen;             /* the queue's generation when taken */
	uint32_t len;             /* bytes written to the chain, once done */
	int err;                  /* -EINVAL: not a request (why), needs reset */
	char why[160];
	struct vblk_req *next;
	/* Linux AIO (vblk_aio_prep): the submission and the data's iovecs. */
	struct iocb cb;
	struct iovec iov[VBLK_QUEUE_SIZE];
	uint64_t aio_len;         /* bytes the transfer must move */
	bool aio_write;
};

struct vblk_pool {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct vblk_req *todo, **todo_tail, *done; /* lock */
	bool stop;                                 /* lock */
	int done_fd;              /* eventfd: a worker completed something */
	pthread_t thread[VBLK_WORKERS];
	struct vblk_io io[VBLK_WORKERS];
	unsigned int nthreads;    /* lock: workers that took their io[] */
	unsigned int left;        /* lock: workers out of their loop (stopping) */
	bool lock_init, on;       /* on: workers run (else inline) */
};

/*
 * Reads and writes of an O_DIRECT block device go through Linux AIO
 * (io_submit with RWF_NOWAIT, completions on an eventfd) from the I/O
 * thread itself, the way QEMU's aio=native does: no hand-off to a worker
 * and back, and a RAM-backed device completes them inside io_submit. What
 * AIO cannot do without blocking (RWF_NOWAIT's -EAGAIN, an unaligned
 * buffer's -EINVAL, a short transfer) is redone whole by a worker, and so
 * is every other request. Not for image files: io_submit takes a regular
 * file's freeze protection blocking, and would stall the I/O thread on a
 * frozen file system.
 */
struct vblk_aio {
	aio_context_t ctx;        /* 0: no AIO */
	int fd;                   /* eventfd: completions (IOCB_FLAG_RESFD) */
	unsigned int inflight;    /* submitted, not yet reaped */
	bool files;               /* tests: regular O_DIRECT files too */
	bool off;                 /* the device refused RWF_NOWAIT: workers only */
	int err;                  /* errno of a failed io_setup (no AIO), else 0 */
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
	/* I/O thread state. */
	struct vblk_req req[VBLK_DEPTH];
	struct vblk_req *free_req; /* slots not in flight */
	unsigned int inflight;
	bool starved;             /* stopped popping for want of a slot */
	struct vblk_io io0;       /* inline requests (no workers) */
	struct vblk_pool pool;
	struct vblk_aio aio;
	uint8_t *zeros;           /* VBLK_ZEROES_SIZE of zeroes, aligned; shared */
	uint64_t features;        /* negotiated, read at each vblk_process() */
	struct vblk_stats stats;
	_Atomic uint64_t dropped; /* completions of a reset device */
	_Atomic uint32_t max_inflight;
};

/*
 * What one disk costs the monitor beyond guest RAM, for the preflight's
 * memory check and cgroup limit: the device with its requests, the
 * zeroes buffer, the workers' and the I/O thread's stacks and, with
 * O_DIRECT, the bounce buffers (one per worker, one for inline requests).
 * Counted whole: --mlock locks it whole, strict overcommit commits it. Pure.
 */
static inline uint64_t vblk_host_memory(bool direct)
{
	return sizeof(struct vblk) + VBLK_ZEROES_SIZE +
	       (uint64_t)VBLK_WORKERS * VBLK_WORKER_STACK + IOTHREAD_STACK +
	       (direct ? (uint64_t)(VBLK_WORKERS + 1) * VBLK_BOUNCE_SIZE : 0);
}

/* What a Linux AIO completion means for its request (vblk_aio_outcome). */
enum vblk_aio_result {
	VBLK_AIO_DONE,  /* every byte moved */
	VBLK_AIO_RETRY, /* a worker redoes it whole: would block, unaligned, short */
	VBLK_AIO_ERROR, /* the storage failed it: VIRTIO_BLK_S_IOERR */
};

/* Classifies an io_event's res for a transfer of len bytes. Pure. */
enum vblk_aio_result vblk_aio_outcome(int64_t res, uint64_t len);

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

/* Starts the workers and the I/O thread. 0 or -errno (logged). Main thread. */
int vblk_start(struct vblk *b);

/*
 * Stops and joins the I/O thread, closes everything and frees b. The wait
 * is bounded (VBLK_JOIN_TIMEOUT_S): a thread stuck on a hung host disk is
 * reported and b is leaked rather than freed under it: then -ETIMEDOUT,
 * else 0 (NULL is a no-op). Main thread, before guest memory goes away.
 */
int vblk_destroy(struct vblk *b);

/*
 * Takes every available request of the queue (up to VBLK_DEPTH in
 * flight) and hands them to the workers; without workers, serves them
 * inline until the ring is empty. The I/O thread calls it on each kick,
 * tests call it directly. Malformed rings or requests set
 * DEVICE_NEEDS_RESET. Device thread.
 */
void vblk_process(struct vblk *b);

/*
 * Puts the requests on list (done, in any order) on the used ring, or
 * drops them when the queue was reset since they were taken, and returns
 * their slots. Device thread.
 */
void vblk_complete(struct vblk *b, struct vblk_req *list);

/*
 * Does the I/O of a taken request with the inline scratch: what a worker
 * does with its own. For tests that play the workers' part.
 */
void vblk_run(struct vblk *b, struct vblk_req *r);

/*
 * Serves one parsed request: performs it and writes its status byte.
 * Returns 0 with *used (bytes written to the chain's writable part, the
 * status byte included), or -EINVAL with a reason in why for a chain that
 * is not a request at all (no 16-byte header, no status byte). Device thread.
 */
int vblk_handle(struct vblk *b, const struct virtq_chain *c, uint32_t *used,
		char *why, size_t whylen);

#endif
