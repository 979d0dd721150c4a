// SPDX-License-Identifier: GPL-2.0
/*
 * The VFIO core's checks of the user's choice (devices/vfio/vfio.c),
 * against a fake sysfs and /dev/vfio in a temporary directory: a sysfs
 * path or PCI address resolves to the canonical address; a missing
 * device, one bound to no driver or another driver, one without an IOMMU
 * group and a host without /dev/vfio/vfio each give a user error that
 * names the device, and nothing stays open.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "suites.h"
#include "vfio/vfio.h"

static char root[64], sys[128], dev[128];
static struct guest_mem mem;
static struct vfio_container c;

static void mk(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	ck_assert_int_eq(mkdir(p, 0755), 0);
}

static void ln(const char *target, const char *bdf, const char *name)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/pci/devices/%s/%s", sys, bdf, name);
	ck_assert_int_eq(symlink(target, p), 0);
}

static void plat_ln(const char *target, const char *name, const char *link)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/bus/platform/devices/%s/%s", sys, name, link);
	ck_assert_int_eq(symlink(target, p), 0);
}

/* An empty file at <dev>/name (a stand-in for a device node). */
static void touch_dev(const char *name)
{
	char p[PATH_MAX];
	int f;

	snprintf(p, sizeof(p), "%s/%s", dev, name);
	f = open(p, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(f, 0);
	close(f);
}

static void setup(void)
{
	static const char *const dirs[] = { "sys", "sys/bus", "sys/bus/pci",
		"sys/bus/pci/devices", "sys/kernel", "sys/kernel/iommu_groups",
		"sys/bus/platform", "sys/bus/platform/devices", "dev" };

	snprintf(root, sizeof(root), "/tmp/tessera-vfio-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mk(dirs[i]);
	snprintf(sys, sizeof(sys), "%.63s/sys", root);
	snprintf(dev, sizeof(dev), "%.63s/dev", root);
	/* 01.0: vfio-pci in group 7; 02.0: e1000e; 03.0: no driver; 04.0: no group. */
	mk("sys/bus/pci/devices/" "0000:00:01.0");
	mk("sys/bus/pci/devices/" "0000:00:02.0");
	mk("sys/bus/pci/devices/" "0000:00:03.0");
	mk("sys/bus/pci/devices/" "0000:00:04.0");
	ln("../../../../bus/pci/drivers/vfio-pci", "0000:00:01.0", "driver");
	ln("../../../../kernel/iommu_groups/7", "0000:00:01.0", "iommu_group");
	ln("../../../../bus/pci/drivers/e1000e", "0000:00:02.0", "driver");
	ln("../../../../kernel/iommu_groups/8", "0000:00:02.0", "iommu_group");
	ln("../../../../bus/pci/drivers/vfio-pci", "0000:00:04.0", "driver");
	/* Platform devices: a pl031 on vfio-amba in group 9, one on its own driver. */
	mk("sys/bus/platform/devices/9010000.pl031");
	mk("sys/bus/platform/devices/9030000.pl061");
	plat_ln("../../../../bus/amba/drivers/vfio-amba", "9010000.pl031", "driver");
	plat_ln("../../../../kernel/iommu_groups/9", "9010000.pl031", "iommu_group");
	plat_ln("../../../../bus/platform/drivers/pl061_gpio", "9030000.pl061", "driver");
	plat_ln("../../../../kernel/iommu_groups/10", "9030000.pl061", "iommu_group");
	memset(&mem, 0, sizeof(mem));
	vfio_container_init(&c, &mem);
	c.sysfs = sys;
	c.dev_dir = dev;
}

static void teardown(void)
{
	char cmd[PATH_MAX + 16];

	vfio_container_destroy(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(resolve)
{
	char bdf[CONFIG_BDF_LEN + 1], err[512], p[PATH_MAX];

	ck_assert_int_eq(vfio_pci_resolve(&c, "00:01.0", bdf, err, sizeof(err)), 0);
	ck_assert_str_eq(bdf, "0000:00:01.0");
	snprintf(p, sizeof(p), "%s/bus/pci/devices/0000:00:02.0/", sys);
	ck_assert_int_eq(vfio_pci_resolve(&c, p, bdf, err, sizeof(err)), 0);
	ck_assert_str_eq(bdf, "0000:00:02.0");
	ck_assert_int_eq(vfio_pci_resolve(&c, "0000:00:1f.0", bdf, err, sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "no PCI device 0000:00:1f.0"));
	snprintf(p, sizeof(p), "%s/bus/pci/devices/0000:00:09.0", sys);
	ck_assert_int_eq(vfio_pci_resolve(&c, p, bdf, err, sizeof(err)), -ENOENT);
	ck_assert_int_eq(vfio_pci_resolve(&c, sys, bdf, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a PCI device"));
	ck_assert_int_eq(vfio_pci_resolve(&c, "eth0", bdf, err, sizeof(err)), -EINVAL);
}
END_TEST

START_TEST(refusals)
{
	char err[512];
	bool user = false;
	int fd = -1;

	ck_assert_int_eq(vfio_open_device(&c, "0000:00:02.0", "vfio-pci", &fd,
					  &user, err, sizeof(err)), -EINVAL);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "bound to e1000e, not vfio-pci"));
	user = false;
	ck_assert_int_eq(vfio_open_device(&c, "0000:00:03.0", "vfio-pci", &fd,
					  &user, err, sizeof(err)), -EINVAL);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "bound to no driver"));
	user = false;
	ck_assert_int_eq(vfio_open_device(&c, "0000:00:04.0", "vfio-pci", &fd,
					  &user, err, sizeof(err)), -EINVAL);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "no IOMMU group"));
	/* Right driver and group, but this "host" has no /dev/vfio/vfio. */
	user = false;
	ck_assert_int_eq(vfio_open_device(&c, "0000:00:01.0", "vfio-pci", &fd,
					  &user, err, sizeof(err)), -ENOENT);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "/dev/vfio"));
	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(c.fd, -1);
	ck_assert_uint_eq(c.ngroups, 0);
}
END_TEST

/* A /dev/vfio/vfio that is not VFIO (a plain file): a host failure, closed. */
START_TEST(not_vfio)
{
	char p[PATH_MAX], err[512];
	bool user = true;
	int fd = -1, f;

	snprintf(p, sizeof(p), "%s/vfio", dev);
	f = open(p, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(f, 0);
	close(f);
	ck_assert_int_eq(vfio_open_device(&c, "0000:00:01.0", "vfio-pci", &fd,
					  &user, err, sizeof(err)), -ENOTSUP);
	ck_assert(!user);
	ck_assert_int_eq(c.fd, -1);
}
END_TEST

static const char *const plat_drivers[] = { "vfio-platform", "vfio-amba", NULL };

/* Platform devices: the driver must be one of two; the message names both. */
START_TEST(platform)
{
	char err[512];
	bool user = false;
	int fd = -1;

	ck_assert_int_eq(vfio_open(&c, "platform", "9030000.pl061", plat_drivers,
				   &fd, &user, err, sizeof(err)), -EINVAL);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "bound to pl061_gpio, not vfio-platform or vfio-amba"));
	user = false;
	ck_assert_int_eq(vfio_open(&c, "platform", "9000000.nope", plat_drivers,
				   &fd, &user, err, sizeof(err)), -EINVAL);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "bound to no driver"));
	/* vfio-amba is accepted: the next step is the container (absent here). */
	user = false;
	ck_assert_int_eq(vfio_open(&c, "platform", "9010000.pl031", plat_drivers,
				   &fd, &user, err, sizeof(err)), -ENOENT);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "/vfio: "));
	ck_assert_int_eq(fd, -1);
}
END_TEST

/*
 * A no-IOMMU group (dev/noiommu-9) is refused without --vfio-noiommu,
 * naming the flag; with it a group that has an IOMMU (7) is refused, and
 * the no-IOMMU one goes on to the container.
 */
START_TEST(noiommu)
{
	char err[512];
	bool user = false;
	int fd = -1;

	touch_dev("noiommu-9");
	ck_assert_int_eq(vfio_open(&c, "platform", "9010000.pl031", plat_drivers,
				   &fd, &user, err, sizeof(err)), -EINVAL);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "no-IOMMU group"));
	ck_assert_ptr_nonnull(strstr(err, "--vfio-noiommu"));
	c.noiommu = true;
	user = false;
	ck_assert_int_eq(vfio_open_device(&c, "0000:00:01.0", "vfio-pci", &fd,
					  &user, err, sizeof(err)), -EINVAL);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "has an IOMMU"));
	user = false;
	ck_assert_int_eq(vfio_open(&c, "platform", "9010000.pl031", plat_drivers,
				   &fd, &user, err, sizeof(err)), -ENOENT);
	ck_assert(user);
	ck_assert_ptr_nonnull(strstr(err, "/vfio: "));
	/* A /dev/vfio/vfio that is no VFIO: the no-IOMMU extension is missing. */
	touch_dev("vfio");
	user = false;
	ck_assert_int_eq(vfio_open(&c, "platform", "9010000.pl031", plat_drivers,
				   &fd, &user, err, sizeof(err)), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err, "enable_unsafe_noiommu_mode"));
	ck_assert_int_eq(c.fd, -1);
	ck_assert_uint_eq(c.ngroups, 0);
}
END_TEST

Suite *vfio_suite(void)
{
	Suite *s = suite_create("vfio");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, resolve);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, not_vfio);
	tcase_add_test(tc, platform);
	tcase_add_test(tc, noiommu);
	suite_add_tcase(s, tc);
	return s;
}
