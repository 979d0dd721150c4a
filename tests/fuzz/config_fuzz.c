// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzzes what a user hands `tessera run`: the input is a partition file
 * (config_check_text, then config_parse_file) and, split at NUL bytes, a
 * command line (config_find_file, config_parse_run). Every error, and
 * the input itself, must come out of log_escape as one printable line.
 *
 * Built with clang -fsanitize=fuzzer,address by `make fuzz`; `make check`
 * links it with tests/fuzz/replay.c and replays tests/fuzz/corpus/config/.
 */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "log.h"

#define MAX_ARGS 32

/* What the user sees of s (log_msg escapes it): one printable line. */
static void one_line(const char *s)
{
	static char line[4 * 4096 + 1];

	log_escape(line, sizeof(line), s);
	for (const char *p = line; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_ARGS], err[512] = "";
	struct vm_config cfg;
	int argc = 0;

	if (!text)
		return 0;
	log_level = LOG_QUIET;
	memcpy(text, data, size);
	text[size] = '\0';
	config_init(&cfg);
	if (config_check_text(text, size, "f", err, sizeof(err)) == 0 &&
	    config_parse_file(&cfg, text, "f", err, sizeof(err)) < 0)
		one_line(err);

	/* The same bytes as argv, split at NULs (the file parse wrote some). */
	memcpy(text, data, size);
	for (size_t i = 0; i < size && argc < MAX_ARGS; argc++) {
		argv[argc] = text + i;
		i += strlen(text + i) + 1;
	}
	config_init(&cfg);
	config_find_file(argc, argv);
	err[0] = '\0';
	if (config_parse_run(&cfg, argc, argv, err, sizeof(err)) < 0)
		one_line(err);
	memcpy(text, data, size);
	one_line(text);
	free(text);
	return 0;
}
