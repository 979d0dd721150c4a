/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tiny runtime of Tessera's freestanding AArch64 test guests: the same
 * calls as the x86_64 one (guests/common/guest.h), so a portable guest such
 * as guests/hello.c builds for both.
 *
 * What the guest needs to know comes from the DTB whose address the monitor
 * puts in x0 (start.S hands it to guest_runtime_init() and to main):
 *  - the console: /chosen stdout-path, else the first node compatible with
 *    "arm,pl011" or "ns16550a"/"ns16550" (8-bit registers, reg-shift
 *    honoured). Without one, output is dropped.
 *  - the exit status register: the first node compatible with
 *    "tessera,debug-exit" (a 32-bit register at its reg). guest_exit(status)
 *    writes status there when it is not 0, then asks for PSCI SYSTEM_OFF
 *    (HVC conduit, PSCI 0.2): a monitor ends the run with that status
 *    (0 when nothing was written).
 * An unexpected exception prints its ESR/ELR/FAR on the console and exits
 * with GUEST_STATUS_EXCEPTION.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PSCI_0_2_FN_SYSTEM_OFF 0x84000008u
#define PSCI_0_2_FN_SYSTEM_RESET 0x84000009u
#define GUEST_STATUS_EXCEPTION 125

static inline void mmio_write8(uint64_t addr, uint8_t v)
{
	*(volatile uint8_t *)addr = v;
}

static inline uint8_t mmio_read8(uint64_t addr)
{
	return *(volatile uint8_t *)addr;
}

static inline void mmio_write32(uint64_t addr, uint32_t v)
{
	*(volatile uint32_t *)addr = v;
}

static inline uint32_t mmio_read32(uint64_t addr)
{
	return *(volatile uint32_t *)addr;
}

/* A PSCI call through HVC (SMCCC: function id in w0, result in x0). */
static inline uint64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2,
				 uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
	return x0;
}

/* Called by start.S with the DTB's address (0 if none) before main. */
void guest_runtime_init(uint64_t dtb);

/* The DTB the guest was entered with, or NULL when x0 held none. */
const void *guest_dtb(void);

/* Ends the run: the monitor exits with this status. */
void guest_exit(int status) __attribute__((noreturn));

/* Called by start.S's vectors: index (0-15), ESR, ELR, FAR. */
void guest_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far)
	__attribute__((noreturn));

void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);
void uart_put_hex(uint64_t v);
void uart_put_dec(uint64_t v);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

#endif
