/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hooks every architecture provides (vmm/arch/<arch>/). Generic code
 * calls these and contains no architecture #ifdefs. All run on the main
 * thread during setup unless noted.
 */
#ifndef TESSERA_ARCH_H
#define TESSERA_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "mem.h"
#include "types.h"

struct vm;
struct vcpu;
struct load_info;
struct fdt_machine;
struct fdt_arch;
struct irq_routes;
struct resources;
struct pci_host;
struct pci_host_place;

/* The arch's name in messages ("x86-64"). Pure. */
const char *arch_name(void);

/* The ELF e_machine of kernels this arch runs (EM_X86_64). Pure. */
uint16_t arch_elf_machine(void);

/* Guest-physical addresses below this belong to the monitor's boot data. */
gpa_t arch_boot_reserved_end(void);

/* Splits guest RAM into regions around the arch's MMIO holes. 0 or -errno. */
int arch_mem_layout(struct guest_mem *m);

/* A KVM capability (KVM_CAP_*) and its name without the prefix. */
struct arch_kvm_cap {
	int cap;
	const char *name;
};

/*
 * The KVM capabilities the arch needs: points *caps at a static table and
 * returns its length; vm.c checks them all (vm_check_kvm_caps) before
 * KVM_CREATE_VM. Pure.
 */
size_t arch_kvm_caps(const struct arch_kvm_cap **caps);

/* VM-wide setup before memory and devices: irqchip, timers, TSS. */
int arch_vm_init(struct vm *vm);

/*
 * What --kernel takes besides a raw binary at --load-addr, for the
 * message that names them ("an ELF64 or bzImage").
 */
extern const char arch_kernel_formats[];

/*
 * Loads a kernel in an arch-specific format (x86: a bzImage). Returns
 * -ENOENT if img is not one, 0, or another -errno with a reason in err.
 */
int arch_load_kernel(struct vm *vm, const uint8_t *img, size_t len,
		     struct load_info *info, char *err, size_t errlen);

/*
 * Looks at a loaded ELF kernel for arch-specific entry conventions (x86:
 * the PVH note). 0 or -errno with a reason in err.
 */
int arch_elf_kernel(struct vm *vm, const uint8_t *img, size_t len, char *err,
		    size_t errlen);

/* The first address an initrd byte may not use. */
uint64_t arch_initrd_limit(const struct vm *vm);

/* The longest kernel command line the loaded kernel accepts. */
size_t arch_cmdline_max(const struct vm *vm);

/* Command-line options the monitor adds unless the user sets them. */
const char *arch_cmdline_defaults(void);

/*
 * Creates the board's own devices (x86: the console's 16550 UART, the
 * keyboard controller's reset line, power management, the debug-exit port):
 * registers their ranges, connects the console's input to the UART, and
 * adds each to the device list, which also tears them down. After the
 * console is open, before the user's devices. 0 or -errno (logged).
 */
int arch_create_platform(struct vm *vm);

/*
 * Seeds the allocators of device placement: the MMIO window transports
 * carve from and the interrupt lines devices may use. 0 or -errno.
 */
int arch_resources(struct resources *r);

/*
 * Whether the guest learns of virtio-mmio devices from virtio_mmio.device=
 * on its command line (x86 Linux); their device-tree nodes are then
 * marked disabled.
 */
bool arch_virtio_mmio_on_cmdline(void);

/*
 * What KVM_IRQ_LINE's irq field takes for interrupt line `line` (x86: the
 * GSI itself; arm64: type, vCPU index and number). Any thread; pure.
 */
uint32_t arch_irq_line_encode(uint32_t line);

/*
 * The routes KVM installs by default with the in-kernel irqchip, so that a
 * KVM_SET_GSI_ROUTING of the whole table keeps them. 0 or -errno.
 */
int arch_irq_default_routes(struct irq_routes *t);

/*
 * Fills the arch's part of the device tree: m->arch (interrupt
 * controllers and specifiers) and the CPUs with their reg.
 */
void arch_fdt_describe(const struct vm *vm, struct fdt_machine *m);

/* The arch's device-tree model alone (what arch_fdt_describe() sets). */
const struct fdt_arch *arch_fdt_model(void);

/*
 * Where a PCI host bridge lives (ECAM window, 32- and 64-bit BAR windows)
 * in this partition, chosen after guest RAM is laid out. 0 or -errno
 * (-ENOSYS: the arch has no PCI).
 */
int arch_pci_place(const struct vm *vm, struct pci_host_place *p);

/*
 * Connects what else reaches the bridge's configuration space besides
 * ECAM (x86: the type-1 ports). 0 or -errno (logged).
 */
int arch_pci_attach(struct vm *vm, struct pci_host *h);

/* Writes boot structures (page tables, descriptor tables) into guest RAM. */
int arch_setup_boot(struct vm *vm);

/*
 * Writes what the guest reads at entry: x86's zero page with the e820 map,
 * vm->cmdline, the initrd, vm->dtb as setup_data, and the MP table.
 */
int arch_write_boot_params(struct vm *vm);

/* Per-vCPU setup: CPUID, MSRs, FPU, and on the boot CPU the entry state. */
int arch_vcpu_init(struct vm *vm, struct vcpu *v);

/*
 * Prints the vCPU's registers and the instruction bytes at its program
 * counter, for fatal exits. Called on the vCPU's own thread.
 */
void arch_dump_vcpu(struct vcpu *v);

struct sandbox_rule;
/*
 * Adapts a rule of sandbox_rules.c, written with x86-64's system calls
 * and KVM ioctls, to this arch (another name for a call, another ioctl
 * request). false: the arch has no such call or ioctl, and no rule is
 * needed. Pure.
 */
bool arch_sandbox_rule(struct sandbox_rule *r);

/* The CPU template "auto" resolves to (baseline on kvm_pvm hosts). */
enum cpu_template arch_default_cpu_template(void);

/*
 * The monitor's own system-call convention (KVM runs guests of the host's
 * arch), for the seccomp SIGSYS handler (vmm/sandbox.c): argument n (0-5)
 * of the trapped call, and its return value. uc is the handler's
 * ucontext_t. Async-signal-safe.
 */
uint64_t arch_sigsys_arg(const void *uc, unsigned int n);
void arch_sigsys_set_return(void *uc, long ret);

#endif
