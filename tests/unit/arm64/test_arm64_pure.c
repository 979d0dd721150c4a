// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of the arm64 port (vmm/arch/arm64/image.c, fdt.c), built
 * and run on every host: Image header parsing and placement, the DTB's
 * place, MPIDR numbering, the KVM_IRQ_LINE encoding, and the device-tree
 * model (GICv3 sized for the vCPUs, timer PPIs, PSCI, CPUs with
 * enable-method, SPI specifiers), and the gdb stub's debug-register
 * values and debug-exit decoding (gdb_dbg.h).
 */
#include <errno.h>
#include <libfdt.h>
#include <string.h>

#include "arch/arm64/arm64.h"
#include "arch/arm64/gdb_dbg.h"
#include "arch/arm64/layout.h"
#include "fdt.h"
#include "serial8250.h"
#include "../suites.h"

/* A header as Linux's head.S writes it. */
static void image_header(uint8_t *img, uint64_t text_offset,
			 uint64_t image_size, uint64_t flags)
{
	memset(img, 0, ARM64_IMAGE_HDR_SIZE);
	for (int i = 0; i < 8; i++) {
		img[8 + i] = (uint8_t)(text_offset >> (8 * i));
		img[16 + i] = (uint8_t)(image_size >> (8 * i));
		img[24 + i] = (uint8_t)(flags >> (8 * i));
	}
	memcpy(img + 56, "ARM\x64", 4);
}

START_TEST(image_parse_modern)
{
	uint8_t img[4096];
	struct arm64_image im;
	char err[128];

	image_header(img, 0, 0x2000000, 0xa); /* 4K pages, anywhere */
	ck_assert(arm64_image_is(img, sizeof(img)));
	ck_assert_int_eq(arm64_image_parse(img, sizeof(img), &im, err, sizeof(err)), 0);
	ck_assert_uint_eq(im.text_offset, 0);
	ck_assert_uint_eq(im.image_size, 0x2000000);
	ck_assert(!im.legacy);
}
END_TEST

START_TEST(image_parse_rejects)
{
	uint8_t img[4096];
	struct arm64_image im;
	char err[128] = "";

	/* Not an Image: -ENOENT, so --load-addr can take it as raw. */
	memset(img, 0, sizeof(img));
	ck_assert_int_eq(arm64_image_parse(img, sizeof(img), &im, err, sizeof(err)), -ENOENT);
	ck_assert_int_eq(arm64_image_parse(img, 10, &im, err, sizeof(err)), -ENOENT);
	/* gzip: still -ENOENT, with a hint. */
	img[0] = 0x1f;
	img[1] = 0x8b;
	ck_assert_int_eq(arm64_image_parse(img, sizeof(img), &im, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "gzip"));
	/* Big-endian kernel. */
	image_header(img, 0, 0x100000, ARM64_IMAGE_FLAG_BE);
	ck_assert_int_eq(arm64_image_parse(img, sizeof(img), &im, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "big-endian"));
	/* image_size smaller than the file. */
	image_header(img, 0, 100, 0);
	ck_assert_int_eq(arm64_image_parse(img, sizeof(img), &im, err, sizeof(err)), -EINVAL);
	/* text_offset beyond 2 MiB or unaligned. */
	image_header(img, ARM64_SZ_2M, 0x100000, 0);
	ck_assert_int_eq(arm64_image_parse(img, sizeof(img), &im, err, sizeof(err)), -EINVAL);
	image_header(img, 0x80001, 0x100000, 0);
	ck_assert_int_eq(arm64_image_parse(img, sizeof(img), &im, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(image_legacy)
{
	uint8_t img[8192];
	struct arm64_image im;
	char err[128];

	image_header(img, 0x1234000, 0, 0); /* image_size 0: fields ignored */
	ck_assert_int_eq(arm64_image_parse(img, sizeof(img), &im, err, sizeof(err)), 0);
	ck_assert(im.legacy);
	ck_assert_uint_eq(im.text_offset, ARM64_IMAGE_LEGACY_TEXT_OFFSET);
	ck_assert_uint_eq(im.image_size, sizeof(img));
}
END_TEST

START_TEST(image_place)
{
	struct arm64_image im = { .text_offset = 0x80000, .image_size = 0x1000000 };
	uint64_t load = 0;
	char err[160];

	ck_assert_int_eq(arm64_image_place(&im, ARM64_RAM_BASE, ARM64_RAM_BASE + (64 << 20),
					   &load, err, sizeof(err)), 0);
	ck_assert_uint_eq(load, ARM64_RAM_BASE + 0x80000);
	/* An unaligned RAM base rounds up to 2 MiB. */
	ck_assert_int_eq(arm64_image_place(&im, 0x80001000, 0x90000000, &load, err,
					   sizeof(err)), 0);
	ck_assert_uint_eq(load, 0x80200000 + 0x80000);
	/* Too big for the room below the limit. */
	ck_assert_int_eq(arm64_image_place(&im, ARM64_RAM_BASE, ARM64_RAM_BASE + (16 << 20),
					   &load, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too small"));
	/* Sizes that would wrap. */
	im.image_size = UINT64_MAX - 0x1000;
	ck_assert_int_eq(arm64_image_place(&im, ARM64_RAM_BASE, UINT64_MAX, &load, err,
					   sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(dtb_addr)
{
	uint64_t a = 0;

	ck_assert_int_eq(arm64_dtb_addr(ARM64_RAM_BASE, 256 << 20, &a), 0);
	ck_assert_uint_eq(a, ARM64_RAM_BASE + (254 << 20));
	/* 5 MiB: the last whole 2 MiB block starts at 2 MiB. */
	ck_assert_int_eq(arm64_dtb_addr(ARM64_RAM_BASE, 5 << 20, &a), 0);
	ck_assert_uint_eq(a, ARM64_RAM_BASE + (2 << 20));
	ck_assert_int_eq(a % ARM64_SZ_2M, 0);
	ck_assert_int_eq(arm64_dtb_addr(ARM64_RAM_BASE, 3 << 20, &a), -EINVAL);
	ck_assert_int_eq(arm64_dtb_addr(UINT64_MAX - 0xfffff, 64 << 20, &a), -EINVAL);
}
END_TEST

START_TEST(mpidr_and_irq_line)
{
	ck_assert_uint_eq(arm64_mpidr(0), 0);
	ck_assert_uint_eq(arm64_mpidr(15), 15);
	ck_assert_uint_eq(arm64_mpidr(16), 0x100);
	ck_assert_uint_eq(arm64_mpidr(17), 0x101);
	ck_assert_uint_eq(arm64_mpidr(0x1234), 0x012304);
	/* KVM_IRQ_LINE: type SPI, INTID 32 + line (linux/kvm.h on arm64). */
	ck_assert_uint_eq(arm64_irq_line_encode(0),
			  1u << 24 | 32); /* type SPI (1) in bits 24-27 */
	ck_assert_uint_eq(arm64_irq_line_encode(ARM64_UART_SPI), 0x01000021);
	ck_assert_uint_eq(arm64_irq_line_encode(47), 0x0100004f);
}
END_TEST

/* --- the device tree ------------------------------------------------------ */

static uint8_t buf[FDT_MAX_SIZE];
static size_t len;
static char err[256];
static struct fdt_device devs[2];

static struct fdt_machine machine(unsigned int ncpus)
{
	struct fdt_machine m = { .name = "arm", .nmem = 1, .ncpus = ncpus };

	m.mem[0] = (struct fdt_mem_region){ ARM64_RAM_BASE, 256 << 20 };
	for (unsigned int i = 0; i < ncpus; i++)
		m.cpu[i] = (struct fdt_cpu){ .reg = arm64_mpidr(i), .host_cpu = -1 };
	devs[0] = (struct fdt_device){
		.node = serial8250_fdt_node, .bus = FDT_BUS_MMIO,
		.base = ARM64_UART_BASE, .size = SERIAL8250_NR_REGS,
		.has_irq = true, .irq = ARM64_UART_SPI,
		.irq_type = FDT_IRQ_LEVEL_HIGH, .console = true,
	};
	devs[1] = (struct fdt_device){
		.node = fdt_virtio_mmio_node, .bus = FDT_BUS_MMIO,
		.base = ARM64_VIRTIO_MMIO_BASE, .size = 0x200,
		.has_irq = true, .irq = ARM64_DEVICE_SPI_FIRST,
		.irq_type = FDT_IRQ_EDGE_RISING,
	};
	m.devs = devs;
	m.ndevs = 2;
	m.arch = arm64_fdt_model();
	m.bootargs = "console=ttyS0";
	return m;
}

static int node(const char *path)
{
	int off = fdt_path_offset(buf, path);

	ck_assert_msg(off >= 0, "%s: %s", path, fdt_strerror(off));
	return off;
}

static void expect_cells(int off, const char *name, const uint32_t *want, int n)
{
	int plen;
	const fdt32_t *p = fdt_getprop(buf, off, name, &plen);

	ck_assert_msg(p != NULL, "no %s", name);
	ck_assert_msg(plen == 4 * n, "%s: %d bytes, want %d", name, plen, 4 * n);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(fdt32_to_cpu(p[i]), want[i]);
}

static void expect_string(int off, const char *name, const char *want)
{
	const char *s = fdt_getprop(buf, off, name, NULL);

	ck_assert_msg(s != NULL, "no %s", name);
	ck_assert_str_eq(s, want);
}

#define CELLS(...) (const uint32_t[]){ __VA_ARGS__ }, \
	(int)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

START_TEST(fdt_gic_timer_psci)
{
	struct fdt_machine m = machine(2);
	int gic;

	ck_assert_msg(fdt_build(&m, buf, sizeof(buf), &len, err, sizeof(err)) == 0, "%s", err);
	gic = node("/interrupt-controller@8000000");
	expect_string(gic, "compatible", "arm,gic-v3");
	ck_assert_ptr_nonnull(fdt_getprop(buf, gic, "interrupt-controller", NULL));
	expect_cells(gic, "#interrupt-cells", CELLS(3));
	/* The distributor, then redistributors for two vCPUs (2 x 128 KiB). */
	expect_cells(gic, "reg", CELLS(0, 0x08000000, 0, 0x10000,
				       0, 0x080a0000, 0, 0x40000));
	ck_assert_int_eq(fdt_get_phandle(buf, gic), 1);
	expect_string(node("/timer"), "compatible", "arm,armv8-timer");
	expect_cells(node("/timer"), "interrupts",
		     CELLS(1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4));
	expect_string(node("/psci"), "compatible", "arm,psci-0.2");
	expect_string(node("/psci"), "method", "hvc");
}
END_TEST

START_TEST(fdt_cpus_and_devices)
{
	struct fdt_machine m = machine(17);
	int cpu;

	ck_assert_msg(fdt_build(&m, buf, sizeof(buf), &len, err, sizeof(err)) == 0, "%s", err);
	cpu = node("/cpus/cpu@100"); /* vCPU 16: Aff1 1, Aff0 0 */
	expect_cells(cpu, "reg", CELLS(0x100));
	ck_assert_int_lt(fdt_path_offset(buf, "/cpus/cpu@10"), 0);
	expect_string(cpu, "enable-method", "psci");
	expect_string(cpu, "device_type", "cpu");
	expect_cells(node("/cpus"), "#address-cells", CELLS(1));
	/* The UART: a level SPI; virtio-mmio: a rising edge. */
	expect_cells(node("/serial@9000000"), "interrupts", CELLS(0, 1, 4));
	expect_cells(node("/serial@9000000"), "interrupt-parent", CELLS(1));
	expect_cells(node("/virtio@a000000"), "interrupts", CELLS(0, 16, 1));
	expect_string(node("/chosen"), "stdout-path", "/serial@9000000");
	expect_string(node("/chosen"), "bootargs", "console=ttyS0");
	expect_cells(node("/interrupt-controller@8000000"), "reg",
		     CELLS(0, 0x08000000, 0, 0x10000, 0, 0x080a0000, 0, 17 * 0x20000));
}
END_TEST

START_TEST(fdt_rejects)
{
	struct fdt_machine m = machine(1);

	/* A GIC SPI cannot be falling-edge or active-low. */
	devs[1].irq_type = FDT_IRQ_LEVEL_LOW;
	ck_assert_int_eq(fdt_build(&m, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	devs[1].irq_type = FDT_IRQ_EDGE_FALLING;
	ck_assert_int_eq(fdt_build(&m, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	/* Past the SPIs the vGIC has. */
	devs[1].irq_type = FDT_IRQ_EDGE_RISING;
	devs[1].irq = ARM64_GIC_NR_SPIS;
	ck_assert_int_eq(fdt_build(&m, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	/* A CPU reg that is no MPIDR affinity. */
	m = machine(1);
	m.cpu[0].reg = 1ULL << 24;
	ck_assert_int_eq(fdt_build(&m, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "MPIDR"));
}
END_TEST


/* DBGBCR: enabled, EL1 and EL0, the whole instruction, address match. */
START_TEST(dbg_breakpoint_control)
{
	uint64_t bcr = arm64_dbg_bcr();

	ck_assert_uint_eq(bcr & 1, 1);              /* E */
	ck_assert_uint_eq((bcr >> 1) & 3, 3);       /* PMC: EL1 and EL0 */
	ck_assert_uint_eq((bcr >> 5) & 0xf, 0xf);   /* BAS */
	ck_assert_uint_eq((bcr >> 20) & 0xf, 0);    /* BT: address match */
	ck_assert_uint_eq(bcr, 0x1e7);
}
END_TEST

START_TEST(dbg_watchpoint_control)
{
	uint64_t wvr = 0;

	/* 8 aligned bytes, written: LSC 0b10, BAS all eight. */
	ck_assert_uint_eq(arm64_dbg_wcr(GDB_WP_WRITE, 0x80001008, 8, &wvr),
			  1u | 3u << 1 | 2u << 3 | 0xffu << 5);
	ck_assert_uint_eq(wvr, 0x80001008);
	/* 2 bytes at offset 4, read or written: LSC 0b11, BAS bits 4-5. */
	ck_assert_uint_eq(arm64_dbg_wcr(GDB_WP_ACCESS, 0x80001014, 2, &wvr),
			  1u | 3u << 1 | 3u << 3 | 0x30u << 5);
	ck_assert_uint_eq(wvr, 0x80001010);
	/* 1 byte, read: LSC 0b01, BAS bit 7. */
	ck_assert_uint_eq(arm64_dbg_wcr(GDB_WP_READ, 0x8000100f, 1, &wvr),
			  1u | 3u << 1 | 1u << 3 | 0x80u << 5);
	ck_assert_uint_eq(wvr, 0x80001008);
	/* What one register pair cannot hold: 0. */
	ck_assert_uint_eq(arm64_dbg_wcr(GDB_WP_WRITE, 0x80001006, 4, &wvr), 0);
	ck_assert_uint_eq(arm64_dbg_wcr(GDB_WP_WRITE, 0x80001000, 0, &wvr), 0);
	ck_assert_uint_eq(arm64_dbg_wcr(GDB_WP_WRITE, 0x80001000, 16, &wvr), 0);
	ck_assert_uint_eq(arm64_dbg_wcr(GDB_BP_HW, 0x80001000, 4, &wvr), 0);
}
END_TEST

/* ESR_EL2 as KVM reports it: EC in bits 31:26, IL (bit 25) set. */
static uint32_t esr(uint32_t ec)
{
	return ec << 26 | 1u << 25;
}

START_TEST(dbg_exit_decode)
{
	struct gdb_debug_exit e;

	arm64_dbg_decode(esr(ARM64_EC_SSTEP_LOW), 0, &e);
	ck_assert(e.step && !e.sw_bp && !e.hw_bp && !e.hw_watch && e.need_pc);
	arm64_dbg_decode(esr(ARM64_EC_BRK64) | 0 /* BRK #0 */, 0, &e);
	ck_assert(e.sw_bp && !e.step && e.need_pc);
	arm64_dbg_decode(esr(ARM64_EC_BKPT_LOW), 0, &e);
	ck_assert(e.hw_bp && !e.hw_watch && e.slot_mask == 0);
	arm64_dbg_decode(esr(ARM64_EC_WATCH_LOW) | 0x40 /* WnR */, 0x80001234, &e);
	ck_assert(e.hw_watch && !e.hw_bp);
	ck_assert_uint_eq(e.data_addr, 0x80001234);
	/* Anything else (a data abort): nothing set, the stub reports a stop. */
	arm64_dbg_decode(esr(0x24), 0x1000, &e);
	ck_assert(!e.step && !e.sw_bp && !e.hw_bp && !e.hw_watch);
	ck_assert_uint_eq(e.data_addr, 0);
}
END_TEST

Suite *arm64_pure_suite(void)
{
	Suite *s = suite_create("arm64");
	TCase *tc = tcase_create("image");

	tcase_add_test(tc, image_parse_modern);
	tcase_add_test(tc, image_parse_rejects);
	tcase_add_test(tc, image_legacy);
	tcase_add_test(tc, image_place);
	tcase_add_test(tc, dtb_addr);
	tcase_add_test(tc, mpidr_and_irq_line);
	suite_add_tcase(s, tc);
	tc = tcase_create("fdt");
	tcase_add_test(tc, fdt_gic_timer_psci);
	tcase_add_test(tc, fdt_cpus_and_devices);
	tcase_add_test(tc, fdt_rejects);
	suite_add_tcase(s, tc);
	tc = tcase_create("gdb");
	tcase_add_test(tc, dbg_breakpoint_control);
	tcase_add_test(tc, dbg_watchpoint_control);
	tcase_add_test(tc, dbg_exit_decode);
	suite_add_tcase(s, tc);
	return s;
}
