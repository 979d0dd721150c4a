/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Eventfd bindings to KVM, so device work never passes through a vCPU
 * thread: an ioeventfd turns a guest MMIO write into an eventfd signal
 * inside KVM (no exit to user space), an irqfd turns an eventfd signal
 * into an interrupt on a GSI of the in-kernel irqchip. Devices only see
 * the eventfds; vm.c binds them here. Main thread, during setup.
 */
#ifndef TESSERA_IOEVENT_H
#define TESSERA_IOEVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "types.h"

/*
 * KVM_IOEVENTFD: a len-byte guest write of datamatch to the MMIO address
 * addr signals fd; other values still exit to user space. 0 or -errno.
 */
int ioevent_mmio_assign(int vm_fd, gpa_t addr, uint32_t len,
			uint64_t datamatch, int fd);

/*
 * KVM_IRQFD without a resample fd: each signal of fd is one edge (line
 * raised and lowered) on gsi. 0 or -errno.
 */
int ioevent_irqfd_assign(int vm_fd, uint32_t gsi, int fd);

/* Whether this KVM offers KVM_CAP_IOEVENTFD and KVM_CAP_IRQFD. */
bool ioevent_supported(int kvm_fd);

#endif
