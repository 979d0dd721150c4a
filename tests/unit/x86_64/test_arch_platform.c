// SPDX-License-Identifier: GPL-2.0
/*
 * x86's seeds of the generic platform code: where its allocators place
 * virtio-mmio devices (arch_resources), the GSI routes KVM installs with
 * the in-kernel irqchip (arch_irq_default_routes) and what KVM_IRQ_LINE
 * takes (arch_irq_line_encode).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch.h"
#include "irq.h"
#include "resource.h"
#include "suites.h"
#include "virtio/mmio.h"
#include "vm.h"

/* README allows 8 disks and 4 NICs: the arch's seed must place them all. */
START_TEST(arch_seed_fits_every_device)
{
	struct resources r;
	gpa_t base, prev = 0;
	uint32_t line;
	bool shared;
	unsigned int nshared = 0;

	resource_init(&r);
	ck_assert_int_eq(arch_resources(&r), 0);
	for (unsigned int i = 0; i < CONFIG_MAX_DISKS + CONFIG_MAX_NICS; i++) {
		ck_assert_int_eq(resource_alloc_mmio(&r, VIRTIO_MMIO_SLOT_SIZE,
						     VIRTIO_MMIO_SLOT_SIZE, &base), 0);
		ck_assert(i == 0 || base == prev + VIRTIO_MMIO_SLOT_SIZE);
		prev = base;
		ck_assert_int_eq(resource_alloc_line(&r, true, &line, &shared), 0);
		/* x86: an ISA IRQ Linux maps 1:1, never one the board uses. */
		ck_assert_uint_lt(line, 16);
		ck_assert(line != 0 && line != 1 && line != 2 && line != 4 &&
			  line != 8 && line != 9);
		nshared += shared;
	}
	/* The first slot is where the tests and docs expect it. */
	ck_assert_int_eq(arch_resources(&r), -EEXIST);
	resource_init(&r);
	ck_assert_int_eq(arch_resources(&r), 0);
	ck_assert_int_eq(resource_alloc_mmio(&r, VIRTIO_MMIO_SLOT_SIZE,
					     VIRTIO_MMIO_SLOT_SIZE, &base), 0);
	ck_assert_uint_eq(base, 0xd0000000);
	ck_assert_int_eq(resource_alloc_line(&r, true, &line, &shared), 0);
	ck_assert_uint_eq(line, 5);
	/* Nine free pins for twelve devices: three share. */
	ck_assert_uint_eq(nshared, CONFIG_MAX_DISKS + CONFIG_MAX_NICS - 9);
}
END_TEST

static const struct kvm_irq_routing_entry *find(const struct irq_routes *t,
						uint32_t gsi, uint32_t type)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->e[i].gsi == gsi && t->e[i].type == type)
			return &t->e[i];
	return NULL;
}

/* KVM replaces the whole table: the arch's defaults must be in it. */
START_TEST(routes_arch_defaults_and_build)
{
	static struct irq_routes t;
	static uint8_t buf[sizeof(struct kvm_irq_routing) +
			   sizeof(struct kvm_irq_routing_entry) * (IRQ_MAX_ROUTES + 1)];
	const struct kvm_irq_routing *kr = (const void *)buf;
	const struct kvm_irq_routing_entry *e;
	long len;

	irq_routes_init(&t);
	ck_assert_int_eq(arch_irq_default_routes(&t), 0);
	ck_assert_uint_eq(t.n, 16 * 2 + 8); /* KVM's default_routing[] */
	e = find(&t, 4, KVM_IRQ_ROUTING_IRQCHIP);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->u.irqchip.irqchip, KVM_IRQCHIP_IOAPIC);
	ck_assert_uint_eq(e->u.irqchip.pin, 4);
	ck_assert_int_eq(irq_routes_add_irqchip(&t, 12, KVM_IRQCHIP_PIC_SLAVE, 4),
			 -EEXIST);
	ck_assert_int_eq(irq_routes_add_irqchip(&t, 23, KVM_IRQCHIP_IOAPIC, 23),
			 -EEXIST);
	ck_assert_int_eq(irq_routes_add_irqchip(&t, 23, KVM_IRQCHIP_PIC_SLAVE, 7),
			 0); /* 16-23 have no 8259 route by default */
	ck_assert_int_eq(irq_routes_remove(&t, 23), 0);
	ck_assert_int_eq(irq_routes_add_msi(&t, 24, 0xfee00000ULL, 0x51), 0);

	len = irq_routes_build(&t, buf, sizeof(struct kvm_irq_routing) +
					   sizeof(*e) * (t.n - 1));
	ck_assert_int_eq(len, -ENOSPC);
	memset(buf, 0xaa, sizeof(buf));
	len = irq_routes_build(&t, buf, sizeof(buf));
	ck_assert_int_eq(len, (long)(sizeof(*kr) + sizeof(*e) * t.n));
	ck_assert_uint_eq(kr->nr, 16 * 2 + 7 + 1);
	ck_assert_uint_eq(kr->flags, 0);
	ck_assert_uint_eq(kr->entries[t.n - 1].gsi, 24);
	ck_assert_uint_eq(kr->entries[t.n - 1].type, KVM_IRQ_ROUTING_MSI);
	ck_assert_uint_eq(kr->entries[t.n - 1].u.msi.data, 0x51);
	ck_assert_uint_eq(kr->entries[t.n - 1].flags, 0);
}
END_TEST

/*
 * The built table is what KVM_SET_GSI_ROUTING takes: KVM accepts the
 * defaults plus an MSI route, and refuses a pin its IOAPIC lacks. The
 * only check here that needs /dev/kvm; without it there is nothing to ask.
 */
START_TEST(routes_commit_to_kvm)
{
	static struct vm vm;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm < 0)
		return;
	memset(&vm, 0, sizeof(vm));
	vm.vm_fd = ioctl(kvm, KVM_CREATE_VM, 0);
	ck_assert_int_ge(vm.vm_fd, 0);
	ck_assert_int_eq(ioctl(vm.vm_fd, KVM_CREATE_IRQCHIP, 0), 0);
	irq_routes_init(&vm.routes);
	ck_assert_int_eq(arch_irq_default_routes(&vm.routes), 0);
	ck_assert_int_eq(irq_routes_add_msi(&vm.routes, 24, 0xfee00000ULL, 0x41), 0);
	ck_assert_int_eq(irq_routes_commit(&vm), 0);
	ck_assert_int_eq(irq_routes_update_msi(&vm.routes, 24, 0xfee01000ULL, 0x42), 0);
	ck_assert_int_eq(irq_routes_commit(&vm), 0);
	ck_assert_int_eq(irq_routes_add_irqchip(&vm.routes, 30, KVM_IRQCHIP_IOAPIC, 99), 0);
	ck_assert_int_eq(irq_routes_commit(&vm), -EINVAL);
	ck_assert_int_eq(irq_routes_remove(&vm.routes, 30), 0);
	ck_assert_int_eq(irq_routes_commit(&vm), 0);
	close(vm.vm_fd);
	close(kvm);
}
END_TEST

START_TEST(line_encoding_is_the_gsi_on_x86)
{
	ck_assert_uint_eq(arch_irq_line_encode(4), 4);
	ck_assert_uint_eq(arch_irq_line_encode(15), 15);
}
END_TEST

Suite *arch_platform_suite(void)
{
	Suite *s = suite_create("arch_platform");
	TCase *tc = tcase_create("x86");

	tcase_add_test(tc, arch_seed_fits_every_device);
	tcase_add_test(tc, routes_arch_defaults_and_build);
	tcase_add_test(tc, routes_commit_to_kvm);
	tcase_add_test(tc, line_encoding_is_the_gsi_on_x86);
	suite_add_tcase(s, tc);
	return s;
}
