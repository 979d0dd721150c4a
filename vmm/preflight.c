// SPDX-License-Identifier: GPL-2.0
/* Checks of every user-named resource before anything is built (preflight.h). */
#include "preflight.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "rt.h"
#include "stop.h"
#include "virtio/blk.h"
#include "virtio/net.h"

#define CAP_IPC_LOCK_BIT 14 /* linux/capability.h: CAP_IPC_LOCK */

void preflight_init(struct preflight *pf)
{
	memset(pf, 0, sizeof(*pf));
	pf->serial_fd = pf->dump_fd = -1;
}

void preflight_close(struct preflight *pf)
{
	if (pf->serial_fd >= 0)
		close(pf->serial_fd);
	if (pf->dump_fd >= 0)
		close(pf->dump_fd);
	preflight_init(pf);
}

const char *preflight_file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return "a regular file";
	case S_IFDIR:
		return "a directory";
	case S_IFIFO:
		return "a FIFO";
	case S_IFCHR:
		return "a character device";
	case S_IFBLK:
		return "a block device";
	case S_IFSOCK:
		return "a socket";
	case S_IFLNK:
		return "a symbolic link";
	}
	return "not a file";
}

/* Drops O_NONBLOCK again: the fd's later users expect blocking I/O. */
static int set_blocking(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int preflight_open_regular(const char *what, const char *path, int flags,
			   struct stat *st, char *err, size_t errlen)
{
	int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, 0644);
	int e;

	if (fd < 0)
		return err_printf(err, errlen, -errno, "%s: cannot %s '%s': %s",
				  what,
				  (flags & O_ACCMODE) == O_RDONLY ? "read" : "open",
				  path, strerror(errno));
	if (fstat(fd, st) < 0) {
		e = errno;
		close(fd);
		return err_printf(err, errlen, -e, "%s: cannot stat '%s': %s",
				  what, path, strerror(e));
	}
	if (!S_ISREG(st->st_mode)) {
		close(fd);
		return err_printf(err, errlen, -EINVAL,
				  "%s: '%s' is %s, not a regular file", what, path,
				  preflight_file_type(st->st_mode));
	}
	e = set_blocking(fd);
	if (e) {
		close(fd);
		return err_printf(err, errlen, e, "%s: '%s': fcntl: %s", what,
				  path, strerror(-e));
	}
	return fd;
}

/* The kernel and initrd: readable regular files (the loader reads them later). */
static int check_image(const char *what, const char *path, char *err,
		       size_t errlen)
{
	struct stat st;
	int fd;

	if (!path)
		return 0;
	stop_phase("opening %s '%s'", what, path);
	fd = preflight_open_regular(what, path, O_RDONLY, &st, err, errlen);
	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

/* The identity of a disk: the block device itself, or the file's inode. */
static bool same_disk(const struct stat *a, const struct stat *b)
{
	if (S_ISBLK(a->st_mode) || S_ISBLK(b->st_mode))
		return S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode) &&
		       a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int preflight_check_disk_twice(const struct disk_config *disk,
			       const struct stat *st, unsigned int n, char *err,
			       size_t errlen)
{
	for (unsigned int i = 1; i < n; i++)
		for (unsigned int j = 0; j < i; j++) {
			if (!same_disk(&st[i], &st[j]))
				continue;
			if (disk[i].ro && disk[j].ro)
				continue; /* shared read-only: both may read */
			return err_printf(err, errlen, -EINVAL,
					  "--disk: '%s' and '%s' are the same disk, named twice (disks %u and %u); only read-only disks may be shared",
					  disk[j].path, disk[i].path, j, i);
		}
	return 0;
}

/*
 * Every --disk: a regular file or a block device (opened with O_NONBLOCK,
 * so a FIFO cannot block the monitor), and no disk named twice
 * writable (the disk's own lock would call that "in use by another
 * process"). The virtio-blk device opens the path again with its flags.
 */
static int check_disks(const struct vm_config *cfg, char *err, size_t errlen)
{
	struct stat st[CONFIG_MAX_DISKS];

	for (unsigned int i = 0; i < cfg->ndisks; i++) {
		const char *path = cfg->disk[i].path;
		int fd;

		stop_phase("opening --disk '%s'", path);
		fd = open(path, (cfg->disk[i].ro ? O_RDONLY : O_RDWR) |
					O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return err_printf(err, errlen, -errno,
					  "--disk: cannot open '%s'%s: %s", path,
					  cfg->disk[i].ro ? "" : " for writing",
					  strerror(errno));
		if (fstat(fd, &st[i]) < 0) {
			int e = errno;

			close(fd);
			return err_printf(err, errlen, -e,
					  "--disk: cannot stat '%s': %s", path,
					  strerror(e));
		}
		close(fd);
		if (!S_ISREG(st[i].st_mode) && !S_ISBLK(st[i].st_mode))
			return err_printf(err, errlen, -EINVAL,
					  "--disk: '%s' is %s, not a regular file or a block device",
					  path, preflight_file_type(st[i].st_mode));
	}
	return preflight_check_disk_twice(cfg->disk, st, cfg->ndisks, err,
					  errlen);
}

/* Names fd by a path that opens this very file, where /proc is mounted. */
static const char *fd_path(int fd, char *buf, size_t len, const char *fallback)
{
	if (access("/proc/self/fd", X_OK) < 0)
		return fallback;
	snprintf(buf, len, "/proc/self/fd/%d", fd);
	return buf;
}

/*
 * --serial file:PATH: a new file (O_EXCL, so an existing file, or a symlink
 * planted there, is never written through), or with ,append an existing
 * regular file, never through a symlink.
 */
static int open_serial(struct vm_config *cfg, struct preflight *pf, char *err,
		       size_t errlen)
{
	const char *path = cfg->serial_path;
	struct stat st;
	int fd;

	if (cfg->serial != SERIAL_FILE)
		return 0;
	stop_phase("opening --serial file:'%s'", path);
	if (cfg->serial_append) {
		fd = preflight_open_regular("--serial", path,
					    O_WRONLY | O_APPEND | O_NOFOLLOW, &st,
					    err, errlen);
		if (fd == -ELOOP)
			return err_printf(err, errlen, -ELOOP,
					  "--serial: '%s' is a symbolic link: refused",
					  path);
		if (fd < 0)
			return fd;
	} else {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
					O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
			  0644);
		if (fd < 0 && errno == EEXIST)
			return err_printf(err, errlen, -EEXIST,
					  "--serial: '%s' exists (file:%s,append appends to a regular file)",
					  path, path);
		if (fd < 0)
			return err_printf(err, errlen, -errno,
					  "--serial: cannot create '%s': %s", path,
					  strerror(errno));
		if (set_blocking(fd) < 0) {
			close(fd);
			unlink(path);
			return err_printf(err, errlen, -EIO,
					  "--serial: '%s': fcntl failed", path);
		}
	}
	pf->serial_fd = fd;
	cfg->serial_path = fd_path(fd, pf->serial_path, sizeof(pf->serial_path),
				   path);
	return 0;
}

/* --dump-dtb FILE: a file (created or truncated) or a pipe with a reader. */
static int open_dump(struct vm_config *cfg, struct preflight *pf, char *err,
		     size_t errlen)
{
	const char *path = cfg->dump_dtb;
	struct stat st;
	int fd;

	if (!path)
		return 0;
	stop_phase("opening --dump-dtb '%s'", path);
	fd = open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
		  0644);
	if (fd < 0 && errno == ENXIO)
		return err_printf(err, errlen, -ENXIO,
				  "--dump-dtb: '%s' is a FIFO nobody reads", path);
	if (fd < 0)
		return err_printf(err, errlen, -errno,
				  "--dump-dtb: cannot write '%s': %s", path,
				  strerror(errno));
	if (fstat(fd, &st) < 0)
		st.st_mode = 0;
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		close(fd);
		return err_printf(err, errlen, -EINVAL,
				  "--dump-dtb: '%s' is %s, not a regular file or a pipe",
				  path, preflight_file_type(st.st_mode));
	}
	if (set_blocking(fd) < 0) {
		close(fd);
		return err_printf(err, errlen, -EIO, "--dump-dtb: '%s': fcntl failed",
				  path);
	}
	pf->dump_fd = fd;
	cfg->dump_dtb = fd_path(fd, pf->dump_path, sizeof(pf->dump_path), path);
	return 0;
}

/* A "Key:   N kB" or "Key:  N" field of /proc/meminfo, in bytes or pages. */
static int meminfo_field(const char *text, const char *key, uint64_t *out)
{
	size_t klen = strlen(key);
	unsigned long long v;
	char unit[4] = "";

	for (const char *p = text; p && *p;) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			if (sscanf(p + klen + 1, "%llu %3s", &v, unit) < 1)
				return -EINVAL;
			*out = (uint64_t)v * (!strcmp(unit, "kB") ? 1024 : 1);
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -EINVAL;
}

int preflight_parse_meminfo(const char *text, struct preflight_host *h)
{
	int r = meminfo_field(text, "MemAvailable", &h->mem_available);

	r = r ?: meminfo_field(text, "SwapFree", &h->swap_free);
	r = r ?: meminfo_field(text, "CommitLimit", &h->commit_limit);
	r = r ?: meminfo_field(text, "Committed_AS", &h->committed_as);
	r = r ?: meminfo_field(text, "HugePages_Free", &h->hugepages_free);
	r = r ?: meminfo_field(text, "Hugepagesize", &h->hugepage_size);
	return r;
}

#define MIB(x) ((unsigned long long)((x) >> 20))

/* A size as a user writes it: "512G", "64M", "6144K". */
static const char *size_str(uint64_t v, char *buf, size_t len)
{
	static const char unit[] = "KMGT";
	int u = -1;

	while (u < 3 && v && !(v & 1023)) {
		v >>= 10;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu", (unsigned long long)v);
	else
		snprintf(buf, len, "%llu%c", (unsigned long long)v, unit[u]);
	return buf;
}

uint64_t preflight_memory_need(const struct vm_config *cfg)
{
	uint64_t need = cfg->mem_size + PREFLIGHT_MONITOR_OVERHEAD;

	need += (uint64_t)cfg->cpus * (PREFLIGHT_THREAD_STACK + PREFLIGHT_VCPU_ARENA);
	need += PREFLIGHT_THREAD_STACK; /* the signal thread (stop.c) */
	if (cfg->gdb)
		need += PREFLIGHT_THREAD_STACK;
	for (unsigned int i = 0; i < cfg->ndisks; i++)
		need += vblk_host_memory(cfg->disk[i].direct);
	return need + cfg->nnics * vnet_host_memory();
}

int preflight_check_memory(const struct vm_config *cfg,
			   const struct preflight_host *h, char *err,
			   size_t errlen)
{
	uint64_t need = preflight_memory_need(cfg), avail;
	char size[32];

	if (cfg->hugepages == MEM_PAGES_HUGETLB) {
		if (h->hugepage_size &&
		    h->hugepages_free >= cfg->mem_size / h->hugepage_size)
			return 0; /* the pool is reserved: nothing else to check */
		return err_printf(err, errlen, -ENOMEM,
				  "--hugepages: cannot map %llu MiB of huge pages: %llu free of %llu KiB (see HugePages_Free in /proc/meminfo; reserve them with 'echo N > /proc/sys/vm/nr_hugepages')",
				  MIB(cfg->mem_size),
				  (unsigned long long)h->hugepages_free,
				  (unsigned long long)(h->hugepage_size >> 10));
	}
	if (cfg->mlock) {
		if (need > h->mem_available)
			return err_printf(err, errlen, -ENOMEM,
					  "--memory %s --mlock: the host has %llu MiB available (MemAvailable), guest RAM and the monitor need %llu",
					  size_str(cfg->mem_size, size, sizeof(size)), MIB(h->mem_available),
					  MIB(need));
		if (!h->cap_ipc_lock && need > h->memlock_limit)
			return err_printf(err, errlen, -EPERM,
					  "--mlock: RLIMIT_MEMLOCK is %llu KiB, guest RAM and the monitor need %llu MiB (try 'ulimit -l unlimited', or CAP_IPC_LOCK)",
					  (unsigned long long)(h->memlock_limit >> 10),
					  MIB(need));
		return 0;
	}
	if (cfg->memory_overcommit)
		return 0;
	if (h->overcommit == 2) /* strict: the kernel refuses beyond this */
		avail = h->commit_limit > h->committed_as
				? h->commit_limit - h->committed_as
				: 0;
	else
		avail = h->mem_available + h->swap_free;
	if (need > avail)
		return err_printf(err, errlen, -ENOMEM,
				  "--memory %s: the host can give %llu MiB now (%s), guest RAM and the monitor need %llu; --memory-overcommit starts anyway",
				  size_str(cfg->mem_size, size, sizeof(size)), MIB(avail),
				  h->overcommit == 2 ? "CommitLimit - Committed_AS"
						     : "MemAvailable + SwapFree",
				  MIB(need));
	return 0;
}

/* This host's figures; when /proc cannot tell, the check is skipped. */
static int check_memory(const struct vm_config *cfg, char *err, size_t errlen)
{
	struct preflight_host h = { .memlock_limit = UINT64_MAX };
	char text[8192];
	struct rlimit rl;
	int cap;

	if (rt_read_text("/proc/meminfo", text, sizeof(text)) < 0 ||
	    preflight_parse_meminfo(text, &h) < 0) {
		log_info("cannot read /proc/meminfo: --memory not checked");
		return 0;
	}
	if (rt_read_text("/proc/sys/vm/overcommit_memory", text, sizeof(text)) == 0)
		h.overcommit = atoi(text);
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		h.memlock_limit = rl.rlim_cur;
	cap = rt_read_text("/proc/self/status", text, sizeof(text));
	cap = cap ?: rt_status_has_cap(text, CAP_IPC_LOCK_BIT);
	h.cap_ipc_lock = cap > 0;
	return preflight_check_memory(cfg, &h, err, errlen);
}

/* Whether host reads as a numeric address rather than a name. */
static bool numeric_host(const char *host)
{
	return strchr(host, ':') || host[strspn(host, "0123456789.")] == '\0';
}

int preflight_check_gdb(const struct gdb_endpoint *ep, char *err,
			size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai;
	int r;

	if (!ep || ep->is_unix)
		return 0;
	if (numeric_host(ep->host))
		hints.ai_flags |= AI_NUMERICHOST;
	r = getaddrinfo(ep->host, NULL, &hints, &ai);
	if (r)
		return err_printf(err, errlen, -EINVAL,
				  "--gdb: '%s' is not %s: %s", ep->host,
				  numeric_host(ep->host) ? "an IP address"
							: "a host name that resolves",
				  gai_strerror(r));
	freeaddrinfo(ai);
	return 0;
}

int preflight_run(struct vm_config *cfg, struct preflight *pf, char *err,
		  size_t errlen)
{
	int r;

	r = check_image("--kernel", cfg->kernel, err, errlen);
	r = r ?: check_image("--initrd", cfg->initrd, err, errlen);
	r = r ?: preflight_check_gdb(cfg->gdb ? &cfg->gdb_ep : NULL, err, errlen);
	r = r ?: check_memory(cfg, err, errlen);
	/* Joining a cpuset cgroup changes the CPUs the checks below allow. */
	if (!r && cfg->cgroup)
		r = rt_cgroup_join(cfg->cgroup, getpid(), err, errlen);
	/* Bounds what a guest that touches all its RAM can take. */
	if (!r && cfg->cgroup)
		r = rt_cgroup_limit_memory(cfg->cgroup, preflight_memory_need(cfg),
					   err, errlen);
	r = r ?: rt_host_check(cfg, err, errlen);
	r = r ?: check_disks(cfg, err, errlen);
	r = r ?: open_dump(cfg, pf, err, errlen);
	/* Last: it creates a file, which a later failure would leave behind. */
	r = r ?: open_serial(cfg, pf, err, errlen);
	if (r)
		preflight_close(pf);
	return r;
}
