// SPDX-License-Identifier: GPL-2.0
/*
 * A minimal GICv3 driver for the AArch64 test guests (guest.h): one CPU,
 * group 1 non-secure interrupts, affinity routing (GIC architecture
 * specification, IHI 0069: 12.9 distributor, 12.10-12.11 redistributor,
 * 12.2 CPU interface system registers). Under KVM the distributor and
 * redistributor are emulated in the kernel: these accesses never exit to
 * the monitor.
 */
#include "guest.h"

#include "dtb.h"

/* Distributor. */
#define GICD_CTLR 0x0000
#define GICD_CTLR_RWP (1u << 31)
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_GRP1 (1u << 1)
#define GICD_IGROUPR 0x0080
#define GICD_ISENABLER 0x0100
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define GICD_IROUTER 0x6000
/* Redistributor: RD_base frame, then the SGI_base frame 64 KiB above. */
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP (1u << 1)
#define GICR_WAKER_ASLEEP (1u << 2)
#define GICR_SGI 0x10000
#define GICR_IGROUPR0 (GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)
#define GICR_ICFGR1 (GICR_SGI + 0x0c04)
#define GIC_PRIO 0xa0
#define GIC_SPURIOUS 1020
#define GIC_POLL_MAX 1000000

static uint64_t gicd, gicr;
static irq_fn handler;

/* ICC_* by encoding (S3_0_C12_...): no assembler GIC extension needed. */
#define ICC_SRE_EL1 "S3_0_C12_C12_5"
#define ICC_PMR_EL1 "S3_0_C4_C6_0"
#define ICC_BPR1_EL1 "S3_0_C12_C12_3"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_IAR1_EL1 "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1 "S3_0_C12_C12_1"

#define sysreg_write(reg, v) \
	__asm__ volatile("msr " reg ", %0" : : "r"((uint64_t)(v)) : "memory")
#define sysreg_read(reg, v) __asm__ volatile("mrs %0, " reg : "=r"(v) : : "memory")

static void wait_rwp(void)
{
	for (unsigned int i = 0; i < GIC_POLL_MAX; i++)
		if (!(mmio_read32(gicd + GICD_CTLR) & GICD_CTLR_RWP))
			return;
}

int gic_init(void)
{
	const struct dtb *t = guest_dt();
	struct dtb_reg d, r;
	uint32_t waker;
	uint64_t sre;
	int node;

	if (!t)
		return -1;
	node = dtb_find_compatible(t, -1, "arm,gic-v3");
	if (node < 0 || dtb_reg(t, node, 0, &d) || dtb_reg(t, node, 1, &r))
		return -1;
	gicd = dtb_reg_addr(&d);
	gicr = dtb_reg_addr(&r);

	mmio_write32(gicd + GICD_CTLR, 0);
	wait_rwp();
	mmio_write32(gicd + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	wait_rwp();

	waker = mmio_read32(gicr + GICR_WAKER);
	mmio_write32(gicr + GICR_WAKER, waker & ~GICR_WAKER_SLEEP);
	for (unsigned int i = 0; i < GIC_POLL_MAX; i++)
		if (!(mmio_read32(gicr + GICR_WAKER) & GICR_WAKER_ASLEEP))
			break;
	mmio_write32(gicr + GICR_IGROUPR0, 0xffffffffu); /* SGIs, PPIs: group 1 */

	sysreg_read(ICC_SRE_EL1, sre);
	sysreg_write(ICC_SRE_EL1, sre | 1); /* system register interface */
	__asm__ volatile("isb");
	sysreg_write(ICC_PMR_EL1, 0xff); /* every priority passes */
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	__asm__ volatile("isb");
	return 0;
}

/* Sets the 2-bit configuration field of intid in an ICFGR register. */
static void set_cfg(uint64_t icfgr, uint32_t intid, bool edge)
{
	uint32_t shift = (intid % 16) * 2 + 1, v;

	v = mmio_read32(icfgr);
	v = edge ? v | (1u << shift) : v & ~(1u << shift);
	mmio_write32(icfgr, v);
}

void gic_enable(uint32_t intid, bool edge)
{
	uint32_t bit = 1u << (intid % 32);

	if (!gicd)
		return;
	if (intid < GIC_SPI_BASE) {
		mmio_write8(gicr + GICR_IPRIORITYR + intid, GIC_PRIO);
		if (intid >= 16)
			set_cfg(gicr + GICR_ICFGR1, intid, edge);
		mmio_write32(gicr + GICR_ISENABLER0, bit);
		return;
	}
	mmio_write32(gicd + GICD_IGROUPR + 4 * (intid / 32),
		     mmio_read32(gicd + GICD_IGROUPR + 4 * (intid / 32)) | bit);
	mmio_write8(gicd + GICD_IPRIORITYR + intid, GIC_PRIO);
	set_cfg(gicd + GICD_ICFGR + 4 * (intid / 16), intid, edge);
	/* Affinity 0.0.0.0: the boot CPU (the only one the runtime starts). */
	mmio_write32(gicd + GICD_IROUTER + 8 * intid, 0);
	mmio_write32(gicd + GICD_IROUTER + 8 * intid + 4, 0);
	wait_rwp();
	mmio_write32(gicd + GICD_ISENABLER + 4 * (intid / 32), bit);
}

void irq_set_handler(irq_fn fn)
{
	handler = fn;
}

void guest_irq_dispatch(void)
{
	uint64_t iar;
	uint32_t intid;

	sysreg_read(ICC_IAR1_EL1, iar);
	intid = (uint32_t)iar & 0xffffff;
	if (intid >= GIC_SPURIOUS && intid <= 1023)
		return; /* spurious: nothing to end */
	if (!handler) {
		uart_puts("\nguest: unexpected interrupt ");
		uart_put_dec(intid);
		uart_puts("\n");
		guest_exit(GUEST_STATUS_EXCEPTION);
	}
	handler(intid);
	sysreg_write(ICC_EOIR1_EL1, iar); /* EOImode 0: also deactivates */
}

static void (*line_fn)(void);
static uint32_t line_intid;

static void line_irq(uint32_t intid)
{
	if (intid != line_intid) {
		uart_puts("FAIL: unexpected interrupt ");
		uart_put_dec(intid);
		uart_puts("\n");
		guest_exit(4);
	}
	line_fn();
}

int guest_irq_attach(const uint32_t *cells, uint32_t ncells, void (*fn)(void))
{
	uint32_t base;

	if (ncells != 3 || cells[0] > 1)
		return -1;
	base = cells[0] == 0 ? GIC_SPI_BASE : 16; /* SPI or PPI */
	if (cells[1] >= (cells[0] == 0 ? 988u : 16u) || gic_init())
		return -1;
	line_fn = fn;
	line_intid = base + cells[1];
	irq_set_handler(line_irq);
	gic_enable(line_intid, (cells[2] & 0xf) == 1 || (cells[2] & 0xf) == 2);
	return 0;
}

void guest_irq_wait(volatile unsigned int *count, unsigned int n,
		    uint64_t spins)
{
	/* Masked around the check and WFI (which still wakes on a pending
	 * interrupt), then opened to take it: none is missed in between. */
	irq_disable();
	for (uint64_t i = 0; i < spins && *count < n; i++) {
		wfi();
		irq_enable();
		irq_disable();
	}
}
