// SPDX-License-Identifier: GPL-2.0
/*
 * The real-time probe on arm64, EL1 half: the twin of guests/rt/rtprobe.c
 * with the same unprivileged half (guests/rt/user.c, at EL0 here) and the
 * same report (guests/rt/common.c). The period's timer is the virtual
 * timer (CNTV_CVAL_EL0, PPI 27 through the vGICv3), one absolute deadline
 * per period; the counter is CNTVCT_EL0 at CNTFRQ_EL0 (no calibration,
 * "tsc_khz" in the report is its rate), readable at EL0 (CNTKCTL_EL1).
 * EL0 asks with svc #0x50 to sleep until the next period (WFI here) and
 * with svc #0x51 for the report. The runtime's map lets EL0 run the
 * image's code and read and write all RAM (runtime.c). Options and output as the x86 probe's;
 * "cpl0" is EL1 (deadline -> timer handler), "cpl3" EL0 (deadline -> the
 * task resumes). Exit 0; 3: no GIC or timer rate; 5: an unexpected
 * exception; 6: a bad option.
 */
#include "dtb.h"
#include "guest.h"
#include "probe.h"

#define ESR_EC_SVC64 0x15u
#define CNTKCTL_EL0VCTEN (1u << 1)
#define SPSR_EL0T 0u /* EL0, SP_EL0, DAIF clear: IRQs on at EL0 */

enum { EXIT_NO_TIMER = 3, EXIT_UNEXPECTED = 5, EXIT_BAD_OPTION = 6 };

static uint64_t next_deadline;
static volatile uint32_t pending; /* a period's interrupt EL0 has not slept for */
static char cmdline[256];

static void set_deadline(uint64_t cval)
{
	__asm__ volatile("msr cntv_cval_el0, %0; isb" : : "r"(cval) : "memory");
}

/* The virtual timer: first the count (the latency is up to here), then
 * the next deadline, which also drops the level-triggered line. */
static void on_irq(uint32_t intid)
{
	uint64_t now = timer_count();
	struct probe_shared *s = &probe_shared;

	if (intid != GIC_INTID_VTIMER) {
		uart_puts("rtprobe: unexpected INTID ");
		uart_put_dec(intid);
		uart_puts("\n");
		guest_exit(EXIT_UNEXPECTED);
	}
	s->isr_tsc = now;
	s->deadline = next_deadline;
	next_deadline += s->period;
	while (next_deadline <= now) /* late by whole periods: skip them */
		next_deadline += s->period;
	set_deadline(next_deadline);
	if (pending && !s->spin) /* EL0 has not slept since the last one */
		s->overruns++;
	pending = 1;
	s->fired++;
}

static void __attribute__((noreturn)) report(void)
{
	timer_stop();
	probe_put_report(&probe_shared);
	uart_puts("\nrtprobe: ok\n");
	guest_exit(0);
}

/* EL0's calls (IRQs masked on entry): sleep until the period, or report. */
void guest_el0_sync(uint64_t esr)
{
	uint64_t elr;

	if (esr >> 26 == ESR_EC_SVC64 && (esr & 0xffff) == 0x50) {
		while (!pending) { /* masked around the check: none lost */
			wfi();
			irq_enable();
			irq_disable();
		}
		pending = 0;
		return;
	}
	if (esr >> 26 == ESR_EC_SVC64 && (esr & 0xffff) == 0x51)
		report();
	__asm__ volatile("mrs %0, elr_el1" : "=r"(elr));
	uart_puts("rtprobe: unexpected exception from EL0, ESR ");
	uart_put_hex(esr);
	uart_puts(" ELR ");
	uart_put_hex(elr);
	uart_puts("\n");
	guest_exit(EXIT_UNEXPECTED);
}

static void __attribute__((noreturn)) enter_el0(void)
{
	uint64_t kctl;

	__asm__ volatile("mrs %0, cntkctl_el1" : "=r"(kctl));
	__asm__ volatile("msr cntkctl_el1, %0" : : "r"(kctl | CNTKCTL_EL0VCTEN));
	__asm__ volatile("msr sp_el0, %0\n\t"
			 "msr elr_el1, %1\n\t"
			 "msr spsr_el1, %2\n\t"
			 "isb\n\t"
			 "eret"
			 :
			 : "r"((uint64_t)probe_user_stack_end),
			   "r"((uint64_t)probe_user_main), "r"((uint64_t)SPSR_EL0T)
			 : "memory");
	__builtin_unreachable();
}

int main(uint64_t dtb)
{
	struct probe_options o = { 1000, 2000, 50, 40, 0 };
	struct probe_shared *s = &probe_shared;
	const struct dtb *t = guest_devtree(dtb);

	uart_init();
	if (t) { /* the whole command line: probe_parse_options reads it */
		int chosen = dtb_find_path(t, "/chosen");
		const char *args;

		if (chosen >= 0 && dtb_prop_string(t, chosen, "bootargs", &args) == 0) {
			unsigned int i = 0;

			for (; args[i] && i + 1 < sizeof(cmdline); i++)
				cmdline[i] = args[i];
			cmdline[i] = 0;
		}
	}
	if (probe_parse_options(cmdline, &o) < 0) {
		uart_puts("rtprobe: bad rtprobe.* option\n");
		return EXIT_BAD_OPTION;
	}
	s->tsc_khz = timer_freq() / 1000;
	if (s->tsc_khz == 0 || gic_init()) {
		uart_puts("rtprobe: no timer rate (CNTFRQ_EL0) or no GICv3\n");
		return EXIT_NO_TIMER;
	}
	probe_start(s, &o);

	irq_set_handler(on_irq);
	gic_enable(GIC_INTID_VTIMER, false);
	next_deadline = timer_count() + s->period;
	set_deadline(next_deadline);
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" : : "r"(1ull) : "memory");
	enter_el0();
}
