/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-time partitions: which host CPU each vCPU thread runs on, its
 * scheduling policy, the main and I/O threads' CPUs, the cgroup the
 * monitor joins, and the checks that say, before anything is built, why a
 * request cannot be met.
 *
 * The parsers and checks are pure (they take what they inspect as
 * arguments) and unit-tested; rt_host_check(), rt_cgroup_join() and the
 * rt_apply_*() functions touch the host.
 */
#ifndef TESSERA_RT_H
#define TESSERA_RT_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"

#define RT_PRIO_MIN 1
#define RT_PRIO_MAX 99
#define RT_PRIO_DEFAULT 50

/*
 * Parses a CPU list ("0-3,6,8-9") into set. Numbers below CPU_SETSIZE,
 * ranges ascending. Returns 0 or -EINVAL on garbage, an empty list or an
 * out-of-range CPU.
 */
int rt_parse_cpulist(const char *s, cpu_set_t *set);

/*
 * Parses --pin: "VCPU=CPU,..." ("0=2,1=3"), or a plain CPU list ("2-3")
 * that gives vCPU i the i-th CPU of the list in ascending order. Fills
 * pin[0..max_vcpus) (-1: not pinned). Rejects a vCPU named twice, two
 * vCPUs on one host CPU and vCPU numbers >= max_vcpus. 0 or -EINVAL with a
 * one-line reason in err.
 */
int rt_parse_pin(const char *s, int pin[], unsigned int max_vcpus, char *err,
		 size_t errlen);

/*
 * Parses --rt: "fifo" (priority RT_PRIO_DEFAULT), "fifo:PRIO" (1..99) or
 * "other". 0 or -EINVAL with a reason in err.
 */
int rt_parse_policy(const char *s, enum rt_policy *policy, int *prio,
		    char *err, size_t errlen);

/*
 * Checks the pinning against the host: every pinned CPU must exist (below
 * ncpus_conf, the configured CPUs) and be in allowed (the process's
 * affinity, sched_getaffinity); so must every --io-cpus CPU. A pinned vCPU
 * sharing a CPU with --io-cpus is refused too. 0 or -EINVAL. Pure.
 */
int rt_check_cpus(const struct vm_config *cfg, const cpu_set_t *allowed, int ncpus_conf, char *err,
		  size_t errlen);

/*
 * Checks that SCHED_FIFO at cfg->rt_prio may be set: with CAP_SYS_NICE, or
 * when the RLIMIT_RTPRIO soft limit is at least the priority. 0 or -EPERM
 * with a reason in err. Pure.
 */
int rt_check_privilege(const struct vm_config *cfg, bool cap_sys_nice,
		       uint64_t rlimit_rtprio, char *err, size_t errlen);

/*
 * Whether capability bit cap is set in a /proc/PID/status text's CapEff
 * line. -EINVAL if there is none. Pure.
 */
int rt_status_has_cap(const char *status, unsigned int cap);

/*
 * The pinned CPUs (of cfg->cpus vCPUs) that are not isolated from
 * the host scheduler: in neither isolated (the text of
 * /sys/devices/system/cpu/isolated) nor nohz_full (of .../nohz_full; NULL
 * or empty when absent). Pure.
 */
void rt_not_isolated(const struct vm_config *cfg, const char *isolated, const char *nohz_full,
		     cpu_set_t *out);

/*
 * Formats set as a CPU list ("0-3,6") into buf; "" for an empty set.
 * Returns buf.
 */
char *rt_format_cpulist(const cpu_set_t *set, char *buf, size_t len);

/*
 * All checks above against this host, then the warnings for pinned CPUs
 * that are not isolated. 0, or -EINVAL/-EPERM with the reason in err: the
 * user's to fix. The preflight (preflight.h) runs it after joining the
 * cgroup. Main thread, before anything is built.
 */
int rt_host_check(const struct vm_config *cfg, char *err, size_t errlen);

/*
 * The process-wide part, after the preflight has joined cfg->cgroup and
 * run rt_host_check(): stores the process's CPU affinity in vcpu_cpus
 * (where unpinned vCPU threads go back to) and pins the calling (main)
 * thread to --io-cpus, so threads it creates later inherit that. 0 or
 * -errno, with the reason logged. Main thread, before any other thread
 * exists.
 */
int rt_setup_process(const struct vm_config *cfg, cpu_set_t *vcpu_cpus);

/*
 * Puts process pid into the cgroup at path. On the unified hierarchy
 * (cgroup v2) that is PATH/cgroup.procs. A relative path is taken under
 * /sys/fs/cgroup when that is cgroup v2, else under the v1 cpuset and cpu
 * hierarchies (/sys/fs/cgroup/cpuset/PATH and /sys/fs/cgroup/cpu/PATH,
 * both joined). 0 or -errno with the reason in err. Main thread, before
 * other threads start (they inherit the cgroup).
 */
int rt_cgroup_join(const char *path, pid_t pid, char *err, size_t errlen);

/*
 * Reads a small text file (/proc, /sys) into buf, NUL-terminated, at most
 * len - 1 bytes. 0 or -errno (buf then empty). Any thread.
 */
int rt_read_text(const char *path, char *buf, size_t len);

/*
 * Where the memory limit of the cgroup at path lives under root (normally
 * /sys/fs/cgroup), into file: on cgroup v2 PATH/memory.max; on v1 the
 * memory hierarchy's root/memory/PATH/memory.limit_in_bytes (an absolute
 * v1 path in another hierarchy, root/HIER/REST, maps to root/memory/REST).
 * Pure. 0, -ENOENT for a v1 hierarchy's root group (root/HIER: it has no
 * limit), or -ENAMETOOLONG.
 */
int rt_cgroup_mem_file(const char *root, const char *path, bool v2,
		       char *file, size_t len);

/*
 * Writes limit (bytes) as the memory limit of the cgroup at path under
 * root (see rt_cgroup_mem_file). 0 when written; 1 when it could not be
 * (no memory controller for that cgroup, no v1 memory hierarchy, no
 * permission): warned in one line, the run goes on; -EINVAL when the file
 * refuses the value, with the reason in err. Main thread, at preflight.
 */
int rt_cgroup_set_memory(const char *root, const char *path, bool v2,
			 uint64_t limit, char *err, size_t errlen);

/*
 * rt_cgroup_set_memory() on the host's /sys/fs/cgroup, the version taken
 * from the file system at path (absolute) or /sys/fs/cgroup. 0 (written or
 * warned) or -EINVAL with the reason in err.
 */
int rt_cgroup_limit_memory(const char *path, uint64_t limit, char *err,
			   size_t errlen);

/*
 * The calling thread's part: pins it to host_cpu (or, if host_cpu < 0 and
 * fallback is not NULL, to fallback) and sets its policy. 0 or -errno with
 * the reason in err. Called by each vCPU thread before its first KVM_RUN,
 * and by the main thread for --io-cpus.
 */
int rt_apply_thread(int host_cpu, const cpu_set_t *fallback,
		    enum rt_policy policy, int prio, char *err, size_t errlen);

#endif
