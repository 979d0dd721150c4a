/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART: RBR/THR, IER, IIR/FCR, LCR (with DLAB), MCR (with
 * loopback), LSR, MSR, SCR and a 16-byte receive FIFO. Transmission is
 * instantaneous: each THR write goes to the tx callback, which must never
 * block (the console's bounded buffer drops and counts instead).
 *
 * The model knows no KVM: it raises and lowers its interrupt line through
 * the irq callback and is unit-tested with fake callbacks.
 */
#ifndef TESSERA_SERIAL8250_H
#define TESSERA_SERIAL8250_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"

#define SERIAL8250_COM1_BASE 0x3f8
#define SERIAL8250_COM1_IRQ 4
#define SERIAL8250_NR_REGS 8
#define SERIAL8250_FIFO_SIZE 16
#define SERIAL8250_CLOCK_HZ 1843200

struct serial8250_ops {
	void (*set_irq)(void *opaque, bool level); /* line level changed */
	void (*tx)(void *opaque, uint8_t byte);    /* a byte was sent */
	void (*rx_space)(void *opaque);            /* RX FIFO was full, now is not */
	void *opaque;
};

struct serial8250 {
	pthread_mutex_t lock;
	struct serial8250_ops ops;
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool overrun;      /* LSR.OE, cleared by reading LSR */
	bool thri_pending; /* THR-empty interrupt, cleared by reading IIR */
	bool irq_level;
	uint8_t rx[SERIAL8250_FIFO_SIZE];
	unsigned int rx_head, rx_count;
};

void serial8250_init(struct serial8250 *s, const struct serial8250_ops *ops);
void serial8250_destroy(struct serial8250 *s);

/* Bus handler for the 8 registers; opaque is the serial8250. vCPU threads. */
void serial8250_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		   bool is_write);

/*
 * Delivers host input. Accepts at most the free FIFO space and returns the
 * number of bytes taken; the caller keeps the rest until ops.rx_space.
 * Any thread.
 */
size_t serial8250_receive(struct serial8250 *s, const uint8_t *buf, size_t n);

/* Free receive space in bytes (1 byte without FIFO mode). Any thread. */
size_t serial8250_rx_space(struct serial8250 *s);

struct fdt_writer;
struct fdt_device;

/*
 * The UART's device tree emitter (struct fdt_device.node, fdt/fdt.h): the
 * node serial@i<port> (FDT_BUS_ISA_IO; serial@<address> on MMIO) with
 * compatible "ns16550a", reg, clock-frequency, reg-shift, reg-io-width
 * and, with dev->has_irq, its IOAPIC interrupt. Returns 0 or the writer's
 * -errno. Called by fdt_build(), on whichever thread runs it.
 */
int serial8250_fdt_node(struct fdt_writer *w, const struct fdt_device *dev);

#endif
