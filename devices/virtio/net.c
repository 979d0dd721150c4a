// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net device (Virtio 1.2, 5.1) on a tap. Every packet on either
 * queue starts with a struct virtio_net_hdr_v1 (5.1.6): the tap is set to
 * the same 12-byte vnet header, so a transmitted header is checked and
 * handed to the tap as is (from the device's copy, never re-read from the
 * guest), and a received one is fixed up (num_buffers, flags) and copied to
 * the guest.
 */
#include "virtio/net.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

#define F(bit) (1ULL << (bit))
#define NUM_BUFFERS_OFF offsetof(struct virtio_net_hdr_v1, num_buffers)

_Static_assert(sizeof(struct virtio_net_hdr_v1) == VNET_HDR_LEN, "5.1.6 header");

/* What the device offers besides the transport's bits. */
#define VNET_FEATURES                                                         \
	(F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) |                       \
	 F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_CSUM) |                   \
	 F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_HOST_TSO4) |             \
	 F(VIRTIO_NET_F_HOST_TSO6) | F(VIRTIO_NET_F_GUEST_TSO4) |             \
	 F(VIRTIO_NET_F_GUEST_TSO6))

/* Config space up to and including status (5.1.4). */
struct vnet_config {
	uint8_t mac[6];
	uint16_t status;
} __attribute__((packed));

/* --- pure header handling --------------------------------------------- */

unsigned int vnet_tap_offloads(uint64_t features)
{
	unsigned int o = 0;

	/* The tap may hand us partial checksums only if the guest takes them. */
	if (!(features & F(VIRTIO_NET_F_GUEST_CSUM)))
		return 0;
	o |= TUN_F_CSUM;
	if (features & F(VIRTIO_NET_F_GUEST_TSO4))
		o |= TUN_F_TSO4;
	if (features & F(VIRTIO_NET_F_GUEST_TSO6))
		o |= TUN_F_TSO6;
	return o;
}

uint32_t vnet_max_tx_frame(uint64_t features)
{
	return features & (F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6))
		       ? VNET_MAX_GSO_FRAME : VNET_MAX_FRAME;
}

uint32_t vnet_max_rx_frame(uint64_t features)
{
	return vnet_tap_offloads(features) & (TUN_F_TSO4 | TUN_F_TSO6)
		       ? VNET_MAX_GSO_FRAME : VNET_MAX_FRAME;
}

int vnet_check_tx_hdr(const void *hdr, uint64_t features, uint64_t frame_len,
		      char *why, size_t whylen)
{
	struct virtio_net_hdr_v1 h;
	uint8_t gso;

	memcpy(&h, hdr, sizeof(h));
	if (frame_len < VNET_ETH_HLEN)
		return err_printf(why, whylen, -EINVAL, "frame of %" PRIu64 " bytes",
			    frame_len);
	if (frame_len > vnet_max_tx_frame(features))
		return err_printf(why, whylen, -EINVAL,
			    "frame of %" PRIu64 " bytes, more than %u", frame_len,
			    vnet_max_tx_frame(features));
	if (h.flags & ~VIRTIO_NET_HDR_F_NEEDS_CSUM)
		return err_printf(why, whylen, -EINVAL, "header flags 0x%x", h.flags);
	if (h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		uint64_t start = le16toh(h.csum_start), off = le16toh(h.csum_offset);

		if (!(features & F(VIRTIO_NET_F_CSUM)))
			return err_printf(why, whylen, -EINVAL,
				    "NEEDS_CSUM without VIRTIO_NET_F_CSUM");
		/* The 16-bit checksum field must lie inside the frame. */
		if (start + off + 2 > frame_len)
			return err_printf(why, whylen, -EINVAL,
				    "checksum at %" PRIu64 "+%" PRIu64 " outside a %" PRIu64 "-byte frame",
				    start, off, frame_len);
	}
	gso = h.gso_type;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		if (!(features & F(VIRTIO_NET_F_HOST_TSO4)))
			return err_printf(why, whylen, -EINVAL, "TSO4 not negotiated");
		break;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		if (!(features & F(VIRTIO_NET_F_HOST_TSO6)))
			return err_printf(why, whylen, -EINVAL, "TSO6 not negotiated");
		break;
	default:
		return err_printf(why, whylen, -EINVAL, "gso_type 0x%x", gso);
	}
	/* 5.1.6.2: a GSO frame needs a partial checksum and a segment size. */
	if (!(h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) || !le16toh(h.gso_size))
		return err_printf(why, whylen, -EINVAL,
			    "GSO frame without NEEDS_CSUM or gso_size");
	return 0;
}

int vnet_fix_rx_hdr(void *hdr, uint64_t features, uint16_t num_buffers)
{
	struct virtio_net_hdr_v1 h;
	unsigned int off = vnet_tap_offloads(features);

	memcpy(&h, hdr, sizeof(h));
	if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !(off & TUN_F_CSUM))
		return -EINVAL;
	if (h.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 && !(off & TUN_F_TSO4))
		return -EINVAL;
	if (h.gso_type == VIRTIO_NET_HDR_GSO_TCPV6 && !(off & TUN_F_TSO6))
		return -EINVAL;
	if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE &&
	    h.gso_type != VIRTIO_NET_HDR_GSO_TCPV4 &&
	    h.gso_type != VIRTIO_NET_HDR_GSO_TCPV6)
		return -EINVAL;
	/* 5.1.6.3.1: DATA_VALID only with GUEST_CSUM. */
	if (!(features & F(VIRTIO_NET_F_GUEST_CSUM)))
		h.flags &= (uint8_t)~VIRTIO_NET_HDR_F_DATA_VALID;
	h.flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID;
	h.num_buffers = htole16(num_buffers);
	memcpy(hdr, &h, sizeof(h));
	return 0;
}

/* --- config space and reset ------------------------------------------- */

static void config_read(void *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	struct vnet *n = dev;
	struct vnet_config c;

	memcpy(c.mac, n->mac, sizeof(c.mac));
	c.status = htole16(VIRTIO_NET_S_LINK_UP);
	memcpy(data, (const uint8_t *)&c + off, len);
}

static void reset(void *dev)
{
	struct vnet *n = dev;

	/* The I/O thread drops what it held for the old rings (both locks held). */
	atomic_fetch_add(&n->reset_gen, 1);
}

static const struct virtio_dev_ops vnet_ops = {
	.config_read = config_read,
	.reset = reset,
};

/* --- creation ----------------------------------------------------------- */

static void vnet_free(struct vnet *n)
{
	virtio_dev_destroy(&n->vdev);
	if (n->tap_fd >= 0)
		close(n->tap_fd);
	iothread_destroy(&n->io);
	if (n->epoll_fd >= 0)
		close(n->epoll_fd);
	free(n->rx_buf);
	free(n);
}

static int epoll_add(int ep, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int vnet_create_fd(struct vnet **out, int fd, bool is_tap, const uint8_t mac[6],
		   const struct guest_mem *mem, char *err, size_t errlen)
{
	struct virtio_dev_info info = {
		.name = "virtio-net",
		.device_id = VIRTIO_ID_NET,
		.features = VNET_FEATURES,
		.num_queues = 2,
		.queue_max = VNET_QUEUE_SIZE,
		.config_size = sizeof(struct vnet_config),
		.ops = &vnet_ops,
		.mem = mem,
	};
	struct vnet *n = calloc(1, sizeof(*n));
	int r;

	*out = NULL;
	if (!n) {
		close(fd);
		return err_printf(err, errlen, -ENOMEM, "out of memory");
	}
	n->tap_fd = fd;
	n->is_tap = is_tap;
	n->io.stop_fd = n->epoll_fd = -1;
	n->offloads_set = ~0ULL;
	n->tap_readable = true; /* direct vnet_process_rx() calls read */
	memcpy(n->mac, mac, sizeof(n->mac));
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
		r = err_printf(err, errlen, -errno, "O_NONBLOCK: %s", strerror(errno));
		goto err_free;
	}
	n->rx_buf = malloc(VNET_RX_BUF);
	n->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (!n->rx_buf || iothread_init(&n->io, n->vdev.label) < 0 ||
	    n->epoll_fd < 0) {
		r = err_printf(err, errlen, -ENOMEM, "cannot allocate buffers: %s",
			 strerror(errno));
		goto err_free;
	}
	info.dev = n;
	r = virtio_dev_init(&n->vdev, &info);
	if (r) {
		err_printf(err, errlen, r, "virtio device: %s", strerror(-r));
		goto err_free;
	}
	r = epoll_add(n->epoll_fd, n->io.stop_fd, EPOLLIN);
	r = r ?: epoll_add(n->epoll_fd, virtio_dev_kick_fd(&n->vdev, VNET_RXQ), EPOLLIN);
	r = r ?: epoll_add(n->epoll_fd, virtio_dev_kick_fd(&n->vdev, VNET_TXQ), EPOLLIN);
	n->tap_events = EPOLLIN;
	r = r ?: epoll_add(n->epoll_fd, n->tap_fd, n->tap_events);
	if (r) {
		err_printf(err, errlen, r, "epoll: %s", strerror(-r));
		goto err_free;
	}
	*out = n;
	return 0;
err_free:
	vnet_free(n);
	return r;
}

/* Opens (or, with CAP_NET_ADMIN, creates) the tap named name. */
static int open_tap(const char *name, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, hdr = VNET_HDR_LEN, r;
	bool existed = if_nametoindex(name) != 0; /* else TUNSETIFF creates it */

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return err_printf(err, errlen, -errno, "cannot open /dev/net/tun: %s",
			    strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		r = -errno;
		close(fd);
		if (r == -EPERM)
			return err_printf(err, errlen, r,
				    "tap '%s' does not exist or is not ours, and creating it needs CAP_NET_ADMIN",
				    name);
		if (r == -EBUSY)
			return err_printf(err, errlen, r, "tap '%s' is in use by another process",
				    name);
		if (r == -EINVAL)
			return err_printf(err, errlen, r,
				    "'%s' is not a tap (a tun device, or flags it was made without)",
				    name);
		return err_printf(err, errlen, r, "tap '%s': TUNSETIFF: %s", name,
			    strerror(-r));
	}
	if (!existed && (r = sandbox_tap_owner(fd)) < 0) { /* --user's, not root's */
		close(fd);
		return err_printf(err, errlen, r, "tap '%s': TUNSETOWNER: %s", name,
			    strerror(-r));
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0) {
		r = -errno;
		close(fd);
		return err_printf(err, errlen, r, "tap '%s': TUNSETVNETHDRSZ: %s", name,
			    strerror(-r));
	}
	/* Nothing offloaded until the guest says what it takes. */
	if (ioctl(fd, TUNSETOFFLOAD, 0u) < 0) {
		r = -errno;
		close(fd);
		return err_printf(err, errlen, r, "tap '%s': TUNSETOFFLOAD: %s", name,
			    strerror(-r));
	}
	return fd;
}

int vnet_create(struct vnet **out, const struct net_config *cfg,
		const struct guest_mem *mem, char *err, size_t errlen)
{
	int fd = open_tap(cfg->ifname, err, errlen);
	int r;

	*out = NULL;
	if (fd < 0)
		return fd;
	r = vnet_create_fd(out, fd, true, cfg->mac, mem, err, errlen);
	if (r == 0)
		snprintf((*out)->ifname, sizeof((*out)->ifname), "%s", cfg->ifname);
	return r;
}

/* --- the data path ------------------------------------------------------ */

/* Starts a pass with the lock held: new features, or a reset since the last. */
static void sync_state(struct vnet *n)
{
	unsigned int gen = atomic_load(&n->reset_gen);

	n->features = virtio_dev_features(&n->vdev);
	if (gen != n->gen_seen) {
		n->gen_seen = gen;
		n->rx_pending = false; /* headers made for the old features */
		n->rx_blocked = false;
		n->tx_blocked = false;
	}
	if (n->is_tap && n->features != n->offloads_set) {
		unsigned int o = vnet_tap_offloads(n->features);

		if (ioctl(n->tap_fd, TUNSETOFFLOAD, o) < 0)
			log_ratelimited(LOG_WARN, "%s: TUNSETOFFLOAD 0x%x: %s",
					n->vdev.label, o, strerror(errno));
		n->offloads_set = n->features;
	}
}

/* Sends one chain to the tap. 1 sent or dropped, 0 EAGAIN. */
static int tx_one(struct vnet *n, const struct virtq_chain *c)
{
	uint8_t hdr[VNET_HDR_LEN];
	uint64_t flen;
	char why[160];
	ssize_t w;
	int k;

	if (c->read_len < VNET_HDR_LEN) {
		log_ratelimited(LOG_DEBUG, "%s: tx: %" PRIu64 "-byte chain, no header",
				n->vdev.label, c->read_len);
		goto drop;
	}
	flen = c->read_len - VNET_HDR_LEN;
	virtq_chain_read(c, 0, hdr, sizeof(hdr)); /* the one copy */
	if (vnet_check_tx_hdr(hdr, n->features, flen, why, sizeof(why)) < 0) {
		log_ratelimited(LOG_DEBUG, "%s: tx dropped: %s", n->vdev.label, why);
		goto drop;
	}
	/* num_buffers means nothing on transmit (5.1.6.2); the tap ignores it. */
	n->iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	k = virtq_chain_iov(c, false, VNET_HDR_LEN, flen, n->iov + 1,
			    VNET_QUEUE_SIZE);
	if (k < 0)
		goto drop;
	w = writev(n->tap_fd, n->iov, k + 1);
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (w < 0) {
		log_ratelimited(LOG_WARN, "%s: tap write: %s", n->vdev.label,
				strerror(errno));
		goto drop;
	}
	atomic_fetch_add(&n->stats.tx_frames, 1);
	atomic_fetch_add(&n->stats.tx_bytes, flen);
	return 1;
drop:
	atomic_fetch_add(&n->stats.tx_dropped, 1);
	return 1;
}

void vnet_process_tx(struct vnet *n)
{
	struct virtio_dev *t = &n->vdev;
	struct virtq_chain c = { .seg = n->seg, .cap = VNET_QUEUE_SIZE };

	for (;;) {
		struct virtq *q = virtio_dev_queue_get(t, VNET_TXQ);
		bool used = false, more = false;
		unsigned int i;
		int r = 0;

		if (!q)
			return;
		sync_state(n);
		if (n->tx_blocked) {
			virtio_dev_queue_put(t, VNET_TXQ, false);
			return;
		}
		virtq_disable_notify(q);
		for (i = 0; i < VNET_BATCH; i++) {
			r = virtq_pop(q, &c);
			if (r <= 0)
				break;
			if (!tx_one(n, &c)) {
				/* Back-pressure: the frame goes back to the ring. */
				virtq_unpop(q, 1);
				n->tx_blocked = true;
				atomic_fetch_add(&n->stats.tx_stalls, 1);
				break;
			}
			virtq_push(q, c.head, 0);
			used = true;
		}
		if (r < 0) {
			virtio_dev_needs_reset(t, q->err);
			virtio_dev_queue_put(t, VNET_TXQ, used);
			return;
		}
		if (!n->tx_blocked)
			more = i == VNET_BATCH || virtq_enable_notify(q);
		virtio_dev_queue_put(t, VNET_TXQ, used);
		if (!more)
			return;
	}
}

/* Reads the next frame from the tap into rx_buf. 1, or 0 if none. */
static int rx_read(struct vnet *n)
{
	ssize_t r;

	for (;;) {
		r = read(n->tap_fd, n->rx_buf, VNET_RX_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_ratelimited(LOG_WARN, "%s: tap read: %s",
						n->vdev.label, strerror(errno));
			else
				atomic_fetch_add(&n->stats.rx_empty_reads, 1);
			n->tap_readable = false; /* until epoll says otherwise */
			return 0;
		}
		/* Too short for a header, or longer than the guest takes. */
		if ((size_t)r < VNET_HDR_LEN + VNET_ETH_HLEN ||
		    (size_t)r - VNET_HDR_LEN > vnet_max_rx_frame(n->features)) {
			atomic_fetch_add(&n->stats.rx_dropped, 1);
			continue;
		}
		if (vnet_fix_rx_hdr(n->rx_buf, n->features, 1) < 0) {
			atomic_fetch_add(&n->stats.rx_dropped, 1);
			continue;
		}
		n->rx_len = (size_t)r;
		return 1;
	}
}

/*
 * Copies rx_buf into as many chains as it takes (one without MRG_RXBUF).
 * 1 delivered, 0 no room yet (chains given back), -1 dropped, -EINVAL for
 * a malformed ring.
 */
static int rx_deliver(struct vnet *n, struct virtq *q)
{
	struct virtq_chain c = { .seg = n->seg, .cap = VNET_QUEUE_SIZE };
	bool mrg = n->features & F(VIRTIO_NET_F_MRG_RXBUF);
	struct iovec nb[2];
	size_t done = 0;
	unsigned int k = 0;
	int nbn = 0, r;

	while (done < n->rx_len) {
		size_t room, chunk;

		if (k == q->size)
			goto drop_all; /* more than the whole ring holds */
		r = virtq_pop(q, &c);
		if (r < 0)
			return r;
		if (r == 0) {
			virtq_unpop(q, (uint16_t)k);
			n->rx_waiting = (uint16_t)k;
			return 0;
		}
		room = c.write_len;
		if (k == 0) {
			/* 5.1.6.3: the first buffer holds at least the header. */
			if (room < VNET_HDR_LEN || (!mrg && room < n->rx_len)) {
				n->heads[k] = c.head;
				n->lens[k++] = 0;
				goto drop_all;
			}
			nbn = virtq_chain_iov(&c, true, NUM_BUFFERS_OFF, 2, nb, 2);
			if (nbn < 0) {
				n->heads[k] = c.head;
				n->lens[k++] = 0;
				goto drop_all;
			}
		}
		chunk = n->rx_len - done < room ? n->rx_len - done : room;
		virtq_chain_write(&c, 0, n->rx_buf + done, chunk);
		n->heads[k] = c.head;
		n->lens[k++] = (uint32_t)chunk;
		done += chunk;
	}
	{
		uint16_t v = htole16((uint16_t)k);
		const uint8_t *p = (const uint8_t *)&v;

		for (int i = 0, o = 0; i < nbn; o += (int)nb[i].iov_len, i++)
			memcpy(nb[i].iov_base, p + o, nb[i].iov_len);
	}
	for (unsigned int i = 0; i < k; i++)
		virtq_push(q, n->heads[i], n->lens[i]);
	atomic_fetch_add(&n->stats.rx_frames, 1);
	atomic_fetch_add(&n->stats.rx_bytes, n->rx_len - VNET_HDR_LEN);
	return 1;
drop_all:
	/* A frame the guest's buffers can never hold: give them back unused. */
	virtq_unpop(q, (uint16_t)k);
	atomic_fetch_add(&n->stats.rx_dropped, 1);
	log_ratelimited(LOG_DEBUG, "%s: rx: %zu-byte frame does not fit the guest's buffers",
			n->vdev.label, n->rx_len);
	return -1;
}

void vnet_process_rx(struct vnet *n)
{
	struct virtio_dev *t = &n->vdev;

	for (;;) {
		struct virtq *q = virtio_dev_queue_get(t, VNET_RXQ);
		bool used = false;
		unsigned int i;
		int r = 0;

		if (!q) {
			/* Not running: leave frames in the tap until a kick. */
			n->rx_blocked = true;
			return;
		}
		sync_state(n);
		virtq_disable_notify(q);
		for (i = 0; i < VNET_BATCH; i++) {
			/* No read when epoll has just said the tap is empty. */
			if (!n->rx_pending && (!n->tap_readable || !rx_read(n)))
				break;
			n->rx_pending = true;
			r = rx_deliver(n, q);
			if (r == 0)
				break;
			if (r < 0 && r != -1)
				break;
			n->rx_pending = false;
			used |= r == 1;
			r = 0;
		}
		if (r < 0) {
			virtio_dev_needs_reset(t, q->err);
			virtio_dev_queue_put(t, VNET_RXQ, used);
			return;
		}
		if (n->rx_pending) {
			/* No buffers: ask for a kick; if some came meanwhile, go on. */
			if (virtq_enable_notify_after(q, n->rx_waiting)) {
				virtio_dev_queue_put(t, VNET_RXQ, used);
				continue;
			}
			n->rx_blocked = true;
			atomic_fetch_add(&n->stats.rx_stalls, 1);
			virtio_dev_queue_put(t, VNET_RXQ, used);
			return;
		}
		/*
		 * Buffers left and the tap empty: receive kicks stay off (the
		 * tap's EPOLLIN wakes us); only running out asks for one, above.
		 */
		virtio_dev_queue_put(t, VNET_RXQ, used);
		if (i < VNET_BATCH)
			return; /* the tap is empty: epoll says when it is not */
	}
}

/* --- the I/O thread ------------------------------------------------------ */

void vnet_wakeup(struct vnet *n, bool rx, bool tx, bool tap_readable)
{
	/* One interrupt for the wakeup, not one per queue or batch. */
	virtio_dev_irq_hold(&n->vdev);
	n->tap_readable = tap_readable;
	if (tx)
		vnet_process_tx(n);
	if (rx)
		vnet_process_rx(n);
	virtio_dev_irq_release(&n->vdev);
}

/* Watches the tap for input unless the guest has no room, for output if blocked. */
static void update_tap_events(struct vnet *n)
{
	uint32_t ev = (n->rx_blocked || n->rx_pending ? 0 : EPOLLIN) |
		      (n->tx_blocked ? EPOLLOUT : 0);
	struct epoll_event e = { .events = ev, .data.fd = n->tap_fd };

	if (ev == n->tap_events || n->tap_dead)
		return;
	if (epoll_ctl(n->epoll_fd, EPOLL_CTL_MOD, n->tap_fd, &e) < 0)
		log_ratelimited(LOG_ERR, "%s: epoll_ctl: %s", n->vdev.label,
				strerror(errno));
	else
		n->tap_events = ev;
}

static void drain(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_ratelimited(LOG_ERR, "eventfd read: %s", strerror(errno));
}

static void *io_thread(void *arg)
{
	struct vnet *n = arg;
	int rx_kick = virtio_dev_kick_fd(&n->vdev, VNET_RXQ);
	int tx_kick = virtio_dev_kick_fd(&n->vdev, VNET_TXQ);

	pthread_setname_np(pthread_self(), "vnet-io"); /* before the filter: its messages name the thread */
	sandbox_enter(SANDBOX_NET);
	for (;;) {
		struct epoll_event ev[4];
		bool rx = false, tx = false, tap_in = false;
		int k = epoll_wait(n->epoll_fd, ev, 4, 1000);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			log_err_errno("%s: epoll_wait", n->vdev.label);
			break;
		}
		for (int i = 0; i < k; i++) {
			int fd = ev[i].data.fd;

			if (fd == n->io.stop_fd)
				return NULL;
			if (fd == rx_kick) {
				drain(fd);
				n->rx_blocked = false;
				rx = true;
			} else if (fd == tx_kick) {
				drain(fd);
				tx = true;
			} else if (fd == n->tap_fd) {
				if (ev[i].events & (EPOLLERR | EPOLLHUP)) {
					/* The tap went away: no busy loop on it. */
					log_warn("%s: tap %s: error or hang-up; no more frames",
						 n->vdev.label, n->ifname);
					epoll_ctl(n->epoll_fd, EPOLL_CTL_DEL, n->tap_fd, NULL);
					n->tap_dead = true;
					continue;
				}
				if (ev[i].events & EPOLLOUT) {
					n->tx_blocked = false;
					tx = true;
				}
				if (ev[i].events & EPOLLIN)
					rx = tap_in = true;
			}
		}
		if (tx || rx)
			vnet_wakeup(n, rx, tx,
				    tap_in || (!n->tap_dead && !(n->tap_events & EPOLLIN)));
		update_tap_events(n);
	}
	return NULL;
}

int vnet_start(struct vnet *n)
{
	return iothread_start(&n->io, "vnet-io", io_thread, n);
}

int vnet_destroy(struct vnet *n)
{
	if (!n)
		return 0;
	if (iothread_stop(&n->io, VNET_JOIN_TIMEOUT_S))
		return -ETIMEDOUT; /* a stuck thread keeps n: leaked, never freed under it */
	log_info("%s (%s): rx %" PRIu64 " frames (%" PRIu64 " bytes), %" PRIu64
		 " dropped, %" PRIu64 " stalls, %" PRIu64 " empty reads; tx %" PRIu64 " frames (%" PRIu64
		 " bytes), %" PRIu64 " dropped, %" PRIu64 " stalls; %" PRIu64
		 " notifications seen by the monitor, %" PRIu64 " interrupts",
		 n->vdev.label, n->ifname[0] ? n->ifname : "fd",
		 atomic_load(&n->stats.rx_frames), atomic_load(&n->stats.rx_bytes),
		 atomic_load(&n->stats.rx_dropped), atomic_load(&n->stats.rx_stalls),
		 atomic_load(&n->stats.rx_empty_reads),
		 atomic_load(&n->stats.tx_frames), atomic_load(&n->stats.tx_bytes),
		 atomic_load(&n->stats.tx_dropped), atomic_load(&n->stats.tx_stalls),
		 atomic_load(&n->vdev.kicks), atomic_load(&n->vdev.irqs));
	vnet_free(n);
	return 0;
}
