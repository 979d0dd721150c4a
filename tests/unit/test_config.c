// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
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
	{ { "--kernel", "k", "--serial", "file:,append" }, 4, "--serial" },
	{ { "--kernel", "k", "--memory-overcommit=yes" }, 3, "takes no value" },
	{ { "--kernel", "k", "--cpu-template", "max" }, 4, "--cpu-template" },
	{ { "--kernel", "k", "--load-addr", "0xzz" }, 4, "--load-addr" },
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

/* The usage text of `tessera run`, generated from the flag table. */
static char *usage(void)
{
	size_t len = config_format_usage(NULL, 0);
	char *text = malloc(len + 1);

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(config_format_usage(text, len + 1), len);
	ck_assert_uint_eq(strlen(text), len);
	return text;
}

/* name after a blank, followed by ' ', ',', '[' or the end of the line. */
static bool usage_names(const char *text, const char *name)
{
	for (const char *p = text; (p = strstr(p, name)); p++) {
		char after = p[strlen(name)];
		bool starts = p - text >= 2 && (p[-1] == ' ' || p[-1] == '\n');

		if (starts && (after == ' ' || after == '[' || after == '\n' ||
			       after == ','))
			return true;
	}
	return false;
}

START_TEST(usage_has_every_flag)
{
	char *text = usage();

	ck_assert_uint_ge(config_nflags, 20);
	for (unsigned int i = 0; i < config_nflags; i++) {
		const struct config_flag *f = &config_flags[i];

		ck_assert_msg(usage_names(text, f->name), "usage lacks %s", f->name);
		if (f->alias)
			ck_assert_msg(usage_names(text, f->alias), "usage lacks %s",
				      f->alias);
		ck_assert_msg(f->help && *f->help, "%s has no help", f->name);
		ck_assert_msg((f->arg == CONFIG_ARG_NONE) == !f->argname,
			      "%s: a value needs a name in the usage", f->name);
		ck_assert_ptr_eq(config_find_flag(f->name, strlen(f->name)), f);
	}
	ck_assert(strstr(text, "usage: tessera run --kernel FILE [options]\n"));
	ck_assert(strstr(text, "\n  -m, --memory SIZE      guest RAM, e.g. 64M or 1G (default 64M)\n"));
	ck_assert(strstr(text, "\n  -v, --verbose          log what the monitor does\n"));
	ck_assert(strstr(text, "\n  --hugepages[=thp|none]\n                         back guest RAM"));
	ck_assert(strstr(text, "\n  --disk path=FILE[,ro][,direct=on][,serial=ID]\n                         a virtio-blk disk"));
	ck_assert(strstr(text, "\nReal-time partitions:\n  --pin MAP "));
	free(text);
}
END_TEST

/* Wrapped to 79 columns, help in its column, no trailing blanks, stable. */
START_TEST(usage_is_formatted)
{
	char *text = usage(), *again = usage(), small[64];
	unsigned int lineno = 0;

	ck_assert_str_eq(text, again);
	for (char *line = text, *next; *line; line = next + 1) {
		size_t len;

		next = strchr(line, '\n');
		ck_assert_ptr_nonnull(next); /* every line ends in '\n' */
		len = (size_t)(next - line);
		lineno++;
		ck_assert_msg(len <= 79, "line %u is %zu columns", lineno, len);
		ck_assert_msg(!len || line[len - 1] != ' ',
			      "line %u ends in a blank", lineno);
		if (len && line[0] == ' ' && line[2] != '-')
			/* A continuation: the help column, exactly. */
			ck_assert_msg(len > 25 && !strncmp(line, "                         ", 25) &&
					      line[25] != ' ',
				      "line %u is not in the help column", lineno);
		else if (len > 2 && line[0] == ' ' && line[2] == '-')
			/* A flag: its help at column 25, or on the next lines. */
			ck_assert_msg((len > 25 && line[23] == ' ' && line[24] == ' ' &&
				       line[25] != ' ') ||
					      !memmem(line + 2, len - 2, "  ", 2),
				      "line %u: help not at column 25", lineno);
	}
	/* A short buffer: truncated, terminated, and the length still told. */
	ck_assert_uint_eq(config_format_usage(small, sizeof(small)), strlen(text));
	ck_assert_uint_eq(strlen(small), sizeof(small) - 1);
	ck_assert(!strncmp(small, text, sizeof(small) - 1));
	free(text);
	free(again);
}
END_TEST

START_TEST(find_file_walks_values)
{
	char *a[] = { "--cmdline", "--config", "F" };
	char *b[] = { "--cmdline", "--config", "--config", "G" };
	char *c[] = { "--name=x", "--config=H", "--stats" };
	char *d[] = { "--gdb", "--config", "--config=I" };

	/* "--config" is the value of --cmdline: F is not read. */
	ck_assert_ptr_null(config_find_file(3, a));
	ck_assert_str_eq(config_find_file(4, b), "G");
	ck_assert_str_eq(config_find_file(3, c), "H");
	ck_assert_str_eq(config_find_file(3, d), "I");
}
END_TEST

START_TEST(serial_values)
{
	struct vm_config c;
	char err[256];

	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--serial", "file:/tmp/a,append"), 0);
	ck_assert_int_eq(c.serial, SERIAL_FILE);
	ck_assert_str_eq(c.serial_path, "/tmp/a");
	ck_assert(c.serial_append);
	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--serial", "file:b"), 0);
	ck_assert_str_eq(c.serial_path, "b");
	ck_assert(!c.serial_append);
	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--serial", "none"), 0);
	ck_assert_int_eq(c.serial, SERIAL_NONE);
	ck_assert_ptr_null(c.serial_path);
	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--memory-overcommit"), 0);
	ck_assert(c.memory_overcommit);
}
END_TEST

START_TEST(vfio_values)
{
	struct vm_config cfg;
	char err[256], bdf[CONFIG_BDF_LEN + 1];

	ck_assert_int_eq(config_parse_bdf("0000:00:01.0", bdf), 0);
	ck_assert_str_eq(bdf, "0000:00:01.0");
	ck_assert_int_eq(config_parse_bdf("00:1F.7", bdf), 0);
	ck_assert_str_eq(bdf, "0000:00:1f.7");
	ck_assert_int_eq(config_parse_bdf("abcd:ff:1f.7", bdf), 0);
	ck_assert_str_eq(bdf, "abcd:ff:1f.7");
	ck_assert_int_eq(config_parse_bdf("00:20.0", bdf), -EINVAL); /* device > 31 */
	ck_assert_int_eq(config_parse_bdf("00:01.8", bdf), -EINVAL);
	ck_assert_int_eq(config_parse_bdf("00:01", bdf), -EINVAL);
	ck_assert_int_eq(config_parse_bdf("00:01.0x", bdf), -EINVAL);
	ck_assert_int_eq(config_parse_bdf("10000:00:01.0", bdf), -EINVAL);
	ck_assert_int_eq(config_parse_bdf("000:01.0", bdf), -EINVAL);
	ck_assert_int_eq(config_parse_bdf("", bdf), -EINVAL);
	ck_assert_int_eq(config_parse_bdf(":00:01.0", bdf), -EINVAL);

	/* The default filters have VFIO rules (sandbox_rules.c). */
	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio", "00:01.0",
			       "--vfio=/sys/bus/pci/devices/0000:00:02.0"), 0);
	ck_assert_uint_eq(cfg.nvfio, 2);
	ck_assert_str_eq(cfg.vfio[0], "00:01.0");
	ck_assert_str_eq(cfg.vfio[1], "/sys/bus/pci/devices/0000:00:02.0");
	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio", "eth0"),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "neither a PCI address"));
	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio", "1:1.1",
			       "--vfio", "1:1.1", "--vfio", "1:1.1", "--vfio",
			       "1:1.1", "--vfio", "1:1.1", "--vfio", "1:1.1",
			       "--vfio", "1:1.1", "--vfio", "1:1.1", "--vfio",
			       "1:1.1"),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "at most 8"));
}
END_TEST

/* --vfio-noiommu: needs --vfio; a partition file says vfio-noiommu = yes. */
START_TEST(vfio_noiommu)
{
	struct vm_config cfg;
	char err[256], text[] = "kernel = k\nvfio = 00:01.0\nvfio-noiommu = yes\nseccomp = off\n";

	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio-noiommu"),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--vfio-noiommu needs --vfio"));
	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio", "00:01.0",
			       "--seccomp", "off"), 0);
	ck_assert(!cfg.vfio_noiommu);
	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio", "00:01.0",
			       "--vfio-noiommu", "--seccomp", "off"), 0);
	ck_assert(cfg.vfio_noiommu);
	config_init(&cfg);
	ck_assert_int_eq(config_parse_file(&cfg, text, "p.conf", err, sizeof(err)), 0);
	ck_assert(cfg.vfio_noiommu);
	/* platform:NAME[,ITEM]: parsed once, beside the value as given. */
	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio", "00:01.0",
			       "--vfio", "platform:9010000.pl031,clock=apb_pclk:24000000",
			       "--seccomp", "off"), 0);
	ck_assert_str_eq(cfg.vfio[1], "platform:9010000.pl031,clock=apb_pclk:24000000");
	ck_assert_str_eq(cfg.vfio_platform[1].name, "9010000.pl031");
	ck_assert_uint_eq(cfg.vfio_platform[1].clock[0].hz, 24000000);
	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio",
			       "platform:9010000.pl031,reg=<0>", "--seccomp", "off"),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "reg is tessera's to write"));
	ck_assert_int_eq(PARSE(&cfg, err, "--kernel", "k", "--vfio", "platform:a.b",
			       "--vfio", "platform:a.b,clock=c:1", "--seccomp", "off"),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "platform:a.b: given twice"));
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
	tcase_add_test(tc, usage_has_every_flag);
	tcase_add_test(tc, usage_is_formatted);
	tcase_add_test(tc, find_file_walks_values);
	tcase_add_test(tc, serial_values);
	tcase_add_test(tc, vfio_values);
	tcase_add_test(tc, vfio_noiommu);
	suite_add_tcase(s, tc);
	return s;
}
