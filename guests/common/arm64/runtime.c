// SPDX-License-Identifier: GPL-2.0
/* The AArch64 test guests' runtime: console, exit, exceptions (guest.h). */
#include "guest.h"

#include "dtb.h"

enum uart_kind { UART_NONE, UART_PL011, UART_NS16550 };

/* PL011 (ARM DDI 0183): data register, flag register (TXFF), control. */
#define PL011_DR 0x00
#define PL011_FR 0x18
#define PL011_FR_TXFF (1u << 5)
#define PL011_CR 0x30
#define PL011_CR_EN 0x301 /* UARTEN | TXE | RXE */
/* 16550 register indexes (scaled by reg-shift) and LSR.THRE. */
#define NS_THR 0
#define NS_IER 1
#define NS_FCR 2
#define NS_LCR 3
#define NS_MCR 4
#define NS_LSR 5
#define NS_LSR_THRE 0x20
/* A UART that never drains must not hang the guest forever. */
#define UART_SPIN_MAX 1000000

/* The Devicetree Specification's limit is what fits in RAM; Linux on arm64
 * takes at most 2 MiB (booting.rst). */
#define DTB_MAX_SIZE (2u << 20)

static struct dtb dt;
static bool have_dt;
static enum uart_kind uart_kind;
static uint64_t uart_base;
static unsigned int uart_shift;
static uint64_t exit_reg;

const void *guest_dtb(void)
{
	return have_dt ? dt.blob : NULL;
}

const struct dtb *guest_dt(void)
{
	return have_dt ? &dt : NULL;
}

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* Copies the first n bytes of s into buf (size bufsz) as a string. */
static bool copy_prefix(char *buf, size_t bufsz, const char *s, size_t n)
{
	if (n >= bufsz)
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	return true;
}

/*
 * The node /chosen's stdout-path names: a path or an alias, either with
 * ":options" after it (Devicetree Specification 3.6). < 0 without one.
 */
static int stdout_node(void)
{
	const char *path, *alias;
	int chosen, aliases;
	char name[128];
	size_t n = 0;

	chosen = dtb_find_path(&dt, "/chosen");
	if (chosen < 0 || dtb_prop_string(&dt, chosen, "stdout-path", &path))
		return -DTB_ENOENT;
	while (path[n] && path[n] != ':')
		n++;
	if (!copy_prefix(name, sizeof(name), path, n))
		return -DTB_ENOENT;
	if (name[0] == '/')
		return dtb_find_path(&dt, name);
	aliases = dtb_find_path(&dt, "/aliases");
	if (aliases < 0 || dtb_prop_string(&dt, aliases, name, &alias))
		return -DTB_ENOENT;
	return dtb_find_path(&dt, alias);
}

static void use_uart(int node)
{
	struct dtb_reg r;
	uint32_t shift = 0;

	if (node < 0 || dtb_reg(&dt, node, 0, &r))
		return;
	if (dtb_prop_has_string(&dt, node, "compatible", "arm,pl011")) {
		uart_kind = UART_PL011;
	} else if (dtb_prop_has_string(&dt, node, "compatible", "ns16550a") ||
		   dtb_prop_has_string(&dt, node, "compatible", "ns16550")) {
		uart_kind = UART_NS16550;
		if (dtb_prop_u32(&dt, node, "reg-shift", &shift) == 0 && shift < 4)
			uart_shift = shift;
	} else {
		return;
	}
	uart_base = dtb_reg_addr(&r);
}

void guest_runtime_init(uint64_t dtb)
{
	const uint8_t *blob = (const uint8_t *)dtb;
	struct dtb_reg r;
	uint32_t size;
	int node;

	if (!dtb || (dtb & 7))
		return;
	size = be32_at(blob + 4); /* totalsize; dtb_init checks the rest */
	if (size > DTB_MAX_SIZE || dtb_init(&dt, blob, size))
		return;
	have_dt = true;
	use_uart(stdout_node());
	if (uart_kind == UART_NONE)
		use_uart(dtb_find_compatible(&dt, -1, "arm,pl011"));
	if (uart_kind == UART_NONE)
		use_uart(dtb_find_compatible(&dt, -1, "ns16550a"));
	if (uart_kind == UART_NONE)
		use_uart(dtb_find_compatible(&dt, -1, "ns16550"));
	node = dtb_find_compatible(&dt, -1, "tessera,debug-exit");
	if (node >= 0 && dtb_reg(&dt, node, 0, &r) == 0)
		exit_reg = dtb_reg_addr(&r);
}

void guest_exit(int status)
{
	if (status && exit_reg)
		mmio_write32(exit_reg, (uint32_t)status & 0xff);
	psci_call(PSCI_0_2_FN_SYSTEM_OFF, 0, 0, 0);
	/* SYSTEM_OFF does not return; if a monitor lets it, stay put. */
	for (;;)
		__asm__ volatile("wfi");
}

void guest_exception(uint64_t idx, uint64_t esr, uint64_t elr, uint64_t far)
{
	uart_puts("\nguest: unexpected exception ");
	uart_put_dec(idx);
	uart_puts(" ESR ");
	uart_put_hex(esr);
	uart_puts(" ELR ");
	uart_put_hex(elr);
	uart_puts(" FAR ");
	uart_put_hex(far);
	uart_puts("\n");
	guest_exit(GUEST_STATUS_EXCEPTION);
}

/* An EL0 task's synchronous exception: none expected unless a guest says
 * otherwise (a strong definition of its own). */
__attribute__((weak)) void guest_el0_sync(uint64_t esr)
{
	uint64_t elr, far;

	__asm__ volatile("mrs %0, elr_el1; mrs %1, far_el1" : "=r"(elr), "=r"(far));
	guest_exception(8, esr, elr, far);
}

static void ns_write(unsigned int reg, uint8_t v)
{
	mmio_write8(uart_base + ((uint64_t)reg << uart_shift), v);
}

void uart_init(void)
{
	switch (uart_kind) {
	case UART_PL011:
		mmio_write32(uart_base + PL011_CR, PL011_CR_EN);
		break;
	case UART_NS16550:
		ns_write(NS_IER, 0x00); /* no interrupts */
		ns_write(NS_LCR, 0x03); /* 8N1 (the divisor is left as it is) */
		ns_write(NS_FCR, 0x07); /* FIFO on, both cleared */
		ns_write(NS_MCR, 0x03); /* DTR, RTS */
		break;
	case UART_NONE:
		break;
	}
}

void uart_putc(char c)
{
	unsigned int spin = 0;

	switch (uart_kind) {
	case UART_PL011:
		while ((mmio_read32(uart_base + PL011_FR) & PL011_FR_TXFF) &&
		       ++spin < UART_SPIN_MAX)
			;
		mmio_write32(uart_base + PL011_DR, (uint8_t)c);
		break;
	case UART_NS16550:
		while (!(mmio_read8(uart_base + ((uint64_t)NS_LSR << uart_shift)) &
			 NS_LSR_THRE) &&
		       ++spin < UART_SPIN_MAX)
			;
		ns_write(NS_THR, (uint8_t)c);
		break;
	case UART_NONE:
		break;
	}
}

void uart_write_raw(uint8_t c)
{
	switch (uart_kind) {
	case UART_PL011:
		mmio_write32(uart_base + PL011_DR, c);
		break;
	case UART_NS16550:
		ns_write(NS_THR, c);
		break;
	case UART_NONE:
		break;
	}
}

int guest_dt_console(const struct dtb *t, uint64_t *where, uint32_t *cells,
		     uint32_t *ncells)
{
	int node = dtb_find_compatible(t, -1, "ns16550a");
	struct dtb_reg r;
	int err;

	if (node < 0)
		node = dtb_find_compatible(t, -1, "arm,pl011");
	if (node < 0)
		return node;
	err = dtb_reg(t, node, 0, &r);
	err = err ?: dtb_interrupt(t, node, 0, cells, ncells);
	if (err)
		return err;
	if (uart_kind == UART_NONE || dtb_reg_addr(&r) != uart_base)
		return -DTB_EINVAL; /* not the console the runtime found */
	*where = uart_base;
	return 0;
}

/*
 * The MMU (ARM ARM D8): an identity map with a 4K granule and a 39-bit
 * address space (T0SZ 25, the walk starting at level 1, 1 GiB per entry).
 * Every GiB below RAM is Device-nGnRE (the GIC, the UART, the debug-exit
 * register and the virtio-mmio window all sit there: vmm/arch/arm64/layout.h);
 * RAM is Normal write-back, inner shareable, so that the guest and the
 * monitor, which reads and writes the virtio rings through its own
 * cacheable mapping, see the same bytes without FEAT_S2FWB. The GiB that
 * holds the image goes down to 2 MiB blocks, and the image's 2 MiB to 4K
 * pages: code and constants read-only (and executable at EL1 and EL0),
 * everything else read-write at EL1 and EL0 (so an EL0 task, such as the
 * real-time probe's, reaches its data; the architecture makes memory EL0
 * may write privileged-execute-never). TTBR1 maps RAM a second time at
 * GUEST_ALIAS_BASE + physical address, through tables of its own, for the
 * gdb tests of virtual address translation.
 */
#define PTE_BLOCK 1ull
#define PTE_TABLE 3ull /* a page at level 3 */
#define PTE_ATTR(i) ((uint64_t)(i) << 2) /* MAIR_EL1 index */
#define PTE_EL0 (1ull << 6)  /* AP[1]: EL0 may access */
#define PTE_RO (1ull << 7)   /* AP[2]: read-only */
#define PTE_SH_INNER (3ull << 8)
#define PTE_AF (1ull << 10)
#define PTE_PXN (1ull << 53)
#define PTE_UXN (1ull << 54)
#define MAIR_DEVICE_NGNRE 0x04ull /* index 0 */
#define MAIR_NORMAL_WB 0xffull    /* index 1: inner and outer write-back */
#define PTE_DEVICE (PTE_ATTR(0) | PTE_AF | PTE_PXN | PTE_UXN)
#define PTE_RAM (PTE_ATTR(1) | PTE_AF | PTE_SH_INNER | PTE_EL0 | PTE_UXN)
#define PTE_TEXT (PTE_ATTR(1) | PTE_AF | PTE_SH_INNER | PTE_EL0 | PTE_RO)
/* TCR_EL1: T0SZ = T1SZ = 25, walks write-back inner shareable, TG0 4K,
 * TG1 4K; IPS from ID_AA64MMFR0_EL1. */
#define TCR_WALK (1ull << 8 | 1ull << 10 | 3ull << 12)
#define TCR_VALUE (25ull | TCR_WALK | 25ull << 16 | TCR_WALK << 16 | 2ull << 30)
#define SCTLR_M (1ull << 0)
#define SCTLR_A (1ull << 1)
#define SCTLR_C (1ull << 2)
#define SCTLR_I (1ull << 12)
#define SCTLR_WXN (1ull << 19)
#define SCTLR_EE (1ull << 25)
#define SZ_2M (2ull << 20)
#define SZ_1G (1ull << 30)

static uint64_t l1_lo[512] __attribute__((aligned(4096)));
static uint64_t l1_hi[512] __attribute__((aligned(4096)));
static uint64_t l2_img[512] __attribute__((aligned(4096)));
static uint64_t l3_img[512] __attribute__((aligned(4096)));
static struct guest_mmu_regs mmu_regs; /* sctlr 0: the MMU stays off */
extern const uint8_t __image_start[], __text_end[], __image_end[];

/* RAM as the DT's first /memory node says: 0, or -1 without one. */
static int ram_range(uint64_t *base, uint64_t *size)
{
	int node = have_dt ? dtb_find_path(&dt, "/memory") : -1;
	struct dtb_reg r;

	if (node < 0 || dtb_reg(&dt, node, 0, &r) || !r.size)
		return -1;
	*base = dtb_reg_addr(&r);
	*size = r.size;
	return 0;
}

/* The image's 1 GiB: 2 MiB blocks of RAM (Device below RAM), its own
 * 2 MiB in pages. */
static void map_image_gib(uint64_t gib, uint64_t ram, uint64_t ram_end)
{
	uint64_t img2m = (uint64_t)__image_start & ~(SZ_2M - 1);

	for (unsigned int i = 0; i < 512; i++) {
		uint64_t a = gib + i * SZ_2M;

		if (a == img2m)
			l2_img[i] = (uint64_t)l3_img | PTE_TABLE;
		else if (a + SZ_2M > ram && a < ram_end)
			l2_img[i] = a | PTE_RAM | PTE_BLOCK;
		else if (a < ram)
			l2_img[i] = a | PTE_DEVICE | PTE_BLOCK;
	}
	for (unsigned int i = 0; i < 512; i++) {
		uint64_t a = img2m + i * 4096ull;

		if (a >= ((uint64_t)__image_start & ~4095ull) && a < (uint64_t)__text_end)
			l3_img[i] = a | PTE_TEXT | PTE_TABLE;
		else
			l3_img[i] = a | PTE_RAM | PTE_TABLE;
	}
}

/* Invalidates [start, end) in the data caches to the point of coherency:
 * what the guest wrote with the MMU off went past them. */
static void dcache_inval(uint64_t start, uint64_t end)
{
	uint64_t ctr, line;

	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4ull << ((ctr >> 16) & 0xf); /* DminLine, in words */
	for (uint64_t a = start & ~(line - 1); a < end; a += line)
		__asm__ volatile("dc ivac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
}

int guest_mmu_init(void)
{
	uint64_t mmfr0, sctlr, ram, size, ram_end, img = (uint64_t)__image_start;
	uint64_t end = (uint64_t)__image_end;

	__asm__ volatile("mrs %0, id_aa64mmfr0_el1" : "=r"(mmfr0));
	if (((mmfr0 >> 28) & 0xf) == 0xf) {
		uart_puts("guest: no 4K granule: the MMU stays off\n");
		return -1;
	}
	if ((img >> 21) != ((end - 1) >> 21) || end > (256ull << 30)) {
		uart_puts("guest: image not within one 2 MiB: the MMU stays off\n");
		return -1;
	}
	if (ram_range(&ram, &size)) { /* no DT: the image's GiB */
		ram = img & ~(SZ_1G - 1);
		size = SZ_1G;
	}
	ram_end = ram + size;
	if (ram_end > (256ull << 30) || ram_end < ram)
		ram_end = 256ull << 30; /* what the alias can hold */
	for (uint64_t g = 0; g < 256; g++) {
		uint64_t a = g << 30;

		if (a == (img & ~(SZ_1G - 1))) {
			map_image_gib(a, ram, ram_end);
			l1_lo[g] = (uint64_t)l2_img | PTE_TABLE;
		} else if (a + SZ_1G > ram && a < ram_end) {
			l1_lo[g] = a | PTE_RAM | PTE_BLOCK;
		} else if (a < ram) {
			l1_lo[g] = a | PTE_DEVICE | PTE_BLOCK;
			continue; /* no alias of devices */
		} else {
			continue;
		}
		l1_hi[256 + g] = l1_lo[g];
	}
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	mmu_regs.mair = MAIR_DEVICE_NGNRE | MAIR_NORMAL_WB << 8;
	mmu_regs.tcr = TCR_VALUE | ((mmfr0 & 7) > 5 ? 5ull : mmfr0 & 7) << 32;
	mmu_regs.ttbr0 = (uint64_t)l1_lo;
	mmu_regs.ttbr1 = (uint64_t)l1_hi;
	mmu_regs.sctlr = (sctlr & ~(SCTLR_A | SCTLR_WXN | SCTLR_EE)) |
			 SCTLR_M | SCTLR_C | SCTLR_I;
	dcache_inval(img, end);
	guest_mmu_on(&mmu_regs);
	return 0;
}

/* What a started CPU loads first (start.S's secondary_entry): its stack,
 * its function and the MMU's registers. One per CPU, kept: the CPU reads
 * it with its MMU off, from memory. */
#define GUEST_MAX_CPUS 16
static struct {
	uint64_t sp, fn;
	struct guest_mmu_regs mmu;
	uint64_t pad;
} cpu_ctx[GUEST_MAX_CPUS] __attribute__((aligned(64)));

_Static_assert(sizeof(cpu_ctx[0]) == 64, "start.S reads one 64-byte line");

extern const uint8_t secondary_entry[];

int guest_start_cpu(unsigned int index, void (*fn)(void), void *stack_top)
{
	int cpus = have_dt ? dtb_find_path(&dt, "/cpus") : -1;
	unsigned int n = 0;
	struct dtb_reg r;

	if (cpus < 0 || index >= GUEST_MAX_CPUS)
		return -1;
	for (int c = dtb_first_child(&dt, cpus); c >= 0; c = dtb_next_sibling(&dt, c)) {
		if (!dtb_prop_has_string(&dt, c, "device_type", "cpu") || n++ != index)
			continue;
		if (dtb_reg(&dt, c, 0, &r))
			return -1;
		cpu_ctx[index].sp = (uint64_t)stack_top;
		cpu_ctx[index].fn = (uint64_t)fn;
		cpu_ctx[index].mmu = mmu_regs;
		/* to memory: the new CPU reads it with its caches off */
		__asm__ volatile("dc civac, %0\n\tdsb sy"
				 : : "r"(&cpu_ctx[index]) : "memory");
		return psci_call(PSCI_0_2_FN64_CPU_ON, dtb_reg_addr(&r),
				 (uint64_t)secondary_entry,
				 (uint64_t)&cpu_ctx[index]) == 0 ? 0 : -1;
	}
	return -1;
}
