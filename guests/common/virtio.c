// SPDX-License-Identifier: GPL-2.0
#include "virtio.h"

int virtio_find(const struct dtb *t, uint32_t device_id, unsigned int index,
		struct vdev *d)
{
	for (int n = dtb_find_compatible(t, -1, "virtio,mmio"); n >= 0;
	     n = dtb_find_compatible(t, n, "virtio,mmio")) {
		uint32_t irq[DTB_MAX_IRQ_CELLS], nirq;
		struct dtb_reg reg;

		if (dtb_reg(t, n, 0, &reg) || dtb_interrupt(t, n, 0, irq, &nirq))
			continue;
		d->base = dtb_reg_addr(&reg);
		memcpy(d->irq_cells, irq, sizeof(irq));
		d->nirq = nirq;
		d->irq = nirq >= 3 ? irq[1] : irq[0]; /* GIC: <type number flags> */
		if (vr32(d, VM_MAGIC) != 0x74726976 || vr32(d, VM_VERSION) != 2)
			continue;
		d->device_id = vr32(d, VM_DEVICE_ID);
		if (d->device_id == device_id && index-- == 0)
			return 0;
	}
	return -DTB_ENOENT;
}

uint64_t virtio_negotiate(const struct vdev *d, uint64_t want)
{
	uint64_t offered, got;

	vw32(d, VM_STATUS, 0);
	vw32(d, VM_STATUS, ST_ACK);
	vw32(d, VM_STATUS, ST_ACK | ST_DRIVER);
	vw32(d, VM_DEV_FEATURES_SEL, 0);
	offered = vr32(d, VM_DEV_FEATURES);
	vw32(d, VM_DEV_FEATURES_SEL, 1);
	offered |= (uint64_t)vr32(d, VM_DEV_FEATURES) << 32;
	got = offered & want;
	vw32(d, VM_DRV_FEATURES_SEL, 0);
	vw32(d, VM_DRV_FEATURES, (uint32_t)got);
	vw32(d, VM_DRV_FEATURES_SEL, 1);
	vw32(d, VM_DRV_FEATURES, (uint32_t)(got >> 32));
	vw32(d, VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	if (!(vr32(d, VM_STATUS) & ST_FEATURES_OK))
		return 0;
	return got;
}

void virtio_queue_setup(const struct vdev *d, unsigned int qi, struct vq *q,
			uint16_t size)
{
	memset(q, 0, sizeof(*q));
	q->size = size;
	vw32(d, VM_QUEUE_SEL, qi);
	vw32(d, VM_QUEUE_NUM, size);
	vw32(d, VM_QUEUE_DESC_LO, (uint32_t)(uintptr_t)q->desc);
	vw32(d, VM_QUEUE_DESC_HI, (uint32_t)((uint64_t)(uintptr_t)q->desc >> 32));
	vw32(d, VM_QUEUE_DRIVER_LO, (uint32_t)(uintptr_t)&q->avail_flags);
	vw32(d, VM_QUEUE_DRIVER_HI, 0);
	vw32(d, VM_QUEUE_DEVICE_LO, (uint32_t)(uintptr_t)&q->used);
	vw32(d, VM_QUEUE_DEVICE_HI, 0);
	vw32(d, VM_QUEUE_READY, 1);
}

/*
 * The avail ring lives in struct vq as avail_flags, avail_idx,
 * avail_ring[VQ_MAX], used_event: with size < VQ_MAX, the device reads
 * used_event at avail_ring[size], so keep that slot at 0 (always notify).
 */
void virtio_post(struct vq *q, uint16_t head)
{
	q->avail_ring[q->next_avail % q->size] = head;
	q->next_avail++;
	vbarrier();
	*(volatile uint16_t *)&q->avail_idx = q->next_avail;
}

void virtio_submit(const struct vdev *d, unsigned int qi, struct vq *q,
		   uint16_t head)
{
	virtio_post(q, head);
	vbarrier();
	vw32(d, VM_QUEUE_NOTIFY, qi);
}

bool virtio_wait_used(struct vq *q, uint32_t *id, uint32_t *len,
		      uint64_t spins)
{
	for (uint64_t i = 0; i < spins; i++) {
		if (*(volatile uint16_t *)&q->used.idx != q->last_used) {
			uint16_t slot = q->last_used % q->size;

			vbarrier();
			*id = q->used.ring[slot].id;
			*len = q->used.ring[slot].len;
			q->last_used++;
			return true;
		}
		cpu_relax();
	}
	return false;
}

bool bootarg(const struct dtb *t, const char *key, char *buf, unsigned int len)
{
	const char *s;
	int chosen = dtb_find_path(t, "/chosen");
	unsigned int klen = 0;

	while (key[klen])
		klen++;
	if (chosen < 0 || dtb_prop_string(t, chosen, "bootargs", &s))
		return false;
	while (*s) {
		unsigned int i = 0;

		while (*s == ' ')
			s++;
		while (i < klen && s[i] == key[i])
			i++;
		if (i == klen && s[i] == '=') {
			s += klen + 1;
			for (i = 0; i + 1 < len && s[i] && s[i] != ' '; i++)
				buf[i] = s[i];
			buf[i] = 0;
			return true;
		}
		while (*s && *s != ' ')
			s++;
	}
	return false;
}

uint64_t parse_num(const char *s)
{
	uint64_t v = 0;

	if (s[0] == '0' && s[1] == 'x') {
		for (s += 2; *s; s++) {
			unsigned int c = (unsigned int)*s;

			if (c >= '0' && c <= '9')
				v = v * 16 + (c - '0');
			else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
				v = v * 16 + ((c | 0x20) - 'a' + 10);
			else
				return 0;
		}
		return v;
	}
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return 0;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	return v;
}
