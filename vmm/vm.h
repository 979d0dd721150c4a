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

#include "acpi_pm.h"
#include "arch_vm.h"
#include "bus.h"
#include "config.h"
#include "console.h"
#include "debug_exit.h"
#include "fdt.h"
#include "i8042.h"
#include "mem.h"
#include "serial8250.h"
#include "types.h"
#include "vcpu.h"
#include "virtio/blk.h"
#include "virtio/net.h"

/* Process exit statuses the monitor itself produces (README: "Exit status"). */
#define TESSERA_EXIT_OK 0
#define TESSERA_EXIT_ERROR 1      /* setup failed, or a host error */
#define TESSERA_EXIT_USAGE 2      /* bad command line */
#define TESSERA_EXIT_SHUTDOWN 120 /* guest triple fault / crash */
#define TESSERA_EXIT_KVM_ERROR 121 /* internal error, failed entry, unknown exit */
#define TESSERA_EXIT_SIGNAL 128   /* + signal number */

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
	/* Each device's node in the tree, added where the device is created. */
	struct fdt_device fdt_dev[FDT_MAX_DEVICES];
	unsigned int nfdt_dev;
	struct arch_vm arch;
	cpu_set_t vcpu_cpus; /* unpinned vCPU threads' CPUs (vmm/rt.h) */

	struct console console;
	struct serial8250 uart;
	struct debug_exit debug_exit;
	struct i8042 i8042;
	struct acpi_pm acpi_pm;
	struct gdb_stub *gdb; /* --gdb, or NULL */
	struct vblk *disk[CONFIG_MAX_DISKS]; /* --disk, in order */
	unsigned int ndisks;
	struct vnet *nic[CONFIG_MAX_NICS]; /* --net, in order */
	unsigned int nnics;
	unsigned int nvirtio; /* virtio-mmio slots handed out (arch_virtio_mmio_slot) */

	int stop_fd; /* eventfd: a vCPU asks the main thread to stop the VM */
	atomic_bool stopping;
	pthread_mutex_t stop_lock;
	enum vm_stop_reason stop_reason; /* first reason wins */
	int exit_status;
};

/* Builds the machine. 0 or -errno, with the reason logged. Main thread. */
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
 * Writes the device tree vm_create() built to path. 0 or -errno (logged).
 */
int vm_dump_dtb(const struct vm *vm, const char *path);

/* Raises or lowers an interrupt line (GSI) of the in-kernel irqchip. */
int vm_irq_line(struct vm *vm, unsigned int gsi, bool level);

#endif
