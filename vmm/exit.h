/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exit dispatcher: a pure function of a struct kvm_run. It performs the
 * port I/O or MMIO an exit asks for on the buses and tells the vCPU loop
 * what to do next. It never touches a KVM fd, so unit tests feed it
 * hand-made kvm_run structs.
 */
#ifndef TESSERA_EXIT_H
#define TESSERA_EXIT_H

#include <linux/kvm.h>
#include <stddef.h>

#include "bus.h"

enum exit_action {
	EXIT_ACT_CONTINUE,   /* handled; run the vCPU again */
	EXIT_ACT_INTR,       /* KVM_RUN returned for a signal; check for stop */
	EXIT_ACT_SHUTDOWN,   /* triple fault or other shutdown */
	EXIT_ACT_RESET,      /* guest asked for a reset (system event) */
	EXIT_ACT_POWEROFF,   /* guest asked to power off (system event) */
	EXIT_ACT_HLT,        /* HLT with no in-kernel irqchip */
	EXIT_ACT_DEBUG,      /* KVM_EXIT_DEBUG, for the gdb stub */
	EXIT_ACT_INTERNAL_ERROR,
	EXIT_ACT_FAIL_ENTRY,
	EXIT_ACT_BAD_EXIT,   /* malformed exit data (size, count, offset) */
	EXIT_ACT_UNHANDLED,  /* an exit reason we do not handle */
};

struct exit_ctx {
	struct bus *pio;
	struct bus *mmio;
	size_t run_size; /* bytes mapped for kvm_run, bounds io.data_offset */
};

enum exit_action exit_dispatch(struct kvm_run *run, const struct exit_ctx *ctx);

/* "IO", "MMIO", "SHUTDOWN", ... or "UNKNOWN". */
const char *exit_reason_name(unsigned int reason);

#endif
