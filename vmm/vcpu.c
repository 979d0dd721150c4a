// SPDX-License-Identifier: GPL-2.0
#include "vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "arch.h"
#include "exit.h"
#include "log.h"
#include "rt.h"
#include "sandbox.h"
#include "vm.h"

#define VCPU_REKICK_MS 50 /* a kick sent just before KVM_RUN is lost */
#define VCPU_SETTLE_MAX 64 /* exits to complete before parking (string I/O) */

/* The kick handler's only state: this thread's kvm_run, if it is a vCPU. */
static __thread struct kvm_run *tls_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (tls_run)
		tls_run->immediate_exit = 1;
}

void vcpu_ctl_init(struct vcpu_ctl *ctl)
{
	pthread_mutex_init(&ctl->lock, NULL);
	pthread_cond_init(&ctl->cond, NULL);
	ctl->checkpoint = NULL;
	ctl->opaque = NULL;
	for (unsigned int i = 0; i < CONFIG_MAX_CPUS; i++) {
		atomic_init(&ctl->cpu[i].park_req, false);
		ctl->cpu[i].parked = false;
	}
}

void vcpu_ctl_destroy(struct vcpu_ctl *ctl)
{
	pthread_cond_destroy(&ctl->cond);
	pthread_mutex_destroy(&ctl->lock);
}

void vcpu_set_checkpoint(struct vm *vm, vcpu_checkpoint_fn fn, void *opaque)
{
	vm->ctl.checkpoint = fn;
	vm->ctl.opaque = opaque;
}

int vcpu_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	if (sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0) {
		log_err_errno("sigaction");
		return -errno;
	}
	return 0;
}

int vcpu_create(struct vm *vm, struct vcpu *v, unsigned int id,
		size_t run_size)
{
	void *run;

	v->vm = vm;
	v->id = id;
	v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0) {
		log_err_errno("KVM_CREATE_VCPU %u", id);
		return -errno;
	}
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		log_err_errno("mmap of vCPU %u's kvm_run", id);
		close(v->fd);
		v->fd = -1;
		return -errno;
	}
	v->run = run;
	v->run_size = run_size;
	return 0;
}

static void report_internal_error(struct vcpu *v)
{
	const struct kvm_run *run = v->run;
	char data[160] = "";
	size_t off = 0;

	for (unsigned int i = 0; i < run->internal.ndata && i < 16; i++)
		off += (size_t)snprintf(data + off, sizeof(data) - off, " 0x%llx",
					run->internal.data[i]);
	log_err("vCPU %u: KVM_EXIT_INTERNAL_ERROR, suberror %u%s%s", v->id,
		run->internal.suberror,
		run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
			? " (instruction emulation failed)"
			: "",
		off ? ", data:" : "");
	if (off)
		log_err("vCPU %u: internal error data:%s", v->id, data);
}

/* Acts on a dispatched exit. Returns false when the loop must end. */
static bool handle_action(struct vcpu *v, enum exit_action act)
{
	struct vm *vm = v->vm;

	switch (act) {
	case EXIT_ACT_CONTINUE:
	case EXIT_ACT_INTR:
	case EXIT_ACT_HLT: /* in-kernel irqchip: HLT never reaches us */
		return true;
	case EXIT_ACT_RESET:
	case EXIT_ACT_POWEROFF:
		log_info("vCPU %u: guest requested %s", v->id,
			 act == EXIT_ACT_RESET ? "reset" : "power-off");
		vm_request_stop(vm, VM_STOP_RESET, TESSERA_EXIT_OK);
		return false;
	case EXIT_ACT_SHUTDOWN:
		/*
		 * On AMD SVM, KVM reinitialises the VMCB after a shutdown
		 * intercept: what we read then is the reset state, not the
		 * faulting one (arch_dump_vcpu says so).
		 */
		log_err("vCPU %u: guest shut down (triple fault)", v->id);
		arch_dump_vcpu(v);
		vm_request_stop(vm, VM_STOP_SHUTDOWN, TESSERA_EXIT_SHUTDOWN);
		return false;
	case EXIT_ACT_INTERNAL_ERROR:
		report_internal_error(v);
		break;
	case EXIT_ACT_FAIL_ENTRY:
		log_err("vCPU %u: KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx",
			v->id,
			(unsigned long long)v->run->fail_entry
				.hardware_entry_failure_reason);
		break;
	case EXIT_ACT_BAD_EXIT:
		log_err("vCPU %u: malformed %s exit from KVM", v->id,
			exit_reason_name(v->run->exit_reason));
		break;
	case EXIT_ACT_DEBUG: /* a checkpoint hook would have taken it */
	case EXIT_ACT_UNHANDLED:
		log_err("vCPU %u: unhandled exit reason %u (%s)", v->id,
			v->run->exit_reason,
			exit_reason_name(v->run->exit_reason));
		break;
	}
	arch_dump_vcpu(v);
	vm_request_stop(vm, VM_STOP_KVM_ERROR, TESSERA_EXIT_KVM_ERROR);
	return false;
}

/*
 * Pinning and policy, applied by the vCPU thread to itself before its
 * first KVM_RUN (vmm/rt.h). Unpinned vCPUs leave --io-cpus, which the main
 * thread that created them had. false if the run must end.
 */
static bool apply_rt(struct vcpu *v)
{
	const struct vm_config *cfg = v->vm->cfg;
	int cpu = cfg->pin[v->id];
	char err[256];

	if (cpu < 0 && !cfg->io_cpus_set && cfg->rt_policy == RT_POLICY_OTHER)
		return true;
	if (rt_apply_thread(cpu, cfg->io_cpus_set ? &v->vm->vcpu_cpus : NULL,
			    cfg->rt_policy, cfg->rt_prio, err, sizeof(err))) {
		log_err("vCPU %u: %s", v->id, err);
		vm_request_stop(v->vm, VM_STOP_HOST_ERROR, TESSERA_EXIT_ERROR);
		return false;
	}
	log_info("vCPU %u: host CPU %s, %s", v->id,
		 cpu >= 0 ? (snprintf(err, sizeof(err), "%d", cpu), err) : "any",
		 cfg->rt_policy == RT_POLICY_FIFO ? "SCHED_FIFO" : "SCHED_OTHER");
	return true;
}

/* The checkpoint hook, then the vCPU's own handling. false: the loop ends. */
static bool after_exit(struct vcpu *v, enum exit_action act)
{
	const struct vcpu_ctl *ctl = &v->vm->ctl;

	if (ctl->checkpoint && ctl->checkpoint(ctl->opaque, v, act))
		return true;
	return handle_action(v, act);
}

/*
 * KVM completes an exit's PIO or MMIO only on the next KVM_RUN; with
 * immediate_exit set, that KVM_RUN completes it and returns EINTR without
 * running the guest (KVM API, KVM_RUN). Parking after that makes the
 * registers a debugger reads final. String I/O may need more exits on the
 * way, each handled as any other. false if the loop must end.
 */
static bool settle(struct vcpu *v, const struct exit_ctx *ctx)
{
	bool ok = true;

	for (unsigned int i = 0; ok && i < VCPU_SETTLE_MAX; i++) {
		v->run->immediate_exit = 1;
		if (ioctl(v->fd, KVM_RUN, 0) < 0)
			break; /* EINTR: nothing was pending */
		ok = after_exit(v, exit_dispatch(v->run, ctx));
	}
	v->run->immediate_exit = 0;
	return ok;
}

/* Waits while v is asked to park. false if the run ended meanwhile. */
static bool park_here(struct vcpu *v, const struct exit_ctx *ctx)
{
	struct vcpu_ctl *ctl = &v->vm->ctl;
	bool stopping;

	if (!settle(v, ctx))
		return false;
	pthread_mutex_lock(&ctl->lock);
	ctl->cpu[v->id].parked = true;
	pthread_cond_broadcast(&ctl->cond);
	while (atomic_load(&ctl->cpu[v->id].park_req) &&
	       !atomic_load(&v->vm->stopping))
		pthread_cond_wait(&ctl->cond, &ctl->lock);
	ctl->cpu[v->id].parked = false;
	stopping = atomic_load(&v->vm->stopping);
	pthread_mutex_unlock(&ctl->lock);
	return !stopping;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	struct exit_ctx ctx = { &vm->pio, &vm->mmio, v->run_size };
	char name[16];
	sigset_t kick;
	bool ok;

	snprintf(name, sizeof(name), "vcpu%u", v->id);
	pthread_setname_np(pthread_self(), name);
	tls_run = v->run;
	sigemptyset(&kick);
	sigaddset(&kick, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);

	ok = apply_rt(v);
	/*
	 * A vCPU allocates at runtime for --vfio (MSI route tables, BAR traps
	 * moving on the bus), and a thread's first malloc maps its arena,
	 * which the filter refuses: take the arena now.
	 */
	{
		void *volatile warm = malloc(64);

		free(warm);
	}
	sandbox_enter(SANDBOX_VCPU);
	while (ok && !atomic_load(&vm->stopping)) {
		if (atomic_load(&vm->ctl.cpu[v->id].park_req) &&
		    !park_here(v, &ctx))
			break;
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			if (errno == ENOSYS) {
				/* arm64: a trapped access KVM cannot decode (MMIO
				 * without a syndrome, such as a load pair): the
				 * guest's instruction, not the host's failure. */
				log_err_errno("vCPU %u: KVM_RUN: KVM cannot run the guest's instruction",
					      v->id);
				vm_request_stop(vm, VM_STOP_KVM_ERROR,
						TESSERA_EXIT_KVM_ERROR);
				break;
			}
			log_err_errno("vCPU %u: KVM_RUN", v->id);
			vm_request_stop(vm, VM_STOP_HOST_ERROR,
					TESSERA_EXIT_ERROR);
			break;
		}
		if (!after_exit(v, exit_dispatch(v->run, &ctx)))
			break;
	}
	pthread_sigmask(SIG_BLOCK, &kick, NULL);
	tls_run = NULL;
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	int r = pthread_create(&v->thread, NULL, vcpu_thread, v);

	if (r) {
		log_err("vCPU %u: cannot start thread: %s", v->id, strerror(r));
		return -r;
	}
	v->thread_started = true;
	return 0;
}

void vcpu_kick(struct vcpu *v)
{
	struct vcpu_ctl *ctl = &v->vm->ctl;

	if (!v->thread_started)
		return;
	pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	/* A parked vCPU waits on the condition, where no signal reaches. */
	pthread_mutex_lock(&ctl->lock);
	pthread_cond_broadcast(&ctl->cond);
	pthread_mutex_unlock(&ctl->lock);
}

void vcpu_park(struct vcpu *v)
{
	atomic_store(&v->vm->ctl.cpu[v->id].park_req, true);
	if (v->thread_started && !pthread_equal(pthread_self(), v->thread))
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

bool vcpu_wait_parked(struct vcpu *v)
{
	struct vcpu_ctl *ctl = &v->vm->ctl;
	bool parked;

	pthread_mutex_lock(&ctl->lock);
	while (!(parked = ctl->cpu[v->id].parked) &&
	       !atomic_load(&v->vm->stopping)) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += VCPU_REKICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&ctl->cond, &ctl->lock, &ts) ==
			    ETIMEDOUT &&
		    v->thread_started)
			pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
	pthread_mutex_unlock(&ctl->lock);
	return parked;
}

bool vcpu_park_all(struct vm *vm)
{
	bool all = true;

	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_park(&vm->vcpu[i]);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		all &= vcpu_wait_parked(&vm->vcpu[i]);
	return all;
}

void vcpu_release(struct vcpu *v)
{
	struct vcpu_ctl *ctl = &v->vm->ctl;

	pthread_mutex_lock(&ctl->lock);
	atomic_store(&ctl->cpu[v->id].park_req, false);
	pthread_cond_broadcast(&ctl->cond);
	pthread_mutex_unlock(&ctl->lock);
}

void vcpu_join(struct vcpu *v)
{
	if (v->thread_started) {
		pthread_join(v->thread, NULL);
		v->thread_started = false;
	}
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}
