// SPDX-License-Identifier: GPL-2.0
/*
 * An AArch64 guest that drives a PL031 RTC passed through with
 * vfio-platform (tests/integration/vfio_platform.sh):
 *  1. finds the first "arm,pl031" node; its interrupt must be described
 *     level (<0 N 4>): the device's line is a level, and a vGIC SPI left
 *     edge delivers only the first interrupt through the resample irqfd;
 *  2. reads the PrimeCell identification registers (periph ID 0x00041031,
 *     cell ID 0xb105f00d) and times PL031_READS more reads of them (the
 *     monitor's --stats tells whether they exited);
 *  3. arms the alarm (match = now + 1 s) and takes its interrupt
 *     PL031_ALARMS times, clearing it in the handler each time (every
 *     alarm after the first proves the resample -> VFIO unmask path); for
 *     the last one the handler first returns without clearing it: the
 *     line, still up, must come back after the EOI (KVM's resample fd ->
 *     VFIO unmask -> host interrupt -> irqfd), and that loop is timed.
 * The virtual timer is a watchdog: no alarm within 5 s fails the run.
 * Exit status 0 when all of it held, 1 otherwise.
 */
#include "guest.h"

#include "dtb.h"

#define PL031_DR 0x00
#define PL031_MR 0x04
#define PL031_CR 0x0c
#define PL031_IMSC 0x10
#define PL031_RIS 0x14
#define PL031_ICR 0x1c
#define PL031_PERIPH_ID 0xfe0 /* 4 registers, one byte each */
#define PL031_PCELL_ID 0xff0
#define PL031_ID 0x00041031u
#define PRIMECELL_ID 0xb105f00du

#define PL031_READS 1000
#define PL031_ALARMS 3
#define WATCHDOG_S 5

static uint64_t rtc;

/*
 * Register accesses as single plain LDR/STR: a trapped region's access
 * must carry a valid syndrome (ESR ISV) for KVM to hand it to the monitor,
 * and a compiler's post-indexed or paired load has none.
 */
static inline uint32_t rd(uint32_t off)
{
	uint32_t v;

	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(rtc + off) : "memory");
	return v;
}

static inline void wr(uint32_t off, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(rtc + off) : "memory");
}
static uint32_t rtc_intid;
static volatile unsigned int alarms, timeouts;
static volatile uint64_t t_handler, t_again;
static volatile bool hold; /* leave the next interrupt asserted once */

static void on_irq(uint32_t intid)
{
	if (intid == rtc_intid) {
		if (!t_handler)
			t_handler = timer_count();
		else if (!t_again)
			t_again = timer_count();
		if (hold) { /* EOI with the line still up: it must come back */
			hold = false;
			return;
		}
		wr(PL031_ICR, 1); /* lower the line before EOI */
		alarms++;
	} else if (intid == GIC_INTID_VTIMER) {
		timer_stop();
		timeouts++;
	} else {
		uart_puts("pl031: unexpected INTID ");
		uart_put_dec(intid);
		uart_puts("\n");
		guest_exit(1);
	}
}

/* Four byte-wide ID registers at off as one 32-bit value. */
static uint32_t id_regs(uint32_t off)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 4; i++)
		v |= (rd(off + 4 * i) & 0xff) << (8 * i);
	return v;
}

static int find_rtc(void)
{
	const struct dtb *t = guest_dt();
	uint32_t cells[DTB_MAX_IRQ_CELLS], n;
	struct dtb_reg r;
	int node;

	node = t ? dtb_find_compatible(t, -1, "arm,pl031") : -1;
	if (node < 0 || dtb_reg(t, node, 0, &r) ||
	    dtb_interrupt(t, node, 0, cells, &n) || n != 3 || cells[0] != 0) {
		uart_puts("pl031: no arm,pl031 node with reg and an SPI\n");
		return -1;
	}
	rtc = dtb_reg_addr(&r);
	rtc_intid = GIC_SPI_BASE + cells[1];
	uart_puts("pl031: at ");
	uart_put_hex(rtc);
	uart_puts(", INTID ");
	uart_put_dec(rtc_intid);
	uart_puts(cells[2] == 4 ? ", level\n" : ", NOT level\n");
	return cells[2] == 4 ? 0 : -1;
}

static uint64_t us(uint64_t ticks)
{
	uint64_t f = timer_freq();

	return f ? ticks * 1000000 / f : 0;
}

/*
 * One alarm a second from now; 0 once its interrupt arrived. timed: spin
 * on the raw interrupt status until the device asserts its line, and
 * report how long the interrupt then took to reach the handler.
 */
static int alarm(bool timed)
{
	unsigned int before = alarms;
	uint64_t t_tick = ~0ull;

	t_handler = t_again = 0;
	hold = timed;
	wr(PL031_MR, rd(PL031_DR) + 1);
	timer_oneshot(timer_freq() * WATCHDOG_S);
	if (timed) {
		while (!(rd(PL031_RIS) & 1) && alarms == before && !timeouts)
			;
		t_tick = timer_count();
	}
	irq_disable();
	while (alarms == before && !timeouts) {
		wfi();
		irq_enable();
		irq_disable();
	}
	irq_enable();
	timer_stop();
	if (alarms == before) {
		uart_puts("pl031: no alarm interrupt within the watchdog\n");
		return -1;
	}
	if (timed && t_handler >= t_tick) {
		uart_puts("pl031: device assert to handler ");
		uart_put_dec(us(t_handler - t_tick));
		uart_puts(" us\n");
	}
	if (timed) { /* the resample -> VFIO unmask -> host IRQ -> irqfd loop */
		if (!t_again) {
			uart_puts("pl031: a level interrupt left asserted did not come back after EOI\n");
			return -1;
		}
		uart_puts("pl031: EOI with the line up to the handler again ");
		uart_put_dec(us(t_again - t_handler));
		uart_puts(" us\n");
	}
	return 0;
}

int main(void)
{
	uint32_t periph, cell, sum = 0;
	uint64_t t0, t1;

	uart_init();
	if (gic_init()) {
		uart_puts("pl031: no GICv3 in the device tree\n");
		return 1;
	}
	if (find_rtc())
		return 1;
	periph = id_regs(PL031_PERIPH_ID);
	cell = id_regs(PL031_PCELL_ID);
	uart_puts("pl031: periph id ");
	uart_put_hex(periph);
	uart_puts(", cell id ");
	uart_put_hex(cell);
	uart_puts("\n");
	if ((periph & 0x000fffff) != (PL031_ID & 0x000fffff) || cell != PRIMECELL_ID)
		return 1;
	t0 = timer_count();
	for (unsigned int i = 0; i < PL031_READS; i++)
		sum += rd(PL031_PERIPH_ID);
	t1 = timer_count();
	uart_puts("pl031: ");
	uart_put_dec(PL031_READS);
	uart_puts(" register reads in ");
	uart_put_dec(us(t1 - t0));
	uart_puts(" us\n");
	if (sum != PL031_READS * (PL031_ID & 0xff))
		return 1;

	irq_set_handler(on_irq);
	gic_enable(GIC_INTID_VTIMER, false);
	gic_enable(rtc_intid, false); /* level, as the DT says */
	wr(PL031_ICR, 1);
	wr(PL031_IMSC, 1);
	wr(PL031_CR, 1);
	for (unsigned int i = 0; i < PL031_ALARMS; i++)
		if (alarm(i == PL031_ALARMS - 1))
			return 1;
	wr(PL031_IMSC, 0);
	uart_puts("pl031: alarm interrupts ");
	uart_put_dec(alarms);
	uart_puts("\n");
	return 0;
}
