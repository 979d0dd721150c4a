// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net without KVM or a tap: the header and offload rules as pure
 * functions, and frames end to end through a fake guest RAM and an
 * AF_UNIX SOCK_SEQPACKET pair standing in for the tap (one packet = vnet
 * header + frame, as a tap with IFF_VNET_HDR delivers them).
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "mem.h"
#include "suites.h"
#include "virtio/mmio.h"
#include "virtio/net.h"

#define MEM_SIZE (1u << 20)
#define QN 16u
#define RX_DESC 0x1000u
#define RX_AVAIL 0x2000u
#define RX_USED 0x3000u
#define TX_DESC 0x4000u
#define TX_AVAIL 0x5000u
#define TX_USED 0x6000u
#define TXBUF 0x10000u
#define RXBUF 0x40000u

#define F(b) (1ULL << (b))
#define ALL_OK                                                             \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |                \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)
#define BASIC (VIRTIO_FEATURE_VERSION_1 | F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS))

static uint8_t ram[MEM_SIZE] __attribute__((aligned(4096)));
static struct guest_mem mem;
static struct vnet *n;
static struct virtio_mmio tr; /* the transport the tests drive */
static int peer = -1;
static char err[512];
static uint16_t avail_idx[2], used_seen[2];
static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static int pulses; /* interrupts sent through the fallback path */

static void pulse(void *opaque, uint32_t gsi)
{
	(void)opaque, (void)gsi;
	pulses++;
}

static const struct virtio_mmio_place place = { .base = 0xd0000000, .irq = 6,
						 .irq_pulse = pulse };

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

static void queue(unsigned int i, uint32_t d, uint32_t a, uint32_t u)
{
	reg_wr(VIRTIO_MMIO_QUEUE_SEL, i);
	reg_wr(VIRTIO_MMIO_QUEUE_NUM, QN);
	reg_wr(VIRTIO_MMIO_QUEUE_DESC_LOW, d);
	reg_wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, a);
	reg_wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, u);
	reg_wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static void bring_up(uint64_t want)
{
	uint64_t offered;

	reg_wr(VIRTIO_MMIO_STATUS, 0);
	reg_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	reg_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	offered = reg_rd(VIRTIO_MMIO_DEVICE_FEATURES);
	reg_wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)reg_rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	ck_assert_uint_eq(offered & want, want);
	reg_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)want);
	reg_wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(want >> 32));
	reg_wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
					   VIRTIO_STATUS_FEATURES_OK);
	queue(VNET_RXQ, RX_DESC, RX_AVAIL, RX_USED);
	queue(VNET_TXQ, TX_DESC, TX_AVAIL, TX_USED);
	reg_wr(VIRTIO_MMIO_STATUS, ALL_OK);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS), ALL_OK);
	memset(avail_idx, 0, sizeof(avail_idx));
	memset(used_seen, 0, sizeof(used_seen));
}

static void setup(void)
{
	int sv[2];

	memset(ram, 0, sizeof(ram));
	guest_mem_init_buffer(&mem, ram, sizeof(ram));
	ck_assert_int_eq(guest_mem_add_region(&mem, 0, sizeof(ram)), 0);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv), 0);
	peer = sv[1];
	pulses = 0;
	ck_assert_msg(vnet_create_fd(&n, sv[0], false, mac, &mem, err,
				     sizeof(err)) == 0, "%s", err);
	virtio_mmio_init(&tr, &n->vdev);
	virtio_mmio_place(&tr, &place);
}

static void teardown(void)
{
	vnet_destroy(n);
	close(peer);
}

static void desc(uint32_t table, unsigned int i, uint64_t addr, uint32_t len,
		 uint16_t flags, uint16_t next)
{
	uint8_t *d = ram + table + 16 * i;

	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void post(unsigned int q, uint16_t head)
{
	uint32_t avail = q == VNET_RXQ ? RX_AVAIL : TX_AVAIL;

	memcpy(ram + avail + 4 + 2 * (avail_idx[q] % QN), &head, 2);
	avail_idx[q]++;
	memcpy(ram + avail + 2, &avail_idx[q], 2);
}

/* The next used entry of queue q: its length, or -1 if there is none. */
static int64_t used(unsigned int q, uint16_t *id)
{
	uint32_t u = q == VNET_RXQ ? RX_USED : TX_USED;
	uint16_t idx;
	uint32_t i, len;

	memcpy(&idx, ram + u + 2, 2);
	if (idx == used_seen[q])
		return -1;
	memcpy(&i, ram + u + 4 + 8 * (used_seen[q] % QN), 4);
	memcpy(&len, ram + u + 8 + 8 * (used_seen[q] % QN), 4);
	used_seen[q]++;
	if (id)
		*id = (uint16_t)i;
	return len;
}

static void frame(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i);
}

START_TEST(offload_mapping)
{
	uint64_t gc = F(VIRTIO_NET_F_GUEST_CSUM);

	ck_assert_uint_eq(vnet_tap_offloads(0), 0);
	ck_assert_uint_eq(vnet_tap_offloads(F(VIRTIO_NET_F_GUEST_TSO4)), 0);
	ck_assert_uint_eq(vnet_tap_offloads(gc), TUN_F_CSUM);
	ck_assert_uint_eq(vnet_tap_offloads(gc | F(VIRTIO_NET_F_GUEST_TSO4)),
			  TUN_F_CSUM | TUN_F_TSO4);
	ck_assert_uint_eq(vnet_tap_offloads(gc | F(VIRTIO_NET_F_GUEST_TSO4) |
					    F(VIRTIO_NET_F_GUEST_TSO6)),
			  TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
	/* Transmit offloads are not the tap's business. */
	ck_assert_uint_eq(vnet_tap_offloads(F(VIRTIO_NET_F_CSUM) |
					    F(VIRTIO_NET_F_HOST_TSO4)), 0);
	ck_assert_uint_eq(vnet_max_rx_frame(gc), VNET_MAX_FRAME);
	ck_assert_uint_eq(vnet_max_rx_frame(gc | F(VIRTIO_NET_F_GUEST_TSO6)),
			  VNET_MAX_GSO_FRAME);
	ck_assert_uint_eq(vnet_max_tx_frame(F(VIRTIO_NET_F_HOST_TSO4)),
			  VNET_MAX_GSO_FRAME);
	ck_assert_uint_eq(vnet_max_tx_frame(F(VIRTIO_NET_F_CSUM)), VNET_MAX_FRAME);
}
END_TEST

START_TEST(tx_header_rules)
{
	struct virtio_net_hdr_v1 h;
	uint64_t csum = F(VIRTIO_NET_F_CSUM);
	uint64_t tso = csum | F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6);
	char why[160];

	memset(&h, 0, sizeof(h));
	ck_assert_int_eq(vnet_check_tx_hdr(&h, 0, 60, why, sizeof(why)), 0);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, 0, 14, why, sizeof(why)), 0);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, 0, 13, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, 0, 1518, why, sizeof(why)), 0);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, 0, 1519, why, sizeof(why)), -EINVAL);
	ck_assert_msg(strstr(why, "more than 1518"), "%s", why);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, tso, 65535, why, sizeof(why)), 0);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, tso, 65536, why, sizeof(why)), -EINVAL);
	/* Partial checksums: negotiated, and the field inside the frame. */
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.csum_start = 34;
	h.csum_offset = 16;
	ck_assert_int_eq(vnet_check_tx_hdr(&h, 0, 60, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, csum, 60, why, sizeof(why)), 0);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, csum, 52, why, sizeof(why)), 0);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, csum, 51, why, sizeof(why)), -EINVAL);
	h.csum_start = 0xffff;
	h.csum_offset = 0xffff;
	ck_assert_int_eq(vnet_check_tx_hdr(&h, csum, 1500, why, sizeof(why)), -EINVAL);
	h.csum_start = 34;
	h.csum_offset = 16;
	h.flags |= VIRTIO_NET_HDR_F_DATA_VALID; /* receive-only flag */
	ck_assert_int_eq(vnet_check_tx_hdr(&h, csum, 60, why, sizeof(why)), -EINVAL);
	/* GSO: the matching HOST_TSO, NEEDS_CSUM and a segment size. */
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 1448;
	ck_assert_int_eq(vnet_check_tx_hdr(&h, csum, 60, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, tso, 9000, why, sizeof(why)), 0);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	ck_assert_int_eq(vnet_check_tx_hdr(&h, csum | F(VIRTIO_NET_F_HOST_TSO4),
					   9000, why, sizeof(why)), -EINVAL);
	ck_assert_int_eq(vnet_check_tx_hdr(&h, tso, 9000, why, sizeof(why)), 0);
	h.gso_size = 0;
	ck_assert_int_eq(vnet_check_tx_hdr(&h, tso, 9000, why, sizeof(why)), -EINVAL);
	h.gso_size = 1448;
	h.flags = 0;
	ck_assert_int_eq(vnet_check_tx_hdr(&h, tso, 9000, why, sizeof(why)), -EINVAL);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert_int_eq(vnet_check_tx_hdr(&h, tso, 9000, why, sizeof(why)), -EINVAL);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
	ck_assert_int_eq(vnet_check_tx_hdr(&h, tso, 9000, why, sizeof(why)), -EINVAL);
}
END_TEST

START_TEST(rx_header_rules)
{
	struct virtio_net_hdr_v1 h;
	uint64_t gc = F(VIRTIO_NET_F_GUEST_CSUM);

	memset(&h, 0, sizeof(h));
	h.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	h.num_buffers = 0x7777;
	ck_assert_int_eq(vnet_fix_rx_hdr(&h, 0, 1), 0);
	ck_assert_uint_eq(h.flags, 0); /* DATA_VALID only with GUEST_CSUM */
	ck_assert_uint_eq(h.num_buffers, 1);
	h.flags = VIRTIO_NET_HDR_F_DATA_VALID | 0x80;
	ck_assert_int_eq(vnet_fix_rx_hdr(&h, gc, 3), 0);
	ck_assert_uint_eq(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	ck_assert_uint_eq(h.num_buffers, 3);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	ck_assert_int_eq(vnet_fix_rx_hdr(&h, 0, 1), -EINVAL);
	ck_assert_int_eq(vnet_fix_rx_hdr(&h, gc, 1), 0);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	ck_assert_int_eq(vnet_fix_rx_hdr(&h, gc, 1), -EINVAL);
	ck_assert_int_eq(vnet_fix_rx_hdr(&h, gc | F(VIRTIO_NET_F_GUEST_TSO4), 1), 0);
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	ck_assert_int_eq(vnet_fix_rx_hdr(&h, gc | F(VIRTIO_NET_F_GUEST_TSO4), 1),
			 -EINVAL);
}
END_TEST

START_TEST(config_space)
{
	uint8_t b[8];

	for (unsigned int i = 0; i < 8; i++)
		virtio_mmio_access(&tr, VIRTIO_MMIO_CONFIG + i, &b[i], 1, false);
	ck_assert_mem_eq(b, mac, 6);
	ck_assert_uint_eq(b[6] | b[7] << 8, VIRTIO_NET_S_LINK_UP);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_DEVICE_ID), 1);
}
END_TEST

/* A frame split over three descriptors arrives on the tap in one packet. */
START_TEST(tx_frames)
{
	uint8_t got[2048];
	struct virtio_net_hdr_v1 h = { 0 };
	uint16_t id;

	bring_up(BASIC);
	memcpy(ram + TXBUF, &h, sizeof(h));
	frame(ram + TXBUF + 0x100, 100, 7);
	desc(TX_DESC, 0, TXBUF, 12, VIRTQ_DESC_F_NEXT, 1);
	desc(TX_DESC, 1, TXBUF + 0x100, 40, VIRTQ_DESC_F_NEXT, 2);
	desc(TX_DESC, 2, TXBUF + 0x100 + 40, 60, 0, 0);
	post(VNET_TXQ, 0);
	vnet_process_tx(n);
	ck_assert_int_eq(used(VNET_TXQ, &id), 0);
	ck_assert_uint_eq(id, 0);
	ck_assert_int_eq(read(peer, got, sizeof(got)), 112);
	ck_assert_mem_eq(got + 12, ram + TXBUF + 0x100, 100);
	/* Header and frame in one buffer, the Linux way. */
	memcpy(ram + TXBUF + 0x1000, &h, sizeof(h));
	frame(ram + TXBUF + 0x1000 + 12, 60, 1);
	desc(TX_DESC, 3, TXBUF + 0x1000, 72, 0, 0);
	post(VNET_TXQ, 3);
	vnet_process_tx(n);
	ck_assert_int_eq(used(VNET_TXQ, &id), 0);
	ck_assert_uint_eq(id, 3);
	ck_assert_int_eq(read(peer, got, sizeof(got)), 72);
	ck_assert_uint_eq(atomic_load(&n->stats.tx_frames), 2);
	ck_assert_uint_eq(atomic_load(&n->stats.tx_bytes), 160);
}
END_TEST

/* Short, oversized and offload-violating frames: dropped, counted, returned. */
START_TEST(tx_drops)
{
	uint8_t got[4096];
	struct virtio_net_hdr_v1 h = { 0 };

	bring_up(BASIC);
	memcpy(ram + TXBUF, &h, sizeof(h));
	desc(TX_DESC, 0, TXBUF, 8, 0, 0); /* shorter than the header */
	post(VNET_TXQ, 0);
	desc(TX_DESC, 1, TXBUF, 12 + 13, 0, 0); /* no Ethernet header */
	post(VNET_TXQ, 1);
	desc(TX_DESC, 2, TXBUF, 12 + 1519, 0, 0); /* too long without TSO */
	post(VNET_TXQ, 2);
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM; /* CSUM not negotiated */
	memcpy(ram + TXBUF + 0x2000, &h, sizeof(h));
	desc(TX_DESC, 3, TXBUF + 0x2000, 12 + 60, 0, 0);
	post(VNET_TXQ, 3);
	vnet_process_tx(n);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(used(VNET_TXQ, NULL), 0);
	ck_assert_int_eq(read(peer, got, sizeof(got)), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_uint_eq(atomic_load(&n->stats.tx_dropped), 4);
	ck_assert_uint_eq(atomic_load(&n->stats.tx_frames), 0);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS), ALL_OK);
}
END_TEST

/* The tap says EAGAIN: the frame goes back to the ring, nothing is lost. */
START_TEST(tx_backpressure)
{
	uint8_t got[128];
	struct virtio_net_hdr_v1 h = { 0 };
	unsigned int sent = 0, posted = 0;

	bring_up(BASIC);
	memcpy(ram + TXBUF, &h, sizeof(h));
	frame(ram + TXBUF + 12, 60, 3);
	desc(TX_DESC, 0, TXBUF, 72, 0, 0);
	/* The same descriptor posted over and over until the socket is full. */
	while (!n->tx_blocked && posted < 10000) {
		post(VNET_TXQ, 0);
		posted++;
		vnet_process_tx(n);
		while (used(VNET_TXQ, NULL) >= 0)
			sent++;
	}
	ck_assert(n->tx_blocked);
	ck_assert_uint_eq(sent, posted - 1);
	ck_assert_uint_ge(atomic_load(&n->stats.tx_stalls), 1);
	/* Blocked: a kick alone takes nothing. */
	vnet_process_tx(n);
	ck_assert_int_eq(used(VNET_TXQ, NULL), -1);
	/* The tap drains, EPOLLOUT clears the block, the frame goes. */
	ck_assert_int_eq(read(peer, got, sizeof(got)), 72);
	n->tx_blocked = false;
	vnet_process_tx(n);
	ck_assert_int_eq(used(VNET_TXQ, NULL), 0);
	ck_assert_uint_eq(atomic_load(&n->stats.tx_frames), posted);
}
END_TEST

static void inject(size_t flen, uint8_t seed, uint8_t flags)
{
	uint8_t pkt[VNET_HDR_LEN + 4096];
	struct virtio_net_hdr_v1 h = { .flags = flags };

	memcpy(pkt, &h, sizeof(h));
	frame(pkt + VNET_HDR_LEN, flen, seed);
	ck_assert_int_eq(write(peer, pkt, VNET_HDR_LEN + flen),
			 (ssize_t)(VNET_HDR_LEN + flen));
}

/* No receive buffers: one frame waits, the tap is not polled; a kick delivers. */
START_TEST(rx_frames)
{
	struct virtio_net_hdr_v1 h;
	uint8_t want[100];
	uint16_t id;

	bring_up(BASIC);
	inject(100, 9, VIRTIO_NET_HDR_F_DATA_VALID);
	inject(60, 1, 0);
	vnet_process_rx(n);
	ck_assert(n->rx_pending);
	ck_assert(n->rx_blocked);
	ck_assert_uint_eq(atomic_load(&n->stats.rx_stalls), 1);
	desc(RX_DESC, 0, RXBUF, 1526, VIRTQ_DESC_F_WRITE, 0);
	post(VNET_RXQ, 0);
	n->rx_blocked = false; /* what the kick does in the I/O thread */
	vnet_process_rx(n);
	ck_assert_int_eq(used(VNET_RXQ, &id), 112);
	ck_assert_uint_eq(id, 0);
	memcpy(&h, ram + RXBUF, sizeof(h));
	ck_assert_uint_eq(h.num_buffers, 1);
	ck_assert_uint_eq(h.flags, 0); /* DATA_VALID without GUEST_CSUM: cleared */
	frame(want, 100, 9);
	ck_assert_mem_eq(ram + RXBUF + 12, want, 100);
	/* The second frame waits for the next buffer. */
	ck_assert(n->rx_pending);
	desc(RX_DESC, 1, RXBUF + 0x1000, 1526, VIRTQ_DESC_F_WRITE, 0);
	post(VNET_RXQ, 1);
	n->rx_blocked = false;
	vnet_process_rx(n);
	ck_assert_int_eq(used(VNET_RXQ, &id), 72);
	ck_assert_uint_eq(id, 1);
	ck_assert(!n->rx_pending);
	ck_assert_uint_eq(atomic_load(&n->stats.rx_frames), 2);
}
END_TEST

/* MRG_RXBUF: a 3000-byte frame over two 1536-byte buffers. */
START_TEST(rx_mergeable)
{
	struct virtio_net_hdr_v1 h;
	uint8_t want[3000], got[3012];
	int64_t l0, l1;

	bring_up(BASIC | F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_GUEST_CSUM) |
		 F(VIRTIO_NET_F_GUEST_TSO4));
	{
		uint8_t pkt[VNET_HDR_LEN + 3000];
		struct virtio_net_hdr_v1 hh = { .flags = VIRTIO_NET_HDR_F_DATA_VALID };

		memcpy(pkt, &hh, sizeof(hh));
		frame(pkt + VNET_HDR_LEN, 3000, 5);
		ck_assert_int_eq(write(peer, pkt, sizeof(pkt)), (ssize_t)sizeof(pkt));
	}
	/* One buffer is not enough: both go back, the frame waits. */
	desc(RX_DESC, 0, RXBUF, 1536, VIRTQ_DESC_F_WRITE, 0);
	post(VNET_RXQ, 0);
	vnet_process_rx(n);
	ck_assert_int_eq(used(VNET_RXQ, NULL), -1);
	ck_assert(n->rx_pending);
	desc(RX_DESC, 1, RXBUF + 0x1000, 1536, VIRTQ_DESC_F_WRITE, 0);
	post(VNET_RXQ, 1);
	n->rx_blocked = false;
	vnet_process_rx(n);
	l0 = used(VNET_RXQ, NULL);
	l1 = used(VNET_RXQ, NULL);
	ck_assert_int_eq(l0, 1536);
	ck_assert_int_eq(l1, 3012 - 1536);
	memcpy(&h, ram + RXBUF, sizeof(h));
	ck_assert_uint_eq(h.num_buffers, 2);
	ck_assert_uint_eq(h.flags, VIRTIO_NET_HDR_F_DATA_VALID);
	memcpy(got, ram + RXBUF, 1536);
	memcpy(got + 1536, ram + RXBUF + 0x1000, 3012 - 1536);
	frame(want, 3000, 5);
	ck_assert_mem_eq(got + 12, want, 3000);
}
END_TEST

/* Without MRG_RXBUF a frame larger than the buffer is dropped, the buffer kept. */
START_TEST(rx_drops)
{
	uint8_t big[VNET_HDR_LEN + 2000] = { 0 };

	bring_up(BASIC);
	desc(RX_DESC, 0, RXBUF, 100, VIRTQ_DESC_F_WRITE, 0);
	post(VNET_RXQ, 0);
	inject(200, 1, 0);               /* larger than the buffer */
	ck_assert_int_eq(write(peer, big, 20), 20); /* shorter than hdr + Ethernet */
	ck_assert_int_eq(write(peer, big, sizeof(big)), (ssize_t)sizeof(big)); /* > 1518 */
	inject(60, 2, VIRTIO_NET_HDR_F_NEEDS_CSUM); /* partial csum, no GUEST_CSUM */
	inject(50, 3, 0);                /* fits */
	vnet_process_rx(n);
	ck_assert_int_eq(used(VNET_RXQ, NULL), 62);
	ck_assert_int_eq(used(VNET_RXQ, NULL), -1);
	ck_assert_uint_eq(atomic_load(&n->stats.rx_dropped), 4);
	ck_assert_uint_eq(atomic_load(&n->stats.rx_frames), 1);
	ck_assert(!n->rx_pending);
}
END_TEST

/* A malformed ring sets NEEDS_RESET; a reset drops the waiting frame. */
START_TEST(bad_ring_and_reset)
{
	bring_up(BASIC);
	post(VNET_TXQ, 99); /* descriptor index out of range */
	vnet_process_tx(n);
	ck_assert_uint_eq(reg_rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
			  VIRTIO_STATUS_NEEDS_RESET);
	bring_up(BASIC);
	inject(60, 1, 0);
	vnet_process_rx(n);
	ck_assert(n->rx_pending);
	bring_up(BASIC); /* a reset: the frame was made for the old rings */
	desc(RX_DESC, 0, RXBUF, 1526, VIRTQ_DESC_F_WRITE, 0);
	post(VNET_RXQ, 0);
	n->rx_blocked = false;
	vnet_process_rx(n);
	ck_assert_int_eq(used(VNET_RXQ, NULL), -1);
	ck_assert(!n->rx_pending);
}
END_TEST

/* --net parsing (vmm/config.c). */
START_TEST(net_config_parse)
{
	struct net_config c, d;
	static const uint8_t m[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

	ck_assert_int_eq(config_parse_net(&c, "tap=tap0,mac=52:54:00:AB:cd:ef", 0,
					  err, sizeof(err)), 0);
	ck_assert_str_eq(c.ifname, "tap0");
	ck_assert_mem_eq(c.mac, m, 6);
	ck_assert(c.mac_set);
	/* A stable, locally administered unicast default, distinct per index. */
	ck_assert_int_eq(config_parse_net(&c, "tap=tap0", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(config_parse_net(&d, "tap=tap0", 1, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.mac[0], 0x02);
	ck_assert_mem_ne(c.mac, d.mac, 6);
	ck_assert_int_eq(config_parse_net(&d, "tap=tap0", 0, err, sizeof(err)), 0);
	ck_assert_mem_eq(c.mac, d.mac, 6);
	ck_assert_int_eq(config_parse_net(&c, "mac=02:00:00:00:00:01", 0, err,
					  sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "lacks tap=NAME"), "%s", err);
	ck_assert_int_eq(config_parse_net(&c, "tap=", 0, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_parse_net(&c, "tap=abcdefghijklmnop", 0, err,
					  sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_parse_net(&c, "tap=abcdefghijklmno", 0, err,
					  sizeof(err)), 0);
	ck_assert_int_eq(config_parse_net(&c, "tap=a/b", 0, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_parse_net(&c, "tap=tap%d", 0, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_parse_net(&c, "tap=t,mac=02:00:00:00:00", 0, err,
					  sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "bad MAC"), "%s", err);
	ck_assert_int_eq(config_parse_net(&c, "tap=t,mac=02:00:00:00:00:0g", 0, err,
					  sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_parse_net(&c, "tap=t,mac=02-00-00-00-00-01", 0, err,
					  sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_parse_net(&c, "tap=t,mac=01:00:5e:00:00:01", 0, err,
					  sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "not a unicast"), "%s", err);
	ck_assert_int_eq(config_parse_net(&c, "tap=t,mac=00:00:00:00:00:00", 0, err,
					  sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_parse_net(&c, "tap=t,,mac=02:00:00:00:00:01", 0, err,
					  sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_parse_net(&c, "tap=t,queues=2", 0, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, "unknown option"), "%s", err);
}
END_TEST

START_TEST(net_flags)
{
	struct vm_config cfg;
	char *ok[] = { "--kernel", "k", "--net", "tap=a", "--net=tap=b,mac=02:00:00:00:00:09" };
	char *dup[] = { "--kernel", "k", "--net", "tap=a", "--net", "tap=a" };
	char *many[] = { "--kernel", "k", "--net", "tap=a", "--net", "tap=b",
			 "--net", "tap=c", "--net", "tap=d", "--net", "tap=e" };

	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 5, ok, err, sizeof(err)), 0);
	ck_assert_uint_eq(cfg.nnics, 2);
	ck_assert_str_eq(cfg.net[1].ifname, "b");
	ck_assert_uint_eq(cfg.net[1].mac[5], 9);
	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 6, dup, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "given twice"), "%s", err);
	config_init(&cfg);
	ck_assert_int_eq(config_parse_run(&cfg, 12, many, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "at most 4"), "%s", err);
	/* A partition file takes the same values. */
	{
		char text[] = "kernel = k\nnet = tap=f0,mac=02:00:00:00:00:07\n";

		config_init(&cfg);
		ck_assert_int_eq(config_parse_file(&cfg, text, "p.conf", err, sizeof(err)), 0);
		ck_assert_uint_eq(cfg.nnics, 1);
		ck_assert_str_eq(cfg.net[0].ifname, "f0");
		ck_assert_uint_eq(cfg.net[0].mac[5], 7);
	}
}
END_TEST

/* One I/O-thread wakeup: one interrupt, however many queues it served. */
START_TEST(one_irq_per_wakeup)
{
	struct virtio_net_hdr_v1 h = { 0 };
	uint8_t got[2048];

	bring_up(BASIC);
	for (uint16_t i = 0; i < 2; i++) {
		memcpy(ram + TXBUF + 0x1000 * i, &h, sizeof(h));
		frame(ram + TXBUF + 0x1000 * i + 12, 60, (uint8_t)i);
		desc(TX_DESC, i, TXBUF + 0x1000 * i, 72, 0, 0);
		post(VNET_TXQ, i);
	}
	for (uint16_t i = 0; i < 3; i++) {
		inject(60, (uint8_t)i, 0);
		desc(RX_DESC, i, RXBUF + 0x1000 * i, 1526, VIRTQ_DESC_F_WRITE, 0);
		post(VNET_RXQ, i);
	}
	vnet_wakeup(n, true, true, true);
	ck_assert_uint_eq(atomic_load(&n->stats.tx_frames), 2);
	ck_assert_uint_eq(atomic_load(&n->stats.rx_frames), 3);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(used(VNET_RXQ, NULL), 72);
	ck_assert_int_eq(used(VNET_TXQ, NULL), 0);
	ck_assert_int_eq(used(VNET_TXQ, NULL), 0);
	ck_assert_int_eq(read(peer, got, sizeof(got)), 72);
	ck_assert_int_eq(pulses, 1); /* not one per queue */
	ck_assert_uint_eq(atomic_load(&n->vdev.irqs), 1);
}
END_TEST

/* A receive kick while epoll says the tap is empty: the tap is not read. */
START_TEST(no_read_of_an_empty_tap)
{
	bring_up(BASIC);
	desc(RX_DESC, 0, RXBUF, 1526, VIRTQ_DESC_F_WRITE, 0);
	desc(RX_DESC, 1, RXBUF + 0x1000, 1526, VIRTQ_DESC_F_WRITE, 0);
	post(VNET_RXQ, 0);
	post(VNET_RXQ, 1);
	vnet_wakeup(n, true, false, false);
	ck_assert_uint_eq(atomic_load(&n->stats.rx_empty_reads), 0);
	ck_assert_int_eq(used(VNET_RXQ, NULL), -1);
	ck_assert_int_eq(pulses, 0);
	/* Readable: frames are read until the tap is empty (one read finds it so). */
	inject(60, 1, 0);
	vnet_wakeup(n, true, false, true);
	ck_assert_int_eq(used(VNET_RXQ, NULL), 72);
	ck_assert_uint_eq(atomic_load(&n->stats.rx_empty_reads), 1);
	ck_assert_int_eq(pulses, 1);
	/* The next kick of an empty tap costs no read either. */
	vnet_wakeup(n, true, false, false);
	ck_assert_uint_eq(atomic_load(&n->stats.rx_empty_reads), 1);
}
END_TEST

Suite *vnet_suite(void)
{
	Suite *s = suite_create("vnet");
	TCase *pure = tcase_create("headers");
	TCase *tc = tcase_create("frames");

	tcase_add_test(pure, offload_mapping);
	tcase_add_test(pure, tx_header_rules);
	tcase_add_test(pure, rx_header_rules);
	tcase_add_test(pure, net_config_parse);
	tcase_add_test(pure, net_flags);
	suite_add_tcase(s, pure);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, config_space);
	tcase_add_test(tc, tx_frames);
	tcase_add_test(tc, tx_drops);
	tcase_add_test(tc, tx_backpressure);
	tcase_add_test(tc, rx_frames);
	tcase_add_test(tc, rx_mergeable);
	tcase_add_test(tc, rx_drops);
	tcase_add_test(tc, bad_ring_and_reset);
	tcase_add_test(tc, one_irq_per_wakeup);
	tcase_add_test(tc, no_read_of_an_empty_tap);
	suite_add_tcase(s, tc);
	return s;
}
