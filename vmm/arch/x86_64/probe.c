// SPDX-License-Identifier: GPL-2.0
/*
 * The host capability probe for the debugger (arch_gdb_probe, gdb/arch_gdb.h):
 * each way of stopping a guest is tried in a throwaway VM of its own, whose
 * one vCPU runs in 64-bit kernel mode, and what KVM reported is recorded.
 * With vcpu.c, the only KVM_RUN in the monitor: the probe VMs are not the
 * partition, and no partition vCPU runs here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "arch/x86_64/boot.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/debugreg.h"
#include "arch/x86_64/layout.h"
#include "exit.h"
#include "gdb/arch_gdb.h"

#define PROBE_MEM 0x10000
#define PROBE_GDT 0x500
#define PROBE_PML4 0x1000
#define PROBE_PDPT 0x2000
#define PROBE_PD 0x3000
#define PROBE_CODE 0x4000
#define PROBE_STACK 0x8000
#define PROBE_WATCHED 0x9000

/* code+0 nop; code+1 mov %al,0x9000; code+8 int3; code+9 hlt */
static const uint8_t probe_code[] = {
	0x90, 0x88, 0x04, 0x25, 0x00, 0x90, 0x00, 0x00, 0xcc, 0xf4,
};

struct probe {
	int vm_fd, vcpu_fd;
	uint8_t *mem;
	struct kvm_run *run;
	size_t run_size;
};

/* VM-wide state, before the vCPU exists (as arch_vm_init, less the irqchip). */
static int probe_vm(struct probe *p)
{
	static const uint64_t gdt[] = { 0, 0x00af9b000000ffffULL,
					0x00cf93000000ffffULL };
	struct kvm_userspace_memory_region region = {
		.memory_size = PROBE_MEM, .userspace_addr = (uintptr_t)p->mem,
	};
	uint64_t idmap = X86_IDENTITY_MAP_ADDR;

	memcpy(p->mem + PROBE_GDT, gdt, sizeof(gdt));
	*(uint64_t *)(p->mem + PROBE_PML4) = PROBE_PDPT | 3;
	*(uint64_t *)(p->mem + PROBE_PDPT) = PROBE_PD | 3;
	*(uint64_t *)(p->mem + PROBE_PD) = 0x83; /* 2 MiB page at 0, RW */
	memcpy(p->mem + PROBE_CODE, probe_code, sizeof(probe_code));
	if (ioctl(p->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)X86_TSS_ADDR) < 0 ||
	    ioctl(p->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0 ||
	    ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return -errno;
	return 0;
}

/* The probe vCPU: 64-bit kernel mode, the low 2 MiB identity-mapped. */
static int probe_vcpu(int kvm_fd, struct probe *p)
{
	struct cpuid_table t;
	struct kvm_sregs s;
	struct kvm_regs r;

	memset(&t, 0, sizeof(t));
	t.hdr.nent = CPUID_MAX_ENTRIES;
	if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, &t) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_CPUID2, &t) < 0 ||
	    ioctl(p->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	x86_flat_segment(&s.cs, 0x08, 0xb, true);
	x86_flat_segment(&s.ds, 0x10, 0x3, false);
	s.es = s.fs = s.gs = s.ss = s.ds;
	memset(&s.tr, 0, sizeof(s.tr));
	s.tr.selector = 0x18;
	s.tr.limit = 0x67;
	s.tr.type = 0xb;
	s.tr.present = 1;
	s.gdt.base = PROBE_GDT;
	s.gdt.limit = 3 * 8 - 1;
	s.idt.base = 0;
	s.idt.limit = 0;
	s.cr0 = 0x80010033; /* PG WP NE ET MP PE */
	s.cr3 = PROBE_PML4;
	s.cr4 = 0x620;      /* PAE OSFXSR OSXMMEXCPT */
	s.efer = 0x500;     /* LME LMA */
	memset(&r, 0, sizeof(r));
	r.rflags = 0x2;
	r.rip = PROBE_CODE;
	r.rsp = PROBE_STACK;
	if (ioctl(p->vcpu_fd, KVM_SET_SREGS, &s) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_REGS, &r) < 0)
		return -errno;
	return 0;
}

static void probe_free(struct probe *p)
{
	if (p->run != MAP_FAILED)
		munmap(p->run, p->run_size);
	if (p->mem != MAP_FAILED)
		munmap(p->mem, PROBE_MEM);
	if (p->vcpu_fd >= 0)
		close(p->vcpu_fd);
	if (p->vm_fd >= 0)
		close(p->vm_fd);
}

/*
 * Runs the probe code in a fresh VM with dbg until its first exit. true if
 * that exit is KVM_EXIT_DEBUG with this exception and DR6 bits at code+at;
 * what happened goes to caps->detail. -errno if the VM could not be built.
 */
static int probe_one(int kvm_fd, const char *what,
		     const struct kvm_guest_debug *dbg, uint32_t exception,
		     uint64_t dr6_bits, uint64_t at, struct gdb_host_caps *caps)
{
	struct probe p = { -1, -1, MAP_FAILED, MAP_FAILED, 0 };
	const struct kvm_debug_exit_arch *a;
	size_t n = strlen(caps->detail);
	struct kvm_regs r;
	int size, ret;

	p.mem = mmap(NULL, PROBE_MEM, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p.mem == MAP_FAILED)
		return -ENOMEM;
	do
		p.vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	while (p.vm_fd < 0 && errno == EINTR);
	size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	ret = p.vm_fd < 0 || size <= 0 ? -errno : probe_vm(&p);
	if (ret == 0) {
		p.vcpu_fd = ioctl(p.vm_fd, KVM_CREATE_VCPU, 0UL);
		p.run_size = (size_t)size;
		if (p.vcpu_fd >= 0)
			p.run = mmap(NULL, p.run_size, PROT_READ | PROT_WRITE,
				     MAP_SHARED, p.vcpu_fd, 0);
		if (p.vcpu_fd < 0 || p.run == MAP_FAILED)
			ret = -ENOMEM;
	}
	ret = ret ?: probe_vcpu(kvm_fd, &p);
	if (ret == 0 && (ioctl(p.vcpu_fd, KVM_SET_GUEST_DEBUG, dbg) < 0 ||
			 ioctl(p.vcpu_fd, KVM_RUN, 0) < 0 ||
			 ioctl(p.vcpu_fd, KVM_GET_REGS, &r) < 0))
		ret = -errno;
	if (ret == 0) {
		a = &p.run->debug.arch;
		snprintf(caps->detail + n, sizeof(caps->detail) - n,
			 "%s%s: %s at code%+lld", n ? ", " : "", what,
			 exit_reason_name(p.run->exit_reason),
			 (long long)(r.rip - PROBE_CODE));
		ret = p.run->exit_reason == KVM_EXIT_DEBUG &&
		      a->exception == exception &&
		      (a->dr6 & dr6_bits) == dr6_bits && r.rip == PROBE_CODE + at;
	}
	probe_free(&p);
	return ret;
}

int arch_gdb_probe(int kvm_fd, struct gdb_host_caps *caps)
{
	const struct gdb_hw_slot exec = { true, GDB_BP_HW, PROBE_CODE + 1, 1 };
	const struct gdb_hw_slot watch = { true, GDB_WP_WRITE, PROBE_WATCHED, 1 };
	const uint32_t dr7 = X86_DR7_GE | X86_DR7_FIXED;
	struct kvm_guest_debug step = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP,
	};
	struct kvm_guest_debug bp = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
		.arch.debugreg = { PROBE_CODE + 1, 0, 0, 0, 0, 0, 0,
				   dr7 | x86_dr7_bits(&exec, 0) },
	};
	struct kvm_guest_debug wp = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
		.arch.debugreg = { PROBE_WATCHED, 0, 0, 0, 0, 0, 0,
				   dr7 | x86_dr7_bits(&watch, 0) },
	};
	struct kvm_guest_debug sw = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP,
	};
	int r;

	memset(caps, 0, sizeof(*caps));
	/* Each from a fresh VM: a probe that fails may leave its vCPU dead. */
	r = probe_one(kvm_fd, "step", &step, X86_DB_VECTOR, X86_DR6_BS, 1, caps);
	if (r < 0)
		return r;
	caps->step = r;
	r = probe_one(kvm_fd, "breakpoint", &bp, X86_DB_VECTOR, 1, 1, caps);
	caps->hw_bp = r > 0;
	r = probe_one(kvm_fd, "watchpoint", &wp, X86_DB_VECTOR, 1, 8, caps);
	caps->hw_watch = r > 0;
	r = probe_one(kvm_fd, "int3", &sw, X86_BP_VECTOR, 0, 8, caps);
	caps->sw_bp = r > 0;
	return 0;
}
