// SPDX-License-Identifier: GPL-2.0
/*
 * A freestanding virtio-blk driver that checks the disk tessera gives it.
 * It finds the first virtio-mmio block device through the device tree and
 * does what the command line asks (vblk.mode=...):
 *
 *   test (default)  GET_ID (against vblk.serial= when given), capacity,
 *                   writes sectors, reads them back and compares, FLUSH,
 *                   out-of-range, unaligned and unknown requests, write
 *                   zeroes and discard, an indirect chain, and one request
 *                   completed by interrupt (the line from the tree) with
 *                   EVENT_IDX. On a read-only disk (VIRTIO_BLK_F_RO) it
 *                   checks that writes fail instead.
 *   write           writes vblk.sectors= (default 64) sectors of a pattern
 *                   seeded by vblk.seed=, FLUSHes, prints "vblk: flushed"
 *                   and halts forever (the durability test kills the
 *                   monitor then). With vblk.wce=0 it first turns the
 *                   write cache off (CONFIG_WCE) and sends no FLUSH: each
 *                   write must be durable when it completes.
 *   verify          reads those sectors back and checks the pattern.
 *   freeze          leaves a write in flight (the test has frozen the
 *                   backing file system), then writes Status, resets the
 *                   device ("vblk: reset written") and sets it up again: a
 *                   vCPU must never wait for the disk. A second write
 *                   completes after the thaw; the first one's completion
 *                   must never reach the new ring.
 *   bench           vblk.count= requests of vblk.size= bytes (default 64 KiB),
 *                   vblk.op=read|write, vblk.depth= in flight (default 16),
 *                   then exits; the host times it.
 *
 * Output: "vblk: ..." lines on the console, "vblk: ok" at the end of a passing
 * run. Exit status 0, or 3 (no device or tree), 4 (a check failed), 5 (a
 * request timed out). Guest kernel code is emulated on kvm_pvm hosts: the
 * work here is kept to a few KiB of data.
 */
#include "dtb.h"
#include "guest.h"
#include "virtio.h"

#define SECTOR 512u
#define BLK_T_IN 0u
#define BLK_T_OUT 1u
#define BLK_T_FLUSH 4u
#define BLK_T_GET_ID 8u
#define BLK_T_DISCARD 11u
#define BLK_T_WRITE_ZEROES 13u
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2
#define F_SIZE_MAX (1ULL << 1)
#define F_SEG_MAX (1ULL << 2)
#define F_RO (1ULL << 5)
#define F_BLK_SIZE (1ULL << 6)
#define F_FLUSH (1ULL << 9)
#define F_CONFIG_WCE (1ULL << 11)
#define F_DISCARD (1ULL << 13)
#define F_WRITE_ZEROES (1ULL << 14)
#define SPINS 200000000ULL /* bounded polling: many seconds even emulated */
#define BENCH_BUF (4u << 20)

enum { EXIT_NODEV = 3, EXIT_CHECK = 4, EXIT_TIMEOUT = 5 };

struct blk_hdr {
	uint32_t type, ioprio;
	uint64_t sector;
};

static struct vdev dev;
static struct vq vq;
static uint64_t features;
static struct blk_hdr hdr[VQ_MAX];
static uint8_t status[VQ_MAX];
static uint8_t data[8 * SECTOR] __attribute__((aligned(4096)));
static uint8_t check[8 * SECTOR] __attribute__((aligned(4096)));
static struct vdesc itable[4] __attribute__((aligned(16)));
static uint8_t bench_buf[BENCH_BUF] __attribute__((aligned(4096)));
static volatile unsigned int irqs;
static int failures;

static void say(const char *a, const char *b)
{
	uart_puts("vblk: ");
	uart_puts(a);
	uart_puts(b ? b : "");
	uart_puts("\n");
}

static void say_num(const char *a, uint64_t v)
{
	uart_puts("vblk: ");
	uart_puts(a);
	uart_put_dec(v);
	uart_puts("\n");
}

static void expect(bool ok, const char *what)
{
	if (!ok) {
		say("FAIL: ", what);
		failures++;
	}
}

/*
 * A request on descriptors 3*slot.. (header, optional data, status).
 * Returns the status byte, or -1 on timeout.
 */
static int request_async(unsigned int slot, uint32_t type, uint64_t sector,
			 void *buf, uint32_t len, bool dev_writes)
{
	uint16_t d = (uint16_t)(3 * slot);
	struct vdesc *x = &vq.desc[d];

	hdr[slot] = (struct blk_hdr){ type, 0, sector };
	status[slot] = 0xff;
	x[0] = (struct vdesc){ (uintptr_t)&hdr[slot], sizeof(hdr[0]), VD_NEXT,
			       (uint16_t)(d + 1) };
	if (len) {
		x[1] = (struct vdesc){ (uintptr_t)buf, len,
				       (uint16_t)(VD_NEXT | (dev_writes ? VD_WRITE : 0)),
				       (uint16_t)(d + 2) };
		x[2] = (struct vdesc){ (uintptr_t)&status[slot], 1, VD_WRITE, 0 };
	} else {
		x[0].next = (uint16_t)(d + 2);
		x[2] = (struct vdesc){ (uintptr_t)&status[slot], 1, VD_WRITE, 0 };
	}
	virtio_post(&vq, d);
	return d;
}

static int request(uint32_t type, uint64_t sector, void *buf, uint32_t len,
		   bool dev_writes, uint32_t *used_len)
{
	uint32_t id, ulen;

	request_async(0, type, sector, buf, len, dev_writes);
	vbarrier();
	vw32(&dev, VM_QUEUE_NOTIFY, 0);
	if (!virtio_wait_used(&vq, &id, &ulen, SPINS)) {
		say("FAIL: request timed out", NULL);
		guest_exit(EXIT_TIMEOUT);
	}
	if (id != 0)
		expect(false, "used id is not the chain head");
	if (used_len)
		*used_len = ulen;
	return status[0];
}

static void fill(uint8_t *p, uint32_t len, uint64_t sector, uint32_t seed)
{
	/* A function of the absolute sector and offset: any window matches. */
	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t v = (sector + i / SECTOR + 1) * 0x9e3779b97f4a7c15ULL ^
			     ((uint64_t)seed << 32 | (i % SECTOR)) * 0x100000001b3ULL;

		memcpy(p + i, &v, 8);
	}
}

static bool same(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	for (uint32_t i = 0; i < len; i += 8)
		if (*(const uint64_t *)(a + i) != *(const uint64_t *)(b + i))
			return false;
	return true;
}

static bool all_zero(const uint8_t *a, uint32_t len)
{
	for (uint32_t i = 0; i < len; i += 8)
		if (*(const uint64_t *)(a + i))
			return false;
	return true;
}

static uint64_t capacity(void)
{
	uint32_t lo, hi, gen;

	do { /* 4.2.2.2: 64-bit fields with the generation check */
		gen = vr32(&dev, VM_CONFIG_GEN);
		lo = vr32(&dev, VM_CONFIG);
		hi = vr32(&dev, VM_CONFIG + 4);
	} while (gen != vr32(&dev, VM_CONFIG_GEN));
	return (uint64_t)hi << 32 | lo;
}

static void blk_irq(void)
{
	uint32_t st = vr32(&dev, VM_INT_STATUS);

	vw32(&dev, VM_INT_ACK, st);
	if (st & 1)
		irqs++;
}

/* One read completed by interrupt: the irqfd (or KVM_IRQ_LINE) path. */
static void interrupt_request(uint64_t sector)
{
	uint32_t id, len;

	/* Earlier (polled) requests left InterruptStatus set: clear it first. */
	vw32(&dev, VM_INT_ACK, vr32(&dev, VM_INT_STATUS));
	irqs = 0;
	if (guest_irq_attach(dev.irq_cells, dev.nirq, blk_irq)) {
		expect(false, "the device's interrupt specifier");
		return;
	}
	/* EVENT_IDX: ask for an interrupt when this request is used. */
	vq.avail_ring[vq.size] = vq.last_used;
	request_async(0, BLK_T_IN, sector, data, SECTOR, true);
	vbarrier();
	vw32(&dev, VM_QUEUE_NOTIFY, 0);
	guest_irq_wait(&irqs, 1, SPINS);
	expect(irqs >= 1, "no interrupt for a used buffer");
	expect(virtio_wait_used(&vq, &id, &len, SPINS) && status[0] == BLK_S_OK,
	       "interrupt-driven read failed");
	say_num("irqs=", irqs);
}

/* A read through an indirect table (VIRTIO_F_INDIRECT_DESC). */
static void indirect_request(uint64_t sector)
{
	uint32_t id, len;

	hdr[1] = (struct blk_hdr){ BLK_T_IN, 0, sector };
	status[1] = 0xff;
	itable[0] = (struct vdesc){ (uintptr_t)&hdr[1], 16, VD_NEXT, 1 };
	itable[1] = (struct vdesc){ (uintptr_t)check, SECTOR, VD_NEXT | VD_WRITE, 2 };
	itable[2] = (struct vdesc){ (uintptr_t)&status[1], 1, VD_WRITE, 0 };
	vq.desc[10] = (struct vdesc){ (uintptr_t)itable, 3 * 16, VD_INDIRECT, 0 };
	virtio_submit(&dev, 0, &vq, 10);
	expect(virtio_wait_used(&vq, &id, &len, SPINS) && id == 10 &&
		       status[1] == BLK_S_OK && len == SECTOR + 1,
	       "indirect read");
}

static void test_writable(uint64_t cap)
{
	uint64_t where[3] = { 0, 16, cap - 8 };
	uint32_t used;
	struct {
		uint64_t sector;
		uint32_t num, flags;
	} range;

	for (int i = 0; i < 3; i++) {
		fill(data, sizeof(data), where[i], 7);
		expect(request(BLK_T_OUT, where[i], data, sizeof(data), false,
			       NULL) == BLK_S_OK, "write");
	}
	expect(request(BLK_T_FLUSH, 0, NULL, 0, false, NULL) == BLK_S_OK, "flush");
	for (int i = 0; i < 3; i++) {
		memset(data, 0, sizeof(data));
		expect(request(BLK_T_IN, where[i], data, sizeof(data), true,
			       &used) == BLK_S_OK && used == sizeof(data) + 1,
		       "read back");
		fill(check, sizeof(check), where[i], 7);
		expect(same(data, check, sizeof(data)), "data read back differs");
	}
	/* Buffers at odd addresses, which O_DIRECT refuses: the bounce path. */
	fill(check, SECTOR, 24, 9);
	for (uint32_t i = 0; i < SECTOR; i++)
		data[1 + i] = check[i];
	expect(request(BLK_T_OUT, 24, data + 1, SECTOR, false, NULL) == BLK_S_OK,
	       "misaligned write");
	memset(data, 0, sizeof(data));
	expect(request(BLK_T_IN, 24, data + 3, SECTOR, true, NULL) == BLK_S_OK,
	       "misaligned read");
	for (uint32_t i = 0; i < SECTOR; i++)
		data[i] = data[3 + i];
	expect(same(data, check, SECTOR), "misaligned read back differs");
	indirect_request(1);
	fill(data, SECTOR, 1, 7);
	expect(same(data, check, SECTOR), "indirect read differs");
	if (features & F_WRITE_ZEROES) {
		range = (typeof(range)){ cap - 8, 4, 0 };
		expect(request(BLK_T_WRITE_ZEROES, 0, &range, sizeof(range), false,
			       NULL) == BLK_S_OK, "write zeroes");
		expect(request(BLK_T_IN, cap - 8, data, sizeof(data), true, NULL) ==
			       BLK_S_OK, "read after write zeroes");
		fill(check, sizeof(check), cap - 8, 7);
		expect(all_zero(data, 4 * SECTOR) &&
			       same(data + 4 * SECTOR, check + 4 * SECTOR, 4 * SECTOR),
		       "write zeroes hit the wrong sectors");
		range = (typeof(range)){ cap, 1, 0 };
		expect(request(BLK_T_WRITE_ZEROES, 0, &range, sizeof(range), false,
			       NULL) == BLK_S_IOERR, "write zeroes past the end");
	}
	if (features & F_DISCARD) {
		range = (typeof(range)){ cap - 4, 4, 0 };
		expect(request(BLK_T_DISCARD, 0, &range, sizeof(range), false,
			       NULL) == BLK_S_OK, "discard");
		range.flags = 1; /* UNMAP is for write zeroes only */
		expect(request(BLK_T_DISCARD, 0, &range, sizeof(range), false,
			       NULL) == BLK_S_UNSUPP, "discard with flags");
	}
	/* Bounds: one sector past the end, a length not a multiple of 512. */
	expect(request(BLK_T_OUT, cap - 7, data, sizeof(data), false, NULL) ==
		       BLK_S_IOERR, "write across the end accepted");
	expect(request(BLK_T_OUT, 0, data, 100, false, NULL) == BLK_S_IOERR,
	       "unaligned write accepted");
}

static void test_mode(const struct dtb *t)
{
	char serial[32], want[32];
	uint64_t cap = capacity();
	uint32_t used;

	say_num("capacity=", cap);
	memset(serial, 0, sizeof(serial));
	expect(request(BLK_T_GET_ID, 0, serial, 20, true, &used) == BLK_S_OK,
	       "GET_ID");
	say("serial=", serial);
	if (bootarg(t, "vblk.serial", want, sizeof(want))) {
		unsigned int i = 0;

		while (want[i] && want[i] == serial[i])
			i++;
		expect(!want[i] && !serial[i], "serial differs from vblk.serial");
	}
	expect(request(BLK_T_IN, cap, data, SECTOR, true, NULL) == BLK_S_IOERR,
	       "read past the end accepted");
	expect(request(BLK_T_IN, ~0ULL, data, SECTOR, true, NULL) == BLK_S_IOERR,
	       "read at sector 2^64-1 accepted");
	expect(request(0x1234, 0, NULL, 0, false, NULL) == BLK_S_UNSUPP,
	       "unknown request type not UNSUPP");
	if (features & F_RO) {
		say("read-only", NULL);
		expect(request(BLK_T_OUT, 0, data, SECTOR, false, NULL) ==
			       BLK_S_IOERR, "write to a read-only disk accepted");
		expect(request(BLK_T_WRITE_ZEROES, 0, data, 16, false, NULL) ==
			       BLK_S_UNSUPP, "write zeroes on a read-only disk");
	} else {
		test_writable(cap);
	}
	interrupt_request(0);
}

static uint64_t arg_num(const struct dtb *t, const char *key, uint64_t dflt)
{
	char buf[24];

	return bootarg(t, key, buf, sizeof(buf)) ? parse_num(buf) : dflt;
}

static void write_mode(const struct dtb *t, bool verify)
{
	uint64_t n = arg_num(t, "vblk.sectors", 64);
	uint32_t seed = (uint32_t)arg_num(t, "vblk.seed", 1);
	bool through = !verify && arg_num(t, "vblk.wce", 1) == 0;

	if (through) {
		if (!(features & F_CONFIG_WCE)) {
			say("FAIL: no VIRTIO_BLK_F_CONFIG_WCE", NULL);
			guest_exit(EXIT_CHECK);
		}
		/* config.writeback, offset 32 (5.2.4): 0 is write-through. */
		*(volatile uint8_t *)(dev.base + VM_CONFIG + 32) = 0;
		expect(*(volatile uint8_t *)(dev.base + VM_CONFIG + 32) == 0,
		       "writeback stays on");
	}

	for (uint64_t s = 0; s < n; s += 8) {
		uint32_t len = (uint32_t)((n - s < 8 ? n - s : 8) * SECTOR);

		fill(check, len, s, seed);
		if (!verify) {
			expect(request(BLK_T_OUT, s, check, len, false, NULL) ==
				       BLK_S_OK, "write");
			continue;
		}
		expect(request(BLK_T_IN, s, data, len, true, NULL) == BLK_S_OK,
		       "read");
		expect(same(data, check, len), "data differs from the pattern");
	}
	if (verify) {
		say("verified", NULL);
		return;
	}
	if (!through)
		expect(request(BLK_T_FLUSH, 0, NULL, 0, false, NULL) == BLK_S_OK,
		       "flush");
	if (failures)
		guest_exit(EXIT_CHECK);
	say("flushed", NULL);
	halt_forever();
}

static void spin_ms(uint64_t ms)
{
	uint64_t t0 = guest_ticks(), n = ms * guest_ticks_per_ms();

	while (guest_ticks() - t0 < n)
		cpu_relax();
}

static void freeze_mode(void)
{
	uint32_t st = ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK;
	uint32_t id, len;

	fill(data, SECTOR, 0, 3);
	request_async(0, BLK_T_OUT, 0, data, SECTOR, false);
	vbarrier();
	vw32(&dev, VM_QUEUE_NOTIFY, 0);
	say("write submitted", NULL);
	spin_ms(333); /* the device thread enters the write */
	if (vq.used.idx != vq.last_used)
		say("note: the write completed (file system not frozen?)", NULL);
	vw32(&dev, VM_STATUS, st); /* no change, but takes the device's locks */
	say("status written", NULL);
	vw32(&dev, VM_STATUS, 0);
	say("reset written", NULL);
	expect(vr32(&dev, VM_STATUS) == 0, "status after a reset is not 0");
	features = virtio_negotiate(&dev, features);
	expect(features & VF_VERSION_1, "FEATURES_OK refused after a reset");
	virtio_queue_setup(&dev, 0, &vq, 16);
	vw32(&dev, VM_STATUS, st);
	say("set up again", NULL);
	/* Slot 1 (descriptor 3): completes once the host thaws. */
	fill(check, SECTOR, 8, 3);
	request_async(1, BLK_T_OUT, 8, check, SECTOR, false);
	vbarrier();
	vw32(&dev, VM_QUEUE_NOTIFY, 0);
	expect(virtio_wait_used(&vq, &id, &len, SPINS) && id == 3 &&
		       status[1] == BLK_S_OK,
	       "the write after the reset did not complete first and alone");
	spin_ms(333); /* room for a stale completion to show */
	expect(*(volatile uint16_t *)&vq.used.idx == 1,
	       "a request of the reset device completed on the new ring");
}

static void bench_mode(const struct dtb *t)
{
	char op[8] = "read";
	uint64_t count = arg_num(t, "vblk.count", 1000);
	uint32_t size = (uint32_t)arg_num(t, "vblk.size", 65536);
	uint32_t depth = (uint32_t)arg_num(t, "vblk.depth", 16);
	uint64_t cap = capacity(), sectors, done = 0, sent = 0;
	bool write;

	bootarg(t, "vblk.op", op, sizeof(op));
	write = op[0] == 'w';
	if (size < SECTOR || size % SECTOR || size > BENCH_BUF / VQ_MAX * 3)
		size = 65536;
	if (depth < 1 || depth > vq.size / 3)
		depth = vq.size / 3;
	sectors = size / SECTOR;
	while (done < count) {
		uint32_t id, len;

		while (sent < count && sent - done < depth) {
			unsigned int slot = (unsigned int)(sent % depth);
			uint64_t sector = (sent * sectors) % (cap - sectors);

			request_async(slot, write ? BLK_T_OUT : BLK_T_IN, sector,
				      bench_buf + (uint64_t)slot * size, size, !write);
			sent++;
		}
		vbarrier();
		vw32(&dev, VM_QUEUE_NOTIFY, 0);
		while (done < sent) {
			if (!virtio_wait_used(&vq, &id, &len, SPINS)) {
				say("FAIL: bench request timed out", NULL);
				guest_exit(EXIT_TIMEOUT);
			}
			if (status[id / 3] != BLK_S_OK)
				failures++;
			done++;
		}
	}
	say_num("bench requests=", count);
}

int main(uint64_t boot_arg)
{
	const struct dtb *t = guest_devtree(boot_arg);
	char mode[16] = "test";

	uart_init();
	if (!t) {
		say("FAIL: no device tree", NULL);
		return EXIT_NODEV;
	}
	if (virtio_find(t, 2, 0, &dev)) {
		say("FAIL: no virtio-blk device", NULL);
		return EXIT_NODEV;
	}
	bootarg(t, "vblk.mode", mode, sizeof(mode));
	features = virtio_negotiate(&dev, VF_VERSION_1 | VF_INDIRECT | VF_EVENT_IDX |
						  F_RO | F_BLK_SIZE | F_FLUSH |
						  F_SEG_MAX | F_SIZE_MAX | F_CONFIG_WCE |
						  F_DISCARD | F_WRITE_ZEROES);
	if (!(features & VF_VERSION_1)) {
		say("FAIL: FEATURES_OK refused", NULL);
		return EXIT_CHECK;
	}
	virtio_queue_setup(&dev, 0, &vq, mode[0] == 'b' ? VQ_MAX : 16);
	vw32(&dev, VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	uart_puts("vblk: device at ");
	uart_put_hex(dev.base);
	uart_puts(" irq ");
	uart_put_dec(dev.irq);
	uart_puts(" mode ");
	uart_puts(mode);
	uart_puts("\n");

	if (mode[0] == 'w')
		write_mode(t, false);
	else if (mode[0] == 'v')
		write_mode(t, true);
	else if (mode[0] == 'b')
		bench_mode(t);
	else if (mode[0] == 'f')
		freeze_mode();
	else
		test_mode(t);
	if (vr32(&dev, VM_STATUS) & ST_NEEDS_RESET)
		expect(false, "device reports NEEDS_RESET");
	if (failures) {
		say_num("failures=", (uint64_t)failures);
		return EXIT_CHECK;
	}
	say("ok", NULL);
	return 0;
}
