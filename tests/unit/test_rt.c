// SPDX-License-Identifier: GPL-2.0
/* Real-time partitions: flag and partition-file parsing, CPU-set checks. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "preflight.h"
#include "rt.h"
#include "suites.h"

static char *fmt(const cpu_set_t *s)
{
	static char buf[256];

	return rt_format_cpulist(s, buf, sizeof(buf));
}

START_TEST(cpulists)
{
	cpu_set_t s;

	ck_assert_int_eq(rt_parse_cpulist("0-3,6,8-9", &s), 0);
	ck_assert_int_eq(CPU_COUNT(&s), 7);
	ck_assert_str_eq(fmt(&s), "0-3,6,8-9");
	ck_assert_int_eq(rt_parse_cpulist("5", &s), 0);
	ck_assert_str_eq(fmt(&s), "5");
	ck_assert_int_eq(rt_parse_cpulist("1023", &s), 0);
	ck_assert_int_eq(rt_parse_cpulist("1024", &s), -EINVAL);
	ck_assert_int_eq(rt_parse_cpulist("", &s), -EINVAL);
	ck_assert_int_eq(rt_parse_cpulist("3-1", &s), -EINVAL);
	ck_assert_int_eq(rt_parse_cpulist("1,", &s), -EINVAL);
	ck_assert_int_eq(rt_parse_cpulist(",1", &s), -EINVAL);
	ck_assert_int_eq(rt_parse_cpulist("1-", &s), -EINVAL);
	ck_assert_int_eq(rt_parse_cpulist("a", &s), -EINVAL);
	ck_assert_int_eq(rt_parse_cpulist("-1", &s), -EINVAL);
	ck_assert_int_eq(rt_parse_cpulist("99999999999999999999", &s), -EINVAL);
	CPU_ZERO(&s);
	ck_assert_str_eq(fmt(&s), "");
}
END_TEST

START_TEST(pins)
{
	int pin[8];
	char err[256];

	ck_assert_int_eq(rt_parse_pin("0=2,1=3", pin, 8, err, sizeof(err)), 0);
	ck_assert_int_eq(pin[0], 2);
	ck_assert_int_eq(pin[1], 3);
	ck_assert_int_eq(pin[2], -1);
	ck_assert_int_eq(rt_parse_pin("3=0", pin, 8, err, sizeof(err)), 0);
	ck_assert_int_eq(pin[0], -1);
	ck_assert_int_eq(pin[3], 0);
	/* A CPU list: vCPU i on the i-th CPU. */
	ck_assert_int_eq(rt_parse_pin("4-5,1", pin, 8, err, sizeof(err)), 0);
	ck_assert_int_eq(pin[0], 1);
	ck_assert_int_eq(pin[1], 4);
	ck_assert_int_eq(pin[2], 5);
	ck_assert_int_eq(pin[3], -1);
}
END_TEST

static const struct {
	const char *s;
	const char *msg;
} bad_pins[] = {
	{ "0=2,0=3", "vCPU 0 is pinned twice" },
	{ "0=2,1=2", "vCPUs 0 and 1 both on host CPU 2" },
	{ "8=1", "vCPU 8 does not exist" },
	{ "0=", "host CPUs are numbers" },
	{ "=1", "is not VCPU=CPU" },
	{ "0=1,", "is not VCPU=CPU" },
	{ "0=1;1=2", "host CPUs are numbers" },
	{ "0=1024", "host CPUs are numbers" },
	{ "x", "nor a CPU list" },
	{ "0-8", "vCPU 8 does not exist" },
};

START_TEST(bad_pin)
{
	int pin[8];
	char err[256] = "";

	ck_assert_int_eq(rt_parse_pin(bad_pins[_i].s, pin, 8, err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad_pins[_i].msg), "'%s': '%s' lacks '%s'",
		      bad_pins[_i].s, err, bad_pins[_i].msg);
}
END_TEST

START_TEST(policies)
{
	enum rt_policy p;
	int prio;
	char err[256];

	ck_assert_int_eq(rt_parse_policy("fifo", &p, &prio, err, sizeof(err)), 0);
	ck_assert_int_eq(p, RT_POLICY_FIFO);
	ck_assert_int_eq(prio, RT_PRIO_DEFAULT);
	ck_assert_int_eq(rt_parse_policy("fifo:99", &p, &prio, err, sizeof(err)), 0);
	ck_assert_int_eq(prio, 99);
	ck_assert_int_eq(rt_parse_policy("fifo:1", &p, &prio, err, sizeof(err)), 0);
	ck_assert_int_eq(prio, 1);
	ck_assert_int_eq(rt_parse_policy("other", &p, &prio, err, sizeof(err)), 0);
	ck_assert_int_eq(p, RT_POLICY_OTHER);
	ck_assert_int_eq(rt_parse_policy("fifo:0", &p, &prio, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "1 to 99"));
	ck_assert_int_eq(rt_parse_policy("fifo:100", &p, &prio, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(rt_parse_policy("fifo:", &p, &prio, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(rt_parse_policy("fifo:5x", &p, &prio, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(rt_parse_policy("fifox", &p, &prio, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(rt_parse_policy("rr", &p, &prio, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "not fifo"));
}
END_TEST

static void pinned(struct vm_config *c, unsigned int cpus, const char *pin)
{
	char err[256];

	config_init(c);
	c->cpus = cpus;
	ck_assert_int_eq(rt_parse_pin(pin, c->pin, CONFIG_MAX_CPUS, err,
				      sizeof(err)), 0);
	c->pin_set = true;
}

START_TEST(host_cpu_checks)
{
	struct vm_config c;
	cpu_set_t allowed;
	char err[256] = "";

	rt_parse_cpulist("0-3", &allowed);
	pinned(&c, 2, "0=2,1=3");
	ck_assert_int_eq(rt_check_cpus(&c, &allowed, 4, err, sizeof(err)), 0);
	/* A CPU that does not exist. */
	pinned(&c, 2, "0=2,1=4");
	ck_assert_int_eq(rt_check_cpus(&c, &allowed, 4, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "host CPU 4 (vCPU 1) does not exist"));
	/* One that exists but sched_getaffinity does not allow. */
	rt_parse_cpulist("0-1", &allowed);
	pinned(&c, 2, "0=1,1=2");
	ck_assert_int_eq(rt_check_cpus(&c, &allowed, 4, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "host CPU 2 (vCPU 1) is not in this process's allowed CPUs (0-1)"));
	/* --io-cpus: must be allowed too, and off the vCPUs' CPUs. */
	rt_parse_cpulist("0-3", &allowed);
	pinned(&c, 1, "0=1");
	rt_parse_cpulist("0", &c.io_cpus);
	c.io_cpus_set = true;
	ck_assert_int_eq(rt_check_cpus(&c, &allowed, 4, err, sizeof(err)), 0);
	rt_parse_cpulist("0-1", &c.io_cpus);
	ck_assert_int_eq(rt_check_cpus(&c, &allowed, 4, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "host CPU 1 is vCPU 0's"));
	rt_parse_cpulist("7", &c.io_cpus);
	ck_assert_int_eq(rt_check_cpus(&c, &allowed, 4, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "--io-cpus: host CPU 7 does not exist"));
	rt_parse_cpulist("3", &allowed);
	rt_parse_cpulist("2", &c.io_cpus);
	pinned(&c, 1, "0=3");
	c.io_cpus_set = true;
	rt_parse_cpulist("2", &c.io_cpus);
	ck_assert_int_eq(rt_check_cpus(&c, &allowed, 4, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "--io-cpus: host CPU 2 is not in this process's allowed CPUs (3)"));
	/* A pin beyond --cpus. */
	pinned(&c, 1, "0=0,1=1");
	rt_parse_cpulist("0-3", &allowed);
	ck_assert_int_eq(rt_check_cpus(&c, &allowed, 4, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "vCPU 1 does not exist (--cpus 1)"));
}
END_TEST

START_TEST(privilege)
{
	struct vm_config c;
	char err[256] = "";

	config_init(&c);
	ck_assert_int_eq(rt_check_privilege(&c, false, 0, err, sizeof(err)), 0);
	c.rt_policy = RT_POLICY_FIFO;
	c.rt_prio = 50;
	ck_assert_int_eq(rt_check_privilege(&c, true, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(rt_check_privilege(&c, false, 50, err, sizeof(err)), 0);
	ck_assert_int_eq(rt_check_privilege(&c, false, 49, err, sizeof(err)), -EPERM);
	ck_assert(strstr(err, "needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least 50 (it is 49"));
	ck_assert(!strchr(err, '\n'));

	ck_assert_int_eq(rt_status_has_cap("Name:\tx\nCapEff:\t0000000000800000\n", 23), 1);
	ck_assert_int_eq(rt_status_has_cap("CapInh:\t0\nCapEff:\t000001ff7f7fffff\n", 23), 0);
	ck_assert_int_eq(rt_status_has_cap("CapEff:\t000001ffffffffff", 23), 1);
	ck_assert_int_eq(rt_status_has_cap("CapPrm:\tffff\n", 23), -EINVAL);
	ck_assert_int_eq(rt_status_has_cap("CapEff:\tzz\n", 23), -EINVAL);
}
END_TEST

START_TEST(isolation)
{
	struct vm_config c;
	cpu_set_t bad;

	pinned(&c, 3, "0=1,1=2,2=3");
	rt_not_isolated(&c, "1\n", "3\n", &bad);
	ck_assert_str_eq(fmt(&bad), "2");
	rt_not_isolated(&c, "\n", NULL, &bad);
	ck_assert_str_eq(fmt(&bad), "1-3");
	rt_not_isolated(&c, "1-3\n", "", &bad);
	ck_assert_str_eq(fmt(&bad), "");
	rt_not_isolated(&c, "garbage", "(null)", &bad);
	ck_assert_str_eq(fmt(&bad), "1-3");
	config_init(&c);
	rt_not_isolated(&c, "", "", &bad);
	ck_assert_int_eq(CPU_COUNT(&bad), 0);
}
END_TEST

static int parse(struct vm_config *c, char *err, int argc, char **argv)
{
	config_init(c);
	return config_parse_run(c, argc, argv, err, 256);
}

#define PARSE(c, err, ...)                                               \
	({                                                               \
		char *argv_[] = { __VA_ARGS__ };                         \
		parse(c, err, (int)(sizeof(argv_) / sizeof(argv_[0])), argv_); \
	})

START_TEST(rt_flags)
{
	struct vm_config c;
	char err[256] = "";

	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--cpus", "2", "--pin",
			       "0=2,1=3", "--rt", "fifo:70", "--io-cpus=0-1",
			       "--mlock", "--hugepages", "--cgroup", "rt/p0"),
			 0);
	ck_assert(c.pin_set);
	ck_assert_int_eq(c.pin[0], 2);
	ck_assert_int_eq(c.pin[1], 3);
	ck_assert_int_eq(c.rt_policy, RT_POLICY_FIFO);
	ck_assert_int_eq(c.rt_prio, 70);
	ck_assert(c.io_cpus_set);
	ck_assert_str_eq(fmt(&c.io_cpus), "0-1");
	ck_assert(c.mlock);
	ck_assert_int_eq(c.hugepages, MEM_PAGES_HUGETLB);
	ck_assert_str_eq(c.cgroup, "rt/p0");
	ck_assert(config_wants_disable_exits(&c));

	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--rt", "fifo",
			       "--no-disable-exits", "--hugepages=thp"), 0);
	ck_assert(!config_wants_disable_exits(&c));
	ck_assert_int_eq(c.hugepages, MEM_PAGES_THP);
	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k"), 0);
	ck_assert(!config_wants_disable_exits(&c));
	ck_assert(!c.pin_set);
	ck_assert_int_eq(c.pin[0], -1);
	ck_assert_int_eq(c.rt_policy, RT_POLICY_OTHER);
	ck_assert_int_eq(c.hugepages, MEM_PAGES_DEFAULT);
	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--hugepages=none"), 0);
	ck_assert_int_eq(c.hugepages, MEM_PAGES_SMALL);
	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--disable-exits"), 0);
	ck_assert(config_wants_disable_exits(&c));
	/* --pin before --cpus: checked once every flag is in. */
	ck_assert_int_eq(PARSE(&c, err, "--kernel", "k", "--pin", "1=1", "--cpus", "2"), 0);
}
END_TEST

static const struct {
	const char *args[6];
	int argc;
	const char *msg;
} bad_flags[] = {
	{ { "--kernel", "k", "--pin", "1=1" }, 4, "vCPU 1 does not exist (--cpus 1)" },
	{ { "--kernel", "k", "--pin", "0=1,0=2" }, 4, "pinned twice" },
	{ { "--kernel", "k", "--rt", "rr" }, 4, "--rt" },
	{ { "--kernel", "k", "--io-cpus", "x" }, 4, "--io-cpus: 'x' is not a CPU list" },
	{ { "--kernel", "k", "--hugepages=1G" }, 3, "--hugepages: '1G'" },
	{ { "--kernel", "k", "--hugepages", "--memory", "3M" }, 5, "multiple of 2M" },
	{ { "--kernel", "k", "--mlock=yes" }, 3, "takes no value" },
	{ { "--kernel", "k", "--cgroup", "" }, 4, "--cgroup: empty path" },
	{ { "--kernel", "k", "--config", "" }, 4, "--config: empty path" },
};

START_TEST(bad_rt_flags)
{
	struct vm_config c;
	char err[256] = "";

	config_init(&c);
	ck_assert_int_eq(config_parse_run(&c, bad_flags[_i].argc,
					  (char *const *)bad_flags[_i].args,
					  err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad_flags[_i].msg), "case %d: '%s' lacks '%s'",
		      _i, err, bad_flags[_i].msg);
}
END_TEST

START_TEST(partition_file)
{
	char text[] = "# a real-time partition\n"
		      "kernel = guests/rtprobe.elf\n"
		      "  memory=32M   # trailing comment\n"
		      "\n"
		      "cpus = 2\r\n"
		      "pin = 0=1,1=0\n"
		      "rt = fifo:60\n"
		      "mlock\n"
		      "stats = no\n"
		      "verbose = yes\n"
		      "hugepages = thp\n"
		      "cmdline = \"rtprobe.period_us=500 quiet\"\n"
		      "name = rt0";
	char *argv[] = { "--config", "p.conf", "--memory", "64M", "--rt", "fifo:80" };
	struct vm_config c;
	char err[256] = "";

	config_init(&c);
	ck_assert_int_eq(config_parse_file(&c, text, "p.conf", err, sizeof(err)), 0);
	ck_assert_str_eq(c.kernel, "guests/rtprobe.elf");
	ck_assert_uint_eq(c.mem_size, 32ULL << 20);
	ck_assert_uint_eq(c.cpus, 2);
	ck_assert_int_eq(c.pin[0], 1);
	ck_assert_int_eq(c.pin[1], 0);
	ck_assert_int_eq(c.rt_prio, 60);
	ck_assert(c.mlock);
	ck_assert(!c.stats);
	ck_assert(c.verbose);
	ck_assert_int_eq(c.hugepages, MEM_PAGES_THP);
	ck_assert_str_eq(c.cmdline, "rtprobe.period_us=500 quiet");
	ck_assert_str_eq(c.name, "rt0");
	/* The command line overrides the file. */
	ck_assert_ptr_nonnull(config_find_file(6, argv));
	ck_assert_str_eq(config_find_file(6, argv), "p.conf");
	ck_assert_int_eq(config_parse_run(&c, 6, argv, err, sizeof(err)), 0);
	ck_assert_uint_eq(c.mem_size, 64ULL << 20);
	ck_assert_int_eq(c.rt_prio, 80);
	ck_assert_str_eq(c.kernel, "guests/rtprobe.elf");
	ck_assert_str_eq(c.config_file, "p.conf");
}
END_TEST

START_TEST(find_file)
{
	char *a[] = { "--kernel", "k", "--config=a.conf", "--config", "b.conf" };
	char *b[] = { "--kernel", "k", "--config" };

	ck_assert_str_eq(config_find_file(5, a), "b.conf");
	ck_assert_str_eq(config_find_file(3, a), "a.conf");
	ck_assert_ptr_null(config_find_file(2, a));
	ck_assert_ptr_null(config_find_file(3, b));
}
END_TEST

static const struct {
	const char *text;
	const char *msg;
} bad_files[] = {
	{ "kernel = k\nbogus = 1\n", "p.conf:2: unknown key 'bogus'" },
	{ "memory = lots", "p.conf:1: --memory: 'lots' is not a size" },
	{ "kernel\n", "p.conf:1: kernel needs '= value'" },
	{ "mlock = maybe", "p.conf:1: mlock takes yes or no, not 'maybe'" },
	{ "config = other.conf", "unknown key 'config'" },
	{ "help", "unknown key 'help'" },
	{ "= 5", "p.conf:1: not a 'key = value' line" },
	{ "--memory = 64M", "p.conf:1: not a 'key = value' line" },
	/* Not a partition file: its content is never echoed back. */
	{ "root:$y$j9T$secret:19000:0:99999:7:::", "p.conf:1: not a 'key = value' line (is this a partition file?)" },
	{ "memory = 64M\nPASSWORD=hunter2", "p.conf:2: not a 'key = value' line" },
	{ "Memory = 64M", "p.conf:1: not a 'key = value' line" },
	{ "\n\n# x\npin = 0=1,0=2", "p.conf:4: --pin: vCPU 0 is pinned twice" },
};

START_TEST(bad_file)
{
	struct vm_config c;
	char text[128], err[256] = "";

	snprintf(text, sizeof(text), "%s", bad_files[_i].text);
	config_init(&c);
	ck_assert_int_eq(config_parse_file(&c, text, "p.conf", err, sizeof(err)),
			 -EINVAL);
	ck_assert_msg(strstr(err, bad_files[_i].msg), "case %d: '%s' lacks '%s'",
		      _i, err, bad_files[_i].msg);
	ck_assert(!strchr(err, '\n'));
	ck_assert(!strstr(err, "secret") && !strstr(err, "hunter2"));
}
END_TEST

static const struct {
	const char *path;
	bool v2;
	const char *file;
} mem_files[] = {
	{ "rt/p0", true, "/R/rt/p0/memory.max" },
	{ "/x/y", true, "/x/y/memory.max" },
	{ "rt/p0", false, "/R/memory/rt/p0/memory.limit_in_bytes" },
	{ "/R/cpuset/rt/p0", false, "/R/memory/rt/p0/memory.limit_in_bytes" },
	{ "/R/cpu,cpuacct/a", false, "/R/memory/a/memory.limit_in_bytes" },
	{ "/R/memory/a", false, "/R/memory/a/memory.limit_in_bytes" },
	{ "/Rx/a", false, "/Rx/a/memory.limit_in_bytes" },
	{ "/other/a", false, "/other/a/memory.limit_in_bytes" },
};

START_TEST(cgroup_mem_file)
{
	char f[PATH_MAX], small[8];

	ck_assert_int_eq(rt_cgroup_mem_file("/R", mem_files[_i].path,
					    mem_files[_i].v2, f, sizeof(f)), 0);
	ck_assert_str_eq(f, mem_files[_i].file);
	ck_assert_int_eq(rt_cgroup_mem_file("/R", mem_files[_i].path,
					    mem_files[_i].v2, small, sizeof(small)),
			 -ENAMETOOLONG);
}
END_TEST

START_TEST(cgroup_mem_root_group)
{
	char f[PATH_MAX], err[64] = "";

	ck_assert_int_eq(rt_cgroup_mem_file("/R", "/R/cpuset", false, f, sizeof(f)),
			 -ENOENT);
	ck_assert_int_eq(rt_cgroup_mem_file("/R", "/R/cpuset/", false, f, sizeof(f)),
			 -ENOENT);
	ck_assert_int_eq(rt_cgroup_set_memory("/R", "/R/cpuset", false, 4096, err,
					      sizeof(err)), 1);
	ck_assert_str_eq(err, "");
}
END_TEST

/* A fake /sys/fs/cgroup in a temporary directory. */
static char cg_root[64];

static void cg_mkdir(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", cg_root, rel);
	ck_assert_int_eq(mkdir(p, 0700), 0);
}

static void cg_touch(const char *rel, mode_t mode)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", cg_root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ck_assert_int_ge(fd, 0);
	close(fd);
}

static const char *cg_read(const char *rel)
{
	static char buf[64];
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "%s/%s", cg_root, rel);
	fd = open(p, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void cg_setup(void)
{
	snprintf(cg_root, sizeof(cg_root), "/tmp/tessera-cg.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(cg_root));
}

static void cg_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cg_root);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(cgroup_mem_v2)
{
	uint64_t limit = (256ULL << 20) + PREFLIGHT_MONITOR_OVERHEAD;
	char err[256] = "", abs[PATH_MAX];

	cg_mkdir("p0");
	/* No memory.max: the controller is not enabled; a warning, no error. */
	ck_assert_int_eq(rt_cgroup_set_memory(cg_root, "p0", true, limit, err,
					      sizeof(err)), 1);
	ck_assert_str_eq(err, "");
	cg_touch("p0/memory.max", 0600);
	cg_touch("p0/memory.swap.max", 0600);
	ck_assert_int_eq(rt_cgroup_set_memory(cg_root, "p0", true, limit, err,
					      sizeof(err)), 0);
	ck_assert_str_eq(cg_read("p0/memory.max"), "301989888\n");
	ck_assert_str_eq(cg_read("p0/memory.swap.max"), "");
	/* An absolute path is used as it is. */
	cg_touch("p0/memory.max", 0600);
	snprintf(abs, sizeof(abs), "%s/p0", cg_root);
	ck_assert_int_eq(rt_cgroup_set_memory("/nonexistent", abs, true, 4096,
					      err, sizeof(err)), 0);
	ck_assert_str_eq(cg_read("p0/memory.max"), "4096\n");
}
END_TEST

START_TEST(cgroup_mem_v1)
{
	char err[256] = "", abs[PATH_MAX];

	cg_mkdir("cpuset");
	cg_mkdir("cpuset/rt");
	/* No memory hierarchy mounted: a warning. */
	ck_assert_int_eq(rt_cgroup_set_memory(cg_root, "rt", false, 1 << 20,
					      err, sizeof(err)), 1);
	cg_mkdir("memory");
	/* Mounted, but the group is not in it: a warning. */
	ck_assert_int_eq(rt_cgroup_set_memory(cg_root, "rt", false, 1 << 20,
					      err, sizeof(err)), 1);
	ck_assert_str_eq(err, "");
	cg_mkdir("memory/rt");
	cg_touch("memory/rt/memory.limit_in_bytes", 0600);
	ck_assert_int_eq(rt_cgroup_set_memory(cg_root, "rt", false, 1 << 20,
					      err, sizeof(err)), 0);
	ck_assert_str_eq(cg_read("memory/rt/memory.limit_in_bytes"), "1048576\n");
	/* The cpuset group's absolute path maps to the memory hierarchy. */
	snprintf(abs, sizeof(abs), "%s/cpuset/rt", cg_root);
	ck_assert_int_eq(rt_cgroup_set_memory(cg_root, abs, false, 8192, err,
					      sizeof(err)), 0);
	ck_assert_str_eq(cg_read("memory/rt/memory.limit_in_bytes"), "8192\n");
}
END_TEST

START_TEST(cgroup_mem_refused)
{
	char err[256] = "", link[PATH_MAX];

	cg_mkdir("p0");
	if (geteuid() != 0) {
		/* Unwritable without root: a warning, not an error. */
		cg_touch("p0/memory.max", 0400);
		ck_assert_int_eq(rt_cgroup_set_memory(cg_root, "p0", true, 4096,
						      err, sizeof(err)), 1);
		ck_assert_str_eq(err, "");
	}
	/* A file that is there but refuses the value (/dev/full: ENOSPC). */
	cg_mkdir("p1");
	snprintf(link, sizeof(link), "%s/p1/memory.max", cg_root);
	ck_assert_int_eq(symlink("/dev/full", link), 0);
	ck_assert_int_eq(rt_cgroup_set_memory(cg_root, "p1", true, 4096, err,
					      sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "refuses 4096 bytes"), "%s", err);
	ck_assert(!strchr(err, '\n'));
}
END_TEST

Suite *rt_suite(void)
{
	Suite *s = suite_create("rt");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, cpulists);
	tcase_add_test(tc, pins);
	tcase_add_loop_test(tc, bad_pin, 0, sizeof(bad_pins) / sizeof(bad_pins[0]));
	tcase_add_test(tc, policies);
	tcase_add_test(tc, host_cpu_checks);
	tcase_add_test(tc, privilege);
	tcase_add_test(tc, isolation);
	tcase_add_test(tc, rt_flags);
	tcase_add_loop_test(tc, bad_rt_flags, 0,
			    sizeof(bad_flags) / sizeof(bad_flags[0]));
	tcase_add_test(tc, partition_file);
	tcase_add_test(tc, find_file);
	tcase_add_loop_test(tc, bad_file, 0, sizeof(bad_files) / sizeof(bad_files[0]));
	suite_add_tcase(s, tc);
	tc = tcase_create("cgroup_memory");
	tcase_add_loop_test(tc, cgroup_mem_file, 0,
			    sizeof(mem_files) / sizeof(mem_files[0]));
	tcase_add_test(tc, cgroup_mem_root_group);
	tcase_add_checked_fixture(tc, cg_setup, cg_teardown);
	tcase_add_test(tc, cgroup_mem_v2);
	tcase_add_test(tc, cgroup_mem_v1);
	tcase_add_test(tc, cgroup_mem_refused);
	suite_add_tcase(s, tc);
	return s;
}
