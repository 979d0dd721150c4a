// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_probe: proves that an arm64 host's KVM does what Tessera's arm64 port
 * will need, before the port exists. A static aarch64 program, cross-built
 * (make arm64-guests) and run inside the arm64 lab (tests/lab-arm64/).
 *
 * It builds the smallest arm64 partition by hand: a VM (default IPA size),
 * guest RAM at RAM_BASE, one vCPU initialised with KVM_ARM_PREFERRED_TARGET
 * + KVM_ARM_VCPU_INIT (PSCI 0.2), the in-kernel vGICv3 (distributor,
 * redistributor, NR_IRQS, CTRL_INIT), a device tree written with libfdt
 * (cpus, psci, memory, GIC, timer, a UART, a debug-exit register, chosen)
 * whose address goes into x0, and a freestanding ELF guest (build/arm64/
 * guests/hello.elf) loaded at its physical addresses. It then runs the
 * vCPU, emulates the UART (16550 or PL011, --uart) and the debug-exit
 * register on KVM_EXIT_MMIO, raises and lowers a test SPI through
 * KVM_IRQ_LINE when the guest rings a doorbell register (the irq guest), and
 * expects the run to end with
 * KVM_EXIT_SYSTEM_EVENT (PSCI SYSTEM_OFF), the console text given with
 * --expect and the status given with --status.
 *
 * usage: kvm_probe [options] GUEST.elf
 *   --uart ns16550a|pl011   the console the DT describes [ns16550a]
 *   --expect TEXT           the console must contain TEXT
 *   --status N              the guest's exit status must be N [0]
 *   --step N                first single-step N instructions
 *                           (KVM_GUESTDBG_SINGLESTEP: N KVM_EXIT_DEBUG exits)
 *   --memory MIB            guest RAM [64]
 *   --timeout S             bound on the run [30]
 *   --dump-dtb FILE         write the device tree to FILE and exit (no KVM:
 *                           runs under qemu-aarch64-static on the build host)
 *   -v                      print the console and every exit kind
 *
 * Exit status: 0 all checks passed, 1 a check failed, 2 usage, 77 no
 * /dev/kvm. One summary line on success: capabilities, exits, timings.
 */
#include <errno.h>
#include <elf.h>
#include <fcntl.h>
#include <libfdt.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The probe's board (a subset of QEMU virt's layout below RAM). */
#define GIC_DIST_BASE 0x08000000ull
#define GIC_REDIST_BASE 0x080a0000ull
#define UART_BASE 0x09000000ull
#define UART_SIZE 0x1000ull
#define EXIT_BASE 0x09010000ull
#define EXIT_SIZE 0x4ull
/* A test doorbell (guests/arm64/irq.c): writing 1 raises its SPI, 0 lowers. */
#define BELL_BASE 0x09020000ull
#define BELL_SIZE 0x4ull
#define BELL_SPI 2
#define RAM_BASE 0x80000000ull
#define DTB_SIZE 0x10000u /* at the top of RAM */
#define NR_IRQS 128       /* 32 private + 96 SPIs */
#define UART_SPI 1
#define MAX_EXITS 1000000u
#define CONSOLE_MAX 4096

#define GIC_PHANDLE 1
/* The uapi's KVM_VGIC_V3_*_SIZE use the kernel's SZ_64K. */
#define GIC_DIST_SIZE 0x10000ull
#define GIC_REDIST_SIZE 0x20000ull /* one vCPU: RD_base + SGI_base frames */

enum uart_kind { NS16550A, PL011 };

struct opts {
	enum uart_kind uart;
	const char *expect;
	int status;
	unsigned int step;
	uint64_t ram_size;
	unsigned int timeout;
	const char *dump_dtb;
	const char *guest;
	bool verbose;
};

struct probe {
	int kvm, vm, vcpu, gic;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *ram;
	uint64_t ram_size;
	char console[CONSOLE_MAX + 1];
	size_t console_len;
	int status; /* written to the debug-exit register; -1: none */
	unsigned int mmio_exits, debug_exits, irq_lines;
};

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

static void fail_errno(const char *what)
{
	fprintf(stderr, "kvm_probe: %s: %s\n", what, strerror(errno));
}

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* --- the device tree --------------------------------------------------- */

static int fdt_reg64(void *fdt, uint64_t base, uint64_t size)
{
	fdt64_t reg[2] = { cpu_to_fdt64(base), cpu_to_fdt64(size) };

	return fdt_property(fdt, "reg", reg, sizeof(reg));
}

static int fdt_cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t c[12];

	for (int i = 0; i < n && i < 12; i++)
		c[i] = cpu_to_fdt32(v[i]);
	return fdt_property(fdt, name, c, (int)(sizeof(c[0]) * (size_t)n));
}

/* Writes the partition's DTB into buf (size len); 0 or a libfdt error. */
static int build_dtb(void *buf, size_t len, const struct opts *o)
{
	/* GIC interrupt specifiers: type (0 SPI, 1 PPI), number, flags. */
	static const uint32_t timer_irqs[] = { 1, 13, 0xf08, 1, 14, 0xf08,
					       1, 11, 0xf08, 1, 10, 0xf08 };
	const uint32_t uart_irq[] = { 0, UART_SPI, 4 };
	const uint32_t bell_irq[] = { 0, BELL_SPI, 4 };
	char path[64];
	int r = 0;

	snprintf(path, sizeof(path), "/serial@%llx", UART_BASE);
	r = r ?: fdt_create(buf, (int)len);
	r = r ?: fdt_finish_reservemap(buf);
	r = r ?: fdt_begin_node(buf, "");
	r = r ?: fdt_property_string(buf, "compatible", "tessera,kvm-probe");
	r = r ?: fdt_property_u32(buf, "#address-cells", 2);
	r = r ?: fdt_property_u32(buf, "#size-cells", 2);
	r = r ?: fdt_property_u32(buf, "interrupt-parent", GIC_PHANDLE);

	r = r ?: fdt_begin_node(buf, "chosen");
	r = r ?: fdt_property_string(buf, "stdout-path", path);
	r = r ?: fdt_end_node(buf);

	r = r ?: fdt_begin_node(buf, "cpus");
	r = r ?: fdt_property_u32(buf, "#address-cells", 1);
	r = r ?: fdt_property_u32(buf, "#size-cells", 0);
	r = r ?: fdt_begin_node(buf, "cpu@0");
	r = r ?: fdt_property_string(buf, "device_type", "cpu");
	r = r ?: fdt_property_string(buf, "compatible", "arm,arm-v8");
	r = r ?: fdt_property_u32(buf, "reg", 0);
	r = r ?: fdt_property_string(buf, "enable-method", "psci");
	r = r ?: fdt_end_node(buf);
	r = r ?: fdt_end_node(buf);

	r = r ?: fdt_begin_node(buf, "psci");
	r = r ?: fdt_property_string(buf, "compatible", "arm,psci-0.2");
	r = r ?: fdt_property_string(buf, "method", "hvc");
	r = r ?: fdt_end_node(buf);

	snprintf(path, sizeof(path), "memory@%llx", RAM_BASE);
	r = r ?: fdt_begin_node(buf, path);
	r = r ?: fdt_property_string(buf, "device_type", "memory");
	r = r ?: fdt_reg64(buf, RAM_BASE, o->ram_size);
	r = r ?: fdt_end_node(buf);

	snprintf(path, sizeof(path), "intc@%llx", GIC_DIST_BASE);
	r = r ?: fdt_begin_node(buf, path);
	r = r ?: fdt_property_string(buf, "compatible", "arm,gic-v3");
	r = r ?: fdt_property_u32(buf, "#interrupt-cells", 3);
	/* No interrupt-map points here; dtc still wants the cell count. */
	r = r ?: fdt_property_u32(buf, "#address-cells", 0);
	r = r ?: fdt_property(buf, "interrupt-controller", NULL, 0);
	if (!r) {
		fdt64_t reg[4] = {
			cpu_to_fdt64(GIC_DIST_BASE),
			cpu_to_fdt64(GIC_DIST_SIZE),
			cpu_to_fdt64(GIC_REDIST_BASE),
			cpu_to_fdt64(GIC_REDIST_SIZE),
		};
		r = fdt_property(buf, "reg", reg, sizeof(reg));
	}
	r = r ?: fdt_property_u32(buf, "phandle", GIC_PHANDLE);
	r = r ?: fdt_end_node(buf);

	r = r ?: fdt_begin_node(buf, "timer");
	r = r ?: fdt_property_string(buf, "compatible", "arm,armv8-timer");
	r = r ?: fdt_cells(buf, "interrupts", timer_irqs, 12);
	r = r ?: fdt_property(buf, "always-on", NULL, 0);
	r = r ?: fdt_end_node(buf);

	snprintf(path, sizeof(path), "serial@%llx", UART_BASE);
	r = r ?: fdt_begin_node(buf, path);
	if (o->uart == PL011) {
		static const char compat[] = "arm,pl011\0arm,primecell";

		r = r ?: fdt_property(buf, "compatible", compat, sizeof(compat));
	} else {
		r = r ?: fdt_property_string(buf, "compatible", "ns16550a");
		r = r ?: fdt_property_u32(buf, "clock-frequency", 1843200);
	}
	r = r ?: fdt_reg64(buf, UART_BASE, UART_SIZE);
	r = r ?: fdt_cells(buf, "interrupts", uart_irq, 3);
	r = r ?: fdt_end_node(buf);

	snprintf(path, sizeof(path), "debug-exit@%llx", EXIT_BASE);
	r = r ?: fdt_begin_node(buf, path);
	r = r ?: fdt_property_string(buf, "compatible", "tessera,debug-exit");
	r = r ?: fdt_reg64(buf, EXIT_BASE, EXIT_SIZE);
	r = r ?: fdt_end_node(buf);

	snprintf(path, sizeof(path), "doorbell@%llx", BELL_BASE);
	r = r ?: fdt_begin_node(buf, path);
	r = r ?: fdt_property_string(buf, "compatible", "tessera,test-doorbell");
	r = r ?: fdt_reg64(buf, BELL_BASE, BELL_SIZE);
	r = r ?: fdt_cells(buf, "interrupts", bell_irq, 3);
	r = r ?: fdt_end_node(buf);

	r = r ?: fdt_end_node(buf);
	r = r ?: fdt_finish(buf);
	return r;
}

static int dump_dtb(const struct opts *o)
{
	static char buf[DTB_SIZE];
	FILE *f;
	int r;

	r = build_dtb(buf, sizeof(buf), o);
	if (r) {
		fprintf(stderr, "kvm_probe: device tree: %s\n", fdt_strerror(r));
		return 1;
	}
	f = fopen(o->dump_dtb, "wb");
	if (!f) {
		fail_errno(o->dump_dtb);
		return 1;
	}
	if (fwrite(buf, fdt_totalsize(buf), 1, f) != 1 || fclose(f)) {
		fail_errno(o->dump_dtb);
		return 1;
	}
	return 0;
}

/* --- the guest image ----------------------------------------------------- */

/* The RAM bytes for [gpa, gpa+len), or NULL if not all inside RAM. */
static uint8_t *gpa_ptr(struct probe *p, uint64_t gpa, uint64_t len)
{
	if (gpa < RAM_BASE || len > p->ram_size ||
	    gpa - RAM_BASE > p->ram_size - len)
		return NULL;
	return p->ram + (gpa - RAM_BASE);
}

/* Loads an ELF64 AArch64 image at its physical addresses; sets *entry. */
static int load_elf(struct probe *p, const char *path, uint64_t *entry)
{
	struct stat st;
	Elf64_Ehdr eh;
	uint8_t *img;
	int fd, r = -EINVAL;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		fail_errno(path);
		if (fd >= 0)
			close(fd);
		return r;
	}
	img = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (img == MAP_FAILED) {
		fail_errno(path);
		return -errno;
	}
	if ((size_t)st.st_size < sizeof(eh))
		goto err_bad;
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_machine != EM_AARCH64 || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff > (uint64_t)st.st_size ||
	    eh.e_phnum > ((uint64_t)st.st_size - eh.e_phoff) / sizeof(Elf64_Phdr))
		goto err_bad;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		uint8_t *dst;

		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		dst = gpa_ptr(p, ph.p_paddr, ph.p_memsz);
		if (!dst || ph.p_filesz > ph.p_memsz || ph.p_offset > (uint64_t)st.st_size ||
		    ph.p_filesz > (uint64_t)st.st_size - ph.p_offset) {
			fprintf(stderr, "kvm_probe: %s: segment %u outside RAM or file\n", path, i);
			goto err;
		}
		memcpy(dst, img + ph.p_offset, ph.p_filesz);
		memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
	}
	if (!gpa_ptr(p, eh.e_entry, 4)) {
		fprintf(stderr, "kvm_probe: %s: entry %#llx outside RAM\n", path,
			(unsigned long long)eh.e_entry);
		goto err;
	}
	*entry = eh.e_entry;
	r = 0;
	goto out;
err_bad:
	fprintf(stderr, "kvm_probe: %s: not an ELF64 AArch64 image\n", path);
err:
	r = -EINVAL;
out:
	munmap(img, (size_t)st.st_size);
	return r;
}

/* --- KVM ---------------------------------------------------------------- */

#define CORE_REG(x) \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, x) / sizeof(uint32_t)))

static int set_reg(struct probe *p, uint64_t id, uint64_t v)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&v };

	return ioctl(p->vcpu, KVM_SET_ONE_REG, &reg) < 0 ? -errno : 0;
}

static int get_reg(struct probe *p, uint64_t id, uint64_t *v)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)v };

	return ioctl(p->vcpu, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

static int gic_attr(struct probe *p, uint32_t group, uint64_t attr, void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(uintptr_t)val,
	};

	return ioctl(p->gic, KVM_SET_DEVICE_ATTR, &a) < 0 ? -errno : 0;
}

/* The in-kernel vGICv3, after the vCPU exists (its redistributor). */
static int create_gic(struct probe *p)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = GIC_DIST_BASE, redist = GIC_REDIST_BASE;
	uint32_t nr_irqs = NR_IRQS;
	int r;

	if (ioctl(p->vm, KVM_CREATE_DEVICE, &cd) < 0) {
		fail_errno("KVM_CREATE_DEVICE(VGIC_V3) (no GICv3 on this host?)");
		return -errno;
	}
	p->gic = (int)cd.fd;
	r = gic_attr(p, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
	r = r ?: gic_attr(p, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist);
	r = r ?: gic_attr(p, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs);
	r = r ?: gic_attr(p, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (r) {
		errno = -r;
		fail_errno("vGICv3 attributes (addresses, NR_IRQS, CTRL_INIT)");
	}
	return r;
}

static int create_vcpu(struct probe *p)
{
	struct kvm_vcpu_init init;

	p->vcpu = ioctl(p->vm, KVM_CREATE_VCPU, 0);
	if (p->vcpu < 0) {
		fail_errno("KVM_CREATE_VCPU");
		return -errno;
	}
	if (ioctl(p->vm, KVM_ARM_PREFERRED_TARGET, &init) < 0) {
		fail_errno("KVM_ARM_PREFERRED_TARGET");
		return -errno;
	}
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (ioctl(p->vcpu, KVM_ARM_VCPU_INIT, &init) < 0) {
		fail_errno("KVM_ARM_VCPU_INIT (PSCI 0.2)");
		return -errno;
	}
	p->run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu, 0);
	if (p->run == MAP_FAILED) {
		p->run = NULL;
		fail_errno("mmap(kvm_run)");
		return -errno;
	}
	return 0;
}

static int create_vm(struct probe *p, const struct opts *o)
{
	struct kvm_userspace_memory_region mr;
	int api, size;

	p->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (p->kvm < 0)
		return -errno; /* the caller reports (skip) */
	api = ioctl(p->kvm, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvm_probe: KVM API %d, expected %d\n", api, KVM_API_VERSION);
		return -EINVAL;
	}
	size = ioctl(p->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0) {
		fail_errno("KVM_GET_VCPU_MMAP_SIZE");
		return -EINVAL;
	}
	p->run_size = (size_t)size;
	p->vm = ioctl(p->kvm, KVM_CREATE_VM, 0); /* default IPA size (40 bits) */
	if (p->vm < 0) {
		fail_errno("KVM_CREATE_VM");
		return -errno;
	}
	p->ram_size = o->ram_size;
	p->ram = mmap(NULL, p->ram_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p->ram == MAP_FAILED) {
		p->ram = NULL;
		fail_errno("mmap(guest RAM)");
		return -errno;
	}
	mr = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = RAM_BASE,
		.memory_size = p->ram_size,
		.userspace_addr = (uint64_t)(uintptr_t)p->ram,
	};
	if (ioctl(p->vm, KVM_SET_USER_MEMORY_REGION, &mr) < 0) {
		fail_errno("KVM_SET_USER_MEMORY_REGION");
		return -errno;
	}
	return 0;
}

static void destroy(struct probe *p)
{
	if (p->run)
		munmap(p->run, p->run_size);
	if (p->gic >= 0)
		close(p->gic);
	if (p->vcpu >= 0)
		close(p->vcpu);
	if (p->vm >= 0)
		close(p->vm);
	if (p->kvm >= 0)
		close(p->kvm);
	if (p->ram)
		munmap(p->ram, p->ram_size);
}

/* --- the run ------------------------------------------------------------- */

static void console_put(struct probe *p, uint8_t c)
{
	if (p->console_len < CONSOLE_MAX)
		p->console[p->console_len++] = (char)c;
}

/* The doorbell's SPI to level, through the in-kernel vGIC (arm64's
 * KVM_IRQ_LINE encoding: type SPI in bits 24-27, the INTID in 0-15). */
static void ring_doorbell(struct probe *p, bool level)
{
	struct kvm_irq_level irq = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | (32 + BELL_SPI),
		.level = level,
	};

	if (ioctl(p->vm, KVM_IRQ_LINE, &irq) < 0)
		fail_errno("KVM_IRQ_LINE");
	else if (level)
		p->irq_lines++;
}

/* A guest MMIO access: the UART, the debug-exit register, the doorbell,
 * or nothing. */
static void handle_mmio(struct probe *p, const struct opts *o)
{
	struct kvm_run *run = p->run;
	uint64_t a = run->mmio.phys_addr;
	uint32_t len = run->mmio.len;
	uint64_t off;

	p->mmio_exits++;
	if (len > sizeof(run->mmio.data))
		len = sizeof(run->mmio.data);
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0, len); /* unclaimed reads return 0 */
	if (a >= UART_BASE && a - UART_BASE < UART_SIZE) {
		off = a - UART_BASE;
		if (run->mmio.is_write && off == 0) {
			console_put(p, run->mmio.data[0]);
		} else if (!run->mmio.is_write && o->uart == NS16550A && off == 5) {
			run->mmio.data[0] = 0x60; /* LSR: THRE | TEMT */
		} else if (!run->mmio.is_write && o->uart == PL011 && off == 0x18) {
			run->mmio.data[0] = 0x90; /* FR: TXFE | RXFE */
		}
	} else if (a >= EXIT_BASE && a - EXIT_BASE < EXIT_SIZE && run->mmio.is_write) {
		p->status = run->mmio.data[0];
	} else if (a >= BELL_BASE && a - BELL_BASE < BELL_SIZE && run->mmio.is_write) {
		ring_doorbell(p, run->mmio.data[0] != 0);
	} else if (o->verbose) {
		fprintf(stderr, "kvm_probe: unclaimed MMIO %s %#llx len %u\n",
			run->mmio.is_write ? "write" : "read", (unsigned long long)a, len);
	}
}

/* Single-steps n instructions: each must exit with KVM_EXIT_DEBUG. */
static int single_step(struct probe *p, unsigned int n)
{
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};
	uint64_t pc, prev;

	if (get_reg(p, CORE_REG(regs.pc), &prev))
		return -EIO;
	if (ioctl(p->vcpu, KVM_SET_GUEST_DEBUG, &dbg) < 0) {
		fail_errno("KVM_SET_GUEST_DEBUG(SINGLESTEP)");
		return -errno;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (ioctl(p->vcpu, KVM_RUN, 0) < 0) {
			fail_errno("KVM_RUN (single-step)");
			return -errno;
		}
		if (p->run->exit_reason != KVM_EXIT_DEBUG) {
			fprintf(stderr, "kvm_probe: step %u: exit %u, expected KVM_EXIT_DEBUG\n",
				i, p->run->exit_reason);
			return -EIO;
		}
		if (get_reg(p, CORE_REG(regs.pc), &pc) || pc != prev + 4) {
			fprintf(stderr, "kvm_probe: step %u: pc %#llx after %#llx\n", i,
				(unsigned long long)pc, (unsigned long long)prev);
			return -EIO;
		}
		prev = pc;
		p->debug_exits++;
	}
	dbg.control = 0;
	if (ioctl(p->vcpu, KVM_SET_GUEST_DEBUG, &dbg) < 0) {
		fail_errno("KVM_SET_GUEST_DEBUG(off)");
		return -errno;
	}
	return 0;
}

/* Runs until SYSTEM_OFF; 0, or -EIO for any other end. */
static int run_guest(struct probe *p, const struct opts *o)
{
	struct kvm_run *run = p->run;

	for (unsigned int n = 0; n < MAX_EXITS; n++) {
		if (ioctl(p->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR && timed_out) {
				fprintf(stderr, "kvm_probe: timed out after %u s\n", o->timeout);
				return -ETIMEDOUT;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fail_errno("KVM_RUN");
			return -errno;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_MMIO:
			handle_mmio(p, o);
			break;
		case KVM_EXIT_SYSTEM_EVENT:
			if (run->system_event.type == KVM_SYSTEM_EVENT_SHUTDOWN)
				return 0;
			fprintf(stderr, "kvm_probe: system event %u, expected SHUTDOWN\n",
				run->system_event.type);
			return -EIO;
		case KVM_EXIT_INTR:
			if (timed_out) {
				fprintf(stderr, "kvm_probe: timed out after %u s\n", o->timeout);
				return -ETIMEDOUT;
			}
			break;
		default: {
			uint64_t pc = 0;

			get_reg(p, CORE_REG(regs.pc), &pc);
			fprintf(stderr, "kvm_probe: unexpected exit %u at pc %#llx\n",
				run->exit_reason, (unsigned long long)pc);
			return -EIO;
		}
		}
	}
	fprintf(stderr, "kvm_probe: no SYSTEM_OFF after %u exits\n", MAX_EXITS);
	return -EIO;
}

static void print_caps(struct probe *p)
{
	static const struct {
		const char *name;
		long cap;
	} caps[] = {
		{ "PSCI_0_2", KVM_CAP_ARM_PSCI_0_2 },
		{ "IPA", KVM_CAP_ARM_VM_IPA_SIZE },
		{ "IRQFD", KVM_CAP_IRQFD },
		{ "IOEVENTFD", KVM_CAP_IOEVENTFD },
		{ "ONE_REG", KVM_CAP_ONE_REG },
		{ "DEVICE_CTRL", KVM_CAP_DEVICE_CTRL },
		{ "READONLY_MEM", KVM_CAP_READONLY_MEM },
		{ "GUEST_DEBUG", KVM_CAP_SET_GUEST_DEBUG },
		{ "HW_BPS", KVM_CAP_GUEST_DEBUG_HW_BPS },
		{ "HW_WPS", KVM_CAP_GUEST_DEBUG_HW_WPS },
	};

	printf("kvm_probe: caps");
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		printf(" %s=%d", caps[i].name, ioctl(p->kvm, KVM_CHECK_EXTENSION, caps[i].cap));
	printf("\n");
}

static int usage(void)
{
	fprintf(stderr, "usage: kvm_probe [--uart ns16550a|pl011] [--expect TEXT] [--status N]\n"
			"                 [--step N] [--memory MIB] [--timeout S] [-v]\n"
			"                 (GUEST.elf | --dump-dtb FILE)\n");
	return 2;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(s, &end, 0);
	return (errno || end == s || *end || *v > max || s[0] == '-') ? -EINVAL : 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	unsigned long v;

	*o = (struct opts){ .uart = NS16550A, .ram_size = 64ull << 20, .timeout = 30 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-v")) {
			o->verbose = true;
			continue;
		}
		if (a[0] != '-') {
			if (o->guest)
				return -EINVAL;
			o->guest = a;
			continue;
		}
		if (!val)
			return -EINVAL;
		i++;
		if (!strcmp(a, "--uart")) {
			if (!strcmp(val, "ns16550a"))
				o->uart = NS16550A;
			else if (!strcmp(val, "pl011"))
				o->uart = PL011;
			else
				return -EINVAL;
		} else if (!strcmp(a, "--expect")) {
			o->expect = val;
		} else if (!strcmp(a, "--status")) {
			if (parse_uint(val, 255, &v))
				return -EINVAL;
			o->status = (int)v;
		} else if (!strcmp(a, "--step")) {
			if (parse_uint(val, 1000, &v))
				return -EINVAL;
			o->step = (unsigned int)v;
		} else if (!strcmp(a, "--memory")) {
			/* At least room for the image and the DTB; at most 1 GiB. */
			if (parse_uint(val, 1024, &v) || v < 2)
				return -EINVAL;
			o->ram_size = (uint64_t)v << 20;
		} else if (!strcmp(a, "--timeout")) {
			if (parse_uint(val, 3600, &v) || v == 0)
				return -EINVAL;
			o->timeout = (unsigned int)v;
		} else if (!strcmp(a, "--dump-dtb")) {
			o->dump_dtb = val;
		} else {
			return -EINVAL;
		}
	}
	return (o->dump_dtb || o->guest) ? 0 : -EINVAL;
}

static int check_results(struct probe *p, const struct opts *o)
{
	int ok = 1;

	p->console[p->console_len] = 0;
	if (o->verbose)
		printf("kvm_probe: console:\n%s\n", p->console);
	if (o->expect && !strstr(p->console, o->expect)) {
		fprintf(stderr, "kvm_probe: console lacks \"%s\"; it says:\n%s\n", o->expect,
			p->console);
		ok = 0;
	}
	if ((p->status < 0 ? 0 : p->status) != o->status) {
		fprintf(stderr, "kvm_probe: guest exit status %d, expected %d\n",
			p->status < 0 ? 0 : p->status, o->status);
		ok = 0;
	}
	return ok ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct probe p = { .kvm = -1, .vm = -1, .vcpu = -1, .gic = -1, .status = -1 };
	struct sigaction sa = { .sa_handler = on_alarm };
	double t0, t_setup, t_run;
	uint64_t entry = 0, dtb_gpa;
	struct opts o;
	int r;

	if (parse_opts(argc, argv, &o))
		return usage();
	if (o.dump_dtb)
		return dump_dtb(&o);

	t0 = now_us();
	r = create_vm(&p, &o);
	if (r == -ENOENT || r == -ENODEV || r == -EACCES) {
		fprintf(stderr, "kvm_probe: /dev/kvm: %s (skip)\n", strerror(-r));
		return 77;
	}
	r = r ?: create_vcpu(&p);
	r = r ?: create_gic(&p);
	r = r ?: load_elf(&p, o.guest, &entry);
	if (r)
		goto out;
	dtb_gpa = RAM_BASE + p.ram_size - DTB_SIZE;
	r = build_dtb(gpa_ptr(&p, dtb_gpa, DTB_SIZE), DTB_SIZE, &o);
	if (r) {
		fprintf(stderr, "kvm_probe: device tree: %s\n", fdt_strerror(r));
		r = -EINVAL;
		goto out;
	}
	/* The arm64 boot protocol: x0 = DTB, x1-x3 = 0, at the entry point. */
	r = set_reg(&p, CORE_REG(regs.pc), entry);
	r = r ?: set_reg(&p, CORE_REG(regs.regs[0]), dtb_gpa);
	if (r) {
		errno = -r;
		fail_errno("KVM_SET_ONE_REG(pc, x0)");
		goto out;
	}
	print_caps(&p);
	t_setup = now_us();

	sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: KVM_RUN returns EINTR */
	alarm(o.timeout);
	r = o.step ? single_step(&p, o.step) : 0;
	r = r ?: run_guest(&p, &o);
	alarm(0);
	t_run = now_us();
	r = r ?: check_results(&p, &o);
	if (!r)
		printf("kvm_probe: PASS %s, %s: setup %.1f ms, run %.1f ms, %u MMIO exits "
		       "(%.0f us each), %u debug exits, %u SPIs raised, status %d\n",
		       o.guest, o.uart == PL011 ? "pl011" : "ns16550a", (t_setup - t0) / 1e3,
		       (t_run - t_setup) / 1e3, p.mmio_exits,
		       p.mmio_exits ? (t_run - t_setup) / p.mmio_exits : 0.0, p.debug_exits, p.irq_lines,
		       p.status < 0 ? 0 : p.status);
out:
	destroy(&p);
	return r ? 1 : 0;
}
