// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt-driven UART echo on arm64: proves the console UART's SPI (from
 * its DT node: <0 N 4>, level) reaches the guest through the in-kernel
 * vGICv3. Echoes every byte it receives until 'q', then reports how many
 * interrupts it took and exits 0 (5 if input arrived without any
 * interrupt). The arm64 twin of guests/echo.c; same protocol, so
 * tests/integration/serial_irq.sh drives either.
 */
#include "guest.h"

#include "dtb.h"

#define NS_RBR 0
#define NS_IER 1
#define NS_IIR 2
#define NS_LSR 5
#define NS_LSR_DR 0x01
#define NS_IIR_NONE 0x01

static volatile uint8_t rxbuf[256];
static volatile unsigned int rx_head, rx_tail, irqs;
static uint64_t uart;
static uint32_t uart_intid;

/* The stdout UART's registers and SPI; 0 if found (a 16550, reg-shift 0). */
static int find_uart(void)
{
	const struct dtb *t = guest_dt();
	uint32_t cells[DTB_MAX_IRQ_CELLS], n;
	struct dtb_reg r;
	int node;

	if (!t)
		return -1;
	node = dtb_find_compatible(t, -1, "ns16550a");
	if (node < 0 || dtb_reg(t, node, 0, &r) ||
	    dtb_interrupt(t, node, 0, cells, &n) || n != 3 || cells[0] != 0)
		return -1;
	uart = dtb_reg_addr(&r);
	uart_intid = GIC_SPI_BASE + cells[1];
	return 0;
}

/* Level-triggered: drain until the UART has nothing pending, then EOI. */
static void on_irq(uint32_t intid)
{
	if (intid != uart_intid) {
		uart_puts("echo: unexpected INTID ");
		uart_put_dec(intid);
		uart_puts("\n");
		guest_exit(6);
	}
	irqs++;
	while (!(mmio_read8(uart + NS_IIR) & NS_IIR_NONE))
		while (mmio_read8(uart + NS_LSR) & NS_LSR_DR)
			rxbuf[rx_head++ % sizeof(rxbuf)] = mmio_read8(uart + NS_RBR);
}

int main(void)
{
	uart_init();
	if (find_uart() || gic_init()) {
		uart_puts("echo: no 16550 with an SPI, or no GICv3, in the device tree\n");
		return 1;
	}
	irq_set_handler(on_irq);
	gic_enable(uart_intid, false);
	mmio_write8(uart + NS_IER, 0x01); /* received-data interrupts */

	uart_puts("echo: ready\n");
	for (;;) {
		uint8_t c;

		/* Masked check, then WFI (wakes on a pending IRQ): none is lost. */
		irq_disable();
		if (rx_tail == rx_head) {
			wfi();
			irq_enable();
			continue;
		}
		c = rxbuf[rx_tail++ % sizeof(rxbuf)];
		irq_enable();
		if (c == 'q')
			break;
		uart_putc((char)c);
	}
	irq_disable();
	uart_puts("\necho: irqs=");
	uart_put_dec(irqs);
	uart_puts("\n");
	return irqs ? 0 : 5;
}
