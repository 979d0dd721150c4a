// SPDX-License-Identifier: GPL-2.0
#include "arch/x86_64/mptable.h"

#include <stdbool.h>
#include <string.h>

/* MP spec 1.4, chapter 4: entry layouts. */
struct mpf {
	char signature[4]; /* "_MP_" */
	uint32_t physptr;
	uint8_t length; /* in 16-byte units */
	uint8_t specification;
	uint8_t checksum;
	uint8_t feature[5];
} __attribute__((packed));

struct mpc_header {
	char signature[4]; /* "PCMP" */
	uint16_t length;
	uint8_t spec;
	uint8_t checksum;
	char oem[8];
	char product[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t count;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mpc_cpu {
	uint8_t type, apicid, apicver, cpuflag;
	uint32_t cpufeature, featureflag, reserved[2];
} __attribute__((packed));

struct mpc_bus {
	uint8_t type, busid;
	char bustype[6];
} __attribute__((packed));

struct mpc_ioapic {
	uint8_t type, apicid, apicver, flags;
	uint32_t apicaddr;
} __attribute__((packed));

struct mpc_intsrc {
	uint8_t type, irqtype;
	uint16_t irqflag;
	uint8_t srcbus, srcbusirq, dstapic, dstirq;
} __attribute__((packed));

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_INTSRC, MP_LINTSRC };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };
/* mpc_intsrc.irqflag: polarity in bits 0-1, trigger mode in bits 2-3. */
#define MP_IRQ_POLARITY_LOW 0x3
#define MP_IRQ_TRIGGER_LEVEL 0xc

#define CPU_ENABLED 1
#define CPU_BSP 2
#define APIC_VERSION 0x14
#define LAPIC_ADDR 0xfee00000u

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	while (n--)
		sum += *p++;
	return (uint8_t)-sum;
}

/* Whether a PCI INTx takes IOAPIC pin: the ISA IRQ there is left out. */
static bool pin_taken(const struct mptable_pci *pci, unsigned int pin)
{
	for (unsigned int i = 0; pci && i < pci->nintx; i++)
		if (pci->intx[i].ioapic_pin == pin)
			return true;
	return false;
}

static bool pci_valid(const struct mptable_pci *pci)
{
	if (!pci)
		return true;
	if (pci->nintx > MPTABLE_MAX_INTX)
		return false;
	for (unsigned int i = 0; i < pci->nintx; i++)
		if (pci->intx[i].slot > 31 || pci->intx[i].pin < 1 ||
		    pci->intx[i].pin > 4 ||
		    pci->intx[i].ioapic_pin >= MPTABLE_IOAPIC_PINS)
			return false;
	return true;
}

/* Interrupt source entries: ISA IRQs not taken by PCI, INTx, 2 local. */
static unsigned int nintsrc(const struct mptable_pci *pci)
{
	unsigned int n = 2;

	for (unsigned int irq = 0; irq < MPTABLE_ISA_IRQS; irq++)
		n += !pin_taken(pci, irq);
	return n + (pci ? pci->nintx : 0);
}

size_t mptable_size(unsigned int ncpus, const struct mptable_pci *pci)
{
	if (!pci_valid(pci))
		return 0;
	return sizeof(struct mpf) + sizeof(struct mpc_header) +
	       ncpus * sizeof(struct mpc_cpu) +
	       (pci ? 2 : 1) * sizeof(struct mpc_bus) +
	       sizeof(struct mpc_ioapic) +
	       nintsrc(pci) * sizeof(struct mpc_intsrc);
}

size_t mptable_build(uint8_t *buf, size_t len, uint64_t base,
		     unsigned int ncpus, uint32_t ioapic_addr,
		     const struct mptable_pci *pci)
{
	size_t total = mptable_size(ncpus, pci);
	struct mpf *mpf = (struct mpf *)buf;
	struct mpc_header *mpc = (struct mpc_header *)(mpf + 1);
	uint8_t *p = (uint8_t *)(mpc + 1);
	uint8_t ioapic_id = (uint8_t)ncpus;
	/* A PCI bus's id is its bus number (Linux looks INTx up by it). */
	uint8_t isa_bus = pci ? 1 : 0;
	uint16_t count = 0;

	if (!total || len < total || ncpus == 0 || ncpus > 254 ||
	    base > UINT32_MAX - total)
		return 0;
	memset(buf, 0, total);
	for (unsigned int i = 0; i < ncpus; i++, count++) {
		struct mpc_cpu *c = (struct mpc_cpu *)p;

		c->type = MP_PROCESSOR;
		c->apicid = (uint8_t)i;
		c->apicver = APIC_VERSION;
		c->cpuflag = CPU_ENABLED | (i == 0 ? CPU_BSP : 0);
		c->cpufeature = 0x600; /* family 6 */
		c->featureflag = 0x201; /* FPU, APIC */
		p += sizeof(*c);
	}
	if (pci) {
		struct mpc_bus *b = (struct mpc_bus *)p;

		b->type = MP_BUS;
		b->busid = 0;
		memcpy(b->bustype, "PCI   ", 6);
		p += sizeof(*b);
		count++;
	}
	{
		struct mpc_bus *b = (struct mpc_bus *)p;

		b->type = MP_BUS;
		b->busid = isa_bus;
		memcpy(b->bustype, "ISA   ", 6);
		p += sizeof(*b);
		count++;
	}
	{
		struct mpc_ioapic *io = (struct mpc_ioapic *)p;

		io->type = MP_IOAPIC;
		io->apicid = ioapic_id;
		io->apicver = 0x11;
		io->flags = 1; /* enabled */
		io->apicaddr = ioapic_addr;
		p += sizeof(*io);
		count++;
	}
	/* ISA IRQ n on IOAPIC pin n: KVM's default GSI routing, the PIT included. */
	for (unsigned int irq = 0; irq < MPTABLE_ISA_IRQS; irq++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		if (pin_taken(pci, irq))
			continue;
		s->type = MP_INTSRC;
		s->irqtype = MP_INT;
		s->srcbus = isa_bus;
		s->srcbusirq = (uint8_t)irq;
		s->dstapic = ioapic_id;
		s->dstirq = (uint8_t)irq;
		p += sizeof(*s);
		count++;
	}
	/*
	 * Each PCI INTx: source IRQ = device << 2 | pin (0: INTA), level and
	 * active low as PCI interrupts are (and as the _PRT's GSIs default to).
	 */
	for (unsigned int i = 0; pci && i < pci->nintx; i++, count++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		s->type = MP_INTSRC;
		s->irqtype = MP_INT;
		s->irqflag = MP_IRQ_POLARITY_LOW | MP_IRQ_TRIGGER_LEVEL;
		s->srcbus = 0;
		s->srcbusirq = (uint8_t)(pci->intx[i].slot << 2 | (pci->intx[i].pin - 1));
		s->dstapic = ioapic_id;
		s->dstirq = pci->intx[i].ioapic_pin;
		p += sizeof(*s);
	}
	/* LINT0 is ExtINT (the 8259), LINT1 NMI, on every local APIC. */
	for (int i = 0; i < 2; i++, count++) {
		struct mpc_intsrc *s = (struct mpc_intsrc *)p;

		s->type = MP_LINTSRC;
		s->irqtype = i == 0 ? MP_EXTINT : MP_NMI;
		s->dstapic = 0xff;
		s->dstirq = (uint8_t)i;
		p += sizeof(*s);
	}
	memcpy(mpc->signature, "PCMP", 4);
	mpc->length = (uint16_t)(p - (uint8_t *)mpc);
	mpc->spec = 4;
	memcpy(mpc->oem, "TESSERA ", 8);
	memcpy(mpc->product, "PARTITION   ", 12);
	mpc->count = count;
	mpc->lapic = LAPIC_ADDR;
	mpc->checksum = checksum((uint8_t *)mpc, mpc->length);

	memcpy(mpf->signature, "_MP_", 4);
	mpf->physptr = (uint32_t)(base + sizeof(*mpf));
	mpf->length = 1;
	mpf->specification = 4;
	mpf->checksum = checksum((uint8_t *)mpf, sizeof(*mpf));
	return total;
}
