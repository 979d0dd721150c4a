// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk device (Virtio 1.2, 5.2). A request is a chain of a 16-byte
 * header (le32 type, le32 ioprio, le64 sector) and the data to write in the
 * readable part, then the data to read and a one-byte status in the
 * writable part (5.2.6). The device makes no assumption about how the
 * driver splits that into descriptors (2.7.4.1).
 */
#include "virtio/blk.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

#define F(bit) (1ULL << (bit))
#define HDR_SIZE 16u
#define RANGE_SIZE 16u /* struct virtio_blk_discard_write_zeroes */

_Static_assert(sizeof(struct virtio_blk_outhdr) == HDR_SIZE, "5.2.6 header");
_Static_assert(sizeof(struct virtio_blk_discard_write_zeroes) == RANGE_SIZE,
	       "5.2.6 discard/write zeroes range");
_Static_assert(sizeof(struct virtio_blk_config) <= VIRTIO_MAX_CONFIG,
	       "config space fits every transport");

/* --- config space (5.2.4) --------------------------------------------- */

static void fill_config(const struct vblk *b, struct virtio_blk_config *c)
{
	memset(c, 0, sizeof(*c));
	c->capacity = htole64(b->capacity);
	c->size_max = htole32(VBLK_SIZE_MAX);
	c->seg_max = htole32(VBLK_SEG_MAX);
	c->blk_size = htole32(b->blk_size);
	c->wce = atomic_load(&b->writeback);
	if (!b->ro) {
		c->max_discard_sectors = htole32(VBLK_MAX_RANGE_SECTORS);
		c->max_discard_seg = htole32(VBLK_MAX_DISCARD_SEG);
		c->discard_sector_alignment = htole32(b->blk_size / VBLK_SECTOR);
		c->max_write_zeroes_sectors = htole32(VBLK_MAX_RANGE_SECTORS);
		c->max_write_zeroes_seg = htole32(VBLK_MAX_DISCARD_SEG);
		c->write_zeroes_may_unmap = 1;
	}
}

static void config_read(void *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	struct virtio_blk_config c;

	fill_config(dev, &c);
	memcpy(data, (const uint8_t *)&c + off, len);
}

static void config_write(void *dev, uint32_t off, const uint8_t *data,
			 uint32_t len)
{
	struct vblk *b = dev;
	uint32_t wce = offsetof(struct virtio_blk_config, wce);

	/* Only the cache mode is writable (5.2.5, VIRTIO_BLK_F_CONFIG_WCE). */
	if (off <= wce && wce - off < len)
		atomic_store(&b->writeback, data[wce - off] ? 1 : 0);
}

static void reset(void *dev)
{
	struct vblk *b = dev;

	atomic_store(&b->writeback, 1);
}

static const struct virtio_dev_ops vblk_ops = {
	.config_read = config_read,
	.config_write = config_write,
	.reset = reset,
};

/* --- creation ---------------------------------------------------------- */

/* Opens, locks and sizes the backing file. */
static int open_backing(struct vblk *b, char *err, size_t errlen)
{
	int flags = (b->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC |
		    (b->direct ? O_DIRECT : 0);
	struct stat st;
	uint64_t size;

	b->fd = open(b->path, flags);
	if (b->fd < 0)
		return err_printf(err, errlen, -errno, "cannot open '%s'%s: %s", b->path,
			    b->ro ? "" : " for writing", strerror(errno));
	if (fstat(b->fd, &st) < 0)
		return err_printf(err, errlen, -errno, "cannot stat '%s': %s", b->path,
			    strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		int ssz = 0;

		b->is_blkdev = true;
		if (ioctl(b->fd, BLKGETSIZE64, &size) < 0)
			return err_printf(err, errlen, -errno, "'%s': BLKGETSIZE64: %s",
				    b->path, strerror(errno));
		if (ioctl(b->fd, BLKSSZGET, &ssz) == 0 && ssz > (int)VBLK_SECTOR &&
		    ssz <= 4096)
			b->blk_size = (uint32_t)ssz;
	} else if (S_ISREG(st.st_mode)) {
		size = (uint64_t)st.st_size;
	} else {
		return err_printf(err, errlen, -EINVAL,
			    "'%s' is not a regular file or a block device", b->path);
	}
	if (size == 0 || size % VBLK_SECTOR)
		return err_printf(err, errlen, -EINVAL,
			    "'%s': size %" PRIu64 " is not a non-zero multiple of 512",
			    b->path, size);
	if (flock(b->fd, (b->ro ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return err_printf(err, errlen, -errno, "'%s' is in use by another process (%s)",
			    b->path, strerror(errno));
	b->capacity = size / VBLK_SECTOR;
	return 0;
}

static void vblk_free(struct vblk *b)
{
	virtio_dev_destroy(&b->vdev);
	if (b->fd >= 0)
		close(b->fd);
	iothread_destroy(&b->io);
	if (b->aio.ctx)
		syscall(SYS_io_destroy, b->aio.ctx); /* the I/O thread never ran */
	if (b->aio.fd >= 0)
		close(b->aio.fd);
	if (b->pool.done_fd >= 0)
		close(b->pool.done_fd);
	if (b->pool.lock_init) {
		pthread_mutex_destroy(&b->pool.lock);
		pthread_cond_destroy(&b->pool.cond);
	}
	for (unsigned int i = 0; i < VBLK_WORKERS; i++)
		free(b->pool.io[i].bounce);
	free(b->io0.bounce);
	free(b->zeros);
	free(b);
}

int vblk_create(struct vblk **out, const struct disk_config *cfg,
		const struct guest_mem *mem, char *err, size_t errlen)
{
	struct virtio_dev_info info = {
		.name = "virtio-blk",
		.device_id = VIRTIO_ID_BLOCK,
		.num_queues = 1,
		.queue_max = VBLK_QUEUE_SIZE,
		.config_size = sizeof(struct virtio_blk_config),
		.ops = &vblk_ops,
		.mem = mem,
	};
	struct vblk *b = calloc(1, sizeof(*b));
	int r;

	*out = NULL;
	if (!b)
		return err_printf(err, errlen, -ENOMEM, "out of memory");
	b->fd = b->io.stop_fd = b->pool.done_fd = b->aio.fd = -1;
	for (unsigned int i = 0; i < VBLK_DEPTH; i++) {
		b->req[i].c = (struct virtq_chain){ .seg = b->req[i].seg,
						    .cap = VBLK_QUEUE_SIZE };
		b->req[i].next = b->free_req;
		b->free_req = &b->req[i];
	}
	snprintf(b->path, sizeof(b->path), "%s", cfg->path);
	b->ro = cfg->ro;
	b->direct = cfg->direct;
	b->blk_size = VBLK_SECTOR;
	/* Zero-padded, not terminated when it has all 20 bytes (5.2.6). */
	memcpy(b->serial, cfg->serial, strnlen(cfg->serial, sizeof(b->serial)));
	atomic_store(&b->writeback, 1);
	r = open_backing(b, err, errlen);
	if (r)
		goto err_free;
	b->zeros = aligned_alloc(4096, VBLK_ZEROES_SIZE);
	b->pool.done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!b->zeros || b->pool.done_fd < 0 ||
	    iothread_init(&b->io, b->vdev.label) < 0) {
		r = err_printf(err, errlen, -ENOMEM, "cannot allocate buffers: %s",
			 strerror(errno));
		goto err_free;
	}
	memset(b->zeros, 0, VBLK_ZEROES_SIZE);
	info.features = F(VIRTIO_BLK_F_SIZE_MAX) | F(VIRTIO_BLK_F_SEG_MAX) |
			F(VIRTIO_BLK_F_BLK_SIZE) | F(VIRTIO_BLK_F_FLUSH) |
			F(VIRTIO_BLK_F_CONFIG_WCE);
	info.features |= b->ro ? F(VIRTIO_BLK_F_RO)
			       : F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES);
	info.dev = b;
	r = virtio_dev_init(&b->vdev, &info);
	if (r) {
		err_printf(err, errlen, r, "virtio device: %s", strerror(-r));
		goto err_free;
	}
	*out = b;
	return 0;
err_free:
	vblk_free(b);
	return r;
}

/* --- requests ---------------------------------------------------------- */

/* Whether sectors [sector, sector + n) lie on the disk; no sum can wrap. */
static bool in_range(const struct vblk *b, uint64_t sector, uint64_t n)
{
	return sector <= b->capacity && n <= b->capacity - sector;
}

/* Drops the first `done` bytes of an iovec array in place. */
static void iov_advance(struct iovec **iov, int *n, size_t done)
{
	while (*n > 0 && done >= (*iov)->iov_len) {
		done -= (*iov)->iov_len;
		(*iov)++;
		(*n)--;
	}
	if (*n > 0) {
		(*iov)->iov_base = (uint8_t *)(*iov)->iov_base + done;
		(*iov)->iov_len -= done;
	}
}

/*
 * pwritev2 with the request's flags. Where per-call flags are missing
 * (kernels before 4.7; qemu-user 7.2, which runs the arm64 unit suites)
 * RWF_DSYNC fails with EOPNOTSUPP: a plain write and fdatasync give the
 * same durability.
 */
static ssize_t write_at(int fd, const struct iovec *iov, int n, uint64_t off,
			int rwf)
{
	ssize_t r = pwritev2(fd, iov, n, (off_t)off, rwf);

	if (r < 0 && errno == EOPNOTSUPP && rwf == RWF_DSYNC) {
		r = pwritev2(fd, iov, n, (off_t)off, 0);
		if (r >= 0 && fdatasync(fd) < 0)
			r = -1;
	}
	return r;
}

/* O_DIRECT refused the guest's buffers (alignment): go through io->bounce. */
static int bounce_rw(struct vblk *b, struct vblk_io *io, bool write,
		     struct iovec *iov, int n, uint64_t off, uint64_t len, int rwf)
{
	if (!io->bounce)
		io->bounce = aligned_alloc(4096, VBLK_BOUNCE_SIZE);
	if (!io->bounce)
		return -ENOMEM;
	while (len) {
		size_t chunk = len < VBLK_BOUNCE_SIZE ? (size_t)len : VBLK_BOUNCE_SIZE;
		struct iovec one = { io->bounce, chunk };
		size_t done = 0;
		ssize_t r;

		if (write) {
			for (int i = 0; i < n && done < chunk; i++) {
				size_t k = iov[i].iov_len < chunk - done
						   ? iov[i].iov_len : chunk - done;

				memcpy(io->bounce + done, iov[i].iov_base, k);
				done += k;
			}
			r = write_at(b->fd, &one, 1, off, rwf);
		} else {
			r = preadv(b->fd, &one, 1, (off_t)off); /* preadv: one call less in the filter */
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		if (!write) {
			size_t got = (size_t)r, k;

			for (int i = 0; i < n && done < got; i++) {
				k = iov[i].iov_len < got - done ? iov[i].iov_len
								: got - done;
				memcpy(iov[i].iov_base, io->bounce + done, k);
				done += k;
			}
		}
		iov_advance(&iov, &n, (size_t)r);
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

/* Reads or writes len bytes at off through iov[n], finishing short transfers. */
static int rw_full(struct vblk *b, struct vblk_io *io, bool write,
		   struct iovec *iov, int n, uint64_t off, uint64_t len, int rwf)
{
	while (len) {
		ssize_t r = write ? write_at(b->fd, iov, n, off, rwf)
				  : preadv(b->fd, iov, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EINVAL && b->direct)
			return bounce_rw(b, io, write, iov, n, off, len, rwf);
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO; /* the image shrank under us */
		iov_advance(&iov, &n, (size_t)r);
		off += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

/* Write-through unless the driver runs a write-back cache (5.2.6.2). */
static bool write_through_f(const struct vblk *b, uint64_t features)
{
	if (features & F(VIRTIO_BLK_F_CONFIG_WCE))
		return !atomic_load(&b->writeback);
	return !(features & F(VIRTIO_BLK_F_FLUSH));
}

static bool write_through(const struct vblk *b, const struct vblk_io *io)
{
	return write_through_f(b, io->features);
}

static uint8_t do_rw(struct vblk *b, struct vblk_io *io,
		     const struct virtq_chain *c, bool write, uint64_t sector,
		     uint64_t len, uint32_t *written)
{
	int n, r;

	if (write && b->ro)
		return VIRTIO_BLK_S_IOERR;
	if (len % VBLK_SECTOR || !in_range(b, sector, len / VBLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	if (len == 0)
		return VIRTIO_BLK_S_OK;
	/* Data follows the header when writing, precedes the status when reading. */
	n = virtq_chain_iov(c, !write, write ? HDR_SIZE : 0, len, io->iov,
			    VBLK_QUEUE_SIZE);
	if (n < 0)
		return VIRTIO_BLK_S_IOERR;
	r = rw_full(b, io, write, io->iov, n, sector * VBLK_SECTOR, len,
		    write && write_through(b, io) ? RWF_DSYNC : 0);
	if (r) {
		log_ratelimited(LOG_WARN, "%s: %s of %" PRIu64 " bytes at sector %" PRIu64 ": %s",
				b->path, write ? "write" : "read", len, sector,
				strerror(-r));
		return VIRTIO_BLK_S_IOERR;
	}
	if (write) {
		atomic_fetch_add(&b->stats.writes, 1);
		atomic_fetch_add(&b->stats.write_bytes, len);
	} else {
		atomic_fetch_add(&b->stats.reads, 1);
		atomic_fetch_add(&b->stats.read_bytes, len);
		*written = (uint32_t)len;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_flush(struct vblk *b)
{
	atomic_fetch_add(&b->stats.flushes, 1);
	if (fdatasync(b->fd) < 0) {
		log_ratelimited(LOG_WARN, "%s: fdatasync: %s", b->path,
				strerror(errno));
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_get_id(struct vblk *b, const struct virtq_chain *c,
			 uint64_t room, uint32_t *written)
{
	uint32_t n = room < VIRTIO_BLK_ID_BYTES ? (uint32_t)room
						: VIRTIO_BLK_ID_BYTES;

	atomic_fetch_add(&b->stats.get_ids, 1);
	if (virtq_chain_write(c, 0, b->serial, n) < 0)
		return VIRTIO_BLK_S_IOERR;
	*written = n;
	return VIRTIO_BLK_S_OK;
}

/* Writes zeroes the slow way, for storage that cannot do it in place. */
static int write_zeroes_by_hand(struct vblk *b, struct vblk_io *io,
				uint64_t off, uint64_t len, int rwf)
{
	while (len) {
		size_t chunk = len < VBLK_ZEROES_SIZE ? (size_t)len : VBLK_ZEROES_SIZE;
		struct iovec one = { b->zeros, chunk };
		int r = rw_full(b, io, true, &one, 1, off, chunk, rwf);

		if (r)
			return r;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

static int discard_range(struct vblk *b, uint64_t off, uint64_t len)
{
	uint64_t range[2] = { off, len };
	int r = b->is_blkdev
			? ioctl(b->fd, BLKDISCARD, range)
			: fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    (off_t)off, (off_t)len);

	/* Discard is a hint (5.2.6.2): storage that cannot do it is fine. */
	if (r < 0 && errno != EOPNOTSUPP && errno != ENOTTY)
		return -errno;
	return 0;
}

static int zero_range(struct vblk *b, struct vblk_io *io, uint64_t off,
		      uint64_t len, bool unmap)
{
	uint64_t range[2] = { off, len };
	int r, mode = unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
			    : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;

	r = b->is_blkdev ? ioctl(b->fd, BLKZEROOUT, range)
			 : fallocate(b->fd, mode, (off_t)off, (off_t)len);
	if (r == 0)
		return write_through(b, io) && fdatasync(b->fd) < 0 ? -errno : 0;
	if (errno != EOPNOTSUPP && errno != ENOTTY && errno != EINVAL)
		return -errno;
	return write_zeroes_by_hand(b, io, off, len,
				    write_through(b, io) ? RWF_DSYNC : 0);
}

/* DISCARD and WRITE_ZEROES: a list of ranges in the readable part. */
static uint8_t do_ranges(struct vblk *b, struct vblk_io *io,
			 const struct virtq_chain *c, uint32_t type, uint64_t len)
{
	struct virtio_blk_discard_write_zeroes rg[VBLK_MAX_DISCARD_SEG];
	bool zeroes = type == VIRTIO_BLK_T_WRITE_ZEROES;
	uint64_t want = zeroes ? F(VIRTIO_BLK_F_WRITE_ZEROES)
			       : F(VIRTIO_BLK_F_DISCARD);
	unsigned int n;

	if (b->ro || !(io->features & want))
		return VIRTIO_BLK_S_UNSUPP;
	if (len == 0 || len % RANGE_SIZE || len / RANGE_SIZE > VBLK_MAX_DISCARD_SEG)
		return VIRTIO_BLK_S_IOERR;
	n = (unsigned int)(len / RANGE_SIZE);
	/* One copy of the whole list, checked before anything is done. */
	if (virtq_chain_read(c, HDR_SIZE, rg, len) < 0)
		return VIRTIO_BLK_S_IOERR;
	for (unsigned int i = 0; i < n; i++) {
		uint64_t sector = le64toh(rg[i].sector);
		uint32_t num = le32toh(rg[i].num_sectors);
		uint32_t flags = le32toh(rg[i].flags);

		if (flags & ~(zeroes ? VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP : 0u))
			return VIRTIO_BLK_S_UNSUPP;
		if (num > VBLK_MAX_RANGE_SECTORS || !in_range(b, sector, num))
			return VIRTIO_BLK_S_IOERR;
	}
	for (unsigned int i = 0; i < n; i++) {
		uint64_t off = le64toh(rg[i].sector) * VBLK_SECTOR;
		uint64_t bytes = (uint64_t)le32toh(rg[i].num_sectors) * VBLK_SECTOR;
		bool unmap = le32toh(rg[i].flags) & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP;
		int r;

		if (!bytes)
			continue;
		r = zeroes ? zero_range(b, io, off, bytes, unmap)
			   : discard_range(b, off, bytes);
		if (r) {
			log_ratelimited(LOG_WARN, "%s: %s: %s", b->path,
					zeroes ? "write zeroes" : "discard",
					strerror(-r));
			return VIRTIO_BLK_S_IOERR;
		}
	}
	atomic_fetch_add(zeroes ? &b->stats.zeroes : &b->stats.discards, 1);
	return VIRTIO_BLK_S_OK;
}

static int handle(struct vblk *b, struct vblk_io *io,
		  const struct virtq_chain *c, uint32_t *used, char *why,
		  size_t whylen)
{
	struct virtio_blk_outhdr h;
	uint64_t out_len, in_len, sector;
	uint32_t type, written = 0;
	uint8_t st;

	if (c->read_len < HDR_SIZE)
		return err_printf(why, whylen, -EINVAL,
			    "request without a 16-byte header (%" PRIu64 " readable bytes)",
			    c->read_len);
	if (c->write_len < 1)
		return err_printf(why, whylen, -EINVAL, "request without a status byte");
	virtq_chain_read(c, 0, &h, HDR_SIZE); /* the one copy of the header */
	type = le32toh(h.type);
	sector = le64toh(h.sector);
	out_len = c->read_len - HDR_SIZE;
	in_len = c->write_len - 1;
	switch (type) {
	case VIRTIO_BLK_T_IN:
		st = do_rw(b, io, c, false, sector, in_len, &written);
		break;
	case VIRTIO_BLK_T_OUT:
		st = do_rw(b, io, c, true, sector, out_len, &written);
		break;
	case VIRTIO_BLK_T_FLUSH:
		st = do_flush(b);
		break;
	case VIRTIO_BLK_T_GET_ID:
		st = do_get_id(b, c, in_len, &written);
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		st = do_ranges(b, io, c, type, out_len);
		break;
	default:
		st = VIRTIO_BLK_S_UNSUPP;
		break;
	}
	if (st == VIRTIO_BLK_S_UNSUPP)
		atomic_fetch_add(&b->stats.unsupported, 1);
	else if (st != VIRTIO_BLK_S_OK)
		atomic_fetch_add(&b->stats.errors, 1);
	virtq_chain_write(c, c->write_len - 1, &st, 1);
	*used = written + 1;
	return 0;
}

int vblk_handle(struct vblk *b, const struct virtq_chain *c, uint32_t *used,
		char *why, size_t whylen)
{
	b->io0.features = b->features;
	return handle(b, &b->io0, c, used, why, whylen);
}

/* --- the I/O thread ------------------------------------------------------ */

/* Runs one taken request (worker or inline): no lock of the device held. */
static void run_req(struct vblk *b, struct vblk_io *io, struct vblk_req *r)
{
	io->features = r->features;
	r->len = 0;
	r->err = handle(b, io, &r->c, &r->len, r->why, sizeof(r->why));
}

void vblk_run(struct vblk *b, struct vblk_req *r)
{
	run_req(b, &b->io0, r);
}

void vblk_complete(struct vblk *b, struct vblk_req *list)
{
	struct virtio_dev *t = &b->vdev;
	struct virtq *q = virtio_dev_queue_get(t, 0);
	uint32_t gen = q ? virtio_dev_queue_gen(t, 0) : 0;
	const char *bad = NULL;
	bool used = false;

	while (list) {
		struct vblk_req *r = list;

		list = r->next;
		if (!q || r->gen != gen) {
			atomic_fetch_add(&b->dropped, 1); /* taken before a reset */
		} else if (r->err < 0) {
			bad = bad ? bad : r->why;
		} else {
			virtq_push(q, r->c.head, r->len);
			used = true;
		}
		r->next = b->free_req;
		b->free_req = r;
		b->inflight--;
	}
	if (bad)
		virtio_dev_needs_reset(t, bad); /* copies the reason: slots may go */
	if (q)
		virtio_dev_queue_put(t, 0, used);
}

/* --- Linux AIO (struct vblk_aio) ------------------------------------------- */

enum vblk_aio_result vblk_aio_outcome(int64_t res, uint64_t len)
{
	if (res >= 0)
		return (uint64_t)res == len ? VBLK_AIO_DONE
		       : (uint64_t)res < len ? VBLK_AIO_RETRY : VBLK_AIO_ERROR;
	/* RWF_NOWAIT would block; O_DIRECT refused the buffers; interrupted. */
	if (res == -EAGAIN || res == -EINVAL || res == -EOPNOTSUPP || res == -EINTR)
		return VBLK_AIO_RETRY;
	return VBLK_AIO_ERROR;
}

/*
 * Readies r's iocb when it is a read or write whose checks all pass (the
 * rest, and anything odd, goes to a worker, which answers it as always).
 * The data's iovecs point straight into guest memory (virtq_chain_iov).
 */
static bool aio_prep(struct vblk *b, struct vblk_req *r)
{
	const struct virtq_chain *c = &r->c;
	struct virtio_blk_outhdr h;
	uint64_t len, sector;
	bool write;
	int n;

	if (c->read_len < HDR_SIZE || c->write_len < 1)
		return false;
	virtq_chain_read(c, 0, &h, HDR_SIZE);
	switch (le32toh(h.type)) {
	case VIRTIO_BLK_T_IN:
		write = false;
		len = c->write_len - 1;
		break;
	case VIRTIO_BLK_T_OUT:
		write = true;
		len = c->read_len - HDR_SIZE;
		break;
	default:
		return false;
	}
	sector = le64toh(h.sector);
	if ((write && b->ro) || len == 0 || len % VBLK_SECTOR ||
	    !in_range(b, sector, len / VBLK_SECTOR))
		return false;
	n = virtq_chain_iov(c, !write, write ? HDR_SIZE : 0, len, r->iov,
			    VBLK_QUEUE_SIZE);
	if (n <= 0)
		return false;
	memset(&r->cb, 0, sizeof(r->cb));
	r->cb.aio_data = (uint64_t)(uintptr_t)r;
	r->cb.aio_lio_opcode = write ? IOCB_CMD_PWRITEV : IOCB_CMD_PREADV;
	r->cb.aio_fildes = (uint32_t)b->fd;
	r->cb.aio_buf = (uint64_t)(uintptr_t)r->iov;
	r->cb.aio_nbytes = (uint64_t)n;
	r->cb.aio_offset = (int64_t)(sector * VBLK_SECTOR);
	r->cb.aio_flags = IOCB_FLAG_RESFD;
	r->cb.aio_resfd = (uint32_t)b->aio.fd;
	r->cb.aio_rw_flags = RWF_NOWAIT |
		(write && write_through_f(b, r->features) ? RWF_DSYNC : 0);
	r->aio_len = len;
	r->aio_write = write;
	return true;
}

/* Writes an AIO request's status and used length, as handle() would. */
static void aio_finish(struct vblk *b, struct vblk_req *r, int64_t res)
{
	uint8_t st = VIRTIO_BLK_S_OK;
	uint32_t written = 0;

	if (vblk_aio_outcome(res, r->aio_len) != VBLK_AIO_DONE) {
		log_ratelimited(LOG_WARN, "%s: %s of %" PRIu64 " bytes at offset %" PRId64 ": %s",
				b->path, r->aio_write ? "write" : "read", r->aio_len,
				(int64_t)r->cb.aio_offset,
				res < 0 ? strerror((int)-res) : "unexpected length");
		atomic_fetch_add(&b->stats.errors, 1);
		st = VIRTIO_BLK_S_IOERR;
	} else if (r->aio_write) {
		atomic_fetch_add(&b->stats.writes, 1);
		atomic_fetch_add(&b->stats.write_bytes, r->aio_len);
	} else {
		atomic_fetch_add(&b->stats.reads, 1);
		atomic_fetch_add(&b->stats.read_bytes, r->aio_len);
		written = (uint32_t)r->aio_len;
	}
	virtq_chain_write(&r->c, r->c.write_len - 1, &st, 1);
	r->len = written + 1;
	r->err = 0;
}

static void submit(struct vblk *b, struct vblk_req *list, struct vblk_req **tail);
static void drain_fd(struct vblk *b, int fd);

/*
 * Takes what AIO completed: done ones onto the used ring (one interrupt
 * with the rest of the wakeup), the ones to redo to the workers. Returns
 * whether slots came free. I/O thread.
 */
static bool aio_reap(struct vblk *b)
{
	struct io_event ev[VBLK_DEPTH];
	struct timespec zero = { 0, 0 };
	struct vblk_req *done = NULL, *retry = NULL, **rtail = &retry;
	long n = 0;

	drain_fd(b, b->aio.fd); /* first: a completion after it signals again */
	while (b->aio.inflight &&
	       (n = syscall(SYS_io_getevents, b->aio.ctx, 0L, (long)VBLK_DEPTH, ev, &zero)) > 0) {
		for (long i = 0; i < n; i++) {
			struct vblk_req *r = (struct vblk_req *)(uintptr_t)ev[i].data;

			b->aio.inflight--;
			r->next = NULL;
			if (ev[i].res == -EOPNOTSUPP && !b->aio.off) {
				/* A stack without nowait support (some dm/md): it would refuse all. */
				b->aio.off = true;
				log_info("%s: %s refuses RWF_NOWAIT: reads and writes go through the workers",
					 b->vdev.label, b->path);
			}
			if (vblk_aio_outcome(ev[i].res, r->aio_len) == VBLK_AIO_RETRY) {
				atomic_fetch_add(&b->stats.aio_retried, 1);
				*rtail = r;
				rtail = &r->next;
				continue;
			}
			aio_finish(b, r, ev[i].res);
			r->next = done;
			done = r;
		}
	}
	if (n < 0 && errno != EINTR)
		log_ratelimited(LOG_ERR, "%s: io_getevents: %s", b->vdev.label,
				strerror(errno));
	if (retry)
		submit(b, retry, rtail);
	if (done)
		vblk_complete(b, done);
	return done != NULL;
}

/*
 * Sends the taken requests on their way: reads and writes through AIO
 * where it is on, the rest (and what io_submit refused) to the workers.
 */
static void dispatch(struct vblk *b, struct vblk_req *list)
{
	struct iocb *cbs[VBLK_DEPTH];
	struct vblk_req *work = NULL, **wtail = &work;
	long k = 0, sent = 0;

	while (list) {
		struct vblk_req *r = list;

		list = r->next;
		r->next = NULL;
		if (b->aio.ctx && !b->aio.off && k < (long)VBLK_DEPTH && aio_prep(b, r)) {
			cbs[k++] = &r->cb;
			continue;
		}
		*wtail = r;
		wtail = &r->next;
	}
	if (k) {
		sent = syscall(SYS_io_submit, b->aio.ctx, k, cbs);
		if (sent < 0 && errno == EOPNOTSUPP) {
			b->aio.off = true; /* the file refuses RWF_NOWAIT (no FMODE_NOWAIT) */
			log_info("%s: %s refuses RWF_NOWAIT: reads and writes go through the workers",
				 b->vdev.label, b->path);
			sent = 0;
		} else if (sent < 0) {
			log_ratelimited(LOG_WARN, "%s: io_submit: %s", b->vdev.label,
					strerror(errno));
			sent = 0;
		}
		b->aio.inflight += (unsigned int)sent;
		atomic_fetch_add(&b->stats.aio, (uint64_t)k);
		for (long i = sent; i < k; i++) { /* refused: a worker does it */
			struct vblk_req *r = (struct vblk_req *)(uintptr_t)cbs[i]->aio_data;

			atomic_fetch_add(&b->stats.aio_retried, 1);
			*wtail = r;
			wtail = &r->next;
		}
	}
	if (work)
		submit(b, work, wtail);
}

/*
 * AIO for an O_DIRECT block device (or, for tests, file): a context of
 * VBLK_DEPTH requests and its completion eventfd. Without it (no AIO in
 * the kernel, aio-max-nr reached, TESSERA_BLK_NO_AIO set) the workers do
 * everything. Main thread, before any filter.
 */
static void aio_start(struct vblk *b)
{
	const char *no = getenv("TESSERA_BLK_NO_AIO");

	if (!b->direct || !(b->is_blkdev || b->aio.files) || (no && *no && strcmp(no, "0")))
		return;
	b->aio.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (b->aio.fd < 0 || syscall(SYS_io_setup, VBLK_DEPTH, &b->aio.ctx) < 0) {
		b->aio.err = errno;
		log_info("%s: no Linux AIO (%s): reads and writes go through the workers",
			 b->vdev.label, strerror(b->aio.err));
		b->aio.ctx = 0;
		if (b->aio.fd >= 0)
			close(b->aio.fd);
		b->aio.fd = -1;
	}
}

/* At the stop: waits for what AIO has in flight (bounded by the stop). */
static void aio_stop(struct vblk *b)
{
	if (!b->aio.ctx)
		return;
	if (syscall(SYS_io_destroy, b->aio.ctx) < 0)
		log_ratelimited(LOG_ERR, "%s: io_destroy: %s", b->vdev.label,
				strerror(errno));
	b->aio.ctx = 0;
	b->aio.inflight = 0;
}

/* Hands a list of taken requests to the workers. */
static void submit(struct vblk *b, struct vblk_req *list, struct vblk_req **tail)
{
	pthread_mutex_lock(&b->pool.lock);
	*b->pool.todo_tail = list;
	b->pool.todo_tail = tail;
	/* One wakeup per request: a broadcast would wake all 16 for one. */
	for (struct vblk_req *x = list; x; x = x->next)
		pthread_cond_signal(&b->pool.cond);
	pthread_mutex_unlock(&b->pool.lock);
}

void vblk_process(struct vblk *b)
{
	struct virtio_dev *t = &b->vdev;

	for (;;) {
		struct virtq *q = virtio_dev_queue_get(t, 0);
		struct vblk_req *list = NULL, **tail = &list;
		bool more = false;
		uint64_t features;
		uint32_t gen, depth;
		int r = 0;

		if (!q)
			return;
		b->features = features = virtio_dev_features(t);
		gen = virtio_dev_queue_gen(t, 0);
		virtq_disable_notify(q);
		while (b->free_req) {
			struct vblk_req *x = b->free_req;

			r = virtq_pop(q, &x->c);
			if (r <= 0)
				break;
			b->free_req = x->next;
			x->next = NULL;
			x->gen = gen;
			x->features = features;
			*tail = x;
			tail = &x->next;
			b->inflight++;
		}
		if (r < 0)
			virtio_dev_needs_reset(t, q->err);
		/* Out of slots: kicks stay off until completions free some. */
		b->starved = r >= 0 && !b->free_req;
		if (r == 0 && !b->starved)
			more = virtq_enable_notify(q);
		virtio_dev_queue_put(t, 0, false);
		depth = b->inflight;
		if (depth > atomic_load(&b->max_inflight))
			atomic_store(&b->max_inflight, depth);
		if (list && b->pool.on) {
			dispatch(b, list);
			/* A RAM-backed disk completes inside io_submit: answer now. */
			if (b->aio.inflight && aio_reap(b))
				more |= b->starved && b->free_req;
		} else if (list) {
			for (struct vblk_req *x = list; x; x = x->next)
				run_req(b, &b->io0, x);
			vblk_complete(b, list);
			more |= b->starved;
		}
		if (!more || r < 0)
			return;
	}
}

static void *worker(void *arg)
{
	struct vblk *b = arg;
	struct vblk_pool *p = &b->pool;
	struct vblk_io *io;
	unsigned int me;
	uint64_t one = 1;

	pthread_setname_np(pthread_self(), "vblk-worker"); /* before the filter: its messages name the thread */
	sandbox_enter(SANDBOX_BLK); /* the same file operations as the I/O thread */
	pthread_mutex_lock(&p->lock);
	me = p->nthreads++;
	io = &p->io[me];
	for (;;) {
		struct vblk_req *r;

		while (!p->stop && !p->todo)
			pthread_cond_wait(&p->cond, &p->lock);
		if (p->stop)
			break;
		r = p->todo;
		p->todo = r->next;
		if (!p->todo)
			p->todo_tail = &p->todo;
		pthread_mutex_unlock(&p->lock);
		run_req(b, io, r); /* the blocking part: no device lock held */
		pthread_mutex_lock(&p->lock);
		r->next = p->done;
		p->done = r;
		if (write(p->done_fd, &one, sizeof(one)) < 0)
			log_ratelimited(LOG_ERR, "%s: completion eventfd: %s",
					b->vdev.label, strerror(errno));
	}
	p->left++;
	pthread_cond_broadcast(&p->cond); /* pool_quiesce() waits for the last */
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

/*
 * Stops the workers and waits until n of them are out of their loop; they
 * finish the request in hand first. Only locks: the I/O thread calls it
 * under the blk filter. Joining is pool_join()'s, on the main thread:
 * pthread_join() hands the thread's stack to glibc's stack cache, which,
 * once over its size (glibc.pthread.stack_cache_size, 40 MiB), unmaps
 * stacks and frees their TLS, and that first free() in a thread that has
 * never allocated sets up its malloc arena with mmap (seen on arm64, where
 * the blk filter then killed the run at teardown).
 */
static void pool_quiesce(struct vblk *b, unsigned int n)
{
	struct vblk_pool *p = &b->pool;

	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	while (p->left < n)
		pthread_cond_wait(&p->cond, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

/* Joins the workers once pool_quiesce() returned. Main thread only. */
static void pool_join(pthread_t *thr, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		pthread_join(thr[i], NULL);
}

static void pool_stop(struct vblk *b, pthread_t *thr, unsigned int n)
{
	pool_quiesce(b, n);
	pool_join(thr, n);
}

static void drain_fd(struct vblk *b, int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_ratelimited(LOG_ERR, "%s: eventfd read: %s", b->vdev.label,
				strerror(errno));
}

static void *io_thread(void *arg)
{
	struct vblk *b = arg;
	int kick = virtio_dev_kick_fd(&b->vdev, 0);

	pthread_setname_np(pthread_self(), "vblk-io"); /* before the filter: its messages name the thread */
	sandbox_enter(SANDBOX_BLK);
	for (;;) {
		struct pollfd p[4] = { { b->io.stop_fd, POLLIN, 0 },
				       { kick, POLLIN, 0 },
				       { b->pool.done_fd, POLLIN, 0 },
				       { b->aio.ctx ? b->aio.fd : -1, POLLIN, 0 } };
		bool run = false;

		/* The timeout only bounds the wait; a kick or stop ends it. */
		if (poll(p, 4, 1000) < 0) {
			if (errno == EINTR)
				continue;
			log_err_errno("%s: poll", b->vdev.label);
			break;
		}
		if (p[0].revents) {
			/* Inside the bounded stop: a worker stuck on the disk holds it. */
			pool_quiesce(b, VBLK_WORKERS);
			aio_stop(b);
			break;
		}
		/* One interrupt for everything this wakeup completes. */
		virtio_dev_irq_hold(&b->vdev);
		if (p[2].revents & POLLIN) {
			struct vblk_req *done;

			drain_fd(b, b->pool.done_fd);
			pthread_mutex_lock(&b->pool.lock);
			done = b->pool.done;
			b->pool.done = NULL;
			pthread_mutex_unlock(&b->pool.lock);
			if (done)
				vblk_complete(b, done);
			run = b->starved && b->free_req;
		}
		if ((p[3].revents & POLLIN) && aio_reap(b))
			run |= b->starved && b->free_req;
		if (p[1].revents & POLLIN) {
			drain_fd(b, kick);
			run = true;
		}
		if (run)
			vblk_process(b);
		virtio_dev_irq_release(&b->vdev);
	}
	return NULL;
}

int vblk_start(struct vblk *b)
{
	struct vblk_pool *p = &b->pool;
	pthread_t thr[VBLK_WORKERS];
	pthread_attr_t a;
	unsigned int n;
	int r;

	/* Bounce buffers now: a worker under the blk filter cannot mmap. */
	for (n = 0; b->direct && n < VBLK_WORKERS; n++) {
		p->io[n].bounce = aligned_alloc(4096, VBLK_BOUNCE_SIZE);
		if (!p->io[n].bounce) {
			log_err("%s: cannot allocate O_DIRECT bounce buffers", b->vdev.label);
			return -ENOMEM;
		}
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->lock_init = true;
	p->todo = NULL;
	p->todo_tail = &p->todo;
	/* Small stacks: with --mlock (MCL_FUTURE) every stack is locked whole. */
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, VBLK_WORKER_STACK);
	for (n = 0; n < VBLK_WORKERS; n++) {
		r = pthread_create(&thr[n], &a, worker, b);
		if (r)
			break;
	}
	pthread_attr_destroy(&a);
	if (n < VBLK_WORKERS) {
		log_err("%s: cannot start the I/O workers: %s", b->vdev.label,
			strerror(r));
		pool_stop(b, thr, n);
		return -r;
	}
	memcpy(p->thread, thr, sizeof(thr));
	p->on = true;
	aio_start(b);
	r = iothread_start(&b->io, "vblk-io", io_thread, b);
	if (r) {
		pool_stop(b, p->thread, VBLK_WORKERS);
		p->on = false;
		aio_stop(b);
	}
	return r;
}

int vblk_destroy(struct vblk *b)
{
	if (!b)
		return 0;
	if (iothread_stop(&b->io, VBLK_JOIN_TIMEOUT_S))
		return -ETIMEDOUT; /* a stuck thread keeps b: leaked, never freed under it */
	/* The I/O thread quiesced the pool as it stopped (joined: no lock). */
	if (b->pool.on && b->pool.stop)
		pool_join(b->pool.thread, VBLK_WORKERS);

	log_info("%s (%s): %" PRIu64 " reads (%" PRIu64 " bytes), %" PRIu64
		 " writes (%" PRIu64 " bytes), %" PRIu64 " flushes, %" PRIu64
		 " errors; %" PRIu64 " notifications seen by the monitor, %" PRIu64
		 " interrupts; at most %u requests in flight, %" PRIu64
		 " completions dropped by a reset; %" PRIu64 " through Linux AIO (%"
		 PRIu64 " redone by a worker)",
		 b->vdev.label, b->path, atomic_load(&b->stats.reads),
		 atomic_load(&b->stats.read_bytes), atomic_load(&b->stats.writes),
		 atomic_load(&b->stats.write_bytes), atomic_load(&b->stats.flushes),
		 atomic_load(&b->stats.errors), atomic_load(&b->vdev.kicks),
		 atomic_load(&b->vdev.irqs), atomic_load(&b->max_inflight),
		 atomic_load(&b->dropped), atomic_load(&b->stats.aio),
		 atomic_load(&b->stats.aio_retried));
	vblk_free(b);
	return 0;
}
