// SPDX-License-Identifier: GPL-2.0
/*
 * The arm64 part of the device tree: the in-kernel vGICv3
 * (bindings/interrupt-controller/arm,gic-v3.yaml: the distributor and one
 * redistributor region sized for the vCPUs, three-cell specifiers
 * <type number flags>), the architected timer's PPIs (arm,armv8-timer),
 * PSCI through HVC (arm,psci-0.2: KVM's in-kernel PSCI brings secondary
 * CPUs up with CPU_ON), and CPUs numbered by MPIDR with
 * enable-method = "psci". Pure: unit-tested on any host.
 */
#include <errno.h>

#include "arm64.h"
#include "fdt.h"
#include "layout.h"
#include "log.h"

#define ARM64_FDT_PHANDLE_GIC 1
#define GIC_IRQ_CELLS 3
#define GIC_TYPE_SPI 0
#define GIC_TYPE_PPI 1
/* include/dt-bindings/interrupt-controller/irq.h */
#define DT_IRQ_EDGE_RISING 1
#define DT_IRQ_LEVEL_HIGH 4

/*
 * SPIs take only rising edges and high levels (the GIC binding): a
 * falling or low sense has no GIC equivalent.
 */
static int gic_irq_spec(const struct fdt_device *dev, uint32_t *cells)
{
	if (dev->irq >= ARM64_GIC_NR_SPIS)
		return -EINVAL;
	cells[0] = GIC_TYPE_SPI;
	cells[1] = dev->irq;
	switch (dev->irq_type) {
	case FDT_IRQ_EDGE_RISING:
		cells[2] = DT_IRQ_EDGE_RISING;
		return 0;
	case FDT_IRQ_LEVEL_HIGH:
		cells[2] = DT_IRQ_LEVEL_HIGH;
		return 0;
	case FDT_IRQ_EDGE_FALLING:
	case FDT_IRQ_LEVEL_LOW:
		break;
	}
	return -EINVAL;
}

static uint64_t redist_size(unsigned int ncpus)
{
	return (uint64_t)ncpus * ARM64_GIC_REDIST_FRAME;
}

static int arm64_check(const struct fdt_machine *m, char *err, size_t errlen)
{
	if (redist_size(m->ncpus) > ARM64_GIC_REDIST_END - ARM64_GIC_REDIST_BASE)
		return err_printf(err, errlen, -EINVAL,
				  "%u vCPUs: their GICv3 redistributors do not fit below 0x%llx",
				  m->ncpus, ARM64_GIC_REDIST_END);
	for (unsigned int i = 0; i < m->ncpus; i++)
		if (m->cpu[i].reg & ~ARM64_MPIDR_AFF_MASK)
			return err_printf(err, errlen, -EINVAL,
					  "cpu %u: 0x%llx is not an MPIDR affinity", i,
					  (unsigned long long)m->cpu[i].reg);
	return 0;
}

static int gic_node(struct fdt_writer *w, const struct fdt_machine *m)
{
	const uint32_t reg[] = {
		(uint32_t)(ARM64_GIC_DIST_BASE >> 32), (uint32_t)ARM64_GIC_DIST_BASE,
		0, (uint32_t)ARM64_GIC_DIST_SIZE,
		(uint32_t)(ARM64_GIC_REDIST_BASE >> 32), (uint32_t)ARM64_GIC_REDIST_BASE,
		0, (uint32_t)redist_size(m->ncpus),
	};
	int r = fdt_w_begin_node(w, "interrupt-controller@%llx",
				 (unsigned long long)ARM64_GIC_DIST_BASE);

	r = r ?: fdt_w_prop_string(w, "compatible", "arm,gic-v3");
	r = r ?: fdt_w_prop_cells(w, "reg", reg, 8);
	r = r ?: fdt_w_prop_empty(w, "interrupt-controller");
	r = r ?: fdt_w_prop_u32(w, "#interrupt-cells", GIC_IRQ_CELLS);
	/* No ITS and no interrupt-map: nothing needs child addresses. */
	r = r ?: fdt_w_prop_u32(w, "#address-cells", 0);
	r = r ?: fdt_w_prop_u32(w, "#redistributor-regions", 1);
	r = r ?: fdt_w_prop_u32(w, "phandle", ARM64_FDT_PHANDLE_GIC);
	return r ?: fdt_w_end_node(w);
}

/* Secure, non-secure physical, virtual and hypervisor timers (binding order). */
static int timer_node(struct fdt_writer *w)
{
	const uint32_t irqs[] = {
		GIC_TYPE_PPI, ARM64_PPI_TIMER_SEC, DT_IRQ_LEVEL_HIGH,
		GIC_TYPE_PPI, ARM64_PPI_TIMER_PHYS, DT_IRQ_LEVEL_HIGH,
		GIC_TYPE_PPI, ARM64_PPI_TIMER_VIRT, DT_IRQ_LEVEL_HIGH,
		GIC_TYPE_PPI, ARM64_PPI_TIMER_HYP, DT_IRQ_LEVEL_HIGH,
	};
	int r = fdt_w_begin_node(w, "timer");

	r = r ?: fdt_w_prop_string(w, "compatible", "arm,armv8-timer");
	r = r ?: fdt_w_prop_u32(w, "interrupt-parent", ARM64_FDT_PHANDLE_GIC);
	r = r ?: fdt_w_prop_cells(w, "interrupts", irqs, 12);
	/* The guest's counter never stops (KVM keeps it running). */
	r = r ?: fdt_w_prop_empty(w, "always-on");
	return r ?: fdt_w_end_node(w);
}

static int psci_node(struct fdt_writer *w)
{
	int r = fdt_w_begin_node(w, "psci");

	r = r ?: fdt_w_prop_string(w, "compatible", "arm,psci-0.2");
	r = r ?: fdt_w_prop_string(w, "method", "hvc");
	return r ?: fdt_w_end_node(w);
}

static int arm64_nodes(struct fdt_writer *w, const struct fdt_machine *m)
{
	int r = gic_node(w, m);

	r = r ?: timer_node(w);
	return r ?: psci_node(w);
}

static int arm64_cpu_props(struct fdt_writer *w, const struct fdt_machine *m,
			   unsigned int i)
{
	int r = fdt_w_prop_string(w, "compatible", "arm,arm-v8");

	(void)m;
	(void)i;
	return r ?: fdt_w_prop_string(w, "enable-method", "psci");
}

static const struct fdt_arch arm64_fdt = {
	.cpu_reg_cells = 1, /* Aff3 is 0 for every vCPU KVM numbers (arm64_mpidr) */
	.irq_cells = GIC_IRQ_CELLS,
	.irq_parent = ARM64_FDT_PHANDLE_GIC,
	.check = arm64_check,
	.nodes = arm64_nodes,
	.irq_spec = gic_irq_spec,
	.cpu_props = arm64_cpu_props,
};

const struct fdt_arch *arm64_fdt_model(void)
{
	return &arm64_fdt;
}
