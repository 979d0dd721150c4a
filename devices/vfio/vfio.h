/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VFIO core (Documentation/driver-api/vfio.rst): one container per
 * partition with the type1 IOMMU, the groups of the devices passed
 * through, and their device fds. All guest RAM is mapped for DMA at
 * IOVA = guest-physical address when the first group joins, and unmapped
 * when the container is destroyed, so a device can reach the partition's
 * RAM and nothing else. Device kinds (pci.c, platform.c) sit on top and
 * share it.
 *
 * The kernel's no-IOMMU mode (vfio enable_unsafe_noiommu_mode=1, groups
 * /dev/vfio/noiommu-N) is used only when the user asked for it
 * (--vfio-noiommu): then every group must be a no-IOMMU one, the container
 * gets VFIO_NOIOMMU_IOMMU, nothing is mapped for DMA, and one warning
 * names the loss of isolation. Without the flag a no-IOMMU group is a
 * user error, and with it a group that has an IOMMU is one too.
 *
 * Every check of the user's choice is made here, before anything is
 * changed, and reported in one line that vfio_open_device() hands back:
 * a device that does not exist, not bound to the expected driver, without
 * an IOMMU group, a group that is not viable, no /dev/vfio, a group or
 * device already open elsewhere. Main thread, during vm_create().
 */
#ifndef TESSERA_VFIO_H
#define TESSERA_VFIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mem.h"

#define VFIO_MAX_GROUPS 8

struct vfio_container {
	int fd;             /* /dev/vfio/vfio, -1: not open */
	bool noiommu;       /* --vfio-noiommu: VFIO_NOIOMMU_IOMMU, no DMA map */
	bool iommu_set;     /* VFIO_SET_IOMMU done (the first group joined) */
	bool dma_mapped;    /* guest RAM mapped */
	const struct guest_mem *mem;
	unsigned int ngroups;
	struct {
		int id, fd;
	} group[VFIO_MAX_GROUPS];
	const char *dev_dir;  /* "/dev/vfio" (tests point it elsewhere) */
	const char *sysfs;    /* "/sys" */
	/*
	 * Serialises changes of the partition's GSI routing table by the
	 * devices' MSI and MSI-X emulation (vCPU threads, config writes and
	 * MSI-X table writes of several devices at once).
	 */
	pthread_mutex_t routes_lock;
};

/*
 * An empty container for the partition whose RAM is mem. Opens nothing.
 */
void vfio_container_init(struct vfio_container *c, const struct guest_mem *mem);

/*
 * Unmaps guest RAM from the IOMMU, closes every group and the container.
 * Device fds must be closed first. Idempotent.
 */
void vfio_container_destroy(struct vfio_container *c);

/*
 * Turns --vfio's value (a PCI address or a sysfs path) into the device's
 * canonical address "DDDD:BB:DD.F" in bdf[13]. 0, or -ENOENT / -EINVAL
 * with a one-line reason in err.
 */
int vfio_pci_resolve(const struct vfio_container *c, const char *spec,
		     char *bdf, char *err, size_t errlen);

/*
 * Opens the device <sysfs>/bus/<bus>/devices/<name> ("pci" and a BDF,
 * "platform" or "amba" and a device name) for the partition: checks that
 * it is bound to one of drivers (NULL-terminated), finds its IOMMU group
 * (a no-IOMMU one exactly when c->noiommu), opens the container and the
 * group if not yet open, checks viability, sets the IOMMU and maps guest
 * RAM on the first group, and returns the device fd in *fd. 0, or -errno
 * with a one-line reason in err; *user tells a mistake in the user's
 * choice (exit status 2) from a host failure. On failure a group opened
 * for this device is closed again. Main thread.
 */
int vfio_open(struct vfio_container *c, const char *bus, const char *name,
	      const char *const drivers[], int *fd, bool *user, char *err,
	      size_t errlen);

/* vfio_open() of the PCI device bdf bound to driver. */
int vfio_open_device(struct vfio_container *c, const char *bdf,
		     const char *driver, int *fd, bool *user, char *err,
		     size_t errlen);

struct vm;

/*
 * The partition's container (vm->vfio), created with the first device of
 * either kind and added to the device list (which destroys it after the
 * devices, created later, are gone); its no-IOMMU mode from
 * vm->cfg->vfio_noiommu. 0, -ENOMEM, or a user error (vm_user_error).
 * Main thread, during vm_create().
 */
int vfio_container_get(struct vm *vm, struct vfio_container **out);

#endif
