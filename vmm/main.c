// SPDX-License-Identifier: GPL-2.0
/* argv -> struct vm_config -> a run. The only place that exits the process. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "preflight.h"
#include "status.h"
#include "sandbox.h"
#include "stop.h"
#include "vm.h"

/* The one version string lives in VERSION; the Makefile passes it. */
#ifndef TESSERA_VERSION
#error "TESSERA_VERSION comes from the VERSION file (see the Makefile)"
#endif

static const char usage[] =
	"usage: tessera run --kernel FILE [options]   (tessera run --help)\n"
	"       tessera --version\n";

static const char help_version[] = "tessera " TESSERA_VERSION "\n";

static void __attribute__((noreturn, format(printf, 1, 2)))
die_usage(const char *fmt, ...)
{
	char msg[600], line[2400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* Values from the user are in msg: one printable line (log.h). */
	fprintf(stderr, "tessera: %s (see 'tessera run --help')\n",
		log_escape(line, sizeof(line), msg));
	exit(TESSERA_EXIT_USAGE);
}

/* A user error that is not about the command line's syntax: one line, exit 2. */
static void __attribute__((noreturn)) die_user(const char *msg)
{
	log_err("%s", msg);
	exit(TESSERA_EXIT_USAGE);
}

/*
 * With stdin, stdout or stderr closed at start, the next open() would take
 * that number, and an eventfd or the guest's console could land on fd 1.
 * /dev/null goes there first.
 */
static void hold_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int n;

		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		n = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (n >= 0 && n != fd) { /* cannot happen: fd was the lowest free */
			dup2(n, fd);
			close(n);
		}
	}
}

static int print_usage(void)
{
	size_t len = config_format_usage(NULL, 0) + 1;
	char *text = malloc(len);

	if (!text) {
		log_err("out of memory");
		return TESSERA_EXIT_ERROR;
	}
	config_format_usage(text, len);
	fputs(text, stdout);
	free(text);
	return 0;
}

/* A stop signal during the run: a clean stop, bounded by stop.h. */
static void stop_running(void *arg, int sig)
{
	vm_request_stop(arg, VM_STOP_SIGNAL, TESSERA_EXIT_SIGNAL + sig);
}

/* During the teardown there is nothing to ask: it is under way (bounded). */
static void stop_tearing_down(void *arg, int sig)
{
	(void)arg;
	(void)sig;
}

/*
 * --dump-dtb: no guest runs, but the monitor still parsed what the user
 * gave it; the write and the teardown go under the main thread's filter,
 * as after a run. A regular file is emptied first (the preflight opened it
 * without O_TRUNC, so a failed build leaves it as it was; a pipe refuses
 * ftruncate with EINVAL, and has nothing to empty).
 */
static int dump_dtb(struct vm *vm, const struct preflight *pf,
		    const char *name)
{
	if (ftruncate(pf->dump_fd, 0) < 0 && errno != EINVAL) {
		log_err_errno("--dump-dtb %s", name);
		return TESSERA_EXIT_ERROR;
	}
	sandbox_enter(SANDBOX_MAIN);
	return vm_dump_dtb(vm, pf->dump_fd, name) ? TESSERA_EXIT_ERROR : 0;
}

static int cmd_run(int argc, char **argv)
{
	struct vm_config cfg;
	struct preflight pf;
	const char *file;
	char *text = NULL;
	struct vm vm;
	char err[512];
	int status, r;

	/* From here on, SIGINT/SIGTERM/SIGHUP end the process in every phase. */
	stop_early();
	signal(SIGPIPE, SIG_IGN);
	stop_phase("parsing the command line");
	config_init(&cfg);
	file = config_find_file(argc, argv);
	if (file) { /* first the file, then the flags that override it */
		stop_phase("reading the partition file '%s'", file);
		if (config_read_file(file, &text, err, sizeof(err)) < 0)
			die_usage("%s", err);
		stop_phase("parsing the partition file '%s'", file);
		if (config_parse_file(&cfg, text, file, err, sizeof(err)) < 0)
			die_usage("%s", err);
	}
	stop_phase("parsing the command line");
	if (config_parse_run(&cfg, argc, argv, err, sizeof(err)) < 0)
		die_usage("%s", err);
	if (cfg.help)
		return print_usage();
	if (cfg.verbose)
		log_level = LOG_INFO;
	stop_test_stall("parse");
	stop_phase("setting up the sandbox");
	r = sandbox_init(&cfg); /* before any thread: filters, fds, namespace */
	if (r)
		return r > 0 ? 0 : TESSERA_EXIT_ERROR;
	/* The first thread: sandbox_init() wants none before it. */
	if (stop_start() < 0)
		return TESSERA_EXIT_ERROR;
	/* Everything the user named, before anything is built: exit 2 if not. */
	stop_phase("checking the files and resources named (preflight)");
	stop_test_stall("preflight");
	preflight_init(&pf);
	r = preflight_run(&cfg, &pf, err, sizeof(err));
	/* Out of descriptors is the host's failure (-ENOMEM here is --memory's). */
	if (r == -EMFILE || r == -ENFILE) {
		log_err("%s", err);
		return TESSERA_EXIT_ERROR;
	}
	if (r < 0)
		die_user(err);

	stop_phase("building the partition");
	status = vm_create(&vm, &cfg);
	if (status && vm.user_fault) {
		vm_destroy(&vm);
		return TESSERA_EXIT_USAGE;
	}
	if (status == 0 && cfg.dump_dtb) {
		stop_phase("writing --dump-dtb");
		status = dump_dtb(&vm, &pf, cfg.dump_dtb);
	} else if (status == 0) {
		stop_phase("running the partition");
		stop_set_hook(stop_running, &vm);
		status = vm_run(&vm);
	} else {
		status = TESSERA_EXIT_ERROR;
	}
	/* vm_destroy closes the stop eventfd the hook above writes to. */
	stop_set_hook(stop_tearing_down, NULL);
	stop_phase("tearing the partition down");
	vm_destroy(&vm);
	preflight_close(&pf);
	free(text);
	log_info("exit status %d: %s", status, status_who_name(status_who(status)));
	return status;
}

int main(int argc, char **argv)
{
	hold_std_fds();
	if (argc < 2) {
		fputs(usage, stderr);
		return TESSERA_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(help_version, stdout);
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		fputs(help_version, stdout);
		return 0;
	}
	die_usage("unknown command '%s'", argv[1]);
}
