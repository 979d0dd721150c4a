// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-platform's pure parts: the --vfio platform:NAME[,ITEM]... grammar
 * (vmm/config_value.c), region and interrupt checks, and the device-tree
 * node (devices/vfio/platform.c), read back with libfdt from a tree built
 * with a three-cell test controller (the GIC's <type number flags>).
 */
#include <errno.h>
#include <libfdt.h>
#include <linux/vfio.h>
#include <string.h>

#include "config.h"
#include "fdt.h"
#include "suites.h"
#include "vfio/platform.h"

#define RW (VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE)

static struct vfio_platform_config pc;
static char err[256];

static int parse(const char *s)
{
	err[0] = '\0';
	return config_parse_vfio_platform(s, &pc, err, sizeof(err));
}

START_TEST(grammar)
{
	ck_assert_int_eq(parse("9010000.pl031"), 0);
	ck_assert_str_eq(pc.name, "9010000.pl031");
	ck_assert_uint_eq(pc.nprops, 0);
	ck_assert_uint_eq(pc.nclocks, 0);

	ck_assert_int_eq(parse("9010000.pl031,compatible=\"arm,pl031\",\"arm,primecell\","
			       "clock=apb_pclk:24000000,arm,primecell-periphid=<0x41031>,"
			       "dma-coherent=,status=\"okay\""), 0);
	ck_assert_uint_eq(pc.nprops, 4);
	ck_assert_str_eq(pc.prop[0].name, "compatible");
	ck_assert_uint_eq(pc.prop[0].len, sizeof("arm,pl031") + sizeof("arm,primecell"));
	ck_assert_int_eq(memcmp(pc.prop[0].val, "arm,pl031\0arm,primecell\0", pc.prop[0].len), 0);
	ck_assert_str_eq(pc.prop[1].name, "arm,primecell-periphid");
	ck_assert_uint_eq(pc.prop[1].len, 4);
	ck_assert_int_eq(memcmp(pc.prop[1].val, "\x00\x04\x10\x31", 4), 0);
	ck_assert_str_eq(pc.prop[2].name, "dma-coherent");
	ck_assert_uint_eq(pc.prop[2].len, 0);
	ck_assert_str_eq(pc.prop[3].name, "status");
	ck_assert_uint_eq(pc.nclocks, 1);
	ck_assert_str_eq(pc.clock[0].name, "apb_pclk");
	ck_assert_uint_eq(pc.clock[0].hz, 24000000);

	ck_assert_int_eq(parse("x,foo=<1 2  0xffffffff>"), 0);
	ck_assert_uint_eq(pc.prop[0].len, 12);
}
END_TEST

/* Each bad value is one line naming what is wrong. */
static const struct {
	const char *spec, *why;
} bad[] = {
	{ "", "not a platform device name" },
	{ "a/b", "not a platform device name" },
	{ "x,clock=apb_pclk", "NAME:HZ" },
	{ "x,clock=apb_pclk:0", "HZ must be" },
	{ "x,clock=apb_pclk:5000000000", "HZ must be" },
	{ "x,clock=a:1,clock=b:1,clock=c:1,clock=d:1,clock=e:1", "at most 4 clocks" },
	{ "x,reg=<1>", "tessera's to write" },
	{ "x,interrupts=<1>", "tessera's to write" },
	{ "x,clocks=<1>", "tessera's to write" },
	{ "x,foo", "not PROP=VALUE" },
	{ "x,foo=\"open", "unterminated" },
	{ "x,foo=<1 x>", "32-bit numbers" },
	{ "x,foo=<0x100000000>", "32-bit numbers" },
	{ "x,foo=bare", "a value is" },
	{ "x,foo=<1>,foo=<2>", "given twice" },
	{ "x,a=,b=,c=,d=,e=,f=,g=,h=,i=", "at most 8 properties" },
	{ "x,s=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
	  "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
	  "longer than" },
};

START_TEST(grammar_bad)
{
	ck_assert_int_eq(parse(bad[_i].spec), -EINVAL);
	ck_assert_msg(strstr(err, bad[_i].why), "'%s': %s", bad[_i].spec, err);
	ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

START_TEST(regions)
{
	enum vfio_region_use use;

	ck_assert_int_eq(vfio_platform_region_use(0, 4096, RW | VFIO_REGION_INFO_FLAG_MMAP,
						  4096, false, &use, err, sizeof(err)), 0);
	ck_assert_int_eq(use, VFIO_REGION_MAP);
	/* TESSERA_VFIO_NO_MMAP, or not mappable, or read-only: trapped. */
	ck_assert_int_eq(vfio_platform_region_use(0, 4096, RW | VFIO_REGION_INFO_FLAG_MMAP,
						  4096, true, &use, err, sizeof(err)), 0);
	ck_assert_int_eq(use, VFIO_REGION_TRAP);
	ck_assert_int_eq(vfio_platform_region_use(0, 0x100, RW, 4096, false, &use,
						  err, sizeof(err)), 0);
	ck_assert_int_eq(use, VFIO_REGION_TRAP);
	ck_assert_int_eq(vfio_platform_region_use(0, 8192,
						  VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_MMAP,
						  4096, false, &use, err, sizeof(err)), 0);
	ck_assert_int_eq(use, VFIO_REGION_TRAP);
	/* Refused. */
	ck_assert_int_eq(vfio_platform_region_use(1, 0x100, RW | VFIO_REGION_INFO_FLAG_MMAP,
						  4096, false, &use, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too small to map safely"));
	ck_assert_int_eq(vfio_platform_region_use(1, 0x10800, RW | VFIO_REGION_INFO_FLAG_MMAP,
						  0x10000, false, &use, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "whole number of 65536-byte pages"));
	ck_assert_int_eq(vfio_platform_region_use(2, 0, RW, 4096, false, &use, err,
						  sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "region 2 is empty"));
	ck_assert_int_eq(vfio_platform_region_use(0, 4096, 0, 4096, false, &use, err,
						  sizeof(err)), -EINVAL);
	ck_assert_int_eq(vfio_platform_region_use(0, 1ULL << 30, RW, 4096, false, &use,
						  err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "more than"));
}
END_TEST

START_TEST(irqs)
{
	bool level = true;

	ck_assert_int_eq(vfio_platform_irq_check(0, 1, VFIO_IRQ_INFO_EVENTFD |
						 VFIO_IRQ_INFO_MASKABLE |
						 VFIO_IRQ_INFO_AUTOMASKED,
						 &level, err, sizeof(err)), 0);
	ck_assert(level);
	ck_assert_int_eq(vfio_platform_irq_check(0, 1, VFIO_IRQ_INFO_EVENTFD, &level,
						 err, sizeof(err)), 0);
	ck_assert(!level);
	ck_assert_int_eq(vfio_platform_irq_check(1, 2, VFIO_IRQ_INFO_EVENTFD, &level,
						 err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "interrupt 1: VFIO reports 2 lines, expected 1"));
	ck_assert_int_eq(vfio_platform_irq_check(0, 0, VFIO_IRQ_INFO_EVENTFD, &level,
						 err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(vfio_platform_irq_check(0, 1, 0, &level, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "eventfd"));
}
END_TEST

/* --- the node ------------------------------------------------------------ */

#define INTC_PHANDLE 1
static uint8_t blob[FDT_MAX_SIZE];

static int gic_spec(const struct fdt_device *d, uint32_t *cells)
{
	if (d->irq >= 96)
		return -EINVAL;
	cells[0] = 0;
	cells[1] = d->irq;
	cells[2] = d->irq_type == FDT_IRQ_LEVEL_HIGH ? 4 : 1;
	return 0;
}

static int gic_nodes(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = fdt_w_begin_node(w, "intc@%x", 0x8000000);

	(void)m;
	r = r ?: fdt_w_prop_string(w, "compatible", "test,gic");
	r = r ?: fdt_w_prop_reg(w, 0x8000000, 0x10000);
	r = r ?: fdt_w_prop_empty(w, "interrupt-controller");
	r = r ?: fdt_w_prop_u32(w, "#interrupt-cells", 3);
	r = r ?: fdt_w_prop_u32(w, "phandle", INTC_PHANDLE);
	return r ?: fdt_w_end_node(w);
}

static const struct fdt_arch gic = {
	.cpu_reg_cells = 1, .irq_cells = 3, .irq_parent = INTC_PHANDLE,
	.nodes = gic_nodes, .irq_spec = gic_spec,
};

static int build_with(const struct vfio_platform_node *n)
{
	struct fdt_device dev = {
		.node = vfio_platform_fdt_node, .bus = FDT_BUS_MMIO,
		.base = n->reg[0].base, .size = n->reg[0].size, .opaque = n,
	};
	struct fdt_machine m = {
		.name = "p", .arch = &gic, .nmem = 1, .ncpus = 1, .ndevs = 1,
		.devs = &dev,
	};
	size_t len;

	m.mem[0] = (struct fdt_mem_region){ 0x80000000, 64 << 20 };
	m.cpu[0] = (struct fdt_cpu){ .reg = 0, .host_cpu = -1 };
	return fdt_build(&m, blob, sizeof(blob), &len, err, sizeof(err));
}

static const void *prop(const char *path, const char *name, int *len)
{
	int off = fdt_path_offset(blob, path);

	ck_assert_msg(off >= 0, "no %s", path);
	return fdt_getprop(blob, off, name, len);
}

static struct vfio_platform_node pl031(void)
{
	struct vfio_platform_node n = { .name = "pl031", .nregs = 1, .nirqs = 1,
					.phandle = VFIO_PLATFORM_PHANDLE_BASE };

	memcpy(n.compatible, "arm,pl031", sizeof("arm,pl031"));
	n.compatible_len = sizeof("arm,pl031");
	n.reg[0].base = 0xa001000;
	n.reg[0].size = 0x1000;
	n.irq[0].line = 17;
	n.irq[0].level = true;
	return n;
}

/* The host's compatible, reg at the guest address, a level SPI. */
START_TEST(node_plain)
{
	struct vfio_platform_node n = pl031();
	const fdt32_t *c;
	int len;

	ck_assert_int_eq(build_with(&n), 0);
	ck_assert_str_eq(prop("/pl031@a001000", "compatible", &len), "arm,pl031");
	c = prop("/pl031@a001000", "reg", &len);
	ck_assert_int_eq(len, 16);
	ck_assert_uint_eq(fdt32_to_cpu(c[1]), 0xa001000);
	ck_assert_uint_eq(fdt32_to_cpu(c[3]), 0x1000);
	c = prop("/pl031@a001000", "interrupts", &len);
	ck_assert_int_eq(len, 12);
	ck_assert_uint_eq(fdt32_to_cpu(c[1]), 17);
	ck_assert_uint_eq(fdt32_to_cpu(c[2]), 4); /* level, not the vGIC's edge default */
	c = prop("/pl031@a001000", "interrupt-parent", &len);
	ck_assert_uint_eq(fdt32_to_cpu(c[0]), INTC_PHANDLE);
	ck_assert_ptr_null(prop("/pl031@a001000", "clocks", &len));
}
END_TEST

/* The user's compatible, a fixed clock, extra properties; two regions and irqs. */
START_TEST(node_extras)
{
	struct vfio_platform_node n = pl031();
	const fdt32_t *c;
	const char *s;
	int len;

	ck_assert_int_eq(parse("9010000.pl031,compatible=\"arm,pl031\",\"arm,primecell\","
			       "clock=apb_pclk:24000000,arm,primecell-periphid=<0x41031>"), 0);
	n.cfg = &pc;
	n.nregs = 2;
	n.reg[1].base = 0xa002000;
	n.reg[1].size = 0x100;
	n.nirqs = 2;
	n.irq[1].line = 18;
	n.irq[1].level = false;
	ck_assert_int_eq(build_with(&n), 0);
	s = prop("/pl031@a001000", "compatible", &len);
	ck_assert_int_eq(len, (int)(sizeof("arm,pl031") + sizeof("arm,primecell")));
	ck_assert_str_eq(s + sizeof("arm,pl031"), "arm,primecell");
	ck_assert_int_eq(fdt_node_check_compatible(blob, fdt_path_offset(blob, "/pl031@a001000"),
						   "arm,primecell"), 0);
	prop("/pl031@a001000", "reg", &len);
	ck_assert_int_eq(len, 32);
	c = prop("/pl031@a001000", "interrupts", &len);
	ck_assert_int_eq(len, 24);
	ck_assert_uint_eq(fdt32_to_cpu(c[4]), 18);
	ck_assert_uint_eq(fdt32_to_cpu(c[5]), 1); /* edge */
	c = prop("/pl031@a001000", "clocks", &len);
	ck_assert_int_eq(len, 4);
	ck_assert_uint_eq(fdt32_to_cpu(c[0]), VFIO_PLATFORM_PHANDLE_BASE);
	ck_assert_str_eq(prop("/pl031@a001000", "clock-names", &len), "apb_pclk");
	c = prop("/pl031@a001000", "arm,primecell-periphid", &len);
	ck_assert_uint_eq(fdt32_to_cpu(c[0]), 0x41031);
	/* The clock node, found by its phandle as Linux does. */
	ck_assert_int_eq(fdt_node_offset_by_phandle(blob, VFIO_PLATFORM_PHANDLE_BASE),
			 fdt_path_offset(blob, "/pl031@a001000/clock-apb_pclk"));
	ck_assert_str_eq(prop("/pl031@a001000/clock-apb_pclk", "compatible", &len),
			 "fixed-clock");
	c = prop("/pl031@a001000/clock-apb_pclk", "clock-frequency", &len);
	ck_assert_uint_eq(fdt32_to_cpu(c[0]), 24000000);
	c = prop("/pl031@a001000/clock-apb_pclk", "#clock-cells", &len);
	ck_assert_uint_eq(fdt32_to_cpu(c[0]), 0);
}
END_TEST

/* A line the controller lacks fails the build, no half-written tree. */
START_TEST(node_bad_line)
{
	struct vfio_platform_node n = pl031();

	n.irq[0].line = 200;
	ck_assert_int_eq(build_with(&n), -EINVAL);
}
END_TEST

Suite *vfio_platform_suite(void)
{
	Suite *s = suite_create("vfio_platform");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, grammar);
	tcase_add_loop_test(tc, grammar_bad, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, regions);
	tcase_add_test(tc, irqs);
	tcase_add_test(tc, node_plain);
	tcase_add_test(tc, node_extras);
	tcase_add_test(tc, node_bad_line);
	suite_add_tcase(s, tc);
	return s;
}
