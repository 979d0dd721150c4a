// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "config.h"
#include "suites.h"

static int parse(struct vm_config *cfg, char *err, int argc, char **argv)
{
	config_init(cfg);
	return config_parse_run(cfg, argc, argv, err, 256);
}

#define PARSE(cfg, err, ...)                                               \
	({                                                                 \
		char *argv_[] = { __VA_ARGS__ };                           \
		parse(cfg, err, (int)(sizeof(argv_) / sizeof(argv_[0])), argv_); \
	})

START_TEST(defaults)
{
	struct vm_config c;
	char err[256];

	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k.elf"), 0);
	ck_assert_str_eq(c.kernel, "k.elf");
	ck_assert_uint_eq(c.mem_size, 64ULL << 20);
	ck_assert_uint_eq(c.cpus, 1);
	ck_assert_int_eq(c.serial, SERIAL_STDIO);
	ck_assert_int_eq(c.cpu_template, CPU_TEMPLATE_AUTO);
	ck_assert(!c.load_addr_set);
	ck_assert_str_eq(c.name, "tessera");
	ck_assert_ptr_null(c.dump_dtb);
	ck_assert_ptr_null(c.initrd);
}
END_TEST

START_TEST(all_flags)
{
	struct vm_config c;
	char err[256];

	ck_assert_int_eq(PARSE(&c, err, "--kernel=g.bin", "--memory", "1G",
			       "--cpus=4", "--serial", "file:/tmp/x",
			       "--cpu-template", "host", "--load-addr",
			       "0x200000", "-v", "--name", "rt-part.1",
			       "--dump-dtb=/tmp/p.dtb", "--stats", "--initrd",
			       "i.cpio", "--cmdline", "quiet"),
			 0);
	ck_assert_str_eq(c.name, "rt-part.1");
	ck_assert_str_eq(c.dump_dtb, "/tmp/p.dtb");
	ck_assert(c.stats);
	ck_assert_str_eq(c.initrd, "i.cpio");
	ck_assert_str_eq(c.cmdline, "quiet");
	ck_assert_uint_eq(c.mem_size, 1ULL << 30);
	ck_assert_uint_eq(c.cpus, 4);
	ck_assert_int_eq(c.serial, SERIAL_FILE);
	ck_assert_str_eq(c.serial_path, "/tmp/x");
	ck_assert_int_eq(c.cpu_template, CPU_TEMPLATE_HOST);
	ck_assert(c.load_addr_set);
	ck_assert_uint_eq(c.load_addr, 0x200000);
	ck_assert(c.verbose);
}
END_TEST

START_TEST(help_needs_no_kernel)
{
	struct vm_config c;
	char err[256];

	ck_assert_int_eq(PARSE(&c, err, "--help"), 0);
	ck_assert(c.help);
}
END_TEST

static const struct {
	const char *args[4];
	int argc;
	const char *msg; /* a substring of the one-line error */
} bad[] = {
	{ { "--kernel", "k", "--bogus" }, 3, "unknown option '--bogus'" },
	{ { "--kernel", "k", "--memory", "lots" }, 4, "not a size" },
	{ { "--kernel", "k", "--memory", "1M" }, 4, "out of range" },
	{ { "--kernel", "k", "--memory", "1T" }, 4, "out of range" },
	{ { "--kernel", "k", "--memory", "4097k" }, 4, "multiple of 4K" },
	{ { "--kernel", "k", "--memory", "99999999999999999999G" }, 4, "not a size" },
	{ { "--kernel", "k", "--cpus", "0" }, 4, "--cpus" },
	{ { "--kernel", "k", "--cpus", "65" }, 4, "--cpus" },
	{ { "--kernel", "k", "--cpus", "2x" }, 4, "--cpus" },
	{ { "--kernel", "k", "--serial", "tcp" }, 4, "--serial" },
	{ { "--kernel", "k", "--serial", "file:" }, 4, "--serial" },
	{ { "--kernel", "k", "--cpu-template", "max" }, 4, "--cpu-template" },
	{ { "--kernel", "k", "--load-addr", "0xzz" }, 4, "--load-addr" },
	{ { "--kernel", "k", "--load-addr", "0x80000000" }, 4, "outside guest RAM" },
	{ { "--memory", "64M" }, 2, "missing --kernel" },
	{ { "--kernel" }, 1, "needs a value" },
	{ { "--kernel", "" }, 2, "empty path" },
	{ { "--kernel", "k", "stray" }, 3, "unexpected argument" },
	{ { "--help=yes" }, 1, "takes no value" },
	{ { "--kernel", "k", "--name", "a b" }, 4, "--name" },
	{ { "--kernel", "k", "--name", "" }, 4, "--name" },
	{ { "--kernel", "k", "--dump-dtb", "" }, 4, "--dump-dtb" },
	{ { "--kernel", "k", "--initrd", "" }, 4, "--initrd" },
};

START_TEST(bad_input)
{
	struct vm_config c;
	char err[256] = "";

	config_init(&c);
	ck_assert_int_eq(config_parse_run(&c, bad[_i].argc,
					  (char *const *)bad[_i].args, err,
					  sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad[_i].msg), "case %d: '%s' lacks '%s'", _i,
		      err, bad[_i].msg);
	ck_assert(!strchr(err, '\n'));
}
END_TEST

START_TEST(sizes)
{
	uint64_t v;

	ck_assert_int_eq(config_parse_size("4096", &v), 0);
	ck_assert_uint_eq(v, 4096);
	ck_assert_int_eq(config_parse_size("512k", &v), 0);
	ck_assert_uint_eq(v, 512 << 10);
	ck_assert_int_eq(config_parse_size("0x10M", &v), 0);
	ck_assert_uint_eq(v, 16ULL << 20);
	ck_assert_int_eq(config_parse_size("2G", &v), 0);
	ck_assert_uint_eq(v, 2ULL << 30);
	ck_assert_int_eq(config_parse_size("", &v), -EINVAL);
	ck_assert_int_eq(config_parse_size("M", &v), -EINVAL);
	ck_assert_int_eq(config_parse_size("-1", &v), -EINVAL);
	ck_assert_int_eq(config_parse_size("1.5G", &v), -EINVAL);
	ck_assert_int_eq(config_parse_size("16777216T", &v), -EINVAL);
	ck_assert_int_eq(config_parse_u64("18446744073709551615", &v), 0);
	ck_assert_int_eq(config_parse_u64("18446744073709551616", &v), -EINVAL);
	ck_assert_int_eq(config_parse_u64("0x", &v), -EINVAL);
}
END_TEST

Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, all_flags);
	tcase_add_test(tc, help_needs_no_kernel);
	tcase_add_loop_test(tc, bad_input, 0, sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, sizes);
	suite_add_tcase(s, tc);
	return s;
}
