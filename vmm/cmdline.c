// SPDX-License-Identifier: GPL-2.0
/* Kernel command-line merging (cmdline.h). Pure. */
#include "cmdline.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

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