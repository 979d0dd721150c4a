// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_platform_probe: proves, from user space and before Tessera has any
 * VFIO code, that the arm64 lab's vfio-platform device works the way
 * issue 15's passthrough will use it. A static aarch64 program run in the
 * arm64 lab (tests/lab-arm64/vfio_platform_probe.sh) on the PL031 RTC that
 * run.sh and init.sh bound to vfio-platform.
 *
 * It opens the container, the group (no-IOMMU mode for a noiommu-N group,
 * type1 v2 otherwise), the device by name; checks the device info
 * (PLATFORM, at least one region and one interrupt), maps region 0 and
 * reads the PL031's PrimeCell and peripheral IDs through the mapping (no
 * system call per access); checks that interrupt 0 is an eventfd, maskable
 * and automasked (a level line), then arms the RTC's match alarm twice and
 * waits for it on the eventfd each time, clearing the device and unmasking
 * through VFIO in between: the second interrupt arrives only if the unmask
 * path works.
 *
 * usage: vfio_platform_probe DEVICE GROUP   (e.g. 9010000.pl031 noiommu-0)
 * Exit status: 0 pass, 1 fail, 2 usage, 77 no /dev/vfio/GROUP.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* PL031 (ARM DDI 0224): registers and identification. */
#define RTC_DR 0x00   /* data: seconds counter */
#define RTC_MR 0x04   /* match */
#define RTC_IMSC 0x10 /* interrupt mask set/clear */
#define RTC_RIS 0x14
#define RTC_MIS 0x18
#define RTC_ICR 0x1c
#define RTC_PERIPH_ID0 0xfe0
#define RTC_PCELL_ID0 0xff0
#define ALARMS 2
#define ALARM_WAIT_MS 5000

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int fail_errno(const char *what)
{
	fprintf(stderr, "vfio_platform_probe: %s: %s\n", what, strerror(errno));
	return 1;
}

static int fail(const char *what)
{
	fprintf(stderr, "vfio_platform_probe: %s\n", what);
	return 1;
}

static uint32_t rd(volatile uint8_t *regs, unsigned int off)
{
	return *(volatile uint32_t *)(regs + off);
}

static void wr(volatile uint8_t *regs, unsigned int off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

/* The four ID registers at off, one byte each, little end first. */
static uint32_t id_word(volatile uint8_t *regs, unsigned int off)
{
	uint32_t v = 0;

	for (unsigned int i = 0; i < 4; i++)
		v |= (rd(regs, off + 4 * i) & 0xff) << (8 * i);
	return v;
}

static int set_irq(int dev, uint32_t flags, int fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(*s);
	s->flags = flags;
	s->index = 0;
	s->start = 0;
	s->count = 1;
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		s->argsz = sizeof(buf);
		memcpy(s->data, &fd, sizeof(int32_t));
	}
	return ioctl(dev, VFIO_DEVICE_SET_IRQS, s);
}

/* Arms the match alarm two seconds ahead and waits for its interrupt. */
static int one_alarm(int dev, int efd, volatile uint8_t *regs, unsigned int n,
		     double *ms)
{
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint64_t count;
	double t0;
	int r;

	wr(regs, RTC_ICR, 1);
	wr(regs, RTC_MR, rd(regs, RTC_DR) + 2);
	wr(regs, RTC_IMSC, 1);
	t0 = now_ms();
	r = poll(&pfd, 1, ALARM_WAIT_MS);
	if (r < 0)
		return fail_errno("poll(eventfd)");
	if (r == 0) {
		fprintf(stderr, "vfio_platform_probe: alarm %u: no interrupt in %d ms "
				"(RIS %#x MIS %#x)\n", n, ALARM_WAIT_MS,
			rd(regs, RTC_RIS), rd(regs, RTC_MIS));
		return 1;
	}
	*ms = now_ms() - t0;
	if (read(efd, &count, sizeof(count)) != sizeof(count))
		return fail_errno("read(eventfd)");
	if (!(rd(regs, RTC_MIS) & 1))
		return fail("interrupt without the RTC's MIS bit");
	/* Quiet the device, then let VFIO unmask the (automasked) line. */
	wr(regs, RTC_IMSC, 0);
	wr(regs, RTC_ICR, 1);
	if (set_irq(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK, -1) < 0)
		return fail_errno("VFIO_DEVICE_SET_IRQS(UNMASK)");
	return 0;
}

int main(int argc, char **argv)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct vfio_region_info ri = { .argsz = sizeof(ri), .index = 0 };
	struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = 0 };
	double ms[ALARMS];
	char path[64];
	uint32_t pcell, periph;
	volatile uint8_t *regs;
	int container, group, dev, efd, noiommu;

	if (argc != 3)
		return fprintf(stderr, "usage: vfio_platform_probe DEVICE GROUP\n"), 2;
	noiommu = !strncmp(argv[2], "noiommu-", 8);
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[2]);
	if (access(path, F_OK))
		return fprintf(stderr, "vfio_platform_probe: no %s (skip)\n", path), 77;

	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		return fail_errno("/dev/vfio/vfio");
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION)
		return fail("unexpected VFIO API version");
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0)
		return fail_errno(path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &gs) < 0)
		return fail_errno("VFIO_GROUP_GET_STATUS");
	if (!(gs.flags & VFIO_GROUP_FLAGS_VIABLE))
		return fail("group not viable (a device of it is bound to a host driver)");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) < 0)
		return fail_errno("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU) < 0)
		return fail_errno(noiommu ? "VFIO_SET_IOMMU(NOIOMMU)" : "VFIO_SET_IOMMU(TYPE1v2)");
	dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[1]);
	if (dev < 0)
		return fail_errno("VFIO_GROUP_GET_DEVICE_FD");

	if (ioctl(dev, VFIO_DEVICE_GET_INFO, &di) < 0)
		return fail_errno("VFIO_DEVICE_GET_INFO");
	if (!(di.flags & VFIO_DEVICE_FLAGS_PLATFORM) || di.num_regions < 1 || di.num_irqs < 1) {
		fprintf(stderr, "vfio_platform_probe: device flags %#x, %u regions, %u irqs: "
				"expected PLATFORM, >= 1, >= 1\n", di.flags, di.num_regions, di.num_irqs);
		return 1;
	}
	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &ri) < 0)
		return fail_errno("VFIO_DEVICE_GET_REGION_INFO");
	if (ri.size < 0x1000 || !(ri.flags & VFIO_REGION_INFO_FLAG_MMAP))
		return fail("region 0 is smaller than 4 KiB or cannot be mapped");
	regs = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev, (off_t)ri.offset);
	if (regs == MAP_FAILED)
		return fail_errno("mmap(region 0)");
	pcell = id_word(regs, RTC_PCELL_ID0);
	periph = id_word(regs, RTC_PERIPH_ID0);
	if (pcell != 0xb105f00d || (periph & 0xfff) != 0x031) {
		fprintf(stderr, "vfio_platform_probe: IDs %#x %#x: not a PL031\n", pcell, periph);
		return 1;
	}

	if (ioctl(dev, VFIO_DEVICE_GET_IRQ_INFO, &ii) < 0)
		return fail_errno("VFIO_DEVICE_GET_IRQ_INFO");
	if (ii.count != 1 || !(ii.flags & VFIO_IRQ_INFO_EVENTFD) ||
	    !(ii.flags & VFIO_IRQ_INFO_MASKABLE) || !(ii.flags & VFIO_IRQ_INFO_AUTOMASKED)) {
		fprintf(stderr, "vfio_platform_probe: irq 0 flags %#x count %u: expected "
				"EVENTFD MASKABLE AUTOMASKED, 1\n", ii.flags, ii.count);
		return 1;
	}
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return fail_errno("eventfd");
	if (set_irq(dev, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, efd) < 0)
		return fail_errno("VFIO_DEVICE_SET_IRQS(TRIGGER)");
	for (unsigned int n = 0; n < ALARMS; n++)
		if (one_alarm(dev, efd, regs, n, &ms[n]))
			return 1;
	set_irq(dev, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, -1);

	printf("vfio_platform_probe: PASS %s (group %s, %s): device flags %#x, %u region(s), "
	       "%u irq(s); region 0 %#llx bytes mapped, IDs %#x %#x; irq flags %#x; "
	       "%u alarms after %.0f and %.0f ms\n",
	       argv[1], argv[2], noiommu ? "no-IOMMU" : "type1v2", di.flags, di.num_regions,
	       di.num_irqs, (unsigned long long)ri.size, pcell, periph, ii.flags, ALARMS, ms[0],
	       ms[1]);
	munmap((void *)regs, ri.size);
	close(efd);
	close(dev);
	close(group);
	close(container);
	return 0;
}
