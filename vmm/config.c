// SPDX-License-Identifier: GPL-2.0
#include "config.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "rt.h"
#include "sandbox.h"

const char config_usage[] =
	"usage: tessera run --kernel FILE [options]\n"
	"\n"
	"  --kernel FILE          guest image: a Linux bzImage, an ELF64 (vmlinux\n"
	"                         or a test guest, loaded at its physical\n"
	"                         addresses) or a raw binary with --load-addr\n"
	"  --initrd FILE          initial ramdisk for a Linux kernel\n"
	"  --cmdline STRING       kernel command line (tessera adds console=ttyS0\n"
	"                         and reboot=k unless the string sets them)\n"
	"  --load-addr ADDR       load a raw binary at ADDR and enter it there\n"
	"  --memory SIZE          guest RAM, e.g. 64M or 1G (default 64M)\n"
	"  --cpus N               number of vCPUs, 1-64 (default 1)\n"
	"  --serial MODE          stdio (default), file:PATH or none\n"
	"  --cpu-template T       host or baseline (default: baseline on\n"
	"                         kvm_pvm hosts, host elsewhere)\n"
	"  --disk path=FILE[,ro][,direct=on][,serial=ID]\n"
	"                         a virtio-blk disk backed by a raw image or block\n"
	"                         device (size a multiple of 512); up to 8, the\n"
	"                         guest's vda, vdb, ... in order\n"
	"  --net tap=NAME[,mac=XX:XX:XX:XX:XX:XX]\n"
	"                         a virtio-net device on host tap NAME (created\n"
	"                         when root, else it must exist); up to 4\n"
	"  --name NAME            partition name (device tree /hypervisor)\n"
	"  --dump-dtb FILE        write the partition's device tree to FILE and\n"
	"                         exit without running the guest\n"
	"  --stats                print KVM's statistics of the VM and each vCPU\n"
	"                         (exits by kind, emulation, faults) at exit\n"
	"  --config FILE          read options from a partition file (key = value\n"
	"                         lines, keys as these flags without '--');\n"
	"                         flags on the command line override it\n"
	"\n"
	"Real-time partitions:\n"
	"  --pin MAP              pin vCPU threads to host CPUs: 0=2,1=3 (vCPU=CPU)\n"
	"                         or a CPU list (2-3: vCPU i on the i-th CPU)\n"
	"  --rt fifo[:PRIO]       SCHED_FIFO for the vCPU threads only (priority\n"
	"                         1-99, default 50); implies --disable-exits\n"
	"  --io-cpus LIST         pin the main and I/O threads (SCHED_OTHER) here\n"
	"  --mlock                lock all memory and prefault guest RAM before\n"
	"                         any vCPU runs\n"
	"  --hugepages[=thp]      back guest RAM with reserved huge pages\n"
	"                         (MAP_HUGETLB), or =thp: transparent huge pages\n"
	"                         required; =none: 4K pages only (the default\n"
	"                         asks for transparent huge pages if allowed)\n"
	"  --disable-exits        let vCPUs run HLT and PAUSE without exiting\n"
	"                         (KVM_CAP_X86_DISABLE_EXITS; only with --pin)\n"
	"  --no-disable-exits     keep HLT and PAUSE exits even with --rt\n"
	"  --cgroup PATH          move the monitor into this cgroup (v2: PATH;\n"
	"                         v1: PATH under the cpuset and cpu hierarchies)\n"
	"\n"
	"Confinement (docs/security.md):\n"
	"  --seccomp MODE         kill (default), trap, log or off: what a thread's\n"
	"                         seccomp filter does with a call outside its\n"
	"                         rules; list prints the rules and exits\n"
	"  --user UID[:GID]       run as these ids once the partition is built\n"
	"  --chroot DIR           enter DIR (in a new mount namespace) once every\n"
	"                         file is open\n"
	"\n"
	"  --gdb tcp:HOST:PORT|unix:PATH\n"
	"                         serve a gdb stub there (HOST empty: 127.0.0.1)\n"
	"  --gdb-wait             hold the guest before its first instruction\n"
	"                         until gdb connects and continues\n"
	"  -v, --verbose          log what the monitor does\n"
	"  -h, --help             show this text\n"
	"\n"
	"The guest ends the run by writing a byte to I/O port 0x501 (the exit\n"
	"status) or by a reset request. Ctrl-A x quits an interactive console.\n";

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

int config_parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int base = 10, digit;

	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return -EINVAL;
	}
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digit = (unsigned int)(*s - '0');
		else if (base == 16 && isxdigit((unsigned char)*s))
			digit = (unsigned int)(tolower((unsigned char)*s) - 'a' + 10);
		else
			return -EINVAL;
		if (v > (UINT64_MAX - digit) / base)
			return -EINVAL;
		v = v * base + digit;
	}
	*out = v;
	return 0;
}

int config_parse_size(const char *s, uint64_t *out)
{
	char num[32];
	size_t len;
	unsigned int shift = 0;
	uint64_t v;

	if (!s)
		return -EINVAL;
	len = strlen(s);
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, len + 1);
	switch (tolower((unsigned char)num[len - 1])) {
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;
	case 't':
		shift = 40;
		break;
	default:
		break;
	}
	if (shift)
		num[len - 1] = '\0';
	if (config_parse_u64(num, &v) < 0)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -EINVAL;
	*out = v << shift;
	return 0;
}

/* One flag: its name, whether it takes a value, and how to apply it. */
struct flag {
	const char *name;
	const char *alias;
	bool has_value;
	int (*apply)(struct vm_config *cfg, const char *val, char *err,
		     size_t errlen);
};

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
	if (!strcmp(v, "stdio")) {
		cfg->serial = SERIAL_STDIO;
	} else if (!strcmp(v, "none")) {
		cfg->serial = SERIAL_NONE;
	} else if (!strncmp(v, "file:", 5) && v[5]) {
		cfg->serial = SERIAL_FILE;
		cfg->serial_path = v + 5;
	} else {
		return fail(err, errlen,
			    "--serial: '%s' is not stdio, none or file:PATH", v);
	}
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

/* "on"/"off" (and "yes"/"no", "1"/"0") of a --disk option. */
static int parse_bool(const char *v, size_t len, bool *out)
{
	static const char *const on[] = { "on", "yes", "1" };
	static const char *const off[] = { "off", "no", "0" };

	for (size_t i = 0; i < 3; i++) {
		if (strlen(on[i]) == len && !strncmp(v, on[i], len)) {
			*out = true;
			return 0;
		}
		if (strlen(off[i]) == len && !strncmp(v, off[i], len)) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

/* One "key[=value]" item of a --disk value. */
static int disk_option(struct disk_config *d, const char *item, size_t len,
		       char *err, size_t errlen)
{
	const char *eq = memchr(item, '=', len);
	size_t klen = eq ? (size_t)(eq - item) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - klen - 1 : 0;

	if (klen == 4 && !strncmp(item, "path", 4)) {
		if (!v || !vlen)
			return fail(err, errlen, "--disk: empty path");
		if (vlen >= sizeof(d->path))
			return fail(err, errlen, "--disk: path longer than %zu bytes",
				    sizeof(d->path) - 1);
		memcpy(d->path, v, vlen);
		d->path[vlen] = '\0';
		return 0;
	}
	if ((klen == 2 && !strncmp(item, "ro", 2)) ||
	    (klen == 6 && !strncmp(item, "direct", 6))) {
		bool *flag = klen == 2 ? &d->ro : &d->direct;

		if (!v && klen == 2) {
			*flag = true;
			return 0;
		}
		if (!v || parse_bool(v, vlen, flag) < 0)
			return fail(err, errlen, "--disk: %.*s takes on or off",
				    (int)klen, item);
		return 0;
	}
	if (klen == 6 && !strncmp(item, "serial", 6)) {
		if (!v || !vlen || vlen > CONFIG_DISK_SERIAL_MAX)
			return fail(err, errlen,
				    "--disk: serial must be 1 to %d characters",
				    CONFIG_DISK_SERIAL_MAX);
		for (size_t i = 0; i < vlen; i++)
			if (v[i] <= ' ' || v[i] > '~')
				return fail(err, errlen,
					    "--disk: serial may hold only printable ASCII without spaces");
		memcpy(d->serial, v, vlen);
		d->serial[vlen] = '\0';
		return 0;
	}
	return fail(err, errlen,
		    "--disk: unknown option '%.*s' (path=, ro, direct=, serial=)",
		    (int)len, item);
}

int config_parse_disk(struct disk_config *d, const char *s, char *err,
		      size_t errlen)
{
	memset(d, 0, sizeof(*d));
	for (const char *p = s;;) {
		size_t len = strcspn(p, ",");
		int r;

		if (len == 0)
			return fail(err, errlen, "--disk: empty option in '%s'", s);
		r = disk_option(d, p, len, err, errlen);
		if (r < 0)
			return r;
		if (!p[len])
			break;
		p += len + 1;
	}
	if (!d->path[0])
		return fail(err, errlen, "--disk: '%s' lacks path=FILE", s);
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
	struct gdb_endpoint ep;

	if (config_parse_gdb_endpoint(v, &ep) < 0)
		return fail(err, errlen,
			    "--gdb: '%s' is not tcp:HOST:PORT or unix:PATH", v);
	cfg->gdb = v;
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

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "XX:XX:XX:XX:XX:XX", exactly 17 characters. */
static int parse_mac(const char *v, size_t len, uint8_t mac[6])
{
	if (len != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hexval(v[3 * i]), lo = hexval(v[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && v[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int net_option(struct net_config *n, const char *item, size_t len,
		      char *err, size_t errlen)
{
	const char *eq = memchr(item, '=', len);
	size_t klen = eq ? (size_t)(eq - item) : len;
	const char *v = eq ? eq + 1 : NULL;
	size_t vlen = eq ? len - klen - 1 : 0;

	if (klen == 3 && !strncmp(item, "tap", 3)) {
		if (!v || !vlen || vlen > CONFIG_NET_IFNAME_MAX)
			return fail(err, errlen, "--net: tap name must be 1 to %d characters",
				    CONFIG_NET_IFNAME_MAX);
		for (size_t i = 0; i < vlen; i++)
			/* '%' would let the kernel pick the name ("tap%d"). */
			if (v[i] <= ' ' || v[i] > '~' || v[i] == '/' || v[i] == ':' ||
			    v[i] == '%')
				return fail(err, errlen, "--net: bad tap name '%.*s'",
					    (int)vlen, v);
		memcpy(n->ifname, v, vlen);
		n->ifname[vlen] = '\0';
		return 0;
	}
	if (klen == 3 && !strncmp(item, "mac", 3)) {
		static const uint8_t zero[6];

		if (!v || parse_mac(v, vlen, n->mac) < 0)
			return fail(err, errlen,
				    "--net: bad MAC '%.*s' (want XX:XX:XX:XX:XX:XX)",
				    (int)vlen, v ? v : "");
		if ((n->mac[0] & 1) || !memcmp(n->mac, zero, 6))
			return fail(err, errlen,
				    "--net: MAC '%.*s' is not a unicast address",
				    (int)vlen, v);
		n->mac_set = true;
		return 0;
	}
	return fail(err, errlen, "--net: unknown option '%.*s' (tap=, mac=)",
		    (int)len, item);
}

int config_parse_net(struct net_config *n, const char *s, unsigned int index,
		     char *err, size_t errlen)
{
	uint32_t h = 2166136261u; /* FNV-1a of the name */

	memset(n, 0, sizeof(*n));
	for (const char *p = s;;) {
		size_t len = strcspn(p, ",");
		int r;

		if (len == 0)
			return fail(err, errlen, "--net: empty option in '%s'", s);
		r = net_option(n, p, len, err, errlen);
		if (r < 0)
			return r;
		if (!p[len])
			break;
		p += len + 1;
	}
	if (!n->ifname[0])
		return fail(err, errlen, "--net: '%s' lacks tap=NAME", s);
	if (!n->mac_set) {
		for (const char *c = n->ifname; *c; c++)
			h = (h ^ (uint8_t)*c) * 16777619u;
		n->mac[0] = 0x02; /* locally administered, unicast */
		n->mac[1] = 0x54;
		n->mac[2] = 0x53;
		n->mac[3] = (uint8_t)(h >> 8);
		n->mac[4] = (uint8_t)h;
		n->mac[5] = (uint8_t)index;
	}
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

static const struct flag flags[] = {
	{ "--kernel", NULL, true, set_kernel },
	{ "--initrd", NULL, true, set_initrd },
	{ "--cmdline", NULL, true, set_cmdline },
	{ "--memory", "-m", true, set_memory },
	{ "--cpus", NULL, true, set_cpus },
	{ "--serial", NULL, true, set_serial },
	{ "--cpu-template", NULL, true, set_template },
	{ "--load-addr", NULL, true, set_load_addr },
	{ "--name", NULL, true, set_name },
	{ "--dump-dtb", NULL, true, set_dump_dtb },
	{ "--stats", NULL, false, set_stats },
	{ "--gdb", NULL, true, set_gdb },
	{ "--gdb-wait", NULL, false, set_gdb_wait },
	{ "--disk", NULL, true, set_disk },
	{ "--net", NULL, true, set_net },
	{ "--verbose", "-v", false, set_verbose },
	{ "--help", "-h", false, set_help },
	{ "--config", NULL, true, set_config },
	{ "--pin", NULL, true, set_pin },
	{ "--rt", NULL, true, set_rt },
	{ "--io-cpus", NULL, true, set_io_cpus },
	{ "--mlock", NULL, false, set_mlock },
	{ "--hugepages", NULL, false, set_hugepages },
	{ "--disable-exits", NULL, false, set_disable_exits },
	{ "--no-disable-exits", NULL, false, set_keep_exits },
	{ "--cgroup", NULL, true, set_cgroup },
	{ "--seccomp", NULL, true, set_seccomp },
	{ "--user", NULL, true, set_user },
	{ "--chroot", NULL, true, set_chroot },
};

/* Flags whose value is optional and given only as --flag=VALUE. */
static bool opt_value(const struct flag *f)
{
	return f->apply == set_hugepages;
}

static const struct flag *find_flag(const char *arg, size_t namelen)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const struct flag *f = &flags[i];

		if (strlen(f->name) == namelen && !strncmp(arg, f->name, namelen))
			return f;
		if (f->alias && strlen(f->alias) == namelen &&
		    !strncmp(arg, f->alias, namelen))
			return f;
	}
	return NULL;
}

static int validate(const struct vm_config *cfg, char *err, size_t errlen)
{
	if (cfg->help)
		return 0;
	if (!cfg->kernel)
		return fail(err, errlen, "missing --kernel FILE");
	if (cfg->load_addr_set &&
	    (cfg->load_addr >= cfg->mem_size))
		return fail(err, errlen,
			    "--load-addr: 0x%llx is outside guest RAM",
			    (unsigned long long)cfg->load_addr);
	for (unsigned int i = cfg->cpus; i < CONFIG_MAX_CPUS; i++)
		if (cfg->pin[i] >= 0)
			return fail(err, errlen,
				    "--pin: vCPU %u does not exist (--cpus %u)",
				    i, cfg->cpus);
	if (cfg->hugepages == MEM_PAGES_HUGETLB &&
	    cfg->mem_size % CONFIG_HUGE_PAGE_SIZE)
		return fail(err, errlen,
			    "--hugepages: --memory must be a multiple of 2M");
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

int config_parse_run(struct vm_config *cfg, int argc, char *const argv[],
		     char *err, size_t errlen)
{
	for (int i = 0; i < argc; i++) {
		const char *arg = argv[i], *eq, *val = NULL;
		const struct flag *f;
		size_t namelen;
		int r;

		if (arg[0] != '-')
			return fail(err, errlen, "unexpected argument '%s'", arg);
		eq = strchr(arg, '=');
		namelen = eq ? (size_t)(eq - arg) : strlen(arg);
		f = find_flag(arg, namelen);
		if (!f)
			return fail(err, errlen, "unknown option '%.*s'",
				    (int)namelen, arg);
		if (opt_value(f)) {
			val = eq ? eq + 1 : NULL;
		} else if (f->has_value) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else
				return fail(err, errlen, "%s needs a value",
					    f->name);
		} else if (eq) {
			return fail(err, errlen, "%s takes no value", f->name);
		}
		r = f->apply(cfg, val, err, errlen);
		if (r < 0)
			return r;
	}
	return validate(cfg, err, errlen);
}

const char *config_find_file(int argc, char *const argv[])
{
	const char *path = NULL;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			path = argv[++i];
		else if (!strncmp(argv[i], "--config=", 9))
			path = argv[i] + 9;
	}
	return path;
}

static bool is_word(const char *v, const char *const words[])
{
	for (; *words; words++)
		if (!strcasecmp(v, *words))
			return true;
	return false;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* One "key = value" line of a partition file. */
static int parse_file_line(struct vm_config *cfg, char *line, char *err,
			   size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	char flag[40], *key = line, *val = strchr(line, '=');
	const struct flag *f;

	if (val)
		*val++ = '\0';
	key = trim(key);
	val = val ? trim(val) : NULL;
	if (!*key || strlen(key) > sizeof(flag) - 3 || key[0] == '-')
		return fail(err, errlen, "'%s' is not a key", key);
	snprintf(flag, sizeof(flag), "--%s", key);
	f = find_flag(flag, strlen(flag));
	if (!f || !strcmp(key, "config") || !strcmp(key, "help"))
		return fail(err, errlen, "unknown key '%s'", key);
	if (val && val[0] == '"' && strlen(val) >= 2 &&
	    val[strlen(val) - 1] == '"') { /* "a quoted value" */
		val[strlen(val) - 1] = '\0';
		val++;
	}
	if (f->has_value) {
		if (!val)
			return fail(err, errlen, "%s needs '= value'", key);
		return f->apply(cfg, val, err, errlen);
	}
	if (opt_value(f))
		return f->apply(cfg, val && !is_word(val, yes) ? val : NULL, err,
				errlen);
	if (!val || is_word(val, yes))
		return f->apply(cfg, NULL, err, errlen);
	if (is_word(val, no))
		return 0; /* the file comes first: "no" is the default */
	return fail(err, errlen, "%s takes yes or no, not '%s'", key, val);
}

int config_parse_file(struct vm_config *cfg, char *text, const char *name,
		      char *err, size_t errlen)
{
	unsigned int lineno = 0;
	char *line = text, reason[200];

	while (line && *line) {
		char *next = strchr(line, '\n'), *hash;

		lineno++;
		if (next)
			*next++ = '\0';
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		line = trim(line);
		if (*line && parse_file_line(cfg, line, reason, sizeof(reason)) < 0)
			return fail(err, errlen, "%s:%u: %s", name, lineno,
				    reason);
		line = next;
	}
	return 0;
}

/* Whether the command line sets key (as "key" or "key=..."). */
static bool cmdline_has_key(const char *line, const char *key, size_t keylen)
{
	for (const char *p = line; *p;) {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len >= keylen && !strncmp(p, key, keylen) &&
		    (len == keylen || p[keylen] == '='))
			return true;
		p += len;
	}
	return false;
}

int config_merge_cmdline(const char *defaults, const char *user, char *out,
			 size_t max)
{
	size_t n = 0;

	if (!user)
		user = "";
	out[0] = '\0';
	for (const char *p = defaults; *p;) {
		size_t len, keylen;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		keylen = strcspn(p, "= ");
		if (len && !cmdline_has_key(user, p, keylen)) {
			if (n + len + 1 > max)
				return -E2BIG;
			memcpy(out + n, p, len);
			n += len;
			out[n++] = ' ';
			out[n] = '\0';
		}
		p += len;
	}
	if (n + strlen(user) > max)
		return -E2BIG;
	memcpy(out + n, user, strlen(user) + 1);
	n += strlen(user);
	while (n && out[n - 1] == ' ')
		out[--n] = '\0';
	return (int)n;
}
