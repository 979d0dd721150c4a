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

/*
 * The MMU: start.S calls guest_mmu_init() after guest_runtime_init(), before
 * main (runtime.c: an identity map, RAM cacheable, devices Device-nGnRE),
 * and a CPU started by guest_start_cpu() turns it on with the same
 * registers. RAM is mapped a second time at GUEST_ALIAS_BASE + its
 * physical address (TTBR1), for debuggers' tests of address translation.
 */
#define GUEST_ALIAS_BASE 0xffffffc000000000ull
struct guest_mmu_regs {
	uint64_t mair, tcr, ttbr0, ttbr1, sctlr; /* start.S's order */
};
/* Builds the tables and turns the MMU and caches on. 0, or -1 (said on
 * the console) when it stays off. Boot CPU, once. */
int guest_mmu_init(void);
/* Loads the registers and sets SCTLR_EL1 (start.S). Uses no stack. */
void guest_mmu_on(const struct guest_mmu_regs *r);

#define PSCI_0_2_FN_SYSTEM_OFF 0x84000008u
#define PSCI_0_2_FN_SYSTEM_RESET 0x84000009u
#define PSCI_0_2_FN64_CPU_ON 0xc4000003u
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

/*
 * Interrupts: the GICv3 the DTB describes (the first "arm,gic-v3" node:
 * reg 0 the distributor, reg 1 the redistributors; this vCPU's frame is the
 * first, as the runtime starts only the boot CPU). INTIDs as the GIC
 * numbers them: SGIs 0-15, PPIs 16-31 (the virtual timer is 27), SPIs
 * 32-1019 (a DT specifier <0 N flags> is INTID 32 + N).
 */
#define GIC_INTID_VTIMER 27
#define GIC_SPI_BASE 32
typedef void (*irq_fn)(uint32_t intid);

/* Enables the distributor, wakes this CPU's redistributor, sets up the
 * CPU interface (system registers). 0, or -1 when the DT has no GICv3. */
int gic_init(void);
/* Routes intid to this CPU in group 1, edge or level triggered, enabled. */
void gic_enable(uint32_t intid, bool edge);
/* fn runs for each interrupt with IRQs masked; the runtime acknowledges
 * before and ends (EOI) after it. Without a handler an IRQ is reported as
 * unexpected and the guest exits. */
void irq_set_handler(irq_fn fn);
/* Called by start.S's IRQ vector. */
void guest_irq_dispatch(void);

static inline void irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

static inline void wfi(void)
{
	__asm__ volatile("wfi" ::: "memory");
}

/* The virtual timer (ARM ARM D11): frequency, count, a one-shot in ticks. */
static inline uint64_t timer_freq(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

static inline uint64_t timer_count(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

static inline void timer_oneshot(uint64_t ticks)
{
	__asm__ volatile("msr cntv_tval_el0, %0; msr cntv_ctl_el0, %1; isb"
			 : : "r"(ticks), "r"(1ull) : "memory");
}

static inline void timer_stop(void)
{
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"(0ull) : "memory");
}

struct dtb;
/* The DTB the guest was entered with, parsed (dtb.h), or NULL. */
const struct dtb *guest_dt(void);

/* Called by start.S with the DTB's address (0 if none) before main. */
void guest_runtime_init(uint64_t dtb);

/* The DTB the guest was entered with, or NULL when x0 held none. */
const void *guest_dtb(void);

/* Ends the run: the monitor exits with this status. */
void guest_exit(int status) __attribute__((noreturn));

/* Called by start.S's vectors: index (0-15), ESR, ELR, FAR. */
void guest_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far)
	__attribute__((noreturn));

/*
 * Called by start.S for a synchronous exception from EL0 with its ESR,
 * IRQs masked; returns to EL0 (ELR_EL1). The runtime's weak default
 * reports it and exits; a guest running an EL0 task defines its own.
 */
void guest_el0_sync(uint64_t esr);

void uart_init(void);
void uart_putc(char c);
/* One byte to the transmit register, without waiting for room: for a
 * guest that floods the console (the monitor's UART never fills). */
void uart_write_raw(uint8_t c);
void uart_puts(const char *s);
void uart_put_hex(uint64_t v);
void uart_put_dec(uint64_t v);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);

/*
 * What the guests shared by both arches use (dtinfo, vblk, vnet, vhostile,
 * gdbtarget); guests/common/guest.h has the same calls for x86. main's
 * argument is the boot argument: here the DTB's address (x0).
 */

/* The device tree the guest was entered with (guest_dt()). */
static inline const struct dtb *guest_devtree(uint64_t boot_arg)
{
	(void)boot_arg;
	return guest_dt();
}

/*
 * The console UART from the tree (the runtime already prints through it):
 * its MMIO address in *where, its interrupt specifier in cells/ncells.
 * 0, or a -DTB_* error (none, or not one the runtime drives).
 */
int guest_dt_console(const struct dtb *t, uint64_t *where, uint32_t *cells,
		     uint32_t *ncells);

/*
 * Takes the interrupt a GIC specifier names (<0 spi flags> or <1 ppi
 * flags>; flags 1 = edge): fn runs for each, then EOI. Any other INTID
 * ends the guest (status 4). 0, or -1 (no GIC, bad specifier).
 */
int guest_irq_attach(const uint32_t *cells, uint32_t ncells, void (*fn)(void));

/* Sleeps (WFI) with interrupts on until *count >= n or about spins
 * wake-ups have passed; interrupts are masked again on return. */
void guest_irq_wait(volatile unsigned int *count, unsigned int n,
		    uint64_t spins);

/*
 * Starts the index-th CPU of the tree's /cpus (PSCI CPU_ON with its MPIDR,
 * into start.S's secondary_entry) running fn on stack_top at EL1, MMU off,
 * IRQs masked; fn must not return. Boot CPU. 0, or -1 (no such CPU, or
 * PSCI refused).
 */
int guest_start_cpu(unsigned int index, void (*fn)(void), void *stack_top);

static inline void cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

/*
 * Orders our accesses to shared rings against the device's (the monitor's
 * threads on other CPUs): a full system barrier. With the MMU off every
 * access is Device-nGnRnE and already in order; the barrier keeps that
 * true if a guest ever maps RAM as Normal memory.
 */
static inline void io_barrier(void)
{
	__asm__ volatile("dmb sy" ::: "memory");
}

static inline uint64_t guest_ticks(void)
{
	return timer_count();
}

static inline uint64_t guest_ticks_per_ms(void)
{
	return timer_freq() / 1000;
}

static inline __attribute__((noreturn)) void halt_forever(void)
{
	__asm__ volatile("msr daifset, #0xf" ::: "memory");
	for (;;)
		__asm__ volatile("wfi" ::: "memory");
}

#endif
