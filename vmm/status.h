/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process exit statuses: the status alone says who ended the run.
 * README ("Exit status") documents the same table; tests/integration/
 * exit_status.sh tests each row.
 *
 *   status    who        what
 *   0         guest/user the guest wrote 0 to the debug-exit port, asked
 *                        for a reset or power-off, or Ctrl-A x was typed
 *   1         monitor    the monitor or the host failed (out of memory,
 *                        no /dev/kvm, a socket that cannot be bound, ...)
 *   2         user       a bad command line, partition file, image or
 *                        named resource (one line on stderr says which)
 *   3-119     guest      the guest wrote this value to the debug-exit port
 *   120       guest      the guest triple-faulted (crashed)
 *   121       KVM        KVM could not run the guest (internal error,
 *                        failed entry, an exit the monitor does not know)
 *   122       guest      the guest wrote a value the statuses above and
 *                        below own (1, 2, 120-255): it cannot pose as
 *                        the monitor, KVM or a signal; the value is logged
 *   123-127   -          not used
 *   128+S     signal     stopped by signal S (SIGINT, SIGTERM, SIGHUP), or
 *                        137 when gdb kills the partition
 */
#ifndef TESSERA_STATUS_H
#define TESSERA_STATUS_H

#define TESSERA_EXIT_OK 0
#define TESSERA_EXIT_ERROR 1       /* the monitor or the host failed */
#define TESSERA_EXIT_USAGE 2       /* the user's mistake */
#define TESSERA_EXIT_GUEST_MIN 3   /* the guest's own values: 3..119 */
#define TESSERA_EXIT_GUEST_MAX 119
#define TESSERA_EXIT_SHUTDOWN 120  /* guest triple fault / crash */
#define TESSERA_EXIT_KVM_ERROR 121 /* internal error, failed entry, unknown exit */
#define TESSERA_EXIT_GUEST_RANGE 122 /* the guest wrote a value it may not use */
#define TESSERA_EXIT_SIGNAL 128    /* + signal number */

/* Who ended a run, as the exit status says. */
enum status_who {
	STATUS_WHO_NONE,    /* 0: a clean end */
	STATUS_WHO_MONITOR, /* 1 */
	STATUS_WHO_USER,    /* 2 */
	STATUS_WHO_GUEST,   /* 3-120, 122 */
	STATUS_WHO_KVM,     /* 121 */
	STATUS_WHO_SIGNAL,  /* 129-255 */
	STATUS_WHO_UNUSED,  /* 123-128 and anything outside 0-255 */
};

/*
 * The process exit status for a value the guest wrote to the debug-exit
 * port: 0 and 3..119 pass through, anything else (1, 2, 120..255, or
 * outside a byte) becomes TESSERA_EXIT_GUEST_RANGE. Pure; any thread.
 */
int status_from_guest(int value);

/*
 * status_from_guest(value), logging (rate-limited) when the value was
 * remapped, so the guest's own value is not lost. The debug-exit port's
 * handler calls it; any thread.
 */
int status_guest_exit(int value);

/* Who an exit status names (the table above). Pure. */
enum status_who status_who(int status);

/* A short name for who: "guest", "user error", ... Pure. */
const char *status_who_name(enum status_who who);

#endif
