// SPDX-License-Identifier: GPL-2.0
/* argv -> struct vm_config -> a run. The only place that exits the process. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sandbox.h"
#include "vm.h"

#ifndef TESSERA_VERSION
#define TESSERA_VERSION "0.1"
#endif

static const char usage[] =
	"usage: tessera run --kernel FILE [options]   (tessera run --help)\n"
	"       tessera --version\n";

static void __attribute__((noreturn, format(printf, 1, 2)))
die_usage(const char *fmt, ...)
{
	char msg[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "tessera: %s (see 'tessera run --help')\n", msg);
	exit(TESSERA_EXIT_USAGE);
}

/* A partition file, NUL-terminated, malloc'ed; NULL with errno on failure. */
static char *read_config_file(const char *path)
{
	enum { MAX = 64 * 1024 };
	FILE *f = fopen(path, "re");
	char *text = malloc(MAX + 1);
	size_t n = 0;

	if (f && text) {
		n = fread(text, 1, MAX + 1, f);
		if (ferror(f) || n > MAX) {
			errno = ferror(f) ? EIO : EFBIG;
			free(text);
			text = NULL;
		} else {
			text[n] = '\0';
		}
	} else {
		free(text);
		text = NULL;
	}
	if (f)
		fclose(f);
	return text;
}

static int cmd_run(int argc, char **argv)
{
	struct vm_config cfg;
	const char *file;
	char *text = NULL;
	struct vm vm;
	char err[256];
	sigset_t sigs;
	int status, r;

	config_init(&cfg);
	file = config_find_file(argc, argv);
	if (file) { /* first the file, then the flags that override it */
		text = read_config_file(file);
		if (!text)
			die_usage("--config: cannot read '%s': %s", file,
				  strerror(errno));
		if (config_parse_file(&cfg, text, file, err, sizeof(err)) < 0)
			die_usage("%s", err);
	}
	if (config_parse_run(&cfg, argc, argv, err, sizeof(err)) < 0)
		die_usage("%s", err);
	if (cfg.help) {
		fputs(config_usage, stdout);
		return 0;
	}
	if (access(cfg.kernel, R_OK) < 0)
		die_usage("--kernel: cannot read '%s': %s", cfg.kernel,
			  strerror(errno));
	if (cfg.verbose)
		log_level = LOG_INFO;
	r = sandbox_init(&cfg); /* before any thread: filters, fds, namespace */
	if (r)
		return r > 0 ? 0 : TESSERA_EXIT_ERROR;

	/* vm_run takes these through a signalfd; vCPU threads inherit the mask. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	status = vm_create(&vm, &cfg);
	if (status == -ENOEXEC) {
		vm_destroy(&vm);
		return TESSERA_EXIT_USAGE;
	}
	if (status == 0 && cfg.dump_dtb)
		status = vm_dump_dtb(&vm, cfg.dump_dtb) ? TESSERA_EXIT_ERROR : 0;
	else if (status == 0)
		status = vm_run(&vm);
	else
		status = TESSERA_EXIT_ERROR;
	vm_destroy(&vm);
	free(text);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return TESSERA_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("tessera %s\n", TESSERA_VERSION);
		return 0;
	}
	die_usage("unknown command '%s'", argv[1]);
}
