// SPDX-License-Identifier: GPL-2.0
/*
 * x86_64 machine setup: memory layout, in-kernel irqchip and PIT, direct
 * 64-bit long-mode entry (a GDT, identity-mapped page tables for the low
 * 4 GiB, control registers, boot MSRs) and the CPUID policy.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch.h"
#include "arch/x86_64/boot.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/pvh.h"
#include "irq.h"
#include "log.h"
#include "resource.h"
#include "vm.h"

#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_ET (1ULL << 4)
#define CR0_NE (1ULL << 5)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PS 0x80ULL

#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

const char *arch_name(void)
{
	return "x86-64";
}

uint16_t arch_elf_machine(void)
{
	return EM_X86_64;
}

gpa_t arch_boot_reserved_end(void)
{
	return X86_BOOT_RESERVED_END;
}

enum cpu_template arch_default_cpu_template(void)
{
	/* HOST.md: kvm_pvm emulates guest kernel code and lacks many opcodes. */
	return access("/sys/module/kvm_pvm", F_OK) == 0 ? CPU_TEMPLATE_BASELINE
							 : CPU_TEMPLATE_HOST;
}

int arch_mem_layout(struct guest_mem *m)
{
	uint64_t low = m->size < X86_MMIO_HOLE_START ? m->size
						     : X86_MMIO_HOLE_START;
	int r = guest_mem_add_region(m, 0, low);

	if (r == 0 && m->size > low)
		r = guest_mem_add_region(m, X86_MMIO_HOLE_END, m->size - low);
	return r;
}

/*
 * Device interrupts use ISA pins nothing else claims: not 0-2 (PIT,
 * keyboard, cascade), 3 and 4 (COM2, COM1), 8 (RTC), 9 (ACPI SCI). Pins
 * 16-23 exist, but our MP table names only ISA IRQs 0-15, and Linux maps
 * an IRQ number to the pin of the same number only for those, so a
 * virtio_mmio.device= entry can name nothing above 15. Past nine devices
 * the allocator shares pins (resource.h: edge-triggered, IRQF_SHARED).
 *
 * The guest sees these pins as edge-triggered, active high: Linux's
 * virtio-mmio driver asks for its IRQ with no trigger type, and on x86 an
 * ISA IRQ below 16 is edge-triggered (MP table "conforming" ISA entries,
 * ACPI without overrides), so the guest programs the pin edge; the
 * device's pulses (devices/virtio/mmio.h) match. A pulse that arrives
 * while the guest handles the last one is latched in the local APIC's IRR.
 */
static const uint8_t device_pins[] = { 5, 6, 7, 10, 11, 12, 13, 14, 15 };

/* The window for device MMIO (virtio-mmio slots) below the IOAPIC. */
#define X86_DEVICE_MMIO_SIZE 0x100000ULL

int arch_resources(struct resources *r)
{
	int e = resource_set_mmio_window(r, X86_VIRTIO_MMIO_BASE,
					 X86_DEVICE_MMIO_SIZE);

	for (size_t i = 0; i < ARRAY_SIZE(device_pins) && !e; i++)
		e = resource_add_line(r, device_pins[i]);
	return e;
}

bool arch_virtio_mmio_on_cmdline(void)
{
	/* ARCHITECTURE.md: x86 Linux finds virtio-mmio devices on its command line. */
	return true;
}

uint32_t arch_irq_line_encode(uint32_t line)
{
	return line; /* KVM_IRQ_LINE on x86 takes the GSI */
}

/*
 * KVM's default routing with the in-kernel irqchip (x86 irq_comm.c): GSIs
 * 0-15 to the IOAPIC pin and the 8259 pin of the same number, 16-23 to
 * the IOAPIC only.
 */
int arch_irq_default_routes(struct irq_routes *t)
{
	int r = 0;

	for (uint32_t gsi = 0; gsi < 24 && !r; gsi++) {
		r = irq_routes_add_irqchip(t, gsi, KVM_IRQCHIP_IOAPIC, gsi);
		if (!r && gsi < 16)
			r = irq_routes_add_irqchip(t, gsi,
						   gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
							   : KVM_IRQCHIP_PIC_SLAVE,
						   gsi % 8);
	}
	return r;
}

size_t arch_kvm_caps(const struct arch_kvm_cap **caps)
{
	static const struct arch_kvm_cap need[] = {
		{ KVM_CAP_IRQCHIP, "IRQCHIP" },
		{ KVM_CAP_PIT2, "PIT2" },
		{ KVM_CAP_EXT_CPUID, "EXT_CPUID" },
		{ KVM_CAP_SET_TSS_ADDR, "SET_TSS_ADDR" },
	};

	*caps = need;
	return ARRAY_SIZE(need);
}

/*
 * KVM_CAP_X86_DISABLE_EXITS: HLT and PAUSE stay in the guest, so a vCPU
 * that owns its host CPU wakes without a trip through the host scheduler.
 * VM-wide, and only before the first vCPU is created. --rt asks for it on
 * pinned partitions; --disable-exits asks regardless; a KVM that offers
 * neither bit gets a warning, not an error.
 */
static int disable_exits(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_DISABLE_EXITS };
	unsigned int want = KVM_X86_DISABLE_EXITS_HLT | KVM_X86_DISABLE_EXITS_PAUSE;
	int offered;
	bool pinned = cfg->pin_set;

	if (!config_wants_disable_exits(cfg))
		return 0;
	for (unsigned int i = 0; i < vm->nvcpus; i++)
		pinned = pinned && cfg->pin[i] >= 0;
	if (!pinned && cfg->exits == EXITS_AUTO) {
		log_warn("--rt: HLT and PAUSE exits stay on: not every vCPU is pinned (--pin)");
		return 0;
	}
	offered = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_DISABLE_EXITS);
	if (offered < 0)
		offered = 0;
	want &= (unsigned int)offered;
	if (!want) {
		log_warn("this KVM cannot disable HLT or PAUSE exits (offers 0x%x)",
			 offered);
		return 0;
	}
	cap.args[0] = want;
	if (ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) < 0) {
		log_err_errno("KVM_ENABLE_CAP X86_DISABLE_EXITS 0x%x", want);
		return -errno;
	}
	vm->arch.disabled_exits = want;
	log_info("vCPU exits disabled:%s%s",
		 want & KVM_X86_DISABLE_EXITS_HLT ? " HLT" : "",
		 want & KVM_X86_DISABLE_EXITS_PAUSE ? " PAUSE" : "");
	return 0;
}

int arch_vm_init(struct vm *vm)
{
	uint64_t idmap = X86_IDENTITY_MAP_ADDR;
	struct kvm_pit_config pit = { .flags = 0 };

	/* VMX needs these two pages inside the guest-physical space; unused on SVM. */
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)X86_TSS_ADDR) < 0) {
		log_err_errno("KVM_SET_TSS_ADDR");
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0) {
		log_err_errno("KVM_SET_IDENTITY_MAP_ADDR");
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP) < 0) {
		log_err_errno("KVM_CREATE_IRQCHIP");
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0) {
		log_err_errno("KVM_CREATE_PIT2");
		return -errno;
	}
	return disable_exits(vm);
}

static int write_u64(struct vm *vm, gpa_t gpa, uint64_t v)
{
	return guest_mem_write(&vm->mem, gpa, &v, sizeof(v));
}

int arch_setup_boot(struct vm *vm)
{
	static const uint64_t gdt[] = {
		0,
		0x00af9b000000ffffULL, /* 0x08: 64-bit code, DPL 0 */
		0x00af9b000000ffffULL, /* 0x10: __BOOT_CS, 64-bit code */
		0x00cf93000000ffffULL, /* 0x18: __BOOT_DS, data, 4 GiB flat */
		0x00008b0000000067ULL, /* 0x20: 64-bit TSS (busy), base 0 */
		0,                     /*       its upper half */
		0x00cf9b000000ffffULL, /* 0x30: 32-bit code, 4 GiB flat (PVH) */
		0,
	};
	int r;

	r = guest_mem_write(&vm->mem, X86_GDT_ADDR, gdt, sizeof(gdt));
	/* Identity map of the low 4 GiB with 2 MiB pages (MMIO hole included). */
	r = r ?: write_u64(vm, X86_PML4_ADDR, X86_PDPT_ADDR | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 4 && !r; i++)
		r = write_u64(vm, X86_PDPT_ADDR + i * 8,
			      (X86_PD_ADDR + i * 4096) | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 4 * 512 && !r; i++)
		r = write_u64(vm, X86_PD_ADDR + i * 8,
			      (i << 21) | PTE_P | PTE_RW | PTE_PS);
	if (r)
		log_err("guest RAM too small for the boot page tables");
	return r;
}

static int setup_cpuid(struct vm *vm, struct vcpu *v)
{
	struct cpuid_table t;

	memset(&t, 0, sizeof(t));
	t.hdr.nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, &t) < 0) {
		log_err_errno("KVM_GET_SUPPORTED_CPUID");
		return -errno;
	}
	cpuid_apply_template(&t, vm->cpu_template, v->id, vm->nvcpus);
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0)
		cpuid_set_tsc_deadline(&t);
	if (cpuid_set_realtime_hint(&t, vm->arch.disabled_exits != 0) < 0)
		log_warn("vCPU %u: no room for KVM_HINTS_REALTIME in CPUID", v->id);
	if (ioctl(v->fd, KVM_SET_CPUID2, &t) < 0) {
		log_err_errno("vCPU %u: KVM_SET_CPUID2", v->id);
		return -errno;
	}
	return 0;
}

static int setup_msrs(struct vcpu *v)
{
	static const uint32_t zeroed[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
		MSR_IA32_SYSENTER_EIP, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
		MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE, MSR_IA32_TSC,
	};
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[ARRAY_SIZE(zeroed) + 2];
	} m;
	unsigned int n = 0;

	memset(&m, 0, sizeof(m));
	for (size_t i = 0; i < ARRAY_SIZE(zeroed); i++)
		m.e[n++].index = zeroed[i];
	m.e[n].index = MSR_IA32_MISC_ENABLE;
	m.e[n++].data = 1; /* fast string operations */
	m.e[n].index = MSR_MTRR_DEF_TYPE;
	m.e[n++].data = (1u << 11) | 6; /* MTRRs on, default write-back */
	m.hdr.nmsrs = n;
	if (ioctl(v->fd, KVM_SET_MSRS, &m) != (int)n) {
		log_err("vCPU %u: KVM_SET_MSRS refused a boot MSR", v->id);
		return -EINVAL;
	}
	return 0;
}

void x86_flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type,
		      bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code;
	s->db = !code;
}

/* The control registers and instruction pointer the boot vCPU starts with. */
struct boot_state {
	uint16_t code_sel;
	bool long_mode;
	uint64_t cr0, cr3, cr4, efer;
	struct kvm_regs regs;
};

/*
 * Loads flat segments, our GDT and TSS, and the given control and general
 * registers into the boot vCPU: shared by the 64-bit and the PVH entry.
 */
static int load_boot_state(struct vcpu *v, struct boot_state *b)
{
	struct kvm_sregs sregs;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0) {
		log_err_errno("KVM_GET_SREGS");
		return -errno;
	}
	x86_flat_segment(&sregs.cs, b->code_sel, 0xb, b->long_mode);
	x86_flat_segment(&sregs.ds, X86_SEL_DATA, 0x3, false);
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	memset(&sregs.tr, 0, sizeof(sregs.tr));
	sregs.tr.selector = X86_SEL_TSS;
	sregs.tr.limit = 0x67;
	sregs.tr.type = 0xb;
	sregs.tr.present = 1;
	sregs.gdt.base = X86_GDT_ADDR;
	sregs.gdt.limit = 8 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;
	sregs.cr0 = b->cr0;
	sregs.cr3 = b->cr3;
	sregs.cr4 = b->cr4;
	sregs.efer = b->efer;
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0) {
		log_err_errno("KVM_SET_SREGS");
		return -errno;
	}
	b->regs.rflags = 0x2;
	if (ioctl(v->fd, KVM_SET_REGS, &b->regs) < 0) {
		log_err_errno("KVM_SET_REGS");
		return -errno;
	}
	return 0;
}

/* 64-bit entry: paging on with the identity map, RSI = zero page. */
static int setup_long_mode(struct vm *vm, struct vcpu *v)
{
	struct boot_state b = {
		.code_sel = X86_SEL_CODE64,
		.long_mode = true,
		.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG,
		.cr3 = X86_PML4_ADDR,
		.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT,
		.efer = EFER_LME | EFER_LMA,
		.regs = { .rip = vm->entry, .rsp = X86_BOOT_STACK_TOP,
			  .rsi = X86_ZERO_PAGE_ADDR },
	};

	return load_boot_state(v, &b);
}

/* PVH entry: 32-bit protected mode, flat segments, paging off, EBX = start info. */
static int setup_pvh_mode(struct vm *vm, struct vcpu *v)
{
	struct boot_state b = {
		.code_sel = X86_SEL_CODE32,
		.long_mode = false,
		.cr0 = CR0_PE | CR0_ET,
		.regs = { .rip = vm->arch.pvh_entry, .rbx = HVM_START_INFO_ADDR },
	};

	return load_boot_state(v, &b);
}

int arch_vcpu_init(struct vm *vm, struct vcpu *v)
{
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };
	int r;

	r = setup_cpuid(vm, v);
	r = r ?: setup_msrs(v);
	if (r)
		return r;
	if (ioctl(v->fd, KVM_SET_FPU, &fpu) < 0) {
		log_err_errno("KVM_SET_FPU");
		return -errno;
	}
	/* Application processors wait in the in-kernel LAPIC for INIT/SIPI. */
	if (v->id != 0)
		return 0;
	return vm->arch.pvh ? setup_pvh_mode(vm, v) : setup_long_mode(vm, v);
}

/* Reads up to len bytes at guest virtual address gva, page by page. */
static size_t read_gva(struct vcpu *v, uint64_t gva, uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		struct kvm_translation tr = { .linear_address = gva + done };
		size_t chunk = 4096 - ((gva + done) & 4095);
		const void *p;

		if (chunk > len - done)
			chunk = len - done;
		if (ioctl(v->fd, KVM_TRANSLATE, &tr) < 0 || !tr.valid)
			break;
		p = guest_mem_ptr(&v->vm->mem, tr.physical_address, chunk);
		if (!p)
			break;
		memcpy(buf + done, p, chunk);
		done += chunk;
	}
	return done;
}

void arch_dump_vcpu(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	uint8_t insn[16];
	char hex[sizeof(insn) * 3 + 1] = "";
	size_t n;

	if (ioctl(v->fd, KVM_GET_REGS, &r) < 0 ||
	    ioctl(v->fd, KVM_GET_SREGS, &s) < 0) {
		log_err_errno("vCPU %u: cannot read registers", v->id);
		return;
	}
	if (r.rip == 0xfff0 && s.cs.selector == 0xf000)
		log_err("vCPU %u: registers are at their reset values: KVM reset the "
			"vCPU before reporting (AMD SVM does so after a shutdown)",
			v->id);
	n = read_gva(v, r.rip, insn, sizeof(insn));
	for (size_t i = 0; i < n; i++)
		snprintf(hex + i * 3, sizeof(hex) - i * 3, "%02x ", insn[i]);
	log_err("vCPU %u: RIP 0x%llx RSP 0x%llx RFLAGS 0x%llx CS 0x%x CR0 0x%llx CR3 0x%llx CR4 0x%llx EFER 0x%llx",
		v->id, r.rip, r.rsp, r.rflags, s.cs.selector, s.cr0, s.cr3,
		s.cr4, s.efer);
	log_err("vCPU %u: RAX 0x%llx RBX 0x%llx RCX 0x%llx RDX 0x%llx RSI 0x%llx RDI 0x%llx",
		v->id, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi);
	if (n)
		log_err("vCPU %u: instruction bytes at RIP: %s", v->id, hex);
	else
		log_err("vCPU %u: RIP does not translate to guest RAM", v->id);
}
