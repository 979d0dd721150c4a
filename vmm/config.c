// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
	"  --name NAME            partition name (device tree /hypervisor)\n"
	"  --dump-dtb FILE        write the partition's device tree to FILE and\n"
	"                         exit without running the guest\n"
	"  --stats                print KVM's statistics of the VM and each vCPU\n"
	"                         (exits by kind, emulation, faults) at exit\n"
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
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

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
	{ "--verbose", "-v", false, set_verbose },
	{ "--help", "-h", false, set_help },
};

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
	if (cfg->gdb_wait && !cfg->gdb)
		return fail(err, errlen, "--gdb-wait needs --gdb");
	return 0;
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
		if (f->has_value) {
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
