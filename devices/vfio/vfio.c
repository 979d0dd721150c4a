// SPDX-License-Identifier: GPL-2.0
/* Container, groups and device fds: Documentation/driver-api/vfio.rst. */
#include "vfio/vfio.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <linux/vfio.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "devices.h"
#include "log.h"
#include "vm.h"

static int __attribute__((format(printf, 4, 5)))
fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return r;
}

void vfio_container_init(struct vfio_container *c, const struct guest_mem *mem)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->mem = mem;
	c->dev_dir = "/dev/vfio";
	c->sysfs = "/sys";
	pthread_mutex_init(&c->routes_lock, NULL);
}

static int dma(struct vfio_container *c, bool map)
{
	for (unsigned int i = 0; i < c->mem->nregions; i++) {
		const struct guest_region *g = &c->mem->region[i];
		int r;

		if (map) {
			struct vfio_iommu_type1_dma_map m = {
				.argsz = sizeof(m),
				.flags = VFIO_DMA_MAP_FLAG_READ |
					 VFIO_DMA_MAP_FLAG_WRITE,
				.vaddr = (uintptr_t)g->hva,
				.iova = g->gpa,
				.size = g->size,
			};

			r = ioctl(c->fd, VFIO_IOMMU_MAP_DMA, &m);
		} else {
			struct vfio_iommu_type1_dma_unmap u = {
				.argsz = sizeof(u),
				.iova = g->gpa,
				.size = g->size,
			};

			r = ioctl(c->fd, VFIO_IOMMU_UNMAP_DMA, &u);
		}
		if (r < 0) {
			int e = errno;

			if (map) {
				c->dma_mapped = true; /* unmap what was mapped */
				return -e;
			}
			log_warn("VFIO: unmapping guest RAM 0x%llx from the IOMMU: %s",
				 (unsigned long long)g->gpa, strerror(e));
		}
	}
	c->dma_mapped = map;
	return 0;
}

void vfio_container_destroy(struct vfio_container *c)
{
	if (c->fd >= 0 && c->dma_mapped)
		dma(c, false);
	c->dma_mapped = false;
	for (unsigned int i = 0; i < c->ngroups; i++)
		close(c->group[i].fd);
	c->ngroups = 0;
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->iommu_set = false;
	if (c->mem) /* initialised */
		pthread_mutex_destroy(&c->routes_lock);
	c->mem = NULL;
}

int vfio_pci_resolve(const struct vfio_container *c, const char *spec,
		     char *bdf, char *err, size_t errlen)
{
	char path[PATH_MAX], real[PATH_MAX];
	struct stat st;

	if (spec[0] == '/') {
		if (!realpath(spec, real))
			return fail(err, errlen, -ENOENT,
				    "--vfio %s: no such device: %s", spec,
				    strerror(errno));
		if (config_parse_bdf(basename(real), bdf) < 0 ||
		    strcmp(bdf, basename(real)))
			return fail(err, errlen, -EINVAL,
				    "--vfio %s: not a PCI device's sysfs directory",
				    spec);
	} else if (config_parse_bdf(spec, bdf) < 0) {
		return fail(err, errlen, -EINVAL,
			    "--vfio %s: not a PCI address", spec);
	}
	snprintf(path, sizeof(path), "%s/bus/pci/devices/%s", c->sysfs, bdf);
	if (stat(path, &st) < 0)
		return fail(err, errlen, -ENOENT,
			    "--vfio %s: no PCI device %s on this host", spec, bdf);
	return 0;
}

/* basename of the symlink <sysfs>/<dir>/<link>. */
static int link_name(const struct vfio_container *c, const char *dir,
		     const char *link, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;
	const char *b;

	snprintf(path, sizeof(path), "%s/%s/%s", c->sysfs, dir, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	b = strrchr(target, '/');
	b = b ? b + 1 : target;
	if (strlen(b) >= len)
		return -ENAMETOOLONG;
	memcpy(out, b, strlen(b) + 1);
	return 0;
}

static bool one_of(const char *s, const char *const words[])
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

/* "a", "a or b", "a, b or c" into out. */
static void or_list(const char *const words[], char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned int i = 0; words[i] && n + 1 < len; i++)
		n += (size_t)snprintf(out + n, len - n, "%s%s",
				      !i ? "" : words[i + 1] ? ", " : " or ",
				      words[i]);
}

/* The devices of group id bound to a host driver not in drivers. */
static void group_blockers(const struct vfio_container *c, int id,
			   const char *const drivers[], char *out, size_t len)
{
	char path[PATH_MAX], dir[PATH_MAX], drv[256];
	struct dirent *e;
	size_t n = 0;
	DIR *d;

	out[0] = '\0';
	snprintf(path, sizeof(path), "%s/kernel/iommu_groups/%d/devices",
		 c->sysfs, id);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) && n + 1 < len) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "kernel/iommu_groups/%d/devices/%s",
			 id, e->d_name);
		if (link_name(c, dir, "driver", drv, sizeof(drv)) < 0 ||
		    one_of(drv, drivers))
			continue;
		n += (size_t)snprintf(out + n, len - n, "%s%s (%s)",
				      n ? ", " : "", e->d_name, drv);
	}
	closedir(d);
}

static int open_container(struct vfio_container *c, char *err, size_t errlen,
			  bool *user)
{
	unsigned long type = c->noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/vfio", c->dev_dir);
	c->fd = open(path, O_RDWR | O_CLOEXEC);
	if (c->fd < 0) {
		int e = errno;

		*user = e == ENOENT || e == EACCES || e == EPERM;
		return fail(err, errlen, -e,
			    "%s: %s (is the vfio module loaded?)", path,
			    strerror(e));
	}
	if (ioctl(c->fd, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(c->fd, VFIO_CHECK_EXTENSION, type) <= 0) {
		close(c->fd);
		c->fd = -1;
		*user = c->noiommu; /* a kernel without no-IOMMU mode enabled */
		return fail(err, errlen, -ENOTSUP,
			    c->noiommu ? "%s: no VFIO API %d with the no-IOMMU mode (load vfio with enable_unsafe_noiommu_mode=1)"
				       : "%s: no VFIO API %d with the type1v2 IOMMU",
			    path, VFIO_API_VERSION);
	}
	return 0;
}

/*
 * Whether group id is one of the kernel's no-IOMMU groups: its device
 * node is <dev_dir>/noiommu-<id> (Documentation/driver-api/vfio.rst).
 */
static bool noiommu_group(const struct vfio_container *c, int id)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/noiommu-%d", c->dev_dir, id);
	return access(path, F_OK) == 0;
}

/* Opens group id and puts it in the container. 0 with its fd in *gfd. */
static int open_group(struct vfio_container *c, const char *name, int id,
		      const char *const drivers[], int *gfd, bool *user,
		      char *err, size_t errlen)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[PATH_MAX], who[512], want[128];
	int fd, r;

	snprintf(path, sizeof(path), "%s/%s%d", c->dev_dir,
		 c->noiommu ? "noiommu-" : "", id);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		*user = true;
		if (r == -EBUSY)
			return fail(err, errlen, r,
				    "%s: IOMMU group %d is already open in another process (another partition?)",
				    name, id);
		return fail(err, errlen, r, "%s: %s: %s", name, path, strerror(-r));
	}
	if (ioctl(fd, VFIO_GROUP_GET_STATUS, &st) < 0) {
		r = -errno;
		close(fd);
		return fail(err, errlen, r, "%s: VFIO_GROUP_GET_STATUS: %s", name,
			    strerror(-r));
	}
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		close(fd);
		group_blockers(c, id, drivers, who, sizeof(who));
		or_list(drivers, want, sizeof(want));
		*user = true;
		return fail(err, errlen, -EINVAL,
			    "%s: IOMMU group %d is not viable: %s bound to a host driver; bind every device of the group to %s or unbind it",
			    name, id, who[0] ? who : "a device", want);
	}
	if (ioctl(fd, VFIO_GROUP_SET_CONTAINER, &c->fd) < 0) {
		r = -errno;
		close(fd);
		return fail(err, errlen, r, "%s: VFIO_GROUP_SET_CONTAINER: %s",
			    name, strerror(-r));
	}
	*gfd = fd;
	return 0;
}

/*
 * The first group gives the container its IOMMU; then guest RAM is mapped
 * (not in no-IOMMU mode: there is no IOMMU to map it in, and a device
 * reaches every host address anyway).
 */
static int setup_iommu(struct vfio_container *c, const char *name, char *err,
		       size_t errlen)
{
	unsigned long type = c->noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	int r;

	if (ioctl(c->fd, VFIO_SET_IOMMU, type) < 0)
		return fail(err, errlen, -errno, "%s: VFIO_SET_IOMMU: %s%s", name,
			    strerror(errno),
			    c->noiommu && errno == EPERM ? " (no-IOMMU mode needs CAP_SYS_RAWIO)" : "");
	c->iommu_set = true;
	if (c->noiommu) {
		log_warn("VFIO: no-IOMMU mode (--vfio-noiommu): the passed-through devices are NOT isolated: their DMA reaches all host memory, and guest RAM is not mapped for it");
		return 0;
	}
	r = dma(c, true);
	if (r) {
		dma(c, false);
		return fail(err, errlen, r,
			    "%s: cannot map guest RAM for DMA: %s (RLIMIT_MEMLOCK too low?)",
			    name, strerror(-r));
	}
	return 0;
}

/* The driver and IOMMU group of <sysfs>/<dir>, checked. 0 with *id. */
static int check_device(const struct vfio_container *c, const char *dir,
			const char *name, const char *const drivers[], int *id,
			bool *user, char *err, size_t errlen)
{
	char drv[256], grp[32], want[128];
	int r;

	or_list(drivers, want, sizeof(want));
	r = link_name(c, dir, "driver", drv, sizeof(drv));
	if (r == -ENOENT) {
		*user = true;
		return fail(err, errlen, -EINVAL,
			    "%s: bound to no driver; bind it to %s first (driver_override)",
			    name, want);
	}
	if (r == 0 && !one_of(drv, drivers)) {
		*user = true;
		return fail(err, errlen, -EINVAL,
			    "%s: bound to %s, not %s; rebind it (driver_override)",
			    name, drv, want);
	}
	if (r)
		return fail(err, errlen, r, "%s: its driver: %s", name, strerror(-r));
	r = link_name(c, dir, "iommu_group", grp, sizeof(grp));
	if (r) {
		*user = true;
		return fail(err, errlen, -EINVAL,
			    "%s: no IOMMU group: the host has no IOMMU for it (and vfio's no-IOMMU mode is off)",
			    name);
	}
	*id = atoi(grp);
	if (noiommu_group(c, *id) != c->noiommu) {
		*user = true;
		return fail(err, errlen, -EINVAL,
			    c->noiommu ? "%s: IOMMU group %d has an IOMMU, but --vfio-noiommu was given: drop it"
				       : "%s: group %d is a no-IOMMU group: the device would not be isolated (its DMA reaches all host memory); add --vfio-noiommu to accept that",
			    name, *id);
	}
	return 0;
}

int vfio_open(struct vfio_container *c, const char *bus, const char *name,
	      const char *const drivers[], int *fd, bool *user, char *err,
	      size_t errlen)
{
	char dir[PATH_MAX];
	int id = -1, gfd = -1, r;
	bool new_group = false;

	*user = false;
	snprintf(dir, sizeof(dir), "bus/%s/devices/%s", bus, name);
	r = check_device(c, dir, name, drivers, &id, user, err, errlen);
	if (r)
		return r;
	for (unsigned int i = 0; i < c->ngroups; i++)
		if (c->group[i].id == id)
			gfd = c->group[i].fd;
	if (gfd < 0) {
		if (c->ngroups == VFIO_MAX_GROUPS)
			return fail(err, errlen, -ENOSPC,
				    "%s: more than %d IOMMU groups", name,
				    VFIO_MAX_GROUPS);
		if (c->fd < 0) {
			r = open_container(c, err, errlen, user);
			if (r)
				return r;
		}
		r = open_group(c, name, id, drivers, &gfd, user, err, errlen);
		if (r)
			return r;
		new_group = true;
		if (!c->iommu_set) {
			r = setup_iommu(c, name, err, errlen);
			if (r)
				goto err_group;
		}
		c->group[c->ngroups].id = id;
		c->group[c->ngroups++].fd = gfd;
	}
	*fd = ioctl(gfd, VFIO_GROUP_GET_DEVICE_FD, name);
	if (*fd < 0) {
		r = -errno;
		*user = r == -EBUSY;
		fail(err, errlen, r,
		     r == -EBUSY ? "%s: already open elsewhere (another partition?)"
				 : "%s: VFIO_GROUP_GET_DEVICE_FD: %s",
		     name, strerror(-r));
		if (new_group) {
			c->ngroups--;
			goto err_group;
		}
		return r;
	}
	return 0;
err_group:
	if (c->ngroups == 0 && c->iommu_set) {
		if (c->dma_mapped)
			dma(c, false);
		c->iommu_set = false;
	}
	close(gfd);
	return r;
}

int vfio_open_device(struct vfio_container *c, const char *bdf,
		     const char *driver, int *fd, bool *user, char *err,
		     size_t errlen)
{
	const char *const drivers[] = { driver, NULL };

	return vfio_open(c, "pci", bdf, drivers, fd, user, err, errlen);
}

static int container_destroy(void *opaque)
{
	vfio_container_destroy(opaque);
	free(opaque);
	return 0;
}

int vfio_container_get(struct vm *vm, struct vfio_container **out)
{
	const struct vm_device dev = { .name = "vfio-container",
				       .destroy = container_destroy };
	struct vfio_container *c;
	struct vm_device e = dev;

	if (vm->vfio) {
		*out = vm->vfio;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	vfio_container_init(c, &vm->mem);
	c->noiommu = vm->cfg->vfio_noiommu;
	e.opaque = c;
	if (devices_add(&vm->devices, &e)) {
		container_destroy(c);
		return vm_user_error(vm, "--vfio: too many devices (at most %d)",
				     DEVICES_MAX);
	}
	vm->vfio = c;
	*out = c;
	return 0;
}
