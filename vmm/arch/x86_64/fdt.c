// SPDX-License-Identifier: GPL-2.0
/*
 * The x86_64 part of the device tree: the in-kernel IOAPIC and local APIC
 * as the only x86 interrupt-controller bindings Linux knows
 * (arch/x86/kernel/devicetree.c: "intel,ce4100-ioapic" and
 * "intel,ce4100-lapic"), two-cell IOAPIC interrupt specifiers <pin sense>,
 * and CPUs numbered by their local APIC ID (dtb_cpu_setup reads reg).
 */
#include <errno.h>

#include "arch.h"
#include "arch/x86_64/layout.h"
#include "fdt.h"
#include "log.h"
#include "vm.h"

/* Fixed, so that dumps stay stable. */
#define X86_FDT_PHANDLE_IOAPIC 1
#define X86_FDT_PHANDLE_LAPIC 2

#define APIC_MMIO_SIZE 0x1000
#define IOAPIC_PINS 24       /* KVM's in-kernel IOAPIC */
#define IOAPIC_IRQ_CELLS 2   /* <pin sense> */
#define XAPIC_MAX_ID 0xfe    /* 0xff is the broadcast ID */

/*
 * The sense cell as Linux decodes it (of_ioapic_type[] in
 * arch/x86/kernel/devicetree.c). The older text binding
 * (bindings/interrupt-controller/intel,ce4100-ioapic.txt) lists other
 * numbers; the kernel's table is what counts.
 */
static int ioapic_sense(enum fdt_irq_type t, uint32_t *cell)
{
	switch (t) {
	case FDT_IRQ_EDGE_FALLING:
		*cell = 0;
		return 0;
	case FDT_IRQ_LEVEL_HIGH:
		*cell = 1;
		return 0;
	case FDT_IRQ_LEVEL_LOW:
		*cell = 2;
		return 0;
	case FDT_IRQ_EDGE_RISING:
		*cell = 3;
		return 0;
	}
	return -EINVAL;
}

static int x86_irq_spec(const struct fdt_device *dev, uint32_t *cells)
{
	if (dev->irq >= IOAPIC_PINS)
		return -EINVAL;
	cells[0] = dev->irq;
	return ioapic_sense(dev->irq_type, &cells[1]);
}

static int x86_check(const struct fdt_machine *m, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < m->ncpus; i++)
		if (m->cpu[i].reg > XAPIC_MAX_ID)
			return err_printf(err, errlen, -EINVAL,
				    "cpu %u: local APIC ID %llu above %u", i,
				    (unsigned long long)m->cpu[i].reg,
				    XAPIC_MAX_ID);
	return 0;
}

static int x86_nodes(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = fdt_w_begin_node(w, "interrupt-controller@%llx",
				 (unsigned long long)X86_IOAPIC_ADDR);

	(void)m;
	r = r ?: fdt_w_prop_string(w, "compatible", "intel,ce4100-ioapic");
	r = r ?: fdt_w_prop_reg(w, X86_IOAPIC_ADDR, APIC_MMIO_SIZE);
	r = r ?: fdt_w_prop_empty(w, "interrupt-controller");
	r = r ?: fdt_w_prop_u32(w, "#interrupt-cells", IOAPIC_IRQ_CELLS);
	/* No interrupt-map below it: its specifiers carry no address. */
	r = r ?: fdt_w_prop_u32(w, "#address-cells", 0);
	r = r ?: fdt_w_prop_u32(w, "phandle", X86_FDT_PHANDLE_IOAPIC);
	r = r ?: fdt_w_end_node(w);

	r = r ?: fdt_w_begin_node(w, "interrupt-controller@%llx",
				  (unsigned long long)X86_LAPIC_ADDR);
	r = r ?: fdt_w_prop_string(w, "compatible", "intel,ce4100-lapic");
	r = r ?: fdt_w_prop_reg(w, X86_LAPIC_ADDR, APIC_MMIO_SIZE);
	r = r ?: fdt_w_prop_u32(w, "phandle", X86_FDT_PHANDLE_LAPIC);
	return r ?: fdt_w_end_node(w);
}

static const struct fdt_arch x86_fdt = {
	.cpu_reg_cells = 1,
	.irq_cells = IOAPIC_IRQ_CELLS,
	.irq_parent = X86_FDT_PHANDLE_IOAPIC, /* every device's pin is an IOAPIC pin */
	.check = x86_check,
	.nodes = x86_nodes,
	.irq_spec = x86_irq_spec,
};

const struct fdt_arch *arch_fdt_model(void)
{
	return &x86_fdt;
}

void arch_fdt_describe(const struct vm *vm, struct fdt_machine *m)
{
	m->arch = &x86_fdt;
	m->ncpus = vm->nvcpus;
	/* vCPU i gets local APIC ID i (arch_vcpu_init, the MP table, MADT). */
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		m->cpu[i] = (struct fdt_cpu){ .reg = i,
					      .host_cpu = vm->cfg->pin[i] };
}
