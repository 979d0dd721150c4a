/* SPDX-License-Identifier: GPL-2.0 */
/* The tiny runtime of Tessera's freestanding test guests. */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEBUG_EXIT_PORT 0x501
#define COM1 0x3f8

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

/* Ends the run: the monitor exits with this status. */
void guest_exit(int status) __attribute__((noreturn));

void uart_init(void);
void uart_putc(char c);
/* One byte to the transmit register, without waiting for room: for a
 * guest that floods the console (the monitor's UART never fills). */
void uart_write_raw(uint8_t c);
void uart_puts(const char *s);
void uart_put_hex(uint64_t v);
void uart_put_dec(uint64_t v);

/* Interrupts: a 256-entry IDT of 64-bit interrupt gates (selector 0x10). */
struct interrupt_frame;
typedef void (*isr_fn)(struct interrupt_frame *);
void idt_init(isr_fn fallback); /* every vector -> fallback, then lidt */
void idt_set(unsigned int vector, isr_fn fn);

/*
 * Starts the application processor apic_id (INIT, then SIPI into the
 * real-mode trampoline of smp.S at 0xf000): it enters long mode on the
 * monitor's page tables and GDT and calls fn on stack_top. fn must not
 * return. Boot CPU; returns once the IPIs are sent.
 */
void smp_start_ap(uint32_t apic_id, void (*fn)(void), void *stack_top);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/*
 * What the guests shared by both arches use (dtinfo, vblk, vnet, vhostile,
 * gdbtarget); guests/common/arm64/guest.h has the same calls. main's
 * argument is the boot argument: here the zero page's address (RSI).
 */
struct dtb;

/* The device tree the monitor handed over (SETUP_DTB in the zero page at
 * boot_arg, within the 4 GiB identity map), parsed once; NULL without one. */
const struct dtb *guest_devtree(uint64_t boot_arg);

/*
 * Switches the console to the UART the tree names (the first "ns16550a"
 * node, which must be at an ISA I/O port here) and initialises it; its
 * port in *where, its interrupt specifier in cells/ncells. 0, or a
 * -DTB_* error (no such node, or not at an I/O port: -DTB_EINVAL).
 */
int guest_dt_console(const struct dtb *t, uint64_t *where, uint32_t *cells,
		     uint32_t *ncells);

/*
 * Takes the interrupt a DT specifier names (x86: IOAPIC pin cells[0], routed
 * edge-triggered to one vector): fn runs for each, then the LAPIC's EOI.
 * Any other vector or exception ends the guest (status 4). 0, or -1.
 */
int guest_irq_attach(const uint32_t *cells, uint32_t ncells, void (*fn)(void));

/* Sleeps with interrupts on until *count >= n or about spins wake-ups
 * have passed; interrupts are off again on return. */
void guest_irq_wait(volatile unsigned int *count, unsigned int n,
		    uint64_t spins);

/* Starts vCPU index (x86: APIC ID index, smp_start_ap) running fn on
 * stack_top; fn must not return. Boot CPU. 0, or -1. */
int guest_start_cpu(unsigned int index, void (*fn)(void), void *stack_top);

static inline void cpu_relax(void)
{
	__asm__ volatile("pause");
}

/* Orders our stores to shared rings (x86 is TSO: the compiler only). */
static inline void io_barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

/* A cycle counter (the TSC) and an estimate of its rate: the guest does
 * not calibrate it, so delays built on it are orders of magnitude only. */
static inline uint64_t guest_ticks(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline uint64_t guest_ticks_per_ms(void)
{
	return 3000000; /* 3 GHz */
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

#endif
