// SPDX-License-Identifier: GPL-2.0
/*
 * The platform's pure parts: the placement allocator (resource.c, with the
 * x86 seed), the GSI routing table (irq.c) and the device list
 * (devices.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "devices.h"
#include "iothread.h"
#include "irq.h"
#include "resource.h"
#include "suites.h"
#include "virtio/mmio.h"
#include "vm.h"

/* Two irqchip numbers (x86's IOAPIC and PIC master): the table takes any. */
#define CHIP_A 2u
#define CHIP_B 0u

/* --- resource.c -------------------------------------------------------- */

START_TEST(mmio_window_aligned_and_bounded)
{
	struct resources r;
	gpa_t b;

	resource_init(&r);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0x200, 0x200, &b), -ENOSPC);
	ck_assert_int_eq(resource_set_mmio_window(&r, 0x1000, 0), -EINVAL);
	ck_assert_int_eq(resource_set_mmio_window(&r, ~0ULL - 0xff, 0x200),
			 -EINVAL);
	ck_assert_int_eq(resource_set_mmio_window(&r, 0x1100, 0x1000), 0);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0x10, 0, &b), 0);
	ck_assert_uint_eq(b, 0x1100);
	/* The next aligned slot, not the next byte. */
	ck_assert_int_eq(resource_alloc_mmio(&r, 0x200, 0x200, &b), 0);
	ck_assert_uint_eq(b, 0x1200);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0x200, 0x300, &b), -EINVAL);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0, 0x200, &b), -EINVAL);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0xc00, 0x200, &b), 0);
	ck_assert_uint_eq(b, 0x1400);
	/* [0x2000, 0x2100) is left: 0x200 does not fit, 0x100 does. */
	ck_assert_int_eq(resource_alloc_mmio(&r, 0x200, 0x200, &b), -ENOSPC);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0x100, 0x100, &b), 0);
	ck_assert_uint_eq(b, 0x2000);
	ck_assert_int_eq(resource_alloc_mmio(&r, 1, 0, &b), -ENOSPC);
}
END_TEST

START_TEST(mmio_alignment_cannot_wrap)
{
	struct resources r;
	gpa_t b;

	resource_init(&r);
	ck_assert_int_eq(resource_set_mmio_window(&r, ~0ULL - 0xfff, 0xfff), 0);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0x10, 1ULL << 63, &b), -ENOSPC);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0x1000, 0, &b), -ENOSPC);
	ck_assert_int_eq(resource_alloc_mmio(&r, 0xfff, 0, &b), 0);
	ck_assert_uint_eq(b, ~0ULL - 0xfff);
}
END_TEST

START_TEST(lines_free_first_then_least_shared)
{
	struct resources r;
	uint32_t l;
	bool shared;

	resource_init(&r);
	ck_assert_int_eq(resource_alloc_line(&r, true, &l, &shared), -ENOSPC);
	ck_assert_int_eq(resource_add_line(&r, 5), 0);
	ck_assert_int_eq(resource_add_line(&r, 6), 0);
	ck_assert_int_eq(resource_add_line(&r, 5), -EEXIST);
	ck_assert_int_eq(resource_alloc_line(&r, false, &l, &shared), 0);
	ck_assert_uint_eq(l, 5);
	ck_assert(!shared);
	ck_assert_int_eq(resource_alloc_line(&r, false, &l, &shared), 0);
	ck_assert_uint_eq(l, 6);
	ck_assert(!shared);
	/* None free: only a caller that can share gets one. */
	ck_assert_int_eq(resource_alloc_line(&r, false, &l, &shared), -ENOSPC);
	ck_assert_int_eq(resource_alloc_line(&r, true, &l, &shared), 0);
	ck_assert_uint_eq(l, 5);
	ck_assert(shared);
	ck_assert_int_eq(resource_alloc_line(&r, true, &l, &shared), 0);
	ck_assert_uint_eq(l, 6);
	ck_assert_int_eq(resource_alloc_line(&r, true, &l, &shared), 0);
	ck_assert_uint_eq(l, 5);
}
END_TEST

START_TEST(lines_pool_is_bounded)
{
	struct resources r;

	resource_init(&r);
	for (uint32_t i = 0; i < RESOURCE_MAX_LINES; i++)
		ck_assert_int_eq(resource_add_line(&r, i), 0);
	ck_assert_int_eq(resource_add_line(&r, RESOURCE_MAX_LINES), -ENOSPC);
}
END_TEST

/* --- irq.c: the GSI routing table ---------------------------------------- */

static const struct kvm_irq_routing_entry *find(const struct irq_routes *t,
						uint32_t gsi, uint32_t type)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->e[i].gsi == gsi && t->e[i].type == type)
			return &t->e[i];
	return NULL;
}

START_TEST(routes_msi_add_update_remove)
{
	struct irq_routes t;
	const struct kvm_irq_routing_entry *e;

	irq_routes_init(&t);
	ck_assert_int_eq(irq_routes_add_msi(&t, 24, 0xfee00000ULL, 0x41), 0);
	ck_assert_int_eq(irq_routes_add_msi(&t, 24, 0xfee00000ULL, 0x42), -EEXIST);
	ck_assert_int_eq(irq_routes_add_msi(&t, 25, 0x1fee01000ULL, 0x42), 0);
	e = find(&t, 25, KVM_IRQ_ROUTING_MSI);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->u.msi.address_lo, 0xfee01000u);
	ck_assert_uint_eq(e->u.msi.address_hi, 1);
	ck_assert_uint_eq(e->u.msi.data, 0x42);
	ck_assert_int_eq(irq_routes_update_msi(&t, 25, 0xfee02000ULL, 0x43), 0);
	ck_assert_uint_eq(e->u.msi.address_lo, 0xfee02000u);
	ck_assert_uint_eq(e->u.msi.address_hi, 0);
	ck_assert_uint_eq(e->u.msi.data, 0x43);
	ck_assert_int_eq(irq_routes_update_msi(&t, 26, 0, 0), -ENOENT);
	ck_assert_int_eq(irq_routes_remove(&t, 24), 0);
	ck_assert_int_eq(irq_routes_remove(&t, 24), -ENOENT);
	ck_assert_uint_eq(t.n, 1);
	/* Removal keeps the others intact. */
	e = find(&t, 25, KVM_IRQ_ROUTING_MSI);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->u.msi.data, 0x43);
}
END_TEST

START_TEST(routes_irqchip_and_msi_do_not_mix)
{
	struct irq_routes t;
	uint32_t gsi;

	irq_routes_init(&t);
	ck_assert_int_eq(irq_routes_add_irqchip(&t, 5, CHIP_A, 5), 0);
	ck_assert_int_eq(irq_routes_add_irqchip(&t, 5, CHIP_A, 5), -EEXIST);
	ck_assert_int_eq(irq_routes_add_irqchip(&t, 5, CHIP_B, 5), 0);
	ck_assert_int_eq(irq_routes_add_msi(&t, 5, 0xfee00000ULL, 0x30), -EINVAL);
	ck_assert_int_eq(irq_routes_add_msi(&t, 6, 0xfee00000ULL, 0x30), 0);
	ck_assert_int_eq(irq_routes_add_irqchip(&t, 6, CHIP_A, 6), -EINVAL);
	/* Removing a GSI drops every route it has. */
	ck_assert_int_eq(irq_routes_remove(&t, 5), 0);
	ck_assert_uint_eq(t.n, 1);
	ck_assert_int_eq(irq_routes_free_gsi(&t, 5, &gsi), 0);
	ck_assert_uint_eq(gsi, 5);
	ck_assert_int_eq(irq_routes_free_gsi(&t, 6, &gsi), 0);
	ck_assert_uint_eq(gsi, 7);
}
END_TEST

START_TEST(routes_table_is_bounded)
{
	static struct irq_routes t;
	uint32_t gsi;

	irq_routes_init(&t);
	for (uint32_t i = 0; i < IRQ_MAX_ROUTES; i++)
		ck_assert_int_eq(irq_routes_add_msi(&t, 100 + i, 0xfee00000ULL, i), 0);
	ck_assert_int_eq(irq_routes_add_msi(&t, 5000, 0xfee00000ULL, 0), -ENOSPC);
	ck_assert_int_eq(irq_routes_add_irqchip(&t, 0, CHIP_A, 0), -ENOSPC);
	ck_assert_int_eq(irq_routes_free_gsi(&t, 100, &gsi), 0);
	ck_assert_uint_eq(gsi, 100 + IRQ_MAX_ROUTES);
	ck_assert_int_eq(irq_routes_free_gsi(&t, 0, &gsi), 0);
	ck_assert_uint_eq(gsi, 0);
	ck_assert_int_eq(irq_routes_free_gsi(&t, UINT32_MAX, &gsi), 0);
	ck_assert_uint_eq(gsi, UINT32_MAX);
}
END_TEST

/* --- devices.c ----------------------------------------------------------- */

static char destroyed[DEVICES_MAX + 1];
static unsigned int ndestroyed;

static int note_destroy(void *opaque)
{
	destroyed[ndestroyed++] = *(const char *)opaque;
	return 0;
}

static int dummy_node(struct fdt_writer *w, const struct fdt_device *d)
{
	(void)w, (void)d;
	return 0;
}

static struct vm_device virtio_dev(const char *tag, uint64_t base, uint32_t irq)
{
	return (struct vm_device){
		.name = "virtio-test",
		.has_node = true,
		.node = { .node = dummy_node, .bus = FDT_BUS_MMIO, .base = base,
			  .size = 0x200, .has_irq = true, .irq = irq,
			  .disabled = true },
		.cmdline = devices_virtio_mmio_cmdline,
		.destroy = note_destroy,
		.opaque = (void *)tag,
	};
}

static int add_virtio(struct device_list *l, const char *tag, uint64_t base,
		      uint32_t irq)
{
	const struct vm_device d = virtio_dev(tag, base, irq);

	return devices_add(l, &d);
}

START_TEST(device_list_order_nodes_teardown)
{
	static struct device_list l;
	struct fdt_device nodes[DEVICES_MAX];
	const struct vm_device plain = { .name = "port", .destroy = note_destroy,
					 .opaque = "p" };
	struct vm_device bad = { .has_node = true };

	ndestroyed = 0;
	devices_init(&l);
	ck_assert_int_eq(devices_add(&l, &bad), -EINVAL);      /* no name */
	bad.name = "x";
	ck_assert_int_eq(devices_add(&l, &bad), -EINVAL);      /* no emitter */
	ck_assert_int_eq(devices_add(&l, &plain), 0);
	ck_assert_int_eq(add_virtio(&l, "a", 0xd0000000, 5), 0);
	ck_assert_int_eq(add_virtio(&l, "b", 0xd0000200, 6), 0);
	ck_assert_uint_eq(devices_fdt(&l, nodes, DEVICES_MAX), 2);
	ck_assert_uint_eq(nodes[0].base, 0xd0000000);
	ck_assert_uint_eq(nodes[1].irq, 6);
	ck_assert_uint_eq(devices_fdt(&l, nodes, 1), 1);
	ck_assert_uint_eq(devices_destroy(&l), 0);
	ck_assert_uint_eq(ndestroyed, 3);
	ck_assert(!memcmp(destroyed, "bap", 3)); /* last created first */
	ck_assert_uint_eq(devices_destroy(&l), 0);
	ck_assert_uint_eq(ndestroyed, 3); /* idempotent */
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

static int stuck_destroy(void *opaque)
{
	(void)opaque;
	ndestroyed++;
	return -ETIMEDOUT;
}

/* A device left running is counted, and the others still go. */
START_TEST(device_list_counts_stuck_devices)
{
	static struct device_list l;
	const struct vm_device ok = { .name = "ok", .destroy = note_destroy,
				      .opaque = "o" };
	const struct vm_device stuck = { .name = "stuck",
					 .destroy = stuck_destroy };

	ndestroyed = 0;
	devices_init(&l);
	ck_assert_int_eq(devices_add(&l, &ok), 0);
	ck_assert_int_eq(devices_add(&l, &stuck), 0);
	ck_assert_int_eq(devices_add(&l, &stuck), 0);
	ck_assert_uint_eq(devices_destroy(&l), 2);
	ck_assert_uint_eq(ndestroyed, 3);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

static char started[8];
static unsigned int nstarted;

static int note_start(void *opaque)
{
	const char *tag = opaque;

	started[nstarted++ % sizeof(started)] = tag[0];
	return tag[0] == 'x' ? -EIO : 0;
}

/* Started in list order, not at devices_add(); the first failure stops it. */
START_TEST(device_list_starts_in_order)
{
	static struct device_list l;
	const struct vm_device a = { .name = "a", .start = note_start, .opaque = "a" };
	const struct vm_device none = { .name = "none" };
	const struct vm_device b = { .name = "b", .start = note_start, .opaque = "b" };
	const struct vm_device x = { .name = "x", .start = note_start, .opaque = "x" };

	nstarted = 0;
	devices_init(&l);
	ck_assert_int_eq(devices_add(&l, &a), 0);
	ck_assert_int_eq(devices_add(&l, &none), 0);
	ck_assert_int_eq(devices_add(&l, &b), 0);
	ck_assert_uint_eq(nstarted, 0);
	ck_assert_int_eq(devices_start(&l), 0);
	ck_assert_uint_eq(nstarted, 2);
	ck_assert(!memcmp(started, "ab", 2));
	nstarted = 0;
	devices_init(&l);
	ck_assert_int_eq(devices_add(&l, &a), 0);
	ck_assert_int_eq(devices_add(&l, &x), 0);
	ck_assert_int_eq(devices_add(&l, &b), 0);
	ck_assert_int_eq(devices_start(&l), -EIO);
	ck_assert_uint_eq(nstarted, 2);
	ck_assert(!memcmp(started, "ax", 2));
}
END_TEST

START_TEST(device_list_is_bounded)
{
	static struct device_list l;
	const struct vm_device d = { .name = "d" };

	devices_init(&l);
	for (unsigned int i = 0; i < DEVICES_MAX; i++)
		ck_assert_int_eq(devices_add(&l, &d), 0);
	ck_assert_int_eq(devices_add(&l, &d), -E2BIG);
	ck_assert_uint_eq(l.n, DEVICES_MAX);
}
END_TEST

START_TEST(device_list_cmdline)
{
	static struct device_list l;
	const struct vm_device plain = { .name = "port" };
	char buf[128];

	devices_init(&l);
	ck_assert_int_eq(devices_cmdline(&l, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(add_virtio(&l, "a", 0xd0000000, 5), 0);
	ck_assert_int_eq(devices_add(&l, &plain), 0);
	ck_assert_int_eq(add_virtio(&l, "b", 0xd0000200, 13), 0);
	ck_assert_int_eq(devices_cmdline(&l, buf, sizeof(buf)), 2);
	ck_assert_str_eq(buf, "virtio_mmio.device=512@0xd0000000:5 "
			      "virtio_mmio.device=512@0xd0000200:13 ");
	/* Too small: an error and a terminated prefix, never a cut entry. */
	ck_assert_int_eq(devices_cmdline(&l, buf, 50), -ENOSPC);
	ck_assert_str_eq(buf, "virtio_mmio.device=512@0xd0000000:5 ");
	ck_assert_int_eq(devices_cmdline(&l, buf, 36), -ENOSPC);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(devices_cmdline(&l, buf, 37), -ENOSPC);
	ck_assert_str_eq(buf, "virtio_mmio.device=512@0xd0000000:5 ");
}
END_TEST

/* --- devices/iothread.c ------------------------------------------------- */

static _Atomic int polite_ran;

/* A well-behaved I/O thread: sleeps on stop_fd until told. */
static void *polite(void *arg)
{
	struct iothread *t = arg;
	struct pollfd p = { t->stop_fd, POLLIN, 0 };

	atomic_store(&polite_ran, 1);
	while (poll(&p, 1, -1) <= 0)
		;
	return NULL;
}

/* A stuck one: ignores stop_fd (a hung disk) for a while. */
static void *stuck(void *arg)
{
	(void)arg;
	sleep(2);
	return NULL;
}

START_TEST(iothread_stops_within_the_bound)
{
	struct iothread t;
	struct timespec a, b;

	ck_assert_int_eq(iothread_init(&t, "test"), 0);
	ck_assert_int_eq(iothread_stop(&t, 1), 0); /* never started: nothing to do */
	ck_assert_int_eq(iothread_start(&t, "test-io", polite, &t), 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ck_assert_int_eq(iothread_stop(&t, 5), 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ck_assert_int_eq(atomic_load(&polite_ran), 1);
	ck_assert_int_lt(b.tv_sec - a.tv_sec, 2);
	ck_assert(!t.started);
	ck_assert_int_eq(iothread_stop(&t, 1), 0); /* idempotent */
	iothread_destroy(&t);
	ck_assert_int_eq(t.stop_fd, -1);
	iothread_destroy(&t);
}
END_TEST

START_TEST(iothread_stuck_is_left_running)
{
	struct iothread t;

	ck_assert_int_eq(iothread_init(&t, "test"), 0);
	ck_assert_int_eq(iothread_start(&t, "test-stuck", stuck, &t), 0);
	ck_assert_int_eq(iothread_stop(&t, 1), -ETIMEDOUT);
	ck_assert(t.started);
	/* Its owner keeps everything; here the thread ends on its own. */
	pthread_join(t.thread, NULL);
	iothread_destroy(&t);
}
END_TEST

/*
 * The capability check: every entry is asked for, the first one missing
 * stops it; the arch's table names each entry (the error line says it).
 */
START_TEST(kvm_caps_checked)
{
	static const struct arch_kvm_cap one[] = { { KVM_CAP_USER_MEMORY, "USER_MEMORY" } };
	const struct arch_kvm_cap *arch = NULL;
	size_t n = arch_kvm_caps(&arch);
	int p[2];

	ck_assert_int_eq(vm_check_kvm_caps(-1, one, 0), 0);
	/* No KVM behind the descriptor: KVM_CHECK_EXTENSION fails, so does the check. */
	ck_assert_int_eq(vm_check_kvm_caps(-1, one, 1), -ENOTSUP);
	ck_assert_int_eq(pipe(p), 0);
	ck_assert_int_eq(vm_check_kvm_caps(p[0], one, 1), -ENOTSUP);
	if (n)
		ck_assert_int_eq(vm_check_kvm_caps(p[0], arch, n), -ENOTSUP);
	close(p[0]);
	close(p[1]);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(arch[i].name);
		ck_assert_int_gt(strlen(arch[i].name), 0);
		ck_assert_int_ge(arch[i].cap, 0); /* KVM_CAP_IRQCHIP is 0 */
	}
}
END_TEST

Suite *iothread_suite(void)
{
	Suite *s = suite_create("iothread");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, iothread_stops_within_the_bound);
	tcase_add_test(tc, iothread_stuck_is_left_running);
	suite_add_tcase(s, tc);
	return s;
}

Suite *resource_suite(void)
{
	Suite *s = suite_create("resource");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, mmio_window_aligned_and_bounded);
	tcase_add_test(tc, mmio_alignment_cannot_wrap);
	tcase_add_test(tc, lines_free_first_then_least_shared);
	tcase_add_test(tc, lines_pool_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}

Suite *irq_routes_suite(void)
{
	Suite *s = suite_create("irq_routes");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, routes_msi_add_update_remove);
	tcase_add_test(tc, routes_irqchip_and_msi_do_not_mix);
	tcase_add_test(tc, routes_table_is_bounded);
	suite_add_tcase(s, tc);
	return s;
}

Suite *devices_suite(void)
{
	Suite *s = suite_create("devices");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, device_list_order_nodes_teardown);
	tcase_add_test(tc, device_list_counts_stuck_devices);
	tcase_add_test(tc, device_list_is_bounded);
	tcase_add_test(tc, device_list_cmdline);
	tcase_add_test(tc, device_list_starts_in_order);
	tcase_add_test(tc, kvm_caps_checked);
	suite_add_tcase(s, tc);
	return s;
}
