// SPDX-License-Identifier: GPL-2.0
/* --disk: the value's grammar and the limits, as config_parse_run sees them. */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "suites.h"

static struct vm_config cfg;
static char err[256];

static int run(int argc, char **argv)
{
	config_init(&cfg);
	err[0] = '\0';
	return config_parse_run(&cfg, argc, argv, err, sizeof(err));
}

#define RUN(...)                                                         \
	({                                                               \
		char *argv_[] = { "--kernel", "k.elf", __VA_ARGS__ };    \
		run((int)(sizeof(argv_) / sizeof(argv_[0])), argv_);     \
	})

START_TEST(disk_forms)
{
	ck_assert_int_eq(RUN("--disk", "path=/img/a.raw"), 0);
	ck_assert_uint_eq(cfg.ndisks, 1);
	ck_assert_str_eq(cfg.disk[0].path, "/img/a.raw");
	ck_assert(!cfg.disk[0].ro);
	ck_assert(!cfg.disk[0].direct);
	ck_assert_str_eq(cfg.disk[0].serial, "");

	ck_assert_int_eq(RUN("--disk=path=a,ro,direct=on,serial=SN-0001_x",
			     "--disk", "serial=b2,path=b,ro=off,direct=off",
			     "--disk", "path=c=d,ro=on,direct=yes"),
			 0);
	ck_assert_uint_eq(cfg.ndisks, 3);
	ck_assert_str_eq(cfg.disk[0].path, "a");
	ck_assert(cfg.disk[0].ro && cfg.disk[0].direct);
	ck_assert_str_eq(cfg.disk[0].serial, "SN-0001_x");
	ck_assert_str_eq(cfg.disk[1].path, "b");
	ck_assert(!cfg.disk[1].ro && !cfg.disk[1].direct);
	ck_assert_str_eq(cfg.disk[1].serial, "b2");
	ck_assert_str_eq(cfg.disk[2].path, "c=d"); /* only the first '=' splits */
	ck_assert(cfg.disk[2].ro && cfg.disk[2].direct);
	/* A 20-character serial fills VIRTIO_BLK_ID_BYTES exactly. */
	ck_assert_int_eq(RUN("--disk", "path=x,serial=01234567890123456789"), 0);
	ck_assert_str_eq(cfg.disk[0].serial, "01234567890123456789");
}
END_TEST

static void expect_error(int r, const char *want)
{
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_msg(strstr(err, want), "error '%s' lacks '%s'", err, want);
	ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(disk_errors)
{
	expect_error(RUN("--disk", ""), "empty option");
	expect_error(RUN("--disk", "ro"), "lacks path=FILE");
	expect_error(RUN("--disk", "path="), "empty path");
	expect_error(RUN("--disk", "path"), "empty path");
	expect_error(RUN("--disk", "path=a,,ro"), "empty option");
	expect_error(RUN("--disk", "path=a,"), "empty option");
	expect_error(RUN("--disk", "path=a,cache=none"), "unknown option 'cache=none'");
	expect_error(RUN("--disk", "path=a,direct"), "direct takes on or off");
	expect_error(RUN("--disk", "path=a,direct=maybe"), "direct takes on or off");
	expect_error(RUN("--disk", "path=a,ro=2"), "ro takes on or off");
	expect_error(RUN("--disk", "path=a,serial="), "serial must be 1 to 20");
	expect_error(RUN("--disk", "path=a,serial=012345678901234567890"),
		     "serial must be 1 to 20");
	expect_error(RUN("--disk", "path=a,serial=a\tb"), "printable ASCII");
	expect_error(RUN("--disk", "path=a,serial=\x80"), "printable ASCII");
	expect_error(RUN("--disk"), "--disk needs a value");
}
END_TEST

START_TEST(disk_limits)
{
	static char longpath[CONFIG_DISK_PATH_MAX + 16];
	char *argv[2 + 2 * (CONFIG_MAX_DISKS + 1)];
	int n = 0;

	argv[n++] = "--kernel";
	argv[n++] = "k.elf";
	for (int i = 0; i < CONFIG_MAX_DISKS; i++) {
		argv[n++] = "--disk";
		argv[n++] = "path=x";
	}
	ck_assert_int_eq(run(n, argv), 0);
	ck_assert_uint_eq(cfg.ndisks, CONFIG_MAX_DISKS);
	argv[n++] = "--disk";
	argv[n++] = "path=y";
	expect_error(run(n, argv), "at most 8 disks");

	memcpy(longpath, "path=", 5);
	memset(longpath + 5, 'p', CONFIG_DISK_PATH_MAX);
	expect_error(RUN("--disk", longpath), "path longer than");
	longpath[5 + CONFIG_DISK_PATH_MAX - 1] = '\0'; /* exactly the maximum */
	ck_assert_int_eq(RUN("--disk", longpath), 0);
	ck_assert_uint_eq(strlen(cfg.disk[0].path), CONFIG_DISK_PATH_MAX - 1);
}
END_TEST

Suite *disk_config_suite(void)
{
	Suite *s = suite_create("disk_config");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, disk_forms);
	tcase_add_test(tc, disk_errors);
	tcase_add_test(tc, disk_limits);
	suite_add_tcase(s, tc);
	return s;
}
