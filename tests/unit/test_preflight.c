// SPDX-License-Identifier: GPL-2.0
/* The preflight's pure parts (vmm/preflight.h) and log_escape (vmm/log.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "preflight.h"
#include "stop.h"
#include "suites.h"
#include "virtio/blk.h"
#include "virtio/net.h"

static const char meminfo[] =
	"MemTotal:       24683568 kB\n"
	"MemFree:        20000000 kB\n"
	"MemAvailable:    1048576 kB\n"
	"SwapFree:         524288 kB\n"
	"CommitLimit:     2097152 kB\n"
	"Committed_AS:    1572864 kB\n"
	"HugePages_Total:      64\n"
	"HugePages_Free:       32\n"
	"Hugepagesize:       2048 kB\n";

static void host(struct preflight_host *h)
{
	memset(h, 0, sizeof(*h));
	h->memlock_limit = UINT64_MAX;
	ck_assert_int_eq(preflight_parse_meminfo(meminfo, h), 0);
}

START_TEST(parses_meminfo)
{
	struct preflight_host h;

	host(&h);
	ck_assert_uint_eq(h.mem_available, 1ULL << 30);
	ck_assert_uint_eq(h.swap_free, 512ULL << 20);
	ck_assert_uint_eq(h.commit_limit, 2ULL << 30);
	ck_assert_uint_eq(h.committed_as, 1536ULL << 20);
	ck_assert_uint_eq(h.hugepages_free, 32);
	ck_assert_uint_eq(h.hugepage_size, 2ULL << 20);
	ck_assert_int_eq(preflight_parse_meminfo("MemAvailable: 5 kB\n", &h), -EINVAL);
}
END_TEST

static int check(struct preflight_host *h, uint64_t mem, bool mlock,
		 bool overcommit, enum mem_pages pages, char *err)
{
	struct vm_config c;

	config_init(&c);
	c.mem_size = mem;
	c.mlock = mlock;
	c.memory_overcommit = overcommit;
	c.hugepages = pages;
	err[0] = '\0';
	return preflight_check_memory(&c, h, err, 256);
}

/*
 * What the monitor needs beside guest RAM with one vCPU and no device: its
 * overhead, the vCPU thread's stack and arena, the signal thread's stack
 * (48.25 MiB).
 */
#define MONITOR_1CPU (PREFLIGHT_MONITOR_OVERHEAD + 2 * PREFLIGHT_THREAD_STACK + \
		      PREFLIGHT_VCPU_ARENA)
/* The most guest RAM, in whole MiB, that fits in avail beside it. */
#define FITS(avail) (((avail) - MONITOR_1CPU) & ~((1ULL << 20) - 1))

START_TEST(memory_limits)
{
	struct preflight_host h;
	char err[256];

	ck_assert_uint_eq(FITS(512ULL << 20), 463ULL << 20);
	host(&h);
	/* Without --mlock: MemAvailable + SwapFree (1.5G) less the monitor's 48.25M. */
	ck_assert_int_eq(check(&h, 1024ULL << 20, false, false, MEM_PAGES_DEFAULT, err), 0);
	ck_assert_int_eq(check(&h, 1510ULL << 20, false, false, MEM_PAGES_DEFAULT, err), -ENOMEM);
	ck_assert_msg(strstr(err, "--memory 1510M: the host can give 1536 MiB now (MemAvailable + SwapFree)"), "%s", err);
	ck_assert(strstr(err, "--memory-overcommit"));
	ck_assert_int_eq(check(&h, 512ULL << 30, false, true, MEM_PAGES_DEFAULT, err), 0);
	/* Strict overcommit: CommitLimit - Committed_AS = 512M. */
	h.overcommit = 2;
	ck_assert_int_eq(check(&h, FITS(512ULL << 20), false, false, MEM_PAGES_DEFAULT, err), 0);
	ck_assert_int_eq(check(&h, FITS(512ULL << 20) + (1ULL << 20), false, false, MEM_PAGES_DEFAULT, err), -ENOMEM);
	ck_assert_msg(strstr(err, "CommitLimit - Committed_AS"), "%s", err);
	h.committed_as = h.commit_limit + 1; /* over the limit already */
	ck_assert_int_eq(check(&h, 2ULL << 20, false, false, MEM_PAGES_DEFAULT, err), -ENOMEM);
	/* --mlock: MemAvailable alone, and no override. */
	host(&h);
	ck_assert_int_eq(check(&h, FITS(1ULL << 30), true, false, MEM_PAGES_DEFAULT, err), 0);
	ck_assert_int_eq(check(&h, FITS(1ULL << 30) + (1ULL << 20), true, false, MEM_PAGES_DEFAULT, err), -ENOMEM);
	ck_assert_int_eq(check(&h, 1ULL << 30, true, true, MEM_PAGES_DEFAULT, err), -ENOMEM);
	ck_assert_msg(strstr(err, "--memory 1G --mlock: the host has 1024 MiB available"), "%s", err);
	/* --mlock: RLIMIT_MEMLOCK, unless CAP_IPC_LOCK. */
	h.memlock_limit = 64ULL << 20;
	ck_assert_int_eq(check(&h, 64ULL << 20, true, false, MEM_PAGES_DEFAULT, err), -EPERM);
	ck_assert_msg(strstr(err, "RLIMIT_MEMLOCK is 65536 KiB"), "%s", err);
	h.cap_ipc_lock = true;
	ck_assert_int_eq(check(&h, 64ULL << 20, true, false, MEM_PAGES_DEFAULT, err), 0);
	/* --hugepages: the pool (32 x 2M), whatever MemAvailable says. */
	ck_assert_int_eq(check(&h, 64ULL << 20, false, false, MEM_PAGES_HUGETLB, err), 0);
	ck_assert_int_eq(check(&h, 66ULL << 20, false, false, MEM_PAGES_HUGETLB, err), -ENOMEM);
	ck_assert_msg(strstr(err, "--hugepages: cannot map 66 MiB of huge pages: 32 free"), "%s", err);
	ck_assert(!strchr(err, '\n'));
}
END_TEST

/*
 * Each device's buffers and thread stacks count, direct=on's bounce
 * buffers too, in the need the memory check (and the --cgroup limit)
 * uses: a host that fits the bare partition refuses it with the disks.
 */
START_TEST(memory_counts_devices)
{
	const uint64_t bounce = (uint64_t)(VBLK_WORKERS + 1) * VBLK_BOUNCE_SIZE;
	struct preflight_host h;
	struct vm_config c;
	uint64_t bare, one, direct;
	char err[256];

	config_init(&c);
	c.mem_size = 256ULL << 20;
	bare = preflight_memory_need(&c);
	ck_assert_uint_eq(bare, c.mem_size + MONITOR_1CPU);
	c.ndisks = 1;
	one = preflight_memory_need(&c);
	/* The workers' and the I/O thread's stacks at least. */
	ck_assert_uint_ge(one - bare, VBLK_WORKERS * VBLK_WORKER_STACK + IOTHREAD_STACK);
	c.disk[0].direct = true;
	direct = preflight_memory_need(&c);
	ck_assert_uint_eq(direct - one, bounce);
	c.ndisks = 2;
	ck_assert_uint_eq(preflight_memory_need(&c), direct + (one - bare));
	c.nnics = 1;
	ck_assert_uint_ge(preflight_memory_need(&c) - direct - (one - bare),
			  VNET_RX_BUF + IOTHREAD_STACK);

	/* --mlock with exactly the bare need available: a direct disk fails. */
	host(&h);
	h.mem_available = bare;
	c.mlock = true;
	c.ndisks = c.nnics = 0;
	err[0] = '\0';
	ck_assert_int_eq(preflight_check_memory(&c, &h, err, sizeof(err)), 0);
	c.ndisks = 1;
	ck_assert_int_eq(preflight_check_memory(&c, &h, err, sizeof(err)), -ENOMEM);
	ck_assert_msg(strstr(err, "the monitor need"), "%s", err);
	/* And without --mlock, MemAvailable + SwapFree just short of a direct disk. */
	c.mlock = false;
	h.mem_available = direct - 1 - h.swap_free;
	ck_assert_int_eq(preflight_check_memory(&c, &h, err, sizeof(err)), -ENOMEM);
	c.disk[0].direct = false;
	ck_assert_int_eq(preflight_check_memory(&c, &h, err, sizeof(err)), 0);
}
END_TEST

/*
 * Each vCPU thread's stack and malloc arena count, and the gdb stub's
 * thread with --gdb: a host that fits one vCPU refuses eight.
 */
START_TEST(memory_counts_threads)
{
	const uint64_t vcpu = PREFLIGHT_THREAD_STACK + PREFLIGHT_VCPU_ARENA;
	struct preflight_host h;
	struct vm_config c;
	uint64_t one;
	struct rlimit rl;
	pthread_attr_t a;
	size_t stack;
	char err[256];

	config_init(&c);
	c.mem_size = 256ULL << 20;
	one = preflight_memory_need(&c);
	c.cpus = 8;
	ck_assert_uint_eq(preflight_memory_need(&c), one + 7 * vcpu);
	c.gdb = true;
	ck_assert_uint_eq(preflight_memory_need(&c), one + 7 * vcpu + PREFLIGHT_THREAD_STACK);
	c.gdb = false;
	host(&h);
	h.mem_available = one;
	c.mlock = true;
	c.cpus = 1;
	ck_assert_int_eq(preflight_check_memory(&c, &h, err, sizeof(err)), 0);
	c.cpus = 8;
	ck_assert_int_eq(preflight_check_memory(&c, &h, err, sizeof(err)), -ENOMEM);
	ck_assert_msg(strstr(err, "the monitor need"), "%s", err);

	/*
	 * The figure is glibc's real default (the threads set no size) where
	 * RLIMIT_STACK is at most 8 MiB (Debian's default; unlimited gives 2
	 * MiB on x86_64).
	 */
	ck_assert_int_eq(getrlimit(RLIMIT_STACK, &rl), 0);
	ck_assert_int_eq(pthread_getattr_default_np(&a), 0);
	ck_assert_int_eq(pthread_attr_getstacksize(&a, &stack), 0);
	pthread_attr_destroy(&a);
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= PREFLIGHT_THREAD_STACK)
		ck_assert_uint_le(stack, PREFLIGHT_THREAD_STACK);
	ck_assert_uint_ge(PREFLIGHT_THREAD_STACK, IOTHREAD_STACK);
}
END_TEST

/* Parses spec as --gdb does and checks it. */
static int check_gdb(const char *spec, char err[static 256])
{
	struct gdb_endpoint ep;

	if (!spec)
		return preflight_check_gdb(NULL, err, 256);
	ck_assert_int_eq(config_parse_gdb_endpoint(spec, &ep), 0);
	return preflight_check_gdb(&ep, err, 256);
}

START_TEST(gdb_addresses)
{
	char err[256] = "";

	ck_assert_int_eq(check_gdb("tcp:256.1.1.1:0", err), -EINVAL);
	ck_assert_msg(strstr(err, "'256.1.1.1' is not an IP address"), "%s", err);
	ck_assert_int_eq(check_gdb("tcp:[::1::2]:0", err), -EINVAL);
	ck_assert_int_eq(check_gdb("tcp:1.2.3:0", err), 0); /* inet_aton's 1.2.0.3 */
	ck_assert_int_eq(check_gdb("tcp:127.0.0.1:0", err), 0);
	ck_assert_int_eq(check_gdb("tcp:[::1]:1234", err), 0);
	ck_assert_int_eq(check_gdb("tcp::1234", err), 0);
	ck_assert_int_eq(check_gdb("unix:/x/y", err), 0);
	ck_assert_int_eq(check_gdb(NULL, err), 0);
}
END_TEST

/* Only regular files; a FIFO without a writer must not block the open. */
START_TEST(regular_files_only)
{
	char dir[] = "/tmp/tessera-unit.XXXXXX", path[64], err[256];
	struct stat st;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(preflight_open_regular("--kernel", path, O_RDONLY, &st, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "is a FIFO, not a regular file"), "%s", err);
	ck_assert_int_eq(preflight_open_regular("--kernel", dir, O_RDONLY, &st, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "is a directory"), "%s", err);
	ck_assert_int_eq(preflight_open_regular("--initrd", "/dev/null", O_RDONLY, &st, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, "'/dev/null' is a character device"), "%s", err);
	unlink(path);
	snprintf(path, sizeof(path), "%s/none", dir);
	ck_assert_int_eq(preflight_open_regular("--kernel", path, O_RDONLY, &st, err, sizeof(err)), -ENOENT);
	ck_assert_msg(strstr(err, "--kernel: cannot read"), "%s", err);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "kernel = k\n", 11), 11);
	close(fd);
	fd = preflight_open_regular("--kernel", path, O_RDONLY, &st, err, sizeof(err));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	ck_assert_int_eq(st.st_size, 11);
	close(fd);
	unlink(path);
	rmdir(dir);
	ck_assert_str_eq(preflight_file_type(S_IFBLK), "a block device");
	ck_assert_str_eq(preflight_file_type(S_IFSOCK), "a socket");
}
END_TEST

/* Partition files: text only, the reason names where, never what. */
START_TEST(partition_file_text)
{
	static const char nul[] = "kernel = k\0memory = 1G\n";
	char dir[] = "/tmp/tessera-unit.XXXXXX", path[64], err[256], *text;
	int fd;

	ck_assert_int_eq(config_check_text("a = b\n\tc\r\n", 10, "f", err, sizeof(err)), 0);
	ck_assert_int_eq(config_check_text(nul, sizeof(nul) - 1, "f", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "f: a NUL byte at offset 10: a partition file is text");
	ck_assert_int_eq(config_check_text("a\nb\x1b[2J", 7, "f", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "f:2: control byte 0x1b: a partition file is text");
	ck_assert_int_eq(config_check_text("\x7f", 1, "f", err, sizeof(err)), -EINVAL);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/p.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, nul, sizeof(nul) - 1), (ssize_t)sizeof(nul) - 1);
	close(fd);
	ck_assert_int_eq(config_read_file(path, &text, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(text);
	ck_assert(strstr(err, "a NUL byte at offset 10"));
	ck_assert(!strstr(err, "memory"));
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, "kernel = k\n", 11), 11);
	close(fd);
	ck_assert_int_eq(config_read_file(path, &text, err, sizeof(err)), 0);
	ck_assert_str_eq(text, "kernel = k\n");
	free(text);
	ck_assert_int_eq(config_read_file(dir, &text, err, sizeof(err)), -EINVAL);
	ck_assert(strstr(err, "is a directory"));
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(escapes)
{
	char out[64], tiny[6];

	ck_assert_str_eq(log_escape(out, sizeof(out), "plain text: 'ok'"), "plain text: 'ok'");
	ck_assert_str_eq(log_escape(out, sizeof(out), "a\nb\tc\rd"), "a\\nb\\tc\\rd");
	ck_assert_str_eq(log_escape(out, sizeof(out), "\x1b[31mred\x7f"), "\\x1b[31mred\\x7f");
	/* UTF-8 passes; a C1 control (CSI as U+009B), a stray byte do not. */
	ck_assert_str_eq(log_escape(out, sizeof(out), "caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
	ck_assert_str_eq(log_escape(out, sizeof(out), "\xc2\x9b" "2J"), "\\xc2\\x9b2J");
	ck_assert_str_eq(log_escape(out, sizeof(out), "\x9b\xff\xe2\x82"), "\\x9b\\xff\\xe2\\x82");
	/* Bounded: an escape is never cut in half. */
	ck_assert_str_eq(log_escape(tiny, sizeof(tiny), "abcd\n"), "abcd");
	ck_assert_str_eq(log_escape(tiny, sizeof(tiny), "a\x01"), "a\\x01");
	ck_assert_str_eq(log_escape(tiny, sizeof(tiny), "abc\x01"), "abc");
	ck_assert_ptr_eq(log_escape(tiny, 0, "x"), tiny);
}
END_TEST

START_TEST(disk_named_twice)
{
	struct disk_config d[3];
	struct stat st[3];
	char err[512];

	memset(d, 0, sizeof(d));
	memset(st, 0, sizeof(st));
	for (int i = 0; i < 3; i++) {
		snprintf(d[i].path, sizeof(d[i].path), "/d%d", i);
		st[i].st_mode = S_IFREG | 0644;
		st[i].st_dev = 8;
		st[i].st_ino = 100 + (ino_t)i;
	}
	ck_assert_int_eq(preflight_check_disk_twice(d, st, 3, err, sizeof(err)), 0);
	/* The same inode by two names: named twice, with both names. */
	st[2].st_ino = 100;
	ck_assert_int_eq(preflight_check_disk_twice(d, st, 3, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "named twice"));
	ck_assert_ptr_nonnull(strstr(err, "'/d0' and '/d2'"));
	/* Read-only on both sides may share; one writer may not. */
	d[0].ro = d[2].ro = true;
	ck_assert_int_eq(preflight_check_disk_twice(d, st, 3, err, sizeof(err)), 0);
	d[2].ro = false;
	ck_assert_int_eq(preflight_check_disk_twice(d, st, 3, err, sizeof(err)), -EINVAL);
	/* Same inode number on another file system: another file. */
	st[2].st_dev = 9;
	ck_assert_int_eq(preflight_check_disk_twice(d, st, 3, err, sizeof(err)), 0);
	/* Block devices compare by device number, not by their node's inode. */
	st[1].st_mode = st[2].st_mode = S_IFBLK | 0660;
	st[1].st_rdev = st[2].st_rdev = 0x800;
	ck_assert_int_eq(preflight_check_disk_twice(d, st, 3, err, sizeof(err)), -EINVAL);
	st[2].st_rdev = 0x801;
	ck_assert_int_eq(preflight_check_disk_twice(d, st, 3, err, sizeof(err)), 0);
	ck_assert_int_eq(preflight_check_disk_twice(d, st, 0, err, sizeof(err)), 0);
}
END_TEST

START_TEST(stop_lines)
{
	char line[256];

	ck_assert_str_eq(stop_format_line(line, sizeof(line), 15,
					  "opening --kernel '/mnt/k'", false, 0),
			 "tessera: stopped by SIGTERM while opening --kernel '/mnt/k'\n");
	ck_assert_str_eq(stop_format_line(line, sizeof(line), 2,
					  "waiting for vCPU 1 to stop", true, 1000),
			 "tessera: SIGINT: still waiting for vCPU 1 to stop after 1000 ms; exiting anyway\n");
	/* What comes from the user is escaped: one line, whatever the path. */
	ck_assert_str_eq(stop_format_line(line, sizeof(line), 1, "reading 'a\nb'", false, 0),
			 "tessera: stopped by SIGHUP while reading 'a\\nb'\n");
	ck_assert_str_eq(stop_format_line(line, sizeof(line), 15, "", false, 0),
			 "tessera: stopped by SIGTERM while starting\n");
	stop_format_line(line, 16, 15, "a long phase name that does not fit", true, 1);
	ck_assert_uint_eq(strlen(line), 15);
}
END_TEST

Suite *preflight_suite(void)
{
	Suite *s = suite_create("preflight");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, parses_meminfo);
	tcase_add_test(tc, memory_limits);
	tcase_add_test(tc, memory_counts_devices);
	tcase_add_test(tc, memory_counts_threads);
	tcase_add_test(tc, gdb_addresses);
	tcase_add_test(tc, regular_files_only);
	tcase_add_test(tc, partition_file_text);
	tcase_add_test(tc, escapes);
	tcase_add_test(tc, disk_named_twice);
	tcase_add_test(tc, stop_lines);
	suite_add_tcase(s, tc);
	return s;
}
