/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Split virtqueues (Virtio 1.2, section 2.7), device side: the only code in
 * tessera that parses descriptors. Everything a guest put in a ring is
 * hostile: each descriptor is copied once into host memory and only the
 * copy is validated and used; every guest address goes through
 * guest_mem_ptr(); chains are capped at the queue size, loops, bad indices,
 * nested or malformed indirect tables, buffers that wrap or leave guest RAM,
 * and an avail.idx that moves by more than the queue size are rejected.
 *
 * A rejected ring is the transport's cue to set DEVICE_NEEDS_RESET: the
 * functions here return -EINVAL with a one-line reason in q->err and never
 * abort. They keep no locks; one thread at a time may use a virtq (the
 * device's I/O thread, with the transport's io lock held).
 *
 * Feature bits honoured: VIRTIO_F_INDIRECT_DESC (28), VIRTIO_F_EVENT_IDX (29).
 */
#ifndef TESSERA_VIRTIO_QUEUE_H
#define TESSERA_VIRTIO_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "mem.h"
#include "types.h"

#define VIRTQ_MAX_SIZE 32768u /* Virtio 1.2, 2.7: split queue size limit */

/* Descriptor flags (2.7.5). */
#define VIRTQ_DESC_F_NEXT 1u
#define VIRTQ_DESC_F_WRITE 2u
#define VIRTQ_DESC_F_INDIRECT 4u
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u
#define VIRTQ_USED_F_NO_NOTIFY 1u

/* One buffer of a chain, already translated to a host address. */
struct virtq_seg {
	uint8_t *ptr; /* inside guest RAM, valid for len bytes */
	uint32_t len; /* > 0: zero-length descriptors are dropped */
};

/*
 * A parsed descriptor chain. The caller provides seg[cap]; the readable
 * segments come first (nread of them), then the writable ones (the spec
 * requires that order; a chain that breaks it is rejected).
 */
struct virtq_chain {
	struct virtq_seg *seg;
	unsigned int cap;    /* entries in seg[]; chains are capped at
				min(queue size, cap) descriptors */
	unsigned int nseg;   /* segments filled */
	unsigned int nread;  /* seg[0..nread) are device-readable */
	uint16_t head;       /* descriptor id for the used ring */
	uint64_t read_len;   /* bytes in the readable segments */
	uint64_t write_len;  /* bytes in the writable segments */
};

struct virtq {
	const struct guest_mem *mem;
	uint16_t size;      /* power of two, 1..VIRTQ_MAX_SIZE */
	bool indirect;      /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;     /* VIRTIO_F_EVENT_IDX negotiated */
	uint8_t *desc;      /* host addresses of the three areas, checked */
	uint8_t *avail;
	uint8_t *used;
	uint16_t last_avail;   /* next avail ring entry the device takes */
	uint16_t avail_shadow; /* avail.idx as last read */
	uint16_t used_idx;     /* the device's used.idx */
	uint16_t signalled_used; /* used_idx when the driver was last notified */
	bool signalled_valid;
	bool broken;        /* virtq_pop() rejected the ring: it stays rejected */
	char err[128];      /* why the last call returned -EINVAL */
};

/* Features the queue code understands (for virtq_init's features). */
#define VIRTQ_F_INDIRECT_DESC (1ULL << 28)
#define VIRTQ_F_EVENT_IDX (1ULL << 29)

/*
 * Binds q to the rings the driver configured: size entries, descriptor
 * table at desc (16-byte aligned), driver area (avail ring) at avail
 * (2-byte aligned), device area (used ring) at used (4-byte aligned), each
 * entirely in guest RAM. features: the negotiated feature bits. Returns 0,
 * or -EINVAL with the reason in q->err (q then stays unusable). Pure.
 */
int virtq_init(struct virtq *q, const struct guest_mem *mem, uint32_t size,
	       gpa_t desc, gpa_t avail, gpa_t used, uint64_t features);

/*
 * Takes the next available chain into c. Returns 1 with c filled, 0 when
 * the ring is empty, -EINVAL (reason in q->err) for a malformed ring; the
 * entry is then left unconsumed and every later call fails the same way
 * until virtq_init() (the driver resets the device).
 */
int virtq_pop(struct virtq *q, struct virtq_chain *c);

/*
 * Gives back the last n chains virtq_pop() took and that were not pushed
 * (a device that cannot use them yet: back-pressure). They are parsed
 * again, from the ring, by the next virtq_pop(). n at most the number
 * taken since the last virtq_init().
 */
void virtq_unpop(struct virtq *q, uint16_t n);

/*
 * Returns chain head to the driver with len bytes written, publishing the
 * used entry (release ordering: buffer contents before used.idx).
 */
void virtq_push(struct virtq *q, uint16_t head, uint32_t len);

/*
 * After one or more virtq_push(): whether the driver wants a used-buffer
 * notification now (VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event with
 * EVENT_IDX). Records the notification as sent when it returns true.
 */
bool virtq_should_notify(struct virtq *q);

/*
 * Kick suppression while the device drains the ring: disable asks the
 * driver not to notify; enable asks for notifications again and returns
 * true if buffers arrived meanwhile (the caller must then drain again, or
 * it would miss them).
 */
void virtq_disable_notify(struct virtq *q);
bool virtq_enable_notify(struct virtq *q);

/*
 * The same for a device that left skip available chains untaken (too few
 * for what it has to deliver): asks for a notification when the driver
 * adds more, and returns true if more than skip are available already.
 */
bool virtq_enable_notify_after(struct virtq *q, uint16_t skip);

/*
 * Copies len bytes at byte offset off of the chain's readable part into
 * dst. Returns 0, or -EINVAL if the readable part is shorter.
 */
int virtq_chain_read(const struct virtq_chain *c, uint64_t off, void *dst,
		     uint64_t len);

/* Copies src into the writable part at offset off. 0 or -EINVAL. */
int virtq_chain_write(const struct virtq_chain *c, uint64_t off,
		      const void *src, uint64_t len);

/*
 * Describes [off, off+len) of the readable (write=false) or writable part
 * as at most max iovecs. Returns the count, or -EINVAL if the range does
 * not fit in the part or needs more than max entries.
 */
int virtq_chain_iov(const struct virtq_chain *c, bool write, uint64_t off,
		    uint64_t len, struct iovec *iov, unsigned int max);

#endif
