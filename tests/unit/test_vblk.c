// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-blk requests end to end without KVM: a temporary image, a fake
 * guest RAM of 1 MiB, the transport driven through its register handler,
 * requests served by vblk_process() on the test's thread (and once by the
 * real I/O thread).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "suites.h"
#include "virtio/blk.h"
#include "virtio/mmio.h"

#define MEM_SIZE (1u << 20)
#define SECTORS 128u
#define QN 16u
#define DESC 0x1000u
#define AVAIL 0x2000u
#define USED 0x3000u
#define HDR 0x8000u
#define STATUS 0x9000u
#define DATA 0x10000u

#define F(b) (1ULL << (b))
#define ALL_OK                                                             \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |                \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)
#define WANT                                                               \
	(VIRTIO_FEATURE_VERSION_1 | F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_BLK_SIZE) | \
	 F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES) |          \
	 F(VIRTIO_BLK_F_CONFIG_WCE) | F(VIRTIO_BLK_F_SEG_MAX) | VIRTQ_F_INDIRECT_DESC)

static uint8_t ram[MEM_SIZE] __attribute__((aligned(4096)));
static struct guest_mem mem;
static struct vblk *b;
static struct virtio_mmio tr; /* the transport the tests drive */
static char dir[64];  /* the suite's own directory: every image lives in it */
static char path[96]; /* this test's image */
static char err[512];
static uint16_t avail_idx, used_seen;
static unsigned int qn = QN; /* the queue size bring_up() gave */
static int pulses;

static void pulse(void *opaque, uint32_t gsi)
{
	(void)opaque, (void)gsi;
	pulses++;
}

static const struct virtio_mmio_place place = { .base = 0xd0000000, .irq = 5,
						 .irq_pulse = pulse };

static void make_image(off_t size)
{
	uint8_t sector[512];
	int fd;

	snprintf(path, sizeof(path), "%s/image-XXXXXX", dir);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, size), 0);
	for (off_t s = 0; s < size / 512; s++) {
		memset(sector, (int)(s & 0xff), sizeof(sector));
		ck_assert_int_eq(pwrite(fd, sector, 512, s * 512), 512);
	}
	close(fd);
}

static void reg_wr(uint64_t off, uint32_t v)
{
	virtio_mmio_access(&tr, off, (uint8_t *)&v, 4, true);
}

static uint32_t reg_rd(uint64_t off)
{
	uint32_t v;

	virtio_mmio_access(&tr, off, (uint8_t *)&v, 4, false);
	return v;
}

/* Negotiates want & offered and sets up queue 0 of size n; DRIVER_OK. */
static void bring_up_q(uint64_t want, unsigned int n)
{
	uint64_t offered;

	reg_wr(VIRTIO_MMIO_STATUS, 0);
	reg_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	reg_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = reg_rd(VIRTIO_MMIO_DEVICE_FEATURES);
	reg_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)reg_rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	want &= offered;
	reg_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	reg_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	reg_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
					   VIRTIO_STATUS_FEATURES_OK);
	reg_wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	qn = n;
	reg_wr(VIRTIO_MMIO_QUEUE_NUM, n);
	reg_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, DESC);
	reg_wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, AVAIL);
	reg_wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, USED);
	reg_wr(VIRTIO_MMIO_QUEUE_READY, 1);
	reg_wr(VIRTIO_MMIO_STATUS, ALL_OK);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS), ALL_OK);
	avail_idx = used_seen = 0;
}

static void bring_up(uint64_t want)
{
	bring_up_q(want, QN);
}

static void open_disk(const char *opts_serial, bool ro, bool direct)
{
	struct disk_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.path, sizeof(cfg.path), "%s", path);
	snprintf(cfg.serial, sizeof(cfg.serial), "%s", opts_serial);
	cfg.ro = ro;
	cfg.direct = direct;
	ck_assert_msg(vblk_create(&b, &cfg, &mem, err, sizeof(err)) == 0, "%s",
		      err);
	virtio_mmio_init(&tr, &b->vdev);
	virtio_mmio_place(&tr, &place);
}

/*
 * Check forks each test and its checked fixture: a failed assertion or a
 * timeout ends the child before teardown() unlinks the image. So the
 * images live in one directory that the parent makes before the tests and
 * empties and removes after them, whatever became of each test.
 */
static void dir_setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/tessera-vblk-XXXXXX");
	if (!mkdtemp(dir))
		ck_abort_msg("mkdtemp %s: %s", dir, strerror(errno));
}

static void dir_teardown(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
	rmdir(dir);
}

static void setup(void)
{
	memset(ram, 0, sizeof(ram));
	guest_mem_init_buffer(&mem, ram, sizeof(ram));
	ck_assert_int_eq(guest_mem_add_region(&mem, 0, sizeof(ram)), 0);
	make_image(SECTORS * 512);
	b = NULL;
	pulses = 0;
}

static void teardown(void)
{
	vblk_destroy(b);
	unlink(path);
}

static void desc(unsigned int i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	uint8_t *d = ram + DESC + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void header(uint32_t type, uint64_t sector)
{
	struct virtio_blk_outhdr h = { .type = type, .sector = sector };

	memcpy(ram + HDR, &h, sizeof(h));
}

/* Posts chain head, serves the queue, returns the used length (or -1). */
static int64_t serve(uint16_t head)
{
	uint16_t used;
	uint32_t id, len;

	memcpy(ram + AVAIL + 4 + 2 * (avail_idx % qn), &head, 2);
	avail_idx++;
	memcpy(ram + AVAIL + 2, &avail_idx, 2);
	vblk_process(b);
	memcpy(&used, ram + USED + 2, 2);
	if (used == used_seen)
		return -1;
	memcpy(&id, ram + USED + 4 + 8 * (used_seen % qn), 4);
	memcpy(&len, ram + USED + 8 + 8 * (used_seen % qn), 4);
	used_seen++;
	ck_assert_uint_eq(id, head);
	return len;
}

/*
 * A standard request: header, data (len bytes at DATA, device-writable for
 * IN), status. Returns the status byte; *used gets the used length.
 */
static int req(uint32_t type, uint64_t sector, uint32_t len, bool dev_writes,
	       int64_t *used)
{
	int64_t u;

	header(type, sector);
	ram[STATUS] = 0xee;
	desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, len ? 1 : 2);
	desc(1, DATA, len,
	     (uint16_t)(VIRTQ_DESC_F_NEXT | (dev_writes ? VIRTQ_DESC_F_WRITE : 0)), 2);
	desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	u = serve(0);
	if (used)
		*used = u;
	ck_assert_int_ge(u, 1);
	return ram[STATUS];
}

static void file_read(uint64_t off, void *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

START_TEST(create_errors)
{
	struct disk_config cfg;
	struct vblk *x = NULL, *y = NULL;
	int fd;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.path, sizeof(cfg.path), "/nonexistent/disk.img");
	ck_assert_int_eq(vblk_create(&x, &cfg, &mem, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_null(x);
	ck_assert_msg(strstr(err, "cannot open '/nonexistent/disk.img'"), "%s", err);
	snprintf(cfg.path, sizeof(cfg.path), "/tmp");
	ck_assert_int_eq(vblk_create(&x, &cfg, &mem, err, sizeof(err)), -EISDIR);
	cfg.ro = true;
	ck_assert_int_eq(vblk_create(&x, &cfg, &mem, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a regular file or a block device"), "%s", err);
	cfg.ro = false;
	snprintf(cfg.path, sizeof(cfg.path), "%s", path);
	fd = open(path, O_WRONLY);
	ck_assert_int_eq(ftruncate(fd, 1000), 0);
	ck_assert_int_eq(vblk_create(&x, &cfg, &mem, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "size 1000 is not a non-zero multiple of 512"), "%s",
		      err);
	ck_assert_msg(ftruncate(fd, 0) == 0, "%s", strerror(errno));
	ck_assert_int_eq(vblk_create(&x, &cfg, &mem, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(ftruncate(fd, 4096), 0);
	close(fd);
	/* One writer at a time; readers may share. */
	ck_assert_int_eq(vblk_create(&x, &cfg, &mem, err, sizeof(err)), 0);
	ck_assert_int_eq(vblk_create(&y, &cfg, &mem, err, sizeof(err)), -EWOULDBLOCK);
	ck_assert_msg(strstr(err, "in use by another process"), "%s", err);
	vblk_destroy(x);
	cfg.ro = true;
	ck_assert_int_eq(vblk_create(&x, &cfg, &mem, err, sizeof(err)), 0);
	ck_assert_int_eq(vblk_create(&y, &cfg, &mem, err, sizeof(err)), 0);
	ck_assert_uint_eq(x->capacity, 8);
	vblk_destroy(x);
	vblk_destroy(y);
}
END_TEST

START_TEST(read_write)
{
	uint8_t buf[1024];
	int64_t used;

	open_disk("", false, false);
	bring_up(WANT);
	memset(ram + DATA, 0x5a, 1024);
	ck_assert_int_eq(req(VIRTIO_BLK_T_OUT, 3, 1024, false, &used), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(used, 1);
	file_read(3 * 512, buf, 1024);
	for (int i = 0; i < 1024; i++)
		ck_assert_uint_eq(buf[i], 0x5a);
	file_read(5 * 512, buf, 1);
	ck_assert_uint_eq(buf[0], 5); /* the neighbour is untouched */
	memset(ram + DATA, 0, 4096);
	ck_assert_int_eq(req(VIRTIO_BLK_T_IN, 2, 2048, true, &used), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(used, 2049);
	ck_assert_uint_eq(ram[DATA], 2);
	ck_assert_uint_eq(ram[DATA + 512], 0x5a);
	ck_assert_uint_eq(ram[DATA + 1535], 0x5a);
	ck_assert_uint_eq(ram[DATA + 1536], 5);
	/* Zero-length transfers are fine. */
	ck_assert_int_eq(req(VIRTIO_BLK_T_IN, 0, 0, true, NULL), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(req(VIRTIO_BLK_T_OUT, SECTORS, 0, false, NULL),
			 VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(b->stats.reads, 1);
	ck_assert_uint_eq(b->stats.writes, 1);
	ck_assert_int_ge(pulses, 1);
}
END_TEST

START_TEST(capacity_bounds)
{
	open_disk("", false, false);
	bring_up(WANT);
	ck_assert_int_eq(req(VIRTIO_BLK_T_IN, SECTORS - 1, 512, true, NULL),
			 VIRTIO_BLK_S_OK);
	ck_assert_int_eq(req(VIRTIO_BLK_T_IN, SECTORS - 1, 1024, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(req(VIRTIO_BLK_T_IN, SECTORS, 512, true, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(req(VIRTIO_BLK_T_OUT, UINT64_MAX, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(req(VIRTIO_BLK_T_OUT, UINT64_MAX / 512 + 1, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(req(VIRTIO_BLK_T_IN, 0, 100, true, NULL), VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(req(VIRTIO_BLK_T_OUT, 0, 513, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(b->stats.errors, 6);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS), ALL_OK); /* not a reset case */
}
END_TEST

START_TEST(odd_layouts)
{
	int64_t used;

	open_disk("", false, false);
	bring_up(WANT);
	/* Header split 5 + 11 over two descriptors; data and status share one. */
	header(VIRTIO_BLK_T_IN, 7);
	desc(0, HDR, 5, VIRTQ_DESC_F_NEXT, 3);
	desc(3, HDR + 5, 11, VIRTQ_DESC_F_NEXT, 4);
	desc(4, DATA, 513, VIRTQ_DESC_F_WRITE, 0);
	ram[DATA + 512] = 0xee;
	used = serve(0);
	ck_assert_int_eq(used, 513);
	ck_assert_uint_eq(ram[DATA], 7);
	ck_assert_uint_eq(ram[DATA + 511], 7);
	ck_assert_uint_eq(ram[DATA + 512], VIRTIO_BLK_S_OK);
	/* Data spread over three descriptors, through an indirect table. */
	header(VIRTIO_BLK_T_IN, 9);
	{
		uint8_t *t = ram + 0x4000;
		uint64_t a[5] = { HDR, DATA, DATA + 0x1000, DATA + 0x2000, STATUS };
		uint32_t l[5] = { 16, 100, 400, 12, 1 };

		for (uint16_t i = 0; i < 5; i++) {
			uint16_t fl = (uint16_t)((i < 4 ? VIRTQ_DESC_F_NEXT : 0) |
						 (i ? VIRTQ_DESC_F_WRITE : 0));
			uint16_t nx = (uint16_t)(i + 1);

			memcpy(t + 16 * i, &a[i], 8);
			memcpy(t + 16 * i + 8, &l[i], 4);
			memcpy(t + 16 * i + 12, &fl, 2);
			memcpy(t + 16 * i + 14, &nx, 2);
		}
	}
	desc(5, 0x4000, 5 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	used = serve(5);
	ck_assert_int_eq(used, 513);
	ck_assert_uint_eq(ram[DATA + 99], 9);
	ck_assert_uint_eq(ram[DATA + 0x1000 + 399], 9);
	ck_assert_uint_eq(ram[DATA + 0x2000 + 11], 9);
	ck_assert_uint_eq(ram[STATUS], VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(read_only)
{
	uint8_t byte;

	open_disk("", true, false);
	bring_up(WANT | F(VIRTIO_BLK_F_RO));
	ck_assert_uint_ne(virtio_dev_features(&b->vdev) & F(VIRTIO_BLK_F_RO), 0);
	ck_assert_uint_eq(virtio_dev_features(&b->vdev) & F(VIRTIO_BLK_F_DISCARD), 0);
	memset(ram + DATA, 0x77, 512);
	ck_assert_int_eq(req(VIRTIO_BLK_T_OUT, 1, 512, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	file_read(512, &byte, 1);
	ck_assert_uint_eq(byte, 1);
	memset(ram + DATA, 0, 16);
	ck_assert_int_eq(req(VIRTIO_BLK_T_DISCARD, 0, 16, false, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	ck_assert_int_eq(req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	ck_assert_int_eq(req(VIRTIO_BLK_T_IN, 1, 512, true, NULL), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(req(VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(flush_id_unsupported)
{
	int64_t used;

	open_disk("SERIAL-1", false, false);
	bring_up(WANT);
	ck_assert_int_eq(req(VIRTIO_BLK_T_FLUSH, 0, 0, false, &used), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(used, 1);
	ck_assert_uint_eq(b->stats.flushes, 1);
	memset(ram + DATA, 0xff, 32);
	ck_assert_int_eq(req(VIRTIO_BLK_T_GET_ID, 0, 20, true, &used), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(used, 21);
	ck_assert_int_eq(memcmp(ram + DATA, "SERIAL-1\0\0\0\0\0\0\0\0\0\0\0\0", 20), 0);
	ck_assert_uint_eq(ram[DATA + 20], 0xff);
	memset(ram + DATA, 0xff, 32);
	ck_assert_int_eq(req(VIRTIO_BLK_T_GET_ID, 0, 4, true, &used), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(used, 5);
	ck_assert_int_eq(memcmp(ram + DATA, "SERI", 4), 0);
	ck_assert_uint_eq(ram[DATA + 4], 0xff);
	ck_assert_int_eq(req(2 /* SCSI_CMD */, 0, 0, false, &used), VIRTIO_BLK_S_UNSUPP);
	ck_assert_int_eq(used, 1);
	ck_assert_int_eq(req(0xdeadbeef, 0, 512, true, NULL), VIRTIO_BLK_S_UNSUPP);
	ck_assert_int_eq(req(VIRTIO_BLK_T_SECURE_ERASE, 0, 16, false, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(b->stats.unsupported, 3);
}
END_TEST

static void range(unsigned int i, uint64_t sector, uint32_t num, uint32_t flags)
{
	struct virtio_blk_discard_write_zeroes r = {
		.sector = sector, .num_sectors = num, .flags = flags
	};

	memcpy(ram + DATA + 16 * i, &r, 16);
}

START_TEST(discard_and_zeroes)
{
	uint8_t buf[3 * 512];

	open_disk("", false, false);
	bring_up(WANT);
	range(0, 10, 2, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL),
			 VIRTIO_BLK_S_OK);
	file_read(9 * 512, buf, sizeof(buf));
	ck_assert_uint_eq(buf[511], 9);
	for (int i = 512; i < 3 * 512; i++)
		ck_assert_uint_eq(buf[i], 0);
	range(0, 20, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	range(1, 30, 1, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 32, false, NULL),
			 VIRTIO_BLK_S_OK);
	file_read(20 * 512, buf, 1);
	ck_assert_uint_eq(buf[0], 0);
	file_read(30 * 512, buf, 1);
	ck_assert_uint_eq(buf[0], 0);
	range(0, 40, 1, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_DISCARD, 0, 16, false, NULL), VIRTIO_BLK_S_OK);
	/* Bad flags, out of range, malformed lists. */
	range(0, 40, 1, 2);
	ck_assert_int_eq(req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	range(0, 40, 1, VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	ck_assert_int_eq(req(VIRTIO_BLK_T_DISCARD, 0, 16, false, NULL),
			 VIRTIO_BLK_S_UNSUPP);
	range(0, SECTORS - 1, 2, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_DISCARD, 0, 16, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	range(0, UINT64_MAX, 1, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	range(0, 0, VBLK_MAX_RANGE_SECTORS + 1, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(req(VIRTIO_BLK_T_DISCARD, 0, 24, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(req(VIRTIO_BLK_T_DISCARD, 0, 0, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	for (unsigned int i = 0; i <= VBLK_MAX_DISCARD_SEG; i++)
		range(i, i, 1, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_DISCARD, 0, 16 * (VBLK_MAX_DISCARD_SEG + 1),
			     false, NULL),
			 VIRTIO_BLK_S_IOERR);
	/* A bad range anywhere in the list means nothing is done. */
	range(0, 50, 1, 0);
	range(1, SECTORS, 1, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 32, false, NULL),
			 VIRTIO_BLK_S_IOERR);
	file_read(50 * 512, buf, 1);
	ck_assert_uint_eq(buf[0], 50);
	/* Not negotiated: unsupported. */
	bring_up(VIRTIO_FEATURE_VERSION_1);
	range(0, 60, 1, 0);
	ck_assert_int_eq(req(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false, NULL),
			 VIRTIO_BLK_S_UNSUPP);
}
END_TEST

START_TEST(malformed_requests)
{
	open_disk("", false, false);
	bring_up(WANT);
	/* No status byte. */
	header(VIRTIO_BLK_T_IN, 0);
	desc(0, HDR, 16, 0, 0);
	ck_assert_int_eq(serve(0), -1);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS), ALL_OK | VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	/* Nothing more is served until a reset. */
	header(VIRTIO_BLK_T_FLUSH, 0);
	desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 2);
	desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	ck_assert_int_eq(serve(0), -1);
	bring_up(WANT);
	/* A header of 15 bytes. */
	desc(0, HDR, 15, VIRTQ_DESC_F_NEXT, 1);
	desc(1, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	ck_assert_int_eq(serve(0), -1);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
			  VIRTIO_STATUS_NEEDS_RESET);
	bring_up(WANT);
	/* A ring the parser rejects. */
	desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 0);
	ck_assert_int_eq(serve(0), -1);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
			  VIRTIO_STATUS_NEEDS_RESET);
	/* And after a reset all is well again. */
	bring_up(WANT);
	ck_assert_int_eq(req(VIRTIO_BLK_T_FLUSH, 0, 0, false, NULL), VIRTIO_BLK_S_OK);
}
END_TEST

static uint64_t cfg_rd(uint32_t off, uint32_t len)
{
	uint64_t v = 0;

	virtio_mmio_access(&tr, VIRTIO_MMIO_CONFIG + off, (uint8_t *)&v, len,
			   false);
	return v;
}

START_TEST(config_space)
{
	uint8_t zero = 0;
	int64_t used;

	open_disk("", false, false);
	ck_assert_uint_eq(cfg_rd(0, 8), SECTORS);
	ck_assert_uint_eq(cfg_rd(8, 4), VBLK_SIZE_MAX);
	ck_assert_uint_eq(cfg_rd(12, 4), VBLK_SEG_MAX);
	ck_assert_uint_eq(cfg_rd(20, 4), 512);
	ck_assert_uint_eq(cfg_rd(32, 1), 1); /* write-back by default */
	ck_assert_uint_eq(cfg_rd(40, 4), VBLK_MAX_DISCARD_SEG);
	ck_assert_uint_eq(cfg_rd(56, 1), 1);
	ck_assert_uint_eq(cfg_rd(sizeof(struct virtio_blk_config), 1), 0);
	bring_up(WANT);
	virtio_mmio_access(&tr, VIRTIO_MMIO_CONFIG + 32, &zero, 1, true);
	ck_assert_uint_eq(cfg_rd(32, 1), 0);
	/* Write-through now: writes carry RWF_DSYNC, and still work. */
	memset(ram + DATA, 0x33, 512);
	ck_assert_int_eq(req(VIRTIO_BLK_T_OUT, 4, 512, false, &used), VIRTIO_BLK_S_OK);
	/* Capacity is read-only. */
	virtio_mmio_access(&tr, VIRTIO_MMIO_CONFIG, &zero, 1, true);
	ck_assert_uint_eq(cfg_rd(0, 8), SECTORS);
	reg_wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(cfg_rd(32, 1), 1); /* reset restores write-back */
}
END_TEST

/*
 * Opens the image with O_DIRECT into b and the transport, the image
 * written back first (RWF_NOWAIT direct I/O refuses a range with dirty
 * pages). false, with b NULL, where this file system has no O_DIRECT: the
 * caller then has nothing to test.
 */
static bool open_direct(void)
{
	struct disk_config cfg;
	int fd, r;

	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fsync(fd), 0);
	close(fd);
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.path, sizeof(cfg.path), "%s", path);
	cfg.direct = true;
	r = vblk_create(&b, &cfg, &mem, err, sizeof(err));
	if (r == -EINVAL) {
		b = NULL;
		return false;
	}
	ck_assert_msg(r == 0, "%s", err);
	virtio_mmio_init(&tr, &b->vdev);
	virtio_mmio_place(&tr, &place);
	return true;
}

/* O_DIRECT with a guest buffer the host cannot use directly: the bounce path. */
START_TEST(direct_io)
{
	uint8_t buf[512];
	int64_t used;

	if (!open_direct())
		return;
	bring_up(WANT);
	header(VIRTIO_BLK_T_OUT, 6);
	memset(ram + DATA + 1, 0x61, 512);
	desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, DATA + 1, 512, VIRTQ_DESC_F_NEXT, 2); /* misaligned */
	desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	ck_assert_int_eq(serve(0), 1);
	ck_assert_uint_eq(ram[STATUS], VIRTIO_BLK_S_OK);
	file_read(6 * 512, buf, 512);
	ck_assert_uint_eq(buf[0], 0x61);
	ck_assert_uint_eq(buf[511], 0x61);
	header(VIRTIO_BLK_T_IN, 7);
	desc(1, DATA + 3, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	used = serve(0);
	ck_assert_int_eq(used, 513);
	ck_assert_uint_eq(ram[DATA + 3], 7);
	ck_assert_uint_eq(ram[DATA + 3 + 511], 7);
	ck_assert_uint_eq(ram[STATUS], VIRTIO_BLK_S_OK);
}
END_TEST

/* The real I/O thread: woken by QueueNotify, stopped and joined at the end. */
START_TEST(io_thread)
{
	struct timespec ts = { 0, 1000000 };
	uint16_t used = 0;

	open_disk("", false, false);
	bring_up(WANT);
	ck_assert_int_eq(vblk_start(b), 0);
	header(VIRTIO_BLK_T_IN, 11);
	desc(0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	desc(1, DATA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	desc(2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	avail_idx = 1;
	memcpy(ram + AVAIL + 2, &avail_idx, 2);
	reg_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000 && used == 0; i++) {
		nanosleep(&ts, NULL);
		used = __atomic_load_n((uint16_t *)(void *)(ram + USED + 2),
				       __ATOMIC_ACQUIRE);
	}
	ck_assert_uint_eq(used, 1);
	ck_assert_uint_eq(ram[DATA], 11);
	ck_assert_uint_eq(ram[STATUS], VIRTIO_BLK_S_OK);
	ck_assert_int_eq(__atomic_load_n(&pulses, __ATOMIC_SEQ_CST), 1);
	/* A reset while the thread runs: it must not touch the old ring. */
	reg_wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS), 0);
}
END_TEST

/* --- requests in flight: the test plays the workers' part ------------------ */

/* Workers "on" but none started: vblk_process() queues for them. */
static void fake_pool(void)
{
	pthread_mutex_init(&b->pool.lock, NULL);
	pthread_cond_init(&b->pool.cond, NULL);
	b->pool.lock_init = true;
	b->pool.todo = NULL;
	b->pool.todo_tail = &b->pool.todo;
	b->pool.on = true;
}

/* n reads, request i of sector i into DATA + 1024 i (data and status in one buffer). */
static void post_reads(unsigned int first, unsigned int n)
{
	for (unsigned int i = first; i < first + n; i++) {
		struct virtio_blk_outhdr h = { .type = VIRTIO_BLK_T_IN, .sector = i };
		uint16_t head = (uint16_t)(2 * i);

		memcpy(ram + HDR + 16 * i, &h, sizeof(h));
		desc(2 * i, HDR + 16 * i, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(2 * i + 1));
		desc(2 * i + 1, DATA + 1024 * i, 513, VIRTQ_DESC_F_WRITE, 0);
		memset(ram + DATA + 1024 * i, 0xee, 513);
		memcpy(ram + AVAIL + 4 + 2 * (avail_idx % qn), &head, 2);
		avail_idx++;
	}
	memcpy(ram + AVAIL + 2, &avail_idx, 2);
}

/* What the workers were handed since the last call; each one done. */
static struct vblk_req *take_and_run(unsigned int *n)
{
	struct vblk_req *list = b->pool.todo;

	b->pool.todo = NULL;
	b->pool.todo_tail = &b->pool.todo;
	*n = 0;
	for (struct vblk_req *x = list; x; x = x->next, (*n)++)
		vblk_run(b, x);
	return list;
}

static uint16_t used_idx(void)
{
	uint16_t u;

	memcpy(&u, ram + USED + 2, 2);
	return u;
}

static void used_entry(unsigned int k, uint32_t *id, uint32_t *len)
{
	memcpy(id, ram + USED + 4 + 8 * (k % qn), 4);
	memcpy(len, ram + USED + 8 + 8 * (k % qn), 4);
}

/* Completed in reverse order, all in one go: one interrupt for three. */
START_TEST(out_of_order)
{
	struct vblk_req *list, *rev = NULL;
	unsigned int n;
	uint32_t id, len;

	open_disk("", false, false);
	bring_up_q(WANT, 64);
	fake_pool();
	post_reads(0, 3);
	vblk_process(b);
	ck_assert_uint_eq(used_idx(), 0); /* taken, not done: nothing used yet */
	ck_assert_uint_eq(b->inflight, 3);
	list = take_and_run(&n);
	ck_assert_uint_eq(n, 3);
	while (list) {
		struct vblk_req *x = list;

		list = x->next;
		x->next = rev;
		rev = x;
	}
	virtio_dev_irq_hold(&b->vdev);
	vblk_complete(b, rev);
	ck_assert_int_eq(pulses, 0); /* held until the wakeup ends */
	virtio_dev_irq_release(&b->vdev);
	ck_assert_int_eq(pulses, 1);
	ck_assert_uint_eq(used_idx(), 3);
	for (unsigned int k = 0; k < 3; k++) {
		used_entry(k, &id, &len);
		ck_assert_uint_eq(id, 2 * (2 - k)); /* heads 4, 2, 0 */
		ck_assert_uint_eq(len, 513);
		ck_assert_uint_eq(ram[DATA + 1024 * k], k); /* sector k's pattern */
		ck_assert_uint_eq(ram[DATA + 1024 * k + 512], VIRTIO_BLK_S_OK);
	}
	ck_assert_uint_eq(b->inflight, 0);
}
END_TEST

/* A reset waits for nothing; what was in flight is never completed. */
START_TEST(reset_drops_inflight)
{
	struct vblk_req *list;
	unsigned int n;
	uint32_t id, len;

	open_disk("", false, false);
	bring_up_q(WANT, 64);
	fake_pool();
	post_reads(0, 2);
	vblk_process(b);
	list = take_and_run(&n);
	ck_assert_uint_eq(n, 2);
	reg_wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS), 0);
	vblk_complete(b, list); /* the device is reset: dropped */
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(b->dropped, 2);
	ck_assert_int_eq(pulses, 0);
	/* Reset and set up again on the same rings before the old requests end:
	 * the device is live, but they belong to the old generation. */
	post_reads(0, 2);
	vblk_process(b);
	ck_assert_uint_eq(b->inflight, 0); /* not live: nothing taken */
	bring_up_q(WANT, 64);
	post_reads(0, 2);
	vblk_process(b);
	list = take_and_run(&n);
	ck_assert_uint_eq(n, 2);
	bring_up_q(WANT, 64); /* writes 0 first: a reset */
	post_reads(5, 1);
	vblk_complete(b, list);
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(b->dropped, 4);
	vblk_process(b);
	list = take_and_run(&n);
	ck_assert_uint_eq(n, 1);
	/* Disabling the queue and enabling it again retires it too. */
	reg_wr(VIRTIO_MMIO_QUEUE_READY, 0);
	reg_wr(VIRTIO_MMIO_QUEUE_READY, 1);
	vblk_complete(b, list);
	ck_assert_uint_eq(used_idx(), 0);
	ck_assert_uint_eq(b->dropped, 5);
	bring_up_q(WANT, 64);
	post_reads(5, 1);
	vblk_process(b);
	list = take_and_run(&n);
	ck_assert_uint_eq(n, 1);
	vblk_complete(b, list);
	ck_assert_uint_eq(used_idx(), 1);
	used_entry(0, &id, &len);
	ck_assert_uint_eq(id, 10);
	ck_assert_uint_eq(ram[DATA + 1024 * 5], 5);
	ck_assert_uint_eq(b->inflight, 0);
}
END_TEST

/* At most VBLK_DEPTH in flight; the rest waits in the ring, then goes. */
START_TEST(depth_bound)
{
	struct vblk_req *list;
	unsigned int n, more = 4;

	open_disk("", false, false);
	bring_up_q(WANT, 64);
	fake_pool();
	post_reads(0, VBLK_DEPTH + more);
	vblk_process(b);
	ck_assert_uint_eq(b->inflight, VBLK_DEPTH);
	ck_assert(b->starved);
	vblk_process(b); /* a kick meanwhile takes nothing and does not spin */
	list = take_and_run(&n);
	ck_assert_uint_eq(n, VBLK_DEPTH);
	vblk_complete(b, list);
	ck_assert_uint_eq(used_idx(), VBLK_DEPTH);
	ck_assert_uint_eq(b->inflight, 0);
	vblk_process(b); /* what the I/O thread does when a starved disk frees slots */
	list = take_and_run(&n);
	ck_assert_uint_eq(n, more);
	ck_assert(!b->starved);
	vblk_complete(b, list);
	ck_assert_uint_eq(used_idx(), VBLK_DEPTH + more);
	for (unsigned int i = 0; i < VBLK_DEPTH + more; i++)
		ck_assert_uint_eq(ram[DATA + 1024 * i], i);
	ck_assert_uint_eq(atomic_load(&b->max_inflight), VBLK_DEPTH);
}
END_TEST

/* Linux AIO's completions: what is done, what a worker redoes, what fails. */
START_TEST(aio_outcome)
{
	ck_assert_int_eq(vblk_aio_outcome(4096, 4096), VBLK_AIO_DONE);
	ck_assert_int_eq(vblk_aio_outcome(0, 0), VBLK_AIO_DONE);
	ck_assert_int_eq(vblk_aio_outcome(512, 4096), VBLK_AIO_RETRY); /* short */
	ck_assert_int_eq(vblk_aio_outcome(0, 4096), VBLK_AIO_RETRY);
	ck_assert_int_eq(vblk_aio_outcome(-EAGAIN, 4096), VBLK_AIO_RETRY); /* RWF_NOWAIT */
	ck_assert_int_eq(vblk_aio_outcome(-EINVAL, 4096), VBLK_AIO_RETRY); /* alignment */
	ck_assert_int_eq(vblk_aio_outcome(-EOPNOTSUPP, 4096), VBLK_AIO_RETRY);
	ck_assert_int_eq(vblk_aio_outcome(-EINTR, 4096), VBLK_AIO_RETRY);
	ck_assert_int_eq(vblk_aio_outcome(-EIO, 4096), VBLK_AIO_ERROR);
	ck_assert_int_eq(vblk_aio_outcome(-ENOSPC, 4096), VBLK_AIO_ERROR);
	ck_assert_int_eq(vblk_aio_outcome(8192, 4096), VBLK_AIO_ERROR); /* more than asked */
}
END_TEST

/*
 * The real I/O thread with Linux AIO on an O_DIRECT image (aio.files: in
 * use only for block devices): reads and writes go through AIO (an
 * unaligned one among them), what AIO refuses is redone by a worker, a
 * FLUSH goes to a worker; every answer is right.
 */
START_TEST(aio_path)
{
	struct timespec ts = { 0, 1000000 };
	uint8_t buf[4096];
	struct statfs sfs;
	unsigned int n = 6;
	uint16_t used = 0;

	if (!open_direct())
		return;
	bring_up_q(WANT, 64);
	b->aio.files = true;
	ck_assert_int_eq(vblk_start(b), 0);
	if (!b->aio.ctx && (b->aio.err == ENOSYS || b->aio.err == EAGAIN))
		return; /* no Linux AIO here (qemu-user, aio-max-nr): nothing to test */
	ck_assert_msg(b->aio.ctx != 0, "no AIO context: %s", strerror(b->aio.err));
	/* 0-2: 4 KiB reads of sectors 8i (aligned); 3: a 4 KiB write of 0x5a at
	 * sector 64; 4: a 512-byte read of sector 3 at DATA + 1 (unaligned); 5: FLUSH. */
	for (unsigned int i = 0; i < n; i++) {
		uint32_t type = i == 3 ? VIRTIO_BLK_T_OUT : i == 5 ? VIRTIO_BLK_T_FLUSH : VIRTIO_BLK_T_IN;
		struct virtio_blk_outhdr h = { .type = type, .sector = i == 3 ? 64 : i == 4 ? 3 : 8 * i };
		uint64_t data = DATA + 0x2000 * i + (i == 4);
		uint32_t len = i == 4 ? 512 : 4096;
		uint16_t head = (uint16_t)(3 * i);

		memcpy(ram + HDR + 16 * i, &h, sizeof(h));
		memset(ram + data, i == 3 ? 0x5a : 0xee, len + 1);
		ram[STATUS + i] = 0xee;
		desc(3 * i, HDR + 16 * i, 16, VIRTQ_DESC_F_NEXT, (uint16_t)(i == 5 ? 3 * i + 2 : 3 * i + 1));
		desc(3 * i + 1, data, len, (uint16_t)(VIRTQ_DESC_F_NEXT | (i == 3 ? 0 : VIRTQ_DESC_F_WRITE)),
		     (uint16_t)(3 * i + 2));
		desc(3 * i + 2, STATUS + i, 1, VIRTQ_DESC_F_WRITE, 0);
		memcpy(ram + AVAIL + 4 + 2 * i, &head, 2);
	}
	avail_idx = (uint16_t)n;
	memcpy(ram + AVAIL + 2, &avail_idx, 2);
	reg_wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	for (int i = 0; i < 5000 && used < n; i++) {
		nanosleep(&ts, NULL);
		used = __atomic_load_n((uint16_t *)(void *)(ram + USED + 2), __ATOMIC_ACQUIRE);
	}
	ck_assert_uint_eq(used, n);
	for (unsigned int i = 0; i < n; i++)
		ck_assert_msg(ram[STATUS + i] == VIRTIO_BLK_S_OK, "request %u: status %u", i,
			      ram[STATUS + i]);
	for (unsigned int i = 0; i < 3; i++) {
		ck_assert_uint_eq(ram[DATA + 0x2000 * i], 8 * i);
		ck_assert_uint_eq(ram[DATA + 0x2000 * i + 4095], 8 * i + 7);
	}
	ck_assert_uint_eq(ram[DATA + 0x8000 + 1], 3);
	ck_assert_uint_eq(ram[DATA + 0x8000 + 512], 3);
	ck_assert_uint_eq(ram[DATA + 0x8000 + 513], 0xee); /* not a byte more */
	file_read(64 * 512, buf, sizeof(buf));
	ck_assert_uint_eq(buf[0], 0x5a);
	ck_assert_uint_eq(buf[4095], 0x5a);
	/*
	 * All five reads and writes went to AIO; what it would not do without
	 * blocking (RWF_NOWAIT) or with these buffers came back to a worker,
	 * and the answers above are right either way. Where the file system
	 * does RWF_NOWAIT direct I/O (ext4, xfs, btrfs) some completed there.
	 */
	ck_assert_uint_eq(atomic_load(&b->stats.aio), 5);
	ck_assert_int_eq(statfs(path, &sfs), 0);
	if (sfs.f_type == 0xEF53 || sfs.f_type == 0x58465342 || sfs.f_type == 0x9123683E)
		ck_assert_uint_lt(atomic_load(&b->stats.aio_retried), 5);
	ck_assert_uint_eq(atomic_load(&b->stats.reads), 4);
	ck_assert_uint_eq(atomic_load(&b->stats.writes), 1);
	ck_assert_uint_eq(atomic_load(&b->stats.flushes), 1);
}
END_TEST

Suite *vblk_suite(void)
{
	Suite *s = suite_create("vblk");
	TCase *tc = tcase_create("requests");

	tcase_add_unchecked_fixture(tc, dir_setup, dir_teardown);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, create_errors);
	tcase_add_test(tc, read_write);
	tcase_add_test(tc, capacity_bounds);
	tcase_add_test(tc, odd_layouts);
	tcase_add_test(tc, read_only);
	tcase_add_test(tc, flush_id_unsupported);
	tcase_add_test(tc, discard_and_zeroes);
	tcase_add_test(tc, malformed_requests);
	tcase_add_test(tc, config_space);
	tcase_add_test(tc, direct_io);
	tcase_add_test(tc, io_thread);
	tcase_add_test(tc, out_of_order);
	tcase_add_test(tc, reset_drops_inflight);
	tcase_add_test(tc, depth_bound);
	tcase_add_test(tc, aio_outcome);
	tcase_add_test(tc, aio_path);
	suite_add_tcase(s, tc);
	return s;
}
