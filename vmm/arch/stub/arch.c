// SPDX-License-Identifier: GPL-2.0
/*
 * The stub arch: every hook of vmm/arch.h, none of them working. Hooks
 * that build something return -ENOSYS; queries answer something neutral
 * (no reserved memory, no default routes, no device-tree model). A
 * monitor built with it (make ARCH=stub) stops at arch_vm_init() with
 * one line; it exists so that the build proves generic code needs nothing
 * but this interface. A port starts by copying this file.
 */
#include <elf.h>
#include <errno.h>

#include "arch.h"
#include "log.h"

const char *arch_name(void)
{
	return "stub";
}

uint16_t arch_elf_machine(void)
{
	return EM_NONE;
}

gpa_t arch_boot_reserved_end(void)
{
	return 0;
}

int arch_mem_layout(struct guest_mem *m)
{
	(void)m;
	return -ENOSYS;
}

size_t arch_kvm_caps(const struct arch_kvm_cap **caps)
{
	*caps = NULL;
	return 0;
}

int arch_vm_init(struct vm *vm)
{
	(void)vm;
	log_err("this tessera was built for the stub arch (make ARCH=stub): it runs no guest");
	return -ENOSYS;
}

const char arch_kernel_formats[] = "an ELF64";

int arch_load_kernel(struct vm *vm, const uint8_t *img, size_t len,
		     struct load_info *info, char *err, size_t errlen)
{
	(void)vm, (void)img, (void)len, (void)info, (void)err, (void)errlen;
	return -ENOENT; /* no format of its own: the ELF and raw loaders decide */
}

int arch_elf_kernel(struct vm *vm, const uint8_t *img, size_t len, char *err,
		    size_t errlen)
{
	(void)vm, (void)img, (void)len, (void)err, (void)errlen;
	return 0;
}

uint64_t arch_initrd_limit(const struct vm *vm)
{
	(void)vm;
	return 0;
}

size_t arch_cmdline_max(const struct vm *vm)
{
	(void)vm;
	return 0;
}

const char *arch_cmdline_defaults(void)
{
	return "";
}

int arch_create_platform(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int arch_resources(struct resources *r)
{
	(void)r;
	return -ENOSYS;
}

bool arch_virtio_mmio_on_cmdline(void)
{
	return false;
}

uint32_t arch_irq_line_encode(uint32_t line)
{
	return line;
}

int arch_irq_default_routes(struct irq_routes *t)
{
	(void)t;
	return 0;
}

void arch_fdt_describe(const struct vm *vm, struct fdt_machine *m)
{
	(void)vm, (void)m;
}

const struct fdt_arch *arch_fdt_model(void)
{
	return NULL;
}

int arch_setup_boot(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int arch_write_boot_params(struct vm *vm)
{
	(void)vm;
	return -ENOSYS;
}

int arch_vcpu_init(struct vm *vm, struct vcpu *v)
{
	(void)vm, (void)v;
	return -ENOSYS;
}

void arch_dump_vcpu(struct vcpu *v)
{
	(void)v;
}

enum cpu_template arch_default_cpu_template(void)
{
	return CPU_TEMPLATE_HOST;
}

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
