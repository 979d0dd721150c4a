/* SPDX-License-Identifier: GPL-2.0 */
/*
 * virtio-net (Virtio 1.2, 5.1) on any virtio transport, backed by a
 * host tap device opened with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR and a
 * vnet header of sizeof(struct virtio_net_hdr_v1) (12 bytes), so the
 * header the guest writes and the one the tap writes are the same bytes.
 *
 * Features offered: VERSION_1, MAC, STATUS, MRG_RXBUF, CSUM, GUEST_CSUM,
 * HOST_TSO4/6 and GUEST_TSO4/6 (plus virtio.h's INDIRECT_DESC and
 * EVENT_IDX). Guest-side receive offloads (GUEST_*) become the tap's
 * TUNSETOFFLOAD flags (vnet_tap_offloads()); transmit offloads need
 * nothing from the tap, which always accepts GSO and partial checksums.
 *
 * Queues: 0 receive, 1 transmit. Both are served on the device's own I/O
 * thread, which sleeps in epoll_wait() on the tap, the two queues' kick
 * eventfds and a stop eventfd. Buffering is bounded both ways: at most one
 * received frame waits in the device (when the guest has posted too few
 * receive buffers), and then the tap is not polled for input until the
 * guest kicks the receive queue; a transmit that the tap refuses with
 * EAGAIN is given back to the ring (virtq_unpop) and the device waits for
 * the tap to become writable before it takes more from the transmit queue.
 *
 * Frames shorter than the header plus an Ethernet header, longer than the
 * negotiated size (1518 bytes without TSO, 65535 with), or with a header
 * asking for an offload that was not negotiated are dropped and counted,
 * not treated as a broken ring; malformed rings set DEVICE_NEEDS_RESET.
 */
#ifndef TESSERA_VIRTIO_NET_H
#define TESSERA_VIRTIO_NET_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "config.h"
#include "iothread.h"
#include "virtio/virtio.h"

#define VNET_QUEUE_SIZE 256u         /* QueueNumMax of both queues */
#define VNET_HDR_LEN 12u             /* struct virtio_net_hdr_v1 */
#define VNET_ETH_HLEN 14u
#define VNET_MAX_FRAME 1518u         /* Ethernet + one VLAN tag, without TSO */
#define VNET_MAX_GSO_FRAME 65535u    /* with TSO */
#define VNET_RX_BUF (VNET_HDR_LEN + VNET_MAX_GSO_FRAME + 1) /* +1: see oversize */
#define VNET_BATCH 64u               /* frames per io_lock hold */
#define VNET_JOIN_TIMEOUT_S 10
#define VNET_RXQ 0u
#define VNET_TXQ 1u

struct vnet_stats {
	_Atomic uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
	_Atomic uint64_t rx_dropped;   /* too large, bad header, no room */
	_Atomic uint64_t tx_dropped;   /* too short/long, bad header, tap error */
	_Atomic uint64_t rx_stalls;    /* times the guest had no receive buffer */
	_Atomic uint64_t tx_stalls;    /* times the tap answered EAGAIN */
	_Atomic uint64_t rx_empty_reads; /* tap reads that found nothing */
};

struct vnet {
	struct virtio_dev vdev;   /* the device's virtio side; info.dev == this */
	char ifname[CONFIG_NET_IFNAME_MAX + 1];
	uint8_t mac[6];
	int tap_fd;
	bool is_tap;              /* false: a test's packet socket, no ioctls */
	int epoll_fd;
	struct iothread io;
	_Atomic unsigned int reset_gen; /* bumped by each device reset */
	/* I/O thread state. */
	unsigned int gen_seen;
	uint64_t features;        /* negotiated, read at each pass */
	uint64_t offloads_set;    /* features the tap's offloads match, or ~0 */
	bool rx_pending;          /* rx_buf holds a frame the guest has no room for */
	size_t rx_len;            /* its length, header included */
	bool rx_blocked;          /* no receive buffers: wait for a kick */
	uint16_t rx_waiting;      /* buffers available but too few for it */
	bool tx_blocked;          /* the tap said EAGAIN: wait for EPOLLOUT */
	bool tap_readable;        /* this wakeup: the tap may hold a frame */
	uint32_t tap_events;      /* what epoll watches on tap_fd now */
	bool tap_dead;            /* EPOLLERR/EPOLLHUP: no longer watched */
	uint8_t *rx_buf;          /* VNET_RX_BUF bytes */
	struct virtq_seg seg[VNET_QUEUE_SIZE];
	struct iovec iov[VNET_QUEUE_SIZE + 1];
	uint16_t heads[VNET_QUEUE_SIZE];
	uint32_t lens[VNET_QUEUE_SIZE];
	struct vnet_stats stats;
};

/*
 * What one NIC costs the monitor beyond guest RAM (vblk_host_memory's
 * counterpart): the device, its receive buffer and its I/O thread's
 * stack. Pure.
 */
static inline uint64_t vnet_host_memory(void)
{
	return sizeof(struct vnet) + VNET_RX_BUF + IOTHREAD_STACK;
}

/*
 * Opens cfg's tap (creating it when the process may: TUNSETIFF with
 * IFF_TAP | IFF_NO_PI | IFF_VNET_HDR), sets its vnet header size, and
 * builds the device. Returns 0 with *out, or -errno with a one-line reason
 * in err: a tap that does not exist and cannot be created, one in use by
 * another process, or a tun device under that name. Main thread.
 */
int vnet_create(struct vnet **out, const struct net_config *cfg,
		const struct guest_mem *mem, char *err, size_t errlen);

/*
 * The same on a descriptor the caller opened (tests: one end of an
 * AF_UNIX SOCK_SEQPACKET pair carrying header + frame per packet). fd is
 * made non-blocking and owned by the device from now on, even on failure.
 */
int vnet_create_fd(struct vnet **out, int fd, bool is_tap, const uint8_t mac[6],
		   const struct guest_mem *mem, char *err, size_t errlen);

/* Starts the I/O thread. 0 or -errno (logged). Main thread. */
int vnet_start(struct vnet *n);

/*
 * One wakeup of the I/O thread: serves the transmit queue if tx, the
 * receive side if rx, and raises at most one interrupt for all of it.
 * tap_readable: epoll reported the tap readable in this wakeup, or the
 * tap is not watched for input (its state is unknown); when false, a
 * level-triggered epoll has just said the tap is empty and it is not read.
 * Device thread (tests call it directly).
 */
void vnet_wakeup(struct vnet *n, bool rx, bool tx, bool tap_readable);

/*
 * Stops and joins the I/O thread (bounded wait), frees n: 0, or
 * -ETIMEDOUT when the thread is stuck and n is leaked. NULL: no-op.
 */
int vnet_destroy(struct vnet *n);

/*
 * The tap's TUNSETOFFLOAD flags (TUN_F_*) for the negotiated features: the
 * offloads the guest can receive. Pure.
 */
unsigned int vnet_tap_offloads(uint64_t features);

/*
 * Checks a transmit header (the guest's copy, little-endian) against the
 * negotiated features and the frame length that follows it. Returns 0, or
 * -EINVAL with a reason in why. Pure.
 */
int vnet_check_tx_hdr(const void *hdr, uint64_t features, uint64_t frame_len,
		      char *why, size_t whylen);

/*
 * Rewrites a header the tap wrote for the guest: clears what the guest did
 * not negotiate (DATA_VALID without GUEST_CSUM) and sets num_buffers.
 * Returns 0, or -EINVAL if the frame needs an offload the guest lacks. Pure.
 */
int vnet_fix_rx_hdr(void *hdr, uint64_t features, uint16_t num_buffers);

/* The largest frame (without header) allowed each way. Pure. */
uint32_t vnet_max_tx_frame(uint64_t features);
uint32_t vnet_max_rx_frame(uint64_t features);

/*
 * Serves the transmit queue until it is empty or the tap pushes back, and
 * delivers frames from the tap while the guest has buffers. The I/O thread
 * calls them on events; tests call them directly. Device thread.
 */
void vnet_process_tx(struct vnet *n);
void vnet_process_rx(struct vnet *n);

#endif
