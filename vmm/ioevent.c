// SPDX-License-Identifier: GPL-2.0
#include "ioevent.h"

#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

int ioevent_mmio_assign(int vm_fd, gpa_t addr, uint32_t len,
			uint64_t datamatch, int fd)
{
	struct kvm_ioeventfd io;

	memset(&io, 0, sizeof(io));
	io.datamatch = datamatch;
	io.addr = addr;
	io.len = len;
	io.fd = fd;
	io.flags = KVM_IOEVENTFD_FLAG_DATAMATCH;
	return ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0 ? -errno : 0;
}

int ioevent_irqfd_assign(int vm_fd, uint32_t gsi, int fd)
{
	struct kvm_irqfd irq;

	memset(&irq, 0, sizeof(irq));
	irq.fd = (uint32_t)fd;
	irq.gsi = gsi;
	return ioctl(vm_fd, KVM_IRQFD, &irq) < 0 ? -errno : 0;
}

bool ioevent_supported(int kvm_fd)
{
	return ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD) > 0 &&
	       ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD) > 0;
}
