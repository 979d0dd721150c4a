// SPDX-License-Identifier: GPL-2.0
/*
 * Value grammars of `tessera run` flags (config.h): numbers, sizes, --serial,
 * --disk and --net values. Pure: no file, no global.
 */
#include "config.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
int config_parse_serial(const char *v, enum serial_mode *mode, char *path,
			size_t pathlen, bool *append)
{
	static const char suffix[] = ",append";
	const size_t slen = sizeof(suffix) - 1;
	size_t len;

	*append = false;
	if (!strcmp(v, "stdio")) {
		*mode = SERIAL_STDIO;
		return 0;
	}
	if (!strcmp(v, "none")) {
		*mode = SERIAL_NONE;
		return 0;
	}
	if (strncmp(v, "file:", 5))
		return -EINVAL;
	v += 5;
	len = strlen(v);
	if (len >= slen && !strcmp(v + len - slen, suffix)) {
		*append = true;
		len -= slen;
	}
	if (!len || len >= pathlen)
		return -EINVAL;
	memcpy(path, v, len);
	path[len] = '\0';
	*mode = SERIAL_FILE;
	return 0;
}

static int hex_field(const char **p, unsigned int digits, unsigned int max,
		     unsigned int *v)
{
	unsigned int n = 0, val = 0;

	while (n < digits && isxdigit((unsigned char)**p)) {
		char c = (char)tolower((unsigned char)**p);

		val = val * 16 + (unsigned int)(isdigit((unsigned char)c) ? c - '0' : c - 'a' + 10);
		(*p)++;
		n++;
	}
	if (n == 0 || val > max)
		return -EINVAL;
	*v = val;
	return 0;
}

int config_parse_bdf(const char *s, char *out)
{
	unsigned int dom = 0, bus, dev, fn;
	const char *p = s, *colon = strchr(s, ':');

	if (colon && strchr(colon + 1, ':')) {
		if (hex_field(&p, 4, 0xffff, &dom) || *p++ != ':')
			return -EINVAL;
	}
	if (hex_field(&p, 2, 0xff, &bus) || *p++ != ':' ||
	    hex_field(&p, 2, 0x1f, &dev) || *p++ != '.' ||
	    hex_field(&p, 1, 7, &fn) || *p)
		return -EINVAL;
	snprintf(out, CONFIG_BDF_LEN + 1, "%04x:%02x:%02x.%x", dom, bus, dev, fn);
	return 0;
}

/* --- --vfio platform:NAME[,ITEM]... ------------------------------------- */

/* Characters of a DT property name (Devicetree Specification 2.2.4). */
static bool dt_prop_char(char c)
{
	return isalnum((unsigned char)c) || strchr(",._+?#-", c);
}

/* Properties tessera writes itself: never the user's. */
static bool dt_prop_reserved(const char *name)
{
	static const char *const ours[] = { "reg", "interrupts",
		"interrupt-parent", "interrupts-extended", "phandle", "clocks",
		"clock-names", NULL };

	for (unsigned int i = 0; ours[i]; i++)
		if (!strcmp(name, ours[i]))
			return true;
	return false;
}

/* "a","b": NUL-terminated strings into p; *s moves past the list. */
static int parse_dt_strings(const char **s, struct vfio_dt_prop *p, char *err,
			    size_t errlen)
{
	const char *c = *s;

	while (*c == '"') {
		const char *end = strchr(c + 1, '"');
		size_t n;

		if (!end)
			return err_printf(err, errlen, -EINVAL,
					  "%s: unterminated string", p->name);
		n = (size_t)(end - c - 1);
		if (p->len + n + 1 > CONFIG_VFIO_PROP_LEN)
			return err_printf(err, errlen, -EINVAL,
					  "%s: longer than %d bytes", p->name,
					  CONFIG_VFIO_PROP_LEN);
		memcpy(p->val + p->len, c + 1, n);
		p->val[p->len + n] = '\0';
		p->len += (unsigned int)n + 1;
		c = end + 1;
		if (c[0] == ',' && c[1] == '"')
			c++;
	}
	*s = c;
	return 0;
}

/* <1 0x2 3>: big-endian cells into p; *s moves past the '>'. */
static int parse_dt_cells(const char **s, struct vfio_dt_prop *p, char *err,
			  size_t errlen)
{
	const char *c = *s + 1;

	for (;;) {
		unsigned long long v;
		char *end;

		while (*c == ' ')
			c++;
		if (*c == '>')
			break;
		errno = 0;
		v = strtoull(c, &end, 0);
		if (end == c || errno || v > UINT32_MAX || (*end != ' ' && *end != '>'))
			return err_printf(err, errlen, -EINVAL,
					  "%s: <...> holds 32-bit numbers separated by spaces",
					  p->name);
		if (p->len + 4 > CONFIG_VFIO_PROP_LEN)
			return err_printf(err, errlen, -EINVAL,
					  "%s: longer than %d bytes", p->name,
					  CONFIG_VFIO_PROP_LEN);
		for (int i = 3; i >= 0; i--)
			p->val[p->len++] = (uint8_t)(v >> (8 * i));
		c = end;
	}
	*s = c + 1;
	return 0;
}

/* clock=NAME:HZ, up to the next ',' or the end. */
static int parse_dt_clock(const char **s, struct vfio_platform_config *out,
			  char *err, size_t errlen)
{
	const char *c = *s, *colon = strchr(c, ':');
	size_t n = colon ? (size_t)(colon - c) : 0;
	unsigned long long hz;
	char *end;

	if (out->nclocks == CONFIG_VFIO_CLOCKS)
		return err_printf(err, errlen, -EINVAL, "at most %d clocks",
				  CONFIG_VFIO_CLOCKS);
	if (!n || n > CONFIG_VFIO_DT_NAME_MAX || memchr(c, ',', n))
		return err_printf(err, errlen, -EINVAL,
				  "clock= takes NAME:HZ (apb_pclk:24000000)");
	for (size_t i = 0; i < n; i++)
		if (!dt_prop_char(c[i]))
			return err_printf(err, errlen, -EINVAL,
					  "clock name '%.*s' is not a DT name",
					  (int)n, c);
	errno = 0;
	hz = strtoull(colon + 1, &end, 0);
	if (end == colon + 1 || errno || !hz || hz > UINT32_MAX ||
	    (*end && *end != ','))
		return err_printf(err, errlen, -EINVAL,
				  "clock %.*s: HZ must be 1 to 4294967295",
				  (int)n, c);
	memcpy(out->clock[out->nclocks].name, c, n);
	out->clock[out->nclocks].name[n] = '\0';
	out->clock[out->nclocks++].hz = (uint32_t)hz;
	*s = end;
	return 0;
}

/* PROP=VALUE, up to the next ',' or the end. */
static int parse_dt_prop(const char **s, struct vfio_platform_config *out,
			 char *err, size_t errlen)
{
	const char *c = *s, *eq = c;
	struct vfio_dt_prop *p;
	size_t n;
	int r = 0;

	while (*eq && *eq != '=' && dt_prop_char(*eq))
		eq++;
	n = (size_t)(eq - c);
	if (*eq != '=' || !n || n > CONFIG_VFIO_DT_NAME_MAX)
		return err_printf(err, errlen, -EINVAL,
				  "'%s': not PROP=VALUE or clock=NAME:HZ", c);
	if (out->nprops == CONFIG_VFIO_PROPS)
		return err_printf(err, errlen, -EINVAL, "at most %d properties",
				  CONFIG_VFIO_PROPS);
	p = &out->prop[out->nprops];
	memset(p, 0, sizeof(*p));
	memcpy(p->name, c, n);
	if (dt_prop_reserved(p->name))
		return err_printf(err, errlen, -EINVAL,
				  "%s is tessera's to write (clocks: use clock=NAME:HZ)",
				  p->name);
	for (unsigned int i = 0; i < out->nprops; i++)
		if (!strcmp(out->prop[i].name, p->name))
			return err_printf(err, errlen, -EINVAL, "%s given twice",
					  p->name);
	c = eq + 1;
	if (*c == '"')
		r = parse_dt_strings(&c, p, err, errlen);
	else if (*c == '<')
		r = parse_dt_cells(&c, p, err, errlen);
	if (r)
		return r;
	if (*c && *c != ',')
		return err_printf(err, errlen, -EINVAL,
				  "%s: a value is \"strings\", <cells> or nothing",
				  p->name);
	out->nprops++;
	*s = c;
	return 0;
}

int config_parse_vfio_platform(const char *s, struct vfio_platform_config *out,
			       char *err, size_t errlen)
{
	size_t n = strcspn(s, ",");
	char reason[160];
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (!n || n > CONFIG_VFIO_NAME_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") < n)
		return err_printf(err, errlen, -EINVAL,
				  "--vfio platform:%.*s: not a platform device name (9010000.pl031)",
				  (int)n, s);
	memcpy(out->name, s, n);
	s += n;
	while (*s == ',' && !r) {
		s++;
		if (!strncmp(s, "clock=", 6)) {
			s += 6;
			r = parse_dt_clock(&s, out, reason, sizeof(reason));
		} else {
			r = parse_dt_prop(&s, out, reason, sizeof(reason));
		}
	}
	if (!r && *s)
		r = err_printf(reason, sizeof(reason), -EINVAL, "trailing '%s'", s);
	if (r)
		return err_printf(err, errlen, r, "--vfio platform:%s: %s",
				  out->name, reason);
	return 0;
}
