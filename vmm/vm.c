// SPDX-License-Identifier: GPL-2.0
/*
 * Building and running one partition. The order of vm_create() is the data
 * flow of ARCHITECTURE.md: KVM -> guest memory -> irqchip -> devices ->
 * image -> boot structures -> vCPUs. Every user device is created here, by
 * name; the board's devices by the arch (arch_create_platform); the boot
 * steps live in boot_setup.c.
 */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch.h"
#include "boot_setup.h"
#include "gdb/stub.h"
#include "log.h"
#include "rt.h"
#include "sandbox.h"
#include "stats.h"
#include "stop.h"
#include "vcpu.h"
#include "virtio/blk.h"
#include "virtio/net.h"
#include "vfio/pci.h"
#include "vfio/platform.h"

#define CONSOLE_FLUSH_MS 1000 /* bound on the final console flush */

void vm_request_stop(struct vm *vm, enum vm_stop_reason reason, int status)
{
	uint64_t one = 1;

	pthread_mutex_lock(&vm->stop_lock);
	if (vm->stop_reason == VM_STOP_NONE) {
		vm->stop_reason = reason;
		vm->exit_status = status;
	}
	pthread_mutex_unlock(&vm->stop_lock);
	atomic_store(&vm->stopping, true);
	if (write(vm->stop_fd, &one, sizeof(one)) < 0)
		log_err_errno("cannot wake the main thread");
}

int vm_user_error(struct vm *vm, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_err("%s", msg);
	vm->user_fault = true;
	return -EINVAL;
}

int vm_check_kvm_caps(int kvm_fd, const struct arch_kvm_cap *caps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ioctl(kvm_fd, KVM_CHECK_EXTENSION, caps[i].cap) <= 0) {
			log_err("this KVM lacks KVM_CAP_%s", caps[i].name);
			return -ENOTSUP;
		}
	}
	return 0;
}

/* What every arch needs (guest memory, vcpu.c's kick), then the arch's own. */
static int check_kvm(int kvm_fd)
{
	static const struct arch_kvm_cap need[] = {
		{ KVM_CAP_USER_MEMORY, "USER_MEMORY" },
		{ KVM_CAP_IMMEDIATE_EXIT, "IMMEDIATE_EXIT" },
	};
	const struct arch_kvm_cap *arch;
	size_t n = arch_kvm_caps(&arch);

	return vm_check_kvm_caps(kvm_fd, need, ARRAY_SIZE(need)) ?:
	       vm_check_kvm_caps(kvm_fd, arch, n);
}

static int open_kvm(struct vm *vm)
{
	int version;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		log_err_errno("cannot open /dev/kvm");
		return -errno;
	}
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		log_err("KVM API version %d, need %d", version, KVM_API_VERSION);
		return -ENOTSUP;
	}
	if (check_kvm(vm->kvm_fd) < 0)
		return -ENOTSUP;
	do
		vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	while (vm->vm_fd < 0 && errno == EINTR);
	if (vm->vm_fd < 0) {
		log_err_errno("KVM_CREATE_VM");
		return -errno;
	}
	return 0;
}

static int setup_memory(struct vm *vm)
{
	return guest_mem_create(&vm->mem, vm->vm_fd, vm->cfg->mem_size,
				vm->cfg->hugepages, arch_mem_layout);
}

bool vm_host_failure(int r)
{
	return r == -ENOMEM || r == -EMFILE || r == -ENFILE;
}

static int disk_destroy(void *opaque)
{
	return vblk_destroy(opaque);
}

static int nic_destroy(void *opaque)
{
	return vnet_destroy(opaque);
}

static int disk_start(void *opaque)
{
	return vblk_start(opaque);
}

static int nic_start(void *opaque)
{
	return vnet_start(opaque);
}

/* A --disk: virtio-blk on the virtio-mmio transport. */
static int create_disk(struct vm *vm, const struct disk_config *d)
{
	char err[256 + CONFIG_DISK_PATH_MAX];
	struct vblk *b;
	int r;

	stop_phase("opening --disk '%s'", d->path);
	r = vblk_create(&b, d, &vm->mem, err, sizeof(err));
	if (r && vm_host_failure(r)) {
		log_err("--disk: %s", err);
		return r;
	}
	if (r)
		return vm_user_error(vm, "--disk: %s", err);
	r = devices_attach_virtio_mmio(vm, &b->vdev, disk_destroy, disk_start,
				       b);
	if (r)
		return r; /* the device list owns it now */
	log_info("%s: %s, %llu sectors%s%s", b->vdev.label, d->path,
		 (unsigned long long)b->capacity, d->ro ? ", read-only" : "",
		 d->direct ? ", O_DIRECT" : "");
	return 0;
}

/* A --net: virtio-net on the virtio-mmio transport. */
static int create_nic(struct vm *vm, const struct net_config *nc)
{
	char err[256];
	struct vnet *n;
	int r;

	r = vnet_create(&n, nc, &vm->mem, err, sizeof(err));
	if (r && vm_host_failure(r)) {
		log_err("--net: %s", err);
		return r;
	}
	if (r)
		return vm_user_error(vm, "--net: %s", err);
	r = devices_attach_virtio_mmio(vm, &n->vdev, nic_destroy, nic_start, n);
	if (r)
		return r; /* the device list owns it now */
	log_info("%s: tap %s, MAC %02x:%02x:%02x:%02x:%02x:%02x",
		 n->vdev.label, nc->ifname, nc->mac[0], nc->mac[1], nc->mac[2],
		 nc->mac[3], nc->mac[4], nc->mac[5]);
	return 0;
}

/*
 * Every device of the machine, created in one place: the console, the
 * arch's board (which connects its UART to the console), then the user's
 * disks, NICs and passed-through PCI devices in command-line order.
 */
static int create_devices(struct vm *vm)
{
	int r;

	r = console_open(&vm->console, vm->cfg->serial, vm->cfg->serial_path);
	r = r ?: arch_resources(&vm->res);
	r = r ?: arch_create_platform(vm);
	for (unsigned int i = 0; i < vm->cfg->ndisks && !r; i++)
		r = create_disk(vm, &vm->cfg->disk[i]);
	for (unsigned int i = 0; i < vm->cfg->nnics && !r; i++)
		r = create_nic(vm, &vm->cfg->net[i]);
	for (unsigned int i = 0; i < vm->cfg->nvfio && !r; i++)
		r = strncmp(vm->cfg->vfio[i], "platform:", 9)
			    ? vfio_pci_create(vm, vm->cfg->vfio[i])
			    : vfio_platform_create(vm, &vm->cfg->vfio_platform[i]);
	return r;
}

/* The GSI routing table starts as KVM's default (irq.h). */
static int setup_irq_routes(struct vm *vm)
{
	int r = arch_irq_default_routes(&vm->routes);

	if (r)
		log_err("GSI routing table: %s", strerror(-r));
	return r;
}

/* --mlock: after everything is mapped, before any vCPU runs. */
static int lock_memory(struct vm *vm)
{
	int r = guest_mem_lock(&vm->mem);

	if (r)
		log_err("--mlock: mlockall: %s (needs CAP_IPC_LOCK or an RLIMIT_MEMLOCK above the monitor's size; try 'ulimit -l unlimited')",
			strerror(-r));
	return r;
}

static int create_vcpus(struct vm *vm)
{
	int run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	int r;

	if (run_size < (int)sizeof(struct kvm_run)) {
		log_err("KVM_GET_VCPU_MMAP_SIZE returned %d", run_size);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		r = vcpu_create(vm, &vm->vcpu[i], i, (size_t)run_size);
		r = r ?: arch_vcpu_init(vm, &vm->vcpu[i]);
		if (r)
			return r;
	}
	return 0;
}

int vm_create(struct vm *vm, const struct vm_config *cfg)
{
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->nvcpus = cfg->cpus;
	vm->kvm_fd = vm->vm_fd = -1;
	for (unsigned int i = 0; i < CONFIG_MAX_CPUS; i++)
		vm->vcpu[i].fd = -1;
	vm->console.out_fd = vm->console.in_fd = vm->console.wake_fd = -1;
	devices_init(&vm->devices);
	resource_init(&vm->res);
	irq_routes_init(&vm->routes);
	pthread_mutex_init(&vm->stop_lock, NULL);
	vcpu_ctl_init(&vm->ctl);
	bus_init(&vm->pio, "pio");
	bus_init(&vm->mmio, "mmio");
	vm->cpu_template = cfg->cpu_template == CPU_TEMPLATE_AUTO
				   ? arch_default_cpu_template()
				   : cfg->cpu_template;
	vm->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (vm->stop_fd < 0) {
		log_err_errno("eventfd");
		return -errno;
	}
	r = rt_setup_process(cfg, &vm->vcpu_cpus);
	r = r ?: open_kvm(vm);
	r = r ?: arch_vm_init(vm);
	r = r ?: setup_irq_routes(vm);
	r = r ?: setup_memory(vm);
	if (!r)
		stop_test_stall("create");
	r = r ?: boot_load_kernel(vm);
	r = r ?: boot_load_initrd(vm);
	/*
	 * The vCPUs before the devices: arm64's vGIC initialises once every
	 * vCPU exists, and KVM refuses an irqfd (EAGAIN) until it has.
	 */
	r = r ?: create_vcpus(vm);
	r = r ?: create_devices(vm);
	r = r ?: boot_build_cmdline(vm); /* after the devices: it names virtio ones */
	r = r ?: arch_setup_boot(vm);
	r = r ?: boot_build_dtb(vm);
	r = r ?: arch_write_boot_params(vm);
	if (cfg->mlock && !cfg->dump_dtb)
		r = r ?: lock_memory(vm);
	if (!r && cfg->gdb)
		r = gdb_stub_create(vm, &cfg->gdb_ep, cfg->gdb_wait, &vm->gdb);
	if (!r)
		log_info("partition: %llu MiB RAM, %u vCPU(s), CPU template %s, entry 0x%llx",
			 (unsigned long long)(cfg->mem_size >> 20), cfg->cpus,
			 vm->cpu_template == CPU_TEMPLATE_BASELINE ? "baseline"
								   : "host",
			 (unsigned long long)vm->entry);
	return r;
}

static int stop_status(struct vm *vm)
{
	int status;

	pthread_mutex_lock(&vm->stop_lock);
	status = vm->exit_status;
	pthread_mutex_unlock(&vm->stop_lock);
	return status;
}

enum { PFD_STOP, PFD_WAKE, PFD_INPUT, PFD_COUNT };

/*
 * Serves the console until a stop is requested. Stop signals reach
 * vm_request_stop() through the signal thread (stop.h). Main thread.
 */
static void main_loop(struct vm *vm)
{
	struct pollfd pfd[PFD_COUNT];

	while (!atomic_load(&vm->stopping)) {
		bool want_in = console_wants_input(&vm->console);

		pfd[PFD_STOP] = (struct pollfd){ vm->stop_fd, POLLIN, 0 };
		pfd[PFD_WAKE] = (struct pollfd){ vm->console.wake_fd, POLLIN, 0 };
		pfd[PFD_INPUT] = (struct pollfd){ want_in ? vm->console.in_fd : -1,
						  POLLIN, 0 };
		if (poll(pfd, PFD_COUNT, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err_errno("poll");
			vm_request_stop(vm, VM_STOP_HOST_ERROR, TESSERA_EXIT_ERROR);
			break;
		}
		if (pfd[PFD_WAKE].revents & POLLIN) {
			uint64_t n;

			if (read(vm->console.wake_fd, &n, sizeof(n)) < 0 &&
			    errno != EAGAIN)
				log_warn_errno("console wake-up");
			console_flush(&vm->console, 0);
		}
		if (console_input(&vm->console,
				  pfd[PFD_INPUT].revents &
					  (POLLIN | POLLHUP | POLLERR)) ==
		    CONSOLE_QUIT)
			vm_request_stop(vm, VM_STOP_QUIT, TESSERA_EXIT_OK);
	}
}

static void print_stats(struct vm *vm)
{
	char prefix[32];
	int r = kvm_stats_dump(vm->vm_fd, "stats: vm", stderr);

	if (r < 0)
		log_warn("--stats: KVM_GET_STATS_FD: %s", strerror(-r));
	for (unsigned int i = 0; i < vm->nvcpus && r >= 0; i++) {
		snprintf(prefix, sizeof(prefix), "stats: vcpu%u", i);
		r = kvm_stats_dump(vm->vcpu[i].fd, prefix, stderr);
	}
}

int vm_run(struct vm *vm)
{
	int r = 0;

	if (vcpu_signals_init() < 0)
		return TESSERA_EXIT_ERROR;
	/* Device threads only for a run: vm_create() just describes (--dump-dtb). */
	stop_phase("starting the device I/O threads");
	r = devices_start(&vm->devices);
	stop_phase("running the partition");
	for (unsigned int i = 0; i < vm->nvcpus && r == 0; i++)
		r = vcpu_start(&vm->vcpu[i]);
	if (r == 0 && vm->gdb)
		r = gdb_stub_start(vm->gdb);
	sandbox_enter(SANDBOX_MAIN); /* last: threads created after it inherit its filter */
	if (r)
		vm_request_stop(vm, VM_STOP_HOST_ERROR, TESSERA_EXIT_ERROR);
	stop_test_stall("run");
	main_loop(vm);
	if (vm->gdb) {
		stop_phase("stopping the gdb stub");
		gdb_stub_stop(vm->gdb, stop_status(vm));
	}

	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_kick(&vm->vcpu[i]);
	for (unsigned int i = 0; i < vm->nvcpus; i++) {
		stop_phase("waiting for vCPU %u to stop", i);
		vcpu_join(&vm->vcpu[i]);
	}
	stop_phase("flushing the console");
	console_flush(&vm->console, CONSOLE_FLUSH_MS);
	if (vm->cfg->stats)
		print_stats(vm);
	return stop_status(vm);
}

void vm_destroy(struct vm *vm)
{
	unsigned int stuck;

	gdb_stub_destroy(vm->gdb);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_destroy(&vm->vcpu[i]);
	if (vm->console.wake_fd >= 0)
		console_close(&vm->console, CONSOLE_FLUSH_MS);
	/* I/O threads touch guest RAM: they end before it goes. */
	stop_test_stall("teardown");
	stuck = devices_destroy(&vm->devices);
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	/*
	 * A stuck I/O thread may still touch guest RAM or raise its interrupt
	 * through vm_fd: both stay until the process exits.
	 */
	if (stuck)
		log_err("%u device(s) still running; guest memory stays mapped",
			stuck);
	else
		guest_mem_free(&vm->mem);
	free(vm->cmdline);
	free(vm->dtb_buf);
	if (vm->vm_fd >= 0 && !stuck)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	vcpu_ctl_destroy(&vm->ctl);
	pthread_mutex_destroy(&vm->stop_lock);
}
