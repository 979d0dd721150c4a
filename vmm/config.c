// SPDX-License-Identifier: GPL-2.0
/*
 * The flags of `tessera run`: one table holds each flag's name, value,
 * help and handler; the parser, partition files (config_file.c) and the
 * usage text are all driven by it.
 */
#include "config.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rt.h"
#include "sandbox.h"

void config_init(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_size = CONFIG_DEFAULT_MEM;
	cfg->cpus = 1;
	cfg->serial = SERIAL_STDIO;
	cfg->cpu_template = CPU_TEMPLATE_AUTO;
	cfg->name = "tessera";
	for (unsigned int i = 0; i < CONFIG_MAX_CPUS; i++)
		cfg->pin[i] = -1;
	cfg->rt_prio = 0;
	cfg->rt_policy = RT_POLICY_OTHER;
	CPU_ZERO(&cfg->io_cpus);
}

/* Every bad flag value is -EINVAL with a one-line reason. */
#define fail(err, errlen, ...) err_printf(err, errlen, -EINVAL, __VA_ARGS__)


static int set_kernel(struct vm_config *cfg, const char *v, char *err,
		      size_t errlen)
{
	if (!*v)
		return fail(err, errlen, "--kernel: empty path");
	cfg->kernel = v;
	return 0;
}

static int set_initrd(struct vm_config *cfg, const char *v, char *err,
		      size_t errlen)
{
	if (!*v)
		return fail(err, errlen, "--initrd: empty path");
	cfg->initrd = v;
	return 0;
}

static int set_cmdline(struct vm_config *cfg, const char *v, char *err,
		       size_t errlen)
{
	(void)err, (void)errlen;
	cfg->cmdline = v;
	return 0;
}

static int set_memory(struct vm_config *cfg, const char *v, char *err,
		      size_t errlen)
{
	uint64_t sz;

	if (config_parse_size(v, &sz) < 0)
		return fail(err, errlen,
			    "--memory: '%s' is not a size (try 64M or 1G)", v);
	if (sz < CONFIG_MIN_MEM || sz > CONFIG_MAX_MEM)
		return fail(err, errlen,
			    "--memory: %s is out of range (2M to 512G)", v);
	if (sz & 0xfff)
		return fail(err, errlen,
			    "--memory: %s is not a multiple of 4K", v);
	cfg->mem_size = sz;
	return 0;
}

static int set_cpus(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	uint64_t n;

	if (config_parse_u64(v, &n) < 0 || n < 1 || n > CONFIG_MAX_CPUS)
		return fail(err, errlen, "--cpus: '%s' is not a number from 1 to %d",
			    v, CONFIG_MAX_CPUS);
	cfg->cpus = (unsigned int)n;
	return 0;
}

static int set_serial(struct vm_config *cfg, const char *v, char *err,
		      size_t errlen)
{
	if (config_parse_serial(v, &cfg->serial, cfg->serial_file,
				sizeof(cfg->serial_file), &cfg->serial_append) < 0)
		return fail(err, errlen,
			    "--serial: '%s' is not stdio, none, file:PATH or file:PATH,append",
			    v);
	cfg->serial_path = cfg->serial == SERIAL_FILE ? cfg->serial_file : NULL;
	return 0;
}

static int set_template(struct vm_config *cfg, const char *v, char *err,
			size_t errlen)
{
	if (!strcmp(v, "host"))
		cfg->cpu_template = CPU_TEMPLATE_HOST;
	else if (!strcmp(v, "baseline"))
		cfg->cpu_template = CPU_TEMPLATE_BASELINE;
	else
		return fail(err, errlen,
			    "--cpu-template: '%s' is not host or baseline", v);
	return 0;
}

static int set_load_addr(struct vm_config *cfg, const char *v, char *err,
			 size_t errlen)
{
	if (config_parse_u64(v, &cfg->load_addr) < 0)
		return fail(err, errlen, "--load-addr: '%s' is not an address", v);
	cfg->load_addr_set = true;
	return 0;
}

static int set_verbose(struct vm_config *cfg, const char *v, char *err,
		       size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->verbose = true;
	return 0;
}

static int set_name(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	for (const char *p = v; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("-_.", *p))
			return fail(err, errlen,
				    "--name: '%s' may hold only letters, digits, '-', '_' and '.'",
				    v);
	if (!*v || strlen(v) > 64)
		return fail(err, errlen, "--name: 1 to 64 characters");
	cfg->name = v;
	return 0;
}

static int set_dump_dtb(struct vm_config *cfg, const char *v, char *err,
			size_t errlen)
{
	if (!*v)
		return fail(err, errlen, "--dump-dtb: empty path");
	cfg->dump_dtb = v;
	return 0;
}

static int set_disk(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	if (cfg->ndisks == CONFIG_MAX_DISKS)
		return fail(err, errlen, "--disk: at most %d disks",
			    CONFIG_MAX_DISKS);
	if (config_parse_disk(&cfg->disk[cfg->ndisks], v, err, errlen) < 0)
		return -EINVAL;
	cfg->ndisks++;
	return 0;
}

static int set_stats(struct vm_config *cfg, const char *v, char *err,
		     size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->stats = true;
	return 0;
}

int config_parse_gdb_endpoint(const char *spec, struct gdb_endpoint *ep)
{
	const char *colon, *host;
	size_t hostlen;
	uint64_t port;

	memset(ep, 0, sizeof(*ep));
	if (!strncmp(spec, "unix:", 5)) {
		if (!spec[5] || strlen(spec + 5) >= sizeof(ep->path))
			return -EINVAL;
		ep->is_unix = true;
		strcpy(ep->path, spec + 5);
		return 0;
	}
	if (strncmp(spec, "tcp:", 4))
		return -EINVAL;
	host = spec + 4;
	colon = strrchr(host, ':');
	if (!colon || config_parse_u64(colon + 1, &port) < 0 || port > 65535)
		return -EINVAL;
	hostlen = (size_t)(colon - host);
	if (hostlen >= 2 && host[0] == '[' && host[hostlen - 1] == ']') {
		host++;
		hostlen -= 2;
	}
	if (hostlen >= sizeof(ep->host) || memchr(host, '[', hostlen) ||
	    memchr(host, ']', hostlen))
		return -EINVAL;
	if (hostlen == 0)
		strcpy(ep->host, "127.0.0.1");
	else
		memcpy(ep->host, host, hostlen);
	ep->port = (uint16_t)port;
	return 0;
}

static int set_gdb(struct vm_config *cfg, const char *v, char *err,
		   size_t errlen)
{
	if (config_parse_gdb_endpoint(v, &cfg->gdb_ep) < 0)
		return fail(err, errlen,
			    "--gdb: '%s' is not tcp:HOST:PORT or unix:PATH", v);
	cfg->gdb = true;
	return 0;
}

static int set_gdb_wait(struct vm_config *cfg, const char *v, char *err,
			size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->gdb_wait = true;
	return 0;
}

static int set_help(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->help = true;
	return 0;
}

static int set_memory_overcommit(struct vm_config *cfg, const char *v,
				 char *err, size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->memory_overcommit = true;
	return 0;
}

static int set_config(struct vm_config *cfg, const char *v, char *err,
		      size_t errlen)
{
	if (!*v)
		return fail(err, errlen, "--config: empty path");
	cfg->config_file = v; /* main.c has read it already */
	return 0;
}

static int set_pin(struct vm_config *cfg, const char *v, char *err,
		   size_t errlen)
{
	int r = rt_parse_pin(v, cfg->pin, CONFIG_MAX_CPUS, err, errlen);

	cfg->pin_set = r == 0;
	return r;
}

static int set_rt(struct vm_config *cfg, const char *v, char *err,
		  size_t errlen)
{
	return rt_parse_policy(v, &cfg->rt_policy, &cfg->rt_prio, err, errlen);
}

static int set_io_cpus(struct vm_config *cfg, const char *v, char *err,
		       size_t errlen)
{
	if (rt_parse_cpulist(v, &cfg->io_cpus) < 0)
		return fail(err, errlen,
			    "--io-cpus: '%s' is not a CPU list (e.g. 0 or 0-1,4)",
			    v);
	cfg->io_cpus_set = true;
	return 0;
}

static int set_mlock(struct vm_config *cfg, const char *v, char *err,
		     size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->mlock = true;
	return 0;
}

static int set_hugepages(struct vm_config *cfg, const char *v, char *err,
			 size_t errlen)
{
	if (!v || !strcmp(v, "hugetlb"))
		cfg->hugepages = MEM_PAGES_HUGETLB;
	else if (!strcmp(v, "thp"))
		cfg->hugepages = MEM_PAGES_THP;
	else if (!strcmp(v, "none"))
		cfg->hugepages = MEM_PAGES_SMALL;
	else
		return fail(err, errlen,
			    "--hugepages: '%s' is not hugetlb, thp or none", v);
	return 0;
}

static int set_disable_exits(struct vm_config *cfg, const char *v, char *err,
			     size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->exits = EXITS_DISABLE;
	return 0;
}

static int set_keep_exits(struct vm_config *cfg, const char *v, char *err,
			  size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->exits = EXITS_KEEP;
	return 0;
}

static int set_cgroup(struct vm_config *cfg, const char *v, char *err,
		      size_t errlen)
{
	if (!*v)
		return fail(err, errlen, "--cgroup: empty path");
	cfg->cgroup = v;
	return 0;
}

static int set_net(struct vm_config *cfg, const char *v, char *err,
		   size_t errlen)
{
	if (cfg->nnics == CONFIG_MAX_NICS)
		return fail(err, errlen, "--net: at most %d devices", CONFIG_MAX_NICS);
	if (config_parse_net(&cfg->net[cfg->nnics], v, cfg->nnics, err, errlen) < 0)
		return -EINVAL;
	for (unsigned int i = 0; i < cfg->nnics; i++)
		if (!strcmp(cfg->net[i].ifname, cfg->net[cfg->nnics].ifname))
			return fail(err, errlen, "--net: tap '%s' given twice",
				    cfg->net[i].ifname);
	cfg->nnics++;
	return 0;
}
/*
 * --vfio: a PCI address or an absolute sysfs path (resolved when the
 * partition is built), or platform:NAME[,ITEM]... (parsed here); the same
 * device twice is refused when the partition is built.
 */
static int set_vfio(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	char bdf[CONFIG_BDF_LEN + 1];

	if (cfg->nvfio == CONFIG_MAX_VFIO)
		return fail(err, errlen, "--vfio: at most %d devices", CONFIG_MAX_VFIO);
	if (!strncmp(v, "platform:", 9)) {
		if (config_parse_vfio_platform(v + 9, &cfg->vfio_platform[cfg->nvfio],
					       err, errlen) < 0)
			return -EINVAL;
		for (unsigned int i = 0; i < cfg->nvfio; i++)
			if (!strncmp(cfg->vfio[i], "platform:", 9) &&
			    !strcmp(cfg->vfio_platform[i].name,
				    cfg->vfio_platform[cfg->nvfio].name))
				return fail(err, errlen, "--vfio platform:%s: given twice",
					    cfg->vfio_platform[i].name);
	} else if (v[0] != '/' && config_parse_bdf(v, bdf) < 0)
		return fail(err, errlen,
			    "--vfio: '%s' is neither a PCI address (0000:00:01.0), a sysfs path nor platform:NAME",
			    v);
	cfg->vfio[cfg->nvfio++] = v;
	return 0;
}

static int set_vfio_noiommu(struct vm_config *cfg, const char *v, char *err,
			    size_t errlen)
{
	(void)v, (void)err, (void)errlen;
	cfg->vfio_noiommu = true;
	return 0;
}

static int set_seccomp(struct vm_config *cfg, const char *v, char *err,
		       size_t errlen)
{
	if (sandbox_parse_mode(v, &cfg->seccomp) < 0)
		return fail(err, errlen, "--seccomp: '%s' is not kill, trap, log, off or list", v);
	return 0;
}

static int set_user(struct vm_config *cfg, const char *v, char *err,
		    size_t errlen)
{
	if (sandbox_parse_user(v, &cfg->uid, &cfg->gid) < 0)
		return fail(err, errlen, "--user: '%s' is not UID[:GID] (numbers, not 0)", v);
	cfg->user_set = true;
	return 0;
}

static int set_chroot(struct vm_config *cfg, const char *v, char *err,
		      size_t errlen)
{
	if (v[0] != '/')
		return fail(err, errlen, "--chroot: '%s' is not an absolute path", v);
	cfg->chroot = v;
	return 0;
}

#define VALUE(n, a, arg, help_, fn) { n, a, CONFIG_ARG_VALUE, arg, help_, NULL, false, fn }
#define SWITCH(n, a, help_, fn) { n, a, CONFIG_ARG_NONE, NULL, help_, NULL, false, fn }

const struct config_flag config_flags[] = {
	VALUE("--kernel", NULL, "FILE",
	      "guest image: a Linux bzImage, an ELF64 (vmlinux or a test guest, loaded at its physical addresses) or a raw binary with --load-addr",
	      set_kernel),
	VALUE("--initrd", NULL, "FILE", "initial ramdisk for a Linux kernel",
	      set_initrd),
	VALUE("--cmdline", NULL, "STRING",
	      "kernel command line (tessera adds console=ttyS0 and reboot=k unless the string sets them)",
	      set_cmdline),
	VALUE("--load-addr", NULL, "ADDR",
	      "load a raw binary at ADDR and enter it there", set_load_addr),
	VALUE("--memory", "-m", "SIZE", "guest RAM, e.g. 64M or 1G (default 64M)",
	      set_memory),
	SWITCH("--memory-overcommit", NULL,
	       "start even when --memory is more than the host can commit now (the guest may then be OOM-killed when it touches its RAM)",
	       set_memory_overcommit),
	VALUE("--cpus", NULL, "N", "number of vCPUs, 1-64 (default 1)", set_cpus),
	VALUE("--serial", NULL, "MODE",
	      "stdio (default), none, file:PATH (a new file; never follows a symlink) or file:PATH,append (append to an existing regular file)",
	      set_serial),
	VALUE("--cpu-template", NULL, "T",
	      "host or baseline (default: baseline on kvm_pvm hosts, host elsewhere)",
	      set_template),
	VALUE("--disk", NULL, "path=FILE[,ro][,direct=on][,serial=ID]",
	      "a virtio-blk disk backed by a raw image or block device (size a multiple of 512); up to 8, the guest's vda, vdb, ... in order",
	      set_disk),
	VALUE("--net", NULL, "tap=NAME[,mac=XX:XX:XX:XX:XX:XX]",
	      "a virtio-net device on host tap NAME (created when root, else it must exist); up to 4",
	      set_net),
	VALUE("--vfio", NULL, "BDF|PATH|platform:NAME[,ITEM]",
	      "pass the host PCI device at BDF (0000:00:01.0) or sysfs PATH, bound to vfio-pci, through to the guest on its PCI bus; or the platform device NAME (9010000.pl031), bound to vfio-platform or vfio-amba, with a device-tree node (ITEM: clock=NAME:HZ or PROP=\"str\",...|<cells>|nothing); up to 8",
	      set_vfio),
	SWITCH("--vfio-noiommu", NULL,
	       "accept --vfio devices in the kernel's no-IOMMU groups (vfio enable_unsafe_noiommu_mode=1): UNSAFE, they are not isolated and their DMA reaches all host memory",
	       set_vfio_noiommu),
	VALUE("--name", NULL, "NAME", "partition name (device tree /hypervisor)",
	      set_name),
	VALUE("--dump-dtb", NULL, "FILE",
	      "write the partition's device tree to FILE and exit without running the guest",
	      set_dump_dtb),
	SWITCH("--stats", NULL,
	       "print KVM's statistics of the VM and each vCPU (exits by kind, emulation, faults) at exit",
	       set_stats),
	{ "--config", NULL, CONFIG_ARG_VALUE, "FILE",
	  "read options from a partition file (key = value lines, keys as these flags without '--'); flags on the command line override it",
	  NULL, true, set_config },

	{ "--pin", NULL, CONFIG_ARG_VALUE, "MAP",
	  "pin vCPU threads to host CPUs: 0=2,1=3 (vCPU=CPU) or a CPU list (2-3: vCPU i on the i-th CPU)",
	  "Real-time partitions:", false, set_pin },
	VALUE("--rt", NULL, "fifo[:PRIO]",
	      "SCHED_FIFO for the vCPU threads only (priority 1-99, default 50); implies --disable-exits",
	      set_rt),
	VALUE("--io-cpus", NULL, "LIST",
	      "pin the main and I/O threads (SCHED_OTHER) here", set_io_cpus),
	SWITCH("--mlock", NULL,
	       "lock all memory and prefault guest RAM before any vCPU runs",
	       set_mlock),
	{ "--hugepages", NULL, CONFIG_ARG_OPTIONAL, "[=thp|none]",
	  "back guest RAM with reserved huge pages (MAP_HUGETLB), or =thp: transparent huge pages required; =none: 4K pages only (the default asks for transparent huge pages if allowed)",
	  NULL, false, set_hugepages },
	SWITCH("--disable-exits", NULL,
	       "let vCPUs run HLT and PAUSE without exiting (KVM_CAP_X86_DISABLE_EXITS; only with --pin)",
	       set_disable_exits),
	SWITCH("--no-disable-exits", NULL, "keep HLT and PAUSE exits even with --rt",
	       set_keep_exits),
	VALUE("--cgroup", NULL, "PATH",
	      "move the monitor into this cgroup (v2: PATH; v1: PATH under the cpuset and cpu hierarchies)",
	      set_cgroup),

	{ "--seccomp", NULL, CONFIG_ARG_VALUE, "MODE",
	  "kill (default), trap, log or off: what a thread's seccomp filter does with a call outside its rules; list prints the rules and exits",
	  "Confinement (docs/security.md):", false, set_seccomp },
	VALUE("--user", NULL, "UID[:GID]",
	      "run as these ids once the partition is built", set_user),
	VALUE("--chroot", NULL, "DIR",
	      "enter DIR (in a new mount namespace) once every file is open",
	      set_chroot),

	{ "--gdb", NULL, CONFIG_ARG_VALUE, "tcp:HOST:PORT|unix:PATH",
	  "serve a gdb stub there (HOST empty: 127.0.0.1)", "", false, set_gdb },
	SWITCH("--gdb-wait", NULL,
	       "hold the guest before its first instruction until gdb connects and continues",
	       set_gdb_wait),
	SWITCH("--verbose", "-v", "log what the monitor does", set_verbose),
	{ "--help", "-h", CONFIG_ARG_NONE, NULL, "show this text", NULL, true,
	  set_help },
};

const unsigned int config_nflags = sizeof(config_flags) / sizeof(config_flags[0]);

const struct config_flag *config_find_flag(const char *arg, size_t namelen)
{
	for (unsigned int i = 0; i < config_nflags; i++) {
		const struct config_flag *f = &config_flags[i];

		if (strlen(f->name) == namelen && !strncmp(arg, f->name, namelen))
			return f;
		if (f->alias && strlen(f->alias) == namelen &&
		    !strncmp(arg, f->alias, namelen))
			return f;
	}
	return NULL;
}

/* snprintf into buf at *n, counting what would not fit (as snprintf does). */
static void __attribute__((format(printf, 4, 5)))
put(char *buf, size_t len, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(*n < len ? buf + *n : NULL, *n < len ? len - *n : 0, fmt,
		      ap);
	va_end(ap);
	if (w > 0)
		*n += (size_t)w;
}

enum { USAGE_HELP_COL = 25, USAGE_WIDTH = 79 };

/* One flag: "  -m, --memory SIZE" and its help, wrapped at USAGE_WIDTH. */
static void usage_flag(const struct config_flag *f, char *buf, size_t len,
		       size_t *n)
{
	size_t start = *n, col;
	const char *p = f->help;

	put(buf, len, n, "  %s%s%s%s%s", f->alias ? f->alias : "",
	    f->alias ? ", " : "", f->name,
	    f->argname && f->arg == CONFIG_ARG_VALUE ? " " : "",
	    f->argname ? f->argname : "");
	col = *n - start;
	if (col + 2 > USAGE_HELP_COL) { /* a long flag: the help goes below */
		put(buf, len, n, "\n");
		col = 0;
	}
	while (*p) {
		size_t word = strcspn(p, " ");

		if (col > USAGE_HELP_COL && col + 1 + word > USAGE_WIDTH) {
			put(buf, len, n, "\n");
			col = 0;
		}
		if (col < USAGE_HELP_COL) {
			put(buf, len, n, "%*s", (int)(USAGE_HELP_COL - col), "");
			col = USAGE_HELP_COL;
		} else {
			put(buf, len, n, " ");
			col++;
		}
		put(buf, len, n, "%.*s", (int)word, p);
		col += word;
		p += word;
		while (*p == ' ')
			p++;
	}
	put(buf, len, n, "\n");
}

size_t config_format_usage(char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	put(buf, len, &n, "usage: tessera run --kernel FILE [options]\n\n");
	for (unsigned int i = 0; i < config_nflags; i++) {
		const struct config_flag *f = &config_flags[i];

		if (f->section)
			put(buf, len, &n, "\n%s%s", f->section,
			    *f->section ? "\n" : "");
		usage_flag(f, buf, len, &n);
	}
	put(buf, len, &n,
	    "\nThe guest ends the run by writing a byte to I/O port 0x501 (the exit\n"
	    "status: 0, or 3-119 for its failures) or by a reset request. Ctrl-A x\n"
	    "quits an interactive console. Exit status 2 is a user error, 1 a monitor\n"
	    "or host failure, 121 a KVM failure, 128+S a signal (README: Exit status).\n");
	return n;
}

static int validate(const struct vm_config *cfg, char *err, size_t errlen)
{
	if (cfg->help)
		return 0;
	if (!cfg->kernel)
		return fail(err, errlen, "missing --kernel FILE");
	/* --load-addr is checked where RAM is laid out (the loader: "does not
	 * fit in guest RAM"): arm64's RAM starts at 2 GiB, x86's has a hole. */
	for (unsigned int i = cfg->cpus; i < CONFIG_MAX_CPUS; i++)
		if (cfg->pin[i] >= 0)
			return fail(err, errlen,
				    "--pin: vCPU %u does not exist (--cpus %u)",
				    i, cfg->cpus);
	if (cfg->hugepages == MEM_PAGES_HUGETLB &&
	    cfg->mem_size % CONFIG_HUGE_PAGE_SIZE)
		return fail(err, errlen,
			    "--hugepages: --memory must be a multiple of 2M");
	if (cfg->vfio_noiommu && !cfg->nvfio)
		return fail(err, errlen, "--vfio-noiommu needs --vfio");
	if (cfg->gdb_wait && !cfg->gdb)
		return fail(err, errlen, "--gdb-wait needs --gdb");
	return 0;
}

bool config_wants_disable_exits(const struct vm_config *cfg)
{
	if (cfg->exits == EXITS_AUTO)
		return cfg->rt_policy == RT_POLICY_FIFO;
	return cfg->exits == EXITS_DISABLE;
}

/*
 * The flag at argv[*i] and its value, advancing *i past a separate value.
 * 0, or -EINVAL with the reason in err.
 */
static int next_flag(int argc, char *const argv[], int *i,
		     const struct config_flag **flag, const char **val,
		     char *err, size_t errlen)
{
	const char *arg = argv[*i], *eq;
	const struct config_flag *f;
	size_t namelen;

	*val = NULL;
	if (arg[0] != '-')
		return fail(err, errlen, "unexpected argument '%s'", arg);
	eq = strchr(arg, '=');
	namelen = eq ? (size_t)(eq - arg) : strlen(arg);
	f = config_find_flag(arg, namelen);
	if (!f)
		return fail(err, errlen, "unknown option '%.*s'", (int)namelen,
			    arg);
	*flag = f;
	switch (f->arg) {
	case CONFIG_ARG_OPTIONAL:
		*val = eq ? eq + 1 : NULL;
		return 0;
	case CONFIG_ARG_VALUE:
		if (eq)
			*val = eq + 1;
		else if (*i + 1 < argc)
			*val = argv[++*i];
		else
			return fail(err, errlen, "%s needs a value", f->name);
		return 0;
	case CONFIG_ARG_NONE:
		break;
	}
	if (eq)
		return fail(err, errlen, "%s takes no value", f->name);
	return 0;
}

int config_parse_run(struct vm_config *cfg, int argc, char *const argv[],
		     char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		const struct config_flag *f;
		const char *val;
		int r = next_flag(argc, argv, &i, &f, &val, err, errlen);

		r = r ?: f->apply(cfg, val, err, errlen);
		if (r < 0)
			return r;
	}
	return validate(cfg, err, errlen);
}

const char *config_find_file(int argc, char *const argv[])
{
	const char *path = NULL;

	for (int i = 0; i < argc; i++) {
		const struct config_flag *f;
		const char *val;

		/* A bad argument: config_parse_run() reports it. */
		if (next_flag(argc, argv, &i, &f, &val, NULL, 0) < 0)
			continue;
		if (f->apply == set_config)
			path = val;
	}
	return path;
}
