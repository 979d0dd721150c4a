// SPDX-License-Identifier: GPL-2.0
/*
 * A freestanding real-time probe, ring 0 half. It calibrates the TSC
 * against the PIT, maps its ring-3 half (user.c) user-accessible, arms the
 * LAPIC timer in TSC-deadline mode (IA32_TSC_DEADLINE, MSR 0x6e0) once per
 * period and drops to ring 3 with iretq. Ring 3 runs a periodic task: it
 * waits for each period's timer interrupt (int $0x50, which halts here, or
 * by spinning), notes when it woke against the period's deadline, and
 * counts how many rounds of a fixed busy body fit in a fixed TSC window
 * (the counter experiment of the Anaxagoros paper: the count per period
 * should not move however busy the rest of the machine is). At the end
 * (int $0x51) this half prints over COM1:
 *
 *   rtprobe: tsc_khz=N period_us=N window_us=N periods=N warmup=N idle=hlt|spin
 *   rtprobe: latency cpl0 min_ns=N avg_ns=N max_ns=N   (deadline -> timer handler)
 *   rtprobe: latency cpl3 min_ns=N avg_ns=N max_ns=N   (deadline -> ring 3 resumes)
 *   rtprobe: hist cpl3 A-Bus=N ...                      (non-empty buckets)
 *   rtprobe: hist1us cpl3 US:N ...                      (1 us buckets, 16 a line)
 *   rtprobe: hist1us cpl3 over=N                        (beyond PROBE_FINE_US)
 *   rtprobe: counter cpl3 min=N avg=N max=N maxdev=P.PP% over1pct=N over3pct=N
 *   rtprobe: overruns=N
 *   rtprobe: ok
 *
 * and exits 0. Options on the command line: rtprobe.period_us (1000),
 * rtprobe.periods (2000), rtprobe.warmup (50), rtprobe.window_pct (40, of
 * the period), rtprobe.idle=hlt|spin. Exit 3: no TSC-deadline timer; 4:
 * TSC calibration failed; 5: an unexpected interrupt or exception; 6: bad
 * option; 7: the ring-3 half does not fit the page tables.
 *
 * Ring-0 code runs through KVM's instruction emulator on kvm_pvm hosts
 * (HOST.md), so this half does as little as it can per period: the timer
 * handler reads the TSC first, arms the next deadline and returns.
 */
#include "guest.h"
#include "probe.h"

#define LAPIC 0xfee00000ULL
#define LAPIC_EOI (LAPIC + 0xb0)
#define LAPIC_SVR (LAPIC + 0xf0)
#define LAPIC_LVT_TIMER (LAPIC + 0x320)
#define LVT_TSC_DEADLINE (2u << 17)
#define LVT_MASKED (1u << 16)
#define MSR_TSC_DEADLINE 0x6e0
#define ZP_CMD_LINE_PTR 0x228 /* boot_params.hdr.cmd_line_ptr */

#define SEL_KCODE 0x10
#define SEL_UDATA (0x20 | 3)
#define SEL_UCODE (0x28 | 3)
#define SEL_TSS 0x30

#define PTE_P 1ULL
#define PTE_RW 2ULL
#define PTE_US 4ULL
#define PTE_PS 0x80ULL

enum {
	EXIT_NO_DEADLINE = 3,
	EXIT_CALIBRATION = 4,
	EXIT_UNEXPECTED = 5,
	EXIT_BAD_OPTION = 6,
	EXIT_LAYOUT = 7,
};

extern uint8_t __user_start[], __user_end[];

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo, sel;
	uint8_t ist, attr;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

static uint64_t gdt[8] __attribute__((aligned(16)));
static struct tss tss __attribute__((aligned(16)));
static struct idt_gate idt[256] __attribute__((aligned(16)));
static uint64_t pml4[512] __attribute__((aligned(4096)));
static uint64_t pdpt[512] __attribute__((aligned(4096)));
static uint64_t pd[4][512] __attribute__((aligned(4096)));
static uint64_t pt[512] __attribute__((aligned(4096))); /* the first 2 MiB */
static uint8_t kstack[16384] __attribute__((aligned(16)));

static uint64_t next_deadline;
static volatile uint32_t pending; /* a timer interrupt ring 3 has not slept for */
static uint64_t ints_via_ud; /* ring 3's int $0x50 that came as #UD */

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			 "d"((uint32_t)(v >> 32)));
}

void __attribute__((noreturn, used)) probe_unexpected(uint64_t vector,
							  const uint64_t *frame);

static void put_kv(const char *key, uint64_t v)
{
	uart_puts(key);
	uart_put_dec(v);
}

/* ---- interrupts ----------------------------------------------------- */

__attribute__((interrupt)) static void timer_isr(struct interrupt_frame *f)
{
	uint64_t now = rdtsc(); /* first: the latency is up to here */
	struct probe_shared *s = &probe_shared;

	(void)f;
	s->isr_tsc = now;
	s->deadline = next_deadline;
	next_deadline += s->period;
	while (next_deadline <= now) /* late by whole periods: skip them */
		next_deadline += s->period;
	wrmsr(MSR_TSC_DEADLINE, next_deadline);
	if (pending && !s->spin) /* ring 3 has not slept since the last one */
		s->overruns++;
	pending = 1;
	s->fired++;
	mmio_write32(LAPIC_EOI, 0);
}

static void sleep_until_timer(void)
{
	while (!pending) /* sti's shadow: no wake-up lost before hlt */
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	pending = 0;
}

/* int $0x50 from ring 3: halt until the next period's interrupt. */
__attribute__((interrupt)) static void sleep_isr(struct interrupt_frame *f)
{
	(void)f;
	sleep_until_timer();
}

static void __attribute__((noreturn)) report(void)
{
	mmio_write32(LAPIC_LVT_TIMER, LVT_MASKED);
	probe_put_report(&probe_shared);
	put_kv(" int_via_ud=", ints_via_ud);
	uart_puts("\nrtprobe: ok\n");
	guest_exit(0);
}

/* int $0x51 from ring 3: the run is over. */
__attribute__((interrupt)) static void done_isr(struct interrupt_frame *f)
{
	(void)f;
	report();
}

struct frame {
	uint64_t rip, cs, rflags, rsp, ss;
};

/*
 * kvm_pvm raises #UD for a software interrupt (int n) in guest ring 3,
 * where real KVM goes through the DPL-3 gate. So the #UD handler decodes
 * the two calls ring 3 makes and carries them out itself.
 */
__attribute__((interrupt)) static void ud_isr(struct interrupt_frame *f)
{
	struct frame *fr = (struct frame *)f;
	const volatile uint8_t *ip = (const volatile uint8_t *)fr->rip;

	if ((fr->cs & 3) == 3 && ip[0] == 0xcd && ip[1] == PROBE_VEC_SLEEP) {
		ints_via_ud++;
		fr->rip += 2;
		sleep_until_timer();
		return;
	}
	if ((fr->cs & 3) == 3 && ip[0] == 0xcd && ip[1] == PROBE_VEC_DONE)
		report();
	probe_unexpected(6, (const uint64_t *)f);
}

__attribute__((interrupt)) static void spurious_isr(struct interrupt_frame *f)
{
	(void)f;
}

/* Every other vector: a 16-byte stub that names it, then this. */
void __attribute__((noreturn, used)) probe_unexpected(uint64_t vector,
							  const uint64_t *frame);
void probe_unexpected(uint64_t vector, const uint64_t *frame)
{
	/* Vectors 8, 10-14, 17, 21, 29 and 30 push an error code first. */
	bool code = vector < 32 && ((1u << vector) & 0x60227d00u);

	put_kv("rtprobe: unexpected interrupt or exception, vector ", vector);
	uart_puts(" rip ");
	uart_put_hex(frame[code]);
	put_kv(" cs ", frame[code + 1]);
	uart_puts("\n");
	guest_exit(EXIT_UNEXPECTED);
}

extern const uint8_t probe_vector_stubs[];
__asm__(".pushsection .text\n"
	".balign 16\n"
	"probe_vector_stubs:\n"
	".set vec, 0\n"
	".rept 256\n"
	".balign 16\n"
	"mov $vec, %edi\n"
	"mov %rsp, %rsi\n"
	"jmp probe_unexpected\n"
	".set vec, vec + 1\n"
	".endr\n"
	".popsection");

__attribute__((interrupt)) static void gp_isr(struct interrupt_frame *f,
					      uint64_t code)
{
	(void)f;
	put_kv("rtprobe: #GP, error code ", code);
	uart_puts("\n");
	guest_exit(EXIT_UNEXPECTED);
}

__attribute__((interrupt)) static void pf_isr(struct interrupt_frame *f,
					      uint64_t code)
{
	uint64_t cr2;

	(void)f;
	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	uart_puts("rtprobe: #PF at ");
	uart_put_hex(cr2);
	put_kv(", error code ", code);
	uart_puts("\n");
	guest_exit(EXIT_UNEXPECTED);
}

static void set_gate(unsigned int vec, void *fn, unsigned int dpl)
{
	uint64_t a = (uint64_t)fn;

	idt[vec] = (struct idt_gate){
		.off_lo = (uint16_t)a,
		.sel = SEL_KCODE,
		.attr = (uint8_t)(0x8e | dpl << 5), /* present, interrupt gate */
		.off_mid = (uint16_t)(a >> 16),
		.off_hi = (uint32_t)(a >> 32),
	};
}

static void setup_idt(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned int v = 0; v < 256; v++)
		set_gate(v, (void *)(probe_vector_stubs + 16 * v), 0);
	set_gate(6, ud_isr, 0);
	set_gate(13, gp_isr, 0);
	set_gate(14, pf_isr, 0);
	set_gate(PROBE_VEC_TIMER, timer_isr, 0);
	set_gate(PROBE_VEC_SLEEP, sleep_isr, 3);
	set_gate(PROBE_VEC_DONE, done_isr, 3);
	set_gate(0xff, spurious_isr, 0);
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ---- privilege levels and paging ------------------------------------ */

/*
 * The monitor's selectors stay where they are (CS 0x10, data 0x18), so no
 * segment needs reloading; ring 3 and a TSS with the ring-0 stack join.
 */
static void setup_gdt(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr = { sizeof(gdt) - 1, (uint64_t)gdt };

	gdt[1] = 0x00af9b000000ffffULL; /* 0x08 ring-0 code */
	gdt[2] = 0x00af9b000000ffffULL; /* 0x10 ring-0 code (entered with) */
	gdt[3] = 0x00cf93000000ffffULL; /* 0x18 ring-0 data */
	gdt[4] = 0x00cff3000000ffffULL; /* 0x20 ring-3 data */
	gdt[5] = 0x00affb000000ffffULL; /* 0x28 ring-3 64-bit code */
	gdt[6] = (limit & 0xffff) | (base & 0xffffff) << 16 |
		 0x89ULL << 40 | /* present, available 64-bit TSS */
		 ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	gdt[7] = base >> 32;
	tss.rsp[0] = (uint64_t)(kstack + sizeof(kstack));
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 has no ports */
	__asm__ volatile("lgdt %0" : : "m"(gdtr));
	__asm__ volatile("ltr %w0" : : "r"(SEL_TSS));
}

/*
 * Identity map of the low 4 GiB like the monitor's, but with the first
 * 2 MiB in 4 KiB pages so that exactly the ring-3 half's pages are
 * user-accessible (US on every level above them).
 */
static int setup_paging(void)
{
	uint64_t ustart = (uint64_t)__user_start, uend = (uint64_t)__user_end;

	if (uend > (2ULL << 20) || ustart & 0xfff)
		return -1;
	pml4[0] = (uint64_t)pdpt | PTE_P | PTE_RW | PTE_US;
	for (uint64_t i = 0; i < 4; i++) {
		pdpt[i] = (uint64_t)pd[i] | PTE_P | PTE_RW | PTE_US;
		for (uint64_t j = 0; j < 512; j++)
			pd[i][j] = ((i * 512 + j) << 21) | PTE_P | PTE_RW | PTE_PS;
	}
	pd[0][0] = (uint64_t)pt | PTE_P | PTE_RW | PTE_US;
	for (uint64_t k = 0; k < 512; k++) {
		uint64_t a = k << 12;

		pt[k] = a | PTE_P | PTE_RW;
		if (a >= ustart && a < uend)
			pt[k] |= PTE_US;
	}
	__asm__ volatile("mov %0, %%cr3" : : "r"((uint64_t)pml4) : "memory");
	return 0;
}

/* ---- the TSC ---------------------------------------------------------- */

/* PIT channel 2's count, latched (KVM emulates ports 0x40-0x43 in the kernel). */
static uint16_t pit2_count(void)
{
	uint8_t lo, hi;

	outb(0x43, 0x80); /* counter latch, channel 2 */
	lo = inb(0x42);
	hi = inb(0x42);
	return (uint16_t)(hi << 8 | lo);
}

/*
 * TSC ticks per millisecond, against about 50 ms of PIT channel 2
 * (1.193182 MHz, mode 0) read through its latch. Port 0x61's OUT2 bit is
 * not there on every KVM (kvm_pvm sends it to the monitor), the count is.
 */
static uint64_t calibrate_tsc_khz(void)
{
	uint64_t t0, t1;
	uint16_t first, prev, cur;
	uint64_t elapsed = 0;
	uint32_t spins = 0;

	outb(0x43, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(0x42, 60000 & 0xff);
	outb(0x42, 60000 >> 8);
	first = pit2_count();
	t0 = rdtsc();
	/*
	 * Sum the steps modulo 2^16 (mode 0 wraps on past zero): a poll may
	 * take long under emulation, and must only come within 54 ms.
	 */
	for (prev = first; elapsed < 59000 && ++spins < 100000000; prev = cur) {
		cur = pit2_count();
		elapsed += (uint16_t)(prev - cur);
	}
	t1 = rdtsc();
	if (elapsed < 59000)
		return 0;
	return (t1 - t0) * 1193182 / (elapsed * 1000);
}

/* ---- main --------------------------------------------------------------- */

static void __attribute__((noreturn)) enter_ring3(void)
{
	__asm__ volatile("pushq %0\n\t"
			 "pushq %1\n\t"
			 "pushq $0x202\n\t" /* IF on, IOPL 0 */
			 "pushq %2\n\t"
			 "pushq %3\n\t"
			 "iretq"
			 :
			 : "i"(SEL_UDATA), "r"((uint64_t)probe_user_stack_end),
			   "i"(SEL_UCODE), "r"((uint64_t)probe_user_main)
			 : "memory");
	__builtin_unreachable();
}

int main(uint64_t boot_params)
{
	struct probe_options o = { 1000, 2000, 50, 40, 0 };
	struct probe_shared *s = &probe_shared;
	uint32_t eax = 1, ebx, ecx = 0, edx;
	const char *cmdline = 0;

	uart_init();
	if (boot_params)
		cmdline = (const char *)(uint64_t) * (volatile uint32_t *)(boot_params + ZP_CMD_LINE_PTR);
	if (probe_parse_options(cmdline, &o) < 0) {
		uart_puts("rtprobe: bad rtprobe.* option\n");
		return EXIT_BAD_OPTION;
	}
	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	if (!(ecx & (1u << 24))) {
		uart_puts("rtprobe: no TSC-deadline timer (CPUID.1:ECX[24])\n");
		return EXIT_NO_DEADLINE;
	}
	s->tsc_khz = calibrate_tsc_khz();
	if (s->tsc_khz < 10000) {
		put_kv("rtprobe: TSC calibration failed: khz=", s->tsc_khz);
		uart_puts("\n");
		return EXIT_CALIBRATION;
	}
	probe_start(s, &o);

	setup_gdt();
	setup_idt();
	if (setup_paging() < 0) {
		uart_puts("rtprobe: ring-3 half beyond 2 MiB or misaligned\n");
		return EXIT_LAYOUT;
	}
	outb(0x21, 0xff); /* mask both 8259s: KVM wires LVT0 to ExtINT */
	outb(0xa1, 0xff);
	mmio_write32(LAPIC_SVR, 0x1ff);
	mmio_write32(LAPIC_LVT_TIMER, LVT_TSC_DEADLINE | PROBE_VEC_TIMER);
	next_deadline = rdtsc() + s->period;
	wrmsr(MSR_TSC_DEADLINE, next_deadline);
	enter_ring3();
}
