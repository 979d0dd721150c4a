// SPDX-License-Identifier: GPL-2.0
/*
 * The device tree builder (fdt/), checked by parsing its output back with
 * libfdt, and the guests' DTB reader (guests/common/dtb.c) fed with the
 * builder's trees, a setup_data chain in fake guest memory and corrupted
 * blobs. The corrupted blobs sit in heap buffers of their exact size, so
 * check-asan catches any read past them. The arch's part comes from test
 * arches defined here (the real ones are tested in tests/unit/<arch>/):
 * fdt/ must write whatever CPU numbering, interrupt controller and
 * specifier format the arch gives it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../guests/common/dtb.h"
#include "fdt.h"
#include "log.h"
#include "serial8250.h"
#include "suites.h"

#define MiB (1ULL << 20)
static struct dtb t, t_arch;
#define GiB (1ULL << 30)

static uint8_t buf[FDT_MAX_SIZE];
static size_t len;
static char err[256];
static struct fdt_device devs[FDT_MAX_DEVICES + 1];

/* A two-cell controller <input sense> with 64 inputs, phandle 1. */
#define TEST_PHANDLE_INTC 1
#define TEST_INTC "/interrupt-controller@10000000"

static int test_irq_spec(const struct fdt_device *d, uint32_t *cells)
{
	if (d->irq >= 64)
		return -EINVAL;
	cells[0] = d->irq;
	cells[1] = d->irq_type;
	return 0;
}

static int test_nodes(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = fdt_w_begin_node(w, "interrupt-controller@%x", 0x10000000);

	(void)m;
	r = r ?: fdt_w_prop_string(w, "compatible", "test,intc");
	r = r ?: fdt_w_prop_reg(w, 0x10000000, 0x1000);
	r = r ?: fdt_w_prop_empty(w, "interrupt-controller");
	r = r ?: fdt_w_prop_u32(w, "#interrupt-cells", 2);
	r = r ?: fdt_w_prop_u32(w, "phandle", TEST_PHANDLE_INTC);
	return r ?: fdt_w_end_node(w);
}

static const struct fdt_arch test_arch = {
	.cpu_reg_cells = 1,
	.irq_cells = 2,
	.irq_parent = TEST_PHANDLE_INTC,
	.nodes = test_nodes,
	.irq_spec = test_irq_spec,
};

static const struct fdt_device com1 = {
	.node = serial8250_fdt_node,
	.bus = FDT_BUS_ISA_IO,
	.base = SERIAL8250_COM1_BASE,
	.size = SERIAL8250_NR_REGS,
	.has_irq = true,
	.irq = SERIAL8250_COM1_IRQ,
	.irq_type = FDT_IRQ_EDGE_RISING,
	.console = true,
};

static struct fdt_device virtio(unsigned int i)
{
	return (struct fdt_device){
		.node = fdt_virtio_mmio_node,
		.bus = FDT_BUS_MMIO,
		.base = 0xd0000000ULL + 0x1000ULL * i,
		.size = 0x200,
		.has_irq = true,
		.irq = 5 + i,
		.irq_type = FDT_IRQ_EDGE_RISING,
	};
}

/* A machine of ncpus vCPUs and mem bytes (split at 3 GiB like x86's). */
static struct fdt_machine machine(unsigned int ncpus, uint64_t mem)
{
	struct fdt_machine m = {
		.name = "p0",
		.arch = &test_arch,
		.bootargs = "console=ttyS0 reboot=k",
	};

	m.mem[0] = (struct fdt_mem_region){ 0, mem < 3 * GiB ? mem : 3 * GiB };
	m.nmem = 1;
	if (mem > 3 * GiB) {
		m.mem[1] = (struct fdt_mem_region){ 4 * GiB, mem - 3 * GiB };
		m.nmem = 2;
	}
	m.ncpus = ncpus;
	for (unsigned int i = 0; i < ncpus; i++)
		m.cpu[i] = (struct fdt_cpu){ .reg = i, .host_cpu = -1 };
	return m;
}

/* The 4-vCPU machine with the UART and three virtio-mmio devices. */
static struct fdt_machine big_machine(void)
{
	struct fdt_machine m = machine(4, 5 * GiB);

	devs[0] = com1;
	for (unsigned int i = 1; i < 4; i++)
		devs[i] = virtio(i - 1);
	m.devs = devs;
	m.ndevs = 4;
	m.cpu[1].host_cpu = 3;
	m.cpu[3].host_cpu = 0;
	m.initrd_start = 0x4000000;
	m.initrd_end = 0x4800000;
	m.model = "test box";
	return m;
}

static int build(const struct fdt_machine *m)
{
	memset(buf, 0xa5, sizeof(buf));
	err[0] = '\0';
	return fdt_build(m, buf, sizeof(buf), &len, err, sizeof(err));
}

static int node(const char *path)
{
	int off = fdt_path_offset(buf, path);

	ck_assert_msg(off >= 0, "%s: %s", path, fdt_strerror(off));
	return off;
}

static uint32_t u32_at(const void *p, unsigned int cell)
{
	return fdt32_to_cpu(((const fdt32_t *)p)[cell]);
}

/* Checks a property's cells; n == 0 means an empty property. */
static void expect_cells(int off, const char *name, const uint32_t *want,
			 int n)
{
	int plen;
	const void *p = fdt_getprop(buf, off, name, &plen);

	ck_assert_msg(p != NULL || n == 0, "no %s", name);
	ck_assert_msg(plen == 4 * n, "%s: %d bytes, want %d", name, plen, 4 * n);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(u32_at(p, i), want[i]);
}

#define CELLS(...) (const uint32_t[]){ __VA_ARGS__ }, \
	(int)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

static const char *str(int off, const char *name)
{
	int plen;
	const char *p = fdt_getprop(buf, off, name, &plen);

	ck_assert_msg(p != NULL, "no %s", name);
	ck_assert_int_eq(p[plen - 1], '\0');
	return p;
}

static uint64_t u64_prop(int off, const char *name)
{
	int plen;
	const void *p = fdt_getprop(buf, off, name, &plen);

	ck_assert(p != NULL);
	ck_assert_int_eq(plen, 8);
	return (uint64_t)u32_at(p, 0) << 32 | u32_at(p, 1);
}

/* interrupt-parent must resolve to an interrupt controller by phandle. */
static int irq_parent(int off)
{
	int plen, ip;
	const void *p = fdt_getprop(buf, off, "interrupt-parent", &plen);

	ck_assert(p != NULL);
	ck_assert_int_eq(plen, 4);
	ip = fdt_node_offset_by_phandle(buf, u32_at(p, 0));
	ck_assert_int_ge(ip, 0);
	ck_assert(fdt_getprop(buf, ip, "interrupt-controller", NULL) != NULL);
	expect_cells(ip, "#interrupt-cells", CELLS(2));
	return ip;
}

START_TEST(one_cpu_no_devices)
{
	struct fdt_machine m = machine(1, 64 * MiB);
	int root, off;

	ck_assert_int_eq(build(&m), 0);
	ck_assert_int_eq(fdt_check_header(buf), 0);
	ck_assert_uint_eq(len, fdt_totalsize(buf));
	ck_assert_uint_le(len, FDT_MAX_SIZE);
	root = node("/");
	expect_cells(root, "#address-cells", CELLS(2));
	expect_cells(root, "#size-cells", CELLS(2));
	ck_assert_str_eq(str(root, "compatible"), "tessera,partition");
	ck_assert_str_eq(str(root, "model"), "Tessera partition");

	off = node("/cpus");
	expect_cells(off, "#address-cells", CELLS(1));
	expect_cells(off, "#size-cells", CELLS(0));
	off = node("/cpus/cpu@0");
	ck_assert_str_eq(str(off, "device_type"), "cpu");
	expect_cells(off, "reg", CELLS(0));
	ck_assert(fdt_getprop(buf, off, "tessera,host-cpu", NULL) == NULL);
	ck_assert_int_lt(fdt_path_offset(buf, "/cpus/cpu@1"), 0);

	off = node("/memory@0");
	ck_assert_str_eq(str(off, "device_type"), "memory");
	expect_cells(off, "reg", CELLS(0, 0, 0, 64 << 20));

	off = node("/hypervisor");
	ck_assert_str_eq(str(off, "compatible"), "tessera,hypervisor");
	ck_assert_str_eq(str(off, "partition-name"), "p0");
	off = node("/chosen");
	ck_assert_str_eq(str(off, "bootargs"), "console=ttyS0 reboot=k");
	ck_assert(fdt_getprop(buf, off, "stdout-path", NULL) == NULL);
	ck_assert(fdt_getprop(buf, off, "linux,initrd-start", NULL) == NULL);
	ck_assert_int_lt(fdt_path_offset(buf, "/isa"), 0);

	/* The arch's nodes, where it put them: after /memory, before /hypervisor. */
	off = node(TEST_INTC);
	ck_assert_int_eq(fdt_node_check_compatible(buf, off, "test,intc"), 0);
	expect_cells(off, "reg", CELLS(0, 0x10000000, 0, 0x1000));
	expect_cells(off, "interrupt-controller", NULL, 0);
	ck_assert_uint_eq(fdt_get_phandle(buf, off), TEST_PHANDLE_INTC);
	ck_assert_int_gt(off, node("/memory@0"));
	ck_assert_int_lt(off, node("/hypervisor"));
}
END_TEST

START_TEST(four_cpus_with_devices)
{
	struct fdt_machine m = big_machine();
	int off, intc, n = 0;

	ck_assert_int_eq(build(&m), 0);
	ck_assert_int_eq(fdt_check_header(buf), 0);
	ck_assert_str_eq(str(node("/"), "model"), "test box");
	for (unsigned int i = 0; i < 4; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		off = node(path);
		expect_cells(off, "reg", CELLS(i));
		if (i == 1)
			expect_cells(off, "tessera,host-cpu", CELLS(3));
		else if (i == 3)
			expect_cells(off, "tessera,host-cpu", CELLS(0));
		else
			ck_assert(fdt_getprop(buf, off, "tessera,host-cpu", NULL) == NULL);
	}
	expect_cells(node("/memory@0"), "reg", CELLS(0, 0, 0, 0xc0000000));
	expect_cells(node("/memory@100000000"), "reg", CELLS(1, 0, 0, 0x80000000));

	intc = node(TEST_INTC);
	off = node("/isa");
	ck_assert_int_eq(fdt_node_check_compatible(buf, off, "isa"), 0);
	expect_cells(off, "#address-cells", CELLS(2));
	expect_cells(off, "#size-cells", CELLS(1));
	off = node("/isa/serial@i3f8");
	ck_assert_int_eq(fdt_node_check_compatible(buf, off, "ns16550a"), 0);
	expect_cells(off, "reg", CELLS(1, 0x3f8, 8));
	expect_cells(off, "clock-frequency", CELLS(1843200));
	expect_cells(off, "interrupts", CELLS(4, 3));
	ck_assert_int_eq(irq_parent(off), intc);

	for (off = fdt_node_offset_by_compatible(buf, -1, "virtio,mmio");
	     off >= 0;
	     off = fdt_node_offset_by_compatible(buf, off, "virtio,mmio"), n++) {
		char name[32];

		snprintf(name, sizeof(name), "virtio@%x", 0xd0000000 + 0x1000 * n);
		ck_assert_str_eq(fdt_get_name(buf, off, NULL), name);
		ck_assert_int_eq(fdt_parent_offset(buf, off), 0);
		expect_cells(off, "reg", CELLS(0, 0xd0000000 + 0x1000 * n, 0, 0x200));
		expect_cells(off, "interrupts", CELLS(5 + n, 3));
		ck_assert_int_eq(irq_parent(off), intc);
	}
	ck_assert_int_eq(n, 3);

	off = node("/chosen");
	ck_assert_str_eq(str(off, "stdout-path"), "/isa/serial@i3f8");
	ck_assert_int_eq(fdt_path_offset(buf, str(off, "stdout-path")),
			 node("/isa/serial@i3f8"));
	ck_assert_uint_eq(u64_prop(off, "linux,initrd-start"), 0x4000000);
	ck_assert_uint_eq(u64_prop(off, "linux,initrd-end"), 0x4800000);
}
END_TEST

/* Every interrupts property in the tree has a resolvable interrupt-parent. */
START_TEST(all_interrupt_parents_resolve)
{
	struct fdt_machine m = big_machine();
	int off, depth = 0, seen = 0;

	ck_assert_int_eq(build(&m), 0);
	for (off = fdt_next_node(buf, -1, &depth); off >= 0;
	     off = fdt_next_node(buf, off, &depth)) {
		if (!fdt_getprop(buf, off, "interrupts", NULL))
			continue;
		irq_parent(off);
		seen++;
	}
	ck_assert_int_eq(seen, 4);
}
END_TEST

START_TEST(no_space_no_tree)
{
	struct fdt_machine m = big_machine();
	size_t need;
	uint8_t *small;

	ck_assert_int_eq(build(&m), 0);
	need = len;
	small = malloc(need);
	ck_assert(small != NULL);
	for (size_t size = 0; size < need; size++) {
		size_t got = 1;

		memset(small, 0xff, need);
		ck_assert_int_eq(fdt_build(&m, small, size, &got, err, sizeof(err)),
				 -ENOSPC);
		ck_assert_uint_eq(got, 0);
		ck_assert_int_ne(fdt_check_header(small), 0);
		ck_assert(strstr(err, "does not fit") != NULL);
	}
	ck_assert_int_eq(fdt_build(&m, small, need, &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, need);
	ck_assert_int_eq(fdt_check_header(small), 0);
	free(small);
}
END_TEST

START_TEST(bootargs_too_long)
{
	struct fdt_machine m = machine(2, 64 * MiB);
	size_t n = 2 * FDT_MAX_SIZE;
	char *args = malloc(n + 1);
	uint8_t *huge = malloc(4 * FDT_MAX_SIZE);

	ck_assert(args && huge);
	memset(args, 'x', n);
	args[n] = '\0';
	m.bootargs = args;
	/* The buffer is larger, but a tree never exceeds FDT_MAX_SIZE. */
	ck_assert_int_eq(fdt_build(&m, huge, 4 * FDT_MAX_SIZE, &len, err,
				   sizeof(err)),
			 -ENOSPC);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_ne(fdt_check_header(huge), 0);
	ck_assert_msg(strstr(err, "bootargs is 131072 bytes") != NULL, "%s", err);
	ck_assert_msg(strstr(err, "65536") != NULL, "%s", err);

	args[FDT_MAX_SIZE / 2] = '\0'; /* long, but it fits */
	ck_assert_int_eq(build(&m), 0);
	ck_assert_uint_eq(strlen(str(node("/chosen"), "bootargs")), FDT_MAX_SIZE / 2);
	free(args);
	free(huge);
}
END_TEST

START_TEST(too_many_devices)
{
	struct fdt_machine m = machine(1, 64 * MiB);

	for (unsigned int i = 0; i <= FDT_MAX_DEVICES; i++)
		devs[i] = virtio(i);
	m.devs = devs;
	m.ndevs = FDT_MAX_DEVICES;
	ck_assert_int_eq(build(&m), 0);
	m.ndevs = FDT_MAX_DEVICES + 1;
	ck_assert_int_eq(build(&m), -EINVAL);
	ck_assert_msg(strstr(err, "too many devices") != NULL, "%s", err);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_ne(fdt_check_header(buf), 0);
}
END_TEST

START_TEST(bad_descriptions)
{
	struct fdt_machine m;

#define EXPECT_EINVAL(change, msg)                                     \
	do {                                                           \
		m = big_machine();                                     \
		change;                                                \
		ck_assert_int_eq(build(&m), -EINVAL);                  \
		ck_assert_msg(strstr(err, msg) != NULL, "%s", err);    \
	} while (0)

	EXPECT_EINVAL(m.name = NULL, "no name");
	EXPECT_EINVAL(m.name = "", "no name");
	EXPECT_EINVAL(m.ncpus = 0, "0 CPUs");
	EXPECT_EINVAL(m.ncpus = FDT_MAX_CPUS + 1, "CPUs");
	EXPECT_EINVAL(m.cpu[2].reg = 1, "share reg 0x1");
	EXPECT_EINVAL(m.cpu[2].reg = 1ULL << 32, "does not fit one cell");
	EXPECT_EINVAL(m.cpu[0].host_cpu = -2, "bad host CPU");
	EXPECT_EINVAL(m.nmem = 0, "memory regions");
	EXPECT_EINVAL(m.mem[1].base = 2 * GiB, "out of order");
	EXPECT_EINVAL(m.mem[1].size = 0, "empty");
	EXPECT_EINVAL(m.mem[1].size = UINT64_MAX, "wraps");
	EXPECT_EINVAL(m.arch = NULL, "device 0 has an interrupt but the machine has no interrupt controller");
	EXPECT_EINVAL(devs[3].irq = 64, "device 3: the interrupt controller has no input 64");
	EXPECT_EINVAL(m.initrd_end = m.initrd_start, "initrd");
	EXPECT_EINVAL(m.initrd_start = 0x5000000, "initrd");
	EXPECT_EINVAL(devs[1].node = NULL, "no device tree emitter");
	EXPECT_EINVAL(devs[0].base = 0xfffc, "bad range");
	EXPECT_EINVAL(devs[2].size = 0, "bad range");
	EXPECT_EINVAL(devs[2].base = UINT64_MAX - 4, "bad range");
	EXPECT_EINVAL(devs[3].irq_type = 7, "interrupt type");
	EXPECT_EINVAL(devs[3].bus = 9, "unknown bus");
	EXPECT_EINVAL(m.devs = NULL, "device list");
#undef EXPECT_EINVAL
	ck_assert_int_eq(fdt_build(NULL, buf, sizeof(buf), &len, err, sizeof(err)),
			 -EINVAL);
}
END_TEST

static int two_nodes(struct fdt_writer *w, const struct fdt_device *d)
{
	int r = fdt_w_begin_device(w, "a", "acme,a", d);

	r = r ?: fdt_w_end_node(w);
	r = r ?: fdt_w_begin_node(w, "b");
	return r ?: fdt_w_end_node(w);
}

static int left_open(struct fdt_writer *w, const struct fdt_device *d)
{
	return fdt_w_begin_device(w, "open", "acme,open", d);
}

static int closes_parent(struct fdt_writer *w, const struct fdt_device *d)
{
	int r = fdt_w_begin_device(w, "x", "acme,x", d);

	r = r ?: fdt_w_end_node(w);
	return r ?: fdt_w_end_node(w); /* the root's: not ours */
}

static int sticky;

static int bad_names(struct fdt_writer *w, const struct fdt_device *d)
{
	int r = fdt_w_begin_device(w, "ok", "acme,ok", d);

	ck_assert_int_eq(r, 0);
	ck_assert_int_eq(fdt_w_prop_u32(w, "bad name", 1), -EINVAL);
	/* Sticky: a valid call now fails too and writes nothing. */
	sticky = fdt_w_prop_u32(w, "fine", 1);
	fdt_w_end_node(w);
	return 0; /* drops the error: the builder must still see it */
}

static int long_name(struct fdt_writer *w, const struct fdt_device *d)
{
	(void)d;
	return fdt_w_begin_node(w, "%s", "a-node-name-of-more-than-31-chars");
}

static int slash_name(struct fdt_writer *w, const struct fdt_device *d)
{
	(void)d;
	return fdt_w_begin_node(w, "a/b");
}

START_TEST(misbehaving_emitters)
{
	static const fdt_node_fn bad[] = { two_nodes, left_open, closes_parent,
					   bad_names, long_name, slash_name };
	struct fdt_machine m = machine(1, 64 * MiB);

	m.devs = devs;
	m.ndevs = 1;
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		devs[0] = virtio(0);
		devs[0].node = bad[i];
		ck_assert_int_eq(build(&m), -EINVAL);
		ck_assert_msg(strstr(err, "device 0") != NULL, "%s", err);
		ck_assert_int_ne(fdt_check_header(buf), 0);
	}
	ck_assert_int_eq(sticky, -EINVAL);
}
END_TEST

START_TEST(dump_file)
{
	struct fdt_machine m = big_machine();
	char path[] = "/tmp/tessera-fdt-XXXXXX";
	uint8_t back[FDT_MAX_SIZE];
	int fd = mkstemp(path);
	ssize_t n;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(build(&m), 0);
	ck_assert_int_eq(fdt_dump_file(buf, path), 0);
	n = read(fd, back, sizeof(back));
	ck_assert_int_eq(n, (ssize_t)len);
	ck_assert(!memcmp(back, buf, len));
	close(fd);
	unlink(path);
	ck_assert_int_eq(fdt_dump_file(buf, "/nonexistent-dir/x.dtb"), -ENOENT);
	memset(back, 0, 64);
	ck_assert_int_eq(fdt_dump_file(back, path), -EINVAL);
}
END_TEST

/* To an open descriptor: the whole tree, through a pipe too; fd stays open. */
START_TEST(dump_fd)
{
	struct fdt_machine m = big_machine();
	uint8_t back[FDT_MAX_SIZE];
	size_t got = 0;
	int p[2];

	ck_assert_int_eq(build(&m), 0);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_le(len, 65536); /* fits the pipe: no reader needed */
	ck_assert_int_eq(fdt_dump_fd(buf, p[1]), 0);
	ck_assert_int_ge(fcntl(p[1], F_GETFD), 0); /* still open */
	close(p[1]);
	for (ssize_t n; (n = read(p[0], back + got, sizeof(back) - got)) > 0;)
		got += (size_t)n;
	close(p[0]);
	ck_assert_uint_eq(got, len);
	ck_assert(!memcmp(back, buf, len));
	ck_assert_int_eq(fdt_dump_fd(buf, -1), -EBADF);
	memset(back, 0, 64);
	ck_assert_int_eq(fdt_dump_fd(back, 1), -EINVAL);
}
END_TEST

/* ---- the arch's part ------------------------------------------------- */

/*
 * An arm64-like arch: CPUs numbered by a 64-bit MPIDR (two cells), a
 * three-cell specifier <type number flags> with SPIs from 32 and
 * Linux's IRQ_TYPE_* flags, the controller at phandle 0x8001.
 */
static int three_cell_spec(const struct fdt_device *d, uint32_t *cells)
{
	static const uint32_t flags[] = { [FDT_IRQ_EDGE_RISING] = 1,
					  [FDT_IRQ_EDGE_FALLING] = 2,
					  [FDT_IRQ_LEVEL_HIGH] = 4,
					  [FDT_IRQ_LEVEL_LOW] = 8 };

	if (d->irq < 32 || d->irq >= 1020)
		return -EINVAL;
	cells[0] = 0;
	cells[1] = d->irq - 32;
	cells[2] = flags[d->irq_type];
	return 0;
}

static int three_cell_nodes(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = fdt_w_begin_node(w, "intc@8000000");

	(void)m;
	r = r ?: fdt_w_prop_string(w, "compatible", "test,three-cell");
	r = r ?: fdt_w_prop_reg(w, 0x8000000, 0x10000);
	r = r ?: fdt_w_prop_empty(w, "interrupt-controller");
	r = r ?: fdt_w_prop_u32(w, "#interrupt-cells", 3);
	r = r ?: fdt_w_prop_u32(w, "phandle", 0x8001);
	r = r ?: fdt_w_end_node(w);
	r = r ?: fdt_w_begin_node(w, "timer");
	r = r ?: fdt_w_prop_string(w, "compatible", "test,timer");
	return r ?: fdt_w_end_node(w);
}

static int three_cell_check(const struct fdt_machine *m, char *e, size_t n)
{
	for (unsigned int i = 0; i < m->ncpus; i++)
		if (m->cpu[i].reg >> 40)
			return err_printf(e, n, -EINVAL, "cpu %u: no such MPIDR", i);
	return 0;
}

static const struct fdt_arch three_cell_arch = {
	.cpu_reg_cells = 2,
	.irq_cells = 3,
	.irq_parent = 0x8001,
	.check = three_cell_check,
	.nodes = three_cell_nodes,
	.irq_spec = three_cell_spec,
};

START_TEST(arch_shapes_the_tree)
{
	struct fdt_machine m = machine(2, 64 * MiB);
	int off, intc;

	m.arch = &three_cell_arch;
	m.cpu[1].reg = 0x100; /* Aff1 = 1 */
	m.cpu[0].reg = 0x8000000000ULL; /* Aff3 = 0x80: needs the second cell */
	devs[0] = virtio(0);
	devs[0].irq = 48;
	devs[0].irq_type = FDT_IRQ_LEVEL_HIGH;
	m.devs = devs;
	m.ndevs = 1;
	ck_assert_int_eq(build(&m), 0);
	expect_cells(node("/cpus"), "#address-cells", CELLS(2));
	expect_cells(node("/cpus/cpu@100"), "reg", CELLS(0, 0x100));
	expect_cells(node("/cpus/cpu@8000000000"), "reg", CELLS(0x80, 0));
	intc = node("/intc@8000000");
	node("/timer");
	ck_assert_int_lt(fdt_path_offset(buf, TEST_INTC), 0);
	off = node("/virtio@d0000000");
	expect_cells(off, "interrupt-parent", CELLS(0x8001));
	expect_cells(off, "interrupts", CELLS(0, 16, 4));
	ck_assert_int_eq(fdt_node_offset_by_phandle(buf, 0x8001), intc);

	/* The guests' reader takes the arch's cell counts from the tree. */
	{
		uint32_t irq[DTB_MAX_IRQ_CELLS], nirq;
		struct dtb_reg reg;

		ck_assert_int_eq(dtb_init(&t_arch, buf, len), 0);
		ck_assert_int_eq(dtb_interrupt(&t_arch, off, 0, irq, &nirq), 0);
		ck_assert_uint_eq(nirq, 3);
		ck_assert_uint_eq(irq[1], 16);
		ck_assert_int_eq(dtb_reg(&t_arch, node("/cpus/cpu@100"), 0, &reg), 0);
		ck_assert_uint_eq(reg.naddr, 2);
		ck_assert_uint_eq(dtb_reg_addr(&reg), 0x100);
	}

	/* The arch validates its own part. */
	devs[0].irq = 5; /* not an SPI */
	ck_assert_int_eq(build(&m), -EINVAL);
	ck_assert_msg(strstr(err, "no input 5") != NULL, "%s", err);
	devs[0].irq = 48;
	m.cpu[1].reg = 1ULL << 40;
	ck_assert_int_eq(build(&m), -EINVAL);
	ck_assert_msg(strstr(err, "cpu 1: no such MPIDR") != NULL, "%s", err);
	ck_assert_int_ne(fdt_check_header(buf), 0);
}
END_TEST

START_TEST(no_arch_no_interrupt_controller)
{
	struct fdt_machine m = machine(2, 64 * MiB);
	int depth = 0;

	m.arch = NULL;
	devs[0] = virtio(0);
	devs[0].has_irq = false;
	m.devs = devs;
	m.ndevs = 1;
	ck_assert_int_eq(build(&m), 0);
	expect_cells(node("/cpus"), "#address-cells", CELLS(1));
	ck_assert(fdt_getprop(buf, node("/virtio@d0000000"), "interrupts", NULL) == NULL);
	for (int off = fdt_next_node(buf, -1, &depth); off >= 0;
	     off = fdt_next_node(buf, off, &depth))
		ck_assert(fdt_getprop(buf, off, "interrupt-controller", NULL) == NULL);
	devs[0].has_irq = true;
	ck_assert_int_eq(build(&m), -EINVAL);
	ck_assert_msg(strstr(err, "no interrupt controller") != NULL, "%s", err);
}
END_TEST

static int nodes_left_open(struct fdt_writer *w, const struct fdt_machine *m)
{
	(void)m;
	return fdt_w_begin_node(w, "open");
}

static int nodes_close_root(struct fdt_writer *w, const struct fdt_machine *m)
{
	(void)m;
	return fdt_w_end_node(w);
}

static int nodes_no_intc(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = fdt_w_begin_node(w, "interrupt-controller@0");

	(void)m;
	r = r ?: fdt_w_prop_u32(w, "phandle", TEST_PHANDLE_INTC);
	return r ?: fdt_w_end_node(w); /* no interrupt-controller, no cells */
}

static int nodes_drop_error(struct fdt_writer *w, const struct fdt_machine *m)
{
	(void)m;
	fdt_w_begin_node(w, "bad name");
	return 0;
}

START_TEST(misbehaving_arch)
{
	static const struct {
		int (*nodes)(struct fdt_writer *, const struct fdt_machine *);
		unsigned int irq_cells;
		uint32_t irq_parent;
		const char *msg;
	} bad[] = {
		{ nodes_left_open, 2, TEST_PHANDLE_INTC, "arch's device tree nodes" },
		{ nodes_close_root, 2, TEST_PHANDLE_INTC, "arch's device tree nodes" },
		{ nodes_drop_error, 2, TEST_PHANDLE_INTC, "arch's device tree nodes" },
		{ nodes_no_intc, 2, TEST_PHANDLE_INTC, "not an interrupt controller" },
		{ test_nodes, 3, TEST_PHANDLE_INTC, "with 3 interrupt cells" },
		{ test_nodes, 2, 7, "phandle 7 is not" },
		{ NULL, 2, TEST_PHANDLE_INTC, "incomplete" },
		{ test_nodes, 0, TEST_PHANDLE_INTC, "incomplete" },
		{ test_nodes, FDT_MAX_IRQ_CELLS + 1, TEST_PHANDLE_INTC, "incomplete" },
	};
	struct fdt_machine m = big_machine();

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct fdt_arch a = test_arch;

		a.nodes = bad[i].nodes;
		a.irq_cells = bad[i].irq_cells;
		a.irq_parent = bad[i].irq_parent;
		m.arch = &a;
		ck_assert_int_eq(build(&m), -EINVAL);
		ck_assert_msg(strstr(err, bad[i].msg) != NULL, "%u: %s", i, err);
		ck_assert_int_ne(fdt_check_header(buf), 0);
	}
	{
		struct fdt_arch a = test_arch;

		a.cpu_reg_cells = 3;
		m.arch = &a;
		ck_assert_int_eq(build(&m), -EINVAL);
		ck_assert_msg(strstr(err, "incomplete") != NULL, "%s", err);
	}
}
END_TEST

/* ---- the guests' reader (guests/common/dtb.c) ---------------------------- */


static void open_big(void)
{
	struct fdt_machine m = big_machine();

	ck_assert_int_eq(build(&m), 0);
	ck_assert_int_eq(dtb_init(&t, buf, len), 0);
}

START_TEST(reader_finds_devices)
{
	uint32_t irq[DTB_MAX_IRQ_CELLS], nirq, v;
	struct dtb_reg reg;
	const char *s;
	int uart, isa, n = 0, off;

	open_big();
	ck_assert_int_eq(dtb_root(&t), 0);
	uart = dtb_find_compatible(&t, -1, "ns16550a");
	/* Node handles are libfdt's node offsets. */
	ck_assert_int_eq(uart, fdt_path_offset(buf, "/isa/serial@i3f8"));
	ck_assert_int_eq(dtb_find_path(&t, "/isa/serial@i3f8"), uart);
	ck_assert_int_eq(dtb_find_path(&t, "/isa/serial"), uart);
	isa = dtb_parent(&t, uart);
	ck_assert_int_eq(isa, dtb_find_path(&t, "/isa"));
	ck_assert_int_eq(dtb_node_name(&t, uart, &s), 0);
	ck_assert_str_eq(s, "serial@i3f8");
	ck_assert_int_eq(dtb_reg(&t, uart, 0, &reg), 0);
	ck_assert_uint_eq(reg.naddr, 2);
	ck_assert_uint_eq(reg.addr[0], 1);
	ck_assert_uint_eq(reg.addr[1], 0x3f8);
	ck_assert_uint_eq(reg.size, 8);
	ck_assert_int_eq(dtb_reg(&t, uart, 1, &reg), -DTB_ENOENT);
	ck_assert_int_eq(dtb_interrupt(&t, uart, 0, irq, &nirq), 0);
	ck_assert_uint_eq(nirq, 2);
	ck_assert_uint_eq(irq[0], 4);
	ck_assert_uint_eq(irq[1], FDT_IRQ_EDGE_RISING);
	ck_assert_int_eq(dtb_interrupt(&t, uart, 1, irq, &nirq), -DTB_ENOENT);
	ck_assert_int_eq(dtb_prop_u32(&t, uart, "clock-frequency", &v), 0);
	ck_assert_uint_eq(v, 1843200);

	for (off = dtb_find_compatible(&t, -1, "virtio,mmio"); off >= 0;
	     off = dtb_find_compatible(&t, off, "virtio,mmio"), n++) {
		ck_assert_int_eq(dtb_reg(&t, off, 0, &reg), 0);
		ck_assert_uint_eq(dtb_reg_addr(&reg), 0xd0000000 + 0x1000 * n);
		ck_assert_uint_eq(reg.size, 0x200);
		ck_assert_int_eq(dtb_interrupt(&t, off, 0, irq, &nirq), 0);
		ck_assert_uint_eq(irq[0], 5 + n);
	}
	ck_assert_int_eq(off, -DTB_ENOENT);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(dtb_find_phandle(&t, TEST_PHANDLE_INTC),
			 fdt_node_offset_by_compatible(buf, -1, "test,intc"));
	ck_assert_int_eq(dtb_find_phandle(&t, 77), -DTB_ENOENT);
	ck_assert_int_eq(dtb_find_compatible(&t, -1, "acme,none"), -DTB_ENOENT);
	ck_assert_int_eq(dtb_parent(&t, 0), -DTB_ENOENT);
}
END_TEST

START_TEST(reader_walks_cpus_memory_chosen)
{
	struct dtb_reg reg;
	uint64_t mem = 0;
	const char *s;
	int cpus, c, n = 0;

	open_big();
	cpus = dtb_find_path(&t, "/cpus");
	ck_assert_int_ge(cpus, 0);
	for (c = dtb_first_child(&t, cpus); c >= 0; c = dtb_next_sibling(&t, c)) {
		ck_assert(dtb_prop_has_string(&t, c, "device_type", "cpu"));
		ck_assert_int_eq(dtb_reg(&t, c, 0, &reg), 0);
		ck_assert_uint_eq(reg.naddr, 1);
		ck_assert_uint_eq(dtb_reg_addr(&reg), (unsigned int)n);
		ck_assert_uint_eq(reg.size, 0);
		n++;
	}
	ck_assert_int_eq(c, -DTB_ENOENT);
	ck_assert_int_eq(n, 4);
	for (c = dtb_first_child(&t, 0); c >= 0; c = dtb_next_sibling(&t, c))
		if (dtb_prop_has_string(&t, c, "device_type", "memory") &&
		    dtb_reg(&t, c, 0, &reg) == 0)
			mem += reg.size;
	ck_assert_uint_eq(mem, 5 * GiB);
	ck_assert_int_eq(dtb_find_path(&t, "/memory"), dtb_find_path(&t, "/memory@0"));
	ck_assert_int_eq(dtb_prop_string(&t, dtb_find_path(&t, "/chosen"),
					 "bootargs", &s), 0);
	ck_assert_str_eq(s, "console=ttyS0 reboot=k");
	ck_assert_int_eq(dtb_prop_string(&t, dtb_find_path(&t, "/"), "model", &s), 0);
	ck_assert_str_eq(s, "test box");
	ck_assert_int_eq(dtb_find_path(&t, "/cpus/cpu@7"), -DTB_ENOENT);
	ck_assert_int_eq(dtb_find_path(&t, "/memory@0/x"), -DTB_ENOENT);
	ck_assert_int_eq(dtb_find_path(&t, "cpus"), -DTB_EINVAL);
	ck_assert_int_eq(dtb_find_path(&t, "/"), 0);
	/* Not a node offset: rejected, not followed. */
	ck_assert_int_eq(dtb_first_child(&t, 4), -DTB_EINVAL);
	ck_assert_int_eq(dtb_first_child(&t, 3), -DTB_EINVAL);
	ck_assert_int_eq(dtb_prop_u32(&t, 1 << 20, "reg", (uint32_t[1]){ 0 }),
			 -DTB_EINVAL);
}
END_TEST

/* NOP tokens (what libfdt leaves after deleting) are skipped. */
START_TEST(reader_skips_nops)
{
	const char *s;
	int chosen;

	open_big();
	ck_assert_int_eq(fdt_nop_property(buf, 0, "model"), 0);
	ck_assert_int_eq(fdt_nop_node(buf, fdt_path_offset(buf, "/cpus")), 0);
	ck_assert_int_eq(dtb_init(&t, buf, len), 0);
	ck_assert_int_eq(dtb_get_prop(&t, 0, "model", &(const uint8_t *){ 0 },
				      &(uint32_t){ 0 }),
			 -DTB_ENOENT);
	ck_assert_int_eq(dtb_find_path(&t, "/cpus"), -DTB_ENOENT);
	chosen = dtb_find_path(&t, "/chosen");
	ck_assert_int_eq(dtb_prop_string(&t, chosen, "stdout-path", &s), 0);
	ck_assert_int_eq(dtb_find_path(&t, s), dtb_find_compatible(&t, -1, "ns16550a"));
}
END_TEST

/* Fake guest memory with a zero page and a setup_data chain. */
static uint8_t gmem[1 << 20];

static void put_le(uint64_t gpa, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		gmem[gpa + i] = (uint8_t)(v >> (8 * i));
}

static void setup_data_at(uint64_t gpa, uint64_t next, uint32_t type,
			  uint32_t n)
{
	put_le(gpa, next, 8);
	put_le(gpa + 8, type, 4);
	put_le(gpa + 12, n, 4);
}

START_TEST(setup_data_chain)
{
	uintptr_t base = (uintptr_t)gmem;
	const uint64_t zp = 0x7000, sd = 0x30000, dt = 0x30100;
	const void *blob;
	uint32_t n;

	open_big();
	memset(gmem, 0, sizeof(gmem));
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), zp, &blob, &n),
			 -DTB_ENOENT);
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), 0, &blob, &n),
			 -DTB_ENOENT);
	/* An unrelated entry (SETUP_E820_EXT) first, then the DTB. */
	put_le(zp + BOOT_PARAMS_SETUP_DATA, sd, 8);
	setup_data_at(sd, dt, 1, 0x20);
	setup_data_at(dt, 0, SETUP_DTB, (uint32_t)len);
	memcpy(gmem + dt + SETUP_DATA_HDR_SIZE, buf, len);
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), zp, &blob, &n), 0);
	ck_assert_ptr_eq(blob, gmem + dt + SETUP_DATA_HDR_SIZE);
	ck_assert_uint_eq(n, len);
	ck_assert_int_eq(dtb_init(&t, blob, n), 0);
	ck_assert_int_ge(dtb_find_compatible(&t, -1, "ns16550a"), 0);

	/* A DTB entry longer than guest memory. */
	setup_data_at(dt, 0, SETUP_DTB, sizeof(gmem));
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), zp, &blob, &n),
			 -DTB_EINVAL);
	/* A loop, a link out of memory, an entry straddling its end. */
	setup_data_at(dt, sd, 1, 0);
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), zp, &blob, &n),
			 -DTB_EINVAL);
	setup_data_at(dt, 1ULL << 40, 1, 0);
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), zp, &blob, &n),
			 -DTB_EINVAL);
	setup_data_at(dt, sizeof(gmem) - 8, 1, 0);
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), zp, &blob, &n),
			 -DTB_EINVAL);
	setup_data_at(dt, UINT64_MAX - 3, 1, 0);
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), zp, &blob, &n),
			 -DTB_EINVAL);
	/* The zero page itself outside memory. */
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), sizeof(gmem) - 0x100,
					    &blob, &n),
			 -DTB_EINVAL);
	ck_assert_int_eq(dtb_find_setup_dtb(base, sizeof(gmem), UINT64_MAX - 0x100,
					    &blob, &n),
			 -DTB_EINVAL);
}
END_TEST

/* Copies the built tree into a heap buffer of exactly len bytes. */
static uint8_t *exact_copy(void)
{
	uint8_t *p = malloc(len);

	ck_assert(p != NULL);
	memcpy(p, buf, len);
	return p;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * The same tree with the strings block before the structure block (legal:
 * the header says where each one is), in a heap buffer that ends where the
 * structure block ends, so an overread of that block is an ASan error too.
 * Sets *n to the new size.
 */
static uint8_t *struct_last_copy(size_t *n)
{
	uint32_t so = fdt_off_dt_struct(buf), ss = fdt_size_dt_struct(buf);
	uint32_t stro = fdt_off_dt_strings(buf), strs = fdt_size_dt_strings(buf);
	uint32_t new_so = (so + strs + 3) & ~3u;
	uint8_t *p;

	ck_assert_uint_lt(so, stro); /* libfdt's order: struct, then strings */
	*n = new_so + ss;
	p = calloc(1, *n);
	ck_assert(p != NULL);
	memcpy(p, buf, so); /* header and memory reservation block */
	memcpy(p + so, buf + stro, strs);
	memcpy(p + new_so, buf + so, ss);
	put_be32(p + 4, (uint32_t)*n);
	put_be32(p + 8, new_so);
	put_be32(p + 12, so);
	return p;
}

/* Runs every query; none may crash or read outside the blob. */
static void query_all(const uint8_t *blob, size_t n)
{
	uint32_t irq[DTB_MAX_IRQ_CELLS], nirq, v;
	struct dtb_reg reg;
	struct dtb d;
	const char *s;
	int off, c, steps = 0;

	if (dtb_init(&d, blob, n))
		return;
	for (off = dtb_find_compatible(&d, -1, "ns16550a"); off >= 0 && steps < 64;
	     off = dtb_find_compatible(&d, off, "virtio,mmio"), steps++) {
		dtb_reg(&d, off, 0, &reg);
		dtb_interrupt(&d, off, 0, irq, &nirq);
		dtb_node_name(&d, off, &s);
		dtb_parent(&d, off);
	}
	for (c = dtb_first_child(&d, dtb_root(&d)); c >= 0 && steps < 256;
	     c = dtb_next_sibling(&d, c), steps++) {
		if (dtb_prop_string(&d, c, "device_type", &s) == 0)
			ck_assert_uint_lt(strlen(s), n); /* reads it all */
		if (dtb_node_name(&d, c, &s) == 0)
			ck_assert_uint_lt(strlen(s), n);
		dtb_prop_u32(&d, c, "phandle", &v);
		dtb_reg(&d, c, 0, &reg);
		dtb_first_child(&d, c);
	}
	dtb_find_path(&d, "/isa/serial@i3f8");
	dtb_find_path(&d, "/chosen");
	dtb_find_phandle(&d, 1);
}

START_TEST(reader_rejects_corrupt_headers)
{
	uint8_t *p;
	uint32_t size_struct, off_strings;

	open_big();
	size_struct = fdt_size_dt_struct(buf);
	off_strings = fdt_off_dt_strings(buf);
#define CORRUPT(field_off, value)                                     \
	do {                                                          \
		p = exact_copy();                                     \
		put_be32(p + (field_off), (value));                   \
		ck_assert_int_eq(dtb_init(&t, p, len), -DTB_EINVAL);  \
		free(p);                                              \
	} while (0)
	CORRUPT(0, 0xd00dfeee);                      /* magic */
	CORRUPT(4, (uint32_t)len + 1);               /* totalsize > buffer */
	CORRUPT(4, 39);                              /* totalsize < header */
	CORRUPT(8, (uint32_t)len);                   /* off_dt_struct at the end */
	CORRUPT(8, 0xfffffff0);                      /* off_dt_struct wraps */
	CORRUPT(8, 42);                              /* off_dt_struct unaligned */
	CORRUPT(12, 0xffffff00);                     /* off_dt_strings beyond */
	CORRUPT(20, 16);                             /* version */
	CORRUPT(24, 18);                             /* last_comp_version */
	CORRUPT(32, (uint32_t)len - off_strings + 1); /* size_dt_strings */
	CORRUPT(36, size_struct + 0x10000);          /* size_dt_struct */
#undef CORRUPT
	ck_assert_int_eq(dtb_init(&t, buf, 39), -DTB_EINVAL);
	ck_assert_int_eq(dtb_init(&t, buf, len - 1), -DTB_EINVAL);
	ck_assert_int_eq(dtb_init(&t, NULL, len), -DTB_EINVAL);
}
END_TEST

START_TEST(reader_rejects_corrupt_structure)
{
	uint32_t so, ss, stro;
	int uart, root_prop;
	uint8_t *p;
	struct dtb d;
	size_t n;

	open_big();
	so = fdt_off_dt_struct(buf);
	ss = fdt_size_dt_struct(buf);
	stro = fdt_off_dt_strings(buf);
	uart = fdt_path_offset(buf, "/isa/serial@i3f8");
	root_prop = fdt_first_property_offset(buf, 0);

	/* A property name offset beyond the strings block. */
	p = exact_copy();
	put_be32(p + so + root_prop + 8, 0x7fffff00);
	ck_assert_int_eq(dtb_init(&d, p, len), 0);
	ck_assert_int_eq(dtb_prop_u32(&d, 0, "#size-cells", (uint32_t[1]){ 0 }),
			 -DTB_EINVAL);
	ck_assert_int_eq(dtb_find_compatible(&d, -1, "ns16550a"), -DTB_EINVAL);
	query_all(p, len);
	free(p);

	/* A property value longer than the structure block. */
	p = exact_copy();
	put_be32(p + so + root_prop + 4, 0xfffffff0);
	ck_assert_int_eq(dtb_init(&d, p, len), 0);
	ck_assert_int_eq(dtb_find_path(&d, "/cpus"), -DTB_EINVAL);
	query_all(p, len);
	free(p);

	/* An unknown token where the uart node begins. */
	p = exact_copy();
	put_be32(p + so + uart, 7);
	ck_assert_int_eq(dtb_init(&d, p, len), 0);
	ck_assert_int_eq(dtb_find_compatible(&d, -1, "ns16550a"), -DTB_EINVAL);
	query_all(p, len);
	free(p);

	/* A node name that runs to the end of the structure block (and of
	 * the buffer: the block is moved last). */
	p = struct_last_copy(&n);
	ck_assert_int_eq(dtb_init(&d, p, n), 0);
	ck_assert_int_eq(dtb_find_path(&d, "/isa/serial@i3f8"), uart);
	so = fdt_off_dt_struct(p);
	memset(p + so + uart + 4, 'a', ss - (uint32_t)uart - 4);
	ck_assert_int_eq(dtb_find_path(&d, "/isa/serial@i3f8"), -DTB_EINVAL);
	ck_assert_int_eq(dtb_node_name(&d, uart, &(const char *){ 0 }), -DTB_EINVAL);
	query_all(p, n);
	free(p);

	/* A last property whose value would run past the block's end. */
	p = struct_last_copy(&n);
	so = fdt_off_dt_struct(p);
	put_be32(p + so + ss - 8, FDT_PROP); /* over END_NODE, END */
	ck_assert_int_eq(dtb_init(&d, p, n), 0);
	ck_assert_int_eq(dtb_find_phandle(&d, 77), -DTB_EINVAL);
	query_all(p, n);
	free(p);

	/* The strings block with no NUL at all: no property name ends. */
	p = exact_copy();
	memset(p + stro, 'z', len - stro);
	ck_assert_int_eq(dtb_init(&d, p, len), 0);
	ck_assert_int_eq(dtb_find_compatible(&d, -1, "ns16550a"), -DTB_EINVAL);
	query_all(p, len);
	free(p);

	/* A structure block cut before the root closes. */
	p = exact_copy();
	put_be32(p + 36, (uint32_t)uart);
	ck_assert_int_eq(dtb_init(&d, p, len), 0);
	ck_assert_int_eq(dtb_find_compatible(&d, -1, "ns16550a"), -DTB_EINVAL);
	ck_assert_int_eq(dtb_next_sibling(&d, dtb_find_path(&d, "/isa")), -DTB_EINVAL);
	query_all(p, len);
	free(p);

	/* A string property without its NUL. */
	p = exact_copy();
	ck_assert_int_eq(fdt_setprop_inplace(p, fdt_path_offset(p, "/cpus/cpu@0"),
					     "device_type", "cpux", 4), 0);
	ck_assert_int_eq(dtb_init(&d, p, len), 0);
	ck_assert_int_eq(dtb_prop_string(&d, fdt_path_offset(p, "/cpus/cpu@0"),
					 "device_type", &(const char *){ 0 }),
			 -DTB_EINVAL);
	ck_assert(!dtb_prop_has_string(&d, fdt_path_offset(p, "/cpus/cpu@0"),
				       "device_type", "cpu"));
	free(p);

	/* reg whose size is no multiple of the parent's cells. */
	p = exact_copy();
	ck_assert_int_eq(fdt_setprop_inplace_u32(p, fdt_path_offset(p, "/isa"),
						 "#size-cells", 2), 0);
	ck_assert_int_eq(dtb_init(&d, p, len), 0);
	ck_assert_int_eq(dtb_reg(&d, uart, 0, &(struct dtb_reg){ 0 }), -DTB_EINVAL);
	free(p);
}
END_TEST

/* Deterministic random byte flips: the reader must survive all of them. */
START_TEST(reader_survives_mutations)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	open_big();
	for (int i = 0; i < 3000; i++) {
		uint8_t *p = exact_copy();
		int flips = 1 + i % 8;

		for (int f = 0; f < flips; f++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			/* Mostly the header and the structure block. */
			p[(x >> 8) % (i % 3 ? fdt_off_dt_strings(buf) : len)] ^=
				(uint8_t)(1u << (x % 8));
		}
		query_all(p, len);
		free(p);
	}
}
END_TEST

/* The same with the structure block at the end of the buffer. */
START_TEST(reader_survives_mutations_struct_last)
{
	uint64_t x = 0x2545f4914f6cdd1dULL;
	size_t n;

	open_big();
	for (int i = 0; i < 3000; i++) {
		uint8_t *p = struct_last_copy(&n);
		int flips = 1 + i % 8;

		for (int f = 0; f < flips; f++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p[(x >> 8) % n] ^= (uint8_t)(1u << (x % 8));
		}
		query_all(p, n);
		free(p);
	}
}
END_TEST

Suite *fdt_suite(void)
{
	Suite *s = suite_create("fdt");
	TCase *tc = tcase_create("builder");
	TCase *rd = tcase_create("guest reader");

	tcase_add_test(tc, one_cpu_no_devices);
	tcase_add_test(tc, four_cpus_with_devices);
	tcase_add_test(tc, all_interrupt_parents_resolve);
	tcase_add_test(tc, no_space_no_tree);
	tcase_add_test(tc, bootargs_too_long);
	tcase_add_test(tc, too_many_devices);
	tcase_add_test(tc, bad_descriptions);
	tcase_add_test(tc, misbehaving_emitters);
	tcase_add_test(tc, dump_file);
	tcase_add_test(tc, dump_fd);
	tcase_add_test(tc, arch_shapes_the_tree);
	tcase_add_test(tc, no_arch_no_interrupt_controller);
	tcase_add_test(tc, misbehaving_arch);
	suite_add_tcase(s, tc);
	tcase_add_test(rd, reader_finds_devices);
	tcase_add_test(rd, reader_walks_cpus_memory_chosen);
	tcase_add_test(rd, reader_skips_nops);
	tcase_add_test(rd, setup_data_chain);
	tcase_add_test(rd, reader_rejects_corrupt_headers);
	tcase_add_test(rd, reader_rejects_corrupt_structure);
	tcase_add_test(rd, reader_survives_mutations);
	tcase_add_test(rd, reader_survives_mutations_struct_last);
	tcase_set_timeout(rd, 60);
	suite_add_tcase(s, rd);
	return s;
}
