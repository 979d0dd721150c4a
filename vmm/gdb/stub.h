/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The gdb stub: one debugger at a time debugs the whole partition over a
 * TCP or Unix socket (--gdb), vCPUs as threads, in all-stop mode. It runs
 * on its own thread and holds vCPUs through their run control (vcpu.h);
 * vCPU threads meet it only in the checkpoint hook it registers there,
 * which takes their KVM_EXIT_DEBUG exits.
 *
 * Lifecycle: vm_create() calls gdb_stub_create() once the vCPUs exist;
 * vm_run() calls gdb_stub_start() once the vCPU threads run and
 * gdb_stub_stop() when the run ends, before it kicks and joins them;
 * vm_destroy() calls gdb_stub_destroy().
 */
#ifndef TESSERA_GDB_STUB_H
#define TESSERA_GDB_STUB_H

#include <stdbool.h>

struct gdb_endpoint;
struct gdb_stub;
struct vm;
struct vcpu;

/*
 * Opens the listening socket at ep (--gdb, parsed by
 * config_parse_gdb_endpoint) for vm's vCPUs; ep is copied. With wait,
 * every vCPU parks before its first instruction until a debugger resumes
 * it. Returns 0 and the stub in *out, or -errno with the reason logged.
 * Main thread.
 */
int gdb_stub_create(struct vm *vm, const struct gdb_endpoint *ep, bool wait,
		    struct gdb_stub **out);

/* Starts the stub's thread. 0 or -errno (logged). Main thread. */
int gdb_stub_start(struct gdb_stub *g);

/*
 * The run is ending with this exit status: tells a debugger waiting for
 * its target to stop (W packet) and ends the stub's thread. Parked vCPUs
 * end when vm_run kicks them (vcpu_kick). Main thread, after
 * vm->stopping is set.
 */
void gdb_stub_stop(struct gdb_stub *g, int status);

/* Closes the sockets and frees g (NULL is fine). Main thread. */
void gdb_stub_destroy(struct gdb_stub *g);

#endif
