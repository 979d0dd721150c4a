// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile virtio-blk driver: feeds the device malformed rings, one case
 * at a time, and checks that it answers each with DEVICE_NEEDS_RESET (and,
 * after DRIVER_OK, a configuration-change interrupt status), consumes
 * nothing, and works again after a reset. Then abuses the register file:
 * wrong widths, unknown offsets, out-of-order status, features without
 * VERSION_1. Prints "vhostile: <case> ok" per case and "vhostile: ok";
 * exit status 0, 3 without a device, 4 if a check failed.
 */
#include "dtb.h"
#include "guest.h"
#include "virtio.h"

#define QSIZE 8
#define BLK_T_GET_ID 8u
#define POLLS 2000000ULL

enum { EXIT_NODEV = 3, EXIT_CHECK = 4 };

struct blk_hdr {
	uint32_t type, ioprio;
	uint64_t sector;
};

static struct vdev dev;
static struct vq vq;
static struct blk_hdr hdr = { BLK_T_GET_ID, 0, 0 };
static uint8_t id_buf[20];
static uint8_t status;
static struct vdesc itable[QSIZE + 1] __attribute__((aligned(16)));
static struct vdesc itable2[2] __attribute__((aligned(16)));
static uint64_t ram_end;
static int failures;

static void report(const char *name, bool ok, const char *why)
{
	uart_puts("vhostile: ");
	uart_puts(name);
	uart_puts(ok ? " ok\n" : " FAIL: ");
	if (!ok) {
		uart_puts(why);
		uart_puts("\n");
		failures++;
	}
}

static const uint64_t base_features = VF_VERSION_1 | VF_INDIRECT;

static bool start(uint64_t feats)
{
	if (virtio_negotiate(&dev, feats) != feats)
		return false;
	virtio_queue_setup(&dev, 0, &vq, QSIZE);
	vw32(&dev, VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	return vr32(&dev, VM_STATUS) ==
	       (ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
}

static bool wait_needs_reset(void)
{
	for (uint64_t i = 0; i < POLLS; i++)
		if (vr32(&dev, VM_STATUS) & ST_NEEDS_RESET)
			return true;
	return false;
}

/* A well-formed GET_ID on descriptors 0-2: the device still works. */
static bool good_request(void)
{
	uint32_t id, len;

	vq.desc[0] = (struct vdesc){ (uintptr_t)&hdr, 16, VD_NEXT, 1 };
	vq.desc[1] = (struct vdesc){ (uintptr_t)id_buf, 20, VD_NEXT | VD_WRITE, 2 };
	vq.desc[2] = (struct vdesc){ (uintptr_t)&status, 1, VD_WRITE, 0 };
	status = 0xff;
	virtio_submit(&dev, 0, &vq, 0);
	return virtio_wait_used(&vq, &id, &len, 100000000ULL) && id == 0 &&
	       status == 0 && len == 21;
}

/*
 * Runs one malformed-ring case: fn lays out descriptors and posts; the
 * device must set NEEDS_RESET, flag a config change, leave the used ring
 * alone, go back to 0 on reset and serve a good request afterwards.
 */
static void ring_case(const char *name, void (*fn)(void), uint64_t feats)
{
	if (!start(feats)) {
		report(name, false, "device setup failed");
		return;
	}
	fn();
	vbarrier();
	vw32(&dev, VM_QUEUE_NOTIFY, 0);
	if (!wait_needs_reset())
		return report(name, false, "no DEVICE_NEEDS_RESET");
	if (!(vr32(&dev, VM_INT_STATUS) & 2))
		return report(name, false, "no configuration-change interrupt status");
	if (*(volatile uint16_t *)&vq.used.idx != vq.last_used)
		return report(name, false, "the device used a malformed chain");
	vw32(&dev, VM_INT_ACK, 3);
	vw32(&dev, VM_STATUS, 0);
	if (vr32(&dev, VM_STATUS) != 0 || vr32(&dev, VM_INT_STATUS) != 0)
		return report(name, false, "reset did not clear the status");
	if (!start(base_features) || !good_request())
		return report(name, false, "no recovery after reset");
	report(name, true, NULL);
}

static void hdr_then(uint16_t next)
{
	vq.desc[0] = (struct vdesc){ (uintptr_t)&hdr, 16, VD_NEXT, next };
}

static void c_loop(void)
{
	hdr_then(1);
	vq.desc[1] = (struct vdesc){ (uintptr_t)id_buf, 20, VD_NEXT | VD_WRITE, 2 };
	vq.desc[2] = (struct vdesc){ (uintptr_t)&status, 1, VD_NEXT | VD_WRITE, 1 };
	virtio_post(&vq, 0);
}

static void c_self_loop(void)
{
	hdr_then(0);
	virtio_post(&vq, 0);
}

static void c_bad_head(void)
{
	virtio_post(&vq, QSIZE);
}

static void c_bad_next(void)
{
	hdr_then(200);
	virtio_post(&vq, 0);
}

static void data_desc(uint64_t addr, uint32_t len)
{
	hdr_then(1);
	vq.desc[1] = (struct vdesc){ addr, len, VD_NEXT | VD_WRITE, 2 };
	vq.desc[2] = (struct vdesc){ (uintptr_t)&status, 1, VD_WRITE, 0 };
	virtio_post(&vq, 0);
}

static void c_huge_len(void)
{
	data_desc(0x100000, 0xfffffff0u);
}

static void c_past_ram(void)
{
	data_desc(ram_end - 256, 512);
}

static void c_wrap(void)
{
	data_desc(0xfffffffffffff000ULL, 0x2000);
}

static void c_mmio_hole(void)
{
	data_desc(dev.base, 512); /* the device's own registers */
}

static void indirect_head(uint64_t addr, uint32_t len, uint16_t flags)
{
	vq.desc[0] = (struct vdesc){ addr, len, flags, 0 };
	virtio_post(&vq, 0);
}

static void c_nested_indirect(void)
{
	itable2[0] = (struct vdesc){ (uintptr_t)&hdr, 16, 0, 0 };
	itable[0] = (struct vdesc){ (uintptr_t)itable2, 32, VD_INDIRECT, 0 };
	indirect_head((uintptr_t)itable, 16, VD_INDIRECT);
}

static void c_indirect_len(void)
{
	indirect_head((uintptr_t)itable, 24, VD_INDIRECT);
}

static void c_indirect_empty(void)
{
	indirect_head((uintptr_t)itable, 0, VD_INDIRECT);
}

static void c_indirect_next(void)
{
	itable[0] = (struct vdesc){ (uintptr_t)&hdr, 16, 0, 0 };
	indirect_head((uintptr_t)itable, 16, VD_INDIRECT | VD_NEXT);
}

static void c_indirect_outside(void)
{
	indirect_head(ram_end - 16, 64, VD_INDIRECT);
}

static void c_long_chain(void)
{
	/* QSIZE + 1 readable descriptors in one indirect table, no loop. */
	for (uint16_t i = 0; i <= QSIZE; i++)
		itable[i] = (struct vdesc){ (uintptr_t)&hdr, 16,
					    (uint16_t)(i < QSIZE ? VD_NEXT : 0),
					    (uint16_t)(i + 1) };
	indirect_head((uintptr_t)itable, (QSIZE + 1) * 16, VD_INDIRECT);
}

static void c_avail_jump(void)
{
	good_request(); /* consumed fine; then idx leaps */
	vq.next_avail = (uint16_t)(vq.next_avail + QSIZE + 1);
	*(volatile uint16_t *)&vq.avail_idx = vq.next_avail;
}

static void c_no_status(void)
{
	vq.desc[0] = (struct vdesc){ (uintptr_t)&hdr, 16, 0, 0 };
	virtio_post(&vq, 0);
}

static void c_short_header(void)
{
	vq.desc[0] = (struct vdesc){ (uintptr_t)&hdr, 8, VD_NEXT, 1 };
	vq.desc[1] = (struct vdesc){ (uintptr_t)&status, 1, VD_WRITE, 0 };
	virtio_post(&vq, 0);
}

static void c_read_after_write(void)
{
	hdr_then(1);
	vq.desc[1] = (struct vdesc){ (uintptr_t)&status, 1, VD_NEXT | VD_WRITE, 2 };
	vq.desc[2] = (struct vdesc){ (uintptr_t)id_buf, 20, 0, 0 };
	virtio_post(&vq, 0);
}

static void c_indirect_unnegotiated(void)
{
	itable[0] = (struct vdesc){ (uintptr_t)&hdr, 16, 0, 0 };
	indirect_head((uintptr_t)itable, 16, VD_INDIRECT);
}

/* Queue set up with bad parameters: NEEDS_RESET at QueueReady, no interrupt. */
static void setup_case(const char *name, uint32_t num, uint64_t desc)
{
	virtio_negotiate(&dev, base_features);
	vw32(&dev, VM_QUEUE_SEL, 0);
	vw32(&dev, VM_QUEUE_NUM, num);
	vw32(&dev, VM_QUEUE_DESC_LO, (uint32_t)desc);
	vw32(&dev, VM_QUEUE_DESC_HI, (uint32_t)(desc >> 32));
	vw32(&dev, VM_QUEUE_DRIVER_LO, (uint32_t)(uintptr_t)&vq.avail_flags);
	vw32(&dev, VM_QUEUE_DEVICE_LO, (uint32_t)(uintptr_t)&vq.used);
	vw32(&dev, VM_QUEUE_READY, 1);
	if (!(vr32(&dev, VM_STATUS) & ST_NEEDS_RESET))
		return report(name, false, "no DEVICE_NEEDS_RESET");
	if (vr32(&dev, VM_QUEUE_READY) != 0)
		return report(name, false, "the queue became ready");
	if (vr32(&dev, VM_INT_STATUS) & 2)
		return report(name, false, "config interrupt before DRIVER_OK");
	vw32(&dev, VM_STATUS, 0);
	report(name, vr32(&dev, VM_STATUS) == 0, "reset did not clear the status");
}

static void register_cases(void)
{
	volatile uint8_t *b8 = (volatile uint8_t *)dev.base;
	volatile uint16_t *b16 = (volatile uint16_t *)dev.base;
	volatile uint64_t *b64 = (volatile uint64_t *)dev.base;
	uint32_t cap_lo;

	report("byte-read", b8[0] == 0 && b16[0] == 0 && b64[0] == 0,
	       "a narrow or wide register read returned data");
	vw32(&dev, VM_STATUS, 0);
	vw32(&dev, VM_STATUS, ST_ACK);
	*(volatile uint16_t *)(dev.base + VM_STATUS) = ST_ACK | ST_DRIVER;
	*(volatile uint8_t *)(dev.base + VM_STATUS) = ST_ACK | ST_DRIVER;
	report("narrow-write", vr32(&dev, VM_STATUS) == ST_ACK,
	       "a narrow Status write took effect");
	report("unaligned", *(volatile uint32_t *)(dev.base + VM_STATUS + 2) == 0,
	       "an unaligned read returned data");
	report("unknown-offsets",
	       vr32(&dev, 0x0c4) == 0 && vr32(&dev, 0x0f0) == 0 &&
		       vr32(&dev, VM_QUEUE_DESC_LO) == 0,
	       "unknown or write-only registers read non-zero");
	vw32(&dev, VM_MAGIC, 0);
	report("read-only", vr32(&dev, VM_MAGIC) == 0x74726976,
	       "MagicValue changed");
	vw32(&dev, VM_SHM_SEL, 0);
	report("shm-absent",
	       vr32(&dev, VM_SHM_LEN_LO) == 0xffffffff &&
		       vr32(&dev, VM_SHM_LEN_HI) == 0xffffffff,
	       "a shared memory region appears");
	vw32(&dev, VM_QUEUE_SEL, 5);
	report("queue-absent", vr32(&dev, VM_QUEUE_NUM_MAX) == 0,
	       "QueueNumMax of a missing queue");
	cap_lo = vr32(&dev, VM_CONFIG);
	report("config-widths",
	       *(volatile uint64_t *)(dev.base + VM_CONFIG) ==
			       (cap_lo | (uint64_t)vr32(&dev, VM_CONFIG + 4) << 32) &&
		       *(volatile uint8_t *)(dev.base + VM_CONFIG) == (uint8_t)cap_lo &&
		       vr32(&dev, 0x1fc) == 0,
	       "config space widths or bounds");
	/* Status out of order: DRIVER_OK before FEATURES_OK is ignored. */
	vw32(&dev, VM_STATUS, 0);
	vw32(&dev, VM_STATUS, ST_ACK);
	vw32(&dev, VM_STATUS, ST_ACK | ST_DRIVER);
	vw32(&dev, VM_STATUS, ST_ACK | ST_DRIVER | ST_DRIVER_OK);
	report("status-order", vr32(&dev, VM_STATUS) == (ST_ACK | ST_DRIVER),
	       "DRIVER_OK accepted before FEATURES_OK");
	/* Features without VERSION_1: FEATURES_OK refused (a legacy driver). */
	report("no-version-1", virtio_negotiate(&dev, VF_INDIRECT) == 0,
	       "FEATURES_OK accepted without VERSION_1");
	vw32(&dev, VM_STATUS, 0);
}

int main(uint64_t boot_arg)
{
	const struct dtb *t = guest_devtree(boot_arg);
	int mem;

	uart_init();
	if (!t || virtio_find(t, 2, 0, &dev)) {
		uart_puts("vhostile: FAIL: no virtio-blk device\n");
		return EXIT_NODEV;
	}
	mem = dtb_find_path(t, "/memory");
	{
		struct dtb_reg reg;

		if (mem < 0 || dtb_reg(t, mem, 0, &reg))
			return EXIT_NODEV;
		ram_end = dtb_reg_addr(&reg) + reg.size;
	}

	ring_case("loop", c_loop, base_features);
	ring_case("self-loop", c_self_loop, base_features);
	ring_case("bad-head", c_bad_head, base_features);
	ring_case("bad-next", c_bad_next, base_features);
	ring_case("huge-length", c_huge_len, base_features);
	ring_case("past-ram", c_past_ram, base_features);
	ring_case("wrapping-address", c_wrap, base_features);
	ring_case("mmio-hole", c_mmio_hole, base_features);
	ring_case("nested-indirect", c_nested_indirect, base_features);
	ring_case("indirect-length", c_indirect_len, base_features);
	ring_case("indirect-empty", c_indirect_empty, base_features);
	ring_case("indirect-next", c_indirect_next, base_features);
	ring_case("indirect-outside", c_indirect_outside, base_features);
	ring_case("indirect-unnegotiated", c_indirect_unnegotiated, VF_VERSION_1);
	ring_case("long-chain", c_long_chain, base_features);
	ring_case("avail-jump", c_avail_jump, base_features);
	ring_case("no-status", c_no_status, base_features);
	ring_case("short-header", c_short_header, base_features);
	ring_case("read-after-write", c_read_after_write, base_features);
	setup_case("ring-outside-ram", QSIZE, ram_end);
	setup_case("ring-misaligned", QSIZE, (uintptr_t)vq.desc + 8);
	setup_case("size-not-power-of-2", 6, (uintptr_t)vq.desc);
	setup_case("size-above-max", 512, (uintptr_t)vq.desc);
	setup_case("size-zero", 0, (uintptr_t)vq.desc);
	register_cases();
	report("still-works", start(base_features) && good_request(),
	       "the device does not serve a good request at the end");
	if (failures)
		return EXIT_CHECK;
	uart_puts("vhostile: ok\n");
	return 0;
}
