// SPDX-License-Identifier: GPL-2.0
/*
 * A freestanding virtio-net driver, polling only: it finds the first
 * virtio-mmio network device through the device tree, reads its MAC and
 * link status, posts receive buffers, then
 *
 *   1. sends one oversized frame (1600 bytes without TSO) that the device
 *      must drop, and a broadcast frame of EtherType 0x88b5 (IEEE local
 *      experimental) carrying "tessera-vnet hello" and its MAC;
 *   2. waits for a frame of that EtherType carrying "tessera-vnet reply"
 *      addressed to its MAC (anything else on the wire is skipped and the
 *      buffer posted again), and checks the vnet header the device wrote;
 *   3. answers with "tessera-vnet done".
 *
 * With vnet.mode=probe on the command line it stops after step 0 (device
 * found and set up) and exits 0. With vnet.mode=idle it posts no receive
 * buffers, sends the hello and halts for good (cli; hlt): the host checks
 * that frames sent to it then leave the device's I/O thread idle.
 *
 * The host side of the test (tests/integration/virtio_net.sh) plays the
 * peer with a packet socket on the tap. Output: "vnet: ..." lines on COM1,
 * "vnet: ok" when everything passed. Exit status 0, 3 (no device), 4 (a
 * check failed), 5 (timeout). Work is kept tiny: guest kernel code is
 * emulated on kvm_pvm hosts.
 */
#include "dtb.h"
#include "guest.h"
#include "virtio.h"

#define NET_F_MAC (1ULL << 5)
#define NET_F_STATUS (1ULL << 16)
#define NET_S_LINK_UP 1u
#define HDR_LEN 12u
#define BUF_LEN (HDR_LEN + 1514u)
#define NRX 4u
#define ETHERTYPE 0x88b5
#define SPINS 400000000ULL
#define RXQ 0u
#define TXQ 1u

enum { EXIT_NODEV = 3, EXIT_CHECK = 4, EXIT_TIMEOUT = 5 };

struct net_hdr {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};

static struct vdev dev;
static struct vq rxq, txq;
static uint8_t mac[6];
static uint8_t rxbuf[NRX][BUF_LEN] __attribute__((aligned(64)));
static uint8_t txbuf[HDR_LEN + 1600] __attribute__((aligned(64)));
static int failures;

static void say(const char *a)
{
	uart_puts("vnet: ");
	uart_puts(a);
	uart_puts("\n");
}

static void expect(bool ok, const char *what)
{
	if (!ok) {
		uart_puts("vnet: FAIL: ");
		uart_puts(what);
		uart_puts("\n");
		failures++;
	}
}

static bool same(const uint8_t *a, const char *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (a[i] != (uint8_t)b[i])
			return false;
	return true;
}

static void post_rx(uint16_t i)
{
	rxq.desc[i] = (struct vdesc){ (uintptr_t)rxbuf[i], BUF_LEN, VD_WRITE, 0 };
	virtio_post(&rxq, i);
}

/* Sends a frame of len bytes (header excluded) from txbuf; waits for it. */
static void send(uint32_t len)
{
	uint32_t id, ulen;

	memset(txbuf, 0, HDR_LEN);
	txq.desc[0] = (struct vdesc){ (uintptr_t)txbuf, HDR_LEN + len, 0, 0 };
	virtio_submit(&dev, TXQ, &txq, 0);
	if (!virtio_wait_used(&txq, &id, &ulen, SPINS)) {
		say("FAIL: transmit timed out");
		guest_exit(EXIT_TIMEOUT);
	}
	expect(id == 0, "transmit used id");
}

/* Ethernet header + payload text into txbuf; returns the frame length. */
static uint32_t frame(const uint8_t *dst, const char *text)
{
	uint8_t *f = txbuf + HDR_LEN;
	uint32_t n = 0;

	memcpy(f, dst, 6);
	memcpy(f + 6, mac, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	while (text[n]) {
		f[14 + n] = (uint8_t)text[n];
		n++;
	}
	memcpy(f + 14 + n, mac, 6);
	n += 14 + 6;
	while (n < 60)
		f[n++] = 0; /* minimum Ethernet frame */
	return n;
}

/* Waits for "tessera-vnet reply" to our MAC; reposts every other buffer. */
static void receive_reply(void)
{
	static const char want[] = "tessera-vnet reply";

	for (unsigned int seen = 0; seen < 64; seen++) {
		uint32_t id, len;
		const uint8_t *f;
		struct net_hdr h;

		vw32(&dev, VM_QUEUE_NOTIFY, RXQ);
		if (!virtio_wait_used(&rxq, &id, &len, SPINS)) {
			say("FAIL: receive timed out");
			guest_exit(EXIT_TIMEOUT);
		}
		if (id >= NRX || len < HDR_LEN + 14 || len > BUF_LEN) {
			expect(false, "receive used entry out of range");
			return;
		}
		f = rxbuf[id] + HDR_LEN;
		memcpy(&h, rxbuf[id], sizeof(h));
		if (f[12] == ETHERTYPE >> 8 && f[13] == (ETHERTYPE & 0xff) &&
		    len >= HDR_LEN + 14 + sizeof(want) - 1 &&
		    same(f + 14, want, sizeof(want) - 1)) {
			expect(h.num_buffers == 1, "num_buffers is 1");
			expect(h.gso_type == 0 && !(h.flags & 1),
			       "no offloads in the receive header");
			expect(same(f, (const char *)mac, 6), "reply addressed to our MAC");
			say("received reply");
			return;
		}
		say("skipped a frame");
		post_rx((uint16_t)id);
	}
	expect(false, "no reply among 64 frames");
}

int main(uint64_t boot_arg)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const struct dtb *t = guest_devtree(boot_arg);
	uint64_t features;
	uint32_t len, st;
	char mode[16] = "";

	uart_init();
	if (!t) {
		say("FAIL: no device tree");
		return EXIT_NODEV;
	}
	if (virtio_find(t, 1, 0, &dev)) {
		say("FAIL: no virtio-net device");
		return EXIT_NODEV;
	}
	features = virtio_negotiate(&dev, VF_VERSION_1 | NET_F_MAC | NET_F_STATUS);
	expect(features == (VF_VERSION_1 | NET_F_MAC | NET_F_STATUS),
	       "VERSION_1, MAC and STATUS accepted");
	for (unsigned int i = 0; i < 6; i++)
		mac[i] = *(volatile uint8_t *)(dev.base + VM_CONFIG + i);
	st = *(volatile uint8_t *)(dev.base + VM_CONFIG + 6);
	expect(st & NET_S_LINK_UP, "link up");
	virtio_queue_setup(&dev, RXQ, &rxq, 8);
	virtio_queue_setup(&dev, TXQ, &txq, 8);
	vw32(&dev, VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	uart_puts("vnet: device at ");
	uart_put_hex(dev.base);
	uart_puts(" mac ");
	for (unsigned int i = 0; i < 6; i++) {
		static const char hex[] = "0123456789abcdef";

		uart_putc(hex[mac[i] >> 4]);
		uart_putc(hex[mac[i] & 15]);
		if (i < 5)
			uart_putc(':');
	}
	uart_puts("\n");
	bootarg(t, "vnet.mode", mode, sizeof(mode));
	if (mode[0] == 'p')
		return failures ? EXIT_CHECK : 0;
	if (mode[0] == 'i') {
		send(frame(bcast, "tessera-vnet hello"));
		say("idle");
		halt_forever();
	}
	for (uint16_t i = 0; i < NRX; i++)
		post_rx(i);
	vw32(&dev, VM_QUEUE_NOTIFY, RXQ);

	len = frame(bcast, "tessera-vnet oversized");
	send(1600); /* more than 1518 without TSO: dropped by the device */
	(void)len;
	send(frame(bcast, "tessera-vnet hello"));
	say("sent hello");
	receive_reply();
	send(frame(bcast, "tessera-vnet done"));
	if (vr32(&dev, VM_STATUS) & ST_NEEDS_RESET)
		expect(false, "device reports NEEDS_RESET");
	if (failures)
		return EXIT_CHECK;
	say("ok");
	return 0;
}
