// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-mmio register file driven through its bus handler, with a fake
 * device (two queues, 12 bytes of config space) and a fake interrupt line.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "fdt.h"
#include "mem.h"
#include "suites.h"
#include "virtio/mmio.h"
#include "../../guests/common/dtb.h"

#define MEM_SIZE (1u << 20)
#define BASE 0xd0000000ULL
#define DEV_FEATURES ((1ULL << 3) | (1ULL << 40))

static uint8_t ram[MEM_SIZE] __attribute__((aligned(4096)));
static struct guest_mem mem;
static struct virtio_dev dv;
static struct virtio_mmio t;
static uint8_t cfg_space[12];
static int pulses, resets, cfg_writes;
static uint32_t pulse_gsi;

static void cfg_read(void *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	(void)dev;
	memcpy(data, cfg_space + off, len);
}

static void cfg_write(void *dev, uint32_t off, const uint8_t *data,
		      uint32_t len)
{
	(void)dev;
	memcpy(cfg_space + off, data, len);
	cfg_writes++;
}

static void dev_reset(void *dev)
{
	(void)dev;
	resets++;
}

static void pulse(void *opaque, uint32_t gsi)
{
	(void)opaque;
	pulses++;
	pulse_gsi = gsi;
}

static const struct virtio_dev_ops ops = {
	.config_read = cfg_read,
	.config_write = cfg_write,
	.reset = dev_reset,
};

static void setup(void)
{
	struct virtio_dev_info info = {
		.name = "virtio-test",
		.device_id = 42,
		.features = DEV_FEATURES,
		.num_queues = 2,
		.queue_max = 16,
		.config_size = sizeof(cfg_space),
		.ops = &ops,
		.mem = &mem,
	};
	const struct virtio_mmio_place place = { .base = BASE, .irq = 7,
						 .irq_pulse = pulse };

	memset(ram, 0, sizeof(ram));
	guest_mem_init_buffer(&mem, ram, sizeof(ram));
	ck_assert_int_eq(guest_mem_add_region(&mem, 0, sizeof(ram)), 0);
	for (unsigned int i = 0; i < sizeof(cfg_space); i++)
		cfg_space[i] = (uint8_t)(0xa0 + i);
	pulses = resets = cfg_writes = 0;
	ck_assert_int_eq(virtio_dev_init(&dv, &info), 0);
	virtio_mmio_init(&t, &dv);
	virtio_mmio_place(&t, &place);
}

static void teardown(void)
{
	virtio_dev_destroy(&dv);
}

static uint32_t rd(uint64_t off)
{
	uint8_t d[4] = { 0xee, 0xee, 0xee, 0xee };
	uint32_t v;

	virtio_mmio_access(&t, off, d, 4, false);
	memcpy(&v, d, 4);
	return v;
}

static void wr(uint64_t off, uint32_t v)
{
	uint8_t d[4];

	memcpy(d, &v, 4);
	virtio_mmio_access(&t, off, d, 4, true);
}

static uint64_t rd_n(uint64_t off, uint32_t len)
{
	uint8_t d[8];
	uint64_t v = 0;

	memset(d, 0xee, sizeof(d));
	virtio_mmio_access(&t, off, d, len, false);
	memcpy(&v, d, len);
	return v;
}

static void wr_n(uint64_t off, uint64_t v, uint32_t len)
{
	uint8_t d[8];

	memcpy(d, &v, len);
	virtio_mmio_access(&t, off, d, len, true);
}

static void negotiate(uint64_t features)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_FEATURES_OK);
}

static void queue(unsigned int sel, uint32_t num, uint64_t desc, uint64_t drv,
		  uint64_t dev)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, sel);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)drv);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(drv >> 32));
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)dev);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(dev >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

#define ALL_OK                                                             \
	(VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |                \
	 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)

START_TEST(identity)
{
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VERSION_REG), 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_ID), 42);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_VENDOR_ID_REG), VIRTIO_MMIO_VENDOR_ID);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES),
			  (uint32_t)(DEV_FEATURES | VIRTQ_F_INDIRECT_DESC |
				     VIRTQ_F_EVENT_IDX));
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), (1u << 8) | 1u);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_CONFIG_GENERATION), 0);
	/* No shared memory regions: length (and base) all ones (4.2.2). */
	wr(VIRTIO_MMIO_SHM_SEL, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_LOW), 0xffffffff);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_SHM_BASE_HIGH), 0xffffffff);
	ck_assert_uint_eq(virtio_mmio_notify_addr(&t), BASE + 0x50);
	ck_assert_int_ge(virtio_dev_kick_fd(&dv, 1), 0);
	ck_assert_int_eq(virtio_dev_kick_fd(&dv, 2), -1);
}
END_TEST

START_TEST(widths_and_offsets)
{
	/* Registers take aligned 32-bit accesses only. */
	ck_assert_uint_eq(rd_n(VIRTIO_MMIO_MAGIC_VALUE, 1), 0);
	ck_assert_uint_eq(rd_n(VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
	ck_assert_uint_eq(rd_n(VIRTIO_MMIO_MAGIC_VALUE, 8), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE + 2), 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr_n(VIRTIO_MMIO_STATUS, ALL_OK, 1);
	wr_n(VIRTIO_MMIO_STATUS, ALL_OK, 2);
	wr_n(VIRTIO_MMIO_STATUS, 0, 8);
	wr(VIRTIO_MMIO_STATUS + 1, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE);
	/* Unknown offsets and write-only registers read 0; writes vanish. */
	for (uint64_t off = 0; off < VIRTIO_MMIO_CONFIG; off += 4) {
		switch (off) {
		case VIRTIO_MMIO_MAGIC_VALUE:
		case VIRTIO_MMIO_VERSION_REG:
		case VIRTIO_MMIO_DEVICE_ID:
		case VIRTIO_MMIO_VENDOR_ID_REG:
		case VIRTIO_MMIO_DEVICE_FEATURES:
		case VIRTIO_MMIO_QUEUE_NUM_MAX:
		case VIRTIO_MMIO_STATUS:
		case VIRTIO_MMIO_SHM_LEN_LOW:
		case VIRTIO_MMIO_SHM_LEN_HIGH:
		case VIRTIO_MMIO_SHM_BASE_LOW:
		case VIRTIO_MMIO_SHM_BASE_HIGH:
			continue;
		default:
			ck_assert_msg(rd(off) == 0, "offset 0x%x reads non-zero",
				      (unsigned int)off);
		}
	}
	wr(VIRTIO_MMIO_MAGIC_VALUE, 0);
	wr(0x0c8, 0x12345678);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	ck_assert_uint_eq(rd(0x0c8), 0);
	/* Config space: any width inside its 12 bytes, 0 outside. */
	ck_assert_uint_eq(rd_n(0x100, 1), 0xa0);
	ck_assert_uint_eq(rd_n(0x101, 2), 0xa2a1);
	ck_assert_uint_eq(rd_n(0x104, 8), 0xabaaa9a8a7a6a5a4ULL);
	ck_assert_uint_eq(rd_n(0x10b, 1), 0xab);
	ck_assert_uint_eq(rd_n(0x10a, 4), 0); /* crosses the end */
	ck_assert_uint_eq(rd_n(0x10c, 1), 0);
	ck_assert_uint_eq(rd_n(0x1ff, 1), 0);
	wr_n(0x10b, 0x11, 1);
	wr_n(0x10b, 0x2222, 2); /* crosses the end: ignored */
	ck_assert_uint_eq(cfg_writes, 1);
	ck_assert_uint_eq(cfg_space[11], 0x11);
}
END_TEST

START_TEST(status_machine)
{
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_DRIVER); /* no ACKNOWLEDGE */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_DRIVER_OK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_DRIVER); /* clears a bit: ignored */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* FEATURES_OK refused without VERSION_1, and for unoffered bits. */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1u << 3);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				       VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS),
			  VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	negotiate(VIRTIO_FEATURE_VERSION_1 | (1ULL << 4));
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
	negotiate(VIRTIO_FEATURE_VERSION_1 | (1ULL << 3) | VIRTQ_F_EVENT_IDX);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK,
			  VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(virtio_dev_features(&dv),
			  VIRTIO_FEATURE_VERSION_1 | (1ULL << 3) | VIRTQ_F_EVENT_IDX);
	/* Frozen after FEATURES_OK. */
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);
	ck_assert_uint_eq(virtio_dev_features(&dv),
			  VIRTIO_FEATURE_VERSION_1 | (1ULL << 3) | VIRTQ_F_EVENT_IDX);
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), ALL_OK);
	/* NEEDS_RESET cannot be set by the driver. */
	wr(VIRTIO_MMIO_STATUS, ALL_OK | VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), ALL_OK);
	wr(VIRTIO_MMIO_STATUS, ALL_OK | VIRTIO_STATUS_FAILED);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), ALL_OK | VIRTIO_STATUS_FAILED);
	/* Reset: everything back, and the device hears of it. */
	resets = 0;
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert_uint_eq(virtio_dev_features(&dv), 0);
	ck_assert_int_eq(resets, 1);
}
END_TEST

START_TEST(queue_registers)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 16);
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1); /* no such queue: ignored */
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);

	negotiate(VIRTIO_FEATURE_VERSION_1);
	queue(1, 8, 0x1000, 0x2000, 0x3000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	ck_assert(dv.q[1].ready);
	ck_assert_ptr_eq(dv.q[1].vq.desc, ram + 0x1000);
	/* Queue registers are frozen while ready. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000);
	ck_assert_uint_eq(dv.q[1].num, 8);
	ck_assert_uint_eq(dv.q[1].desc, 0x1000);
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert(!dv.q[1].ready);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(queue_bad_setup)
{
	static const struct {
		uint32_t num;
		uint64_t desc;
	} bad[] = {
		{ 0, 0x1000 }, { 6, 0x1000 }, { 32, 0x1000 }, /* above QueueNumMax */
		{ 8, 0x1008 }, { 8, MEM_SIZE }, { 8, 0xffffffffffffff00ULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		negotiate(VIRTIO_FEATURE_VERSION_1);
		pulses = 0;
		queue(0, bad[i].num, bad[i].desc, 0x2000, 0x3000);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
		ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
				  VIRTIO_STATUS_NEEDS_RESET);
		/* Before DRIVER_OK: no configuration-change interrupt. */
		ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
		ck_assert_int_eq(pulses, 0);
	}
	/* Ready before FEATURES_OK is a driver bug too. */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	queue(0, 8, 0x1000, 0x2000, 0x3000);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET,
			  VIRTIO_STATUS_NEEDS_RESET);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
}
END_TEST

START_TEST(notify_and_interrupts)
{
	uint64_t v = 0;
	struct virtq *q;

	ck_assert_ptr_null(virtio_dev_queue_get(&dv, 0)); /* not live */
	negotiate(VIRTIO_FEATURE_VERSION_1);
	queue(0, 8, 0x1000, 0x2000, 0x3000);
	ck_assert_ptr_null(virtio_dev_queue_get(&dv, 0)); /* no DRIVER_OK */
	/* DRIVER_OK kicks ready queues once, in case buffers are waiting. */
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
	ck_assert_int_eq(read(virtio_dev_kick_fd(&dv, 0), &v, 8), 8);
	ck_assert_uint_eq(v, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue */
	ck_assert_int_eq(read(virtio_dev_kick_fd(&dv, 0), &v, 8), 8);
	ck_assert_uint_eq(v, 2);
	ck_assert_int_eq(read(virtio_dev_kick_fd(&dv, 1), &v, 8), -1);
	ck_assert_uint_eq(dv.kicks, 2);

	ck_assert_ptr_null(virtio_dev_queue_get(&dv, 1)); /* not ready */
	q = virtio_dev_queue_get(&dv, 0);
	ck_assert_ptr_eq(q, &dv.q[0].vq);
	virtq_push(q, 0, 1);
	virtio_dev_queue_put(&dv, 0, true);
	ck_assert_int_eq(pulses, 1);
	ck_assert_uint_eq(pulse_gsi, 7);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* The driver suppressed interrupts: none. */
	ram[0x2000] = VIRTQ_AVAIL_F_NO_INTERRUPT;
	q = virtio_dev_queue_get(&dv, 0);
	virtq_push(q, 0, 1);
	virtio_dev_queue_put(&dv, 0, true);
	ck_assert_int_eq(pulses, 1);

	/* Malformed input: NEEDS_RESET, a config interrupt, queues stop. */
	q = virtio_dev_queue_get(&dv, 0);
	virtio_dev_needs_reset(&dv, "test");
	virtio_dev_queue_put(&dv, 0, false);
	ck_assert_int_eq(pulses, 2);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	ck_assert_uint_eq(virtio_dev_status(&dv), ALL_OK | VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_ptr_null(virtio_dev_queue_get(&dv, 0));
	virtio_dev_needs_reset(&dv, "again"); /* no second interrupt */
	ck_assert_int_eq(pulses, 2);
	wr(VIRTIO_MMIO_STATUS, 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	ck_assert_uint_eq(rd(VIRTIO_MMIO_STATUS), 0);
	ck_assert(!dv.q[0].ready);
}
END_TEST

START_TEST(irqfd_path)
{
	int fd = eventfd(0, EFD_NONBLOCK);
	uint64_t v = 0;
	struct virtq *q;

	ck_assert_int_ge(fd, 0);
	virtio_dev_set_irqfd(&dv, fd); /* dv owns and closes it */
	negotiate(VIRTIO_FEATURE_VERSION_1);
	queue(0, 8, 0x1000, 0x2000, 0x3000);
	wr(VIRTIO_MMIO_STATUS, ALL_OK);
	q = virtio_dev_queue_get(&dv, 0);
	virtq_push(q, 0, 1);
	virtio_dev_queue_put(&dv, 0, true);
	ck_assert_int_eq(pulses, 0);
	ck_assert_int_eq(read(fd, &v, 8), 8);
	ck_assert_uint_eq(v, 1);
	ck_assert_uint_eq(dv.irqs, 1);
}
END_TEST

START_TEST(init_rejects)
{
	struct virtio_dev u;
	struct virtio_dev_info info = {
		.device_id = 2, .num_queues = 1, .queue_max = 16,
		.config_size = 8, .ops = &ops, .mem = &mem,
	};

	info.num_queues = 0;
	ck_assert_int_eq(virtio_dev_init(&u, &info), -EINVAL);
	info.num_queues = VIRTIO_MAX_QUEUES + 1;
	ck_assert_int_eq(virtio_dev_init(&u, &info), -EINVAL);
	info.num_queues = 1;
	info.queue_max = 24;
	ck_assert_int_eq(virtio_dev_init(&u, &info), -EINVAL);
	info.queue_max = 16;
	info.config_size = 0x101;
	ck_assert_int_eq(virtio_dev_init(&u, &info), -EINVAL);
	info.config_size = 8;
	info.ops = NULL;
	ck_assert_int_eq(virtio_dev_init(&u, &info), -EINVAL);
	virtio_dev_destroy(&u); /* harmless after a failed init */
}
END_TEST

/* An interrupt controller taking <line sense>, whatever the arch's is. */
static int two_cell_nodes(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = fdt_w_begin_node(w, "intc");

	(void)m;
	r = r ?: fdt_w_prop_empty(w, "interrupt-controller");
	r = r ?: fdt_w_prop_u32(w, "#interrupt-cells", 2);
	r = r ?: fdt_w_prop_u32(w, "phandle", 1);
	return r ?: fdt_w_end_node(w);
}

static int two_cell_spec(const struct fdt_device *d, uint32_t *cells)
{
	cells[0] = d->irq;
	cells[1] = d->irq_type;
	return 0;
}

static const struct fdt_arch two_cell_arch = {
	.cpu_reg_cells = 1, .irq_cells = 2, .irq_parent = 1,
	.nodes = two_cell_nodes, .irq_spec = two_cell_spec,
};

/* The device-tree node of a slot whose device is on the command line. */
START_TEST(fdt_disabled_node)
{
	static uint8_t blob[FDT_MAX_SIZE];
	struct fdt_device d = {
		.node = fdt_virtio_mmio_node, .bus = FDT_BUS_MMIO, .base = BASE,
		.size = VIRTIO_MMIO_SLOT_SIZE, .has_irq = true, .irq = 5,
		.irq_type = FDT_IRQ_EDGE_RISING, .disabled = true,
	};
	struct fdt_machine m = {
		.name = "p", .nmem = 1, .mem = { { 0, MEM_SIZE } }, .ncpus = 1,
		.arch = &two_cell_arch,
		.ndevs = 1, .devs = &d,
	};
	uint32_t cells[DTB_MAX_IRQ_CELLS], n;
	const char *s;
	struct dtb tree;
	size_t len;
	char err[128];
	int node;

	ck_assert_int_eq(fdt_build(&m, blob, sizeof(blob), &len, err, sizeof(err)), 0);
	ck_assert_int_eq(dtb_init(&tree, blob, len), 0);
	node = dtb_find_compatible(&tree, -1, "virtio,mmio");
	ck_assert_int_ge(node, 0);
	ck_assert_int_eq(dtb_prop_string(&tree, node, "status", &s), 0);
	ck_assert_str_eq(s, "disabled");
	ck_assert_int_eq(dtb_interrupt(&tree, node, 0, cells, &n), 0);
	ck_assert_uint_eq(cells[0], 5);
	ck_assert_uint_eq(cells[1], FDT_IRQ_EDGE_RISING);
	d.disabled = false;
	ck_assert_int_eq(fdt_build(&m, blob, sizeof(blob), &len, err, sizeof(err)), 0);
	ck_assert_int_eq(dtb_init(&tree, blob, len), 0);
	node = dtb_find_compatible(&tree, -1, "virtio,mmio");
	ck_assert_int_eq(dtb_prop_string(&tree, node, "status", &s), -DTB_ENOENT);
}
END_TEST

Suite *virtio_mmio_suite(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *tc = tcase_create("registers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, identity);
	tcase_add_test(tc, widths_and_offsets);
	tcase_add_test(tc, status_machine);
	tcase_add_test(tc, queue_registers);
	tcase_add_test(tc, queue_bad_setup);
	tcase_add_test(tc, notify_and_interrupts);
	tcase_add_test(tc, irqfd_path);
	tcase_add_test(tc, init_rejects);
	tcase_add_test(tc, fdt_disabled_node);
	suite_add_tcase(s, tc);
	return s;
}
