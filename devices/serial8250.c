// SPDX-License-Identifier: GPL-2.0
/*
 * 16550A register model, after the National Semiconductor PC16550D data
 * sheet. Register offsets and bits as in Linux's include/uapi/linux/serial_reg.h.
 */
#include "serial8250.h"

#include <string.h>

#include "fdt.h"

enum {
	REG_RBR_THR_DLL = 0,
	REG_IER_DLM = 1,
	REG_IIR_FCR = 2,
	REG_LCR = 3,
	REG_MCR = 4,
	REG_LSR = 5,
	REG_MSR = 6,
	REG_SCR = 7,
};

#define IER_RDI 0x01
#define IER_THRI 0x02
#define IER_RLSI 0x04
#define IER_MSI 0x08

#define IIR_NO_INT 0x01
#define IIR_MSI 0x00
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_CTI 0x0c
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

static bool fifo_on(const struct serial8250 *s)
{
	return s->fcr & FCR_ENABLE;
}

static unsigned int rx_capacity(const struct serial8250 *s)
{
	return fifo_on(s) ? SERIAL8250_FIFO_SIZE : 1;
}

static unsigned int rx_trigger(const struct serial8250 *s)
{
	static const unsigned int level[4] = { 1, 4, 8, 14 };

	return fifo_on(s) ? level[s->fcr >> 6] : 1;
}

/* The highest-priority pending interrupt, as IIR bits 0-3. */
static uint8_t pending_iir(const struct serial8250 *s)
{
	if ((s->ier & IER_RLSI) && s->overrun)
		return IIR_RLSI;
	if ((s->ier & IER_RDI) && s->rx_count) {
		/*
		 * Below the trigger level a real UART raises a character
		 * timeout after four idle character times; host input comes
		 * in bursts, so report the timeout at once.
		 */
		return s->rx_count >= rx_trigger(s) ? IIR_RDI : IIR_CTI;
	}
	if ((s->ier & IER_THRI) && s->thri_pending)
		return IIR_THRI;
	/* MSR delta bits never change on this UART: no MSI source. */
	return IIR_NO_INT;
}

static void update_irq(struct serial8250 *s)
{
	bool level = pending_iir(s) != IIR_NO_INT;

	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->ops.set_irq)
			s->ops.set_irq(s->ops.opaque, level);
	}
}

static void rx_push(struct serial8250 *s, uint8_t byte)
{
	if (s->rx_count == rx_capacity(s)) {
		s->overrun = true;
		return;
	}
	s->rx[(s->rx_head + s->rx_count) % SERIAL8250_FIFO_SIZE] = byte;
	s->rx_count++;
}

static uint8_t rx_pop(struct serial8250 *s)
{
	bool was_full = s->rx_count == rx_capacity(s);
	uint8_t byte;

	if (!s->rx_count)
		return 0;
	byte = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % SERIAL8250_FIFO_SIZE;
	s->rx_count--;
	if (was_full && s->ops.rx_space)
		s->ops.rx_space(s->ops.opaque);
	return byte;
}

static void rx_clear(struct serial8250 *s)
{
	bool was_full = s->rx_count == rx_capacity(s);

	s->rx_head = s->rx_count = 0;
	if (was_full && s->ops.rx_space)
		s->ops.rx_space(s->ops.opaque);
}

static uint8_t read_msr(const struct serial8250 *s)
{
	uint8_t msr = 0;

	if (!(s->mcr & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS; /* a modem that is always there */
	/* Loopback wires the modem outputs to the inputs (Linux probes this). */
	if (s->mcr & MCR_DTR)
		msr |= MSR_DSR;
	if (s->mcr & MCR_RTS)
		msr |= MSR_CTS;
	if (s->mcr & MCR_OUT1)
		msr |= MSR_RI;
	if (s->mcr & MCR_OUT2)
		msr |= MSR_DCD;
	return msr;
}

static uint8_t reg_read(struct serial8250 *s, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case REG_RBR_THR_DLL:
		return (s->lcr & LCR_DLAB) ? s->dll : rx_pop(s);
	case REG_IER_DLM:
		return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
	case REG_IIR_FCR:
		v = pending_iir(s);
		if (v == IIR_THRI)
			s->thri_pending = false;
		return v | (fifo_on(s) ? IIR_FIFO_ON : 0);
	case REG_LCR:
		return s->lcr;
	case REG_MCR:
		return s->mcr;
	case REG_LSR:
		v = LSR_THRE | LSR_TEMT;
		if (s->rx_count)
			v |= LSR_DR;
		if (s->overrun)
			v |= LSR_OE;
		s->overrun = false;
		return v;
	case REG_MSR:
		return read_msr(s);
	default:
		return s->scr;
	}
}

static void write_fcr(struct serial8250 *s, uint8_t v)
{
	if ((v ^ s->fcr) & FCR_ENABLE)
		rx_clear(s); /* toggling FIFO mode resets both FIFOs */
	if (v & FCR_CLEAR_RX)
		rx_clear(s);
	/* The transmit FIFO is always empty: CLEAR_TX has nothing to do. */
	s->fcr = v & 0xc9;
}

static void reg_write(struct serial8250 *s, unsigned int reg, uint8_t v)
{
	switch (reg) {
	case REG_RBR_THR_DLL:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			break;
		}
		if (s->mcr & MCR_LOOP)
			rx_push(s, v);
		else if (s->ops.tx)
			s->ops.tx(s->ops.opaque, v);
		s->thri_pending = true; /* the byte left at once */
		break;
	case REG_IER_DLM:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			break;
		}
		/* Enabling THRI while THR is empty raises it (PC16550D 8.6.3). */
		if ((v & IER_THRI) && !(s->ier & IER_THRI))
			s->thri_pending = true;
		s->ier = v & 0x0f;
		break;
	case REG_IIR_FCR:
		write_fcr(s, v);
		break;
	case REG_LCR:
		s->lcr = v;
		break;
	case REG_MCR:
		s->mcr = v & 0x1f;
		break;
	case REG_LSR:
	case REG_MSR:
		break; /* read-only */
	default:
		s->scr = v;
		break;
	}
}

void serial8250_init(struct serial8250 *s, const struct serial8250_ops *ops)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	if (ops)
		s->ops = *ops;
	s->dll = 12; /* 9600 baud at 1.8432 MHz */
	s->lcr = 0x03; /* 8N1 */
}

void serial8250_destroy(struct serial8250 *s)
{
	pthread_mutex_destroy(&s->lock);
}

void serial8250_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct serial8250 *s = opaque;
	unsigned int reg = (unsigned int)offset;

	if (reg >= SERIAL8250_NR_REGS)
		return;
	pthread_mutex_lock(&s->lock);
	/* The UART is byte-wide: a wider access touches its first byte only. */
	if (is_write) {
		reg_write(s, reg, data[0]);
	} else {
		memset(data, 0, len);
		data[0] = reg_read(s, reg);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

size_t serial8250_receive(struct serial8250 *s, const uint8_t *buf, size_t n)
{
	size_t taken = 0;

	pthread_mutex_lock(&s->lock);
	while (taken < n && s->rx_count < rx_capacity(s))
		rx_push(s, buf[taken++]);
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
	return taken;
}

size_t serial8250_rx_space(struct serial8250 *s)
{
	size_t space;

	pthread_mutex_lock(&s->lock);
	space = rx_capacity(s) - s->rx_count;
	pthread_mutex_unlock(&s->lock);
	return space;
}

int serial8250_fdt_node(struct fdt_writer *w, const struct fdt_device *dev)
{
	int r = fdt_w_begin_device(w, "serial", "ns16550a", dev);

	r = r ?: fdt_w_prop_u32(w, "clock-frequency", SERIAL8250_CLOCK_HZ);
	/* One byte-wide register per port: offsets are not shifted. */
	r = r ?: fdt_w_prop_u32(w, "reg-shift", 0);
	r = r ?: fdt_w_prop_u32(w, "reg-io-width", 1);
	return r ?: fdt_w_end_node(w);
}
