// SPDX-License-Identifier: GPL-2.0
/*
 * arm64 machine setup on KVM: RAM from 2 GiB, the in-kernel vGICv3, vCPUs
 * initialised with the preferred target and KVM's in-kernel PSCI 0.2
 * (secondaries powered off until the guest's CPU_ON), the arm64 boot
 * protocol (Documentation/arch/arm64/booting.rst: an Image at a 2 MiB
 * aligned base + text_offset, or an ELF64/raw guest at its addresses;
 * MMU off, EL1h with DAIF masked, x0 = the DTB), and the hooks of
 * vmm/arch.h. The pure parts are in image.c and fdt.c.
 */
#include <elf.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch.h"
#include "arm64.h"
#include "devices.h"
#include "fdt.h"
#include "irq.h"
#include "layout.h"
#include "loader.h"
#include "log.h"
#include "resource.h"
#include "vm.h"

/* The uapi's numbers, checked against ours (arm64.h is pure). */
_Static_assert(KVM_ARM_IRQ_TYPE_SHIFT == 24 && KVM_ARM_IRQ_TYPE_SPI == 1,
	       "KVM_IRQ_LINE encoding");
/* The uapi's KVM_VGIC_V3_*_SIZE use the kernel's SZ_64K, not exported. */
_Static_assert(ARM64_GIC_DIST_SIZE == 0x10000 &&
		       ARM64_GIC_REDIST_FRAME == 2 * 0x10000,
	       "vGICv3 frame sizes");

#define CORE_REG(x)                                                       \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE |             \
	 (offsetof(struct kvm_regs, x) / sizeof(uint32_t)))
/* MPIDR_EL1: op0 3, op1 0, CRn 0, CRm 0, op2 5. */
#define SYSREG_MPIDR_EL1 ARM64_SYS_REG(3, 0, 0, 0, 5)
/* PSTATE at entry: EL1h, D, A, I, F masked (booting.rst). */
#define PSTATE_EL1H_DAIF (PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | \
			  PSR_F_BIT)

const char *arch_name(void)
{
	return "arm64";
}

uint16_t arch_elf_machine(void)
{
	return EM_AARCH64;
}

gpa_t arch_boot_reserved_end(void)
{
	/* Nothing of the monitor's lives below RAM; RAM starts here. */
	return ARM64_RAM_BASE;
}

enum cpu_template arch_default_cpu_template(void)
{
	return CPU_TEMPLATE_HOST; /* no CPUID on arm64: the host's ID registers */
}

/* No PCI host bridge on this board yet (--vfio is x86's; vfio-platform is
 * the arm64 passthrough): pci_bus.c is told so. */
int arch_pci_place(const struct vm *vm, struct pci_host_place *p)
{
	(void)vm, (void)p;
	return -ENOSYS;
}

int arch_pci_attach(struct vm *vm, struct pci_host *h)
{
	(void)vm, (void)h;
	return -ENOSYS;
}

int arch_mem_layout(struct guest_mem *m)
{
	return guest_mem_add_region(m, ARM64_RAM_BASE, m->size);
}

int arch_resources(struct resources *r)
{
	int e = resource_set_mmio_window(r, ARM64_VIRTIO_MMIO_BASE,
					 ARM64_VIRTIO_MMIO_SIZE);

	for (uint32_t i = 0; i < ARM64_DEVICE_SPI_COUNT && !e; i++)
		e = resource_add_line(r, ARM64_DEVICE_SPI_FIRST + i);
	return e;
}

bool arch_virtio_mmio_on_cmdline(void)
{
	return false; /* the DT is the whole description */
}

uint32_t arch_irq_line_encode(uint32_t line)
{
	return arm64_irq_line_encode(line);
}

/*
 * KVM's default routing with the vGIC (kvm_vgic_setup_default_irq_routing):
 * GSI n to SPI n (irqchip 0, pin n) for every SPI. An irqfd's GSI is the
 * SPI's 0-based number, which is what a line is here.
 */
int arch_irq_default_routes(struct irq_routes *t)
{
	int r = 0;

	for (uint32_t spi = 0; spi < ARM64_GIC_NR_SPIS && !r; spi++)
		r = irq_routes_add_irqchip(t, spi, 0, spi);
	return r;
}

size_t arch_kvm_caps(const struct arch_kvm_cap **caps)
{
	static const struct arch_kvm_cap need[] = {
		{ KVM_CAP_ONE_REG, "ONE_REG" },
		{ KVM_CAP_DEVICE_CTRL, "DEVICE_CTRL" },
		{ KVM_CAP_ARM_PSCI_0_2, "ARM_PSCI_0_2" },
	};

	*caps = need;
	return ARRAY_SIZE(need);
}

/* Options that mean something only on x86: a user error here. */
static int refuse_x86_options(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;

	if (cfg->cpu_template != CPU_TEMPLATE_AUTO)
		return vm_user_error(vm, "--cpu-template: x86 only (arm64 guests see the host's ID registers)");
	if (cfg->exits == EXITS_DISABLE)
		return vm_user_error(vm, "--disable-exits: x86 only (KVM_CAP_X86_DISABLE_EXITS)");
	return 0;
}

static int gic_set(struct vm *vm, uint32_t group, uint64_t attr,
		   const void *val, const char *what)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uint64_t)(uintptr_t)val,
	};

	if (ioctl(vm->arch.gic_fd, KVM_SET_DEVICE_ATTR, &a) < 0) {
		log_err_errno("vGICv3: %s", what);
		return -errno;
	}
	return 0;
}

static int gic_destroy(void *opaque)
{
	struct vm *vm = opaque;

	if (vm->arch.gic_fd >= 0)
		close(vm->arch.gic_fd);
	vm->arch.gic_fd = -1;
	return 0;
}

/*
 * The in-kernel vGICv3: created before the vCPUs (each vCPU created after
 * it gets its redistributor), placed, sized; initialised once the last
 * vCPU exists (gic_init). On the device list, so teardown closes it.
 */
static int gic_create(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	const struct vm_device dev = { .name = "gicv3", .destroy = gic_destroy,
				       .opaque = vm };
	uint64_t dist = ARM64_GIC_DIST_BASE, redist = ARM64_GIC_REDIST_BASE;
	uint32_t nr_irqs = ARM64_GIC_NR_IRQS;
	int r;

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd) < 0) {
		log_err("this host has no in-kernel GICv3 (KVM_CREATE_DEVICE VGIC_V3: %s): tessera needs one",
			strerror(errno));
		return -ENOTSUP;
	}
	vm->arch.gic_fd = (int)cd.fd;
	r = devices_add(&vm->devices, &dev);
	if (r) {
		gic_destroy(vm);
		log_err("gicv3: cannot add it to the device list: %s", strerror(-r));
		return r;
	}
	r = gic_set(vm, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST,
		    &dist, "distributor address");
	r = r ?: gic_set(vm, KVM_DEV_ARM_VGIC_GRP_ADDR,
			 KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist,
			 "redistributor address");
	return r ?: gic_set(vm, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs,
			    "NR_IRQS");
}

static int gic_init(struct vm *vm)
{
	return gic_set(vm, KVM_DEV_ARM_VGIC_GRP_CTRL,
		       KVM_DEV_ARM_VGIC_CTRL_INIT, NULL, "CTRL_INIT");
}

int arch_vm_init(struct vm *vm)
{
	int r;

	vm->arch.gic_fd = -1;
	r = refuse_x86_options(vm);
	return r ?: gic_create(vm);
}

const char arch_kernel_formats[] = "an ELF64 or arm64 Image";

int arch_load_kernel(struct vm *vm, const uint8_t *img, size_t len,
		     struct load_info *info, char *err, size_t errlen)
{
	struct arm64_image im;
	uint64_t load, limit = arch_initrd_limit(vm);
	void *dst;
	int r;

	r = arm64_image_parse(img, len, &im, err, errlen);
	r = r ?: arm64_image_place(&im, ARM64_RAM_BASE, limit, &load, err,
				   errlen);
	if (r)
		return r;
	dst = guest_mem_ptr(&vm->mem, load, im.image_size);
	if (!dst)
		return err_printf(err, errlen, -EINVAL, "kernel does not fit in guest RAM");
	memcpy(dst, img, len);
	memset((uint8_t *)dst + len, 0, im.image_size - len);
	vm->arch.image = true;
	info->entry = load;
	info->low = load;
	info->high = load + im.image_size;
	if (im.legacy)
		log_warn("--kernel: an Image without image_size (before Linux 3.17): its bss may overlap the initrd");
	return 0;
}

int arch_elf_kernel(struct vm *vm, const uint8_t *img, size_t len, char *err,
		    size_t errlen)
{
	(void)vm, (void)img, (void)len, (void)err, (void)errlen;
	return 0; /* entered at e_entry, like an Image */
}

uint64_t arch_initrd_limit(const struct vm *vm)
{
	uint64_t dtb;

	if (arm64_dtb_addr(ARM64_RAM_BASE, vm->mem.size, &dtb))
		return ARM64_RAM_BASE; /* nothing fits: callers then fail */
	return dtb;
}

size_t arch_cmdline_max(const struct vm *vm)
{
	(void)vm;
	return ARM64_CMDLINE_MAX - 1;
}

const char *arch_cmdline_defaults(void)
{
	/* ttyS0 is the board's 16550A (8250_of); earlycon finds it through stdout-path. */
	return "console=ttyS0";
}

const struct fdt_arch *arch_fdt_model(void)
{
	return arm64_fdt_model();
}

void arch_fdt_describe(const struct vm *vm, struct fdt_machine *m)
{
	m->arch = arm64_fdt_model();
	m->ncpus = vm->nvcpus;
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		m->cpu[i] = (struct fdt_cpu){ .reg = arm64_mpidr(i),
					      .host_cpu = vm->cfg->pin[i] };
}

int arch_setup_boot(struct vm *vm)
{
	if (arm64_dtb_addr(ARM64_RAM_BASE, vm->mem.size, &vm->arch.dtb_gpa)) {
		log_err("guest RAM too small for the device tree (4 MiB at least)");
		return -EINVAL;
	}
	return 0;
}

int arch_write_boot_params(struct vm *vm)
{
	if (!vm->dtb || vm->dtb_len > ARM64_DTB_AREA ||
	    guest_mem_write(&vm->mem, vm->arch.dtb_gpa, vm->dtb, vm->dtb_len)) {
		log_err("cannot place the device tree at 0x%llx",
			(unsigned long long)vm->arch.dtb_gpa);
		return -EFAULT;
	}
	return 0;
}

static int set_reg(struct vcpu *v, uint64_t id, uint64_t val, const char *name)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&val };

	if (ioctl(v->fd, KVM_SET_ONE_REG, &reg) < 0) {
		log_err_errno("vCPU %u: KVM_SET_ONE_REG %s", v->id, name);
		return -errno;
	}
	return 0;
}

static int get_reg(struct vcpu *v, uint64_t id, uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)val };

	return ioctl(v->fd, KVM_GET_ONE_REG, &reg) < 0 ? -errno : 0;
}

/* The boot CPU: the arm64 boot protocol's entry state. */
static int setup_entry(struct vm *vm, struct vcpu *v)
{
	int r;

	/* Where arch_write_boot_params() will put the DTB (vCPUs come first). */
	if (arm64_dtb_addr(ARM64_RAM_BASE, vm->mem.size, &vm->arch.dtb_gpa)) {
		log_err("guest RAM too small for the device tree (4 MiB at least)");
		return -EINVAL;
	}
	r = set_reg(v, CORE_REG(regs.pstate), PSTATE_EL1H_DAIF, "pstate");

	r = r ?: set_reg(v, CORE_REG(regs.pc), vm->entry, "pc");
	r = r ?: set_reg(v, CORE_REG(regs.regs[0]), vm->arch.dtb_gpa, "x0");
	for (int i = 1; i < 4 && !r; i++)
		r = set_reg(v, CORE_REG(regs.regs[i]), 0, "x1-x3");
	return r;
}

/* The DT numbered this vCPU with arm64_mpidr(): KVM must agree. */
static int check_mpidr(struct vcpu *v)
{
	uint64_t mpidr;

	if (get_reg(v, SYSREG_MPIDR_EL1, &mpidr) < 0) {
		log_err_errno("vCPU %u: KVM_GET_ONE_REG MPIDR_EL1", v->id);
		return -errno;
	}
	if ((mpidr & ARM64_MPIDR_AFF_MASK) != arm64_mpidr(v->id)) {
		log_err("vCPU %u: MPIDR_EL1 0x%llx, the device tree says 0x%llx",
			v->id, (unsigned long long)mpidr,
			(unsigned long long)arm64_mpidr(v->id));
		return -EINVAL;
	}
	return 0;
}

int arch_vcpu_init(struct vm *vm, struct vcpu *v)
{
	struct kvm_vcpu_init init;
	int r;

	if (!vm->arch.have_target) {
		if (ioctl(vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &vm->arch.target) < 0) {
			log_err_errno("KVM_ARM_PREFERRED_TARGET");
			return -errno;
		}
		vm->arch.have_target = true;
	}
	init = vm->arch.target;
	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	/* Secondaries wait, powered off, for the guest's PSCI CPU_ON. */
	if (v->id != 0)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	if (ioctl(v->fd, KVM_ARM_VCPU_INIT, &init) < 0) {
		log_err_errno("vCPU %u: KVM_ARM_VCPU_INIT", v->id);
		return -errno;
	}
	r = check_mpidr(v);
	if (!r && v->id == 0)
		r = setup_entry(vm, v);
	/* The vGIC initialises once every vCPU (redistributor) exists. */
	if (!r && v->id == vm->nvcpus - 1)
		r = gic_init(vm);
	return r;
}

void arch_dump_vcpu(struct vcpu *v)
{
	uint64_t pc = 0, pstate = 0, sp = 0, x[4] = { 0 };
	const uint32_t *insn;

	if (get_reg(v, CORE_REG(regs.pc), &pc) < 0 ||
	    get_reg(v, CORE_REG(regs.pstate), &pstate) < 0) {
		log_err_errno("vCPU %u: cannot read registers", v->id);
		return;
	}
	get_reg(v, CORE_REG(sp_el1), &sp);
	for (int i = 0; i < 4; i++)
		get_reg(v, CORE_REG(regs.regs[i]), &x[i]);
	log_err("vCPU %u: PC 0x%llx PSTATE 0x%llx SP_EL1 0x%llx X0 0x%llx X1 0x%llx X2 0x%llx X3 0x%llx",
		v->id, (unsigned long long)pc, (unsigned long long)pstate,
		(unsigned long long)sp, (unsigned long long)x[0],
		(unsigned long long)x[1], (unsigned long long)x[2],
		(unsigned long long)x[3]);
	/* With the MMU off (our guests, early Linux) the PC is a guest-physical address. */
	insn = guest_mem_ptr(&v->vm->mem, pc, 4);
	if (insn)
		log_err("vCPU %u: instruction word at PC (if the MMU is off): %08x",
			v->id, *insn);
}
