/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vCPUs: one thread each, looping on KVM_RUN and handing every exit to the
 * exit dispatcher. Only this module runs KVM_RUN (the arch's host probes
 * aside: throwaway VMs of their own). The main thread stops a vCPU by
 * setting vm->stopping and sending it VCPU_KICK_SIGNAL, whose handler sets
 * kvm_run.immediate_exit.
 *
 * Run control, for a debugger or anything that must see the vCPUs still:
 * vcpu_park() asks a vCPU to leave KVM_RUN and wait at the top of its loop
 * (its last exit completed, so its registers are final); vcpu_release()
 * lets it run on. A checkpoint hook, if set, sees every exit on the vCPU's
 * thread before the vCPU acts on it. Users register the hook; this module
 * knows none of them.
 */
#ifndef TESSERA_VCPU_H
#define TESSERA_VCPU_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "config.h"
#include "exit.h"

/*
 * <signal.h> stays out of this header (vm.h includes it, and glibc's
 * REG_* names there collide with arch register enums): users include it.
 */
#define VCPU_KICK_SIGNAL SIGUSR1

struct vm;
struct vcpu;

/*
 * Called on vCPU v's thread after each exit, with what the dispatcher
 * made of it, before the vCPU acts on it. Returns true if it took the exit
 * (the vCPU then goes on to its next KVM_RUN, or parks if asked), false to
 * let the vCPU act as it would without the hook.
 */
typedef bool (*vcpu_checkpoint_fn)(void *opaque, struct vcpu *v,
				   enum exit_action act);

/* The run-control state of a VM's vCPUs (struct vm's ctl). */
struct vcpu_ctl {
	pthread_mutex_t lock;
	pthread_cond_t cond;         /* a vCPU parked, or was released */
	vcpu_checkpoint_fn checkpoint; /* set before the threads start */
	void *opaque;
	struct {
		atomic_bool park_req; /* park at the top of the loop */
		bool parked;          /* lock: waiting there */
	} cpu[CONFIG_MAX_CPUS];
};

/* Initialises and tears down ctl. Main thread, vm_create/vm_destroy. */
void vcpu_ctl_init(struct vcpu_ctl *ctl);
void vcpu_ctl_destroy(struct vcpu_ctl *ctl);

/* Installs the kick handler. Once, on the main thread, before vcpu_start. */
int vcpu_signals_init(void);

/* KVM_CREATE_VCPU and the kvm_run mapping. 0 or -errno. Main thread. */
int vcpu_create(struct vm *vm, struct vcpu *v, unsigned int id,
		size_t run_size);

/*
 * Sets the checkpoint hook of every vCPU of vm (one per VM; NULL removes
 * it). Main thread, before vcpu_start.
 */
void vcpu_set_checkpoint(struct vm *vm, vcpu_checkpoint_fn fn, void *opaque);

/* Starts the vCPU's thread. 0 or -errno. Main thread. */
int vcpu_start(struct vcpu *v);

/*
 * Makes a running KVM_RUN return, and a parked vCPU look again at
 * vm->stopping. Any thread, after setting what the vCPU should see when
 * it returns (vm->stopping, a park request).
 */
void vcpu_kick(struct vcpu *v);

/*
 * Asks v to park: it leaves KVM_RUN (kicked, unless this is v's own
 * thread, e.g. its checkpoint hook), completes the exit it was in and
 * waits until vcpu_release(). Before vcpu_start, v parks before its
 * first instruction. Returns at once: vcpu_wait_parked() waits. Any thread.
 */
void vcpu_park(struct vcpu *v);

/*
 * Waits until v is parked, kicking it again every 50 ms (a kick can land
 * just before KVM_RUN). false if the run ended first (vm->stopping).
 * Any thread but v's.
 */
bool vcpu_wait_parked(struct vcpu *v);

/* vcpu_park() on every vCPU of vm, then waits for each. false as above. */
bool vcpu_park_all(struct vm *vm);

/* Lets a parked (or asked to park) vCPU run on. Any thread. */
void vcpu_release(struct vcpu *v);

/* Waits for the thread to end. Main thread. */
void vcpu_join(struct vcpu *v);

/* Unmaps and closes. Main thread, after vcpu_join. */
void vcpu_destroy(struct vcpu *v);

#endif
