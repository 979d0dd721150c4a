// SPDX-License-Identifier: GPL-2.0
#include "guest.h"

void guest_exit(int status)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void uart_init(void)
{
	outb(COM1 + 1, 0x00); /* IER: no interrupts */
	outb(COM1 + 3, 0x80); /* LCR: DLAB */
	outb(COM1 + 0, 0x01); /* DLL: 115200 baud */
	outb(COM1 + 1, 0x00); /* DLM */
	outb(COM1 + 3, 0x03); /* LCR: 8N1 */
	outb(COM1 + 2, 0x07); /* FCR: FIFO on, both cleared, trigger 1 */
	outb(COM1 + 4, 0x0b); /* MCR: DTR, RTS, OUT2 */
}

void uart_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20)) /* LSR.THRE */
		;
	outb(COM1, (uint8_t)c);
}

void uart_puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

void uart_put_hex(uint64_t v)
{
	char buf[19] = "0x";
	int i;

	for (i = 0; i < 16; i++)
		buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 0xf];
	buf[18] = 0;
	uart_puts(buf);
}

void uart_put_dec(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = 0;
	do
		buf[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	uart_puts(&buf[i]);
}

struct idt_entry {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_entry idt[256];

void idt_set(unsigned int vector, isr_fn fn)
{
	uint64_t a = (uint64_t)fn;

	idt[vector & 0xff] = (struct idt_entry){
		.off_lo = (uint16_t)a,
		.sel = 0x10, /* the code selector tessera enters with */
		.attr = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
		.off_mid = (uint16_t)(a >> 16),
		.off_hi = (uint32_t)(a >> 32),
	};
}

void idt_init(isr_fn fallback)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned int v = 0; v < 256; v++)
		idt_set(v, fallback);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

void *memset(void *s, int c, size_t n)
{
	uint8_t *p = s;

	while (n--)
		*p++ = (uint8_t)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	uint8_t *dp = d;
	const uint8_t *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

/* --- application processors (smp.S) ------------------------------------ */

#define AP_TRAMP_BASE 0xf000ULL /* below 1 MiB, page-aligned: SIPI vector 0x0f */
#define LAPIC_ICR_LOW 0xfee00300ULL
#define LAPIC_ICR_HIGH 0xfee00310ULL
#define LAPIC_SVR 0xfee000f0ULL
#define ICR_INIT 0x00004500u    /* INIT, level assert */
#define ICR_STARTUP 0x00004600u /* Start-up, vector in bits 0-7 */
#define ICR_BUSY (1u << 12)

extern const uint8_t ap_tramp_start[], ap_tramp_end[];

static void icr_send(uint32_t apic_id, uint32_t low)
{
	mmio_write32(LAPIC_ICR_HIGH, apic_id << 24);
	mmio_write32(LAPIC_ICR_LOW, low);
	for (int i = 0; i < 1000 && (mmio_read32(LAPIC_ICR_LOW) & ICR_BUSY); i++)
		__asm__ volatile("pause");
}

static void spin(unsigned int n)
{
	for (volatile unsigned int i = 0; i < n; i++)
		__asm__ volatile("pause");
}

void smp_start_ap(uint32_t apic_id, void (*fn)(void), void *stack_top)
{
	size_t n = (size_t)(ap_tramp_end - ap_tramp_start);
	volatile uint8_t *dst = (volatile uint8_t *)AP_TRAMP_BASE;
	uint64_t slots[2] = { (uint64_t)stack_top, (uint64_t)fn };

	for (size_t i = 0; i < n; i++)
		dst[i] = ap_tramp_start[i];
	/* The two slots at the trampoline's end: stack, then entry. */
	for (size_t i = 0; i < sizeof(slots); i++)
		dst[n - sizeof(slots) + i] = ((const uint8_t *)slots)[i];
	mmio_write32(LAPIC_SVR, 0x1ff); /* this LAPIC on, spurious vector 0xff */
	/* INIT, then two Start-ups (the MP specification's sequence). */
	icr_send(apic_id, ICR_INIT);
	spin(1000);
	icr_send(apic_id, ICR_STARTUP | (uint32_t)(AP_TRAMP_BASE >> 12));
	spin(200);
	icr_send(apic_id, ICR_STARTUP | (uint32_t)(AP_TRAMP_BASE >> 12));
}
