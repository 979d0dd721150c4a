// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupt-driven UART echo: proves IRQ 4 reaches the guest through the
 * in-kernel IOAPIC and LAPIC. Echoes every byte it receives until 'q',
 * then reports how many interrupts it took and exits 0 (5 if input arrived
 * without any interrupt).
 */
#include "guest.h"

#define LAPIC_BASE 0xfee00000ULL
#define LAPIC_EOI (LAPIC_BASE + 0xb0)
#define LAPIC_SVR (LAPIC_BASE + 0xf0)
#define IOAPIC_BASE 0xfec00000ULL
#define UART_VECTOR 0x24
#define UART_GSI 4

static volatile uint8_t rxbuf[256];
static volatile unsigned int rx_head, rx_tail, irqs;

__attribute__((interrupt)) static void uart_isr(struct interrupt_frame *f)
{
	(void)f;
	irqs++;
	for (;;) {
		uint8_t iir = inb(COM1 + 2);

		if (iir & 1)
			break;
		while (inb(COM1 + 5) & 1)
			rxbuf[rx_head++ % sizeof(rxbuf)] = inb(COM1);
	}
	mmio_write32(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void other_isr(struct interrupt_frame *f)
{
	(void)f;
	uart_puts("echo: unexpected interrupt or exception\n");
	guest_exit(6);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE, reg);
	mmio_write32(IOAPIC_BASE + 0x10, v);
}

int main(void)
{
	uart_init();
	idt_init(other_isr);
	idt_set(UART_VECTOR, uart_isr);

	outb(0x21, 0xff); /* mask both 8259s: KVM wires LVT0 to ExtINT */
	outb(0xa1, 0xff);
	mmio_write32(LAPIC_SVR, 0x1ff); /* LAPIC on, spurious vector 0xff */
	ioapic_write(0x10 + 2 * UART_GSI + 1, 0); /* destination APIC 0 */
	ioapic_write(0x10 + 2 * UART_GSI, UART_VECTOR); /* edge, high, unmasked */
	outb(COM1 + 1, 0x01); /* IER: received-data interrupts */

	uart_puts("echo: ready\n");
	for (;;) {
		uint8_t c;

		__asm__ volatile("cli");
		if (rx_tail == rx_head) {
			__asm__ volatile("sti; hlt"); /* no lost wake-up: sti shadow */
			continue;
		}
		c = rxbuf[rx_tail++ % sizeof(rxbuf)];
		__asm__ volatile("sti");
		if (c == 'q')
			break;
		uart_putc((char)c);
	}
	uart_puts("\necho: irqs=");
	uart_put_dec(irqs);
	uart_puts("\n");
	return irqs ? 0 : 5;
}
