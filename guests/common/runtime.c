// SPDX-License-Identifier: GPL-2.0
#include "guest.h"

#include "dtb.h"

#define GUEST_WINDOW (4ULL << 30) /* the identity map tessera sets up */
#define ISA_SPACE_IO 0x1
#define IRQ_VECTOR 0x30
#define LAPIC_EOI 0xfee000b0ULL
#define LAPIC_SVR 0xfee000f0ULL
#define IOAPIC_BASE 0xfec00000ULL

static uint16_t com = COM1; /* guest_dt_console() may change it */

void guest_exit(int status)
{
	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

void uart_init(void)
{
	outb(com + 1, 0x00); /* IER: no interrupts */
	outb(com + 3, 0x80); /* LCR: DLAB */
	outb(com + 0, 0x01); /* DLL: 115200 baud */
	outb(com + 1, 0x00); /* DLM */
	outb(com + 3, 0x03); /* LCR: 8N1 */
	outb(com + 2, 0x07); /* FCR: FIFO on, both cleared, trigger 1 */
	outb(com + 4, 0x0b); /* MCR: DTR, RTS, OUT2 */
}

void uart_putc(char c)
{
	while (!(inb(com + 5) & 0x20)) /* LSR.THRE */
		;
	outb(com, (uint8_t)c);
}

void uart_write_raw(uint8_t c)
{
	outb(com, c);
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

/* --- the device tree and interrupts (the shared guests) ---------------- */

static struct dtb devtree;

const struct dtb *guest_devtree(uint64_t boot_arg)
{
	static bool parsed, found;
	const void *blob;
	uint32_t len;

	if (!parsed) {
		parsed = true;
		found = dtb_find_setup_dtb(0, GUEST_WINDOW, boot_arg, &blob,
					   &len) == 0 &&
			dtb_init(&devtree, blob, len) == 0;
	}
	return found ? &devtree : NULL;
}

int guest_dt_console(const struct dtb *t, uint64_t *where, uint32_t *cells,
		     uint32_t *ncells)
{
	struct dtb_reg reg;
	int uart = dtb_find_compatible(t, -1, "ns16550a");
	int r;

	if (uart < 0)
		return uart;
	r = dtb_reg(t, uart, 0, &reg);
	if (r)
		return r;
	if (reg.naddr != 2 || !(reg.addr[0] & ISA_SPACE_IO) ||
	    reg.addr[1] > 0xfff8)
		return -DTB_EINVAL;
	r = dtb_interrupt(t, uart, 0, cells, ncells);
	if (r)
		return r;
	com = (uint16_t)reg.addr[1];
	*where = com;
	uart_init();
	return 0;
}

static void (*irq_fn)(void);

__attribute__((interrupt)) static void line_isr(struct interrupt_frame *f)
{
	(void)f;
	irq_fn();
	mmio_write32(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void stray_isr(struct interrupt_frame *f)
{
	(void)f;
	uart_puts("FAIL: unexpected interrupt or exception\n");
	guest_exit(4);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE, reg);
	mmio_write32(IOAPIC_BASE + 0x10, v);
}

int guest_irq_attach(const uint32_t *cells, uint32_t ncells, void (*fn)(void))
{
	if (ncells < 1 || cells[0] > 23)
		return -1;
	irq_fn = fn;
	idt_init(stray_isr);
	idt_set(IRQ_VECTOR, line_isr);
	outb(0x21, 0xff); /* mask the 8259s: KVM wires LVT0 to ExtINT */
	outb(0xa1, 0xff);
	mmio_write32(LAPIC_SVR, 0x1ff);
	ioapic_write(0x10 + 2 * cells[0] + 1, 0);
	ioapic_write(0x10 + 2 * cells[0], IRQ_VECTOR); /* edge, high, unmasked */
	return 0;
}

void guest_irq_wait(volatile unsigned int *count, unsigned int n,
		    uint64_t spins)
{
	for (uint64_t i = 0; i < spins && *count < n; i++) {
		__asm__ volatile("cli");
		if (*count < n)
			__asm__ volatile("sti; hlt"); /* sti shadow: no lost wake-up */
		__asm__ volatile("sti");
	}
	__asm__ volatile("cli");
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

int guest_start_cpu(unsigned int index, void (*fn)(void), void *stack_top)
{
	smp_start_ap(index, fn, stack_top);
	return 0;
}
