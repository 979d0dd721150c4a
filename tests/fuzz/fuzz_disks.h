/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fake guest the virtio-blk fuzz targets share: a 64 KiB guest RAM at
 * guest-physical 0 and two 32 KiB in-memory disks (memfd), read-write and
 * read-only, each behind a placed virtio-mmio transport whose interrupt
 * goes nowhere. One fuzz target per program, so the state is static here.
 */
#ifndef TESSERA_FUZZ_DISKS_H
#define TESSERA_FUZZ_DISKS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "virtio/blk.h"
#include "virtio/mmio.h"

#define FUZZ_RAM_SIZE (64u << 10)
#define FUZZ_DISK_SIZE (32u << 10)

static uint8_t fuzz_ram[FUZZ_RAM_SIZE] __attribute__((aligned(4096)));
static struct guest_mem fuzz_mem;
static struct vblk *fuzz_disk[2];        /* read-write, read-only */
static struct virtio_mmio fuzz_tr[2];    /* their transports */

static void fuzz_no_irq(void *opaque, uint32_t gsi)
{
	(void)opaque, (void)gsi;
}

static struct vblk *fuzz_make_disk(const char *who, bool ro,
				   struct virtio_mmio *t)
{
	static const struct virtio_mmio_place place = {
		.base = 0xd0000000, .irq = 5, .irq_pulse = fuzz_no_irq
	};
	struct disk_config cfg;
	char err[256];
	struct vblk *b;
	int fd = memfd_create(who, MFD_CLOEXEC);

	if (fd < 0 || ftruncate(fd, FUZZ_DISK_SIZE) < 0) {
		perror("memfd");
		abort();
	}
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.path, sizeof(cfg.path), "/proc/self/fd/%d", fd);
	snprintf(cfg.serial, sizeof(cfg.serial), "fuzz");
	cfg.ro = ro;
	if (vblk_create(&b, &cfg, &fuzz_mem, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", who, err);
		abort();
	}
	virtio_mmio_init(t, &b->vdev);
	virtio_mmio_place(t, &place);
	close(fd); /* vblk holds its own descriptor */
	return b;
}

/* Makes the RAM and the disks on the first call; who names the target. */
static void fuzz_disks_init(const char *who)
{
	if (fuzz_disk[0])
		return;
	log_level = LOG_QUIET;
	guest_mem_init_buffer(&fuzz_mem, fuzz_ram, sizeof(fuzz_ram));
	if (guest_mem_add_region(&fuzz_mem, 0, sizeof(fuzz_ram)))
		abort();
	fuzz_disk[0] = fuzz_make_disk(who, false, &fuzz_tr[0]);
	fuzz_disk[1] = fuzz_make_disk(who, true, &fuzz_tr[1]);
}

#endif
