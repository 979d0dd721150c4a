// SPDX-License-Identifier: GPL-2.0
#include "rt.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "log.h"

#define CAP_SYS_NICE_BIT 23 /* linux/capability.h: CAP_SYS_NICE */
#define CGROUP_ROOT "/sys/fs/cgroup"

/* A decimal number below limit at *p; advances *p. -1 if there is none. */
static long parse_num(const char **p, long limit)
{
	long v = 0;

	if (!isdigit((unsigned char)**p))
		return -1;
	for (; isdigit((unsigned char)**p); (*p)++) {
		v = v * 10 + (**p - '0');
		if (v >= limit)
			return -1;
	}
	return v;
}

int rt_parse_cpulist(const char *s, cpu_set_t *set)
{
	const char *p = s;

	CPU_ZERO(set);
	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		long lo = parse_num(&p, CPU_SETSIZE), hi = lo;

		if (lo < 0)
			return -EINVAL;
		if (*p == '-') {
			p++;
			hi = parse_num(&p, CPU_SETSIZE);
			if (hi < lo)
				return -EINVAL;
		}
		for (long c = lo; c <= hi; c++)
			CPU_SET((int)c, set);
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return -EINVAL;
	}
}

char *rt_format_cpulist(const cpu_set_t *set, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE; c++) {
		int end = c;
		int w;

		if (!CPU_ISSET(c, set))
			continue;
		while (end + 1 < CPU_SETSIZE && CPU_ISSET(end + 1, set))
			end++;
		w = end == c ? snprintf(buf + n, len - n, "%s%d", n ? "," : "", c)
			     : snprintf(buf + n, len - n, "%s%d-%d", n ? "," : "",
					c, end);
		if (w < 0 || (size_t)w >= len - n)
			break; /* truncated: what fits stays */
		n += (size_t)w;
		c = end;
	}
	return buf;
}

/* Records vCPU v on host CPU c, refusing repeats of either. */
static int pin_one(int pin[], unsigned int max_vcpus, long v, long c,
		   char *err, size_t errlen)
{
	if (v >= (long)max_vcpus)
		return err_printf(err, errlen, -EINVAL,
			    "--pin: vCPU %ld does not exist (at most %u vCPUs)",
			    v, max_vcpus);
	if (pin[v] >= 0)
		return err_printf(err, errlen, -EINVAL, "--pin: vCPU %ld is pinned twice",
			    v);
	for (unsigned int i = 0; i < max_vcpus; i++)
		if (pin[i] == c)
			return err_printf(err, errlen, -EINVAL,
				    "--pin: vCPUs %u and %ld both on host CPU %ld",
				    i, v, c);
	pin[v] = (int)c;
	return 0;
}

int rt_parse_pin(const char *s, int pin[], unsigned int max_vcpus, char *err,
		 size_t errlen)
{
	const char *p = s;
	cpu_set_t set;
	long v = 0;
	int r;

	for (unsigned int i = 0; i < max_vcpus; i++)
		pin[i] = -1;
	if (!s || !strchr(s, '=')) {
		/* A plain CPU list: vCPU i on the i-th CPU. */
		if (rt_parse_cpulist(s, &set) < 0)
			return err_printf(err, errlen, -EINVAL,
				    "--pin: '%s' is not VCPU=CPU,... nor a CPU list",
				    s ? s : "");
		for (int c = 0; c < CPU_SETSIZE; c++) {
			if (!CPU_ISSET(c, &set))
				continue;
			r = pin_one(pin, max_vcpus, v++, c, err, errlen);
			if (r)
				return r;
		}
		return 0;
	}
	for (;;) {
		long c;

		v = parse_num(&p, INT_MAX);
		if (v < 0 || *p++ != '=')
			return err_printf(err, errlen, -EINVAL,
				    "--pin: '%s' is not VCPU=CPU,... (e.g. 0=2,1=3)",
				    s);
		c = parse_num(&p, CPU_SETSIZE);
		if (c < 0 || (*p && *p != ','))
			return err_printf(err, errlen, -EINVAL,
				    "--pin: '%s': host CPUs are numbers below %d",
				    s, CPU_SETSIZE);
		r = pin_one(pin, max_vcpus, v, c, err, errlen);
		if (r)
			return r;
		if (*p == '\0')
			return 0;
		p++;
	}
}

int rt_parse_policy(const char *s, enum rt_policy *policy, int *prio,
		    char *err, size_t errlen)
{
	const char *p;
	long v;

	if (!strcmp(s, "other")) {
		*policy = RT_POLICY_OTHER;
		*prio = 0;
		return 0;
	}
	if (strncmp(s, "fifo", 4) || (s[4] && s[4] != ':'))
		return err_printf(err, errlen, -EINVAL,
			    "--rt: '%s' is not fifo, fifo:PRIO or other", s);
	*policy = RT_POLICY_FIFO;
	*prio = RT_PRIO_DEFAULT;
	if (!s[4])
		return 0;
	p = s + 5;
	v = parse_num(&p, RT_PRIO_MAX + 1);
	if (v < RT_PRIO_MIN || *p)
		return err_printf(err, errlen, -EINVAL,
			    "--rt: priority '%s' is not a number from %d to %d",
			    s + 5, RT_PRIO_MIN, RT_PRIO_MAX);
	*prio = (int)v;
	return 0;
}

int rt_check_cpus(const struct vm_config *cfg, const cpu_set_t *allowed,
		  int ncpus_conf, char *err, size_t errlen)
{
	char list[256];

	for (unsigned int i = 0; cfg->pin_set && i < cfg->cpus; i++) {
		int c = cfg->pin[i];

		if (c < 0)
			continue;
		if (c >= ncpus_conf)
			return err_printf(err, errlen, -EINVAL,
				    "--pin: host CPU %d (vCPU %u) does not exist: this host has CPUs 0-%d",
				    c, i, ncpus_conf - 1);
		if (!CPU_ISSET(c, allowed))
			return err_printf(err, errlen, -EINVAL,
				    "--pin: host CPU %d (vCPU %u) is not in this process's allowed CPUs (%s)",
				    c, i, rt_format_cpulist(allowed, list, sizeof(list)));
		if (cfg->io_cpus_set && CPU_ISSET(c, &cfg->io_cpus))
			return err_printf(err, errlen, -EINVAL,
				    "--io-cpus: host CPU %d is vCPU %u's; keep I/O off pinned vCPUs' CPUs",
				    c, i);
	}
	for (int c = 0; cfg->io_cpus_set && c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &cfg->io_cpus))
			continue;
		if (c >= ncpus_conf)
			return err_printf(err, errlen, -EINVAL,
				    "--io-cpus: host CPU %d does not exist: this host has CPUs 0-%d",
				    c, ncpus_conf - 1);
		if (!CPU_ISSET(c, allowed))
			return err_printf(err, errlen, -EINVAL,
				    "--io-cpus: host CPU %d is not in this process's allowed CPUs (%s)",
				    c, rt_format_cpulist(allowed, list, sizeof(list)));
	}
	for (unsigned int i = cfg->cpus; cfg->pin_set && i < CONFIG_MAX_CPUS; i++)
		if (cfg->pin[i] >= 0)
			return err_printf(err, errlen, -EINVAL,
				    "--pin: vCPU %u does not exist (--cpus %u)", i,
				    cfg->cpus);
	return 0;
}

int rt_check_privilege(const struct vm_config *cfg, bool cap_sys_nice,
		       uint64_t rlimit_rtprio, char *err, size_t errlen)
{
	if (cfg->rt_policy != RT_POLICY_FIFO || cap_sys_nice ||
	    rlimit_rtprio >= (uint64_t)cfg->rt_prio)
		return 0;
	return err_printf(err, errlen, -EPERM,
		    "--rt fifo:%d: needs CAP_SYS_NICE or an RLIMIT_RTPRIO of at least %d (it is %llu; try 'ulimit -r %d' as root, or limits.conf rtprio)",
		    cfg->rt_prio, cfg->rt_prio, (unsigned long long)rlimit_rtprio,
		    cfg->rt_prio);
}

int rt_status_has_cap(const char *status, unsigned int cap)
{
	const char *p = status;
	unsigned long long v;
	char *end;

	while (p && *p) {
		if (!strncmp(p, "CapEff:", 7)) {
			errno = 0;
			v = strtoull(p + 7, &end, 16);
			if (errno || end == p + 7 || cap >= 64)
				return -EINVAL;
			return (v >> cap) & 1;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -EINVAL;
}

/* A sysfs CPU list; "" and a lone newline are the empty set. */
static void parse_sysfs_list(const char *s, cpu_set_t *set)
{
	char buf[1024];
	size_t n;

	CPU_ZERO(set);
	if (!s)
		return;
	n = strcspn(s, "\n");
	if (n == 0 || n >= sizeof(buf))
		return;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (rt_parse_cpulist(buf, set) < 0)
		CPU_ZERO(set);
}

void rt_not_isolated(const struct vm_config *cfg, const char *isolated,
		     const char *nohz_full, cpu_set_t *out)
{
	cpu_set_t iso, nohz;

	parse_sysfs_list(isolated, &iso);
	parse_sysfs_list(nohz_full, &nohz);
	CPU_ZERO(out);
	for (unsigned int i = 0; cfg->pin_set && i < cfg->cpus; i++) {
		int c = cfg->pin[i];

		if (c >= 0 && !CPU_ISSET(c, &iso) && !CPU_ISSET(c, &nohz))
			CPU_SET(c, out);
	}
}

/* Reads a small text file into buf (NUL-terminated). 0 or -errno. */
int rt_read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

static void warn_isolation(const struct vm_config *cfg)
{
	char iso[1024], nohz[1024], list[256];
	cpu_set_t bad;

	rt_read_text("/sys/devices/system/cpu/isolated", iso, sizeof(iso));
	rt_read_text("/sys/devices/system/cpu/nohz_full", nohz, sizeof(nohz));
	rt_not_isolated(cfg, iso, nohz, &bad);
	if (CPU_COUNT(&bad))
		log_warn("pinned host CPU(s) %s not isolated (neither isolcpus= nor nohz_full=): other host tasks may still run there",
			 rt_format_cpulist(&bad, list, sizeof(list)));
}

int rt_host_check(const struct vm_config *cfg, char *err, size_t errlen)
{
	char status[4096];
	struct rlimit rl;
	cpu_set_t allowed;
	int r, cap;

	if (cfg->pin_set || cfg->io_cpus_set) {
		if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
			return err_printf(err, errlen, -errno, "sched_getaffinity: %s",
				    strerror(errno));
		r = rt_check_cpus(cfg, &allowed, (int)sysconf(_SC_NPROCESSORS_CONF),
				  err, errlen);
		if (r)
			return r;
	}
	if (cfg->rt_policy == RT_POLICY_FIFO) {
		cap = rt_read_text("/proc/self/status", status, sizeof(status));
		cap = cap ?: rt_status_has_cap(status, CAP_SYS_NICE_BIT);
		if (getrlimit(RLIMIT_RTPRIO, &rl) < 0)
			rl.rlim_cur = 0;
		r = rt_check_privilege(cfg, cap > 0, rl.rlim_cur, err, errlen);
		if (r)
			return r;
		if (!cfg->pin_set)
			log_warn("--rt without --pin: SCHED_FIFO vCPU threads may move between host CPUs");
	}
	if (cfg->pin_set)
		warn_isolation(cfg);
	return 0;
}

/* Writes pid into dir/cgroup.procs. */
static int join_dir(const char *dir, pid_t pid, char *err, size_t errlen)
{
	char path[PATH_MAX], num[24];
	struct statfs sf;
	int fd, n, e;

	if (statfs(dir, &sf) < 0)
		return err_printf(err, errlen, -errno, "--cgroup: %s: %s", dir,
			    strerror(errno));
	if (sf.f_type != CGROUP2_SUPER_MAGIC && sf.f_type != CGROUP_SUPER_MAGIC)
		return err_printf(err, errlen, -ENOTDIR,
			    "--cgroup: %s is not a cgroup directory", dir);
	if ((size_t)snprintf(path, sizeof(path), "%s/cgroup.procs", dir) >=
	    sizeof(path))
		return err_printf(err, errlen, -ENAMETOOLONG, "--cgroup: path too long");
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_printf(err, errlen, -errno, "--cgroup: %s: %s", path,
			    strerror(errno));
	n = snprintf(num, sizeof(num), "%d\n", (int)pid);
	if (write(fd, num, (size_t)n) == n) {
		close(fd);
		return 0;
	}
	e = errno;
	close(fd);
	if (e == ENOSPC)
		return err_printf(err, errlen, -e,
			    "--cgroup: cannot join %s: its cpuset.cpus or cpuset.mems is empty",
			    dir);
	if (e == EOPNOTSUPP || e == EBUSY)
		return err_printf(err, errlen, -e,
			    "--cgroup: cannot join %s: %s (cgroup v2 puts processes only in leaf groups, or a threaded/domain conflict)",
			    dir, strerror(e));
	return err_printf(err, errlen, -e, "--cgroup: cannot join %s: %s", dir,
		    strerror(e));
}

int rt_cgroup_join(const char *path, pid_t pid, char *err, size_t errlen)
{
	static const char *const v1[] = { "cpuset", "cpu" };
	char dir[PATH_MAX];
	struct statfs sf;
	struct stat st;
	int joined = 0, r;

	if (!path || !*path)
		return err_printf(err, errlen, -EINVAL, "--cgroup: empty path");
	if (path[0] == '/')
		return join_dir(path, pid, err, errlen);
	if (statfs(CGROUP_ROOT, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC) {
		snprintf(dir, sizeof(dir), "%s/%s", CGROUP_ROOT, path);
		return join_dir(dir, pid, err, errlen);
	}
	for (size_t i = 0; i < sizeof(v1) / sizeof(v1[0]); i++) {
		if ((size_t)snprintf(dir, sizeof(dir), "%s/%s/%s", CGROUP_ROOT,
				     v1[i], path) >= sizeof(dir))
			return err_printf(err, errlen, -ENAMETOOLONG,
				    "--cgroup: path too long");
		if (stat(dir, &st) < 0)
			continue;
		r = join_dir(dir, pid, err, errlen);
		if (r)
			return r;
		joined++;
	}
	if (!joined)
		return err_printf(err, errlen, -ENOENT,
			    "--cgroup: %s exists neither in %s (cgroup v2) nor under %s/cpuset or %s/cpu (v1); create it first",
			    path, CGROUP_ROOT, CGROUP_ROOT, CGROUP_ROOT);
	return 0;
}

int rt_cgroup_mem_file(const char *root, const char *path, bool v2,
		       char *file, size_t len)
{
	size_t rl = strlen(root);
	const char *rest = path;
	int n;

	if (v2 && path[0] == '/')
		n = snprintf(file, len, "%s/memory.max", path);
	else if (v2)
		n = snprintf(file, len, "%s/%s/memory.max", root, path);
	else if (path[0] == '/' &&
		 (strncmp(path, root, rl) || path[rl] != '/' || !path[rl + 1]))
		n = snprintf(file, len, "%s/memory.limit_in_bytes", path);
	else {
		if (path[0] == '/') { /* root/HIER/REST: skip root/HIER */
			rest = strchr(path + rl + 1, '/');
			rest = rest ? rest + 1 : "";
		}
		if (!*rest) /* a hierarchy's root group: no limit there */
			return -ENOENT;
		n = snprintf(file, len, "%s/memory/%s/memory.limit_in_bytes",
			     root, rest);
	}
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int rt_cgroup_set_memory(const char *root, const char *path, bool v2,
			 uint64_t limit, char *err, size_t errlen)
{
	char file[PATH_MAX], dir[PATH_MAX], num[24];
	struct stat st;
	int fd, n, e, r;

	r = rt_cgroup_mem_file(root, path, v2, file, sizeof(file));
	if (r == -ENOENT) {
		log_warn("--cgroup: memory not limited: %s is a v1 hierarchy's root group",
			 path);
		return 1;
	}
	if (r)
		return err_printf(err, errlen, -EINVAL, "--cgroup: path too long");
	snprintf(dir, sizeof(dir), "%s/memory", root);
	if (!v2 && stat(dir, &st) < 0) {
		log_warn("--cgroup: memory not limited: no cgroup v1 memory hierarchy at %s",
			 dir);
		return 1;
	}
	fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		log_warn("--cgroup: memory not limited: %s: %s%s", file, strerror(e),
			 e == ENOENT ? (v2 ? " (memory controller not enabled for this cgroup)"
					   : " (no such group in the memory hierarchy)")
				     : "");
		return 1;
	}
	n = snprintf(num, sizeof(num), "%llu\n", (unsigned long long)limit);
	if (write(fd, num, (size_t)n) == n) {
		close(fd);
		log_info("--cgroup: memory limit %llu MiB (%s)",
			 (unsigned long long)(limit >> 20), file);
		return 0;
	}
	e = n < 0 ? EIO : errno;
	close(fd);
	if (e == EACCES || e == EPERM) {
		log_warn("--cgroup: memory not limited: %s: %s", file, strerror(e));
		return 1;
	}
	return err_printf(err, errlen, -EINVAL,
			  "--cgroup: %s refuses %llu bytes (guest RAM plus the monitor's overhead): %s",
			  file, (unsigned long long)limit, strerror(e));
}

int rt_cgroup_limit_memory(const char *path, uint64_t limit, char *err,
			   size_t errlen)
{
	struct statfs sf;
	int r;

	if (statfs(path[0] == '/' ? path : CGROUP_ROOT, &sf) < 0)
		sf.f_type = 0;
	r = rt_cgroup_set_memory(CGROUP_ROOT, path,
				 sf.f_type == CGROUP2_SUPER_MAGIC, limit, err,
				 errlen);
	return r > 0 ? 0 : r;
}

int rt_apply_thread(int host_cpu, const cpu_set_t *fallback,
		    enum rt_policy policy, int prio, char *err, size_t errlen)
{
	const cpu_set_t *want = fallback;
	struct sched_param sp = { .sched_priority = prio };
	cpu_set_t one;

	if (host_cpu >= 0) {
		CPU_ZERO(&one);
		CPU_SET(host_cpu, &one);
		want = &one;
	}
	/* pid 0: the calling thread (affinity and policy are per thread). */
	if (want && sched_setaffinity(0, sizeof(*want), want) < 0)
		return err_printf(err, errlen, -errno, "sched_setaffinity (CPU %d): %s",
			    host_cpu, strerror(errno));
	if (policy == RT_POLICY_FIFO && sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		int e = errno;

		return err_printf(err, errlen, -e,
			    "SCHED_FIFO priority %d: %s%s", prio, strerror(e),
			    e == EPERM ? " (needs CAP_SYS_NICE or RLIMIT_RTPRIO; in a v1 cpu cgroup also cpu.rt_runtime_us > 0)"
				       : "");
	}
	return 0;
}

int rt_setup_process(const struct vm_config *cfg, cpu_set_t *vcpu_cpus)
{
	char err[512], list[256];
	int r = 0;

	/* The cgroup is joined and rt_host_check() run by the preflight. */
	if (sched_getaffinity(0, sizeof(*vcpu_cpus), vcpu_cpus) < 0)
		r = err_printf(err, sizeof(err), -errno, "sched_getaffinity: %s",
			 strerror(errno));
	if (r == 0 && cfg->io_cpus_set) {
		r = rt_apply_thread(-1, &cfg->io_cpus, RT_POLICY_OTHER, 0, err,
				    sizeof(err));
		if (r == 0)
			log_info("main and I/O threads on host CPU(s) %s",
				 rt_format_cpulist(&cfg->io_cpus, list,
						   sizeof(list)));
	}
	if (r)
		log_err("%s", err);
	return r;
}
