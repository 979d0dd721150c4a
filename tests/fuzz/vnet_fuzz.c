// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for virtio-net: the input is a guest's RAM plus what
 * arrives on the "tap". Byte 0 picks the queue size (1 << (b & 7)) and the
 * features: MRG_RXBUF (bit 3), GUEST_CSUM + GUEST_TSO4/6 (bit 4), CSUM +
 * HOST_TSO4/6 (bit 5), INDIRECT_DESC (bit 6), EVENT_IDX (bit 7). Bytes 1-4
 * are the lengths (le16) of two frames that arrive on the tap, each a copy
 * of RAM from 0x3000 (so its vnet header too comes from the input). The
 * rest is copied to guest-physical 0 of a 64 KiB RAM: receive queue at
 * 0x0/0x800/0xa00, transmit queue at 0x1000/0x1800/0x1a00 (descriptors,
 * avail, used). The device is brought up through its registers, the
 * transmit queue served, the frames delivered, the tap drained.
 *
 *   make fuzz       libFuzzer (clang), from tests/fuzz/corpus/vnet
 *   make check      replays the corpus with a gcc build (replay.c)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "mem.h"
#include "virtio/mmio.h"
#include "virtio/net.h"

#define RAM_SIZE (64u << 10)
#define FRAME_SRC 0x3000u
#define F(b) (1ULL << (b))

static uint8_t ram[RAM_SIZE] __attribute__((aligned(4096)));
static uint8_t pkt[VNET_RX_BUF];
static struct guest_mem mem;
static struct vnet *dev;
static struct virtio_mmio tr; /* its transport */
static int peer = -1;

static void no_irq(void *opaque, uint32_t gsi)
{
	(void)opaque, (void)gsi;
}

static void init_once(void)
{
	static const struct virtio_mmio_place place = {
		.base = 0xd0000000, .irq = 5, .irq_pulse = no_irq
	};
	static const uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	char err[256];
	int sv[2];

	if (dev)
		return;
	log_level = LOG_QUIET;
	guest_mem_init_buffer(&mem, ram, sizeof(ram));
	if (guest_mem_add_region(&mem, 0, sizeof(ram)))
		abort();
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv) < 0)
		abort();
	/* Room for the largest frames the target sends either way. */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){ 1 << 20 }, sizeof(int));
	setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &(int){ 1 << 20 }, sizeof(int));
	peer = sv[1];
	if (vnet_create_fd(&dev, sv[0], false, mac, &mem, err, sizeof(err))) {
		fprintf(stderr, "vnet_fuzz: %s\n", err);
		abort();
	}
	virtio_mmio_init(&tr, &dev->vdev);
	virtio_mmio_place(&tr, &place);
}

static void wr(uint64_t off, uint32_t v)
{
	virtio_mmio_access(&tr, off, (uint8_t *)&v, 4, true);
}

static void queue(unsigned int i, uint32_t base, uint32_t size)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, i);
	wr(VIRTIO_MMIO_QUEUE_NUM, size);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, base);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, base + 0x800);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, base + 0xa00);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void bring_up(uint8_t flags)
{
	uint64_t f = VIRTIO_FEATURE_VERSION_1 | F(5) /* MAC */ | F(16) /* STATUS */;

	if (flags & 8)
		f |= F(15);
	if (flags & 16)
		f |= F(1) | F(7) | F(8);
	if (flags & 32)
		f |= F(0) | F(11) | F(12);
	if (flags & 64)
		f |= VIRTQ_F_INDIRECT_DESC;
	if (flags & 128)
		f |= VIRTQ_F_EVENT_IDX;
	wr(VIRTIO_MMIO_STATUS, 0); /* a reset: whatever the last input left */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_FEATURES_OK);
	queue(VNET_RXQ, 0x0, 1u << (flags & 7));
	queue(VNET_TXQ, 0x1000, 1u << (flags & 7));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_FEATURES_OK |
				       VIRTIO_STATUS_DRIVER_OK);
}

static void drain(int fd)
{
	while (read(fd, pkt, sizeof(pkt)) >= 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t len[2];

	init_once();
	if (size < 5)
		return 0;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 5, size - 5 < sizeof(ram) ? size - 5 : sizeof(ram));
	drain(dev->tap_fd); /* frames the last input left undelivered */
	bring_up(data[0]);
	vnet_process_tx(dev);
	dev->tx_blocked = false;
	vnet_process_tx(dev);
	for (int i = 0; i < 2; i++) {
		len[i] = (uint16_t)(data[1 + 2 * i] | data[2 + 2 * i] << 8);
		if (len[i] > RAM_SIZE - FRAME_SRC)
			len[i] = RAM_SIZE - FRAME_SRC;
		if (len[i] && write(peer, ram + FRAME_SRC, len[i]) < 0 &&
		    errno != EAGAIN)
			abort();
	}
	vnet_process_rx(dev);
	dev->rx_blocked = false; /* as a kick would */
	vnet_process_rx(dev);
	drain(peer);
	return 0;
}
