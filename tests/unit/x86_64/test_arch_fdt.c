// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64's part of the device tree (vmm/arch/x86_64/fdt.c), through the
 * hook vm.c calls: the IOAPIC and local APIC nodes Linux's
 * arch/x86/kernel/devicetree.c reads, two-cell <pin sense> specifiers with
 * the senses of its of_ioapic_type[] table, and CPUs numbered by local
 * APIC ID.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "arch.h"
#include "fdt.h"
#include "serial8250.h"
#include "suites.h"
#include "vm.h"

static uint8_t buf[FDT_MAX_SIZE];
static size_t len;
static char err[256];
static struct vm vm;
static struct vm_config cfg;
static struct fdt_device devs[5];

/* The machine vm.c would describe: nvcpus vCPUs, 64 MiB, the UART. */
static struct fdt_machine machine(unsigned int nvcpus)
{
	struct fdt_machine m = { .name = "x86", .nmem = 1 };

	config_init(&cfg);
	memset(&vm, 0, sizeof(vm));
	vm.cfg = &cfg;
	vm.nvcpus = nvcpus;
	cfg.pin[1] = 3;
	m.mem[0] = (struct fdt_mem_region){ 0, 64 << 20 };
	devs[0] = (struct fdt_device){
		.node = serial8250_fdt_node, .bus = FDT_BUS_ISA_IO,
		.base = SERIAL8250_COM1_BASE, .size = SERIAL8250_NR_REGS,
		.has_irq = true, .irq = SERIAL8250_COM1_IRQ,
		.irq_type = FDT_IRQ_EDGE_RISING, .console = true,
	};
	m.devs = devs;
	m.ndevs = 1;
	arch_fdt_describe(&vm, &m);
	return m;
}

static int build(const struct fdt_machine *m)
{
	return fdt_build(m, buf, sizeof(buf), &len, err, sizeof(err));
}

static int node(const char *path)
{
	int off = fdt_path_offset(buf, path);

	ck_assert_msg(off >= 0, "%s: %s", path, fdt_strerror(off));
	return off;
}

/* Checks a property's cells; n == 0 means an empty property. */
static void expect_cells(int off, const char *name, const uint32_t *want,
			 int n)
{
	int plen;
	const fdt32_t *p = fdt_getprop(buf, off, name, &plen);

	ck_assert_msg(p != NULL, "no %s", name);
	ck_assert_msg(plen == 4 * n, "%s: %d bytes, want %d", name, plen, 4 * n);
	for (int i = 0; i < n; i++)
		ck_assert_uint_eq(fdt32_to_cpu(p[i]), want[i]);
}

#define CELLS(...) (const uint32_t[]){ __VA_ARGS__ }, \
	(int)(sizeof((const uint32_t[]){ __VA_ARGS__ }) / 4)

START_TEST(ioapic_and_lapic)
{
	struct fdt_machine m = machine(2);
	int ioapic, lapic, uart;

	ck_assert_ptr_eq(m.arch, arch_fdt_model());
	ck_assert_int_eq(build(&m), 0);
	ioapic = node("/interrupt-controller@fec00000");
	ck_assert_int_eq(fdt_node_check_compatible(buf, ioapic, "intel,ce4100-ioapic"), 0);
	expect_cells(ioapic, "reg", CELLS(0, 0xfec00000, 0, 0x1000));
	expect_cells(ioapic, "interrupt-controller", NULL, 0);
	expect_cells(ioapic, "#interrupt-cells", CELLS(2));
	expect_cells(ioapic, "#address-cells", CELLS(0));
	ck_assert_uint_eq(fdt_get_phandle(buf, ioapic), 1);
	lapic = node("/interrupt-controller@fee00000");
	ck_assert_int_eq(fdt_node_check_compatible(buf, lapic, "intel,ce4100-lapic"), 0);
	expect_cells(lapic, "reg", CELLS(0, 0xfee00000, 0, 0x1000));
	ck_assert_uint_eq(fdt_get_phandle(buf, lapic), 2);
	ck_assert(fdt_getprop(buf, lapic, "interrupt-controller", NULL) == NULL);
	/* Between /memory and the devices, as before the arch split. */
	ck_assert_int_lt(node("/memory@0"), ioapic);
	ck_assert_int_lt(lapic, node("/isa"));

	uart = node("/isa/serial@i3f8");
	expect_cells(uart, "interrupt-parent", CELLS(1));
	expect_cells(uart, "interrupts", CELLS(4, 3));

	/* CPUs: reg = local APIC ID = vCPU index, one cell. */
	expect_cells(node("/cpus"), "#address-cells", CELLS(1));
	expect_cells(node("/cpus/cpu@0"), "reg", CELLS(0));
	expect_cells(node("/cpus/cpu@1"), "reg", CELLS(1));
	expect_cells(node("/cpus/cpu@1"), "tessera,host-cpu", CELLS(3));
	ck_assert(fdt_getprop(buf, node("/cpus/cpu@0"), "tessera,host-cpu", NULL) == NULL);
}
END_TEST

/* Linux's of_ioapic_type[]: 0 edge falling, 1 level high, 2 level low, 3 edge rising. */
START_TEST(specifier_senses)
{
	static const struct {
		enum fdt_irq_type t;
		uint32_t cell;
	} senses[] = {
		{ FDT_IRQ_EDGE_FALLING, 0 },
		{ FDT_IRQ_LEVEL_HIGH, 1 },
		{ FDT_IRQ_LEVEL_LOW, 2 },
		{ FDT_IRQ_EDGE_RISING, 3 },
	};
	struct fdt_machine m = machine(1);

	for (unsigned int i = 0; i < 4; i++) {
		devs[1 + i] = (struct fdt_device){
			.node = fdt_virtio_mmio_node, .bus = FDT_BUS_MMIO,
			.base = 0xd0000000 + 0x200 * i, .size = 0x200,
			.has_irq = true, .irq = 20 + i, .irq_type = senses[i].t,
		};
	}
	m.ndevs = 5;
	ck_assert_int_eq(build(&m), 0);
	for (unsigned int i = 0; i < 4; i++) {
		char path[32];

		snprintf(path, sizeof(path), "/virtio@%x", 0xd0000000 + 0x200 * i);
		expect_cells(node(path), "interrupts", CELLS(20 + i, senses[i].cell));
	}
	/* Pin 23 is the IOAPIC's last; 24 does not exist. */
	devs[4].irq = 24;
	ck_assert_int_eq(build(&m), -EINVAL);
	ck_assert_msg(strstr(err, "no input 24") != NULL, "%s", err);
}
END_TEST

START_TEST(apic_ids)
{
	struct fdt_machine m = machine(CONFIG_MAX_CPUS);

	ck_assert_uint_eq(m.ncpus, CONFIG_MAX_CPUS);
	ck_assert_int_eq(build(&m), 0);
	expect_cells(node("/cpus/cpu@3f"), "reg", CELLS(63));
	m.cpu[5].reg = 0xff; /* the broadcast ID */
	ck_assert_int_eq(build(&m), -EINVAL);
	ck_assert_msg(strstr(err, "cpu 5: local APIC ID 255") != NULL, "%s", err);
}
END_TEST

Suite *arch_fdt_suite(void)
{
	Suite *s = suite_create("arch_fdt");
	TCase *tc = tcase_create("x86_64");

	tcase_add_test(tc, ioapic_and_lapic);
	tcase_add_test(tc, specifier_senses);
	tcase_add_test(tc, apic_ids);
	suite_add_tcase(s, tc);
	return s;
}
