/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One partition: KVM VM, guest memory, buses, devices and vCPUs, built from
 * a struct vm_config. vm_create() builds it, vm_run() runs it until the
 * guest or the user ends the run, vm_destroy() tears it down.
 */
#ifndef TESSERA_VM_H
#define TESSERA_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "arch_vm.h"
#include "bus.h"
#include "config.h"
#include "console.h"
#include "devices.h"
#include "irq.h"
#include "mem.h"
#include "resource.h"
#include "status.h" /* TESSERA_EXIT_*: the exit statuses */
#include "types.h"
#include "vcpu.h"

enum vm_stop_reason {
	VM_STOP_NONE,
	VM_STOP_GUEST_EXIT, /* debug-exit port */
	VM_STOP_RESET,      /* guest reset or poweroff request */
	VM_STOP_SHUTDOWN,   /* triple fault */
	VM_STOP_KVM_ERROR,
	VM_STOP_HOST_ERROR,
	VM_STOP_SIGNAL,
	VM_STOP_QUIT,       /* Ctrl-A x */
};

struct vcpu {
	struct vm *vm;
	unsigned int id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool thread_started;
};

struct gdb_stub;
struct pci_host;
struct vfio_container;

struct vm {
	const struct vm_config *cfg;
	enum cpu_template cpu_template; /* resolved from cfg */
	int kvm_fd, vm_fd;
	struct guest_mem mem;
	struct bus pio, mmio;
	unsigned int nvcpus;
	struct vcpu vcpu[CONFIG_MAX_CPUS];
	struct vcpu_ctl ctl; /* run control of the vCPUs (vcpu.h) */
	gpa_t entry; /* where the boot vCPU starts */
	gpa_t kernel_end; /* first byte above the loaded image */
	char *cmdline;    /* the final kernel command line (malloc'ed) */
	gpa_t initrd_gpa;
	uint64_t initrd_size;
	const void *dtb;  /* device tree blob handed to the guest, or NULL */
	size_t dtb_len;
	void *dtb_buf;    /* owns dtb (malloc'ed, FDT_MAX_SIZE) */
	struct arch_vm arch; /* the arch's state, its board's devices included */
	cpu_set_t vcpu_cpus; /* unpinned vCPU threads' CPUs (vmm/rt.h) */

	struct console console;
	struct gdb_stub *gdb; /* --gdb, or NULL */
	struct device_list devices; /* every device, board and user, in order */
	struct resources res;       /* device placement (arch-seeded) */
	struct irq_routes routes;   /* the GSI routing table (irq.h) */
	struct pci_host *pci;       /* the PCI host bridge (pci_bus.h), or NULL */
	struct vfio_container *vfio; /* --vfio's container (devices/vfio/), or NULL */
	bool user_fault;            /* vm_create failed on the user's input */

	int stop_fd; /* eventfd: a vCPU asks the main thread to stop the VM */
	atomic_bool stopping;
	pthread_mutex_t stop_lock;
	enum vm_stop_reason stop_reason; /* first reason wins */
	int exit_status;
};

/*
 * Builds the machine. 0 or -errno, with the reason logged; vm->user_fault
 * tells a mistake in the user's input (a bad image, disk or tap: exit
 * status 2) from a host failure (exit status 1). Main thread.
 */
int vm_create(struct vm *vm, const struct vm_config *cfg);

/*
 * Starts the vCPUs and serves the console until the run ends. Returns the
 * process exit status (TESSERA_EXIT_* or the guest's debug-exit value).
 * SIGINT and SIGTERM must be blocked by the caller; vm_run takes them.
 */
int vm_run(struct vm *vm);

/* Releases everything vm_create() made. Safe on a partly built vm. */
void vm_destroy(struct vm *vm);

/*
 * Ends the run: records the first reason and status and wakes the main
 * thread. Any thread, async-signal-unsafe.
 */
void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, int status);

/*
 * Writes the device tree vm_create() built to fd (--dump-dtb; name for
 * messages): write() only, so it runs under the main thread's filter.
 * 0 or -errno (logged).
 */
int vm_dump_dtb(const struct vm *vm, int fd, const char *name);

struct arch_kvm_cap;

/*
 * Checks that KVM (the /dev/kvm descriptor) offers each of the n
 * capabilities: 0, or -ENOTSUP with the first one missing logged. Any
 * thread.
 */
int vm_check_kvm_caps(int kvm_fd, const struct arch_kvm_cap *caps, size_t n);

/*
 * Whether -errno r is the host's failure (out of memory or descriptors),
 * not a mistake in the user's input, whatever the user named. Pure.
 */
bool vm_host_failure(int r);

/*
 * Reports a mistake in the user's input: logs fmt as one error line, sets
 * vm->user_fault and returns -EINVAL. Main thread, during vm_create().
 */
int vm_user_error(struct vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
