// SPDX-License-Identifier: GPL-2.0
/*
 * Partition files (config.h): "key = value" lines whose keys are the flags
 * of `tessera run`. Reading one is the only I/O here; parsing is pure.
 */
#include "config.h"
#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "preflight.h"

#define CONFIG_FILE_MAX (64 * 1024)
#define CONFIG_KEY_MAX 37

#define fail(err, errlen, ...) err_printf(err, errlen, -EINVAL, __VA_ARGS__)

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

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/*
 * Whether key looks like a key: lowercase letters, digits and '-', not
 * starting with '-'. Only such a key is echoed in an error: a line of
 * another kind of file (a password file given to --config) is not.
 */
static bool key_shaped(const char *key)
{
	size_t n = strspn(key, "abcdefghijklmnopqrstuvwxyz0123456789-");

	return n && !key[n] && n <= CONFIG_KEY_MAX && key[0] != '-';
}

/* One "key = value" line of a partition file. */
static int parse_file_line(struct vm_config *cfg, char *line, char *err,
			   size_t errlen)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	char flag[CONFIG_KEY_MAX + 3], *key = line, *val = strchr(line, '=');
	const struct config_flag *f;

	if (val)
		*val++ = '\0';
	key = trim(key);
	val = val ? trim(val) : NULL;
	if (!key_shaped(key))
		return fail(err, errlen,
			    "not a 'key = value' line (is this a partition file?)");
	snprintf(flag, sizeof(flag), "--%s", key);
	f = config_find_flag(flag, strlen(flag));
	if (!f || f->cmdline_only)
		return fail(err, errlen, "unknown key '%s'", key);
	if (val && val[0] == '"' && strlen(val) >= 2 &&
	    val[strlen(val) - 1] == '"') { /* "a quoted value" */
		val[strlen(val) - 1] = '\0';
		val++;
	}
	switch (f->arg) {
	case CONFIG_ARG_VALUE:
		if (!val)
			return fail(err, errlen, "%s needs '= value'", key);
		return f->apply(cfg, val, err, errlen);
	case CONFIG_ARG_OPTIONAL:
		return f->apply(cfg, val && !is_word(val, yes) ? val : NULL, err,
				errlen);
	case CONFIG_ARG_NONE:
		break;
	}
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

int config_check_text(const char *text, size_t len, const char *name,
		      char *err, size_t errlen)
{
	unsigned int lineno = 1;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '\n')
			lineno++;
		else if (c == '\0')
			return fail(err, errlen,
				    "%s: a NUL byte at offset %zu: a partition file is text",
				    name, i);
		else if ((c < ' ' && c != '\t' && c != '\r') || c == 0x7f)
			return fail(err, errlen,
				    "%s:%u: control byte 0x%02x: a partition file is text",
				    name, lineno, c);
	}
	return 0;
}

int config_read_file(const char *path, char **text, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, r;

	*text = NULL;
	fd = preflight_open_regular("--config", path, O_RDONLY, &st, err, errlen);
	if (fd < 0)
		return fd;
	if (st.st_size > CONFIG_FILE_MAX) {
		r = err_printf(err, errlen, -EFBIG,
			       "--config: '%s' is larger than %d KiB: not a partition file",
			       path, CONFIG_FILE_MAX / 1024);
		goto err_close;
	}
	buf = malloc(CONFIG_FILE_MAX + 1);
	if (!buf) {
		r = err_printf(err, errlen, -ENOMEM, "--config: out of memory");
		goto err_close;
	}
	while (n <= CONFIG_FILE_MAX) {
		ssize_t got = read(fd, buf + n, CONFIG_FILE_MAX + 1 - n);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			r = err_printf(err, errlen, -errno,
				       "--config: cannot read '%s': %s", path,
				       strerror(errno));
			goto err_free;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > CONFIG_FILE_MAX) {
		r = err_printf(err, errlen, -EFBIG,
			       "--config: '%s' is larger than %d KiB: not a partition file",
			       path, CONFIG_FILE_MAX / 1024);
		goto err_free;
	}
	r = config_check_text(buf, n, path, err, errlen);
	if (r)
		goto err_free;
	buf[n] = '\0';
	/* Anyone who can write it can run what they like through us. */
	if (st.st_mode & S_IWOTH)
		log_warn("--config: '%s' is writable by other users", path);
	close(fd);
	*text = buf;
	return 0;

err_free:
	free(buf);
err_close:
	close(fd);
	return r;
}
