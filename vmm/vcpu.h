/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPUs: one thread each, looping on KVM_RUN and handing every exit to the
 * exit dispatcher. The main thread stops a vCPU by setting vm->stopping and
 * sending it VCPU_KICK_SIGNAL, whose handler sets kvm_run.immediate_exit.
 */
#ifndef TESSERA_VCPU_H
#define TESSERA_VCPU_H

#include <signal.h>

#include "vm.h"

#define VCPU_KICK_SIGNAL SIGUSR1

/* Installs the kick handler. Once, on the main thread, before vcpu_start. */
int vcpu_signals_init(void);

/* KVM_CREATE_VCPU and the kvm_run mapping. 0 or -errno. Main thread. */
int vcpu_create(struct vm *vm, struct vcpu *v, unsigned int id,
		size_t run_size);

/* Starts the vCPU's thread. 0 or -errno. Main thread. */
int vcpu_start(struct vcpu *v);

/*
 * Makes a running KVM_RUN return. Any thread, after setting what the vCPU
 * should see when it returns (vm->stopping, a gdb park request).
 */
void vcpu_kick(struct vcpu *v);

/* Waits for the thread to end. Main thread. */
void vcpu_join(struct vcpu *v);

/* Unmaps and closes. Main thread, after vcpu_join. */
void vcpu_destroy(struct vcpu *v);

#endif
