/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio-pci: a host PCI function passed through to the partition's PCI bus
 * (kvmtool's vfio/pci.c, QEMU's hw/vfio/pci.c and cloud-hypervisor's
 * vfio_pci.rs were read for the details; nothing is copied).
 *
 * - Configuration space is the device's own, read and written through
 *   the VFIO config region, except what the partition must own: the BARs
 *   and ROM BAR (sizes from VFIO, addresses the guest's), the command
 *   register's decode bits (also written through), the interrupt line and
 *   pin, and the MSI and MSI-X control (devices/pci/pci.c does the BAR
 *   and command logic).
 * - A BAR VFIO can mmap becomes a KVM memory slot where the guest puts it
 *   (no exit per access); BARs that cannot be mapped, I/O BARs, the ROM and
 *   a BAR holding the MSI-X table or PBA are trapped and forwarded with
 *   pread/pwrite. When the guest moves a BAR, the slot or trap moves with
 *   it, while vCPUs run.
 * - INTx: VFIO signals an eventfd that KVM turns into the level of the
 *   device's line (an irqfd with a resample fd); at the guest's EOI KVM
 *   signals VFIO's unmask eventfd. MSI and MSI-X: one eventfd per vector,
 *   an irqfd on a GSI whose KVM route carries the guest's address/data;
 *   a masked vector's irqfd is detached.
 * - The device is reset (VFIO_DEVICE_RESET) at start and at exit where
 *   VFIO offers it.
 */
#ifndef TESSERA_VFIO_PCI_H
#define TESSERA_VFIO_PCI_H

struct vm;

/*
 * Opens the host device named by spec (--vfio: a PCI address or sysfs
 * path), puts it on the partition's PCI bus and adds it to the device
 * list (which also tears it down). The VFIO container is created with the
 * first device. 0, or -errno (logged; mistakes in the user's choice
 * through vm_user_error, exit status 2). Main thread, after guest RAM.
 */
int vfio_pci_create(struct vm *vm, const char *spec);

#endif
