// SPDX-License-Identifier: GPL-2.0
/*
 * Drives QEMU's edu device (1234:11e8, QEMU docs/specs/edu.rst) passed
 * through with --vfio: scans PCI bus 0 through the type-1 ports, finds
 * edu, enables memory decode and bus mastering, reads its identification
 * register, checks liveness, computes a factorial, does a DMA round trip
 * (guest RAM -> edu's buffer -> other guest RAM) and takes an INTx (twice,
 * through the IOAPIC, level-triggered: the second one needs the resample
 * path) and an MSI. Exits 0, or a status naming the first step that
 * failed (printed too).
 */
#include "guest.h"

#define LAPIC_BASE 0xfee00000ULL
#define LAPIC_EOI (LAPIC_BASE + 0xb0)
#define LAPIC_SVR (LAPIC_BASE + 0xf0)
#define IOAPIC_BASE 0xfec00000ULL
#define INTX_VECTOR 0x30
#define MSI_VECTOR 0x31

#define EDU_ID 0x00
#define EDU_LIVE 0x04
#define EDU_FACT 0x08
#define EDU_STATUS 0x20
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_BUF 0x40000
#define DMA_LEN 256

static uint64_t bar0;
static volatile unsigned int intx_irqs, msi_irqs, other_irqs;
static uint8_t dma_src[DMA_LEN] __attribute__((aligned(64)));
static uint8_t dma_dst[DMA_LEN] __attribute__((aligned(64)));

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static uint32_t cfg_read32(unsigned int dev, unsigned int reg)
{
	outl(0xcf8, 0x80000000u | dev << 11 | (reg & 0xfc));
	return inl(0xcfc);
}

static void cfg_write32(unsigned int dev, unsigned int reg, uint32_t v)
{
	outl(0xcf8, 0x80000000u | dev << 11 | (reg & 0xfc));
	outl(0xcfc, v);
}

static uint32_t edu_read(uint32_t off)
{
	return mmio_read32(bar0 + off);
}

static void edu_write(uint32_t off, uint32_t v)
{
	mmio_write32(bar0 + off, v);
}

static void edu_write64(uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)(bar0 + off) = v;
}

static void edu_ack(void)
{
	uint32_t s = edu_read(EDU_IRQ_STATUS);

	edu_write(EDU_IRQ_ACK, s);
	mmio_write32(LAPIC_EOI, 0);
}

__attribute__((interrupt)) static void intx_isr(struct interrupt_frame *f)
{
	(void)f;
	intx_irqs++;
	edu_ack();
}

__attribute__((interrupt)) static void msi_isr(struct interrupt_frame *f)
{
	(void)f;
	msi_irqs++;
	edu_ack();
}

__attribute__((interrupt)) static void other_isr(struct interrupt_frame *f)
{
	(void)f;
	other_irqs++;
	mmio_write32(LAPIC_EOI, 0);
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	mmio_write32(IOAPIC_BASE, reg);
	mmio_write32(IOAPIC_BASE + 0x10, v);
}

static int fail(int status, const char *what, uint64_t got)
{
	uart_puts("vfio_edu: FAIL ");
	uart_puts(what);
	uart_puts(": ");
	uart_put_hex(got);
	uart_puts("\n");
	return status;
}

/* Waits (bounded) until *count reaches want, with interrupts on. */
static bool wait_irqs(volatile unsigned int *count, unsigned int want)
{
	for (unsigned long i = 0; i < 100000000UL && *count < want; i++)
		__asm__ volatile("sti; pause; cli");
	return *count >= want;
}

static bool wait_clear(uint32_t off, uint32_t bit)
{
	for (unsigned long i = 0; i < 100000000UL; i++)
		if (!(edu_read(off) & bit))
			return true;
	return false;
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * The cost of one guest read of BAR0's ID register, in TSC ticks, the
 * median-free mean of 2000: mapped as a memory slot it is a device read
 * (no exit); trapped (TESSERA_VFIO_NO_MMAP) it is an exit to the monitor
 * and a pread through VFIO.
 */
static void measure_reads(void)
{
	enum { N = 2000 };
	uint64_t t0, t1;

	(void)edu_read(EDU_ID);
	t0 = rdtsc();
	for (unsigned int i = 0; i < N; i++)
		(void)edu_read(EDU_ID);
	t1 = rdtsc();
	uart_puts("vfio_edu: BAR0 read ");
	uart_put_dec((t1 - t0) / N);
	uart_puts(" TSC ticks each (mean of 2000)\n");
}

static int find_edu(unsigned int *slot)
{
	for (unsigned int dev = 0; dev < 32; dev++) {
		uint32_t id = cfg_read32(dev, 0);

		if (id == 0xffffffffu)
			continue;
		uart_puts("vfio_edu: 00:");
		uart_put_hex(dev);
		uart_puts(".0 ");
		uart_put_hex(id);
		uart_puts("\n");
		if (id == 0x11e81234u) {
			*slot = dev;
			return 0;
		}
	}
	return -1;
}

static uint8_t find_cap(unsigned int dev, uint8_t id)
{
	uint8_t pos;

	if (!(cfg_read32(dev, 0x04) >> 16 & 0x10))
		return 0;
	pos = (uint8_t)(cfg_read32(dev, 0x34) & 0xfc);
	for (int n = 0; pos && n < 48; n++) {
		uint32_t h = cfg_read32(dev, pos);

		if ((h & 0xff) == id)
			return pos;
		pos = (uint8_t)((h >> 8) & 0xfc);
	}
	return 0;
}

static int dma_round_trip(void)
{
	for (unsigned int i = 0; i < DMA_LEN; i++) {
		dma_src[i] = (uint8_t)(i * 7 + 3);
		dma_dst[i] = 0;
	}
	edu_write64(EDU_DMA_SRC, (uint64_t)(uintptr_t)dma_src);
	edu_write64(EDU_DMA_DST, EDU_DMA_BUF);
	edu_write64(EDU_DMA_COUNT, DMA_LEN);
	edu_write64(EDU_DMA_CMD, 1); /* start, RAM -> edu */
	if (!wait_clear(EDU_DMA_CMD, 1))
		return fail(26, "DMA to the device did not finish", edu_read(EDU_DMA_CMD));
	edu_write64(EDU_DMA_SRC, EDU_DMA_BUF);
	edu_write64(EDU_DMA_DST, (uint64_t)(uintptr_t)dma_dst);
	edu_write64(EDU_DMA_COUNT, DMA_LEN);
	edu_write64(EDU_DMA_CMD, 1 | 2); /* start, edu -> RAM */
	if (!wait_clear(EDU_DMA_CMD, 1))
		return fail(27, "DMA from the device did not finish", edu_read(EDU_DMA_CMD));
	for (unsigned int i = 0; i < DMA_LEN; i++)
		if (dma_dst[i] != dma_src[i])
			return fail(28, "DMA round trip: byte differs at", i);
	uart_puts("vfio_edu: DMA round trip ok\n");
	return 0;
}

static int interrupts(unsigned int slot)
{
	uint32_t line = cfg_read32(slot, 0x3c) & 0xff;
	uint8_t msi = find_cap(slot, 0x05);
	uint32_t flags;

	idt_init(other_isr);
	idt_set(INTX_VECTOR, intx_isr);
	idt_set(MSI_VECTOR, msi_isr);
	outb(0x21, 0xff); /* mask both 8259s */
	outb(0xa1, 0xff);
	mmio_write32(LAPIC_SVR, 0x1ff);
	/* INTx: level-triggered, active high, to APIC 0. */
	ioapic_write(0x10 + 2 * line + 1, 0);
	ioapic_write(0x10 + 2 * line, INTX_VECTOR | 1u << 15);
	for (unsigned int n = 1; n <= 2; n++) {
		edu_write(EDU_IRQ_RAISE, 0x100u << n);
		if (!wait_irqs(&intx_irqs, n))
			return fail(29, "no INTx interrupt, line", line);
	}
	uart_puts("vfio_edu: INTx ok (2 interrupts on line ");
	uart_put_dec(line);
	uart_puts(")\n");
	ioapic_write(0x10 + 2 * line, 1u << 16); /* masked */

	if (!msi)
		return fail(30, "no MSI capability", 0);
	flags = cfg_read32(slot, msi) >> 16;
	cfg_write32(slot, msi + 4, 0xfee00000u); /* APIC 0 */
	if (flags & 0x80) { /* 64-bit address */
		cfg_write32(slot, msi + 8, 0);
		cfg_write32(slot, msi + 12, MSI_VECTOR);
	} else {
		cfg_write32(slot, msi + 8, MSI_VECTOR);
	}
	cfg_write32(slot, msi, (cfg_read32(slot, msi) & 0xffff) | 1u << 16);
	edu_write(EDU_IRQ_RAISE, 0x1000);
	if (!wait_irqs(&msi_irqs, 1))
		return fail(31, "no MSI interrupt", msi_irqs);
	uart_puts("vfio_edu: MSI ok\n");
	return 0;
}

int main(void)
{
	unsigned int slot;
	uint32_t v, bar;
	int r;

	uart_init();
	if (find_edu(&slot))
		return fail(20, "no edu device on bus 0", 0);
	bar = cfg_read32(slot, 0x10);
	bar0 = bar & ~0xfu;
	if ((bar & 0x6) == 0x4)
		bar0 |= (uint64_t)cfg_read32(slot, 0x14) << 32;
	if (!bar0 || bar0 >= 1ULL << 32)
		return fail(21, "BAR0 not placed below 4 GiB", bar0);
	/* Memory decode and bus master (for DMA and MSI). */
	cfg_write32(slot, 0x04, (cfg_read32(slot, 0x04) & 0xffff) | 0x6);
	v = edu_read(EDU_ID);
	uart_puts("vfio_edu: id ");
	uart_put_hex(v);
	uart_puts("\n");
	if ((v & 0xff) != 0xed)
		return fail(22, "identification register", v);
	edu_write(EDU_LIVE, 0x12345678);
	v = edu_read(EDU_LIVE);
	if (v != ~0x12345678u)
		return fail(23, "liveness register", v);
	edu_write(EDU_FACT, 10);
	if (!wait_clear(EDU_STATUS, 1))
		return fail(24, "factorial never finished", edu_read(EDU_STATUS));
	v = edu_read(EDU_FACT);
	if (v != 3628800)
		return fail(25, "10! is not", v);
	uart_puts("vfio_edu: liveness and 10! ok\n");
	measure_reads();
	r = dma_round_trip();
	r = r ?: interrupts(slot);
	if (r)
		return r;
	if (other_irqs)
		return fail(32, "unexpected interrupts", other_irqs);
	uart_puts("vfio_edu: all ok\n");
	return 0;
}
