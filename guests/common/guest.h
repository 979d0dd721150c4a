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

#endif
