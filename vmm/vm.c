// SPDX-License-Identifier: GPL-2.0
/*
 * Building and running one partition. The order of vm_create() is the data
 * flow of ARCHITECTURE.md: KVM -> guest memory -> irqchip -> devices ->
 * image -> boot structures -> vCPUs. Every device is created here, by name.
 */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "arch.h"
#include "gdb/stub.h"
#include "ioevent.h"
#include "loader.h"
#include "log.h"
#include "rt.h"
#include "sandbox.h"
#include "stats.h"
#include "vcpu.h"

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

int vm_irq_line(struct vm *vm, unsigned int gsi, bool level)
{
	struct kvm_irq_level irq = { .irq = gsi, .level = level };

	if (ioctl(vm->vm_fd, KVM_IRQ_LINE, &irq) < 0) {
		log_ratelimited(LOG_ERR, "KVM_IRQ_LINE %u: %s", gsi,
				strerror(errno));
		return -errno;
	}
	return 0;
}

static void uart_set_irq(void *opaque, bool level)
{
	struct vm *vm = opaque;

	vm_irq_line(vm, SERIAL8250_COM1_IRQ, level);
}

static void uart_tx(void *opaque, uint8_t byte)
{
	struct vm *vm = opaque;

	console_put(&vm->console, byte);
}

static void uart_rx_space(void *opaque)
{
	struct vm *vm = opaque;

	console_wake(&vm->console);
}

static void guest_exit(void *opaque, int status)
{
	vm_request_stop(opaque, VM_STOP_GUEST_EXIT, status);
}

static void guest_reset(void *opaque)
{
	log_info("guest requested a reset through the i8042");
	vm_request_stop(opaque, VM_STOP_RESET, TESSERA_EXIT_OK);
}

static void guest_poweroff(void *opaque)
{
	log_info("guest powered off (ACPI S5)");
	vm_request_stop(opaque, VM_STOP_RESET, TESSERA_EXIT_OK);
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
	if (arch_check_kvm(vm->kvm_fd) < 0)
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
	int r = guest_mem_alloc_pages(&vm->mem, vm->cfg->mem_size,
				      vm->cfg->hugepages);

	if (r && vm->cfg->hugepages == MEM_PAGES_HUGETLB) {
		log_err("--hugepages: cannot map %llu MiB of huge pages: %s (see HugePages_Free in /proc/meminfo; reserve them with 'echo N > /proc/sys/vm/nr_hugepages')",
			(unsigned long long)(vm->cfg->mem_size >> 20),
			strerror(-r));
		return r;
	}
	if (r && vm->cfg->hugepages == MEM_PAGES_THP) {
		log_err("--hugepages=thp: madvise(MADV_HUGEPAGE): %s (is /sys/kernel/mm/transparent_hugepage/enabled 'never'?)",
			strerror(-r));
		return r;
	}
	if (r) {
		log_err("cannot map %llu bytes of guest RAM: %s",
			(unsigned long long)vm->cfg->mem_size, strerror(-r));
		return r;
	}
	r = arch_mem_layout(&vm->mem);
	if (r) {
		log_err("cannot lay out guest RAM: %s", strerror(-r));
		return r;
	}
	for (unsigned int i = 0; i < vm->mem.nregions; i++) {
		const struct guest_region *g = &vm->mem.region[i];
		struct kvm_userspace_memory_region kr = {
			.slot = i,
			.guest_phys_addr = g->gpa,
			.memory_size = g->size,
			.userspace_addr = (uintptr_t)g->hva,
		};

		if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &kr) < 0) {
			log_err_errno("KVM_SET_USER_MEMORY_REGION slot %u", i);
			return -errno;
		}
	}
	return 0;
}

static int register_pio(struct vm *vm, uint64_t base, uint64_t len,
			bus_access_fn fn, void *opaque, const char *name)
{
	int r = bus_register(&vm->pio, base, len, fn, opaque, name);

	if (r)
		log_err("cannot register %s at port 0x%llx: %s", name,
			(unsigned long long)base, strerror(-r));
	return r;
}

/* Records a device's node for the device tree. */
static int add_fdt_device(struct vm *vm, const struct fdt_device *d)
{
	if (vm->nfdt_dev == FDT_MAX_DEVICES) {
		log_err("too many devices for the device tree (at most %d)",
			FDT_MAX_DEVICES);
		return -E2BIG;
	}
	vm->fdt_dev[vm->nfdt_dev++] = *d;
	return 0;
}

/* The fallback interrupt of a virtio-mmio device: one edge (mmio.h). */
static void virtio_irq_pulse(void *opaque, uint32_t gsi)
{
	struct vm *vm = opaque;

	vm_irq_line(vm, gsi, true);
	vm_irq_line(vm, gsi, false);
}

/*
 * Binds a virtio-mmio device's QueueNotify (one datamatch ioeventfd per
 * queue) and its interrupt (an irqfd) to KVM, so neither passes through a
 * vCPU thread. If KVM refuses, or TESSERA_NO_IOEVENTFD is set (tests and
 * benchmarks of the slow path), the device still works through MMIO exits
 * and KVM_IRQ_LINE.
 */
static void wire_virtio(struct vm *vm, struct virtio_mmio *t)
{
	int fd, r = 0;

	if (getenv("TESSERA_NO_IOEVENTFD")) {
		log_info("%s: TESSERA_NO_IOEVENTFD: notifications exit to the monitor",
			 t->label);
		return;
	}
	for (unsigned int q = 0; q < t->info.num_queues && !r; q++)
		r = ioevent_mmio_assign(vm->vm_fd, virtio_mmio_notify_addr(t), 4,
					q, virtio_mmio_kick_fd(t, q));
	if (r)
		log_warn("%s: KVM_IOEVENTFD: %s; notifications exit to the monitor",
			 t->label, strerror(-r));
	fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	r = fd < 0 ? -errno : ioevent_irqfd_assign(vm->vm_fd, t->info.gsi, fd);
	if (r) {
		log_warn("%s: KVM_IRQFD: %s; interrupts through KVM_IRQ_LINE",
			 t->label, strerror(-r));
		if (fd >= 0)
			close(fd);
		return;
	}
	virtio_mmio_set_irqfd(t, fd);
}

/* The next free virtio-mmio slot: its base, GSI, and whether the DT node is disabled. */
struct virtio_slot {
	uint64_t base;
	unsigned int gsi;
	bool disabled;
};

static int next_virtio_slot(struct vm *vm, struct virtio_slot *slot)
{
	return arch_virtio_mmio_slot(vm->nvirtio, &slot->base, &slot->gsi,
				     &slot->disabled);
}

/*
 * Puts a created virtio device on its slot: the MMIO range, its device-tree
 * node, and its ioeventfds and irqfd. Shared by every virtio device.
 */
static int attach_virtio(struct vm *vm, struct virtio_mmio *t,
			 const struct virtio_slot *slot, const char *name)
{
	const struct fdt_device node = {
		.node = fdt_virtio_mmio_node,
		.bus = FDT_BUS_MMIO,
		.base = slot->base,
		.size = VIRTIO_MMIO_SLOT_SIZE,
		.has_irq = true,
		.irq = slot->gsi,
		.irq_type = FDT_IRQ_EDGE_RISING, /* mmio.h: why an edge */
		.disabled = slot->disabled,
	};
	int r;

	vm->nvirtio++;
	r = bus_register(&vm->mmio, slot->base, VIRTIO_MMIO_SLOT_SIZE,
			 virtio_mmio_access, t, name);
	if (r) {
		log_err("cannot register %s: %s", t->label, strerror(-r));
		return r;
	}
	r = add_fdt_device(vm, &node);
	if (r)
		return r;
	wire_virtio(vm, t);
	return 0;
}

/* A --disk: virtio-blk on the next virtio-mmio slot. */
static int create_disk(struct vm *vm, unsigned int i)
{
	const struct disk_config *d = &vm->cfg->disk[i];
	struct vblk_host host = { .mem = &vm->mem,
				  .irq_pulse = virtio_irq_pulse,
				  .irq_opaque = vm };
	struct virtio_slot slot;
	char err[256 + CONFIG_DISK_PATH_MAX];
	int r;

	if (next_virtio_slot(vm, &slot)) {
		log_err("--disk %s: no virtio-mmio slot left", d->path);
		return -ENOEXEC;
	}
	host.base = slot.base;
	host.gsi = slot.gsi;
	r = vblk_create(&vm->disk[i], d, &host, err, sizeof(err));
	if (r) {
		log_err("--disk: %s", err);
		return -ENOEXEC; /* the user's to fix: exit status 2 */
	}
	vm->ndisks = i + 1;
	r = attach_virtio(vm, &vm->disk[i]->mmio, &slot, "virtio-blk");
	if (r)
		return r;
	log_info("%s: %s, %llu sectors%s%s", vm->disk[i]->mmio.label, d->path,
		 (unsigned long long)vm->disk[i]->capacity, d->ro ? ", read-only" : "",
		 d->direct ? ", O_DIRECT" : "");
	return vblk_start(vm->disk[i]);
}

/* A --net: virtio-net on the next virtio-mmio slot. */
static int create_nic(struct vm *vm, unsigned int i)
{
	const struct net_config *nc = &vm->cfg->net[i];
	struct vnet_host host = { .mem = &vm->mem,
				  .irq_pulse = virtio_irq_pulse,
				  .irq_opaque = vm };
	struct virtio_slot slot;
	char err[256];
	int r;

	if (next_virtio_slot(vm, &slot)) {
		log_err("--net tap=%s: no virtio-mmio slot left", nc->ifname);
		return -ENOEXEC;
	}
	host.base = slot.base;
	host.gsi = slot.gsi;
	r = vnet_create(&vm->nic[i], nc, &host, err, sizeof(err));
	if (r) {
		log_err("--net: %s", err);
		return -ENOEXEC; /* the user's to fix: exit status 2 */
	}
	vm->nnics = i + 1;
	r = attach_virtio(vm, &vm->nic[i]->mmio, &slot, "virtio-net");
	if (r)
		return r;
	log_info("%s: tap %s, MAC %02x:%02x:%02x:%02x:%02x:%02x",
		 vm->nic[i]->mmio.label, nc->ifname, nc->mac[0], nc->mac[1],
		 nc->mac[2], nc->mac[3], nc->mac[4], nc->mac[5]);
	return vnet_start(vm->nic[i]);
}

/* Every device of the machine, created in one place. */
static int create_devices(struct vm *vm)
{
	const struct fdt_device uart_node = {
		.node = serial8250_fdt_node,
		.bus = FDT_BUS_ISA_IO,
		.base = SERIAL8250_COM1_BASE,
		.size = SERIAL8250_NR_REGS,
		.has_irq = true,
		.irq = SERIAL8250_COM1_IRQ,
		.irq_type = FDT_IRQ_EDGE_RISING,
		.console = true,
	};
	const struct serial8250_ops uart_ops = {
		.set_irq = uart_set_irq,
		.tx = uart_tx,
		.rx_space = uart_rx_space,
		.opaque = vm,
	};
	int r;

	r = console_open(&vm->console, vm->cfg->serial, vm->cfg->serial_path);
	if (r)
		return r;
	serial8250_init(&vm->uart, &uart_ops);
	r = register_pio(vm, SERIAL8250_COM1_BASE, SERIAL8250_NR_REGS,
			 serial8250_io, &vm->uart, "serial8250");
	r = r ?: add_fdt_device(vm, &uart_node);
	vm->debug_exit = (struct debug_exit){ guest_exit, vm };
	r = r ?: register_pio(vm, DEBUG_EXIT_PORT, 1, debug_exit_io,
			      &vm->debug_exit, "debug-exit");
	vm->i8042 = (struct i8042){ guest_reset, vm };
	r = r ?: register_pio(vm, I8042_CMD_PORT, 1, i8042_io, &vm->i8042,
			      "i8042");
	vm->acpi_pm = (struct acpi_pm){ .request_poweroff = guest_poweroff,
					.opaque = vm };
	r = r ?: register_pio(vm, ACPI_PM_PORT, ACPI_PM_NR_PORTS, acpi_pm_io,
			      &vm->acpi_pm, "acpi-pm");
	for (unsigned int i = 0; i < vm->cfg->ndisks && !r; i++)
		r = create_disk(vm, i);
	for (unsigned int i = 0; i < vm->cfg->nnics && !r; i++)
		r = create_nic(vm, i);
	return r;
}

/* Reads a kernel or initrd of at most guest RAM; on failure says why. */
static int read_image(struct vm *vm, const char *flag, const char *path,
		      uint8_t **img, size_t *len)
{
	char err[256];
	int r = loader_read_file(path, vm->cfg->mem_size, img, len, err,
				 sizeof(err));

	if (r)
		log_err("%s %s: %s", flag, path, err);
	return r;
}

static int load_kernel(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	gpa_t reserved = arch_boot_reserved_end();
	struct load_info info;
	uint8_t *img = NULL;
	char err[256] = "";
	size_t len;
	int r;

	if (read_image(vm, "--kernel", cfg->kernel, &img, &len))
		return -ENOEXEC;
	if (loader_is_elf(img, len)) {
		r = loader_load_elf(&vm->mem, img, len, reserved, &info, err,
				    sizeof(err));
		if (r == 0) {
			vm->entry = info.entry;
			r = arch_elf_kernel(vm, img, len, err, sizeof(err));
			info.entry = vm->entry;
		}
	} else
		r = arch_load_kernel(vm, img, len, &info, err, sizeof(err));
	if (r == -ENOENT && cfg->load_addr_set) {
		r = loader_load_raw(&vm->mem, img, len, cfg->load_addr,
				    reserved, &info, err, sizeof(err));
	} else if (r == -ENOENT) {
		snprintf(err, sizeof(err),
			 "not an ELF64 or bzImage (use --load-addr for a raw binary)");
	}
	free(img);
	if (r) {
		log_err("--kernel %s: %s", cfg->kernel, err);
		return -ENOEXEC; /* an image problem: the user's to fix */
	}
	vm->entry = info.entry;
	vm->kernel_end = info.high;
	return 0;
}

static int load_initrd(struct vm *vm)
{
	uint8_t *img = NULL;
	size_t len;

	if (!vm->cfg->initrd)
		return 0;
	if (read_image(vm, "--initrd", vm->cfg->initrd, &img, &len))
		return -ENOEXEC;
	if (loader_place_initrd(len, vm->kernel_end, arch_initrd_limit(vm),
				&vm->initrd_gpa) < 0) {
		log_err("--initrd %s: %zu bytes do not fit between the kernel and 0x%llx",
			vm->cfg->initrd, len,
			(unsigned long long)arch_initrd_limit(vm));
		free(img);
		return -ENOEXEC;
	}
	guest_mem_write(&vm->mem, vm->initrd_gpa, img, len);
	vm->initrd_size = len;
	free(img);
	return 0;
}

/*
 * The user's command line behind a virtio_mmio.device=<size>@<base>:<irq>
 * entry for each virtio-mmio device the arch describes there (the ones
 * whose device-tree node is disabled). Returns a malloc'ed string or NULL.
 */
static char *virtio_cmdline(const struct vm *vm, unsigned int *n)
{
	const char *user = vm->cfg->cmdline ? vm->cfg->cmdline : "";
	size_t cap = strlen(user) + 1 + 64 * (size_t)FDT_MAX_DEVICES, len = 0;
	char *s = malloc(cap);

	*n = 0;
	if (!s)
		return NULL;
	for (unsigned int i = 0; i < vm->nfdt_dev; i++) {
		const struct fdt_device *d = &vm->fdt_dev[i];

		if (d->node != fdt_virtio_mmio_node || !d->disabled)
			continue;
		len += (size_t)snprintf(s + len, cap - len,
					"virtio_mmio.device=%llu@0x%llx:%u ",
					(unsigned long long)d->size,
					(unsigned long long)d->base, d->irq);
		(*n)++;
	}
	snprintf(s + len, cap - len, "%s", user);
	return s;
}

static int build_cmdline(struct vm *vm)
{
	size_t max = arch_cmdline_max(vm);
	unsigned int nvirtio;
	char *user = virtio_cmdline(vm, &nvirtio);
	int r;

	vm->cmdline = malloc(max + 1);
	if (!vm->cmdline || !user) {
		free(user);
		return -ENOMEM;
	}
	r = config_merge_cmdline(arch_cmdline_defaults(), user, vm->cmdline,
				 max);
	free(user);
	if (r < 0) {
		log_err("--cmdline: longer than the %zu bytes this kernel accepts%s",
			max, nvirtio ? " (with the virtio_mmio.device= entries)" : "");
		return -ENOEXEC;
	}
	log_info("kernel command line: %s", vm->cmdline);
	return 0;
}

/* The partition's device tree, from the same description the boot code uses. */
static int build_dtb(struct vm *vm)
{
	struct fdt_machine m;
	char err[256];
	int r;

	_Static_assert(CONFIG_MAX_CPUS <= FDT_MAX_CPUS, "a cpu node per vCPU");
	_Static_assert(GUEST_MEM_MAX_REGIONS <= FDT_MAX_MEM_REGIONS,
		       "a reg entry per RAM region");
	memset(&m, 0, sizeof(m));
	m.name = vm->cfg->name;
	m.nmem = vm->mem.nregions;
	for (unsigned int i = 0; i < vm->mem.nregions; i++)
		m.mem[i] = (struct fdt_mem_region){ vm->mem.region[i].gpa,
						    vm->mem.region[i].size };
	m.bootargs = vm->cmdline;
	if (vm->initrd_size) {
		m.initrd_start = vm->initrd_gpa;
		m.initrd_end = vm->initrd_gpa + vm->initrd_size;
	}
	m.ndevs = vm->nfdt_dev;
	m.devs = vm->fdt_dev;
	arch_fdt_describe(vm, &m);

	vm->dtb_buf = malloc(FDT_MAX_SIZE);
	if (!vm->dtb_buf)
		return -ENOMEM;
	r = fdt_build(&m, vm->dtb_buf, FDT_MAX_SIZE, &vm->dtb_len, err,
		      sizeof(err));
	if (r) {
		log_err("device tree: %s", err);
		return r;
	}
	vm->dtb = vm->dtb_buf;
	return 0;
}

int vm_dump_dtb(const struct vm *vm, const char *path)
{
	int r = fdt_dump_file(vm->dtb, path);

	if (r)
		log_err("--dump-dtb %s: %s", path, strerror(-r));
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
	pthread_mutex_init(&vm->stop_lock, NULL);
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
	r = r ?: setup_memory(vm);
	r = r ?: load_kernel(vm);
	r = r ?: load_initrd(vm);
	r = r ?: create_devices(vm);
	r = r ?: build_cmdline(vm); /* after the devices: it names virtio ones */
	r = r ?: arch_setup_boot(vm);
	r = r ?: build_dtb(vm);
	r = r ?: arch_write_boot_params(vm);
	r = r ?: create_vcpus(vm);
	if (cfg->mlock && !cfg->dump_dtb)
		r = r ?: lock_memory(vm);
	if (!r && cfg->gdb)
		r = gdb_stub_create(vm, cfg->gdb, cfg->gdb_wait, &vm->gdb);
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

enum { PFD_STOP, PFD_WAKE, PFD_SIGNAL, PFD_INPUT, PFD_COUNT };

/* Serves the console and signals until a stop is requested. Main thread. */
static void main_loop(struct vm *vm, int sig_fd)
{
	struct pollfd pfd[PFD_COUNT];

	while (!atomic_load(&vm->stopping)) {
		bool want_in = console_wants_input(&vm->console);

		pfd[PFD_STOP] = (struct pollfd){ vm->stop_fd, POLLIN, 0 };
		pfd[PFD_WAKE] = (struct pollfd){ vm->console.wake_fd, POLLIN, 0 };
		pfd[PFD_SIGNAL] = (struct pollfd){ sig_fd, POLLIN, 0 };
		pfd[PFD_INPUT] = (struct pollfd){ want_in ? vm->console.in_fd : -1,
						  POLLIN, 0 };
		if (poll(pfd, PFD_COUNT, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err_errno("poll");
			vm_request_stop(vm, VM_STOP_HOST_ERROR, TESSERA_EXIT_ERROR);
			break;
		}
		if (pfd[PFD_SIGNAL].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
				log_info("stopping on signal %u", si.ssi_signo);
				vm_request_stop(vm, VM_STOP_SIGNAL,
						TESSERA_EXIT_SIGNAL +
							(int)si.ssi_signo);
			}
		}
		if (pfd[PFD_WAKE].revents & POLLIN) {
			uint64_t n;

			if (read(vm->console.wake_fd, &n, sizeof(n)) < 0 &&
			    errno != EAGAIN)
				log_warn_errno("console wake-up");
			console_flush(&vm->console, 0);
		}
		if (console_input(&vm->console, &vm->uart,
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
	sigset_t sigs;
	int sig_fd, r = 0;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	sig_fd = signalfd(-1, &sigs, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sig_fd < 0) {
		log_err_errno("signalfd");
		return TESSERA_EXIT_ERROR;
	}
	if (vcpu_signals_init() < 0) {
		close(sig_fd);
		return TESSERA_EXIT_ERROR;
	}
	for (unsigned int i = 0; i < vm->nvcpus && r == 0; i++)
		r = vcpu_start(&vm->vcpu[i]);
	if (r == 0 && vm->gdb)
		r = gdb_stub_start(vm->gdb);
	sandbox_enter(SANDBOX_MAIN); /* last: threads created after it inherit its filter */
	if (r)
		vm_request_stop(vm, VM_STOP_HOST_ERROR, TESSERA_EXIT_ERROR);
	main_loop(vm, sig_fd);
	if (vm->gdb)
		gdb_stub_stop(vm->gdb, stop_status(vm));

	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_kick(&vm->vcpu[i]);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_join(&vm->vcpu[i]);
	console_flush(&vm->console, CONSOLE_FLUSH_MS);
	close(sig_fd);
	if (vm->cfg->stats)
		print_stats(vm);
	return stop_status(vm);
}

void vm_destroy(struct vm *vm)
{
	gdb_stub_destroy(vm->gdb);
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		vcpu_destroy(&vm->vcpu[i]);
	if (vm->console.wake_fd >= 0) {
		console_close(&vm->console, CONSOLE_FLUSH_MS);
		serial8250_destroy(&vm->uart);
	}
	/* I/O threads touch guest RAM: they end before it goes. */
	for (unsigned int i = 0; i < vm->ndisks; i++)
		vblk_destroy(vm->disk[i]);
	for (unsigned int i = 0; i < vm->nnics; i++)
		vnet_destroy(vm->nic[i]);
	bus_destroy(&vm->pio);
	bus_destroy(&vm->mmio);
	guest_mem_free(&vm->mem);
	free(vm->cmdline);
	free(vm->dtb_buf);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->stop_fd >= 0)
		close(vm->stop_fd);
	pthread_mutex_destroy(&vm->stop_lock);
}
