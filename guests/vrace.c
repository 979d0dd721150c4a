// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile two-vCPU driver (issue 19): the boot CPU starts the second
 * vCPU (guest_start_cpu: x86 INIT/SIPI through the LAPIC into the
 * runtime's real-mode trampoline; arm64 PSCI CPU_ON), then both hammer the first virtio-blk device's register
 * file at once: one sets queues up and tears them down (QueueSel, QueueNum,
 * the ring addresses, QueueReady) and submits requests, the other resets
 * and re-negotiates the device (Status), notifies queues and acknowledges
 * interrupts. The monitor must neither crash nor hang. Afterwards the boot
 * CPU resets the device, drives it properly and checks that a GET_ID
 * request still completes. Prints "vrace: ap up", "vrace: raced N rounds"
 * and "vrace: ok"; exit 0, 3 without a device or a second vCPU, 4 if the
 * device no longer works.
 */
#include "dtb.h"
#include "guest.h"
#include "virtio.h"

#define ROUNDS 1500
#define QSIZE 8
#define BLK_T_GET_ID 8u
#define POLLS 2000000ULL

enum { EXIT_NODEV = 3, EXIT_CHECK = 4 };

struct blk_hdr {
	uint32_t type, ioprio;
	uint64_t sector;
};

static struct vdev dev;
static struct vq vq;
static struct blk_hdr hdr = { BLK_T_GET_ID, 0, 0 };
static uint8_t id_buf[20];
static uint8_t status;
static volatile uint32_t ap_state; /* 1: up, 2: done */
static uint8_t ap_stack[16384] __attribute__((aligned(16)));

/* The second vCPU: device resets and renegotiations, kicks, acks. */
static void ap_main(void)
{
	ap_state = 1;
	for (uint32_t i = 0; i < ROUNDS; i++) {
		vw32(&dev, VM_STATUS, (i % 5) ? (i & 0xf) : 0);
		vw32(&dev, VM_DRV_FEATURES_SEL, i & 1);
		vw32(&dev, VM_DRV_FEATURES, (i & 1) ? 1 : 0);
		vw32(&dev, VM_QUEUE_NOTIFY, i % 3);
		vw32(&dev, VM_INT_ACK, vr32(&dev, VM_INT_STATUS));
		vw32(&dev, VM_QUEUE_SEL, i & 1);
		(void)vr32(&dev, VM_QUEUE_READY);
		(void)vr32(&dev, VM_CONFIG + (i & 0x1c));
	}
	ap_state = 2;
	halt_forever();
}

/* The boot vCPU's half: queue setup and teardown, submissions. */
static void bsp_round(uint32_t i)
{
	vw32(&dev, VM_STATUS, ST_ACK | ST_DRIVER);
	vw32(&dev, VM_QUEUE_SEL, 0);
	vw32(&dev, VM_QUEUE_NUM, (i & 7) == 7 ? 3 : QSIZE);
	vw32(&dev, VM_QUEUE_DESC_LO, (uint32_t)(uint64_t)vq.desc);
	vw32(&dev, VM_QUEUE_DRIVER_LO, (uint32_t)(uint64_t)&vq.avail_flags);
	vw32(&dev, VM_QUEUE_DEVICE_LO, (uint32_t)(uint64_t)&vq.used);
	vw32(&dev, VM_QUEUE_READY, 1);
	vw32(&dev, VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	vq.avail_ring[i % QSIZE] = (uint16_t)(i % 3);
	vbarrier();
	vq.avail_idx++;
	vw32(&dev, VM_QUEUE_NOTIFY, 0);
	vw32(&dev, VM_QUEUE_READY, i & 1);
}

/* A GET_ID request on a properly reset and set-up device. */
static bool device_works(void)
{
	uint32_t id, len;

	if (virtio_negotiate(&dev, VF_VERSION_1) != VF_VERSION_1)
		return false;
	memset(&vq, 0, sizeof(vq));
	virtio_queue_setup(&dev, 0, &vq, QSIZE);
	vw32(&dev, VM_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	vq.desc[0] = (struct vdesc){ (uint64_t)&hdr, sizeof(hdr), VD_NEXT, 1 };
	vq.desc[1] = (struct vdesc){ (uint64_t)id_buf, sizeof(id_buf),
				     VD_NEXT | VD_WRITE, 2 };
	vq.desc[2] = (struct vdesc){ (uint64_t)&status, 1, VD_WRITE, 0 };
	status = 0xff;
	virtio_submit(&dev, 0, &vq, 0);
	return virtio_wait_used(&vq, &id, &len, POLLS) && id == 0 && status == 0;
}

int main(uint64_t boot_arg)
{
	const struct dtb *t = guest_devtree(boot_arg);
	uint32_t i;

	uart_init();
	if (!t || virtio_find(t, 2, 0, &dev)) {
		uart_puts("vrace: no virtio-blk device\n");
		return EXIT_NODEV;
	}
	/* Rings the racing half points the device at (queue 0 and 1). */
	for (i = 0; i < QSIZE; i++)
		vq.desc[i] = (struct vdesc){ (uint64_t)&hdr, sizeof(hdr), 0, 0 };
	if (guest_start_cpu(1, ap_main, ap_stack + sizeof(ap_stack))) {
		uart_puts("vrace: the second vCPU could not be started\n");
		return EXIT_NODEV;
	}
	for (i = 0; i < 20000000 && ap_state == 0; i++)
		cpu_relax();
	if (ap_state == 0) {
		uart_puts("vrace: the second vCPU did not start\n");
		return EXIT_NODEV;
	}
	uart_puts("vrace: ap up\n");
	for (i = 0; ap_state != 2 || i < ROUNDS; i++)
		bsp_round(i);
	uart_puts("vrace: raced ");
	uart_put_dec(i);
	uart_puts(" rounds\n");
	if (!device_works()) {
		uart_puts("vrace: the device no longer works after the race\n");
		return EXIT_CHECK;
	}
	uart_puts("vrace: ok\n");
	return 0;
}
