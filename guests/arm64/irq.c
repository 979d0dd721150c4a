// SPDX-License-Identifier: GPL-2.0
/*
 * An AArch64 guest that takes interrupts through the in-kernel vGICv3:
 *  1. the virtual timer's PPI (INTID 27), a 10 ms one-shot: the elapsed
 *     count must be at least 10 ms worth of ticks;
 *  2. an SPI the monitor raises: the first node compatible with
 *     "tessera,test-doorbell" (a 32-bit register and an interrupt): writing
 *     1 there asks the monitor to raise the line (level), writing 0 to
 *     lower it; the handler lowers it. Done twice, so a line that is not
 *     lowered and re-raised properly shows.
 * Prints what it saw; exit status 0 when both arrived, 1 otherwise (a
 * missing interrupt leaves the guest in WFI: the monitor's timeout ends it).
 */
#include "guest.h"

#include "dtb.h"

#define DOORBELL_ROUNDS 2

static volatile unsigned int timer_irqs, doorbell_irqs;
static uint32_t doorbell_intid;
static uint64_t doorbell;

/*
 * Waits until *count reaches n. IRQs are masked around the check and WFI
 * (which still wakes on a pending interrupt), then opened to take it: an
 * interrupt between the check and WFI cannot be missed.
 */
static void wait_for(volatile unsigned int *count, unsigned int n)
{
	irq_disable();
	while (*count < n) {
		wfi();
		irq_enable();
		irq_disable();
	}
	irq_enable();
}

static void on_irq(uint32_t intid)
{
	if (intid == GIC_INTID_VTIMER) {
		timer_stop(); /* the line is level: drop it before EOI */
		timer_irqs++;
	} else if (doorbell && intid == doorbell_intid) {
		mmio_write32(doorbell, 0);
		doorbell_irqs++;
	} else {
		uart_puts("irq: unexpected INTID ");
		uart_put_dec(intid);
		uart_puts("\n");
		guest_exit(1);
	}
}

/* The doorbell's register and INTID from the DT; 0 if found. */
static int find_doorbell(void)
{
	const struct dtb *t = guest_dt();
	uint32_t cells[DTB_MAX_IRQ_CELLS], n;
	struct dtb_reg r;
	int node;

	if (!t)
		return -1;
	node = dtb_find_compatible(t, -1, "tessera,test-doorbell");
	if (node < 0 || dtb_reg(t, node, 0, &r) ||
	    dtb_interrupt(t, node, 0, cells, &n) || n != 3 || cells[0] != 0)
		return -1;
	doorbell = dtb_reg_addr(&r);
	doorbell_intid = GIC_SPI_BASE + cells[1];
	return 0;
}

int main(void)
{
	uint64_t freq, t0, elapsed;

	uart_init();
	if (gic_init()) {
		uart_puts("irq: no GICv3 in the device tree\n");
		return 1;
	}
	irq_set_handler(on_irq);
	gic_enable(GIC_INTID_VTIMER, false);
	freq = timer_freq();
	t0 = timer_count();
	timer_oneshot(freq / 100);
	wait_for(&timer_irqs, 1);
	elapsed = timer_count() - t0;
	uart_puts("irq: timer INTID 27 after ");
	uart_put_dec(elapsed * 1000000 / (freq ? freq : 1));
	uart_puts(" us\n");
	if (elapsed < freq / 100) {
		uart_puts("irq: the timer fired early\n");
		return 1;
	}

	if (find_doorbell()) {
		uart_puts("irq: no tessera,test-doorbell in the device tree\n");
		return 1;
	}
	gic_enable(doorbell_intid, false);
	for (unsigned int i = 0; i < DOORBELL_ROUNDS; i++) {
		mmio_write32(doorbell, 1);
		wait_for(&doorbell_irqs, i + 1);
	}
	irq_disable();
	uart_puts("irq: SPI INTID ");
	uart_put_dec(doorbell_intid);
	uart_puts(" from the monitor ");
	uart_put_dec(doorbell_irqs);
	uart_puts(" times\n");
	return 0;
}
